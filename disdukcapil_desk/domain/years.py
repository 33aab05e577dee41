"""The years the desk works with (pure rules)."""

from __future__ import annotations

OFFICE_YEARS = range(1900, 3000)
"""The years a date the desk works with may fall in (recap periods, number series): wide for
any real register, and far from the edges of ``datetime``, where a day more or less overflows."""


def office_year_problem(year: int) -> str | None:
    """Why ``year`` is not a year the desk works with (Indonesian), or None when it is."""
    if year in OFFICE_YEARS:
        return None
    return f"tahun {year} di luar rentang {OFFICE_YEARS.start} s.d. {OFFICE_YEARS.stop - 1}"
