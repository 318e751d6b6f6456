"""The consent gate: no medical data before the current versions are signed
(with an SMS code); a withdrawal closes access again; a new version asks again."""

import hashlib
from datetime import timedelta

from django.utils import timezone

import pytest

from cabinet.consent.models import ConsentDocument, ConsentSignature, ConsentWithdrawal
from tests.cabinet.conftest import last_code, verified_login

pytestmark = pytest.mark.django_db


def sign_through_the_page(client, next_url):
    url = f"/cabinet/consent/?next={next_url}"
    page = client.get(url).content.decode()
    assert "Синтетический текст согласия" in page
    client.post(url, {"action": "send", "agree": "1", "next": next_url})
    code = last_code("+79990000001", "consent_code")
    return client.post(url, {"action": "sign", "code": code, "next": next_url})


def test_medical_data_opens_only_after_signing_and_closes_on_withdrawal(
    client, patient_user, consent_documents, probe
):
    verified_login(client, patient_user)
    response = client.get(probe)
    assert response.status_code == 302
    assert response["Location"].startswith("/cabinet/consent/?next=")

    # A wrong code signs nothing.
    client.post("/cabinet/consent/", {"action": "send", "agree": "1"})
    client.post("/cabinet/consent/", {"action": "sign", "code": "12345x"})
    assert not ConsentSignature.objects.exists()
    assert client.get(probe).status_code == 302

    response = sign_through_the_page(client, probe)
    assert response.status_code == 302 and response["Location"] == probe
    assert client.get(probe).content == b"record of pt-demo-0001"

    signatures = ConsentSignature.objects.filter(user=patient_user)
    assert {s.document.kind for s in signatures} == set(ConsentDocument.Kind.values)
    for signature in signatures:
        assert signature.document.version == 1
        assert signature.ip_address == "127.0.0.1"
        assert signature.phone == "+79990000001"
        assert signature.text_sha256 == hashlib.sha256(signature.document.text.encode()).hexdigest()
        assert timezone.now() - signature.signed_at < timedelta(minutes=1)

    client.post(
        "/cabinet/consent/", {"action": "withdraw", "kind": "medical_data"}, REMOTE_ADDR="10.1.2.3"
    )
    withdrawal = ConsentWithdrawal.objects.get()
    assert withdrawal.kind == "medical_data" and withdrawal.ip_address == "10.1.2.3"
    assert client.get(probe).status_code == 302  # closed again


def test_a_new_version_must_be_signed_again(client, patient_user, consent_documents, probe, rf):
    from tests.cabinet.conftest import sign_all

    sign_all(patient_user, consent_documents, rf)
    verified_login(client, patient_user)
    assert client.get(probe).status_code == 200
    ConsentDocument.objects.create(
        kind="personal_data",
        version=2,
        title="Согласие, ред. 2",
        text="Новая редакция.",
        published_at=timezone.now() - timedelta(seconds=1),
    )
    assert client.get(probe).status_code == 302
    # A version published in the future does not count yet.
    ConsentDocument.objects.create(
        kind="medical_data",
        version=2,
        title="Будущая редакция",
        text="Позже.",
        published_at=timezone.now() + timedelta(days=3),
    )
    page = client.get("/cabinet/consent/").content.decode()
    assert "Новая редакция" in page and "Позже" not in page


def test_without_published_texts_nothing_opens(client, patient_user, probe):
    verified_login(client, patient_user)
    assert client.get(probe).status_code == 302
