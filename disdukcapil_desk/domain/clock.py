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


SKEW_TOLERANCE = dt.timedelta(minutes=1)
"""How far a workstation's clock may be off the server's before the officer is warned."""


def skew_warning(offset: dt.timedelta) -> str | None:
    """The warning for an officer whose clock is ``offset`` ahead of the server's (negative:
    behind); None within :data:`SKEW_TOLERANCE`.
    """
    if abs(offset) <= SKEW_TOLERANCE:
        return None
    minutes = round(abs(offset).total_seconds() / 60)
    amount = f"{minutes // 1440} hari" if minutes >= 2880 else f"{minutes} menit"
    side = "lebih cepat" if offset > dt.timedelta(0) else "lebih lambat"
    return (
        f"Jam komputer ini {amount} {side} dari jam server. Desk memakai jam server untuk "
        "antrean, nomor dan log; betulkan jam komputer ini (tanggal, jam dan zona waktu)."
    )
