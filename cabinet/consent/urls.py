from django.urls import path

from cabinet.consent import views

urlpatterns = [
    path("consent/", views.consent_page, name="consent"),
]
