"""The patient cabinet's URLs, mounted at /cabinet/.

Each part of the cabinet keeps its own urls module and is included here.
"""

from django.urls import include, path

app_name = "cabinet"
urlpatterns: list = [
    path("", include("cabinet.accounts_urls")),
]
