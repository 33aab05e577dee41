"""Offline and back for real: a PostgreSQL server this test stops and restarts, two
offline-capable workstations in two processes working on overlapping requests while it is
down, coming back in both orders, and a sync killed with SIGKILL and resumed.

The test starts its own throwaway cluster (``scripts/start-postgres.sh`` in a temp folder) so
it can stop the server without touching the session's; it is skipped where the PostgreSQL
server binaries are absent.
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import AuditLog, OfflineApplied, ServiceRequest
from disdukcapil_desk.domain.errors import DatabaseError
from disdukcapil_desk.domain.offline import EntryState, JournalKind
from disdukcapil_desk.operations.audit import check_chain
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.offline.copy import OfflineCopy
from disdukcapil_desk.operations.offline.desk import OfflineDesk
from disdukcapil_desk.operations.offline.journal import Journal
from disdukcapil_desk.operations.offline.sync import Sync
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.operations.walk_in import WalkInOps
from tests.conftest import RESOURCES, _prepare
from tests.factories import make_request
from tests.integration.test_intake import ingest_rows
from tests.integration.test_walk_in import kia

ROOT = Path(__file__).resolve().parents[2]
PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(not PG_BINS, reason="PostgreSQL server binaries not installed")
SPAWN = multiprocessing.get_context("spawn")
OFFICE = "UPT-15"
"""Where the test forms' desa lies: the office both workstations work for."""
SERVER_AWAY = "postgresql+psycopg://postgres@127.0.0.1:9/gone"
"""A server the workers never reach (they work on their copies)."""


def _as_postgres(command: str) -> None:
    """Run ``command`` as the cluster's owner (the server refuses to run as root)."""
    if os.getuid() == 0:
        subprocess.run(["su", "postgres", "-s", "/bin/bash", "-c", command], check=True)
    else:
        subprocess.run(["bash", "-c", command], check=True)


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster the test may stop and start."""

    folder: Path
    port: int
    url: str = ""
    template: str = ""

    def start(self) -> None:
        script = ROOT / "scripts" / "start-postgres.sh"
        done = subprocess.run(
            [str(script), str(self.folder), str(self.port)],
            check=True,
            capture_output=True,
            text=True,
        )
        self.url = done.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        _as_postgres(f"{PG_BINS[-1]}/pg_ctl -D '{self.folder}/data' -m fast -w stop >/dev/null")

    def database(self, name: str) -> str:
        """A new database with the schema and the test users (copied from a template)."""
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not self.template:
                conn.execute(text('CREATE DATABASE "offline_template"'))
                self.template = "offline_template"
                _prepare(self._url_of(self.template), load_reference_data(RESOURCES))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        admin.dispose()
        return self._url_of(name)

    def _url_of(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(False)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="desk-pg-offline-", dir="/tmp"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    found = Cluster(folder, port)
    found.start()
    yield found
    try:
        found.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- what the workstations do, each in its own process ---------------------------------------


def _local(path: str) -> DeskContext:
    """The copy at ``path`` as the desk opens it (the server's context is not connected)."""
    server = DeskContext(make_engine(SERVER_AWAY), load_reference_data(RESOURCES))
    copy = OfflineCopy(server, Path(path).parent, Path(path).parent.name, OFFICE)
    assert copy.path == Path(path)
    return copy.open_local()


def work_offline(path: str, workstation: str, login: str, numbers: list[str]) -> None:
    """Decide ``numbers`` on the copy as ``login``, and register one walk-in there."""
    local = _local(path)
    desk = OfflineDesk(local, Journal(local), workstation)
    officer = desk.authenticate(login, "rahasia123")
    desk.go_offline()
    queue = QueueOps(local)
    for number in numbers:
        rid = queue.detail(officer, number).row.id
        lease = desk.claim(officer, rid)
        version = desk.save_draft(officer, rid, lease.version, {"alamat": f"Jl. {workstation}"}, {})
        desk.approve(officer, rid, version, f"diperiksa di {workstation}")
    walk_in = desk.register_walk_in(officer, OFFICE, kia())
    desk.approve(officer, walk_in.request_id, walk_in.lease.version, "lengkap di loket")
    local.close()


def sync_back(path: str, server_url: str, workstation: str, stall_at: int) -> None:
    """Sync the copy to the server; with ``stall_at``, stall (to be killed) once the server
    has committed that entry and before the copy marks it.
    """
    local = _local(path)
    server = DeskContext(make_engine(server_url), load_reference_data(RESOURCES))
    if stall_at:
        real = Journal.mark

        def stall(self: Journal, seq: int, state: EntryState, *args: object, **kw: object) -> None:
            if seq == stall_at and state is EntryState.APPLIED:
                Path(path + ".stalled").touch()
                time.sleep(120)
            real(self, seq, state, *args, **kw)  # type: ignore[arg-type]

        Journal.mark = stall  # type: ignore[method-assign]
    Sync(server, local, workstation).run()
    server.close()
    local.close()


def _in_process(target: object, *args: object) -> None:
    process = SPAWN.Process(target=target, args=args)
    process.start()
    process.join(90)
    assert process.exitcode == 0, f"{getattr(target, '__name__', target)} failed"


# -- the checks --------------------------------------------------------------------------------


def _journal_states(path: Path) -> dict[str, int]:
    local = _local(str(path))
    try:
        states: dict[str, int] = {}
        for entry in Journal(local).entries():
            states[entry.state.value] = states.get(entry.state.value, 0) + 1
        return states
    finally:
        local.close()


def _entries(path: Path) -> list[tuple[int, JournalKind, str, EntryState]]:
    local = _local(str(path))
    try:
        return [(e.seq, e.kind, e.request_number, e.state) for e in Journal(local).entries()]
    finally:
        local.close()


def _server_checks(server: DeskContext) -> None:
    with server.reading() as session:
        numbers = list(session.scalars(select(ServiceRequest.number)))
        applied = session.execute(select(OfflineApplied.workstation, OfflineApplied.seq)).all()
    assert len(numbers) == len(set(numbers)), "a request number twice"
    assert len(applied) == len(set(applied))
    assert check_chain(server).intact


@dataclass
class World:
    server: DeskContext
    url: str
    copies: dict[str, Path]
    numbers: list[str]


def _world(cluster: Cluster, tmp_path: Path, name: str, requests: int) -> World:
    url = cluster.database(name)
    reference = load_reference_data(RESOURCES)
    server = DeskContext(make_engine(url), reference, key_folder=tmp_path / "kunci")
    ingest_rows(
        server,
        *(
            make_request(external_ref=f"{name}-{i}", fields={"nama": f"Warga {i}"})
            for i in range(requests)
        ),
    )
    with server.reading() as session:
        numbers = list(session.scalars(select(ServiceRequest.number).order_by(ServiceRequest.id)))
    counter = UserOps(server).actor("loket.dinas")
    copies = {}
    for workstation in ("PC-A", "PC-B"):
        copy = OfflineCopy(server, tmp_path / workstation, workstation, OFFICE)
        copy.refresh(counter, block_size=5)
        copies[workstation] = copy.path
    return World(server, url, copies, numbers)


@pytest.mark.parametrize("first", ["PC-A", "PC-B"])
def test_two_workstations_offline_come_back_in_either_order(
    cluster: Cluster, tmp_path: Path, first: str
) -> None:
    world = _world(cluster, tmp_path, f"offline_order_{first.lower().replace('-', '_')}", 4)
    n = world.numbers
    plans = {"PC-A": ("loket.dinas", n[0:3]), "PC-B": ("loket2.dinas", n[1:4])}
    world.server.engine.dispose()
    cluster.stop()  # the server is gone: both work on their copies, in two processes
    with pytest.raises(DatabaseError):
        QueueOps(world.server).detail(UserOps(world.server).actor("admin"), n[0])
    workers = [
        SPAWN.Process(target=work_offline, args=(str(world.copies[ws]), ws, login, numbers))
        for ws, (login, numbers) in plans.items()
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(90)
        assert worker.exitcode == 0
    cluster.start()
    world.server.engine.dispose()
    # Back online: the office registers a walk-in at the counter before anyone syncs.
    online = WalkInOps(world.server).register(
        UserOps(world.server).actor("loket.dinas"), OFFICE, kia()
    )

    second = "PC-B" if first == "PC-A" else "PC-A"
    for workstation in (first, second):
        sync_back(str(world.copies[workstation]), world.url, workstation, 0)

    shared = set(plans[first][1]) & set(plans[second][1])
    for workstation in (first, second):
        entries = _entries(world.copies[workstation])
        assert {state for *_, state in entries} <= {EntryState.APPLIED, EntryState.CONFLICT}
        conflicted = {number for _, _, number, state in entries if state is EntryState.CONFLICT}
        assert conflicted == (set() if workstation == first else shared)
    with world.server.reading() as session:
        decided = dict(
            session.execute(
                select(ServiceRequest.number, ServiceRequest.updated_by).where(
                    ServiceRequest.number.in_(n)
                )
            ).all()
        )
        walk_ins = session.scalar(
            select(func.count())
            .select_from(ServiceRequest)
            .where(ServiceRequest.channel == "loket")
        )
    assert {decided[x] for x in shared} == {plans[first][0]}
    assert walk_ins == 3 and online.number not in {x for x in n}
    _server_checks(world.server)
    world.server.close()


def test_a_sync_killed_midway_resumes_after_a_server_restart_and_applies_nothing_twice(
    cluster: Cluster, tmp_path: Path
) -> None:
    world = _world(cluster, tmp_path, "offline_kill", 4)
    copy = world.copies["PC-A"]
    _in_process(work_offline, str(copy), "PC-A", "loket.dinas", world.numbers)
    total = len(_entries(copy))
    stall_at = 5  # the second request's claim: committed on the server, not yet marked

    syncing = SPAWN.Process(target=sync_back, args=(str(copy), world.url, "PC-A", stall_at))
    syncing.start()
    marker = Path(str(copy) + ".stalled")
    for _ in range(600):
        if marker.exists() or not syncing.is_alive():
            break
        time.sleep(0.1)
    assert marker.exists(), "the sync never reached the entry"
    os.kill(syncing.pid or 0, signal.SIGKILL)
    syncing.join(10)
    assert _journal_states(copy)["waiting"] == total - stall_at + 1
    world.server.engine.dispose()
    cluster.stop()
    cluster.start()

    _in_process(sync_back, str(copy), world.url, "PC-A", 0)

    assert _journal_states(copy) == {"applied": total}
    with world.server.reading() as session:
        settled = session.scalar(select(func.count()).select_from(OfflineApplied))
        per_request = session.execute(
            select(AuditLog.entity_key, AuditLog.action, func.count())
            .where(AuditLog.entity_key.in_(world.numbers))
            .where(AuditLog.action.in_(["claim", "approve"]))
            .group_by(AuditLog.entity_key, AuditLog.action)
        ).all()
    assert settled == total
    assert per_request and {count for *_, count in per_request} == {1}
    _server_checks(world.server)
    world.server.close()
