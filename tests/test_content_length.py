"""A Content-Length that is not a length is a 400 on every form, not the
server error Django's request.POST raised on it (found by tests/test_fuzz_forms.py)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["abc", "0x10", "+5", "1e9", "²", "-1"])
@pytest.mark.parametrize("path", ["/cabinet/login/", "/cabinet/register/"])
def test_an_unreadable_content_length_is_a_400(client, path, length):
    answer = client.post(
        path,
        b"phone=%2B79990000001",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=length,
    )
    assert answer.status_code == 400
    assert answer.json() == {"error": "Content-Length is not a number"}


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["", " 20 ", "20"])
def test_a_readable_or_missing_content_length_reaches_the_form(client, length):
    answer = client.post(
        "/cabinet/register/",
        b"phone=%2B79990000001",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=length,
    )
    assert answer.status_code in (200, 302)
