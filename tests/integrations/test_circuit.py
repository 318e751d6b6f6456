"""The circuit breaker stops hammering a dead MIS, for every process at once."""

from datetime import date

import pytest

from integrations.circuit import CircuitBreaker, CircuitOpen
from integrations.mis import get_mis_adapter
from integrations.ports import MisUnavailable, SlotTaken
from integrations.simulators.medialog import MedialogSimulator
from tests.polling import wait_for


@pytest.fixture
def medialog(settings, tmp_path):
    simulator = MedialogSimulator(store=tmp_path / "medialog.sqlite3").start()
    settings.MIS_ADAPTER = "medialog"
    settings.MEDIALOG_URL = simulator.url
    settings.MEDIALOG_USER = "medialog"
    settings.MEDIALOG_PASSWORD = "medialog"  # noqa: S105 - the simulator's demo login
    settings.MEDIALOG_TIMEOUT = 1.0
    settings.CIRCUIT_FAILURES, settings.CIRCUIT_WINDOW, settings.CIRCUIT_COOLDOWN = 3, 60, 1
    yield simulator
    simulator.stop()


def test_open_after_failures_then_a_trial_closes_it(medialog):
    mis = get_mis_adapter()
    assert mis.ping().ok
    medialog.set_outage("503")
    for _ in range(3):
        with pytest.raises(MisUnavailable):
            mis.ping()
    assert mis.breaker.state == "open"
    medialog.set_outage(None)  # healthy again, but nobody asks it yet
    with pytest.raises(CircuitOpen):
        mis.doctors()
    # Another process (a fresh adapter and breaker) sees the same open circuit.
    with pytest.raises(CircuitOpen):
        get_mis_adapter().schedule(start=date.today(), end=date.today())
    wait_for(lambda: mis.breaker.state == "half-open", 5, "the cooldown")
    assert mis.ping().ok  # the trial call
    assert mis.breaker.state == "closed"
    assert mis.doctors()


def test_a_failed_trial_opens_it_again(medialog):
    mis = get_mis_adapter()
    medialog.set_outage("refused")
    for _ in range(3):
        with pytest.raises(MisUnavailable):
            mis.ping()
    wait_for(lambda: mis.breaker.state == "half-open", 5, "the cooldown")
    with pytest.raises(MisUnavailable):
        mis.ping()  # the trial fails
    assert mis.breaker.state == "open"


def test_business_answers_are_not_failures(settings):
    settings.CIRCUIT_FAILURES = 2
    breaker = CircuitBreaker.for_system("test-business")

    def taken():
        raise SlotTaken("the slot is taken")

    for _ in range(5):
        with pytest.raises(SlotTaken):
            breaker.call(taken)
    assert breaker.state == "closed"
