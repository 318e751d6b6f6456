"""Simulators of external systems: real servers speaking each system's protocol.

A simulator module registers its class with `@register("name")`; `registry()`
imports every module of this package, so a new simulator needs no other edit.
`manage.py simulate <name> --port N` serves one.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

_REGISTRY: dict[str, type[Any]] = {}


def register(name: str):
    def decorate(cls: type[Any]) -> type[Any]:
        _REGISTRY[name] = cls
        cls.system = name
        return cls

    return decorate


def registry() -> dict[str, type[Any]]:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(_REGISTRY.items()))
