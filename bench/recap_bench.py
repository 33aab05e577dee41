"""Benchmark of the recap export: a one-month and a one-year recap on SQLite and PostgreSQL.

For each database and size the bench fills a fresh database with ``bench.generate.generate``
(Core inserts / COPY, the requests spread over the recap period), then runs each case in its own
process so that peak memory is the case's own:

- ``recap``: ``Recaps.build_recap`` to an ``.xlsx`` (time, peak RSS, time of the register phase,
  taken from the progress callback, and the SQL statements it sent: a constant, whatever the
  number of requests, since every figure is a ``GROUP BY``);
- ``bare``: the same register rows, fetched beforehand, written with bare openpyxl write-only
  ``ws.append`` (time, peak RSS). The ratio is recap register phase / bare write.

Usage: ``python -m bench.recap_bench [--sizes 30000,400000] [--pg URL]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
CASES = {30_000: 31, 400_000: 365}
"""Requests → days of the period they arrive in (and the recap covers)."""


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss survives exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _context(url: str) -> Any:
    from disdukcapil_desk.domain.workflow import Role
    from disdukcapil_desk.operations.context import DeskContext, load_reference_data

    ctx = DeskContext.open(url, load_reference_data())
    ctx.clock = lambda: NOW
    return ctx, Role


def _period(days: int) -> tuple[dt.date, dt.date]:
    last = NOW.date()
    return last - dt.timedelta(days=days - 1), last


def run_recap(url: str, days: int, out: Path) -> dict[str, float]:
    """One recap export (in a child process)."""
    from sqlalchemy import event

    from disdukcapil_desk.domain.dto import Actor
    from disdukcapil_desk.operations.recaps import Recaps

    ctx, role = _context(url)
    first, last = _period(days)
    marks: dict[str, float] = {}
    statements = [0]

    def counted(*_: Any) -> None:
        statements[0] += 1

    event.listen(ctx.engine, "before_cursor_execute", counted)

    def progress(done: int, total: int) -> None:
        marks.setdefault("register_start", time.perf_counter())
        marks["register_end"] = time.perf_counter()

    base = _peak_mb()
    started = time.perf_counter()
    result = Recaps(ctx).build_recap(
        Actor("bench", role.SECTION_HEAD), first, last, None, out, progress=progress
    )
    seconds = time.perf_counter() - started
    return {
        "rows": result.rows,
        "seconds": seconds,
        "register_seconds": marks["register_end"] - marks["register_start"],
        "peak_mb": _peak_mb(),
        "base_mb": base,
        "size_mb": out.stat().st_size / 1e6,
        "statements": statements[0],
    }


def run_bare(url: str, days: int, out: Path) -> dict[str, float]:
    """Bare openpyxl write-only of the same register rows (in a child process)."""
    from openpyxl import Workbook

    from disdukcapil_desk.domain.dto import Actor
    from disdukcapil_desk.operations.recaps import Recaps

    ctx, role = _context(url)
    first, last = _period(days)
    recaps = Recaps(ctx)
    data = recaps.recap_data(Actor("bench", role.SECTION_HEAD), first, last, None)
    with ctx.sessions() as session:
        rows = [tuple(r) for r in recaps._register(session, data, None, False, None, None)]
    base = _peak_mb()
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Register")
    for index, row in enumerate(rows, start=1):
        ws.append((index, *row))
    wb.save(out)
    seconds = time.perf_counter() - started
    return {"rows": len(rows), "seconds": seconds, "peak_mb": _peak_mb(), "base_mb": base}


def _child(kind: str, url: str, days: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.recap_bench",
                "--child",
                kind,
                url,
                str(days),
                str(Path(tmp) / "out.xlsx"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _fresh(kind: str, pg_admin: str | None, tmp: Path) -> str:
    from disdukcapil_desk.db.engine import make_engine, sqlite_url
    from disdukcapil_desk.operations.context import DeskContext, load_reference_data
    from disdukcapil_desk.operations.setup import SetupOps

    if kind == "sqlite":
        url = sqlite_url(tmp / f"bench-{uuid.uuid4().hex[:6]}.sqlite3")
    else:
        assert pg_admin
        name = f"recap_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(pg_admin).set(database=name).render_as_string(False)
    ctx = DeskContext(make_engine(url), load_reference_data())
    SetupOps(ctx).init()
    ctx.close()
    return url


def _drop(url: str, pg_admin: str | None) -> None:
    if pg_admin and url.startswith("postgresql"):
        admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = make_url(url).database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=4, metavar=("KIND", "URL", "DAYS", "OUT"))
    parser.add_argument("--sizes", default="30000,400000")
    parser.add_argument("--pg", default=None, help="PostgreSQL admin URL")
    parser.add_argument("--kinds", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    if args.child:
        kind, url, days, out = args.child
        runner = run_recap if kind == "recap" else run_bare
        print(json.dumps(runner(url, int(days), Path(out))))
        return 0
    from bench.generate import generate

    lines = [
        "| db | requests | period | recap s | register s | peak MB | bare s | bare MB | ratio "
        "| statements |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                days = CASES.get(size, 31)
                url = _fresh(kind, args.pg, Path(tmp))
                try:
                    t = time.perf_counter()
                    generate(url, size, seed=7, now=NOW, years=days / 365.25)
                    print(
                        f"{kind} {size}: generated in {time.perf_counter() - t:.1f} s", flush=True
                    )
                    recap = _child("recap", url, days)
                    bare = _child("bare", url, days)
                finally:
                    _drop(url, args.pg)
                ratio = recap["register_seconds"] / bare["seconds"]
                line = (
                    f"| {kind} | {recap['rows']:,} | {days} d | {recap['seconds']:.1f} | "
                    f"{recap['register_seconds']:.1f} | {recap['peak_mb']:.0f} | "
                    f"{bare['seconds']:.1f} | {bare['peak_mb']:.0f} | {ratio:.2f} | "
                    f"{recap['statements']} |"
                )
                lines.append(line)
                print(line, json.dumps({"recap": recap, "bare": bare}), flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
