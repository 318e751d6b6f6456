"""/api/v1/ URLs of booking and the OpenAPI schema."""

from django.urls import path

from drf_spectacular.views import SpectacularAPIView

from booking.api import views

urlpatterns = [
    path("waitlist/", views.WaitlistJoin.as_view(), name="api-waitlist"),
    path(
        "waitlist/<uuid:public_id>/leave/", views.WaitlistLeave.as_view(), name="api-waitlist-leave"
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("specialties/", views.SpecialtyList.as_view(), name="api-specialties"),
    path("doctors/", views.DoctorList.as_view(), name="api-doctors"),
    path("services/", views.ServiceList.as_view(), name="api-services"),
    path("slots/", views.SlotList.as_view(), name="api-slots"),
    path("holds/", views.HoldCreate.as_view(), name="api-holds"),
    path(
        "appointments/<uuid:public_id>/", views.AppointmentDetail.as_view(), name="api-appointment"
    ),
    path(
        "appointments/<uuid:public_id>/confirm/",
        views.AppointmentConfirm.as_view(),
        name="api-appointment-confirm",
    ),
    path(
        "appointments/<uuid:public_id>/phone-code/",
        views.AppointmentPhoneCode.as_view(),
        name="api-appointment-phone-code",
    ),
    path(
        "appointments/<uuid:public_id>/cancel/",
        views.AppointmentCancel.as_view(),
        name="api-appointment-cancel",
    ),
]
