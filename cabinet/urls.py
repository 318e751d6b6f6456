"""The patient cabinet's URLs, mounted at /cabinet/.

Each feature keeps its own urls module and is included here.
"""

from django.urls import include, path

from cabinet import views

app_name = "cabinet"
urlpatterns: list = [
    path("", views.home, name="home"),
    path("switch/", views.switch, name="switch"),
    path("", include("cabinet.accounts.urls")),
    path("", include("cabinet.consent.urls")),
    path("", include("cabinet.proxies.urls")),
    path("", include("cabinet.notifications.urls")),
    path("", include("cabinet.appointments.urls")),
    path("", include("cabinet.records.urls")),
    path("staff/", include("cabinet.staff.urls")),
]
