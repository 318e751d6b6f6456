"""Flags and the plain-language interpretation: pure functions."""

from datetime import date
from decimal import Decimal

from django.utils import translation

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabinet.records import interpretation as i
from cabinet.records.reference_data import RANGES

GLUCOSE = [i.Band("", 18, 150, Decimal("3.9"), Decimal("5.5"), Decimal("2.5"), Decimal("25"))]
HB = [
    i.Band("female", 18, 150, Decimal(120), Decimal(150), Decimal(70), Decimal(200)),
    i.Band("male", 18, 150, Decimal(130), Decimal(170), Decimal(70), Decimal(200)),
    i.Band("", 1, 18, Decimal(115), Decimal(155), Decimal(70), Decimal(200)),
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_age_counts_whole_years():
    assert i.age_on(date(2016, 6, 1), date(2031, 5, 31)) == 14
    assert i.age_on(date(2016, 6, 1), date(2031, 6, 1)) == 15
    assert i.age_on(None, date(2031, 6, 1)) is None


def test_range_by_sex_and_age():
    adult_woman = i.limits_for(lab_low=None, lab_high=None, bands=HB, sex="female", age=40)
    adult_man = i.limits_for(lab_low=None, lab_high=None, bands=HB, sex="male", age=40)
    child = i.limits_for(lab_low=None, lab_high=None, bands=HB, sex="male", age=9)
    assert (adult_woman.low, adult_man.low, child.low) == (120, 130, 115)
    assert adult_woman.source == "clinic"
    # 125 g/L: normal for a woman, low for a man.
    assert i.flag(Decimal(125), adult_woman) == i.NORMAL
    assert i.flag(Decimal(125), adult_man) == i.LOW


def test_the_labs_range_wins_but_critical_limits_stay():
    limits = i.limits_for(
        lab_low=Decimal("4.1"), lab_high=Decimal("5.9"), bands=GLUCOSE, sex="female", age=40
    )
    assert (limits.low, limits.high, limits.source) == (Decimal("4.1"), Decimal("5.9"), "lab")
    assert i.flag(Decimal("5.7"), limits) == i.NORMAL  # above ours, inside the lab's
    assert i.flag(Decimal("30"), limits) == i.CRITICAL


def test_flags():
    limits = i.limits_for(lab_low=None, lab_high=None, bands=GLUCOSE, sex="", age=30)
    assert i.flag(Decimal("5.0"), limits) == i.NORMAL
    assert i.flag(Decimal("5.5"), limits) == i.NORMAL  # the limit itself is normal
    assert i.flag(Decimal("6.2"), limits) == i.HIGH
    assert i.flag(Decimal("3.1"), limits) == i.LOW
    assert i.flag(Decimal("2.1"), limits) == i.CRITICAL
    assert i.flag(None, limits) == i.UNKNOWN
    assert i.flag(Decimal(1), i.Limits()) == i.UNKNOWN


def test_interpretation_names_the_limit_and_the_percentage():
    limits = i.limits_for(lab_low=None, lab_high=None, bands=GLUCOSE, sex="", age=30)
    text = i.interpret(Decimal("6.16"), "mmol/L", limits)
    assert text.startswith("The value is above the upper limit of normal (5.5 mmol/L) by 12%.")
    low = i.interpret(Decimal("3.5"), "mmol/L", limits)
    assert "below the lower limit of normal (3.9 mmol/L) by 10%" in low
    assert "within the normal range (3.9–5.5 mmol/L)" in i.interpret(Decimal(5), "mmol/L", limits)
    assert "critical" in i.interpret(Decimal("27"), "mmol/L", limits)
    assert "no reference range" in i.interpret(Decimal(1), "", i.Limits())


def test_russian_numbers_use_a_decimal_comma():
    limits = i.limits_for(lab_low=None, lab_high=None, bands=GLUCOSE, sex="", age=30)
    with translation.override("ru"):
        assert "5,5 ммоль/л" in i.interpret(Decimal("6.16"), "ммоль/л", limits)


def test_seeded_table_is_consistent():
    for row in RANGES:
        _code, _name, _unit, _sex, age_from, age_to, low, high, crit_low, crit_high = row
        assert age_from < age_to
        if low is not None and high is not None:
            assert Decimal(low) < Decimal(high)
        if crit_low is not None and low is not None:
            assert Decimal(crit_low) < Decimal(low)
        if crit_high is not None and high is not None:
            assert Decimal(crit_high) > Decimal(high)


decimals = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)


@given(value=decimals, low=decimals, width=st.decimals(min_value="0.01", max_value=500, places=2))
def test_flag_agrees_with_the_band(value, low, width):
    high = low + width
    limits = i.Limits(low=low, high=high, source="lab")
    result = i.flag(value, limits)
    expected = i.LOW if value < low else i.HIGH if value > high else i.NORMAL
    assert result == expected
    text = i.interpret(value, "u", limits)
    assert ("above" in text) == (result == i.HIGH)
    assert ("below" in text) == (result == i.LOW)


@given(value=decimals, crit=st.decimals(min_value=1, max_value=500, places=1))
def test_critical_beats_everything_below_the_critical_limit(value, crit):
    limits = i.Limits(low=crit * 2, high=crit * 4, critical_low=crit)
    assert (i.flag(value, limits) == i.CRITICAL) == (value < crit)
