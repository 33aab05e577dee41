"""Working days and SLA due dates (domain layer, pure Python).

A working day is Monday to Friday and not a public holiday or cuti bersama of the holiday file
(``resources/holidays.json``: ``{"source": "...", "holidays": [{"date": "YYYY-MM-DD", "name":
"..."}]}``). The holiday list only covers the years it names: for other years only weekends count
(``HolidayCalendar.years`` tells which years are covered, so the UI can warn).

Counting rules:

- ``add_working_days(start, n)``: a request received on ``start`` with an SLA of ``n`` working days
  is due on the ``n``-th working day *after* ``start`` (the day of receipt does not count, even if
  it is a working day); with ``n == 0`` it is due on ``start`` itself if that is a working day,
  else on the next working day.
- ``working_days_between(start, end)``: the number of working days in ``(start, end]`` when
  ``end > start``, 0 when equal, and minus the number of working days in ``(end, start]`` when
  ``end < start``. So ``working_days_between(start, add_working_days(start, n)) == n`` for every
  ``n >= 1``, and a positive ``working_days_between(due, today)`` means overdue by that many days.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from disdukcapil_desk.domain.catalogue import read_json_resource
from disdukcapil_desk.domain.errors import CatalogueError

_ONE_DAY = dt.timedelta(days=1)
_WHAT = "Daftar hari libur"


def _weekdays_up_to(ordinal: int) -> int:
    """Return the number of Mondays to Fridays in ``[1, ordinal]`` (ordinal 1 is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


class HolidayCalendar:
    """Public holidays (and cuti bersama) on top of the Monday-to-Friday week."""

    def __init__(
        self, holidays: Iterable[dt.date], names: Mapping[dt.date, str] | None = None
    ) -> None:
        """Keep the holidays.

        Args:
            holidays: the non-working dates (weekend dates are allowed and change nothing).
            names: optional names of the holidays, for display.
        """
        self.holidays: frozenset[dt.date] = frozenset(holidays)
        self._names = dict(names or {})
        self._weekday_holidays = sorted(d.toordinal() for d in self.holidays if d.weekday() < 5)

    @property
    def years(self) -> frozenset[int]:
        """The years for which the calendar lists at least one holiday."""
        return frozenset(d.year for d in self.holidays)

    def holiday_name(self, day: dt.date) -> str | None:
        """Return the name of the holiday on ``day``, or None if it is not a listed holiday."""
        if day not in self.holidays:
            return None
        return self._names.get(day, "")

    def is_working_day(self, day: dt.date) -> bool:
        """Return whether ``day`` is Monday to Friday and not a holiday."""
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: dt.date) -> dt.date:
        """Return the first working day strictly after ``day``."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """Return the due date of a request received on ``start`` with an SLA of ``days``.

        Args:
            start: the day the request was received.
            days: working days allowed; 0 means the same day (or the next working day).

        Raises:
            ValueError: ``days`` is negative.
        """
        if days < 0:
            raise ValueError(f"days must not be negative: {days}")
        if days == 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        day = start
        for _ in range(days):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Return the working days after ``start`` up to and including ``end``.

        Negative when ``end`` is before ``start`` (see the module docstring), 0 when equal.
        """
        if end < start:
            return -self.working_days_between(end, start)
        low, high = start.toordinal(), end.toordinal()
        weekdays = _weekdays_up_to(high) - _weekdays_up_to(low)
        holidays = bisect.bisect_right(self._weekday_holidays, high) - bisect.bisect_right(
            self._weekday_holidays, low
        )
        return weekdays - holidays


def load_holidays(path: Path) -> HolidayCalendar:
    """Read the holiday file.

    Raises:
        CatalogueError: unreadable file or a malformed entry (the message names it).
    """
    return parse_holidays(read_json_resource(path, _WHAT))


def parse_holidays(data: object) -> HolidayCalendar:
    """Build a calendar from decoded JSON.

    Raises:
        CatalogueError: the message names the bad entry.
    """
    if not isinstance(data, dict) or not isinstance(data.get("holidays"), list):
        raise CatalogueError(f"{_WHAT}: harus berupa objek dengan daftar 'holidays'")
    names: dict[dt.date, str] = {}
    for index, entry in enumerate(data["holidays"]):
        day, name = _parse_holiday(entry, f"{_WHAT}: hari libur #{index}")
        names[day] = f"{names[day]}; {name}" if day in names else name
    return HolidayCalendar(names, names)


def _parse_holiday(entry: object, where: str) -> tuple[dt.date, str]:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: harus berupa objek {{'date', 'name'}}")
    raw_date, name = entry.get("date"), entry.get("name")
    if not isinstance(raw_date, str):
        raise CatalogueError(f"{where}: 'date' harus berupa teks YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(raw_date)
    except ValueError:
        raise CatalogueError(f"{where}: tanggal tidak sah: {raw_date!r}") from None
    if len(raw_date) != 10:
        raise CatalogueError(f"{where}: tanggal harus ditulis YYYY-MM-DD: {raw_date!r}")
    if not isinstance(name, str) or not name.strip():
        raise CatalogueError(f"{where} ({raw_date}): 'name' harus berupa teks yang tidak kosong")
    return day, name.strip()
