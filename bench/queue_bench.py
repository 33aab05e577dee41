"""Queue pages and claims against their own SQL, in one run.

- a page: ``QueueOps.page`` end to end beside the very statement it sent, executed bare through
  the driver (same SQL, same parameters, rows fetched) — the ratio is the desk's Python on top;
- claims: ``QueueOps.claim_next`` from ``--procs`` processes at once (8 workstations of one
  office) beside a bare ``FOR UPDATE SKIP LOCKED`` claim (select the oldest new row, update it,
  one transaction) from as many processes on a scratch table of the same database;
- the statements one claim sends;
- name searches: the first page of a search beside the trigram index alone finding the matches
  (PostgreSQL: a bitmap scan of the pg_trgm GIN indexes; SQLite: the FTS5 index).

Desk and floor run in turns, so both see the same load; medians. ``--json FILE`` writes the page
and search figures (name, desk, floor, unit, ratio).

The claimed requests are put back to ``new`` at the end, so a run leaves the queue as it found it
(the audit log keeps the claims).

    python -m bench.queue_bench --db URL [--procs 8] [--seconds 10] [--reps 30] [--json FILE]

``--json FILE`` writes the page, search and claim figures (name, desk, floor, unit, ratio);
``--skip-pages`` and ``--skip-claims`` run one half.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, text, update

from bench.floors import claims as floor_table
from bench.floors import scratch
from disdukcapil_desk.domain.dto import QueueFilter
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import DINAS_CODE
from disdukcapil_desk.operations.users import UserOps

LOGIN = "bench.dinas"


def _context(url: str) -> DeskContext:
    return DeskContext.open(url, load_reference_data())


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def page_cases() -> list[tuple[str, QueueFilter]]:
    """The pages to time: (label, filter)."""
    open_ones = frozenset({Status.NEW, Status.IN_REVIEW})
    return [
        ("DINAS, every status", QueueFilter(location_code=DINAS_CODE)),
        (
            "DINAS, new + in review",
            QueueFilter(location_code=DINAS_CODE, statuses=open_ones),
        ),
        ("every location, status new", QueueFilter(statuses=frozenset({Status.NEW}))),
    ]


def _capture(engine: Engine, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    sent: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        sent.append((statement, params))

    event.listen(engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return sent


def _timed(call: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


class _Pair:
    """The desk's call and its floor, timed in turns (so both see the same load)."""

    def __init__(self, desk: Callable[[], Any], floor: Callable[[], Any]) -> None:
        self.calls = (desk, floor)
        self.wall: tuple[list[float], list[float]] = ([], [])
        self.cpu: tuple[list[float], list[float]] = ([], [])

    def run(self, reps: int) -> _Pair:
        for call in self.calls:
            call()  # warm
        for _ in range(reps):
            for i, call in enumerate(self.calls):
                wall, cpu = _timed(call)
                self.wall[i].append(wall)
                self.cpu[i].append(cpu)
        return self

    def figure(self, name: str, floor_name: str, cpu: bool = False) -> dict[str, Any]:
        """The figure as the JSON holds it (medians in ms)."""
        times = self.cpu if cpu else self.wall
        desk, floor = _median_ms(times[0]), _median_ms(times[1])
        return {
            "name": name,
            "desk": round(desk, 3),
            "floor": round(floor, 3),
            "floor_name": floor_name,
            "unit": "ms" + (" CPU" if cpu else ""),
            "ratio": round(desk / floor, 2) if floor else None,
        }


def _bare(
    engine: Engine, statement: str, params: Any
) -> tuple[Callable[[], int], Callable[[], None]]:
    """A call running ``statement`` on one driver connection, fetching every row (the floor of
    a page, without pool, session or row objects), and the call that closes it.
    """
    raw = engine.raw_connection()
    cursor = raw.cursor()

    def run() -> int:
        cursor.execute(statement, params)
        return len(cursor.fetchall())

    def close() -> None:
        cursor.close()
        raw.rollback()
        raw.close()

    return run, close


def page_figures(url: str, reps: int) -> list[dict[str, Any]]:
    """Time each page end to end and its page statement bare, in turns; return the figures.

    On SQLite both run in this process, so their CPU time is given too: on a loaded machine it
    is the steadier measure of the desk's Python on top of the same SQL.
    """
    ctx = _context(url)
    queue = QueueOps(ctx)
    actor = UserOps(ctx).actor(LOGIN)
    figures = []
    for label, flt in page_cases():
        call = lambda flt=flt: queue.page(actor, flt)  # noqa: E731
        sent = _capture(ctx.engine, call)
        statement, params = max(sent, key=lambda s: len(s[0]))  # the page query
        bare, close = _bare(ctx.engine, statement, params)
        try:
            pair = _Pair(call, bare).run(reps)
        finally:
            close()
        figures.append(dict(pair.figure(f"page {label}", "its SQL bare"), statements=len(sent)))
        if ctx.engine.dialect.name == "sqlite":
            figures.append(pair.figure(f"page {label} (CPU)", "its SQL bare", cpu=True))
    ctx.close()
    return figures


SEARCHES = (("rare name", "kartini wijaya"), ("common name", "hartono"), ("no match", "zulkarnain"))
"""The names searched (the same as bench/measure.py's)."""


def _index_floor(engine: Engine, fragment: str) -> tuple[Callable[[], int], Callable[[], None]]:
    """The trigram index alone finding the rows whose name contains ``fragment`` (ids fetched):
    on PostgreSQL a bitmap scan of the pg_trgm GIN indexes (nothing else allowed), on SQLite the
    FTS5 trigram index.
    """
    raw = engine.raw_connection()
    cursor = raw.cursor()
    if engine.dialect.name == "postgresql":
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        pattern = f"%{fragment}%"
        statement = (
            "SELECT id FROM service_request WHERE lower(applicant_name) LIKE %(p)s "
            "OR lower(subject_name) LIKE %(p)s"
        )
        params: Any = {"p": pattern}
    else:
        statement = (
            "SELECT rowid FROM service_request_name_fts WHERE service_request_name_fts MATCH ?"
        )
        params = (f'{{applicant_name subject_name}} : "{fragment}"',)

    def run() -> int:
        cursor.execute(statement, params)
        return len(cursor.fetchall())

    def close() -> None:
        cursor.close()
        raw.rollback()
        raw.close()

    return run, close


def search_figures(url: str, reps: int) -> list[dict[str, Any]]:
    """Time a name search's first page against the trigram index alone finding the matches."""
    ctx = _context(url)
    queue = QueueOps(ctx)
    actor = UserOps(ctx).actor(LOGIN)
    label = "pg_trgm GIN" if ctx.engine.dialect.name == "postgresql" else "FTS5 trigram"
    figures = []
    for what, fragment in SEARCHES:
        call = lambda f=fragment: queue.page(actor, QueueFilter(search=f))  # noqa: E731
        floor, close = _index_floor(ctx.engine, fragment)
        try:
            pair = _Pair(call, floor).run(reps)
            matches = floor()
        finally:
            close()
        figure = pair.figure(f"search {what} '{fragment}'", f"{label}, matches only")
        figures.append(dict(figure, matches=matches))
    ctx.close()
    return figures


def _line(figure: dict[str, Any]) -> str:
    extra = "".join(f"   {k} {figure[k]}" for k in ("statements", "matches") if k in figure)
    return (
        f"{figure['name']:<45} desk {figure['desk']:8.2f} {figure['unit']:<6}  "
        f"{figure['floor_name']} {figure['floor']:7.2f}   ratio {figure['ratio']:5.1f}x{extra}"
    )


def _claim_worker(url: str, seconds: float, start: Any, out: Any) -> None:
    ctx = _context(url)
    queue = QueueOps(ctx)
    actor = UserOps(ctx).actor(LOGIN)
    start.wait()
    started = time.perf_counter()
    ids, ended = [], started + seconds
    while time.perf_counter() < ended:
        lease = queue.claim_next(actor)
        if lease is None:
            break
        ids.append(lease.request_id)
    out.put((ids, time.perf_counter() - started))
    ctx.close()


def _bare_worker(url: str, seconds: float, start: Any, out: Any) -> None:
    engine = create_engine(url)
    candidate = (
        select(floor_table.c.id)
        .where(floor_table.c.status == "new")
        .order_by(floor_table.c.received_at, floor_table.c.id)
        .limit(1)
    )
    if engine.dialect.name == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    start.wait()
    started = time.perf_counter()
    done, ended = 0, started + seconds
    while time.perf_counter() < ended:
        with engine.begin() as conn:
            found = conn.scalar(candidate)
            if found is None:
                break
            conn.execute(
                update(floor_table)
                .where(floor_table.c.id == found, floor_table.c.status == "new")
                .values(status="taken")
            )
        done += 1
    out.put(([0] * done, time.perf_counter() - started))
    engine.dispose()


def _parallel(
    worker: Callable[..., None], url: str, procs: int, seconds: float
) -> tuple[list[int], float]:
    """Run ``worker`` in ``procs`` processes started together; (what they returned, seconds)."""
    mpc = mp.get_context("spawn")
    start, out = mpc.Event(), mpc.Queue()
    workers = [mpc.Process(target=worker, args=(url, seconds, start, out)) for _ in range(procs)]
    for w in workers:
        w.start()
    time.sleep(3.0 + procs * 0.5)  # let every process import and connect before the start
    start.set()
    results: list[int] = []
    elapsed = 0.0
    for _ in workers:
        got, took = out.get()
        results += got
        elapsed = max(elapsed, took)
    for w in workers:
        w.join()
    return results, elapsed


_SAVED = (
    "status",
    "claimed_by",
    "claimed_at",
    "lease_expires_at",
    "version",
    "updated_at",
    "updated_by",
)


def _backlog(url: str, count: int) -> list[dict[str, Any]]:
    """Make the newest ``count`` closed DINAS requests claimable (a backlog to claim from);
    return what they were, for :func:`_restore`.
    """
    engine = create_engine(url)
    cols = ", ".join(("id", *_SAVED))
    with engine.begin() as conn:
        saved = [
            dict(r._mapping)
            for r in conn.execute(
                text(
                    f"SELECT {cols} FROM service_request WHERE location_code = :loc "
                    "AND status = 'done' ORDER BY id DESC LIMIT :n"
                ),
                {"loc": DINAS_CODE, "n": count},
            )
        ]
        conn.execute(
            text("UPDATE service_request SET status = 'new' WHERE id = :id"),
            [{"id": r["id"]} for r in saved],
        )
    engine.dispose()
    return saved


def _restore(url: str, ids: list[int], saved: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
    """Put claimed requests back to ``new`` and the backlog back to what it was."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if ids:
            conn.execute(
                text(
                    "UPDATE service_request SET status = 'new', claimed_by = NULL, "
                    "claimed_at = NULL, lease_expires_at = NULL WHERE id = :id"
                ),
                [{"id": i} for i in ids],
            )
        if saved:
            sets = ", ".join(f"{c} = :{c}" for c in _SAVED)
            conn.execute(text(f"UPDATE service_request SET {sets} WHERE id = :id"), list(saved))
    engine.dispose()


def claim_statements(url: str) -> int:
    """The statements one ``claim_next`` sends (its transaction included)."""
    ctx = _context(url)
    queue = QueueOps(ctx)
    actor = UserOps(ctx).actor(LOGIN)
    box: list[Any] = []
    sent = _capture(ctx.engine, lambda: box.append(queue.claim_next(actor)))
    if box[0] is not None:
        _restore(url, [box[0].request_id])
    ctx.close()
    return len(sent)


def claim_figures(
    url: str, procs: int, seconds: float, backlog: int
) -> tuple[list[str], list[dict[str, Any]]]:
    """Claims a second from ``procs`` processes, the desk's and the bare floor's: the lines to
    print and the figures (for ``--json``).
    """
    saved = _backlog(url, backlog)
    try:
        ids, took = _parallel(_claim_worker, url, procs, seconds)
    finally:
        _restore(url, [], saved)
    desk_rate = len(ids) / took
    engine = create_engine(url)
    with scratch(engine, floor_table):
        with engine.begin() as conn:
            conn.execute(
                floor_table.insert(),
                [{"status": "new", "received_at": _moment(i)} for i in range(200_000)],
            )
        floor, took = _parallel(_bare_worker, url, procs, seconds)
    engine.dispose()
    floor_rate = len(floor) / took
    ratio = floor_rate / max(desk_rate, 1e-9)
    statements = claim_statements(url)
    figures = [
        _figure(f"claims, {procs} processes", desk_rate, floor_rate, "claims/s", ratio),
        # the floor: its SELECT … SKIP LOCKED and its UPDATE (the transaction's own aside)
        _figure("claim_next statements", statements, 2, "statements", statements / 2),
    ]
    lines = [
        f"claims, {procs} processes      desk {desk_rate:7.0f} /s   bare SKIP LOCKED "
        f"{floor_rate:6.0f} /s   ratio {ratio:5.1f}x",
        f"claim_next statements        {statements}",
    ]
    return lines, figures


def _figure(name: str, desk: float, floor: float, unit: str, ratio: float) -> dict[str, Any]:
    return {
        "name": name,
        "desk": round(desk, 3),
        "floor": round(floor, 3),
        "unit": unit,
        "ratio": round(ratio, 3),
    }


def _moment(i: int) -> Any:
    import datetime as dt

    return dt.datetime(2022, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=i * 37)


def main(argv: list[str] | None = None) -> None:
    """Print the page and claim figures of one database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--backlog", type=int, default=20_000, help="closed requests made new")
    parser.add_argument("--skip-claims", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args(argv)
    figures: list[dict[str, Any]] = []
    if not args.skip_pages:
        figures += page_figures(args.db, args.reps) + search_figures(args.db, args.reps)
        for figure in figures:
            print(_line(figure), flush=True)
    if not args.skip_claims:
        lines, claims = claim_figures(args.db, args.procs, args.seconds, args.backlog)
        figures += claims
        for line in lines:
            print(line, flush=True)
    if args.json:
        database = "postgresql" if args.db.startswith("postgresql") else "sqlite"
        document = {"bench": "queue_bench", "database": database, "figures": figures}
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
