"""Fuzz of every form of the site and every webhook: malformed values (huge
strings, NUL bytes, invalid UTF-8, wrong types, JSON nested deep, missing
fields, negative and huge numbers, impossible dates, odd Content-Type and
Content-Length) as a guest and as the logged-in patient, on the demo
clinic. No answer is a server error.

The endpoints that take a POST are found from the URL resolver: a new one
that is neither fuzzed here nor excluded with a reason fails
test_every_post_endpoint_is_fuzzed. FUZZ_EXAMPLES sets the examples per form
and caller (docs/testing.md).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from wagtail.models import Page

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking import services
from booking.links import manage_path, offer_path
from booking.models import WaitlistEntry
from cabinet.consent import services as consent
from integrations.lis import signing
from tests.consent import CONSENT
from tests.fuzz import EXAMPLES, demo_booking, undone

# --- What is fuzzed -------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """An endpoint and what it reads: the fields of its form (or body), the
    query parameters with values that lead somewhere, and its methods."""

    fields: tuple[str, ...] = ()
    query: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Values of fields that lead somewhere; "{}" is filled with a malformed value.
    good: dict[str, tuple[str, ...]] = field(default_factory=dict)
    methods: tuple[str, ...] = ("POST",)
    body: str = "form"  # "form" | "json" | "raw": what a well-behaved client sends


LOGIN = (
    "login_view-current_step",
    "auth-username",
    "auth-password",
    "token-otp_token",
    "backup-otp_token",
    "next",
)
PERSON = ("last_name", "first_name", "middle_name", "birth_date", "phone")
PASSWORDS = ("password1", "password2")
LOGIN_VALUES = {
    "login_view-current_step": ("auth", "token", "backup"),
    "auth-username": ("patient", "+79990000001", "{}"),
    "auth-password": ("demo-patient-2026", "{}"),
}
PERSON_VALUES = {"phone": ("+79990000001", "{}"), "birth_date": ("{}", "2020-01-01")}
KINDS = ("personal_data", "medical_data", "{}")
CHANGE = {
    "action": ("cancel", "reschedule", "revoke"),
    "start": ("{}", "2031-01-01T10:00:00+03:00"),
}
PAGE_QUERY = {
    "item": ("1", "2"),
    "calculate": ("1",),
    "branch": ("1",),
    "specialty": ("1",),
    "service": ("1",),
    "q": ("терапевт",),
    "page": ("1", "2"),
}

# Keys: the URL pattern's name (with its namespace), as the resolver has it.
FORMS: dict[str, Form] = {
    # The cabinet's forms.
    "cabinet:login": Form(LOGIN, good=LOGIN_VALUES),
    "staff-login": Form(LOGIN, good=LOGIN_VALUES),
    "cabinet:register": Form(("phone", "code", "restart", *PERSON, *PASSWORDS), good=PERSON_VALUES),
    "cabinet:password_reset": Form(("phone", "code", "restart", *PASSWORDS), good=PERSON_VALUES),
    "cabinet:logout": Form(),
    "cabinet:switch": Form(("patient",)),
    "cabinet:consent": Form(
        ("action", "agree", "code", "kind", "next"),
        query={"next": ("/",)},
        good={"action": ("send", "sign", "withdraw"), "agree": ("on",), "kind": KINDS},
    ),
    "cabinet:children": Form((*PERSON, "document", "relation"), good=PERSON_VALUES),
    "cabinet:notification_preferences": Form(
        ("results-sms", "results-email", "reminders-sms", "reminders-push", "news-email")
    ),
    "cabinet:appointment": Form(("action", "start"), good=CHANGE),
    "cabinet:home": Form(),
    "cabinet:notifications": Form(("page",), methods=("GET", "POST")),
    "two-factor-login-redirect": Form(LOGIN),
    # django-two-factor-auth's staff TOTP pages, mounted in the cabinet.
    "two_factor:setup": Form(("setup_view-current_step", "generator-token", "method-method")),
    "two_factor:backup_tokens": Form(),
    "two_factor:disable": Form(("understand",)),
    "two_factor:phone_create": Form(("phone_setup_view-current_step", "setup-number")),
    "two_factor:phone_delete": Form(),
    "two_factor:qr": Form(),
    "two_factor:setup_complete": Form(),
    "two_factor:profile": Form(),
    # The booking pages: the SMS manage link, the waitlist offer.
    "booking-manage": Form(("action", "start"), good=CHANGE),
    "booking-offer": Form(("action",)),
    # Wagtail's public forms: a private page's or document's password, its login.
    "wagtailcore_authenticate_with_password": Form(("password", "return_url")),
    "wagtaildocs_authenticate_with_password": Form(("password", "return_url")),
    "wagtailcore_login": Form(("username", "password", "next")),
    # Every page type of the site (the forms on pages are GET forms: the
    # check-up calculator, the doctor finder, sample collection).
    "clinic_pages_serve": Form(tuple(PAGE_QUERY), query=PAGE_QUERY, methods=("GET", "POST")),
    "search": Form(("q", "page"), query={"q": ("терапевт", "")}, methods=("GET",)),
    "booking-embed": Form(("doctor", "service"), query={"doctor": ("1",)}, methods=("GET",)),
    "healthz": Form(methods=("GET", "POST")),
    "sitemap": Form(("p",), query={"p": ("1", "2")}, methods=("GET", "POST")),
    "wagtaildocs_serve": Form(),
    # Webhooks and callbacks of the integrations.
    "integrations:sms-status": Form(
        ("data[]", "id", "phone", "status", "err", "time"),
        query={"key": ("",)},
        good={
            "data[]": ("sms_status\n{}\n103", "sms_status\n000-1\n{}", "sms_status\n{}"),
            "id": ("{}", "1"),
            "phone": ("{}", "79990000001"),
            "status": ("{}", "1", "-3"),
        },
    ),
    "integrations:commerceml-exchange": Form(
        ("filename",),
        query={
            "type": ("catalog",),
            "mode": ("checkauth", "init", "file", "import", "complete"),
            "filename": ("import.xml", "offers.xml"),
        },
        methods=("GET", "POST"),
        body="raw",
    ),
    "integrations:lis-results": Form(
        ("resourceType", "entry", "type", "id"),
        good={"resourceType": ("Bundle", "DiagnosticReport"), "type": ("collection", "{}")},
        body="json",
    ),
    # The API's POST bodies as raw bytes (the schema's fields are fuzzed by
    # tests/test_fuzz_api.py; here: what is not JSON, odd headers).
    "api-holds": Form(("doctor", "service", "start", "idempotency_key"), body="json"),
    "api-appointment-confirm": Form(("token", "patient", "for_person", "code"), body="json"),
    "api-appointment-phone-code": Form(("token", "phone"), body="json"),
    "api-appointment-cancel": Form(("token",), body="json"),
    "api-waitlist": Form(("doctor", "specialty", "phone", "last_name"), body="json"),
    "api-waitlist-leave": Form(("token",), body="json"),
}
# Endpoints that take a POST and are left out, with the reason.
EXCLUDED_PREFIXES = {
    "admin/": "Wagtail's admin: staff only, behind the staff login (fuzzed as staff-login)",
    "django-admin/": "Django's admin: staff only; its login goes to the staff login",
}


# --- Where each endpoint is, on the demo clinic ---------------------------


@pytest.fixture
def site(demo_clinic, settings):
    """The demo clinic, with what the endpoints' paths need: the demo
    patient's hold (consents signed) and confirmed booking (its SMS link),
    a waitlist offer, one live page of every page type; the webhooks
    configured."""
    settings.LIS_WEBHOOK_SECRETS = {"lab-a": "secret"}
    settings.COMMERCEML_USER, settings.COMMERCEML_PASSWORD = "1c", "exchange-secret"
    settings.SMS_CALLBACK_SECRET = ""
    booking = demo_booking(settings=settings)
    booked, offered = (
        services.hold_slot(doctor=booking.held.doctor, service=booking.held.service, start=start)
        for start in booking.free_starts[:2]
    )
    details = services.PatientDetails(last_name="Тестова", first_name="Анна", phone="+79990000005")
    patient = booking.held.patient
    booked = services.confirm(appointment=booked, patient=details, consent=CONSENT, user=patient)
    entry = WaitlistEntry.objects.create(
        doctor=booking.held.doctor,
        phone="+79990000006",
        last_name="Тестова",
        first_name="Мария",
        status=WaitlistEntry.Status.OFFERED,
        offer=offered,
        **CONSENT.fields(),
    )
    consent.sign(patient, consent.unsigned_documents(patient), request=RequestFactory().post("/"))
    pages = {}
    for page in Page.objects.live().filter(depth__gt=1).order_by("path"):
        if page.url:
            pages.setdefault(page.content_type_id, page.url)
    values = {
        "signed": manage_path(booked).split("/")[-2],
        "offer_signed": offer_path(entry).split("/")[-2],
        "public_id": str(booking.held.public_id),
        "booked_id": str(booked.public_id),
        "waitlist_id": str(entry.public_id),
        "lab": "lab-a",
    }
    return {"values": values, "pages": sorted(pages.values()), "held": booking.held}


def endpoints() -> list[tuple[str, str, object]]:
    """(name, route, pattern) of every URL pattern, as the resolver has them."""
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or prefix + str(pattern.pattern)
                qualified = f"{namespace}:{name}".lstrip(":") if pattern.name else name
                found.append((qualified, prefix + str(pattern.pattern), pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


SAMPLES = {"uuid": "public_id", "int": "1", "slug": "x", "str": "x", "path": "x"}


def paths_of(name: str, route: str, site) -> list[str]:
    """Concrete paths of a URL pattern on the demo clinic."""
    values = site["values"]
    if name in ("clinic_pages_serve", "wagtail_serve"):
        return site["pages"]
    if name == "integrations:sms-status":
        return [f"/integrations/sms/{gateway}/status" for gateway in ("smsru", "smsc")]
    if route.startswith("documents/^"):
        return ["/documents/1/x.pdf"]
    if "(?P<" in route:  # a regular expression (static files in development)
        return ["/" + re.sub(r"\(\?P<\w+>[^)]*\)", "x", route).replace("^", "").replace("$", "")]

    def value(match: re.Match) -> str:
        converter, kwarg = match.group(1) or "str", match.group(2)
        if name == "booking-offer":
            return values["offer_signed"]
        if name == "api-waitlist-leave":
            return values["waitlist_id"]
        if name == "cabinet:appointment":
            return values["booked_id"]
        if kwarg in values:
            return values[kwarg]
        sample = SAMPLES[converter]
        return values.get(sample, sample)

    return ["/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)]


def excluded(route: str, name: str) -> str | None:
    if name in FORMS:
        return None
    return next(
        (why for prefix, why in EXCLUDED_PREFIXES.items() if route.startswith(prefix)), None
    )


@pytest.fixture
def patient(site) -> Client:
    client = Client()
    client.force_login(site["held"].patient)  # both factors passed (tests/conftest.py)
    return client


def cookies_of(client: Client) -> dict[str, str]:
    return {key: morsel.value for key, morsel in client.cookies.items()}


def restore(client: Client, cookies: dict[str, str]) -> None:
    for key, value in cookies.items():
        client.cookies[key] = value


def _takes_post(answer) -> bool:
    """Not a 405, nor the login page a guest is sent to before the view."""
    login = reverse("cabinet:login")
    return answer.status_code != 405 and not answer.get("Location", "").startswith(login)


def test_every_post_endpoint_is_fuzzed(site, patient, client):
    """Every URL that takes a POST (as a guest or as the patient) is in FORMS
    or excluded with its reason."""
    missed = []
    session = cookies_of(patient)
    for name, route, _pattern in endpoints():
        if excluded(route, name):
            continue
        for path in paths_of(name, route, site)[:1]:
            if resolve(path.split("?")[0]).view_name != name:
                continue  # shadowed by a pattern before it: never reached
            restore(patient, session)  # after a logout
            with undone():
                takes_post = any(_takes_post(c.post(path)) for c in (client, patient))
            if takes_post and "POST" not in FORMS.get(name, Form(methods=())).methods:
                missed.append(f"{name}: {path}")
    assert not missed, "POST endpoints not fuzzed (add them to FORMS or EXCLUDED_PREFIXES):\n" + (
        "\n".join(missed)
    )


# --- Malformed values -----------------------------------------------------

NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\ud800",  # a lone surrogate: not encodable as UTF-8
            "-1",
            "0",
            "-99999999999999999999",
            "99999999999999999999999999999",
            "1e309",
            "NaN",
            "Infinity",
            "9999-12-31",
            "0000-00-00",
            "2026-02-30",
            "2026-13-01T25:61:61",
            "9999-12-31T23:59:59+03:00",
            "2031-01-01T10:00:00",
            "+79990000000",
            "+7 999 000-00-00",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../../../etc/passwd",
            "true",
            "null",
            "[]",
            "{}",
            "cancel",
            "reschedule",
            "revoke",
            "send",
            "sign",
            "withdraw",
            "personal_data",
            "token",
            "auth",
            "on",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.builds(lambda n: "я" * n, st.sampled_from([1000, 100_000])),
)
# Any JSON: wrong types, nested lists and objects, huge numbers.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | NASTY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NASTY, inner, max_size=4),
    max_leaves=12,
)
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-42",
    MULTIPART_CONTENT,
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=" + "x" * 200,
    "application/json",
    "application/json; charset=latin-1",
    "application/fhir+json",
    "text/xml",
    "text/plain",
    "application/octet-stream",
    "",
    "ä/ö",
]
# Content-Length values a client may send that do not match the body (a larger
# number than the body is left out: Django's test client cannot send one).
CONTENT_LENGTHS = ["abc", "-1", " ", "1e9", "0", "1", "0x10", "+5"]
INVALID_UTF8 = [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\xf4\x90\x80\x80"]


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    query: str
    body: bytes
    content_type: str
    headers: dict[str, str]


VALUE = NASTY | st.sampled_from(INVALID_UTF8) | st.binary(max_size=20)


def _good_or_not(good: tuple[str, ...]):
    """One of the values that lead somewhere, a malformed one inside, or a
    malformed one alone."""
    filled = st.tuples(st.sampled_from(good), NASTY).map(
        lambda pair: pair[0].replace("{}", pair[1])
    )
    return filled | VALUE


def _field_values(form: Form):
    names = st.sampled_from(form.fields) | NASTY if form.fields else NASTY
    values = st.dictionaries(names, st.lists(VALUE, min_size=1, max_size=3), max_size=6)
    good = st.fixed_dictionaries(
        {},
        optional={
            name: st.lists(_good_or_not(v), min_size=1, max_size=2) for name, v in form.good.items()
        },
    )
    return st.tuples(good, values).map(lambda pair: {**pair[1], **pair[0]})


def _encoded(data: dict) -> bytes:
    pairs = [(key, v) for key, values in data.items() for v in values]
    return urlencode(pairs, doseq=True, errors="surrogatepass").encode()


def _multipart(data: dict) -> bytes:
    text = {
        key.encode("utf-8", "replace").decode(): [
            v if isinstance(v, bytes) else v.encode("utf-8", "replace") for v in values
        ]
        for key, values in data.items()
    }
    flat = {key: [v.decode("utf-8", "replace") for v in values] for key, values in text.items()}
    return encode_multipart(BOUNDARY, flat)


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def malformed(draw, form: Form, paths: list[str]) -> Sent:
    method = draw(st.sampled_from(form.methods))
    path = draw(st.sampled_from(paths))
    query = {
        name: draw(st.sampled_from(good) | NASTY)
        for name, good in form.query.items()
        if draw(st.booleans())
    }
    extra = draw(st.dictionaries(NASTY, NASTY, max_size=2))
    query_string = urlencode({**extra, **query}, errors="surrogatepass")
    fields = draw(_field_values(form))
    # Mostly what the endpoint reads, well-formed on the outside.
    kind = draw(st.sampled_from([form.body] * 4 + ["form", "multipart", "json", "raw"]))
    if draw(st.integers(0, 19)) == 19:  # Hypothesis tries the small numbers first
        kind = "huge"
    if kind == "form":
        body, content_type = _encoded(fields), "application/x-www-form-urlencoded"
    elif kind == "multipart":
        body, content_type = _multipart(fields), MULTIPART_CONTENT
    elif kind == "json":
        fitting = {n: st.sampled_from(form.good.get(n, ("",))) | JSON for n in form.fields}
        shape = st.fixed_dictionaries({}, optional=fitting)
        body = _json(draw(shape | JSON))
        content_type = "application/json"
    elif kind == "huge":  # beyond DATA_UPLOAD_MAX_MEMORY_SIZE
        size = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440
        body = b"a=" + b"x" * (size + 1)
        content_type = "application/x-www-form-urlencoded"
    else:  # raw: bytes, as the 1C exchange's files
        body = draw(st.binary(max_size=200)) + draw(st.sampled_from(INVALID_UTF8))
        content_type = "application/octet-stream"
    if draw(st.integers(0, 4)) == 4:
        content_type = draw(st.sampled_from(CONTENT_TYPES))
    headers = {}
    if draw(st.integers(0, 9)) == 9:
        headers["CONTENT_LENGTH"] = draw(st.sampled_from(CONTENT_LENGTHS))
    if method == "GET":
        body, content_type = b"", ""
    return Sent(method, path, query_string, body, content_type, headers)


def _signed_for_the_lab(sent: Sent) -> Sent:
    """Half the LIS webhook's examples carry a valid signature, so the body
    reaches the Bundle reader."""
    timestamp = str(int(time.time()))
    headers = {
        **sent.headers,
        "HTTP_X_TIMESTAMP": timestamp,
        "HTTP_X_SIGNATURE": signing.signature(secret="secret", timestamp=timestamp, body=sent.body),
        "HTTP_X_EVENT_ID": f"fuzz-{len(sent.body)}",
    }
    return Sent(sent.method, sent.path, sent.query, sent.body, sent.content_type, headers)


def _exchange_session(client: Client) -> None:
    """The 1C exchange's session cookie, as after its checkauth step."""
    answer = client.get(
        "/integrations/1c/exchange",
        {"type": "catalog", "mode": "checkauth"},
        HTTP_AUTHORIZATION="Basic MWM6ZXhjaGFuZ2Utc2VjcmV0",  # 1c:exchange-secret
    )
    name, value = answer.content.decode().split("\n")[1:3]
    client.cookies[name] = value


def send(client: Client, sent: Sent):
    return client.generic(
        sent.method,
        f"{sent.path}?{sent.query}" if sent.query else sent.path,
        data=sent.body,
        content_type=sent.content_type,
        **sent.headers,
    )


FUZZED = sorted(FORMS)


@pytest.mark.parametrize("who", ["guest", "patient"])
@pytest.mark.parametrize("name", FUZZED)
def test_no_malformed_input_is_a_server_error(name, who, site, client, patient):
    form = FORMS[name]
    routes = {n: route for n, route, _ in endpoints()}
    assert name in routes, f"{name} is not a URL pattern's name any more"
    route = routes[name]
    paths = paths_of(name, route, site)
    caller = patient if who == "patient" else client
    if name == "integrations:commerceml-exchange":
        _exchange_session(caller)
    cookies = cookies_of(caller)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sent=malformed(form, paths), signed=st.booleans())
    def fuzz(sent, signed):
        if name == "integrations:lis-results" and signed:
            sent = _signed_for_the_lab(sent)
        restore(caller, cookies)  # a logout in the example before is undone
        with undone():
            answer = send(caller, sent)
        assert answer.status_code < 500, (sent, answer.content[:500])

    fuzz()
