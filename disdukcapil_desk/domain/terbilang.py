"""Numbers and dates in Indonesian words, as certificates write them (domain layer, pure).

``number_words(1987)`` is ``"seribu sembilan ratus delapan puluh tujuh"``; ``date_words`` writes a
date the way a kutipan akta does: ``"dua puluh delapan November dua ribu dua puluh enam"``.
"""

from __future__ import annotations

import datetime as dt

_UNITS = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (1000, "ribu"))

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
"""Indonesian month names, January first."""

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
"""Indonesian day names, Monday first (``date.weekday()`` order)."""


def number_words(value: int) -> str:
    """Return a whole number in Indonesian words (``"dua ribu dua puluh enam"``).

    Args:
        value: any integer below 10**15 in absolute value; negatives get ``"minus"``.

    Raises:
        ValueError: the number is too large.
    """
    if abs(value) >= 10**15:
        raise ValueError(f"number too large for words: {value}")
    if value < 0:
        return f"minus {number_words(-value)}"
    if value == 0:
        return _UNITS[0]
    return _words(value)


def _words(value: int) -> str:
    parts: list[str] = []
    for scale, name in _SCALES:
        count, value = divmod(value, scale)
        if count:
            parts.append("seribu" if scale == 1000 and count == 1 else f"{_words(count)} {name}")
    if value:
        parts.append(_below_thousand(value))
    return " ".join(parts)


def _below_thousand(value: int) -> str:
    hundreds, rest = divmod(value, 100)
    parts: list[str] = []
    if hundreds:
        parts.append("seratus" if hundreds == 1 else f"{_UNITS[hundreds]} ratus")
    if rest:
        parts.append(_below_hundred(rest))
    return " ".join(parts)


def _below_hundred(value: int) -> str:
    if value < 12:
        return _UNITS[value]
    if value < 20:
        return f"{_UNITS[value - 10]} belas"
    tens, unit = divmod(value, 10)
    return f"{_UNITS[tens]} puluh" + (f" {_UNITS[unit]}" if unit else "")


def ordinal_words(value: int) -> str:
    """Return an ordinal in words: ``1`` → ``"kesatu"``, ``3`` → ``"ketiga"``.

    Raises:
        ValueError: ``value`` is not positive.
    """
    if value < 1:
        raise ValueError(f"an ordinal must be positive: {value}")
    return f"ke{number_words(value)}"


def date_words(day: dt.date) -> str:
    """Return a date in words: ``"dua puluh delapan November dua ribu dua puluh enam"``."""
    return f"{number_words(day.day)} {MONTHS[day.month - 1]} {number_words(day.year)}"


def date_long(day: dt.date) -> str:
    """Return a date as ``"28 November 2026"``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def date_with_day(day: dt.date) -> str:
    """Return a date with its day name: ``"Senin, 2 November 2026"``."""
    return f"{DAYS[day.weekday()]}, {date_long(day)}"
