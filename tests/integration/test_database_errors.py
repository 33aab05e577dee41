"""The database failing: each way has its own Indonesian error, and nothing is silently created.

SQLite: a file deleted, moved or replaced while the desk is open; a file that is locked,
read-only or failing on disk. PostgreSQL: a closed port, a server that never answers, an unknown
database, a read-only role. Each is a domain error with the driver's text kept in ``detail``.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from disdukcapil_desk.db import engine as engine_module
from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import (
    ConnectionLost,
    DatabaseIOError,
    DatabaseLocked,
    DatabaseMissing,
    DatabaseReadOnly,
)
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.connection import probe_database
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.setup import LocationOps, SetupOps
from disdukcapil_desk.operations.users import UserOps
from tests.conftest import TEST_PASSWORD, fresh_database_url, postgres_url

NETWORK_WORDS = ("jaringan", "Koneksi")


@pytest.fixture
def desk_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A prepared SQLite database file (schema, master data, test users)."""
    url = fresh_database_url("sqlite", request, tmp_path)
    return Path(make_url(url).database or "")


@pytest.fixture
def opened(desk_file: Path, reference: ReferenceData) -> Iterator[DeskContext]:
    """The desk's context on ``desk_file``, opened as the window and the commands open it."""
    ctx = DeskContext.open(sqlite_url(desk_file), reference)
    LocationOps(ctx).list()  # the pool now holds an open connection to the file
    yield ctx
    ctx.close()


def _admin(ctx: DeskContext) -> Actor:
    return UserOps(ctx).actor("admin")


def _add_user(ctx: DeskContext, login: str) -> None:
    UserOps(ctx).add(_admin(ctx), login, TEST_PASSWORD, Role.COUNTER, location_code="DINAS")


# -- a file that vanishes while the desk is open ---------------------------------------------


def test_a_moved_file_is_an_error_naming_it_and_nothing_is_recreated(
    opened: DeskContext, desk_file: Path, tmp_path: Path
) -> None:
    admin = _admin(opened)
    desk_file.rename(tmp_path / "moved-away.sqlite3")
    with pytest.raises(DatabaseMissing) as raised:
        UserOps(opened).add(admin, "loket9.dinas", TEST_PASSWORD, Role.COUNTER)
    assert str(desk_file) in str(raised.value) and raised.value.where == str(desk_file)
    with pytest.raises(DatabaseMissing):
        LocationOps(opened).list()  # reading says so too: what is shown may be lost work
    assert not desk_file.exists(), "no empty database may take the vanished one's place"
    # Put back where it was, the same file works again.
    (tmp_path / "moved-away.sqlite3").rename(desk_file)
    _add_user(opened, "loket9.dinas")
    assert "loket9.dinas" in {u.login for u in UserOps(opened).list()}


def test_a_deleted_file_is_detected_before_saving(opened: DeskContext, desk_file: Path) -> None:
    admin = _admin(opened)
    desk_file.unlink()  # the pooled connection could still write into the unlinked file
    with pytest.raises(DatabaseMissing, match="tidak ditemukan"):
        UserOps(opened).add(admin, "loket9.dinas", TEST_PASSWORD, Role.COUNTER)
    assert not desk_file.exists()


def test_a_replaced_file_is_refused(
    opened: DeskContext, desk_file: Path, sqlite_template: Path
) -> None:
    admin = _admin(opened)
    desk_file.unlink()
    shutil.copy(sqlite_template, desk_file)  # same path, another file
    with pytest.raises(DatabaseMissing, match="diganti"):
        UserOps(opened).add(admin, "loket9.dinas", TEST_PASSWORD, Role.COUNTER)


def test_a_missing_file_is_created_only_when_asked(
    tmp_path: Path, reference: ReferenceData
) -> None:
    path = tmp_path / "baru" / "desk.sqlite3"
    path.parent.mkdir()
    ctx = DeskContext.open(sqlite_url(path), reference)
    with pytest.raises(DatabaseMissing) as raised:
        SetupOps(ctx).check()
    ctx.close()
    assert str(path) in str(raised.value) and not path.exists()
    with pytest.raises(DatabaseMissing):
        probe_database(sqlite_url(path))
    assert not path.exists()
    created = DeskContext.open(sqlite_url(path), reference, create=True)
    SetupOps(created).init()
    created.close()
    assert path.exists()


# -- locked, read-only, failing disk: each its own message -----------------------------------


def test_a_locked_file_says_locked_not_network(
    opened: DeskContext, desk_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(desk_file, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        fresh = DeskContext.open(sqlite_url(desk_file), opened.reference)
        with pytest.raises(DatabaseLocked) as raised:
            _add_user(fresh, "loket9.dinas")
        fresh.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
    error = raised.value
    assert "dikunci" in str(error) and str(desk_file) in str(error)
    assert not any(word in str(error) for word in NETWORK_WORDS)
    assert "database is locked" in error.detail and error.retryable


def test_a_read_only_file_says_read_only(
    desk_file: Path, reference: ReferenceData, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() == 0:
        # Root writes through file permissions; open it the way SQLite opens a write-protected
        # file (read-only), so the driver's own error is the one classified.
        monkeypatch.setattr(
            engine_module._FileGuard, "connect_uri", lambda self: f"{self.path.as_uri()}?mode=ro"
        )
    else:
        desk_file.chmod(0o444)
    ctx = DeskContext.open(sqlite_url(desk_file), reference)
    try:
        assert LocationOps(ctx).list()  # reading works
        with pytest.raises(DatabaseReadOnly) as raised:
            _add_user(ctx, "loket9.dinas")
    finally:
        ctx.close()
        desk_file.chmod(0o644)
    assert "hanya dapat dibaca" in str(raised.value) and str(desk_file) in str(raised.value)
    assert not any(word in str(raised.value) for word in NETWORK_WORDS)
    assert "readonly" in raised.value.detail


_DISK_FAILS = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from disdukcapil_desk.db.engine import make_engine, sqlite_url
    from disdukcapil_desk.domain.errors import DeskError
    from disdukcapil_desk.operations.context import DeskContext
    from sqlalchemy import text

    ctx = DeskContext.open(sqlite_url(Path(sys.argv[1])))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
    try:
        with ctx.unit_of_work() as session:
            session.execute(text("CREATE TABLE big (b BLOB)"))
            session.execute(text("INSERT INTO big VALUES (randomblob(5000000))"))
    except DeskError as exc:
        print(type(exc).__name__, exc.detail, sep="|")
        print(exc)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="file-size limits are POSIX")
def test_a_failing_disk_says_disk_not_network(desk_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _DISK_FAILS, str(desk_file)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    kind_line, message = done.stdout.splitlines()[:2]
    assert kind_line == f"{DatabaseIOError.__name__}|disk I/O error"
    assert "disk I/O error" in message and str(desk_file) in message
    assert not any(word in message for word in NETWORK_WORDS)


# -- PostgreSQL ------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_closed_port_is_refused_in_indonesian(reference: ReferenceData) -> None:
    url = f"postgresql+psycopg://desk@127.0.0.1:{_closed_port()}/disdukcapil"
    ctx = DeskContext.open(url, reference)
    with pytest.raises(ConnectionLost) as raised:
        SetupOps(ctx).check()
    ctx.close()
    assert "menolak koneksi" in str(raised.value)
    assert "Connection refused" in raised.value.detail


def test_a_server_that_never_answers_times_out(silent_server: int) -> None:
    started = time.monotonic()
    with pytest.raises(ConnectionLost, match="tidak menjawab dalam 2 detik"):
        probe_database(f"postgresql+psycopg://desk@127.0.0.1:{silent_server}/x", timeout_s=2)
    assert time.monotonic() - started < 15


def test_postgresql_unknown_database_and_read_only_role(reference: ReferenceData) -> None:
    admin_url = postgres_url()
    if not admin_url:
        pytest.skip("DISDUKCAPIL_TEST_PG not set: no PostgreSQL server for this run")
    missing = make_url(admin_url).set(database="tidak_ada_db").render_as_string(False)
    with pytest.raises(DatabaseMissing, match="tidak_ada_db") as raised:
        probe_database(missing)
    assert "does not exist" in raised.value.detail
    # A server (or a replica) that takes no changes: every transaction is read-only.
    read_only = DeskContext(
        make_engine(admin_url, connect_args={"options": "-c default_transaction_read_only=on"}),
        reference,
    )
    try:
        with pytest.raises(DatabaseReadOnly) as refused:
            _create_table(read_only)
    finally:
        read_only.close()
    assert "hanya-baca" in str(refused.value) and "read-only" in refused.value.detail


def _create_table(ctx: DeskContext) -> None:
    with ctx.unit_of_work() as session:
        session.execute(text("CREATE TABLE desk_read_only_probe (x int)"))
