"""The CommerceML exchange URL (mounted under /integrations/)."""

from django.urls import path

from integrations.commerceml.views import exchange

urlpatterns = [
    path("1c/exchange", exchange, name="commerceml-exchange"),
]
