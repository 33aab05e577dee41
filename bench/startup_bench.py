"""How long the desk takes to start, beside the bare libraries in the same run.

    python bench/startup_bench.py [--reps 5] [--platform offscreen] [--json FILE]

Every figure is a fresh process, timed from its start to its end, with the CPU it used
(user + system, from ``wait4``); desk and floor alternate in each repetition so a loaded
machine weighs on both alike:

- ``--version``: ``python -m disdukcapil_desk --version`` beside python + argparse answering
  ``--version``;
- ``--help``: the desk's whole help beside argparse's help of one option;
- start → login dialog painted: the window on a fresh SQLite database (``db init`` first) until
  the login dialog's first paint, beside a bare PySide6 ``QWidget`` until its first paint. The
  child ends itself (``os._exit``) in that paint event.

The children run with bytecode caches written (the untimed warm-up writes ``__pycache__``), as
an installed desk has them; ``--compile-each-run`` keeps ``$PYTHONDONTWRITEBYTECODE`` when set.

Run it from the repository (the package imports from here). Prints the median of each (its
CPU), the floor's, and the ratio; the machine's load beside them. ``--json FILE`` also writes
the figures (name, desk, floor, unit, ratio; CPU beside) for the lead's table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ARGPARSE_FLOOR = """
import argparse
parser = argparse.ArgumentParser(prog="disdukcapil-desk")
parser.add_argument("--version", action="version", version="%(prog)s 0.1.0")
parser.parse_args({argv!r})
"""

QT_FLOOR = """
import os, sys
from PySide6.QtWidgets import QApplication, QWidget

class Painted(QWidget):
    def paintEvent(self, event):
        super().paintEvent(event)
        os._exit(0)

app = QApplication(sys.argv[:1])
widget = Painted()
widget.resize(360, 200)
widget.show()
app.exec()
os._exit(3)
"""

DESK_LOGIN = """
import os, sys
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog

_paint = LoginDialog.paintEvent

def _painted(self, event):
    _paint(self, event)
    os._exit(0)

LoginDialog.paintEvent = _painted
from disdukcapil_desk.__main__ import main

sys.argv = ["disdukcapil-desk", *{argv!r}]
main()
os._exit(3)  # the window ended without painting the login
"""


@dataclass
class Series:
    """The wall and CPU seconds of each run of one process."""

    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def median(self) -> tuple[float, float]:
        """(wall, CPU) medians."""
        return statistics.median(self.wall), statistics.median(self.cpu)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``command`` once; (wall seconds, CPU seconds). Raises on a non-zero exit."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}… ended {process.returncode}: {error[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime


def prepare(folder: Path, env: dict[str, str]) -> list[str]:
    """A fresh SQLite database with its schema; the window's arguments for it."""
    base = ["--basedir", str(folder), "--db", f"sqlite:///{folder / 'desk.db'}"]
    subprocess.run(
        [sys.executable, "-m", "disdukcapil_desk", *base, "db", "init"],
        cwd=ROOT,
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return base


def cases(window_args: list[str]) -> list[tuple[str, list[str], list[str]]]:
    """(figure, desk command, floor command) of each row."""
    python = sys.executable
    return [
        (
            "--version",
            [python, "-m", "disdukcapil_desk", "--version"],
            [python, "-c", ARGPARSE_FLOOR.format(argv=["--version"])],
        ),
        (
            "--help",
            [python, "-m", "disdukcapil_desk", "--help"],
            [python, "-c", ARGPARSE_FLOOR.format(argv=["--help"])],
        ),
        (
            "start → login painted",
            [python, "-c", DESK_LOGIN.format(argv=window_args)],
            [python, "-c", QT_FLOOR],
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """Time every row ``--reps`` times and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="runs of each process (default 5)")
    parser.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM for the window")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    parser.add_argument(
        "--compile-each-run",
        action="store_true",
        help="keep $PYTHONDONTWRITEBYTECODE: every run compiles the desk's sources again",
    )
    args = parser.parse_args(argv)
    env = {**os.environ, "QT_QPA_PLATFORM": args.platform, "PYTHONPATH": str(ROOT)}
    env.pop("DISDUKCAPIL_DB", None)
    if not args.compile_each_run:  # an installed desk has its bytecode: the warm-up writes it
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as folder:
        rows = cases(prepare(Path(folder), env))
        results = [(name, Series(name), Series(f"{name} floor")) for name, _, _ in rows]
        for command, floor_command in [(desk, floor) for _, desk, floor in rows]:
            timed(command, env)  # one untimed run of each: the files in the page cache
            timed(floor_command, env)
        for rep in range(args.reps):
            for (_, desk, floor), (_, desk_series, floor_series) in zip(rows, results, strict=True):
                for command, series in ((desk, desk_series), (floor, floor_series)):
                    wall, cpu = timed(command, env)
                    series.wall.append(wall)
                    series.cpu.append(cpu)
            print(f"repetition {rep + 1}/{args.reps} done", file=sys.stderr)
    load_after = os.getloadavg()
    print(f"{'figure':<24} {'desk s (CPU)':>16} {'floor s (CPU)':>16} {'ratio (CPU)':>14}")
    for name, desk_series, floor_series in results:
        (desk_wall, desk_cpu), (floor_wall, floor_cpu) = desk_series.median(), floor_series.median()
        print(
            f"{name:<24} {desk_wall:>7.3f} ({desk_cpu:5.3f}) {floor_wall:>7.3f} ({floor_cpu:5.3f})"
            f" {desk_wall / floor_wall:>6.1f}x ({desk_cpu / floor_cpu:4.1f}x)"
        )
    if args.json is not None:
        args.json.write_text(
            json.dumps(_figures(results, args, load_before, load_after), indent=2) + "\n",
            encoding="utf-8",
        )
    print(
        f"medians of {args.reps} runs; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after; {os.cpu_count()} CPUs; QPA {args.platform}; "
        f"bytecode {'compiled each run' if 'PYTHONDONTWRITEBYTECODE' in env else 'cached'}"
    )
    return 0


def _figures(
    results: list[tuple[str, Series, Series]],
    args: argparse.Namespace,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> dict[str, object]:
    """The JSON of the run: each figure's medians and ratio, and the conditions."""
    figures = []
    for name, desk_series, floor_series in results:
        (desk_wall, desk_cpu), (floor_wall, floor_cpu) = desk_series.median(), floor_series.median()
        figures.append(
            {
                "name": name,
                "desk": round(desk_wall, 4),
                "floor": round(floor_wall, 4),
                "unit": "s",
                "ratio": round(desk_wall / floor_wall, 2),
                "desk_cpu": round(desk_cpu, 4),
                "floor_cpu": round(floor_cpu, 4),
                "ratio_cpu": round(desk_cpu / floor_cpu, 2),
            }
        )
    return {
        "bench": "startup",
        "reps": args.reps,
        "platform": args.platform,
        "load_before": round(load_before[0], 2),
        "load_after": round(load_after[0], 2),
        "cpus": os.cpu_count(),
        "figures": figures,
    }


if __name__ == "__main__":
    sys.exit(main())
