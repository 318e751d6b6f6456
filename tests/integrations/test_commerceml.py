"""The CommerceML exchange endpoint, driven over real HTTP by the 1C simulator's client role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.db import connection

import httpx
import pytest

from catalog.models import Service
from integrations.mis.demo import DemoMis
from integrations.simulators.onec.pricelist import price_list_files, push

USER, PASSWORD = "1c-exchange", "exchange-secret"
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def catalog():
    """The demo clinic's services, as the MIS sync leaves them."""
    Service.objects.bulk_create(
        Service(
            external_id=s.external_id,
            code=s.code,
            name=s.name,
            duration_minutes=s.duration_minutes,
            price=s.price,
            is_online=s.online,
        )
        for s in DemoMis(seed=2026).services()
    )
    return {s.code: s for s in DemoMis(seed=2026).services()}


@pytest.fixture
def endpoint(live_server, settings, tmp_path):
    settings.COMMERCEML_USER = USER
    settings.COMMERCEML_PASSWORD = PASSWORD
    settings.COMMERCEML_DIR = str(tmp_path / "exchange")
    settings.COMMERCEML_FILE_LIMIT = 8192
    return live_server.url + "/integrations/1c/exchange"


def row_versions() -> dict[int, str]:
    """PostgreSQL's xmin of every service row: it changes whenever a row is written."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM catalog_service")
        return dict(cursor.fetchall())


def prices() -> dict[str, Decimal]:
    return dict(Service.objects.values_list("external_id", "price"))


def unique_codes(catalog: dict, count: int) -> list[str]:
    codes = [s.code for s in DemoMis(seed=2026).services()]
    return [code for code in dict.fromkeys(codes) if codes.count(code) == 1][:count]


def test_a_price_list_pushed_in_parts_updates_only_the_changed_prices(catalog, endpoint):
    changed = unique_codes(catalog, 3)
    new_prices = {code: catalog[code].price + 150 for code in changed}
    files = price_list_files(
        prices=new_prices,
        extra_goods=(("Z99.999.999", "Услуга, которой нет на сайте", Decimal(990)),),
    )
    before = prices()
    services_before = Service.objects.count()

    result = push(endpoint, user=USER, password=PASSWORD, files=files)

    assert result.ok, result.answers
    # Two files of 25-40 kB in parts of at most file_limit (8 kB), appended.
    assert result.chunks >= 8
    assert ("init", "zip=no\nfile_limit=8192") in result.answers
    assert result.progress_answers >= 1  # the import ran in steps
    assert result.last.startswith("success\noffers.xml: updated 3, unchanged ")
    assert "unknown 1: Z99.999.999" in result.last
    after = prices()
    assert {k for k in after if after[k] != before[k]} == {f"sv-{code}" for code in changed}
    for code in changed:
        assert after[f"sv-{code}"] == new_prices[code]
    # Reported, not invented.
    assert Service.objects.count() == services_before
    assert not Service.objects.filter(code="Z99.999.999").exists()


def test_the_same_price_list_again_writes_nothing(catalog, endpoint):
    files = price_list_files(prices={unique_codes(catalog, 1)[0]: Decimal(4321)})
    assert push(endpoint, user=USER, password=PASSWORD, files=files).ok
    versions = row_versions()
    again = push(endpoint, user=USER, password=PASSWORD, files=files)
    assert again.ok
    assert "updated 0, unchanged " in again.last
    assert row_versions() == versions  # not one row rewritten


def test_a_wrong_password_is_a_failure_and_no_session(catalog, endpoint):
    result = push(endpoint, user=USER, password="wrong", files=price_list_files())
    assert not result.ok
    assert result.answers == [("checkauth", "failure\nwrong login or password")]
    # Without the session cookie nothing else is accepted either.
    for mode in ("init", "file", "import"):
        answer = httpx.post(
            endpoint,
            params={"type": "catalog", "mode": mode, "filename": "offers.xml"},
            content=b"<x/>",
            auth=(USER, PASSWORD),
            timeout=10,
        )
        assert answer.text.startswith("failure\n"), mode


@contextmanager
def _session(endpoint: str) -> Iterator[httpx.Client]:
    """A client past checkauth and init, its session cookie set."""
    client = httpx.Client(timeout=10)
    lines = client.get(
        endpoint, params={"type": "catalog", "mode": "checkauth"}, auth=(USER, PASSWORD)
    ).text.splitlines()
    assert lines[0] == "success"
    client.cookies.set(lines[1], lines[2])
    assert client.get(endpoint, params={"type": "catalog", "mode": "init"}).text.startswith(
        "zip=no"
    )
    try:
        yield client
    finally:
        client.close()


def _upload(client: httpx.Client, endpoint: str, name: str, content: bytes) -> None:
    answer = client.post(
        endpoint, params={"type": "catalog", "mode": "file", "filename": name}, content=content
    )
    assert answer.text == "success"


def _import(client: httpx.Client, endpoint: str, name: str) -> list[str]:
    params = {"type": "catalog", "mode": "import", "filename": name}
    for _ in range(5):
        answer = client.get(endpoint, params=params).text
        if not answer.startswith("progress"):
            return answer
    raise AssertionError("still in progress")


@pytest.mark.parametrize(
    ("corrupt", "reason"),
    [
        (lambda offers: offers[: len(offers) // 2], "offers.xml is not well-formed XML"),
        (
            lambda offers: offers.replace(
                "<ЦенаЗаЕдиницу>".encode(), "<ЦенаЗаЕдиницу>x".encode(), 5
            ),
            "is not a number",
        ),
    ],
    ids=["truncated", "bad-price"],
)
def test_a_corrupt_file_fails_with_its_reason_and_writes_nothing(
    catalog, endpoint, corrupt, reason
):
    files = price_list_files(prices={code: Decimal(1) for code in unique_codes(catalog, 10)})
    versions = row_versions()
    with _session(endpoint) as client:
        _upload(client, endpoint, "import.xml", files["import.xml"])
        assert _import(client, endpoint, "import.xml").startswith("success")
        _upload(client, endpoint, "offers.xml", corrupt(files["offers.xml"]))
        answer = _import(client, endpoint, "offers.xml")
    assert answer.startswith("failure\n")
    assert reason in answer
    assert row_versions() == versions


def test_offers_before_goods_and_unsafe_names_are_refused(catalog, endpoint):
    files = price_list_files()
    with _session(endpoint) as client:
        _upload(client, endpoint, "offers.xml", files["offers.xml"])
        assert _import(client, endpoint, "offers.xml") == (
            "failure\nimport.xml must be imported before offers.xml"
        )
        answer = client.post(
            endpoint,
            params={"type": "catalog", "mode": "file", "filename": "../../settings.py"},
            content=b"x",
        ).text
        assert answer.startswith("failure\nbad file name")
        assert _import(client, endpoint, "never-sent.xml") == (
            "failure\nnever-sent.xml was not uploaded"
        )
        for mode in ("complete", "deactivate"):
            assert client.get(endpoint, params={"type": "catalog", "mode": mode}).text == "success"
        assert client.get(endpoint, params={"type": "catalog", "mode": "drop"}).text == (
            "failure\nunknown mode 'drop'"
        )


def test_the_management_command_pushes_a_marked_up_price_list(catalog, endpoint):
    out = StringIO()
    call_command("onec_push_prices", url=endpoint, markup=Decimal(10), chunk_size=5000, stdout=out)
    assert "pushed in" in out.getvalue()
    single = unique_codes(catalog, 1)[0]
    service = Service.objects.get(external_id=f"sv-{single}")
    assert service.price == (catalog[single].price * Decimal("1.1")).quantize(Decimal(1))


@pytest.mark.parametrize("owns", [True, False])
def test_the_mis_sync_keeps_1cs_prices_when_the_price_list_owns_them(
    catalog, endpoint, settings, owns
):
    from catalog.sync import sync_catalog

    settings.COMMERCEML_OWNS_PRICES = owns
    code = unique_codes(catalog, 1)[0]
    files = price_list_files(prices={code: Decimal(7777)})
    assert push(endpoint, user=USER, password=PASSWORD, files=files).ok
    sync_catalog(adapter=DemoMis(seed=2026))
    price = Service.objects.get(external_id=f"sv-{code}").price
    assert price == (Decimal(7777) if owns else catalog[code].price)
