"""URLs of the staff's pages in the cabinet (included at /cabinet/staff/)."""

from django.urls import path

from cabinet.staff import views

app_name = "staff"
urlpatterns = [
    path("patients/<int:patient_id>/card/", views.patient_card, name="patient-card"),
]
