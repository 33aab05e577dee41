"""Office time: Kabupaten Serang keeps Western Indonesian Time (WIB, UTC+7, no DST)."""

from __future__ import annotations

import datetime as dt

# A fixed offset, not zoneinfo: Windows workstations have no tz database without tzdata.
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")


def utc_now() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def office_date(moment: dt.datetime) -> dt.date:
    """Return the calendar date at the office for an aware ``moment``."""
    return moment.astimezone(WIB).date()
