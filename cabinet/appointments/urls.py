from django.urls import path

from cabinet.appointments import views

urlpatterns = [
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<uuid:public_id>/", views.appointment, name="appointment"),
]
