"""The patient cabinet's URLs, mounted at /cabinet/.

Each part of the cabinet keeps its own urls module and is included here.
"""

from django.urls import include, path

from cabinet.appointments import views as appointment_views

app_name = "cabinet"
urlpatterns: list = [
    path("", include("cabinet.accounts.urls")),
    path("", include("cabinet.records.urls")),
    path("staff/", include("cabinet.staff.urls")),
    path("appointments/", appointment_views.appointments, name="appointments"),
    path("appointments/<uuid:public_id>/", appointment_views.appointment, name="appointment"),
]
