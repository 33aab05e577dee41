"""The working-day index packed for SQL (``WorkdayTable``): every day's number, in order."""

from __future__ import annotations

import datetime as dt

import pytest

from disdukcapil_desk.db.repositories.recap import WorkdayTable

DAY = dt.date(2026, 11, 2)


def test_the_table_holds_each_days_number_at_its_offset() -> None:
    index = {DAY + dt.timedelta(days=i): n for i, n in enumerate([0, 1, 1, 1, 2, 10, 11])}
    table = WorkdayTable.of(index)
    assert table.first == DAY and table.days == 7
    assert table.width == 2
    digits = table.digits()
    for day, number in index.items():
        offset = (day - DAY).days * table.width
        assert int(digits[offset : offset + table.width]) == number


def test_a_table_needs_consecutive_days_numbered_from_zero() -> None:
    with pytest.raises(ValueError, match="consecutive days"):
        WorkdayTable.of({DAY: 0, DAY + dt.timedelta(days=2): 1})
    with pytest.raises(ValueError, match="consecutive days"):
        WorkdayTable.of({DAY: -1})
    assert WorkdayTable.of({}).days == 0
