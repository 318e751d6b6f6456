"""Object access: every cabinet URL, walked as the wrong person, answers 404.

The URLs come from the URL configuration itself, so a view added later is
walked too (and fails here until its object kind is mapped below).
"""

from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

import pytest

from booking.models import Appointment, WaitlistEntry
from cabinet.accounts.models import User
from cabinet.audit.models import AuditRecord
from cabinet.records.models import Document, LabReport, RecordImport, Visit
from cabinet.staff.models import StaffProfile
from catalog.models import Doctor, Service, Specialty
from tests.cabinet.conftest import open_cabinet, verified_staff_login

# Text only patient B's records contain (B = the demo patient, A = the demo child).
B_MARKERS = ("Аутоиммунный тиреоидит", "Левотироксин", "Договор на оказание", "ТТГ", "Пациентка")


def cabinet_urls() -> list[tuple[str, list[str]]]:
    """(namespaced name, argument names) of every URL under /cabinet/."""
    found = []

    def walk(patterns, prefix: str, namespaces: list[str]) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                names = [*namespaces, entry.namespace] if entry.namespace else namespaces
                walk(entry.url_patterns, route, names)
            elif isinstance(entry, URLPattern) and route.startswith("cabinet/"):
                assert entry.name, f"cabinet URL {route} has no name: the walk cannot reach it"
                found.append((":".join([*namespaces, entry.name]), list(entry.pattern.converters)))

    walk(get_resolver().url_patterns, "", [])
    return found


def objects_of(patient) -> dict[str, object]:
    """For each URL argument, the id of one of this patient's objects."""
    return {
        "report_id": LabReport.objects.filter(patient=patient).first().pk,
        "visit_id": Visit.objects.filter(patient=patient).first().pk,
        "document_id": Document.objects.filter(patient=patient).first().pk,
        "import_id": RecordImport.objects.filter(patient=patient).first().pk,
        "code": "3016-3",  # TSH: only B has it
        "patient_id": patient.pk,
        "public_id": _appointment_of(patient).public_id,
        "pk": patient.account.phonedevice_set.get().pk,  # two_factor:phone_delete
    }


def _appointment_of(patient, *, days: int = 3):
    """A confirmed appointment of the patient's account (the cabinet's appointments)."""
    doctor = Doctor.objects.first() or Doctor.objects.create(
        external_id="d-access", last_name="Доступов", first_name="Врач"
    )
    service = Service.objects.first() or Service.objects.create(
        external_id="s-access", code="B01.047.001", name="Приём", duration_minutes=30, price=1
    )
    start = timezone.now() + timedelta(days=days)
    return Appointment.objects.create(
        doctor=doctor,
        service=service,
        start=start,
        end=start + timedelta(minutes=30),
        blocked_until=start + timedelta(minutes=30),
        status=Appointment.Status.CONFIRMED,
        patient=patient.account,
    )


def urls_against(patient) -> tuple[list[str], list[str]]:
    """(URLs naming one of the patient's objects, URLs naming none)."""
    objects = objects_of(patient)
    with_objects, lists = [], []
    for name, arguments in cabinet_urls():
        missing = [a for a in arguments if a not in objects]
        assert not missing, f"{name}: map {missing} to patient B's objects in objects_of()"
        url = reverse(name, kwargs={a: objects[a] for a in arguments})
        (with_objects if arguments else lists).append(url)
    return with_objects, lists


SETUP_DONE = "/cabinet/account/two_factor/setup/complete/"
# What each cabinet page without an object id answers a patient acting for
# herself: (status, where a redirect goes). A page added later fails the walk
# until it is written here.
OWN_PAGES = {
    "/cabinet/": (200, ""),
    "/cabinet/login/": (200, ""),
    "/cabinet/logout/": (405, ""),  # POST only
    "/cabinet/switch/": (405, ""),  # POST only
    "/cabinet/register/": (302, "/cabinet/"),  # logged in already
    "/cabinet/password-reset/": (200, ""),
    "/cabinet/consent/": (200, ""),
    "/cabinet/children/": (200, ""),
    "/cabinet/notifications/": (200, ""),
    "/cabinet/notifications/settings/": (200, ""),
    "/cabinet/appointments/": (200, ""),
    "/cabinet/results/": (200, ""),
    "/cabinet/card/": (200, ""),
    "/cabinet/prescriptions/": (200, ""),
    "/cabinet/documents/": (200, ""),
    "/cabinet/access-log/": (200, ""),
    "/cabinet/account/login/": (302, "/cabinet/login/"),
    "/cabinet/account/two_factor/": (200, ""),
    "/cabinet/account/two_factor/setup/": (302, SETUP_DONE),  # she has her device
    "/cabinet/account/two_factor/setup/complete/": (200, ""),
    "/cabinet/account/two_factor/qrcode/": (404, ""),  # no setup under way
    "/cabinet/account/two_factor/backup/tokens/": (200, ""),
    "/cabinet/account/two_factor/disable/": (200, ""),
    "/cabinet/account/two_factor/phone/register/": (200, ""),
}
# The pages that show someone's medical data: 404 when that someone is not
# the user's to open (a session claiming another patient, a staff account).
DATA_PAGES = (
    "/cabinet/",
    "/cabinet/results/",
    "/cabinet/card/",
    "/cabinet/prescriptions/",
    "/cabinet/documents/",
    "/cabinet/access-log/",
)
CLAIMING_B = {**OWN_PAGES, **dict.fromkeys(DATA_PAGES, (404, ""))}
STAFF_PAGES = {**CLAIMING_B, "/cabinet/": (200, "")}  # a staff member's own (empty) home


def answer(response) -> tuple[int, str]:
    return response.status_code, response.url if response.status_code == 302 else ""


@pytest.mark.django_db
def test_patient_a_gets_404_for_every_object_of_patient_b(client, child_patient, demo_patient):
    open_cabinet(client, child_patient.account)
    with_objects, lists = urls_against(demo_patient)
    assert len(with_objects) >= 7 and len(lists) >= 6
    assert set(lists) == set(OWN_PAGES), "write the answers of new cabinet pages in OWN_PAGES"
    b_appointment = str(Appointment.objects.get(patient=demo_patient.account).public_id)
    reads_of_b = AuditRecord.objects.filter(patient=demo_patient, action__in=["read", "export"])
    before = reads_of_b.count()

    for url in with_objects:
        assert client.get(url).status_code == 404, url

    # Pages without an id show A's own data (or a form, or refuse a GET); and
    # when A's session claims to act for B, the data pages refuse: never B's data.
    for claim, expected in ((None, OWN_PAGES), (demo_patient.pk, CLAIMING_B)):
        for url in lists:
            if claim is not None:  # claimed again each time: a refusal forgets the claim
                session = client.session
                session["cabinet_acting_patient"] = claim
                session.save()
            response = client.get(url)
            assert answer(response) == expected[url], (claim, url)
            html = response.content.decode()
            assert not [m for m in (*B_MARKERS, b_appointment) if m in html], (claim, url)
    assert reads_of_b.count() == before  # nothing of B was read
    print(f"walked {len(with_objects) + len(lists)} cabinet URLs as patient A")  # noqa: T201


@pytest.mark.django_db
def test_registrar_and_editor_never_open_a_card(client, demo_patient):
    with_objects, lists = urls_against(demo_patient)
    b_appointment = str(Appointment.objects.get(patient=demo_patient.account).public_id)
    for role in (StaffProfile.Role.REGISTRAR, StaffProfile.Role.EDITOR):
        user = User.objects.create_user(f"staff-{role}", password="x-secret-2026", is_staff=True)
        StaffProfile.objects.create(user=user, role=role)
        verified_staff_login(client, user)
        for url in with_objects:
            assert client.get(url).status_code == 404, (role, url)
        for url in lists:  # 404, or a staff member's own (empty) page: never B's data
            response = client.get(url)
            assert answer(response) == STAFF_PAGES[url], (role, url)
            shown = response.content.decode()
            assert not [m for m in (*B_MARKERS, b_appointment) if m in shown], (role, url)
    assert not AuditRecord.objects.filter(actor__username__startswith="staff-").exists()


def _doctor(external_id: str, specialty: Specialty) -> Doctor:
    doctor = Doctor.objects.create(external_id=external_id, last_name="Врачова", first_name="Ирина")
    doctor.specialties.add(specialty)
    return doctor


@pytest.mark.django_db
def test_attending_doctor_and_head_of_department(client, demo_patient, child_patient):
    endocrinology = Specialty.objects.create(external_id="sp-058", name="Эндокринология")
    paediatrics = Specialty.objects.create(external_id="sp-031", name="Педиатрия")
    endocrinologist = _doctor("dr-058-1", endocrinology)  # saw the demo patient
    _doctor("dr-058-2", endocrinology)
    _doctor("dr-031-1", paediatrics)  # saw the child
    b_card = reverse("cabinet:staff:patient-card", args=[demo_patient.pk])
    a_card = reverse("cabinet:staff:patient-card", args=[child_patient.pk])

    def staff(name, **profile):
        user = User.objects.create_user(name, password="x-secret-2026", is_staff=True)
        StaffProfile.objects.create(user=user, **profile)
        verified_staff_login(client, user)
        return user

    doctor = staff("attending", role="attending", doctor=endocrinologist)
    response = client.get(b_card)
    assert response.status_code == 200 and "E06.3" in response.content.decode()
    record = AuditRecord.objects.order_by("-id").first()
    assert (record.actor_id, record.actor_role, record.object_type, record.patient_id) == (
        doctor.pk,
        "attending",
        "medical_card",
        demo_patient.pk,
    )
    assert client.get(a_card).status_code == 404  # not their patient
    assert client.get(reverse("cabinet:records:card")).status_code == 404  # no own cabinet

    staff("colleague", role="attending", doctor=Doctor.objects.get(external_id="dr-058-2"))
    assert client.get(b_card).status_code == 404

    staff("head", role="head", department=endocrinology)
    assert client.get(b_card).status_code == 200
    assert client.get(a_card).status_code == 404
    staff("paediatric-head", role="head", department=paediatrics)
    assert client.get(a_card).status_code == 200
    assert client.get(b_card).status_code == 404


def api_urls() -> list[tuple[str, list[str]]]:
    """(name, argument names) of every /api/v1/ URL that names an object."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif route.startswith("api/v1/") and entry.pattern.converters:
                found.append((entry.name, list(entry.pattern.converters)))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.mark.django_db
def test_patient_a_gets_404_from_every_api_endpoint_on_patient_bs_objects(
    client, child_patient, demo_patient
):
    """The booking API, logged in as A (without B's token, or with A's own
    token of another object): B's appointment and waitlist entry are never
    found, read or changed."""
    theirs = _appointment_of(demo_patient)
    mine = _appointment_of(child_patient, days=4)
    entry = WaitlistEntry.objects.create(
        doctor=theirs.doctor, phone="+79990000001", last_name="Б", first_name="Б"
    )
    targets = {"api-waitlist-leave": entry.public_id}
    open_cabinet(client, child_patient.account)
    walked = api_urls()
    assert len(walked) >= 5
    for name, arguments in walked:
        assert arguments == ["public_id"], f"{name}: map {arguments} in this test"
        url = reverse(name, kwargs={"public_id": targets.get(name, theirs.public_id)})
        for token in ("", mine.token, "forged-token"):
            got = client.get(url, {"token": token} if token else {})
            assert got.status_code in (404, 405), (url, "GET", got.status_code)
            body = {
                "token": token or "x",
                "phone": "+79990000009",
                "patient": {"last_name": "А", "first_name": "А", "phone": "+79990000009"},
            }
            sent = client.post(url, body, content_type="application/json")
            assert sent.status_code in (404, 405), (url, "POST", sent.status_code)
            assert 404 in (got.status_code, sent.status_code), url  # its one method: not found
    theirs.refresh_from_db()
    entry.refresh_from_db()
    assert theirs.status == Appointment.Status.CONFIRMED
    assert entry.status == WaitlistEntry.Status.WAITING
