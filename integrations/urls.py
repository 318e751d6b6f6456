"""Inbound endpoints of the integration layer (callbacks and webhooks)."""

from django.urls import include, path

from integrations.sms.views import sms_status_callback

app_name = "integrations"

urlpatterns = [
    path("sms/<str:gateway>/status", sms_status_callback, name="sms-status"),
    path("", include("integrations.commerceml.urls")),
    path("", include("integrations.lis.urls")),
]
