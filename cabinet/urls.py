"""The patient cabinet's URLs, mounted at /cabinet/.

Each part of the cabinet keeps its own urls module and is included here.
"""

from django.urls import include, path

from booking import cabinet_views

app_name = "cabinet"
urlpatterns: list = [
    path("", include("cabinet.accounts_urls")),
    path("", include("cabinet.records.urls")),
    path("staff/", include("cabinet.staff.urls")),
    path("appointments/", cabinet_views.appointments, name="appointments"),
    path("appointments/<uuid:public_id>/", cabinet_views.appointment, name="appointment"),
]
