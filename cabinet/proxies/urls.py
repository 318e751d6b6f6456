from django.urls import path

from cabinet.proxies import views

urlpatterns = [
    path("children/", views.children, name="children"),
]
