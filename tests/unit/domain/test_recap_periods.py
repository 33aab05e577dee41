"""Tests of recap periods, figures arithmetic, the working-day index and the daily table."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disdukcapil_desk.domain.recap import (
    Figures,
    Period,
    PeriodPreset,
    daily_table,
    format_date_id,
    preset_period,
    total,
    workday_index,
)
from disdukcapil_desk.domain.sla import HolidayCalendar

D = dt.date
TODAY = D(2026, 11, 18)  # a Wednesday


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        (PeriodPreset.TODAY, D(2026, 11, 18), D(2026, 11, 18)),
        (PeriodPreset.THIS_WEEK, D(2026, 11, 16), D(2026, 11, 18)),
        (PeriodPreset.THIS_MONTH, D(2026, 11, 1), D(2026, 11, 18)),
        (PeriodPreset.LAST_MONTH, D(2026, 10, 1), D(2026, 10, 31)),
        (PeriodPreset.THIS_YEAR, D(2026, 1, 1), D(2026, 11, 18)),
        (PeriodPreset.LAST_YEAR, D(2025, 1, 1), D(2025, 12, 31)),
    ],
)
def test_presets(preset: PeriodPreset, first: dt.date, last: dt.date) -> None:
    assert preset_period(preset, TODAY) == Period(first, last)
    assert preset.label


def test_last_month_in_january_is_december() -> None:
    assert preset_period(PeriodPreset.LAST_MONTH, D(2027, 1, 5)) == Period(
        D(2026, 12, 1), D(2026, 12, 31)
    )


def test_period_labels_and_days() -> None:
    assert Period(D(2026, 11, 1), D(2026, 11, 30)).label == "1 s.d. 30 November 2026"
    assert Period(D(2026, 11, 2), D(2026, 11, 2)).label == "2 November 2026"
    assert Period(D(2025, 12, 29), D(2026, 1, 2)).label == "29 Desember 2025 s.d. 2 Januari 2026"
    assert Period(D(2026, 1, 1), D(2026, 12, 31)).days == 365
    assert format_date_id(D(2026, 8, 17)) == "17 Agustus 2026"
    with pytest.raises(ValueError, match="ends before"):
        Period(D(2026, 2, 2), D(2026, 2, 1))


def test_figures_add_up_and_derive_rates() -> None:
    a = Figures(received=10, completed=4, on_time=3, working_days=8, timed=4)
    b = Figures(received=5, rejected=5)
    both = total([a, b])
    assert both.received == 15 and both.rejected == 5 and both.completed == 4
    assert both.on_time_pct == 0.75 and both.average_working_days == 2.0
    assert Figures().on_time_pct is None and Figures().average_working_days is None


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.dates(min_value=D(2025, 12, 1), max_value=D(2026, 3, 1)),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=60),
)
def test_workday_index_differences_are_working_days(start: dt.date, a: int, b: int) -> None:
    calendar = HolidayCalendar([D(2026, 1, 1), D(2025, 12, 25), D(2026, 2, 17)])
    index = workday_index(calendar, start, start + dt.timedelta(days=60))
    x, y = start + dt.timedelta(days=a), start + dt.timedelta(days=b)
    assert index[y] - index[x] == calendar.working_days_between(x, y)


def test_daily_table_by_day_and_by_month() -> None:
    services = [("kk", "Kartu Keluarga"), ("kia", "KIA")]
    counts = [("kk", D(2026, 11, 1), 2), ("kia", D(2026, 11, 3), 1), ("kk", D(2026, 11, 3), 4)]
    daily = daily_table(Period(D(2026, 11, 1), D(2026, 11, 3)), services, counts)
    assert not daily.monthly and daily.title == "Harian"
    assert daily.column_labels == ("01 Nov", "02 Nov", "03 Nov")
    assert [r.counts for r in daily.rows] == [(2, 0, 4), (0, 0, 1)]
    assert daily.totals == (2, 0, 5) and [r.total for r in daily.rows] == [6, 1]

    year = daily_table(Period(D(2026, 1, 1), D(2026, 12, 31)), services, counts)
    assert year.monthly and year.title == "Bulanan" and len(year.columns) == 12
    assert year.column_labels[10] == "Nov 2026" and year.rows[0].counts[10] == 6

    empty = daily_table(Period(D(2026, 11, 1), D(2026, 11, 2)), [], [])
    assert empty.rows == () and empty.totals == (0, 0)


def test_daily_headers_carry_the_month_across_a_month_boundary() -> None:
    """15 September to 15 October: two days numbered 15, two different headers."""
    daily = daily_table(Period(D(2026, 9, 15), D(2026, 10, 15)), [("kk", "KK")], [])
    labels = daily.column_labels
    assert len(labels) == 31 and len(set(labels)) == 31
    assert labels[0] == "15 Sep" and labels[-1] == "15 Okt" and "01 Okt" in labels
    december = daily_table(Period(D(2026, 11, 20), D(2026, 12, 10)), [], [])
    assert december.column_labels[-1] == "10 Des" and "30 Nov" in december.column_labels

    empty = daily_table(Period(D(2026, 11, 1), D(2026, 11, 2)), [], [])
    assert empty.rows == () and empty.totals == (0, 0)
