"""Benchmark of the offline sync: journal entries replayed per second on PostgreSQL, beside a
bare-insert floor measured in the same run on the same server.

A fresh PostgreSQL database gets ``--requests`` ingested requests; the office's local copy is
made of it (``OfflineCopy``); an officer claims, saves and
approves each request on the copy (three journal entries a request); then
``Sync.run`` replays the journal on the server, each entry in its own server transaction with
its ``offline_applied`` row and the copy's mark. Floor: one bare Core ``INSERT`` of an
``offline_applied``-shaped row per transaction into a scratch table, as many as there are
entries: the least a sync that settles each entry once in its own transaction must do.

Usage: ``python -m bench.sync_bench [--requests 200] [--pg ADMIN_URL] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
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

WORKSTATION = "PC-BENCH-000001"
OFFICER = "bench.operator"
PASSWORD = "rahasia-bench-123"

_meta = MetaData()
floor_applied = Table(
    "bench_floor_applied",
    _meta,
    Column("workstation", String(80), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("outcome", String(20)),
    Column("kind", String(30)),
    Column("request_number", String(40)),
    Column("result_version", Integer),
    Column("actor_login", String(60)),
    Column("made_at", DateTime(timezone=True)),
    Column("applied_at", DateTime(timezone=True)),
    Column("detail", Text),
)


def fresh(pg_admin: str) -> str:
    """A new desk database (schema, master data, the bench's officer); returns its URL."""
    from disdukcapil_desk.db.engine import make_engine
    from disdukcapil_desk.domain.workflow import Role
    from disdukcapil_desk.operations.context import DeskContext, load_reference_data
    from disdukcapil_desk.operations.setup import ADMIN_SETUP_ACTOR, SetupOps
    from disdukcapil_desk.operations.users import UserOps

    name = f"sync_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(pg_admin).set(database=name).render_as_string(False)
    ctx = DeskContext(make_engine(url), load_reference_data())
    SetupOps(ctx).init()
    UserOps(ctx).add(ADMIN_SETUP_ACTOR, OFFICER, PASSWORD, Role.VERIFIER, location_code="DINAS")
    ctx.close()
    return url


def drop(url: str, pg_admin: str) -> None:
    """Drop the bench database."""
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def ingest(ctx: Any, count: int, prefix: str = "sync-bench") -> None:
    """``count`` requests on the server."""
    from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps

    sample = json.loads(
        (Path(__file__).resolve().parents[1] / "resources/channel/citizens.json").read_text()
    )["citizens"][1]
    ops = IntakeOps(ctx)
    for i in range(count):
        ops.submit_row(
            IncomingRow(
                channel="whatsapp",
                external_ref=f"{prefix}-{i}",
                service_code=sample["service_code"],
                payload=json.dumps(sample["payload"]),
                sender=sample["phone"],
            )
        )
    ops.ingest()


def local_copy(server: Any, folder: Path) -> Any:
    """The office's local copy (``OfflineCopy``), opened."""
    from disdukcapil_desk.operations.offline.copy import OfflineCopy
    from disdukcapil_desk.operations.users import UserOps

    with server.engine.connect() as conn:
        office = conn.execute(text("SELECT location_code FROM service_request LIMIT 1")).scalar()
    copy = OfflineCopy(server, folder, WORKSTATION, str(office))
    copy.refresh(UserOps(server).actor(OFFICER))
    return copy.open_local()


def work_offline(local: Any) -> int:
    """Claim, save and approve every request on the copy; returns the journal's length."""
    from disdukcapil_desk.domain.dto import QueueFilter
    from disdukcapil_desk.operations.offline.desk import OfflineDesk
    from disdukcapil_desk.operations.offline.journal import Journal
    from disdukcapil_desk.operations.queue import QueueOps

    desk = OfflineDesk(local, Journal(local), WORKSTATION)
    officer = desk.authenticate(OFFICER, PASSWORD)
    rows = QueueOps(local).page(officer, QueueFilter(), None, 10_000).rows
    for row in rows:
        lease = desk.claim(officer, row.id)
        version = desk.save_draft(officer, row.id, lease.version, {"alamat": "Jl. Luring"}, {})
        desk.approve(officer, row.id, version, "diperiksa di lokasi jemput bola")
    return len(desk.journal.entries())


def work_online(server: Any, count: int) -> float:
    """Seconds for the same work done online, on ``count`` new requests: what the officer's
    own clicks cost on the server (each a transaction of the desk's operations).
    """
    from disdukcapil_desk.domain.dto import QueueFilter
    from disdukcapil_desk.domain.workflow import Status
    from disdukcapil_desk.operations.queue import QueueOps
    from disdukcapil_desk.operations.users import UserOps
    from disdukcapil_desk.operations.verification import VerificationOps

    ingest(server, count, "sync-bench-online")
    officer = UserOps(server).authenticate(OFFICER, PASSWORD)
    queue, verification = QueueOps(server), VerificationOps(server)
    waiting = QueueFilter(statuses=frozenset({Status.NEW}))
    rows = queue.page(officer, waiting, None, 10_000).rows
    started = time.perf_counter()
    for row in rows:
        lease = queue.claim(officer, row.id)
        version = verification.save_draft(
            officer, row.id, lease.version, {"alamat": "Jl. Daring"}, {}
        )
        verification.approve(officer, row.id, version, "diperiksa di loket")
    return time.perf_counter() - started


def floor(engine: Engine, n: int) -> float:
    """Seconds for ``n`` bare single-row inserts, one transaction each."""
    _meta.create_all(engine)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    for seq in range(1, n + 1):
        with engine.begin() as conn:
            conn.execute(
                insert(floor_applied).values(
                    workstation=WORKSTATION,
                    seq=seq,
                    outcome="applied",
                    kind="approve",
                    request_number=f"DINAS/20261102/{seq:04d}",
                    result_version=seq,
                    actor_login=OFFICER,
                    made_at=now,
                    applied_at=now,
                    detail="",
                )
            )
    elapsed = time.perf_counter() - started
    _meta.drop_all(engine)
    return elapsed


def run(pg_admin: str, requests: int, tmp: Path) -> dict[str, Any]:
    """The figure: entries per second beside the floor."""
    from disdukcapil_desk.db.engine import make_engine
    from disdukcapil_desk.operations.context import DeskContext, load_reference_data
    from disdukcapil_desk.operations.offline.sync import Sync

    url = fresh(pg_admin)
    try:
        server = DeskContext(make_engine(url), load_reference_data())
        ingest(server, requests)
        local = local_copy(server, tmp / "luring")
        entries = work_offline(local)
        started = time.perf_counter()
        report = Sync(server, local, WORKSTATION).run()
        desk_seconds = time.perf_counter() - started
        assert report.applied == entries, report
        assert report.remaining == 0, report
        floor_seconds = floor(server.engine, entries)
        online_seconds = work_online(server, requests)
        local.close()
        server.close()
    finally:
        drop(url, pg_admin)
    desk_rate, floor_rate = entries / desk_seconds, entries / floor_seconds
    return {
        "name": "offline sync, journal entries applied (PostgreSQL)",
        "desk": round(desk_rate, 1),
        "floor": round(floor_rate, 1),
        "unit": "entries/s",
        "ratio": round(floor_rate / desk_rate, 2),
        "entries": entries,
        "desk_seconds": round(desk_seconds, 3),
        "floor_seconds": round(floor_seconds, 3),
        # the same claims, saves and approvals made online, one transaction each
        "online_entries_per_s": round(entries / online_seconds, 1),
        "sync_vs_online": round(desk_seconds / online_seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print the figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="requests decided offline")
    parser.add_argument("--pg", default=os.environ.get("DISDUKCAPIL_TEST_PG"))
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if not args.pg:
        raise SystemExit("PostgreSQL needs --pg ADMIN_URL (or $DISDUKCAPIL_TEST_PG)")
    with tempfile.TemporaryDirectory() as tmp:
        figure = run(args.pg, args.requests, Path(tmp))
    print("| figure | entries | desk entries/s | floor inserts/s | x floor |")
    print("|---|---|---|---|---|")
    print(
        f"| {figure['name']} | {figure['entries']:,} | {figure['desk']:,.1f} | "
        f"{figure['floor']:,.1f} | {figure['ratio']:.2f} |"
    )
    print(
        f"the same work done online: {figure['online_entries_per_s']:,.1f} entries/s; "
        f"the sync takes {figure['sync_vs_online']:.2f}x its time"
    )
    if args.json:
        args.json.write_text(json.dumps([figure], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
