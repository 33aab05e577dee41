"""Benchmark of the recap: a month and a year of an office-scale database, SQLite and PostgreSQL.

Each database is filled once with ``bench.generate.generate`` (``--requests`` over ``--years`` up
to a fixed now, as years of the desk would leave them), or taken as it is (``--db URL``). Then,
for each period (the last 31 and 365 days), each case runs in its own process so that its peak
memory is its own:

- ``figures``: ``Recaps.build_recap(register=False)``, the recap without the register (time;
  the goal is absolute: a month ≤ 1 s, a year ≤ 3 s). Its floor is one bare ``GROUP BY`` of the
  period's requests by service, the least any recap of the period reads;
- ``register``: ``Recaps.build_recap`` with the register (time, peak RSS, and the register
  phase, from the progress callback: the rows read, named and written);
- ``bare``: the same register rows, fetched beforehand, written with bare openpyxl write-only
  ``ws.append`` (time, peak RSS). The register's ratio is register phase / bare write.

Usage: ``python -m bench.recap_bench [--requests 1000000] [--pg URL] [--kinds sqlite,postgresql]
[--periods 31,365] [--db URL] [--cases floor,figures,register,bare] [--json FILE]``.
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
PERIOD_NAMES = {31: "month", 365: "year"}
GOALS = {31: 1.0, 365: 3.0}
"""Seconds a recap without the register may take (issue: month ≤ 1 s, year ≤ 3 s)."""
CASES = ("floor", "figures", "register", "bare")
REGISTER_GOAL = 1.15
"""The register phase at most this many times bare openpyxl write-only."""


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
    now = max(NOW, _last_write(ctx))
    ctx.clock = lambda: now
    return ctx, Role


def _last_write(ctx: Any) -> dt.datetime:
    """The latest change in the database (a database generated after ``NOW`` is recapped as
    of its own time: no request of it finished after the recap's today, as in real use).
    """
    from sqlalchemy import func, select

    from disdukcapil_desk.db.models import ServiceRequest as SR

    with ctx.sessions() as session:
        found = session.execute(select(func.max(SR.updated_at))).scalar()
    return found or NOW


def _period(days: int, now: dt.datetime) -> tuple[dt.date, dt.date]:
    last = now.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    return last - dt.timedelta(days=days - 1), last


def run_recap(url: str, days: int, out: Path, register: bool) -> dict[str, float]:
    """One recap export (in a child process)."""
    from sqlalchemy import event

    from disdukcapil_desk.domain.dto import Actor
    from disdukcapil_desk.operations.recaps import Recaps

    ctx, role = _context(url)
    first, last = _period(days, ctx.clock())
    marks: dict[str, float] = {}
    statements = [0]

    def counted(*_: Any) -> None:
        statements[0] += 1

    event.listen(ctx.engine, "before_cursor_execute", counted)

    def progress(done: int, total: int) -> None:
        marks.setdefault("register_start", time.perf_counter())
        marks["register_end"] = time.perf_counter()

    recaps = Recaps(ctx)
    actor = Actor("bench", role.SECTION_HEAD)
    recaps.recap_data(actor, last, last, None)  # connect, load names: not the recap's time
    statements[0] = 0
    base = _peak_mb()
    started = time.perf_counter()
    result = recaps.build_recap(actor, first, last, None, out, register=register, progress=progress)
    seconds = time.perf_counter() - started
    ctx.close()
    return {
        "rows": result.rows,
        "received": result.received,
        "seconds": seconds,
        "register_seconds": marks.get("register_end", 0.0) - marks.get("register_start", 0.0),
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
    first, last = _period(days, ctx.clock())
    recaps = Recaps(ctx)
    data = recaps.recap_data(Actor("bench", role.SECTION_HEAD), first, last, None)
    with ctx.sessions() as session:
        rows = [tuple(r) for r in recaps._register(session, data, None, False, None, None)]
    ctx.close()
    base = _peak_mb()
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Register")
    for index, row in enumerate(rows, start=1):
        ws.append((index, *row))
    wb.save(out)
    seconds = time.perf_counter() - started
    return {"rows": len(rows), "seconds": seconds, "peak_mb": _peak_mb(), "base_mb": base}


def run_floor(url: str, days: int) -> dict[str, float]:
    """The bare floor of a recap without the register: one ``GROUP BY`` of the period."""
    from sqlalchemy import func, select

    from disdukcapil_desk.db.models import ServiceRequest as SR
    from disdukcapil_desk.domain.clock import WIB

    ctx, _ = _context(url)
    first, last = _period(days, ctx.clock())
    start = dt.datetime.combine(first, dt.time(), WIB)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), WIB)
    stmt = (
        select(SR.service_code, func.count())
        .where(SR.received_at >= start, SR.received_at < end)
        .group_by(SR.service_code)
    )
    best = float("inf")
    with ctx.engine.connect() as conn:
        for _ in range(3):
            started = time.perf_counter()
            conn.execute(stmt).all()
            best = min(best, time.perf_counter() - started)
    ctx.close()
    return {"seconds": best}


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


def _run_child(kind: str, url: str, days: int, out: Path) -> dict[str, float]:
    if kind == "figures":
        return run_recap(url, days, out, register=False)
    if kind == "register":
        return run_recap(url, days, out, register=True)
    if kind == "floor":
        return run_floor(url, days)
    return run_bare(url, days, out)


def _fresh(kind: str, pg_admin: str | None, tmp: Path) -> str:
    from disdukcapil_desk.db.engine import make_engine, sqlite_url
    from disdukcapil_desk.operations.context import DeskContext, load_reference_data
    from disdukcapil_desk.operations.setup import SetupOps

    if kind == "sqlite":
        url = sqlite_url(tmp / f"bench-{uuid.uuid4().hex[:6]}.sqlite3")
    else:
        assert pg_admin, "PostgreSQL needs --pg URL"
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


def _figures(kind: str, days: int, cases: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """The JSON figures of one database and period: name, desk, floor, unit, ratio."""
    period = PERIOD_NAMES.get(days, f"{days}d")
    result = []
    if "figures" in cases and "floor" in cases:
        figures, floor = cases["figures"], cases["floor"]
        result.append(
            {
                "name": f"recap {period} without the register, {kind}",
                "desk": round(figures["seconds"], 3),
                "floor": round(floor["seconds"], 3),
                "unit": "s",
                "ratio": round(figures["seconds"] / max(floor["seconds"], 1e-6), 1),
                "goal": f"<= {GOALS.get(days, 3.0):g} s",
                "requests": figures["received"],
                "statements": figures["statements"],
            }
        )
    if "register" in cases and "bare" in cases:
        register, bare = cases["register"], cases["bare"]
        result.append(
            {
                "name": f"recap {period} register sheet, {kind}",
                "desk": round(register["register_seconds"], 2),
                "floor": round(bare["seconds"], 2),
                "unit": "s",
                "ratio": round(register["register_seconds"] / bare["seconds"], 3),
                "goal": f"<= {REGISTER_GOAL}x",
                "rows": register["rows"],
                "whole_recap_seconds": round(register["seconds"], 2),
                "peak_mb": round(register["peak_mb"]),
                "bare_peak_mb": round(bare["peak_mb"]),
            }
        )
    return result


def _line(kind: str, days: int, cases: dict[str, dict[str, float]]) -> str:
    empty = {"seconds": float("nan"), "received": float("nan"), "register_seconds": float("nan")}
    empty |= {"peak_mb": float("nan")}
    figures = cases.get("figures", empty)
    register, bare = cases.get("register", empty), cases.get("bare", empty)
    floor = cases.get("floor", empty)
    ratio = register["register_seconds"] / bare["seconds"]
    return (
        f"| {kind} | {PERIOD_NAMES.get(days, days)} | {figures['received']:,.0f} | "
        f"{figures['seconds']:.2f} | {floor['seconds']:.3f} | "
        f"{register['register_seconds']:.1f} | {bare['seconds']:.1f} | {ratio:.2f} | "
        f"{register['peak_mb']:.0f} / {bare['peak_mb']:.0f} | {register['seconds']:.1f} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print a table (and the figures as JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=4, metavar=("KIND", "URL", "DAYS", "OUT"))
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=4.0)
    parser.add_argument("--periods", default="31,365", help="days of each recap, up to now")
    parser.add_argument("--pg", default=None, help="PostgreSQL admin URL")
    parser.add_argument("--kinds", default="sqlite,postgresql")
    parser.add_argument("--db", action="append", default=[], help="use this database as it is")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument(
        "--cases",
        default=",".join(CASES),
        help="which cases to run (floor,figures,register,bare); without register and bare the "
        "register sheet is not measured",
    )
    args = parser.parse_args(argv)
    if args.child:
        kind, url, days, out = args.child
        print(json.dumps(_run_child(kind, url, int(days), Path(out))))
        return 0
    from bench.generate import generate

    lines = [
        "| db | period | requests | recap without register s | floor GROUP BY s | register s "
        "| bare openpyxl s | ratio | peak MB recap / bare | whole recap s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    report: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("postgresql" if u.startswith("postgresql") else "sqlite", u) for u in args.db]
        targets = targets or [(kind, "") for kind in args.kinds.split(",")]
        for kind, given in targets:
            url = given or _fresh(kind, args.pg, Path(tmp))
            try:
                if not given:
                    started = time.perf_counter()
                    generate(url, args.requests, seed=7, now=NOW, years=args.years)
                    print(
                        f"{kind} {args.requests:,}: generated in "
                        f"{time.perf_counter() - started:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                for days in (int(d) for d in args.periods.split(",")):
                    cases = {
                        case: _child(case, url, days)
                        for case in CASES
                        if case in args.cases.split(",")
                    }
                    lines.append(_line(kind, days, cases))
                    report += _figures(kind, days, cases)
                    print(lines[-1], json.dumps(cases), file=sys.stderr, flush=True)
            finally:
                if not given:
                    _drop(url, args.pg)
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"bench": "recap", "figures": report}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
