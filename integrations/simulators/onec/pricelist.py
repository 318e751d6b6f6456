"""1C as the CommerceML client: generate the demo clinic's price list and push it to the site.

`price_list_files()` writes import.xml (Классификатор, Каталог/Товары) and
offers.xml (ПакетПредложений/ТипыЦен, Предложения/Цены) from the demo MIS's
services, the nomenclature code in Артикул; `push()` plays 1C's exchange:
checkauth (HTTP Basic), init, each file in parts of at most `file_limit`
bytes, then `import` for each file, repeated while the site says "progress".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import httpx
from lxml import etree

from integrations.mis.demo import DemoMis

NS = "urn:1C.ru:commerceml_2"
PRICE_TYPE_ID = "bd72d90e-55bc-11d9-848a-00112f43529a"
PRICE_TYPE_NAME = "Розничная"


def _id(*parts: str) -> str:
    """A stable 1C-style GUID for a thing of the demo clinic."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "onec-sim:" + ":".join(parts)))


def _node(parent: etree._Element, name: str, text: str | None = None, **attributes: str):
    child = etree.SubElement(parent, f"{{{NS}}}{name}", attributes)
    if text is not None:
        child.text = text
    return child


def _document() -> etree._Element:
    return etree.Element(
        f"{{{NS}}}КоммерческаяИнформация",
        {
            "ВерсияСхемы": "2.05",
            "ДатаФормирования": datetime.now().replace(microsecond=0).isoformat(),
        },
        nsmap={None: NS},
    )


def price_list_files(
    *,
    seed: int = 2026,
    prices: dict[str, Decimal] | None = None,
    extra_goods: tuple[tuple[str, str, Decimal], ...] = (),
) -> dict[str, bytes]:
    """{"import.xml": ..., "offers.xml": ...} of the demo clinic's services.

    prices: nomenclature code -> price, overriding the MIS's;
    extra_goods: (code, name, price) that the clinic's catalog does not have.
    """
    # (1C's key of the good, Артикул, name, price); 1C keys each service apart,
    # while a visit and its telemedicine variant share the nomenclature code.
    goods = [
        (s.external_id, s.code, s.name, (prices or {}).get(s.code, s.price))
        for s in DemoMis(seed=seed).services()
    ] + [(code, code, name, price) for code, name, price in extra_goods]

    catalog_doc = _document()
    classifier = _node(catalog_doc, "Классификатор")
    _node(classifier, "Ид", _id("classifier"))
    _node(classifier, "Наименование", "Классификатор (Медицинские услуги)")
    catalog = _node(catalog_doc, "Каталог", СодержитТолькоИзменения="false")
    _node(catalog, "Ид", _id("catalog"))
    _node(catalog, "ИдКлассификатора", _id("classifier"))
    _node(catalog, "Наименование", "Каталог медицинских услуг")
    products = _node(catalog, "Товары")
    for key, code, name, _price in goods:
        product = _node(products, "Товар")
        _node(product, "Ид", _id("good", key))
        _node(product, "Артикул", code)
        _node(product, "Наименование", name)
        _node(product, "БазоваяЕдиница", "усл", Код="796", НаименованиеПолное="Услуга")

    offers_doc = _document()
    package = _node(offers_doc, "ПакетПредложений", СодержитТолькоИзменения="false")
    _node(package, "Ид", _id("catalog") + "#")
    _node(package, "Наименование", "Пакет предложений")
    _node(package, "ИдКаталога", _id("catalog"))
    _node(package, "ИдКлассификатора", _id("classifier"))
    price_types = _node(package, "ТипыЦен")
    price_type = _node(price_types, "ТипЦены")
    _node(price_type, "Ид", PRICE_TYPE_ID)
    _node(price_type, "Наименование", PRICE_TYPE_NAME)
    _node(price_type, "Валюта", "RUB")
    offers = _node(package, "Предложения")
    for key, _code, name, price in goods:
        offer = _node(offers, "Предложение")
        _node(offer, "Ид", _id("good", key))
        _node(offer, "Наименование", name)
        price_list = _node(_node(offer, "Цены"), "Цена")
        _node(price_list, "Представление", f"{price} RUB за усл")
        _node(price_list, "ИдТипаЦены", PRICE_TYPE_ID)
        _node(price_list, "ЦенаЗаЕдиницу", format(Decimal(price), "f"))
        _node(price_list, "Валюта", "RUB")
        _node(price_list, "Единица", "усл")
        _node(price_list, "Коэффициент", "1")

    return {
        "import.xml": etree.tostring(catalog_doc, encoding="utf-8", xml_declaration=True),
        "offers.xml": etree.tostring(offers_doc, encoding="utf-8", xml_declaration=True),
    }


@dataclass
class PushResult:
    ok: bool
    answers: list[tuple[str, str]] = field(default_factory=list)  # (request, answer text)
    chunks: int = 0
    progress_answers: int = 0

    @property
    def last(self) -> str:
        return self.answers[-1][1] if self.answers else ""


def push(
    url: str,
    *,
    user: str,
    password: str,
    files: dict[str, bytes],
    chunk_size: int | None = None,
    timeout: float = 30.0,
    max_polls: int = 50,
) -> PushResult:
    """Play 1C's catalog exchange against the site's endpoint `url`."""
    result = PushResult(ok=False)
    with httpx.Client(timeout=timeout) as client:

        def call(mode: str, *, filename: str = "", body: bytes | None = None, **kw) -> str:
            params = {"type": "catalog", "mode": mode}
            if filename:
                params["filename"] = filename
            response = client.request(
                "POST" if body is not None else "GET",
                url,
                params=params,
                content=body,
                headers={"Content-Type": "application/octet-stream"} if body is not None else {},
                **kw,
            )
            text = response.text
            result.answers.append((f"{mode} {filename}".strip(), text))
            return text

        answer = call("checkauth", auth=(user, password)).splitlines()
        if not answer or answer[0] != "success":
            return result
        cookie_name, cookie_value = answer[1], answer[2]
        client.cookies.set(cookie_name, cookie_value)
        init = dict(line.split("=", 1) for line in call("init").splitlines() if "=" in line)
        limit = int(init.get("file_limit") or 0) or len(max(files.values(), key=len)) or 1
        if chunk_size:
            limit = min(limit, chunk_size)
        for name, content in files.items():
            for offset in range(0, max(len(content), 1), limit):
                result.chunks += 1
                if call("file", filename=name, body=content[offset : offset + limit]).splitlines()[
                    :1
                ] != ["success"]:
                    return result
        for name in files:
            for _ in range(max_polls):
                state = call("import", filename=name).splitlines()[:1]
                if state == ["progress"]:
                    result.progress_answers += 1
                    continue
                break
            if state != ["success"]:
                return result
    result.ok = True
    return result
