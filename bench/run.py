"""Office-scale benchmarks of the desk on SQLite and PostgreSQL, with floors in the same run.

For each database: prepare a fresh one (schema, master data), fill it with ``bench.generate``
(default 1,000,000 requests), then time through ``operations/`` the first queue page under each
filter and a page deep via cursor, the searches (NIK, number, names), the per-status counts,
``claim_next`` (and claim + release), and the ingest of 10,000 incoming rows; then the floors
(bare SQLAlchemy / driver on scratch tables of the same database). Prints a table and writes
``bench/out/run-*.json``.

    python bench/run.py --requests 1000000 [--pg URL] [--only sqlite|postgresql] [--explain]
    python bench/run.py --db URL [--json FILE]   # measure a database filled beforehand

PostgreSQL runs when ``--pg`` or ``DISDUKCAPIL_TEST_PG`` gives a server URL (a database
``bench_<hex>`` is created on it and dropped afterwards). ``--db`` measures an existing database
(filled by ``bench.generate``; ``bench/table.py`` does so) instead of making one.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import report
from bench.floors import floors
from bench.generate import check_counters, generate, officer_login
from bench.measure import (
    RESEND_SHARE,
    Actors,
    claim_figures,
    explain_all,
    ingest_figures,
    read_cases,
    read_figures,
    search_targets,
)
from bench.timing import Sample
from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.operations.context import (
    DeskContext,
    ReferenceData,
    load_reference_data,
)
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import UserOps

PG_ENV = "DISDUKCAPIL_TEST_PG"
OUT = Path(__file__).resolve().parent / "out"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests to generate")
    parser.add_argument("--pg", default=os.environ.get(PG_ENV), help=f"server URL (${PG_ENV})")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions of each read")
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument(
        "--claim-budget", type=float, default=30.0, help="seconds at most per claim series"
    )
    parser.add_argument("--ingest-rows", type=int, default=10_000)
    parser.add_argument("--ingest-runs", type=int, default=1)
    parser.add_argument(
        "--resend-share",
        type=float,
        default=RESEND_SHARE,
        help="share of intake rows sending an earlier row's request again (possible duplicates)",
    )
    parser.add_argument("--floor-rows", type=int, default=200_000)
    parser.add_argument("--upt", default="UPT-05", help="the UPT whose officer is timed")
    parser.add_argument("--method", choices=("auto", "core", "copy"), default="auto")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="ANALYZE SQLite too after generating (as a desk in use has)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--report", type=Path, help="print the report of a saved JSON and stop")
    parser.add_argument("--db", help="measure this database, filled beforehand (no generation)")
    parser.add_argument("--json", type=Path, help="write the JSON document here too")
    return parser.parse_args(argv)


# -- databases ------------------------------------------------------------------------------


@contextmanager
def sqlite_database(keep: bool = False) -> Iterator[str]:
    """Yield the URL of a new SQLite file in a temporary folder (removed unless ``keep``)."""
    folder = Path(tempfile.mkdtemp(prefix="desk-bench-"))
    url = sqlite_url(folder / "bench.sqlite3")
    try:
        yield url
    finally:
        if keep:
            print(f"kept: {url}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_database(server_url: str, keep: bool = False) -> Iterator[str]:
    """Create ``bench_<hex>`` on the server, yield its URL, drop it afterwards unless ``keep``."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept: database {name}", file=sys.stderr)
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_facts(ctx: DeskContext, url: str) -> dict[str, Any]:
    """Return the server version and the size of the database (MB)."""
    with ctx.engine.connect() as conn:
        if ctx.postgresql:
            version = str(conn.scalar(text("SHOW server_version")))
            size = int(conn.scalar(text("SELECT pg_database_size(current_database())")) or 0)
        else:
            version = sqlite3.sqlite_version
            path = Path(str(make_url(url).database))
            size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return {"server_version": version, "size_mb": round(size / 2**20, 1)}


def peak_rss_mb() -> float:
    """Return the peak resident set size of this process so far (MB; Linux reports KB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# -- one database ---------------------------------------------------------------------------


def progress(done: int, total: int) -> None:
    """Show generation progress on stderr."""
    if done % 100_000 == 0 or done == total:
        print(f"  generated {done:>9,} / {total:,}", file=sys.stderr, flush=True)


def fill(url: str, args: argparse.Namespace, reference: ReferenceData) -> dict[str, Any]:
    """Prepare the schema and master data, generate the requests, check the counters."""
    ctx = DeskContext(make_engine(url), reference)
    SetupOps(ctx).init()
    ctx.close()
    made = generate(
        url,
        args.requests,
        args.seed,
        method=args.method,
        reference=reference,
        run_analyze=True if args.analyze else None,
        progress=progress,
    )
    print("  " + made.describe(), file=sys.stderr, flush=True)
    behind = check_counters(url)
    return {
        "sample": Sample(
            "generate",
            f"generate {made.rows:,} requests ({made.method})",
            [made.seconds],
            rows=made.rows,
        ),
        "statuses": made.statuses,
        "locations": made.locations,
        "counters": made.counters,
        "counters_behind": behind[:10],
        "first_received": made.first_received.isoformat() if made.first_received else None,
        "last_received": made.last_received.isoformat() if made.last_received else None,
        "rss_after_generate_mb": peak_rss_mb(),
    }


class Stages:
    """Prints each stage on stderr with the time the previous one took."""

    def __init__(self) -> None:
        self._started = time.perf_counter()
        self._name = ""

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self._name:
            print(f"    ({now - self._started:.0f} s)", file=sys.stderr, flush=True)
        print(f"  {name} …", file=sys.stderr, flush=True)
        self._started, self._name = now, name


def measure(ctx: DeskContext, args: argparse.Namespace) -> dict[str, Any]:
    """Time the desk's operations, then the floors, on a filled database."""
    users = UserOps(ctx)
    actors = Actors(users.actor("bench.dinas"), users.actor(officer_login(args.upt)))
    targets = search_targets(ctx, args.seed)
    stage = Stages()
    stage("queue, search, counts")
    cases = read_cases(ctx, actors, targets)
    samples = read_figures(cases, args.reps)
    stage("plans and bare SQL times")
    plans = explain_all(ctx, actors, cases, args.reps)
    stage("claims")
    samples += claim_figures(ctx, actors, args.claims, args.claim_budget)
    stage("ingest")
    ingest, reports = ingest_figures(
        ctx, args.ingest_rows, args.ingest_runs, args.seed, args.resend_share
    )
    samples += ingest
    stage("floors")
    floor = floors(ctx.engine, args.floor_rows, args.reps, args.claims, args.seed)
    stage("done")
    return {
        "samples": samples,
        "floors": floor,
        "ingest_reports": reports,
        "plans": plans,
        "search_targets": targets.__dict__,
    }


def describe(url: str) -> dict[str, Any]:
    """What ``fill`` reports, read back from a database filled beforehand."""
    engine = create_engine(url)
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(text("SELECT status, count(*) FROM service_request GROUP BY status")).all()
        )
        locations = dict(
            conn.execute(
                text("SELECT location_code, count(*) FROM service_request GROUP BY location_code")
            ).all()
        )
        first, last = conn.execute(
            text("SELECT min(received_at), max(received_at) FROM service_request")
        ).one()
        counters = int(conn.scalar(text("SELECT count(*) FROM number_counter")) or 0)
    engine.dispose()
    return {
        "statuses": statuses,
        "locations": locations,
        "counters": counters,
        "counters_behind": check_counters(url)[:10],
        "first_received": str(first) if first else None,
        "last_received": str(last) if last else None,
        "rss_after_generate_mb": peak_rss_mb(),
    }


def bench_existing(url: str, args: argparse.Namespace, reference: ReferenceData) -> dict[str, Any]:
    """Measure a database filled beforehand."""
    kind = "postgresql" if url.startswith("postgresql") else "sqlite"
    filled = describe(url)
    ctx = DeskContext(make_engine(url), reference)
    try:
        measured = measure(ctx, args)
        facts = database_facts(ctx, url)
    finally:
        ctx.close()
    requests = sum(filled["statuses"].values())
    return {
        "kind": kind,
        "requests": requests,
        "analyzed": None,
        **filled,
        **measured,
        **facts,
        "peak_rss_mb": peak_rss_mb(),
    }


def bench_database(
    kind: str, url: str, args: argparse.Namespace, reference: ReferenceData
) -> dict[str, Any]:
    """Fill one database and measure it; return everything the report needs."""
    print(f"== {kind}: generating {args.requests:,} requests", file=sys.stderr, flush=True)
    filled = fill(url, args, reference)
    ctx = DeskContext(make_engine(url), reference)
    try:
        measured = measure(ctx, args)
        facts = database_facts(ctx, url)
    finally:
        ctx.close()
    measured["samples"].insert(0, filled.pop("sample"))
    return {
        "kind": kind,
        "requests": args.requests,
        "analyzed": args.analyze or kind == "postgresql",
        **filled,
        **measured,
        **facts,
        "peak_rss_mb": peak_rss_mb(),
    }


def code_version() -> str:
    """Return the commit of the desk's code measured (``+changes`` when the tree is dirty)."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                "disdukcapil_desk",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def machine() -> dict[str, Any]:
    """Return what the figures were measured on."""
    return {
        "code": code_version(),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "psycopg": psycopg.__version__,
        "sqlite": sqlite3.sqlite_version,
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks and print the report."""
    args = parse_args(argv)
    if args.report:
        print(report.text(json.loads(args.report.read_text()), explain=args.explain))
        return 0
    reference = load_reference_data()
    kinds = [k for k in ("sqlite", "postgresql") if args.only in (None, k)]
    if "postgresql" in kinds and not args.pg:
        print(f"PostgreSQL skipped: no --pg and no ${PG_ENV}", file=sys.stderr)
        kinds.remove("postgresql")
    results = []
    if args.db:
        kinds = ["postgresql" if args.db.startswith("postgresql") else "sqlite"]
        results.append(bench_existing(args.db, args, reference))
    for kind in kinds if not args.db else []:
        database = (
            sqlite_database(args.keep)
            if kind == "sqlite"
            else postgres_database(args.pg, args.keep)
        )
        with database as url:
            results.append(bench_database(kind, url, args, reference))
    started = dt.datetime.now(dt.UTC)
    document = {
        "finished_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "args": {
            k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "pg"
        },
        "databases": [report.as_json(r) for r in results],
    }
    print(report.text(document, explain=args.explain))
    args.out.mkdir(parents=True, exist_ok=True)
    size = results[0]["requests"] if args.db else args.requests
    path = args.out / f"run-{started:%Y%m%d-%H%M%S}-{'-'.join(kinds)}-{size}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        args.json.write_text(path.read_text())
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
