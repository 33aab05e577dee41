"""The speed goals in one run: every figure of the table, the desk beside its floor.

One run makes one database of each kind with ``--requests`` generated requests (default
1,000,000), then runs every bench on it, each in its own process with ``--json``, and prints
one table: figure, database, desk, floor measured in the same run, ratio, goal, met. The
machine's load is read before and after each step and printed beside the figures.

    python -m bench.table [--requests 1000000] [--pg URL] [--only sqlite|postgresql]
                          [--skip startup,run,queue,window,recap,bundle]
                          [--sqlite-db URL] [--postgresql-db URL]   # filled beforehand

The steps:

- ``startup``: ``bench.startup_bench`` (``--version``, ``--help``, start → login painted; its
  floors are python + argparse and a bare PySide6 window);
- ``run``: ``bench.run --db`` (queue pages, searches, one officer's claims, ingest of 10,000
  rows at the database's size, the floors: Core insert, keyset page, trigram index);
- ``queue``: ``bench.queue_bench --db`` (a page beside its own SQL, 8 processes claiming
  beside a bare ``SKIP LOCKED`` claim);
- ``window``: ``bench.ui_bench --db`` (the window's first paint beside a bare ``QTableView``);
- ``recap``: ``bench.recap_bench --db`` (a month and a year without the register, the register
  beside bare openpyxl write-only);
- ``bundle``: ``bench.bundle_size`` over ``dist/`` (skipped when no bundle was built).

Writes ``bench/out/table-<time>.json`` with every step's own JSON.
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
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
STEPS = ("startup", "run", "queue", "window", "recap", "bundle")


@dataclass(frozen=True)
class Figure:
    """One line of the table."""

    name: str
    database: str
    desk: float | None
    floor: float | None
    unit: str
    goal: str
    met: bool | None
    ratio: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Goal:
    """A goal: at most ``ratio`` times the floor, and/or a bound on the desk's own figure."""

    text: str
    ratio: float | None = None
    at_most: float | None = None
    at_least: float | None = None

    def met(self, desk: float | None, ratio: float | None) -> bool | None:
        """Whether the figure reaches the goal (None when it could not be measured)."""
        if desk is None:
            return None
        checks = []
        if self.ratio is not None:
            checks.append(ratio is not None and ratio <= self.ratio)
        if self.at_most is not None:
            checks.append(desk <= self.at_most)
        if self.at_least is not None:
            checks.append(desk >= self.at_least)
        return all(checks)


def figure(
    name: str,
    database: str,
    desk: float | None,
    floor: float | None,
    unit: str,
    goal: Goal,
    *,
    rate: bool = False,
    note: str = "",
) -> Figure:
    """A line, its ratio (rates: the floor's over the desk's) and whether it meets its goal."""
    ratio = None
    if desk and floor:
        ratio = floor / desk if rate else desk / floor
    return Figure(name, database, desk, floor, unit, goal.text, goal.met(desk, ratio), ratio, note)


# -- running a step ---------------------------------------------------------------------------


def run_step(name: str, command: list[str], out: Path, loads: dict[str, Any]) -> dict[str, Any]:
    """Run one bench in its own process; return its JSON (``{}`` when it failed)."""
    target = out / f"{name}.json"
    before = os.getloadavg()[0]
    started = time.perf_counter()
    print(f"== {name}: {' '.join(command[2:])}", file=sys.stderr, flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [*command, "--json", str(target)], cwd=ROOT, env=env, check=False, stdout=sys.stderr
    )
    loads[name] = {
        "before": round(before, 2),
        "after": round(os.getloadavg()[0], 2),
        "seconds": round(time.perf_counter() - started, 1),
        "exit": proc.returncode,
    }
    if proc.returncode != 0 or not target.exists():
        print(f"   {name} failed ({proc.returncode})", file=sys.stderr, flush=True)
        return {}
    return json.loads(target.read_text())  # type: ignore[no-any-return]


def figures_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``figures`` list of a bench's JSON, by name."""
    return {f["name"]: f for f in document.get("figures", [])}


def _value(entry: dict[str, Any] | None, key: str) -> float | None:
    if not entry or entry.get(key) is None:
        return None
    return float(entry[key])


# -- the steps ------------------------------------------------------------------------------


def startup_figures(document: dict[str, Any]) -> list[Figure]:
    """``--version``, ``--help`` and the login, each beside its floor."""
    found = figures_of(document)
    two = Goal("<= 2x floor", ratio=2.0)
    rows = [("--version", "--version"), ("--help", "--help"), ("start → login painted",) * 2]
    return [
        figure(
            label,
            "-",
            _value(found.get(key), "desk"),
            _value(found.get(key), "floor"),
            "s",
            two,
        )
        for key, label in rows
    ]


def run_figures(document: dict[str, Any], kind: str) -> list[Figure]:
    """Ingest at the database's size, beside a Core insert of narrow rows."""
    databases = document.get("databases") or [{}]
    result = databases[0]
    samples = {s["key"]: s for s in result.get("samples", [])}
    floors = {s["key"]: s for s in result.get("floors", [])}
    ingest = samples.get("ingest", {})
    return [
        figure(
            f"ingest {ingest.get('rows') or 0:,} intake rows",
            kind,
            ingest.get("rows_per_s"),
            floors.get("floor.insert", {}).get("rows_per_s"),
            "rows/s",
            Goal(">= 2,000 rows/s", at_least=2000),
            rate=True,
        ),
    ]


def queue_figures(document: dict[str, Any], kind: str) -> list[Figure]:
    """Pages beside their own SQL, "Baru" over every location, the rare name beside the
    trigram index alone, 8 processes claiming beside a bare SKIP LOCKED claim.
    """
    found = figures_of(document)
    page = found.get("page DINAS, every status")
    cpu = found.get("page DINAS, every status (CPU)")
    new_all = found.get("page every location, status new")
    rare = found.get("search rare name 'kartini wijaya'")
    claims = next((f for name, f in found.items() if name.startswith("claims, ")), None)
    note = f"CPU {cpu['ratio']:.1f}x" if cpu and cpu.get("ratio") else ""
    return [
        figure(
            "queue page of 200 (floor: its own SQL)",
            kind,
            _value(page, "desk"),
            _value(page, "floor"),
            "ms",
            Goal("<= 3x its SQL", ratio=3.0),
            note=note,
        ),
        figure(
            'window: status "Baru", every location',
            kind,
            _value(new_all, "desk"),
            _value(new_all, "floor"),
            "ms",
            Goal("<= 50 ms", at_most=50.0),
        ),
        figure(
            "search a rare name (floor: the trigram index alone)",
            kind,
            _value(rare, "desk"),
            _value(rare, "floor"),
            "ms",
            Goal("<= 10x", ratio=10.0),
        ),
        figure(
            claims["name"].replace("claims, ", "claiming, ") if claims else "claiming",
            kind,
            _value(claims, "desk"),
            _value(claims, "floor"),
            "claims/s",
            Goal(">= 500 claims/s, <= 3x", ratio=3.0, at_least=500),
            rate=True,
        ),
    ]


def window_figures(document: dict[str, Any], kind: str) -> list[Figure]:
    """The window's first paint beside a bare QTableView."""
    found = figures_of(document).get(f"window first paint ({kind})")
    return [
        figure(
            "window first paint (floor: a bare QTableView)",
            kind,
            _value(found, "desk"),
            _value(found, "floor"),
            "ms",
            Goal("<= 2x floor", ratio=2.0),
        )
    ]


def recap_figures(document: dict[str, Any], kind: str) -> list[Figure]:
    """A month and a year without the register; the year's register beside bare openpyxl."""
    found = figures_of(document)
    month = found.get(f"recap month without the register, {kind}")
    year = found.get(f"recap year without the register, {kind}")
    register = found.get(f"recap year register sheet, {kind}")
    note = ""
    if register and register.get("peak_mb") is not None:
        note = f"{register.get('rows', 0):,} rows, peak {register['peak_mb']} MB"
        note += f" vs bare {register.get('bare_peak_mb')} MB"
    return [
        figure(
            "recap, a month, no register",
            kind,
            _value(month, "desk"),
            None,
            "s",
            Goal("<= 1 s", at_most=1.0),
        ),
        figure(
            "recap, a year, no register",
            kind,
            _value(year, "desk"),
            None,
            "s",
            Goal("<= 3 s", at_most=3.0),
        ),
        figure(
            "recap register sheet, a year (floor: bare openpyxl write-only)",
            kind,
            _value(register, "desk"),
            _value(register, "floor"),
            "s",
            Goal("<= 1.15x, memory flat", ratio=1.15),
            note=note,
        ),
    ]


def bundle_figures(document: dict[str, Any] | list[dict[str, Any]]) -> list[Figure]:
    """The bundle's size in MB (10^6 bytes, as the goal is written; MiB beside it)."""
    rows = document if isinstance(document, list) else document.get("figures", [])
    total = next((r for r in rows if r.get("name") == "bundle total"), None)
    size = total["bytes"] / 1e6 if total else None
    note = f"{total['desk']:.1f} MiB" if total else ""
    goal = Goal("<= 150 MB", at_most=150)
    return [figure("bundle, unpacked", "-", size, None, "MB", goal, note=note)]


# -- databases ------------------------------------------------------------------------------


def make_databases(stack: ExitStack, args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """Yield (kind, URL) of each database, filled with the generated requests."""
    from bench import run
    from disdukcapil_desk.operations.context import load_reference_data

    reference = load_reference_data()
    fill_args = argparse.Namespace(
        requests=args.requests, seed=args.seed, method="auto", analyze=False
    )
    for kind in ("sqlite", "postgresql"):
        if args.only not in (None, kind):
            continue
        filled = args.sqlite_db if kind == "sqlite" else args.postgresql_db
        if filled:  # generated beforehand (python -m bench.generate --db URL --init)
            yield kind, filled
            continue
        if kind == "postgresql" and not args.pg:
            print("PostgreSQL skipped: no --pg", file=sys.stderr)
            continue
        database = (
            run.sqlite_database(args.keep)
            if kind == "sqlite"
            else run.postgres_database(args.pg, args.keep)
        )
        url = stack.enter_context(database)
        print(f"== {kind}: generating {args.requests:,} requests", file=sys.stderr, flush=True)
        run.fill(url, fill_args, reference)
        yield kind, url


def database_steps(
    kind: str, url: str, args: argparse.Namespace
) -> list[tuple[str, list[str], Callable[[dict[str, Any]], list[Figure]]]]:
    """The benches run on one filled database: (step, command, how to read its JSON)."""
    python = [sys.executable, "-m"]
    reps = str(args.reps)
    steps: list[tuple[str, list[str], Callable[[dict[str, Any]], list[Figure]]]] = [
        (
            "window",
            [*python, "bench.ui_bench", "--db", url, "--reps", reps],
            lambda d: window_figures(d, kind),
        ),
        (
            "recap",
            [*python, "bench.recap_bench", "--db", url],
            lambda d: recap_figures(d, kind),
        ),
        (
            "queue",
            [*python, "bench.queue_bench", "--db", url, "--procs", str(args.procs)],
            lambda d: queue_figures(d, kind),
        ),
        # Last: its ingest adds requests to the database.
        (
            "run",
            [*python, "bench.run", "--db", url, "--reps", reps, "--claims", "50"],
            lambda d: run_figures(d, kind),
        ),
    ]
    return [step for step in steps if step[0] not in args.skip]


# -- the table ------------------------------------------------------------------------------


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| figure | database | desk | floor (same run) | ratio | goal | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}x"
        met = {True: "yes", False: "**no**", None: "not measured"}[f.met]
        note = f" ({f.note})" if f.note else ""
        lines.append(
            f"| {f.name}{note} | {f.database} | {_number(f.desk, f.unit)} | "
            f"{_number(f.floor, f.unit)} | {ratio} | {f.goal} | {met} |"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--pg", default=os.environ.get("DISDUKCAPIL_TEST_PG"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--procs", type=int, default=8, help="workstations claiming at once")
    parser.add_argument("--skip", default="", help=f"steps to leave out, of {','.join(STEPS)}")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--sqlite-db", help="a SQLite database filled beforehand (no generation)")
    parser.add_argument(
        "--postgresql-db", help="a PostgreSQL database filled beforehand (no generation)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.skip = {s for s in args.skip.split(",") if s}
    unknown = args.skip - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every step and print the table."""
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    loads: dict[str, Any] = {"start": round(os.getloadavg()[0], 2)}
    documents: dict[str, Any] = {}
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="desk-table-") as folder:
        out = Path(folder)
        python = [sys.executable, "-m"]
        if "startup" not in args.skip:
            doc = run_step(
                "startup", [*python, "bench.startup_bench", "--reps", str(args.reps)], out, loads
            )
            documents["startup"] = doc
            figures += startup_figures(doc)
        with ExitStack() as stack:
            for kind, url in make_databases(stack, args):
                for step, command, read in database_steps(kind, url, args):
                    doc = run_step(f"{step}-{kind}", command, out, loads)
                    documents[f"{step}-{kind}"] = doc
                    figures += read(doc)
        if "bundle" not in args.skip and (ROOT / "dist").is_dir():
            doc = run_step("bundle", [*python, "bench.bundle_size"], out, loads)
            documents["bundle"] = doc
            figures += bundle_figures(doc)
    loads["end"] = round(os.getloadavg()[0], 2)
    from bench.run import machine

    facts = machine()
    print(
        f"\nDisdukcapil Desk, {args.requests:,} requests, {started:%Y-%m-%d %H:%M} UTC; "
        f"{facts['cpus']} cores, Python {facts['python']}, desk code {facts['code']}; "
        f"load average {loads['start']} at the start, {loads['end']} at the end\n"
    )
    print(table(figures))
    print("\nload average (1 min) before → after each step, its seconds:")
    for step, load in loads.items():
        if isinstance(load, dict):
            print(f"  {step}: {load['before']} → {load['after']}, {load['seconds']} s")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"table-{started:%Y%m%d-%H%M%S}-{args.requests}.json"
    document = {
        "started_at": started.isoformat(timespec="seconds"),
        "requests": args.requests,
        "machine": facts,
        "loads": loads,
        "figures": [asdict(f) for f in figures],
        "steps": documents,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
