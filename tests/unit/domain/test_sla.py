"""Tests of working days and SLA due dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disdukcapil_desk.domain.errors import CatalogueError
from disdukcapil_desk.domain.sla import HolidayCalendar, load_holidays, parse_holidays

D = dt.date
NO_HOLIDAYS = HolidayCalendar(())
PROPERTY = settings(max_examples=150, deadline=None, database=None)
COVERED = st.dates(min_value=D(2023, 12, 1), max_value=D(2027, 12, 31))


def naive_working_days(calendar: HolidayCalendar, start: dt.date, end: dt.date) -> int:
    """Count working days in (start, end] one by one."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


# --- the real holiday file ------------------------------------------------------------------


def test_real_holidays_cover_2024_to_2027(holiday_calendar: HolidayCalendar) -> None:
    assert holiday_calendar.years == frozenset({2024, 2025, 2026, 2027})
    for year in range(2024, 2028):
        assert D(year, 8, 17) in holiday_calendar.holidays
        assert D(year, 1, 1) in holiday_calendar.holidays
        assert D(year, 12, 25) in holiday_calendar.holidays
    assert len(holiday_calendar.holidays) > 80


def test_holiday_names(holiday_calendar: HolidayCalendar) -> None:
    assert holiday_calendar.holiday_name(D(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert "Cuti Bersama" in (holiday_calendar.holiday_name(D(2025, 4, 7)) or "")
    assert holiday_calendar.holiday_name(D(2026, 8, 18)) is None


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 8, 17), False),  # Monday, Hari Kemerdekaan
        (D(2026, 8, 18), True),
        (D(2025, 8, 18), False),  # extra holiday for the 80th anniversary
        (D(2025, 4, 7), False),  # Monday, cuti bersama Idul Fitri
        (D(2025, 4, 8), True),
        (D(2026, 3, 20), False),  # Friday, cuti bersama Idul Fitri
        (D(2025, 1, 4), False),  # Saturday
        (D(2025, 1, 5), False),  # Sunday
        (D(2025, 1, 6), True),
    ],
)
def test_is_working_day(holiday_calendar: HolidayCalendar, day: dt.date, working: bool) -> None:
    assert holiday_calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2025, 1, 6), 1, D(2025, 1, 7)),  # Monday → Tuesday
        (D(2025, 1, 8), 3, D(2025, 1, 13)),  # Wednesday + 3 crosses the weekend
        (D(2025, 1, 10), 1, D(2025, 1, 13)),  # Friday → Monday
        (D(2025, 1, 4), 1, D(2025, 1, 6)),  # received Saturday → Monday
        (D(2026, 8, 14), 1, D(2026, 8, 18)),  # Friday, Monday 17 Aug is a holiday
        (D(2024, 8, 16), 1, D(2024, 8, 19)),  # 17 Aug 2024 is a Saturday anyway
        (D(2025, 3, 27), 1, D(2025, 4, 8)),  # Nyepi + Idul Fitri + cuti bersama 2025
        (D(2025, 3, 27), 3, D(2025, 4, 10)),
        (D(2026, 3, 17), 1, D(2026, 3, 25)),  # Nyepi + Idul Fitri + cuti bersama 2026
        (D(2024, 4, 5), 1, D(2024, 4, 16)),  # Idul Fitri 2024 with cuti bersama
        (D(2025, 12, 24), 1, D(2025, 12, 29)),  # Natal + cuti bersama
    ],
)
def test_add_working_days(
    holiday_calendar: HolidayCalendar, start: dt.date, days: int, due: dt.date
) -> None:
    assert holiday_calendar.add_working_days(start, days) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (D(2025, 1, 6), D(2025, 1, 6)),  # a working day: the same day
        (D(2025, 1, 4), D(2025, 1, 6)),  # Saturday: the next working day
        (D(2026, 8, 17), D(2026, 8, 18)),  # holiday: the next working day
    ],
)
def test_zero_days(holiday_calendar: HolidayCalendar, start: dt.date, due: dt.date) -> None:
    assert holiday_calendar.add_working_days(start, 0) == due


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        NO_HOLIDAYS.add_working_days(D(2025, 1, 6), -1)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (D(2025, 1, 6), D(2025, 1, 6), 0),
        (D(2025, 1, 6), D(2025, 1, 10), 4),  # Monday → Friday
        (D(2025, 1, 10), D(2025, 1, 13), 1),  # Friday → Monday
        (D(2025, 1, 11), D(2025, 1, 12), 0),  # Saturday → Sunday
        (D(2025, 1, 13), D(2025, 1, 10), -1),  # reversed: negative
        (D(2025, 3, 27), D(2025, 4, 8), 1),  # across Idul Fitri 2025
        (D(2025, 4, 8), D(2025, 3, 27), -1),
        (D(2024, 12, 31), D(2025, 1, 31), 19),  # 23 weekdays less 4 holidays
    ],
)
def test_working_days_between(
    holiday_calendar: HolidayCalendar, start: dt.date, end: dt.date, count: int
) -> None:
    assert holiday_calendar.working_days_between(start, end) == count


def test_weekends_only_calendar() -> None:
    assert NO_HOLIDAYS.add_working_days(D(2026, 8, 14), 1) == D(2026, 8, 17)
    assert NO_HOLIDAYS.working_days_between(D(2026, 8, 14), D(2026, 8, 21)) == 5
    assert NO_HOLIDAYS.years == frozenset()


def test_weekend_holiday_changes_nothing() -> None:
    calendar = HolidayCalendar([D(2024, 8, 17)])  # a Saturday
    assert calendar.working_days_between(D(2024, 8, 16), D(2024, 8, 19)) == 1
    assert calendar.holiday_name(D(2024, 8, 17)) == ""


# --- properties ---------------------------------------------------------------------------


@PROPERTY
@given(start=COVERED, days=st.integers(min_value=1, max_value=40))
def test_due_date_property(holiday_calendar: HolidayCalendar, start: dt.date, days: int) -> None:
    due = holiday_calendar.add_working_days(start, days)
    assert due > start
    assert holiday_calendar.is_working_day(due)
    assert holiday_calendar.working_days_between(start, due) == days
    assert holiday_calendar.working_days_between(start, due - dt.timedelta(days=1)) == days - 1


@PROPERTY
@given(start=COVERED)
def test_zero_day_property(holiday_calendar: HolidayCalendar, start: dt.date) -> None:
    due = holiday_calendar.add_working_days(start, 0)
    assert holiday_calendar.is_working_day(due)
    assert (due == start) is holiday_calendar.is_working_day(start)
    assert holiday_calendar.working_days_between(start, due) in (0, 1)


@PROPERTY
@given(start=COVERED, span=st.integers(min_value=-120, max_value=120))
def test_between_matches_counting(
    holiday_calendar: HolidayCalendar, start: dt.date, span: int
) -> None:
    end = start + dt.timedelta(days=span)
    count = naive_working_days(holiday_calendar, min(start, end), max(start, end))
    expected = count if span >= 0 else -count
    assert holiday_calendar.working_days_between(start, end) == expected


# --- the holiday file format ---------------------------------------------------------------


def test_same_date_twice_keeps_both_names() -> None:
    calendar = parse_holidays(
        {"holidays": [{"date": "2027-12-26", "name": "A"}, {"date": "2027-12-26", "name": "B"}]}
    )
    assert calendar.holiday_name(D(2027, 12, 26)) == "A; B"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "holidays"),
        ({"holidays": {}}, "holidays"),
        ({"holidays": ["2025-01-01"]}, "hari libur #0"),
        ({"holidays": [{"date": "2025-02-30", "name": "X"}]}, "#0: tanggal tidak sah"),
        ({"holidays": [{"date": "17-08-2025", "name": "X"}]}, "17-08-2025"),
        ({"holidays": [{"date": "20250817", "name": "X"}]}, "YYYY-MM-DD"),
        ({"holidays": [{"date": 20250817, "name": "X"}]}, "'date'"),
        (
            {"holidays": [{"date": "2025-01-01", "name": "X"}, {"date": "2025-08-17"}]},
            "hari libur #1 (2025-08-17)",
        ),
    ],
)
def test_bad_holiday_file(data: Any, fragment: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_holidays(data)
    assert fragment in str(caught.value)


def test_load_holidays_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="Daftar hari libur"):
        load_holidays(tmp_path / "holidays.json")
