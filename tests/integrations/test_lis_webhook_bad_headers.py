"""The LIS webhook answers a header it cannot read with a 400, never a 500."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["abc", "-", "1e9", " "])
def test_an_unreadable_content_length_is_a_400(client, settings, length):
    settings.LIS_WEBHOOK_SECRETS = {"lab-a": "secret"}
    answer = client.post(
        "/integrations/lis/lab-a/results",
        b"{}",
        content_type="application/fhir+json",
        CONTENT_LENGTH=length,
    )
    assert answer.status_code == 400, answer.content
    assert "Content-Length" in answer.json()["error"]
