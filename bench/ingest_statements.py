"""How many SQL statements ingest sends per incoming row, and how many rows a second, on
SQLite and PostgreSQL, beside the floor (a bare Core insert of narrow rows) in the same run.

Round trips, not seconds (a ``COPY`` on PostgreSQL counts as one): the count does not depend
on what else the machine is doing, so two versions of the desk can be compared on a busy
machine. Rows per second are printed beside it,
with the floor measured on the same database right after, and their ratio.

    python bench/ingest_statements.py [--rows 10000] [--history 20000] [--pg URL] [--only sqlite]
        [--json FILE]

Beside the wall-clock rate, the desk process's own CPU time a row is printed (on a machine
shared with other work the wall clock mostly measures the wait for a core), with the load
average when the run ended. ``--json FILE`` writes the figures (name, desk, floor, unit, ratio).

A fresh database of each kind gets ``--history`` generated requests (so duplicate checks and
resubmissions have something to find), then ``--rows`` intake rows written in bulk; only
``IntakeOps.ingest()`` is counted.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import os
import random
import tempfile
import time
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from bench.floors import insert_floor
from bench.generate import generate
from bench.measure import incoming_rows, insert_incoming, revision_targets
from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.repositories import intake_batch
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.setup import SetupOps


def count_ingest(url: str, rows: int, history: int) -> dict[str, Any]:
    """Fill a fresh database at ``url`` and count the statements of one ingest run."""
    reference = load_reference_data()
    ctx = DeskContext(make_engine(url), reference)
    SetupOps(ctx).init()
    generate(url, history, 7, reference=reference)
    rng = random.Random(7)
    revisions = revision_targets(ctx, max(10, rows // 50))
    insert_incoming(ctx.engine, incoming_rows(rng, reference, rows, "stmt", revisions))
    kinds: Counter[str] = Counter()

    def counted(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        kinds[statement.split(None, 1)[0].upper()] += 1

    copy_many = intake_batch._copy_many

    def counted_copy(*args: Any, **kwargs: Any) -> Any:
        # COPY runs on the driver's cursor, past SQLAlchemy's events: counted here.
        kinds["COPY"] += 1
        return copy_many(*args, **kwargs)

    event.listen(ctx.engine, "before_cursor_execute", counted)
    intake_batch._copy_many = counted_copy  # type: ignore[assignment]
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        report = IntakeOps(ctx).ingest()
    finally:
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        intake_batch._copy_many = copy_many  # type: ignore[assignment]
        event.remove(ctx.engine, "before_cursor_execute", counted)
    floor = insert_floor(ctx.engine, random.Random(3), rows, 1)[0]
    ctx.close()
    total = sum(kinds.values())
    return {
        "rows": report.rows,
        "created": report.created,
        "quarantined": report.quarantined,
        "rows_per_s": report.rows / elapsed,
        "floor_rows_per_s": rows / min(floor.times),
        "statements": total,
        "per_row": total / max(report.rows, 1),
        "ms_per_row": elapsed * 1000 / max(report.rows, 1),
        "cpu_ms_per_row": cpu * 1000 / max(report.rows, 1),
        "load_average": os.getloadavg()[0],
        "kinds": dict(kinds.most_common()),
    }


def main() -> None:
    """Print statements per row (and ms per row) on each database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=20_000)
    parser.add_argument("--pg", default=os.environ.get("DISDUKCAPIL_TEST_PG"))
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    figures: dict[str, dict[str, Any]] = {}
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            url = sqlite_url(Path(folder) / "s.db")
            figures["sqlite"] = count_ingest(url, args.rows, args.history)
    if args.pg and args.only != "sqlite":
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.pg).set(database=name).render_as_string(False)
            figures["postgresql"] = count_ingest(url, args.rows, args.history)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    for database, found in figures.items():
        print(
            f"{database:11} {found['rows']:6,} rows  {found['statements']:7,} statements  "
            f"{found['per_row']:5.2f} per row  {found['ms_per_row']:6.2f} ms per row"
        )
        print(
            f"{'':11} {found['rows_per_s']:8,.0f} rows/s; floor Core insert "
            f"{found['floor_rows_per_s']:8,.0f} rows/s; ratio "
            f"{found['floor_rows_per_s'] / found['rows_per_s']:.1f}x; created {found['created']:,}"
            f", quarantined {found['quarantined']:,}"
        )
        print(
            f"{'':11} desk process CPU {found['cpu_ms_per_row']:.3f} ms per row "
            f"({1000 / found['cpu_ms_per_row']:,.0f} rows per CPU second); "
            f"load average {found['load_average']:.1f} on {os.cpu_count()} cores"
        )
        print(f"{'':11} {found['kinds']}")
    if args.json:
        args.json.write_text(json.dumps(_json_figures(figures), indent=1))


def _json_figures(figures: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The figures as the lead's table collects them: name, desk, floor, unit, ratio."""
    out: list[dict[str, Any]] = []
    for database, found in figures.items():
        desk, floor = found["rows_per_s"], found["floor_rows_per_s"]
        out.append(
            {
                "name": f"ingest {found['rows']:,} intake rows, {database}",
                "desk": round(desk, 1),
                "floor": round(floor, 1),
                "unit": "rows/s",
                "ratio": round(floor / desk, 2),
                "statements_per_row": round(found["per_row"], 3),
                "cpu_ms_per_row": round(found["cpu_ms_per_row"], 3),
                "load_average": round(found["load_average"], 2),
                "created": found["created"],
                "quarantined": found["quarantined"],
            }
        )
    return out


if __name__ == "__main__":
    main()
