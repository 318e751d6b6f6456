"""The LIS webhook's address."""

from django.urls import path

from integrations.lis.views import lab_results_webhook

urlpatterns = [
    path("lis/<slug:lab>/results", lab_results_webhook, name="lis-results"),
]
