"""The audit log: hash chain, append-only trigger, the verify command."""

import io
import threading

from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

import pytest

from cabinet.audit.models import AuditRecord
from cabinet.audit.services import SYSTEM, Actor, write_audit


def _verify() -> str:
    out = io.StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_records_chain_and_verify(patient_a):
    first = write_audit(
        actor=SYSTEM, patient=patient_a, object_type="visit", object_id=1, action="create"
    )
    second = write_audit(
        actor=Actor(user=patient_a.account, role="patient", ip="10.0.0.1", user_agent="UA"),
        patient=patient_a,
        object_type="visit",
        object_id=1,
    )
    assert second.previous_hash == first.hash
    assert "2 records verified" in _verify()


@pytest.mark.django_db
def test_trigger_refuses_update_and_delete(patient_a):
    record = write_audit(actor=SYSTEM, patient=patient_a, object_type="visit", object_id=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).update(object_id="2")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).delete()
    assert AuditRecord.objects.get(pk=record.pk).object_id == "1"


@pytest.mark.django_db
def test_tampering_is_named_by_verify(patient_a):
    records = [
        write_audit(actor=SYSTEM, patient=patient_a, object_type="lab_report", object_id=n)
        for n in range(5)
    ]
    victim = records[2]
    with connection.cursor() as cursor:
        # A superuser bypassing the trigger, as an attacker with DB access would.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE audit_auditrecord SET action = 'create' WHERE id = %s", [victim.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    with pytest.raises(CommandError, match=f"record #{victim.pk}:"):
        _verify()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_do_not_fork_the_chain(patient_a):
    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                write_audit(actor=SYSTEM, patient=patient_a, object_type="t", object_id=f"{n}-{i}")
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditRecord.objects.count() == 40
    assert "40 records verified" in _verify()


@pytest.mark.django_db
def test_proxy_reads_are_logged_as_parent_for_child(rf, patient_a):
    from cabinet.audit.services import actor_from_request
    from cabinet.records.templatetags.records_tags import audit_actor
    from tests.cabinet.conftest import make_record_patient

    child = make_record_patient("pt-test-child", username=None)
    request = rf.get("/cabinet/results/", REMOTE_ADDR="198.51.100.4")
    request.user = patient_a.account
    actor = actor_from_request(request, patient=child)
    assert (actor.user, actor.on_behalf_of, actor.role) == (
        patient_a.account,
        patient_a.account,
        "proxy",
    )
    record = write_audit(actor=actor, patient=child, object_type="lab_reports")
    assert record.on_behalf_of_id == patient_a.account_id and record.patient_id == child.pk
    assert "alice" in audit_actor(record, child)
    own = write_audit(
        actor=actor_from_request(request, patient=patient_a), patient=patient_a, object_type="x"
    )
    assert own.on_behalf_of_id is None and own.actor_role == "patient"
