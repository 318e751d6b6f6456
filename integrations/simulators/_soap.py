"""Writing SOAP answers in the simulators: (name, value) pairs to XML elements.

A value that is a list of pairs becomes nested elements; dates, decimals and
booleans are written as XML Schema writes them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree


def xsd_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def append_elements(parent: etree._Element, content: list[tuple], namespace: str) -> None:
    for name, value in content:
        child = etree.SubElement(parent, f"{{{namespace}}}{name}")
        if isinstance(value, list):
            append_elements(child, value, namespace)
        else:
            child.text = xsd_text(value)
