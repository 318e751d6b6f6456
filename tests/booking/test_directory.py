"""The slot search reads who offers what from a per-process snapshot; every
change of the catalog, however it is made, shows in the next search."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking import directory
from booking.selectors import search_free_slots
from catalog.models import Doctor, Specialty
from catalog.sync import sync_catalog


def doctors_found(**kwargs) -> set[int]:
    now = timezone.now()
    slots = search_free_slots(start=now, end=now + timedelta(days=7), limit=1000, **kwargs)
    return {s.doctor.pk for s in slots}


def test_a_warm_search_reads_no_table(clinic):
    therapy = Specialty.objects.get(name="Терапия")
    doctors_found(specialty_id=therapy.pk)
    with CaptureQueriesContext(connection) as warm:
        found = doctors_found(specialty_id=therapy.pk)
    assert found
    assert warm.captured_queries == []


def test_a_deactivated_doctor_leaves_the_next_search(clinic):
    therapy = Specialty.objects.get(name="Терапия")
    found = doctors_found(specialty_id=therapy.pk)
    gone = Doctor.objects.get(pk=min(found))
    gone.is_active = False
    gone.save()
    assert gone.pk not in doctors_found(specialty_id=therapy.pk)


def test_a_new_specialty_link_joins_the_next_search(clinic):
    therapy = Specialty.objects.get(name="Терапия")
    found = doctors_found(specialty_id=therapy.pk)
    newcomer = Doctor.objects.filter(is_active=True).exclude(pk__in=found).order_by("pk")[0]
    newcomer.specialties.add(therapy)
    assert newcomer.pk in doctors_found(specialty_id=therapy.pk)


def test_a_sync_that_changed_nothing_keeps_the_snapshot_and_one_that_did_renews_it(
    clinic, django_capture_on_commit_callbacks
):
    first = directory.directory()
    with django_capture_on_commit_callbacks(execute=True):
        sync_catalog(adapter=clinic)  # the same MIS again: nothing written
    assert directory.directory() is first
    Doctor.objects.filter(pk=first.offers[0].doctor.pk).update(last_name="Иная")  # no signal
    with django_capture_on_commit_callbacks(execute=True):
        sync_catalog(adapter=clinic)  # the sync puts the MIS's name back and says so
    renewed = directory.directory()
    assert renewed is not first
    assert renewed.offers[0].doctor.last_name == first.offers[0].doctor.last_name


def test_a_lost_version_key_rebuilds_rather_than_trusting_the_old_snapshot(clinic):
    from django.core.cache import cache

    first = directory.directory()
    cache.delete(directory.VERSION_KEY)  # e.g. Redis restarted
    assert directory.directory() is not first


def test_a_request_for_a_held_time_is_refused_with_two_queries(client, doctor, service, free):
    """In a rush for one time nearly every request is a loser: it must be cheap,
    and still get its alternatives."""
    body = {"doctor": doctor.pk, "service": service.pk, "start": free[3].start.isoformat()}
    first = client.post("/api/v1/holds/", body, content_type="application/json")
    assert first.status_code == 201
    client.post("/api/v1/holds/", body, content_type="application/json")  # warms the cache
    with CaptureQueriesContext(connection) as queries:
        loser = client.post(
            "/api/v1/holds/", {**body, "idempotency_key": "k-2"}, content_type="application/json"
        )
    assert loser.status_code == 409
    assert loser.json()["error"]["code"] == "slot_taken"
    assert len(loser.json()["error"]["alternatives"]) == 3
    assert len(queries.captured_queries) <= 2
