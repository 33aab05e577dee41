"""Timing helpers shared by the benchmark runner: repeated calls, medians, percentiles."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Sample:
    """The timings of one figure (seconds), plus what it processed and a note."""

    key: str
    label: str
    times: list[float] = field(default_factory=list)
    rows: int | None = None
    """Rows returned (a page, a search) or processed (ingest, insert)."""
    first: float | None = None
    """The first, untimed-for-statistics call (cold caches, new statements)."""
    note: str = ""

    @property
    def median_ms(self) -> float:
        """The median time in milliseconds."""
        return statistics.median(self.times) * 1000 if self.times else math.nan

    @property
    def min_ms(self) -> float:
        """The best time in milliseconds."""
        return min(self.times) * 1000 if self.times else math.nan

    @property
    def p95_ms(self) -> float:
        """The 95th percentile in milliseconds (nearest rank)."""
        if not self.times:
            return math.nan
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000

    @property
    def rate(self) -> float | None:
        """Rows per second at the median time, when rows were processed."""
        if self.rows is None or not self.times:
            return None
        return self.rows / statistics.median(self.times)

    def as_json(self) -> dict[str, Any]:
        """Return the figure as plain JSON data."""
        return {
            "key": self.key,
            "label": self.label,
            "median_ms": round(self.median_ms, 3),
            "min_ms": round(self.min_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "first_ms": round(self.first * 1000, 3) if self.first is not None else None,
            "reps": len(self.times),
            "rows": self.rows,
            "rows_per_s": round(self.rate, 1) if self.rate is not None else None,
            "note": self.note,
            "times_ms": [round(t * 1000, 3) for t in self.times],
        }


def clock(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Return (seconds, result) of one call."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def repeat(
    key: str, label: str, fn: Callable[[], Any], reps: int, count: Callable[[Any], int] = len
) -> Sample:
    """Call ``fn`` once cold, then ``reps`` times; the rows are ``count(result)``."""
    first, result = clock(fn)
    sample = Sample(key, label, first=first, rows=count(result))
    for _ in range(reps):
        elapsed, _ = clock(fn)
        sample.times.append(elapsed)
    return sample
