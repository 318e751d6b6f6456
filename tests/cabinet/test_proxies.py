"""Proxy access: unverified -> 404; verified -> the child's data, logged as
"parent for child"; on the child's 15th birthday -> 404. The rules are seen
through a stand-in view (the probe) and through the cabinet's real record views."""

from datetime import date

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from cabinet.access import accessible_patients
from cabinet.accounts.models import Patient
from cabinet.audit.models import AuditRecord
from cabinet.proxies.models import ProxyAccess, ProxyRequest
from cabinet.proxies.services import years_before
from cabinet.records.models import Document, LabReport, Visit
from tests.cabinet.conftest import (
    import_history,
    open_cabinet,
    sign_all,
    verified_login,
    verified_staff_login,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent(patient_user, consent_documents, rf):
    sign_all(patient_user, consent_documents, rf)
    return patient_user


@pytest.fixture
def parent_client(client, parent):
    verified_login(client, parent)
    return client


def ask_for_alice(client):
    response = client.post(
        "/cabinet/children/",
        {"last_name": "Демонстрационная", "first_name": "Алиса", "birth_date": "01.06.2016"},
    )
    assert response.status_code == 302
    return ProxyRequest.objects.get()


def switch(client, patient_id):
    return client.post("/cabinet/switch/", {"patient": str(patient_id)})


def test_unverified_request_gives_no_access(parent_client, probe):
    request = ask_for_alice(parent_client)
    assert request.candidates == ["pt-demo-0002"] and request.mis_id == "pt-demo-0002"
    child = Patient.objects.create(mis_id="pt-demo-0002", last_name="Д", first_name="Алиса")
    assert switch(parent_client, child.pk).status_code == 404
    assert parent_client.get(probe).content == b"record of pt-demo-0001"


def test_verified_proxy_opens_the_childs_data_as_parent_for_child(
    parent_client, parent, admin_user, probe
):
    request = ask_for_alice(parent_client)
    registrar = Client()
    verified_staff_login(registrar, admin_user)
    # Without a document note the registrar cannot verify.
    registrar.post(
        "/django-admin/cabinet/proxyrequest/",
        {"action": "approve", "_selected_action": [request.pk]},
    )
    assert not ProxyAccess.objects.exists()
    request.document_note = "Свидетельство о рождении II-АБ 000000 (синтетическое)"
    request.save()
    registrar.post(
        "/django-admin/cabinet/proxyrequest/",
        {"action": "approve", "_selected_action": [request.pk]},
    )
    grant = ProxyAccess.objects.get()
    assert grant.verified_by == admin_user and grant.child.mis_id == "pt-demo-0002"

    assert switch(parent_client, grant.child.pk).status_code == 302
    assert parent_client.get(probe).content == (
        b"record of pt-demo-0002 for pt-demo-0002 by +79990000001"
    )
    assert "Алиса" in parent_client.get("/cabinet/").content.decode()
    switch(parent_client, "")  # back to "me"
    assert parent_client.get(probe).content == b"record of pt-demo-0001"


def grant_for_child_born(parent, admin_user, birth_date) -> ProxyAccess:
    child = Patient.objects.create(
        mis_id=f"pt-child-{birth_date}", last_name="Д", first_name="Ребёнок", birth_date=birth_date
    )
    return ProxyAccess.objects.create(
        parent=parent, child=child, document_note="синтетика", verified_by=admin_user
    )


def test_access_ends_on_the_childs_15th_birthday(parent_client, parent, admin_user, probe):
    today = timezone.localdate()
    turns_15_today = grant_for_child_born(parent, admin_user, years_before(today, 15))
    turns_15_tomorrow = grant_for_child_born(
        parent, admin_user, date.fromordinal(years_before(today, 15).toordinal() + 1)
    )
    assert set(accessible_patients(parent).values_list("pk", flat=True)) == {
        parent.patient.pk,
        turns_15_tomorrow.child.pk,
    }
    assert switch(parent_client, turns_15_today.child.pk).status_code == 404
    assert switch(parent_client, turns_15_tomorrow.child.pk).status_code == 302
    assert parent_client.get(probe).status_code == 200


def test_a_proxy_ending_while_switched_gives_404_not_the_parents_data(
    parent_client, parent, admin_user, probe
):
    grant = grant_for_child_born(parent, admin_user, date(2016, 6, 1))
    switch(parent_client, grant.child.pk)
    assert parent_client.get(probe).status_code == 200
    grant.child.birth_date = years_before(timezone.localdate(), 15)  # it is the birthday
    grant.child.save()
    assert parent_client.get(probe).status_code == 404
    assert parent_client.get(probe).content == b"record of pt-demo-0001"  # "me" again


def test_a_child_aged_15_cannot_be_requested(parent_client):
    page = parent_client.post(
        "/cabinet/children/",
        {"last_name": "Д", "first_name": "Старший", "birth_date": "2000-01-01"},
    )
    assert page.status_code == 200 and not ProxyRequest.objects.exists()


# --- the cabinet's real record views -------------------------------------------

# What only the demo parent's records contain, and what only her daughter's do.
PARENT_MARKERS = ("Аутоиммунный тиреоидит", "Левотироксин", "Договор на оказание", "ТТГ")
CHILD_MARKERS = {
    "cabinet:records:card": "Z00.1",
    "cabinet:records:prescriptions": "Парацетамол",
    "cabinet:records:documents": "Справка для детского сада",
}


def record_urls(patient: Patient) -> list[str]:
    """Every medical view of the cabinet, on this patient's objects where it names one."""
    report = LabReport.objects.filter(patient=patient).first()
    visit = Visit.objects.filter(patient=patient).first()
    document = Document.objects.filter(patient=patient).first()
    return [
        reverse("cabinet:records:results"),
        reverse("cabinet:records:report", args=[report.pk]),
        reverse("cabinet:records:report-pdf", args=[report.pk]),
        reverse("cabinet:records:analyte", args=[report.results.first().code]),
        reverse("cabinet:records:card"),
        reverse("cabinet:records:visit", args=[visit.pk]),
        reverse("cabinet:records:prescriptions"),
        reverse("cabinet:records:documents"),
        reverse("cabinet:records:document", args=[document.pk]),
    ]


def test_the_real_record_views_follow_the_switch_to_a_child(client, demo_patient):
    """The demo parent switches to her daughter (a verified proxy): every record
    view shows the daughter's records, audited as "parent for child", and
    none of the parent's; switched back, they are the parent's again."""
    parent = demo_patient.account
    child = Patient.objects.get(mis_id="pt-demo-0002")
    import_history(child)
    open_cabinet(client, parent)
    assert switch(client, "").status_code == 302  # "me" while acting for herself already
    assert switch(client, child.pk).status_code == 302

    for url in record_urls(child):
        last = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(url)
        assert response.status_code == 200, url
        written = list(AuditRecord.objects.filter(id__gt=last))
        assert [(r.patient_id, r.actor_id, r.on_behalf_of_id) for r in written] == [
            (child.pk, parent.pk, parent.pk)
        ], url
        if not response.streaming:
            page = response.content.decode()
            assert not [m for m in PARENT_MARKERS if m in page], url
    for name, marker in CHILD_MARKERS.items():
        assert marker in client.get(reverse(name)).content.decode(), name
    # Acting for the child, the parent's own objects are not found.
    for url in record_urls(demo_patient):
        if "/results/analytes/" not in url and url not in record_urls(child):
            assert client.get(url).status_code == 404, url

    back = switch(client, "")  # back to "me"
    assert back.status_code == 302, back.content[:2000]
    card = client.get(reverse("cabinet:records:card")).content.decode()
    assert "Аутоиммунный тиреоидит" in card and CHILD_MARKERS["cabinet:records:card"] not in card
