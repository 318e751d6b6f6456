"""Each MIS adapter against its simulator: the one way tests build "a MIS under test".

`SYSTEMS` names every configuration the conformance suite runs (a system and
the knobs of its simulator); `MisUnderTest` is an adapter wired to its
running simulator, with the simulator's outages; `adapter_for()` connects an
adapter to a running simulator; `aim_settings()` points the site's settings
at one. Simulators are started once per module (the `mis_systems` fixture in
conftest.py) and reset between tests, so each test starts from the reference
clinic.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from integrations.mis.demo import DemoMis
from integrations.mis.fhir import FhirMis
from integrations.mis.infoclinica import InfoclinicaMis
from integrations.mis.medialog import MedialogMis
from integrations.mis.n3 import N3Mis
from integrations.mis.onec import OnecMis
from integrations.ports import MisAdapter
from integrations.simulators import registry
from integrations.simulators.onec import ROOT as ONEC_ROOT

SEED = 2026
# The adapters' timeout in tests: generous, as a busy machine (two test
# workers on two cores) answers slowly. The outage test gives its adapter
# OUTAGE_TIMEOUT, and every call must give up within it.
TIMEOUT = 5.0
OUTAGE_TIMEOUT = 1.0

# A configuration's name -> (the system, its simulator's knobs).
SYSTEMS: dict[str, tuple[str, dict[str, Any]]] = {
    "demo": ("demo", {}),
    "medialog": ("medialog", {}),
    # The same MIS installed in Yekaterinburg: its wall clock is UTC+5 and it
    # answers in cp1251.
    "medialog-ekb-cp1251": (
        "medialog",
        {"time_zone": "Asia/Yekaterinburg", "encoding": "windows-1251"},
    ),
    "infoclinica": ("infoclinica", {}),
    # Its server in Yekaterinburg, its clock 20 minutes fast: the token's
    # timestamp must follow the server's clock, times each branch's own.
    "infoclinica-ekb-skewed": (
        "infoclinica",
        {"time_zone": "Asia/Yekaterinburg", "clock_skew": 1200},
    ),
    "onec": ("onec", {}),
    # A 1C base kept on Yekaterinburg time: every branch's times on that clock.
    "onec-ekb": ("onec", {"time_zone": "Asia/Yekaterinburg"}),
    "fhir": ("fhir", {}),
    # A server writing its instants with +05:00 offsets; the adapter shows Moscow time.
    "fhir-offsets-ekb": ("fhir", {"time_zone": "Asia/Yekaterinburg"}),
    # A server that answers writes with no body (Prefer ignored), refuses chained
    # searches and checks If-Match against its W/"n" ETags.
    "fhir-minimal": (
        "fhir",
        {"minimal": True, "ignore_prefer": True, "chained_search": False, "etags": True},
    ),
    "n3": ("n3", {}),
    # The hub of a region on UTC+5: its wall clock is Yekaterinburg's.
    "n3-ekb": ("n3", {"time_zone": "Asia/Yekaterinburg"}),
}

ADAPTERS: dict[str, type] = {
    "medialog": MedialogMis,
    "infoclinica": InfoclinicaMis,
    "onec": OnecMis,
    "fhir": FhirMis,
    "n3": N3Mis,
}

# How each adapter logs in to its simulator (the simulators' demo credentials).
_CONNECTIONS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "medialog": lambda sim: {
        "url": sim.url,
        "user": sim.knobs.user,
        "password": sim.knobs.password,
        "time_zone": sim.knobs.time_zone,
    },
    "infoclinica": lambda sim: {
        "url": sim.url,
        "client_id": sim.client_id,
        "client_key": sim.client_key,
        "time_zone": sim.knobs.time_zone,
    },
    "onec": lambda sim: {
        "url": sim.url + ONEC_ROOT,
        "user": sim.user,
        "password": sim.password,
        "time_zone": sim.knobs.time_zone,
    },
    # A FHIR server writes offsets with its instants: the adapter needs no zone.
    "fhir": lambda sim: {"url": sim.url, "token": sim.knobs.token},
    "n3": lambda sim: {
        "url": sim.url,
        "guid": sim.knobs.guid,
        "fhir_url": sim.fhir_url,
        "time_zone": sim.knobs.time_zone,
    },
}

# The same login with the secret wrong.
WRONG_SECRETS: dict[str, dict[str, str]] = {
    "medialog": {"password": "not-the-password"},
    "infoclinica": {"client_key": "not-the-key"},
    "onec": {"password": "not-the-password"},
    "fhir": {"token": "not-the-token"},
    "n3": {"guid": "00000000-0000-0000-0000-000000000000"},
}

# The site's settings that aim the factory at a system: (prefix, keyword -> setting).
_SETTINGS: dict[str, dict[str, str]] = {
    "medialog": {"url": "MEDIALOG_URL", "user": "MEDIALOG_USER", "password": "MEDIALOG_PASSWORD"},
    "infoclinica": {
        "url": "INFOCLINICA_URL",
        "client_id": "INFOCLINICA_CLIENT_ID",
        "client_key": "INFOCLINICA_CLIENT_KEY",
    },
    "onec": {"url": "ONEC_URL", "user": "ONEC_USER", "password": "ONEC_PASSWORD"},
}


def adapter_for(simulator: Any, **overrides: Any) -> MisAdapter:
    """The system's adapter logged in to this running simulator (TIMEOUT unless overridden)."""
    options = {**_CONNECTIONS[simulator.system](simulator), "timeout": TIMEOUT, **overrides}
    return ADAPTERS[simulator.system](**options)


def aim_settings(settings: Any, simulator: Any, *, timeout: float = TIMEOUT) -> None:
    """Point get_mis_adapter() at this running simulator."""
    system = simulator.system
    settings.MIS_ADAPTER = system
    connection = _CONNECTIONS[system](simulator)
    for keyword, name in _SETTINGS[system].items():
        setattr(settings, name, connection[keyword])
    setattr(settings, f"{system.upper()}_TIMEOUT", timeout)


def start_simulator(system: str, **knobs: Any) -> Any:
    """The system's simulator on a free loopback port, in its own temporary store."""
    return registry()[system](**knobs).start()


@dataclass
class MisUnderTest:
    """An adapter wired to its running simulator (none for the in-process demo MIS)."""

    name: str
    system: str
    simulator: Any = None
    adapter: MisAdapter = field(init=False)
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)
    _resets: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.simulator is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="demo-mis-")
        self.adapter = self._connect()

    def _connect(self) -> MisAdapter:
        if self.simulator is None:
            store = Path(self._tmp.name) / f"demo-mis-{self._resets}.sqlite3"
            return DemoMis(seed=SEED, store=store)
        return adapter_for(self.simulator)

    def reset(self) -> None:
        """The reference clinic again, and a fresh adapter (no cached token or id)."""
        self._resets += 1
        if self.simulator is not None:
            self.simulator.reset()
        self.adapter = self._connect()

    def close(self) -> None:
        if self.simulator is not None:
            self.simulator.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def take_by_phone(self, **interval: Any) -> object:
        if self.simulator is None:
            return self.adapter.book_by_phone(**interval)
        return self.simulator.take_by_phone(**interval)

    @property
    def outages(self) -> dict[str, tuple[Callable[[], None], Callable[[], None]]]:
        """Outage name -> (switch it on, switch it off)."""
        if self.simulator is None:
            adapter = self.adapter
            return {
                "down": (
                    lambda: setattr(adapter, "outage", True),
                    lambda: setattr(adapter, "outage", False),
                )
            }
        simulator = self.simulator
        return {
            "503": (lambda: simulator.set_outage("503"), lambda: simulator.set_outage("")),
            "refused": (lambda: simulator.set_outage("refused"), lambda: simulator.set_outage("")),
            "slow": (
                lambda: simulator.set_knobs(latency=OUTAGE_TIMEOUT * 3),
                lambda: simulator.set_knobs(latency=0.0),
            ),
        }

    def wrong_password(self) -> MisAdapter | None:
        """A second adapter to the same system with a wrong secret; None: no auth."""
        if self.simulator is None:
            return None
        return adapter_for(self.simulator, **WRONG_SECRETS[self.system])


def under_test(name: str) -> MisUnderTest:
    """The configuration `name` of SYSTEMS, its simulator started."""
    system, knobs = SYSTEMS[name]
    simulator = None if system == "demo" else start_simulator(system, **knobs)
    return MisUnderTest(name=name, system=system, simulator=simulator)


class RunningSystems:
    """The configurations a test module uses, each started on first use and kept."""

    def __init__(self) -> None:
        self._running: dict[str, MisUnderTest] = {}

    def get(self, name: str) -> MisUnderTest:
        """The configuration, reset to the reference clinic."""
        if name not in self._running:
            self._running[name] = under_test(name)
        else:
            self._running[name].reset()
        return self._running[name]

    def close(self) -> None:
        for running in self._running.values():
            running.close()
        self._running.clear()


def http_status(url: str) -> int | None:
    """The HTTP status a GET of `url` answers, None while nothing listens there."""
    try:
        return httpx.get(url, timeout=1).status_code
    except httpx.TransportError:
        return None
