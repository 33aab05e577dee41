"""Registration numbers of issued documents (domain layer, pure).

Akta numbers follow the national pattern ``KKKK-XX-DDMMYYYY-NNNN``: the kabupaten code
(``3604``), the two-letter type code of the akta (configurable per service in the catalogue:
``LU``, ``LT``, ``KM``, ...), the registration date and a four-digit serial that runs per type
and year. The Surat Keterangan Pindah has its own series, ``SKPWNI/3604/DDMMYYYY/NNNN``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

AKTA_COUNTER = "akta"
"""Counter kind of akta numbers (scope ``3604-XX``, period the year)."""
SKPWNI_COUNTER = "skpwni"
"""Counter kind of SKPWNI numbers (scope the kabupaten code, period the year)."""


@dataclass(frozen=True, slots=True)
class CounterKey:
    """Which counter row a number comes from: ``counters.allocate(kind, scope, period)``."""

    kind: str
    scope: str
    period: str


def akta_counter(regency_code: str, type_code: str, registered_on: dt.date) -> CounterKey:
    """Return the counter of an akta type: one series per kabupaten, type and year."""
    return CounterKey(AKTA_COUNTER, f"{regency_code}-{type_code}", str(registered_on.year))


def skpwni_counter(regency_code: str, registered_on: dt.date) -> CounterKey:
    """Return the counter of SKPWNI numbers: one series per kabupaten and year."""
    return CounterKey(SKPWNI_COUNTER, regency_code, str(registered_on.year))


def format_akta_number(
    regency_code: str, type_code: str, registered_on: dt.date, serial: int
) -> str:
    """Return ``3604-LU-28112026-0012``.

    Raises:
        ValueError: a malformed regency or type code, or a serial below 1.
    """
    if not re.fullmatch(r"\d{4}", regency_code):
        raise ValueError(f"regency code must be 4 digits: {regency_code!r}")
    if not re.fullmatch(r"[A-Z]{2}", type_code):
        raise ValueError(f"akta type code must be two capital letters: {type_code!r}")
    if serial < 1:
        raise ValueError(f"serial must be positive: {serial}")
    return f"{regency_code}-{type_code}-{registered_on:%d%m%Y}-{serial:04d}"


def format_skpwni_number(regency_code: str, registered_on: dt.date, serial: int) -> str:
    """Return ``SKPWNI/3604/28112026/0003``."""
    if serial < 1:
        raise ValueError(f"serial must be positive: {serial}")
    return f"SKPWNI/{regency_code}/{registered_on:%d%m%Y}/{serial:04d}"
