"""booking/slots.py: free slots from work, busy, breaks, duration, buffer, grid."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.slots import Interval, free_slots

DAY = datetime(2026, 12, 1, tzinfo=UTC)
MIN = timedelta(minutes=1)


def at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return DAY + timedelta(hours=hours, minutes=minutes)


def span(a: str, b: str, place: object = None) -> Interval:
    return Interval(at(a), at(b), place)


def starts(slots: list[Interval]) -> list[str]:
    return [f"{s.start:%H:%M}" for s in slots]


def test_grid_slots_fill_an_empty_shift():
    slots = free_slots(work=[span("09:00", "10:00")], duration=30 * MIN, grid=15 * MIN)
    assert starts(slots) == ["09:00", "09:15", "09:30"]
    assert all(s.end - s.start == 30 * MIN for s in slots)


def test_without_grid_slots_follow_back_to_back():
    slots = free_slots(work=[span("09:00", "10:40")], duration=30 * MIN)
    assert starts(slots) == ["09:00", "09:30", "10:00"]


def test_lunch_break_is_never_booked():
    slots = free_slots(
        work=[span("09:00", "18:00")],
        breaks=[span("13:00", "14:00")],
        duration=30 * MIN,
        grid=15 * MIN,
    )
    assert "12:30" in starts(slots)
    for banned in ("12:45", "13:00", "13:30", "13:45"):
        assert banned not in starts(slots)
    assert "14:00" in starts(slots)


def test_breaks_can_be_open_when_the_mis_says_so():
    slots = free_slots(
        work=[span("12:00", "15:00")],
        breaks=[span("13:00", "14:00")],
        duration=60 * MIN,
        grid=60 * MIN,
        breaks_block=False,
    )
    assert starts(slots) == ["12:00", "13:00", "14:00"]


def test_buffer_keeps_a_gap_on_both_sides_of_a_visit():
    slots = free_slots(
        work=[span("09:00", "12:00")],
        busy=[span("10:00", "10:30")],
        duration=30 * MIN,
        buffer=10 * MIN,
        grid=15 * MIN,
    )
    got = starts(slots)
    assert "09:15" in got  # ends 09:45, 15 min before the visit
    assert "09:30" not in got  # would end right at 10:00 with no buffer
    assert "10:30" not in got and "10:40" not in got
    assert "10:45" in got  # first grid point after 10:30 + 10 min


def test_forty_minute_service_never_starts_in_a_twenty_minute_gap():
    slots = free_slots(
        work=[span("10:00", "11:00")],
        busy=[span("10:00", "10:20"), span("10:40", "11:00")],
        duration=40 * MIN,
        grid=10 * MIN,
    )
    assert slots == []
    # The same gap does fit a 20-minute service.
    short = free_slots(
        work=[span("10:00", "11:00")],
        busy=[span("10:00", "10:20"), span("10:40", "11:00")],
        duration=20 * MIN,
        grid=10 * MIN,
    )
    assert starts(short) == ["10:20"]


def test_duration_longer_than_the_grid():
    slots = free_slots(work=[span("09:00", "10:00")], duration=45 * MIN, grid=15 * MIN)
    assert starts(slots) == ["09:00", "09:15"]


def test_grid_counts_from_the_shift_start():
    slots = free_slots(
        work=[span("08:10", "09:10")],
        busy=[span("08:10", "08:20")],
        duration=15 * MIN,
        grid=15 * MIN,
    )
    # 08:20 is off the shift's grid (08:10, 08:25, 08:40, ...).
    assert starts(slots) == ["08:25", "08:40", "08:55"]


def test_a_day_with_no_free_time():
    assert (
        free_slots(
            work=[span("09:00", "12:00")],
            busy=[span("09:00", "12:00")],
            duration=15 * MIN,
            grid=15 * MIN,
        )
        == []
    )
    assert free_slots(work=[], duration=15 * MIN) == []
    assert free_slots(work=[span("09:00", "09:20")], duration=30 * MIN) == []


def test_slots_in_the_past_are_not_offered():
    slots = free_slots(
        work=[span("09:00", "11:00")], duration=30 * MIN, grid=15 * MIN, not_before=at("09:50")
    )
    assert starts(slots)[0] == "10:00"


def test_slots_carry_the_branch_of_their_work_interval():
    slots = free_slots(
        work=[span("09:00", "09:30", "msk"), span("15:00", "15:30", "ekb")], duration=30 * MIN
    )
    assert [s.place for s in slots] == ["msk", "ekb"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"duration": timedelta(0)},
        {"duration": 30 * MIN, "buffer": -MIN},
    ],
)
def test_nonsense_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        free_slots(work=[span("09:00", "10:00")], **kwargs)


# --- property: the fast algorithm equals a brute-force reading of the rules ---

minutes = st.integers(min_value=0, max_value=24 * 60)


@st.composite
def intervals(draw, max_size):
    result = []
    for _ in range(draw(st.integers(0, max_size))):
        a = draw(minutes)
        b = draw(st.integers(min_value=a + 1, max_value=a + 240))
        result.append(Interval(DAY + a * MIN, DAY + b * MIN))
    return result


@st.composite
def work_intervals(draw):
    # A doctor is in one place at a time: work intervals don't overlap.
    points = sorted(set(draw(st.lists(minutes, min_size=2, max_size=6))))
    pairs = list(zip(points[::2], points[1::2], strict=False))
    return [Interval(DAY + a * MIN, DAY + b * MIN) for a, b in pairs]


def brute_force(work, busy, breaks, duration, buffer, grid, breaks_block):
    step = grid or duration
    found = set()
    for shift in work:
        start = shift.start
        while start + duration <= shift.end:
            end = start + duration
            clash_busy = any(start < b.end + buffer and b.start - buffer < end for b in busy)
            clash_break = breaks_block and any(start < b.end and b.start < end for b in breaks)
            if not clash_busy and not clash_break:
                found.add(start)
            start += step
    return sorted(found)


@settings(max_examples=300, deadline=None)
@given(
    work=work_intervals(),
    busy=intervals(6),
    breaks=intervals(2),
    duration=st.integers(5, 120).map(lambda m: m * MIN),
    buffer=st.integers(0, 15).map(lambda m: m * MIN),
    grid=st.sampled_from([None, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN]),
    breaks_block=st.booleans(),
)
def test_free_slots_match_the_rules(work, busy, breaks, duration, buffer, grid, breaks_block):
    slots = free_slots(
        work=work,
        busy=busy,
        breaks=breaks,
        duration=duration,
        buffer=buffer,
        grid=grid,
        breaks_block=breaks_block,
    )
    assert [s.start for s in slots] == brute_force(
        work, busy, breaks, duration, buffer, grid, breaks_block
    )
    for slot in slots:
        assert slot.end - slot.start == duration
        assert any(w.start <= slot.start and slot.end <= w.end for w in work)
