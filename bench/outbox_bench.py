"""Benchmark of the outbox: messages written per second, and claimed + reported per second by
N bot processes, each beside a bare floor measured in the same run on the same database.

For each database (a fresh SQLite file; a fresh PostgreSQL database on ``--pg``):

- **write**: ``operations.outbox.write_message`` inside ``unit_of_work`` transactions of
  ``--per-tx`` messages (1: one decision, one message; 200: an ingest batch telling every new
  request it arrived), the request record loaded once per transaction as a decision has it.
  Floor: a bare Core ``INSERT`` of the same columns, one row per statement, into a scratch
  table of the same shape, in transactions of the same size.
- **claim + report**: ``--workers`` processes each loop ``channel.claim_batch`` (``--claim``
  messages, a lease) and ``report_sent`` each message in its own transaction, until nothing is
  due; the rate is messages / wall time from a common start. Floor: the same work in bare SQL
  on a scratch table with the same partial index: ``SELECT … FOR UPDATE SKIP LOCKED LIMIT n``
  + ``UPDATE`` (SQLite: one ``UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING``), then one
  ``UPDATE sent_at`` per message in its own transaction.

Usage: ``python -m bench.outbox_bench [--messages 20000] [--workers 4] [--pg ADMIN_URL]
[--kinds sqlite,postgresql]``; a table on stdout, JSON with ``--json FILE``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    text,
)
from sqlalchemy.engine import make_url

LEASE = dt.timedelta(minutes=10)
CHANNEL = "whatsapp"
BODY = "Permohonan {n} sudah kami terima dan sedang diperiksa petugas. " * 3

_meta = MetaData()
floor_outbox = Table(
    "bench_floor_outbox",
    _meta,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("service_request_id", BigInteger),
    Column("channel", String(20)),
    Column("recipient", String(200)),
    Column("kind", String(30)),
    Column("body", Text),
    Column("created_at", DateTime(timezone=True)),
    Column("created_by", String(60)),
    Column("attempts", Integer),
    Column("claimed_by", String(100)),
    Column("claimed_until", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
    Column("external_ref", String(200)),
    Index(
        "ix_bench_floor_outbox_pending",
        "channel",
        "id",
        postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
        sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
    ),
)


# -- databases --------------------------------------------------------------------------------


def fresh(kind: str, pg_admin: str | None, tmp: Path) -> str:
    """A new desk database (schema and master data) of ``kind``; returns its URL."""
    from disdukcapil_desk.db.engine import make_engine, sqlite_url
    from disdukcapil_desk.operations.context import DeskContext, load_reference_data
    from disdukcapil_desk.operations.setup import SetupOps

    if kind == "sqlite":
        url = sqlite_url(tmp / f"outbox-{uuid.uuid4().hex[:6]}.sqlite3")
    else:
        if not pg_admin:
            raise SystemExit("PostgreSQL needs --pg ADMIN_URL (or $DISDUKCAPIL_TEST_PG)")
        name = f"outbox_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(pg_admin).set(database=name).render_as_string(False)
    ctx = DeskContext(make_engine(url), load_reference_data())
    SetupOps(ctx).init()
    ctx.close()
    return url


def drop(url: str, pg_admin: str | None) -> None:
    """Drop a PostgreSQL bench database (SQLite files go with the temporary folder)."""
    if pg_admin and url.startswith("postgresql"):
        admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = make_url(url).database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def context(url: str) -> Any:
    """The desk's context on ``url`` (imported late: worker processes import it themselves)."""
    from disdukcapil_desk.db.engine import make_engine
    from disdukcapil_desk.operations.context import DeskContext, load_reference_data

    return DeskContext(make_engine(url), load_reference_data())


def requests_for(ctx: Any, count: int) -> list[int]:
    """``count`` ingested requests to address the messages to."""
    from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps

    sample = json.loads(
        (Path(__file__).resolve().parents[1] / "resources/channel/citizens.json").read_text()
    )["citizens"][1]
    ops = IntakeOps(ctx)
    for i in range(count):
        ops.submit_row(
            IncomingRow(
                channel=CHANNEL,
                external_ref=f"bench-{i}",
                service_code=sample["service_code"],
                payload=json.dumps(sample["payload"]),
                sender=sample["phone"],
            )
        )
    ops.ingest()
    with ctx.reading() as session:
        return [int(i) for i in session.execute(text("SELECT id FROM service_request")).scalars()]


# -- write ------------------------------------------------------------------------------------


def write_desk(ctx: Any, request_ids: list[int], total: int, per_tx: int) -> float:
    """Seconds to write ``total`` messages with ``write_message``, ``per_tx`` per transaction."""
    from disdukcapil_desk.db.repositories import requests
    from disdukcapil_desk.domain.delivery import MessageKind
    from disdukcapil_desk.domain.dto import SYSTEM_ACTOR
    from disdukcapil_desk.operations.outbox import write_message

    started = time.perf_counter()
    loading = 0.0
    written = 0
    while written < total:
        rid = request_ids[written % len(request_ids)]
        with ctx.unit_of_work() as session:
            # The decision has its request loaded already: that load is not the outbox's.
            before = time.perf_counter()
            record = requests.by_id(session, rid)
            loading += time.perf_counter() - before
            for _ in range(min(per_tx, total - written)):
                body = BODY.format(n=written)
                write_message(ctx, session, SYSTEM_ACTOR, record, MessageKind.RECEIVED, body)
                written += 1
    return time.perf_counter() - started - loading


def write_floor(engine: Engine, total: int, per_tx: int) -> float:
    """Seconds for the bare INSERT floor: one row per statement, ``per_tx`` per transaction."""
    now = dt.datetime.now(dt.UTC)
    stmt = insert(floor_outbox)
    started = time.perf_counter()
    written = 0
    while written < total:
        with engine.begin() as conn:
            for _ in range(min(per_tx, total - written)):
                conn.execute(
                    stmt,
                    {
                        "service_request_id": 1,
                        "channel": CHANNEL,
                        "recipient": "+6285712345679",
                        "kind": "received",
                        "body": BODY.format(n=written),
                        "created_at": now,
                        "created_by": "sistem",
                        "attempts": 0,
                    },
                )
                written += 1
    return time.perf_counter() - started


# -- claim + report ---------------------------------------------------------------------------


def bot_desk(url: str, worker: str, batch: int) -> int:
    """Claim and report sent until nothing is due, with the channel repository."""
    from disdukcapil_desk.db.repositories import channel

    ctx = context(url)
    done = 0
    try:
        while True:
            with ctx.unit_of_work() as session:
                claimed = channel.claim_batch(session, CHANNEL, worker, batch, LEASE)
            if not claimed:
                return done
            for message in claimed:
                with ctx.unit_of_work() as session:
                    channel.report_sent(session, message.id, worker, f"{worker}-{message.id}")
                done += 1
    finally:
        ctx.close()


_PG_CLAIM = """
SELECT id FROM bench_floor_outbox
 WHERE channel = :channel AND sent_at IS NULL AND failed_at IS NULL
   AND (claimed_until IS NULL OR claimed_until <= clock_timestamp())
 ORDER BY id LIMIT :n FOR UPDATE SKIP LOCKED"""
_PG_TAKE = """
UPDATE bench_floor_outbox SET claimed_by = :worker, attempts = attempts + 1,
       claimed_until = clock_timestamp() + interval '10 minutes'
 WHERE id = ANY(:ids)"""
_SQLITE_CLAIM = """
UPDATE bench_floor_outbox SET claimed_by = :worker, attempts = attempts + 1,
       claimed_until = :until
 WHERE id IN (SELECT id FROM bench_floor_outbox
               WHERE channel = :channel AND sent_at IS NULL AND failed_at IS NULL
                 AND (claimed_until IS NULL OR claimed_until <= :now)
               ORDER BY id LIMIT :n)
RETURNING id"""
_SENT = """
UPDATE bench_floor_outbox SET sent_at = :now, claimed_until = NULL, external_ref = :ref
 WHERE id = :id AND claimed_by = :worker AND sent_at IS NULL"""


def bot_floor(url: str, worker: str, batch: int) -> int:
    """The same work in bare SQL on the scratch table."""
    from disdukcapil_desk.db.engine import make_engine

    engine = make_engine(url)
    pg = engine.dialect.name == "postgresql"
    done = 0
    try:
        while True:
            now = dt.datetime.now(dt.UTC)
            with engine.begin() as conn:
                if pg:
                    ids = list(conn.execute(text(_PG_CLAIM), {"channel": CHANNEL, "n": batch}))
                    ids = [r[0] for r in ids]
                    if ids:
                        conn.execute(text(_PG_TAKE), {"worker": worker, "ids": ids})
                else:
                    params = {"worker": worker, "until": now + LEASE, "now": now, "n": batch}
                    rows = conn.execute(text(_SQLITE_CLAIM), {**params, "channel": CHANNEL})
                    ids = [r[0] for r in rows]
            if not ids:
                return done
            for message_id in ids:
                with engine.begin() as conn:
                    conn.execute(
                        text(_SENT),
                        {
                            "now": dt.datetime.now(dt.UTC),
                            "ref": f"{worker}-{message_id}",
                            "id": message_id,
                            "worker": worker,
                        },
                    )
                done += 1
    finally:
        engine.dispose()


def _worker(
    target: Callable[[str, str, int], int],
    url: str,
    worker: str,
    batch: int,
    start: Any,
    results: Any,
) -> None:
    """A bot process: warm up, wait for the common start, work, report (count, end time)."""
    from disdukcapil_desk.db.engine import make_engine

    warm = make_engine(url)
    with warm.connect() as conn:
        conn.execute(text("SELECT 1"))
    warm.dispose()
    start.wait()
    count = target(url, worker, batch)
    results.put((worker, count, time.monotonic()))


def run_bots(
    target: Callable[[str, str, int], int], url: str, workers: int, batch: int
) -> tuple[float, list[int]]:
    """Wall seconds from the common start until the last bot finished, and each bot's count."""
    mp = multiprocessing.get_context("spawn")
    start = mp.Barrier(workers + 1)
    results = mp.Queue()
    procs = [
        mp.Process(target=_worker, args=(target, url, f"bot-{i}", batch, start, results))
        for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    start.wait()
    began = time.monotonic()
    got = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    return max(end for _, _, end in got) - began, [count for _, count, _ in got]


# -- the run ----------------------------------------------------------------------------------


def bench_one(kind: str, url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every figure on one database."""
    ctx = context(url)
    figures: list[dict[str, Any]] = []
    try:
        request_ids = requests_for(ctx, 20)
        _meta.create_all(ctx.engine)
        for per_tx in args.per_tx:
            n = args.messages
            desk = write_desk(ctx, request_ids, n, per_tx)
            floor = write_floor(ctx.engine, n, per_tx)
            figures.append(_figure(kind, f"write, {per_tx}/tx", n, desk, floor))
            print(figures[-1]["line"], flush=True)
        # The desk's table now holds len(per_tx) * n messages, all due; the floor's the same.
        total = args.messages * len(args.per_tx)
        desk, counts = run_bots(bot_desk, url, args.workers, args.claim)
        assert sum(counts) == total, (counts, total)
        floor, floor_counts = run_bots(bot_floor, url, args.workers, args.claim)
        assert sum(floor_counts) == total, (floor_counts, total)
        label = f"claim {args.claim} + report each, {args.workers} bots"
        figures.append(_figure(kind, label, total, desk, floor, shares=counts))
        print(figures[-1]["line"], flush=True)
    finally:
        _meta.drop_all(ctx.engine)
        ctx.close()
    return figures


def _figure(
    kind: str, label: str, n: int, desk: float, floor: float, shares: list[int] | None = None
) -> dict[str, Any]:
    ours, bare = n / desk, n / floor
    line = f"| {kind} | {label} | {n:,} | {ours:,.0f} | {bare:,.0f} | {bare / ours:.2f} |" + (
        f" {shares} |" if shares else " |"
    )
    return {
        "db": kind,
        "figure": label,
        "messages": n,
        "desk_seconds": round(desk, 3),
        "floor_seconds": round(floor, 3),
        "desk_per_s": round(ours, 1),
        "floor_per_s": round(bare, 1),
        "x_floor": round(bare / ours, 2),
        "shares": shares,
        "line": line,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000, help="messages per write case")
    parser.add_argument(
        "--per-tx", default="1,200", help="messages per transaction of each write case"
    )
    parser.add_argument("--workers", type=int, default=4, help="bot processes")
    parser.add_argument("--claim", type=int, default=50, help="messages per claim")
    parser.add_argument("--pg", default=os.environ.get("DISDUKCAPIL_TEST_PG"))
    parser.add_argument("--kinds", default="sqlite,postgresql")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    args.per_tx = [int(p) for p in args.per_tx.split(",")]
    header = [
        "| db | figure | messages | desk msg/s | floor msg/s | x floor | per bot |",
        "|---|---|---|---|---|---|---|",
    ]
    print("\n".join(header), flush=True)
    figures: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            url = fresh(kind, args.pg, Path(tmp))
            try:
                figures += bench_one(kind, url, args)
            finally:
                drop(url, args.pg)
    print(f"\n{time.perf_counter() - started:.0f} s in all ({os.cpu_count()} cores)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
