"""MIS adapters, one module per system, and the registry that picks one by MIS_ADAPTER."""

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.circuit import GuardedMis
from integrations.ports import MisAdapter

# MIS_ADAPTER -> the adapter class. Each class names the settings it is built
# from in SETTINGS (its keyword -> the setting); imported only when chosen, as
# some of them bring a SOAP or FHIR stack with them.
ADAPTERS = {
    "demo": "integrations.mis.demo.DemoMis",
    "medialog": "integrations.mis.medialog.MedialogMis",
    "infoclinica": "integrations.mis.infoclinica.InfoclinicaMis",
    "onec": "integrations.mis.onec.OnecMis",
    "fhir": "integrations.mis.fhir.FhirMis",
    "n3": "integrations.mis.n3.N3Mis",
    "renovatio": "integrations.mis.renovatio.RenovatioMis",
    "archimed": "integrations.mis.archimed.ArchimedMis",
    "bit_umc": "integrations.mis.bit_umc.BitUmcMis",
}


def get_mis_adapter() -> MisAdapter:
    """The adapter named by settings.MIS_ADAPTER behind its circuit breaker (one
    instance per configuration and process: building one costs a generated
    directory or a WSDL download)."""
    name = settings.MIS_ADAPTER
    options = {
        keyword: getattr(settings, setting)
        for keyword, setting in adapter_class(name).SETTINGS.items()
    }
    return GuardedMis(_adapter(name, tuple(sorted(options.items()))))


def adapter_class(name: str) -> Any:
    """The class registered for `name`; ValueError for a name nobody registered."""
    try:
        path = ADAPTERS[name]
    except KeyError:
        known = ", ".join(ADAPTERS)
        raise ValueError(f"Unknown MIS_ADAPTER {name!r}; known: {known}.") from None
    return import_string(path)


@lru_cache(maxsize=8)
def _adapter(name: str, options: tuple[tuple[str, Any], ...]) -> MisAdapter:
    return adapter_class(name)(**dict(options))
