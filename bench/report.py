"""The benchmark report: a plain-text table per database, made from the JSON document.

Working from the JSON (not from live objects) lets ``run.py --report FILE`` print a saved run
again.
"""

from __future__ import annotations

from typing import Any

from bench.timing import Sample

Figure = dict[str, Any]
"""One figure as ``Sample.as_json`` writes it."""

RATE_KEYS = frozenset(
    {"generate", "intake.bulk", "ingest", "ingest.batch", "floor.insert", "floor.copy"}
)
"""Figures read as rows per second (the others as milliseconds)."""

# Which floor of the same run each figure is read against (a key ending in . or _ is a prefix).
FLOOR_OF = {
    "generate": "floor.insert",
    "intake.bulk": "floor.insert",
    "queue.": "floor.keyset",
    "search.nik": "floor.keyset",
    "search.number": "floor.keyset",
    "search.name_": "floor.like",
    "search.digits": "floor.like",
    "claim.": "floor.claim",
}

# Reference figures of the team's TOOLCHAIN notes (200k rows, this kind of machine).
TOOLCHAIN = {
    ("floor.insert", "sqlite"): "1.35 s = 148k rows/s",
    ("floor.insert", "postgresql"): "3.5 s = 57k rows/s",
    ("floor.copy", "postgresql"): "0.37 s = 541k rows/s",
    ("floor.offset", "sqlite"): "2.9 ms",
    ("floor.offset", "postgresql"): "8.2 ms",
    ("floor.keyset", "sqlite"): "0.16 ms",
    ("floor.keyset", "postgresql"): "0.67 ms",
    ("floor.like", "sqlite"): "23 ms",
    ("floor.like", "postgresql"): "74 ms",
    ("floor.trigram", "sqlite"): "2.4 ms (FTS5 trigram)",
    ("floor.trigram", "postgresql"): "1.4 ms (pg_trgm GIN)",
    ("floor.claim", "postgresql"): "3,470 claims/s, 8 processes",
    ("queue.", "postgresql"): "keyset batch of 500: 3.4 ms",
    ("claim.", "postgresql"): "3,470 claims/s, 8 processes",
}

_HEADER = (
    f"{'figure':<42}{'median':>12}{'min':>12}{'p95':>12}{'rows':>8}{'SQL':>12}  | "
    f"{'floor (this run)':<38}{'x total':>8}{'x SQL':>7}  | TOOLCHAIN.md"
)


def lookup(table: dict[Any, str], key: str, kind: str | None = None) -> str | None:
    """Return the entry of ``key``, or of the longest prefix (ending in ``.`` or ``_``) of it."""
    candidates = [entry for entry in table if _matches(entry, key, kind)]
    if not candidates:
        return None
    best = max(candidates, key=lambda e: len(e[0] if isinstance(e, tuple) else e))
    return table[best]


def _matches(entry: Any, key: str, kind: str | None) -> bool:
    name, entry_kind = entry if isinstance(entry, tuple) else (entry, None)
    if entry_kind is not None and entry_kind != kind:
        return False
    return bool(key == name or (name.endswith((".", "_")) and key.startswith(name)))


def _ms(value: float | None) -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    return f"{value:,.1f} ms" if value >= 10 else f"{value:.2f} ms"


def _value(figure: Figure) -> str:
    if figure["key"] in RATE_KEYS:
        rate = figure.get("rows_per_s")
        return f"{rate:,.0f} r/s" if rate else "-"
    return _ms(figure.get("median_ms"))


def ratio(figure: Figure, floor: Figure) -> float | None:
    """How many times slower than the floor (rates: floor rate / our rate)."""
    if figure["key"] in RATE_KEYS:
        ours, base = figure.get("rows_per_s"), floor.get("rows_per_s")
        return base / ours if ours and base else None
    ours, base = figure.get("median_ms"), floor.get("median_ms")
    return ours / base if ours and base and ours == ours and base == base else None


def _factor(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def line(figure: Figure, floor: Figure | None, kind: str, sql: float | None = None) -> str:
    """Return one row of the table (``sql``: the bare SQL time of the same query, ms)."""
    rate = figure["key"] in RATE_KEYS
    rows = figure.get("rows")
    cells = f"{figure['label'][:41]:<42}{_value(figure):>12}"
    cells += f"{'' if rate else _ms(figure.get('min_ms')):>12}"
    cells += f"{'' if rate else _ms(figure.get('p95_ms')):>12}"
    cells += f"{'' if rows is None else rows:>8}{'' if sql is None else _ms(sql):>12}  | "
    if floor is not None:
        base = floor.get("median_ms")
        sql_factor = sql / base if sql is not None and base else None
        cells += f"{(floor['label'][:24] + ' ' + _value(floor)):<38}"
        cells += f"{_factor(ratio(figure, floor)):>8}{_factor(sql_factor):>7}  | "
    else:
        cells += f"{'':<38}{'':>8}{'':>7}  | "
    cells += lookup(TOOLCHAIN, figure["key"], kind) or ""
    return cells + (f"  [{figure['note']}]" if figure.get("note") else "")


def database_text(result: dict[str, Any]) -> list[str]:
    """Return the lines of one database's section."""
    kind = result["kind"]
    floors = {f["key"]: f for f in result["floors"]}
    statistics = "ANALYZE after generating" if result.get("analyzed") else "none (as a new desk)"
    lines = [
        "",
        f"== {kind} {result['server_version']}: {result['requests']:,} requests, "
        f"database {result['size_mb']:,.0f} MB, peak RSS {result['peak_rss_mb']:,.0f} MB "
        f"(after generating {result['rss_after_generate_mb']:,.0f} MB); "
        f"planner statistics: {statistics}",
        _HEADER,
        "-" * len(_HEADER),
    ]
    plans = result.get("plans", {})
    for figure in result["samples"]:
        floor_key = lookup(FLOOR_OF, figure["key"])
        sql = plans.get(figure["key"], {}).get("sql_ms")
        lines.append(line(figure, floors.get(floor_key or ""), kind, sql))
    lines.append("-- floors (bare SQLAlchemy / driver, scratch tables, same database)")
    lines += [line(figure, None, kind) for figure in result["floors"]]
    return lines + summary(result)


def summary(result: dict[str, Any]) -> list[str]:
    """Return the notes under a table: data shape, counter check, ingest outcome."""
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(result["statuses"].items()))
    locations = result["locations"]
    upts = [v for k, v in locations.items() if k != "DINAS"]
    behind = result["counters_behind"]
    lines = [
        f"data: {result['first_received'][:10]} .. {result['last_received'][:10]}; {statuses}",
        f"      DINAS {locations.get('DINAS', 0):,} requests; {len(upts)} UPTs "
        f"{min(upts, default=0):,}..{max(upts, default=0):,} each; "
        f"{result['counters']:,} number counters, "
        + ("all consistent" if not behind else f"{len(behind)} BEHIND: {behind[:3]}"),
    ]
    for index, rep in enumerate(result["ingest_reports"], 1):
        lines.append(
            f"ingest run {index}: {rep['rows']:,} rows in {rep['seconds']:.1f} s: created "
            f"{rep['created']:,}, resubmissions {rep['resubmissions']}, quarantined "
            f"{rep['quarantined']} (database/internal errors {rep['database_or_internal_errors']})"
            f", duplicates flagged {rep['duplicates_flagged']}"
        )
    return lines


def plans_text(result: dict[str, Any]) -> list[str]:
    """Return the query plans of one database."""
    lines = ["", f"== plans on {result['kind']}"]
    for key, entry in result["plans"].items():
        lines.append(f"-- {key}: bare SQL {_ms(entry.get('sql_ms'))}")
        lines += ["   " + row for row in entry["plan"].splitlines()]
    return lines


def text(document: dict[str, Any], *, explain: bool) -> str:
    """Return the whole plain-text report of a JSON document."""
    info = document["machine"]
    lines = [
        f"Disdukcapil Desk benchmarks, {document['finished_at']}: {info['cpus']} cores, "
        f"{info['memory_gb']} GB, Python {info['python']}, SQLAlchemy {info['sqlalchemy']}, "
        f"psycopg {info['psycopg']}; desk code {info.get('code', '?')}; "
        f"load average at the end {info.get('load', '?')}",
        "median/min/p95 over the timed repetitions (after one untimed first call); "
        "SQL = the same statement sent bare through the driver (no ORM, no rows built); "
        "x total / x SQL = our time / floor time (rates: floor rate / our rate)",
    ]
    for result in document["databases"]:
        lines += database_text(result)
        if explain:
            lines += plans_text(result)
    return "\n".join(lines)


def as_json(result: dict[str, Any]) -> dict[str, Any]:
    """Return one database's results as plain JSON data (samples turned into figures)."""
    plain = dict(result)
    for key in ("samples", "floors"):
        plain[key] = [s.as_json() if isinstance(s, Sample) else s for s in result[key]]
    return plain
