"""The desk window over an office-sized queue: first paint, filter, search, memory.

For each database (a temporary SQLite file; PostgreSQL with ``--pg URL`` or
``$DISDUKCAPIL_TEST_PG``) a fresh database gets ``--requests`` requests (default 200,000) from
``bench.generate``; then a child process (so memory figures are the desk's own) opens the real
``MainWindow`` offscreen as the dinas counter officer, with the real threaded ``TaskRunner`` the
desk runs with (every database call on its worker thread, the answer delivered on the GUI
thread), and measures, with a synchronous repaint of the queue table after each step:

- first paint: window constructed, shown, ``start()``ed, its first keyset page arrived from the
  worker (the event loop runs until the queue says so), then the whole window repainted;
- filter: status "Baru" chosen; overdue ticked; a service chosen;
- search: a name fragment, a full NIK, a request number typed into the search box + Enter;
- scroll: 10 more pages fetched by scrolling to the bottom;
- memory: resident set size after opening and after everything (``/proc/self/status``).

The floor of the first paint, in the same child: a bare ``QTableView`` over a
``QStandardItemModel`` filled with the same first page (200 rows of the office, newest first)
read by one plain SQL statement on an engine already connected; shown, its events processed,
then the whole view repainted. ``--db URL`` measures a database filled beforehand (the filter
and search steps open and claim a request: give it a copy).

Usage: ``python bench/ui_bench.py [--requests N] [--pg URL] [--only sqlite|postgresql]
[--json FILE]`` (``--json`` writes each figure's name, desk, floor, unit and ratio).
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
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    """Current resident set size of this process in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(url: str, requests: int) -> None:
    """Schema, master data and ``requests`` generated requests."""
    from bench.generate import ensure_officers, generate
    from disdukcapil_desk.operations.context import DeskContext
    from disdukcapil_desk.operations.setup import SetupOps

    ctx = DeskContext.open(url, create=True)
    SetupOps(ctx).init()
    ensure_officers(ctx)
    ctx.close()
    started = time.perf_counter()
    generate(url, requests, seed=11)
    print(f"  generated {requests:,} requests in {time.perf_counter() - started:.1f} s")


def child(url: str, reps: int) -> dict[str, object]:
    """Open the window and measure (runs in its own process)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from bench.generate import BENCH_PASSWORD, officer_login
    from disdukcapil_desk.operations.context import DeskContext
    from disdukcapil_desk.operations.users import UserOps
    from disdukcapil_desk.ui.main_window import MainWindow
    from disdukcapil_desk.ui.session import DeskSession
    from disdukcapil_desk.ui.tasks import TaskRunner, guard_database_access
    from disdukcapil_desk.ui.workstation import WorkstationSettings

    app = QApplication.instance() or QApplication([])
    base_rss = rss_mb()
    ctx = DeskContext.open(url)
    actor = UserOps(ctx).authenticate(officer_login("DINAS"), BENCH_PASSWORD)
    settings = WorkstationSettings(Path(tempfile.mkdtemp()) / "ws.ini")
    settings.set_location("DINAS")
    figures: dict[str, object] = {"rss_qt_only_mb": round(base_rss, 1)}
    runner = TaskRunner()  # one for the desk's life, as the shell keeps it across logins
    ctx.add_checkout_guard(guard_database_access)  # as the desk: the window never on the GUI thread

    def open_window() -> MainWindow:
        window = MainWindow(DeskSession(ctx, actor, "DINAS"), runner, settings, database_label=url)
        window.resize(1366, 768)
        window.show()
        window.start()
        _wait_for(app, window.queue.loaded)
        window.repaint()  # the whole window, its first page in the table
        return window

    first = []
    for _ in range(reps):
        first.append(timed(open_window))
        app.processEvents()  # the window asks its other start-up calls once it has painted
        runner.wait_idle(120)  # they end before the next window opens
    for _, earlier in first[:-1]:
        earlier.close()
    runner.wait_idle(120)
    figures["first_paint_ms"] = summary([t for t, _ in first])
    figures["floor_first_paint_ms"] = floor_first_paint(app, url, reps)
    window = first[-1][1]
    figures["rss_after_open_mb"] = round(rss_mb(), 1)
    queue = window.queue

    def paint() -> None:
        queue.table.viewport().repaint()

    def loaded(action: Callable[[], None]) -> Callable[[], None]:
        """``action``, then wait for the page it asked the worker for, then paint."""
        return lambda: (_wait_for(app, queue.loaded, action), paint())

    cases: list[tuple[str, Callable[[], None], Callable[[], None]]] = [
        (
            "filter_status_new",
            lambda: queue.status.setCurrentIndex(queue.status.findData("new")),
            lambda: queue.status.setCurrentIndex(0),
        ),
        (
            "filter_overdue",
            lambda: queue.overdue.setChecked(True),
            lambda: queue.overdue.setChecked(False),
        ),
        (
            "filter_service_kia",
            lambda: queue.service.setCurrentIndex(queue.service.findData("kia")),
            lambda: queue.service.setCurrentIndex(0),
        ),
    ]
    sample = window.session.page(queue.current_filter, None, 1).rows
    needles = {"search_name": "hartono"}
    if sample:
        needles["search_number"] = sample[0].number
    nik = _one_nik(ctx)
    if nik:
        needles["search_nik"] = nik
    for name, text in needles.items():
        cases.append((name, _typer(queue, text), _typer(queue, "")))
    for name, apply, undo in cases:
        samples = []
        for _ in range(reps):
            samples.append(timed(loaded(apply))[0])
            runner.wait_idle(120)
            loaded(undo)()
            runner.wait_idle(120)
        figures[f"{name}_ms"] = summary(samples)
        figures[f"{name}_rows"] = None
    figures["scroll_10_pages_ms"] = summary([timed(lambda: _scroll(app, queue, paint))[0]])
    figures["rows_loaded_after_scroll"] = queue.model.rowCount()
    figures["rss_end_mb"] = round(rss_mb(), 1)
    runner.wait_idle(120)
    window.close()
    runner.shutdown()
    ctx.close()
    return {k: v for k, v in figures.items() if v is not None}


FLOOR_PAGE = (
    "SELECT id, number, service_code, applicant_name, status, received_at FROM service_request"
    " WHERE location_code = 'DINAS' ORDER BY received_at DESC, id DESC LIMIT 200"
)


def floor_first_paint(app: object, url: str, reps: int) -> dict[str, float]:
    """A bare QTableView over the first page read by plain SQL: shown and painted (ms)."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    kept: list[QTableView] = []
    with engine.connect() as conn:
        conn.execute(text(FLOOR_PAGE)).all()  # connected and warm, as the desk's context is

        def open_table() -> QTableView:
            rows = conn.execute(text(FLOOR_PAGE)).all()
            model = QStandardItemModel(len(rows), 6)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    model.setItem(r, c, QStandardItem(str(value)))
            view = QTableView()
            view.setModel(model)
            view.resize(1366, 768)
            view.show()
            app.processEvents()  # type: ignore[attr-defined]
            view.repaint()
            kept.append(view)
            return view

        samples = [timed(open_table)[0] for _ in range(reps)]
    for view in kept:
        view.close()
    engine.dispose()
    return summary(samples)


def json_figures(results: dict[str, object]) -> list[dict[str, object]]:
    """Each database's first paint beside its floor (name, desk, floor, unit, ratio)."""
    figures: list[dict[str, object]] = []
    for kind, found in results.items():
        if not isinstance(found, dict) or "floor_first_paint_ms" not in found:
            continue
        desk = found["first_paint_ms"]["median"]
        floor = found["floor_first_paint_ms"]["median"]
        figures.append(
            {
                "name": f"window first paint ({kind})",
                "desk": desk,
                "floor": floor,
                "unit": "ms",
                "ratio": round(desk / floor, 2) if floor else None,
            }
        )
    return figures


def _typer(queue: object, text: str) -> Callable[[], None]:
    def type_and_enter() -> None:
        queue.search.setText(text)  # type: ignore[attr-defined]
        queue.search.returnPressed.emit()  # type: ignore[attr-defined]

    return type_and_enter


def _scroll(app: object, queue: object, paint: Callable[[], None]) -> None:
    table = queue.table  # type: ignore[attr-defined]
    model = queue.model  # type: ignore[attr-defined]
    for _ in range(10):
        _wait_for(app, model.rowsInserted, table.scrollToBottom)
        paint()


def _wait_for(app: object, signal: object, action: Callable[[], object] | None = None) -> None:
    """Run ``action``, then run the event loop until ``signal`` fires (the worker answered and
    the window took the answer); events queued behind it wait for the caller's repaint.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    fired: list[object] = []

    def hit(*_args: object) -> None:
        fired.append(True)
        loop.quit()

    timeout = QTimer()
    timeout.setSingleShot(True)
    timeout.timeout.connect(loop.quit)
    signal.connect(hit)  # type: ignore[attr-defined]
    try:
        if action is not None:
            action()
        if not fired:
            timeout.start(120_000)
            loop.exec()
        if not fired:
            raise TimeoutError("the window's answer did not come within 120 s")
    finally:
        timeout.stop()
        signal.disconnect(hit)  # type: ignore[attr-defined]


def _one_nik(ctx: object) -> str | None:
    from sqlalchemy import select

    from disdukcapil_desk.db.models import ServiceRequest

    with ctx.reading() as session:  # type: ignore[attr-defined]
        return session.scalar(
            select(ServiceRequest.nik).where(ServiceRequest.location_code == "DINAS").limit(1)
        )


def timed(work: Callable[[], object]) -> tuple[float, object]:
    """Milliseconds taken by ``work`` and its result."""
    started = time.perf_counter()
    result = work()
    return (time.perf_counter() - started) * 1000, result


def summary(samples: list[float]) -> dict[str, float]:
    """Median and min of samples in ms."""
    return {"median": round(statistics.median(samples), 1), "min": round(min(samples), 1)}


def run_database(kind: str, url: str, requests: int, reps: int) -> dict[str, object]:
    """Prepare, then measure in a child process."""
    print(f"[{kind}] preparing {requests:,} requests …")
    prepare(url, requests)
    return measure(url, reps)


def measure(url: str, reps: int) -> dict[str, object]:
    """Measure a filled database in a child process (its memory figures are the window's)."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", url, "--reps", str(reps)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def pg_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    """A fresh database on the server, and how to drop it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"desk_uibench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--pg", default=os.environ.get("DISDUKCAPIL_TEST_PG"))
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--db", help="measure this database, filled beforehand (no generation)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.reps)))
        return
    results: dict[str, object] = {}
    if args.db:
        kind = "postgresql" if args.db.startswith("postgresql") else "sqlite"
        results[kind] = measure(args.db, args.reps)
    elif args.only in (None, "sqlite"):
        path = Path(tempfile.mkdtemp()) / "ui-bench.sqlite3"
        results["sqlite"] = run_database(
            "sqlite", f"sqlite+pysqlite:///{path}", args.requests, args.reps
        )
    if not args.db and args.only in (None, "postgresql") and args.pg:
        url, drop = pg_database(args.pg)
        try:
            results["postgresql"] = run_database("postgresql", url, args.requests, args.reps)
        finally:
            drop()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ui_bench.json").write_text(json.dumps(results, indent=2))
    generated = None if args.db else args.requests  # a database filled beforehand: its own
    print(json.dumps({"requests": generated, **results}, indent=2))
    figures = json_figures(results)
    for figure in figures:
        print(
            f"{figure['name']:<36} desk {figure['desk']:>8.1f} ms  floor {figure['floor']:>8.1f} ms"
            f"  ratio {figure['ratio']}x"
        )
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "bench": "ui",
                    "requests": generated,
                    "load": round(os.getloadavg()[0], 2),
                    "figures": figures,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
