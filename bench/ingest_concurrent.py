"""Several workstations ingest at once: every valid row becomes a request, nothing is blamed.

    python bench/ingest_concurrent.py [--workstations 4] [--rows 3000] [--pg URL] [--only sqlite]

A fresh database of each kind gets ``workstations x rows`` intake rows (demo payloads, ~3 %
malformed on purpose, spread over every office so batches need many number counters), then
that many processes run ``IntakeOps.ingest()`` at the same moment. Printed: wall time, rows per
second, what each process did, batches retried after a transient error, and the quarantine
reasons by kind. A quarantine for a database error ("kesalahan basis data") means a valid row
was blamed for the database's trouble: the run then exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import multiprocessing
import os
import random
import tempfile
import time
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.measure import incoming_rows, insert_incoming
from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.models import IncomingRequest, Location, ServiceRequest
from disdukcapil_desk.operations.audit import verify_chain
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.setup import SetupOps


def _workstation(url: str, start_at: float) -> dict[str, int]:
    ctx = DeskContext(make_engine(url), load_reference_data())
    time.sleep(max(0.0, start_at - time.time()))  # all start at the same moment
    report = IntakeOps(ctx).ingest()
    ctx.close()
    return {
        "rows": report.rows,
        "created": report.created,
        "resubmissions": report.resubmissions,
        "quarantined": report.quarantined,
        "retries": report.retries,
    }


def _fill(url: str, total: int) -> None:
    reference = load_reference_data()
    ctx = DeskContext(make_engine(url), reference)
    SetupOps(ctx).init()
    with ctx.sessions() as session:
        offices = list(session.scalars(select(Location.code)))
    rng = random.Random(11)
    rows = incoming_rows(rng, reference, total, "conc", [])
    for row in rows:
        row["location_code"] = rng.choice(offices)
    insert_incoming(ctx.engine, rows)
    ctx.close()


def run(url: str, workstations: int, rows: int) -> dict[str, Any]:
    """Fill a fresh database at ``url``, ingest from ``workstations`` processes at once."""
    _fill(url, workstations * rows)
    start_at = time.time() + 3.0
    with multiprocessing.get_context("spawn").Pool(workstations) as pool:
        pending = pool.starmap_async(_workstation, [(url, start_at)] * workstations)
        results = pending.get()
    elapsed = time.time() - start_at
    ctx = DeskContext(make_engine(url), load_reference_data())
    with ctx.sessions() as session:
        reasons = Counter(
            (reason or "").split(":")[0]
            for reason in session.scalars(
                select(IncomingRequest.ingest_error).where(
                    IncomingRequest.ingest_error.is_not(None)
                )
            )
        )
        requests = session.scalar(select(func.count()).select_from(ServiceRequest)) or 0
        numbers = session.scalar(select(func.count(func.distinct(ServiceRequest.number)))) or 0
    chain = verify_chain(ctx)
    ctx.close()
    return {
        "elapsed": elapsed,
        "per_process": results,
        "requests": requests,
        "distinct_numbers": numbers,
        "reasons": dict(reasons.most_common()),
        "audit_intact": chain is None,
    }


def _print(database: str, found: dict[str, Any], total: int) -> bool:
    done = sum(p["rows"] for p in found["per_process"])
    print(
        f"{database:11} {total:,} rows by {len(found['per_process'])} workstations in "
        f"{found['elapsed']:.1f} s = {done / found['elapsed']:,.0f} rows/s; requests "
        f"{found['requests']:,} (distinct numbers {found['distinct_numbers']:,}); audit chain "
        f"{'intact' if found['audit_intact'] else 'BROKEN'}"
    )
    for index, process in enumerate(found["per_process"], 1):
        print(f"{'':11} workstation {index}: {process}")
    print(f"{'':11} quarantine reasons by kind: {found['reasons']}")
    blamed = sum(n for kind, n in found["reasons"].items() if "basis data" in kind)
    ok = (
        done == total
        and blamed == 0
        and found["audit_intact"]
        and found["requests"] == found["distinct_numbers"]
    )
    print(f"{'':11} {'OK' if ok else 'FAILED'}: valid rows blamed for database errors: {blamed}")
    return ok


def main() -> None:
    """Run on SQLite and (with --pg) PostgreSQL; exit 1 if a valid row was blamed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workstations", type=int, default=4)
    parser.add_argument("--rows", type=int, default=3000, help="rows per workstation")
    parser.add_argument("--pg", default=os.environ.get("DISDUKCAPIL_TEST_PG"))
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    total = args.workstations * args.rows
    ok = True
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            found = run(sqlite_url(Path(folder) / "c.db"), args.workstations, args.rows)
        ok &= _print("sqlite", found, total)
    if args.pg and args.only != "sqlite":
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.pg).set(database=name).render_as_string(False)
            ok &= _print("postgresql", run(url, args.workstations, args.rows), total)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
