"""A hold is refused for a service the doctor does not provide: the hold and
the slot search ask the same rule (booking.directory's Directory.provides)."""

import pytest

from booking.services import NotBookable, hold_slot
from catalog.models import Service


def a_service_not_offered_by(doctor) -> Service:
    return (
        Service.objects.filter(is_active=True)
        .exclude(pk__in=doctor.services.values("pk"))
        .order_by("pk")
        .first()
    )


def test_the_api_refuses_a_service_the_doctor_does_not_provide(client, doctor, free):
    other = a_service_not_offered_by(doctor)
    start = free[0].start
    assert client.get("/api/v1/slots/", {"doctor": doctor.pk, "service": other.pk}).json() == []
    answer = client.post(
        "/api/v1/holds/",
        {"doctor": doctor.pk, "service": other.pk, "start": start.isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "not_a_slot"


def test_the_service_layer_refuses_it_too(doctor, service, free):
    with pytest.raises(NotBookable):
        hold_slot(doctor=doctor, service=a_service_not_offered_by(doctor), start=free[0].start)
    assert hold_slot(doctor=doctor, service=service, start=free[0].start).pk


def test_a_service_the_clinic_stopped_is_refused(doctor, service, free):
    service.is_active = False
    service.save()  # as the sync or an editor does: the directory hears of it
    with pytest.raises(NotBookable):
        hold_slot(doctor=doctor, service=service, start=free[0].start)
