"""Engines and sessions for the embedded SQLite file and the shared PostgreSQL server (db layer)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from disdukcapil_desk.db.errors import missing_file
from disdukcapil_desk.domain.errors import DatabaseError, DatabaseMissing

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_OPTIMIZE_BUSY_TIMEOUT_MS = 1_000
SQLITE_ANALYSIS_LIMIT = 400
PG_CONNECT_TIMEOUT_S = 5
PG_LINK_TIMEOUT_S = 15
"""How long a statement's bytes may go unacknowledged before the link counts as lost."""
_PG_LINK_ARGS = {
    # A dropped link (packets lost, nothing refused) is found in seconds, not after the
    # operating system's ~15 minutes of retransmissions: unacknowledged data gives up after
    # PG_LINK_TIMEOUT_S (Linux; elsewhere libpq ignores it), an idle connection (the queue's
    # LISTEN) is probed by keepalives.
    "tcp_user_timeout": PG_LINK_TIMEOUT_S * 1000,
    "keepalives": 1,
    "keepalives_idle": 15,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
READ_ONLY = "desk_read_only"
SUPPORTED_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"})
"""The URL schemes the desk connects with (SQLite and PostgreSQL through psycopg 3)."""
"""Execution option of connections that only read (see :func:`make_sessionmaker`)."""


def sqlite_url(path: Path) -> str:
    """Return the SQLAlchemy URL of an SQLite file."""
    return f"sqlite+pysqlite:///{path}"


def make_engine(url: str, *, create: bool = True, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the settings this desk relies on.

    SQLite files: ``create`` says whether a missing file may be created by the first
    connection (``db init``, a new database the officer asked for, tests). Without it the file
    is opened with the ``mode=rw`` URI and a missing one raises
    :class:`~disdukcapil_desk.domain.errors.DatabaseMissing`. Once open, the file must stay
    where it is: every transaction first checks that the path still names the same file (a
    deleted, moved or replaced file would otherwise swallow the officer's work, or be recreated
    empty by the next connection), and new connections never create it again.

    SQLite: WAL journal, foreign keys on, a busy timeout, and every transaction opened with
    ``BEGIN IMMEDIATE`` so that two writers queue instead of failing with "database is locked"
    when a read transaction later wants to write; a connection with the :data:`READ_ONLY`
    option begins with a plain (deferred) ``BEGIN`` instead, so a long read never holds up a
    colleague's write. Before a connection closes, ``PRAGMA optimize`` refreshes the planner's
    statistics where they are missing or stale. Every engine hides statement parameters in its
    errors and logs (``hide_parameters``): they hold personal data. PostgreSQL: psycopg 3,
    pre-ping (a workstation that lost the office network reconnects on the next action), and
    a lost link is found within :data:`PG_LINK_TIMEOUT_S` (keepalives, TCP user timeout).
    """
    # A failing statement's parameters (NIK, KK, names, phones) never reach a log or a message.
    kwargs["hide_parameters"] = True
    parsed = _supported_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _make_sqlite_engine(url, create=create, **kwargs)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    # A workstation that lost the office network must fail fast, not freeze for minutes.
    connect_args = {
        "connect_timeout": PG_CONNECT_TIMEOUT_S,
        **_PG_LINK_ARGS,
        **kwargs.pop("connect_args", {}),
    }
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _supported_url(url: str) -> URL:
    """Parse ``url``; refuse a malformed one or another database than SQLite and PostgreSQL.

    Raises:
        DatabaseError: the URL cannot be read, or names a database or driver the desk does not
            ship (``mysql://``, ``postgresql+asyncpg://``…).
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            "Alamat basis data tidak dapat dibaca (contoh: postgresql://desk@server/disdukcapil "
            "atau sqlite:///C:/data/desk.sqlite3)",
            detail=str(exc),
        ) from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise DatabaseError(
            f"Jenis basis data '{parsed.drivername}' tidak didukung: pakai SQLite (sqlite:///…) "
            "atau PostgreSQL (postgresql://…)"
        )
    return parsed


@dataclass
class _FileGuard:
    """The SQLite file an engine opened, and the identity (device, inode) it had then."""

    path: Path
    create: bool
    identity: tuple[int, int] | None = None

    def connect_uri(self) -> str:
        """The ``file:`` URI to open: ``mode=rw`` unless a first connection may create it."""
        if self.identity is not None or not self.create:
            if not self.path.exists():
                raise missing_file(str(self.path))
            return f"{self.path.as_uri()}?mode=rw"
        return f"{self.path.as_uri()}?mode=rwc"

    def remember(self) -> None:
        """Record the file's identity after the first connection opened it."""
        if self.identity is None:
            st = os.stat(self.path)
            self.identity = (st.st_dev, st.st_ino)

    def check(self) -> None:
        """Raise when the path no longer names the file the engine opened."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise missing_file(str(self.path)) from None
        if self.identity is not None and (st.st_dev, st.st_ino) != self.identity:
            raise DatabaseMissing(
                f"Berkas basis data diganti dengan berkas lain saat aplikasi berjalan: "
                f"{self.path}. Perubahan tidak disimpan; tutup dan buka lagi aplikasi.",
                where=str(self.path),
            )


def _file_guard(url: str, create: bool) -> _FileGuard | None:
    database = make_url(url).database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    return _FileGuard(Path(database).expanduser().absolute(), create)


def _make_sqlite_engine(url: str, *, create: bool, **kwargs: Any) -> Engine:
    kwargs.pop("connect_args", None)  # a password means nothing to a file
    engine = create_engine(url, **kwargs)
    guard = _file_guard(url, create)
    if guard is not None:
        _watch_file(engine, guard)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if guard is not None:
            guard.check()
        # A reader takes no lock up front: in WAL it reads its snapshot while others write.
        reader = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "close")
    def _on_close(dbapi_connection: Any, _record: Any) -> None:
        # SQLite's own advice: optimize just before a connection closes. It analyses only the
        # tables this connection queried whose statistics are missing or stale, on a sample;
        # a colleague's write in progress makes it give up after a second rather than wait.
        if engine.url.database in (None, "", ":memory:"):
            return
        with contextlib.suppress(engine.dialect.loaded_dbapi.Error):
            dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_OPTIMIZE_BUSY_TIMEOUT_MS}")
            dbapi_connection.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            dbapi_connection.execute("PRAGMA optimize")

    return engine


def _watch_file(engine: Engine, guard: _FileGuard) -> None:
    @event.listens_for(engine, "do_connect")
    def _open_by_uri(
        _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]
    ) -> None:
        cargs[:1] = [guard.connect_uri()]
        cparams["uri"] = True

    @event.listens_for(engine, "connect")
    def _remember(_dbapi_connection: Any, _record: Any) -> None:
        guard.remember()


def make_sessionmaker(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Return the session factory; operations open one session per user action.

    ``read_only``: the sessions' connections carry the :data:`READ_ONLY` option (same engine,
    same pool): on SQLite their transactions begin deferred and take no write lock.
    """
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


def is_postgresql(engine: Engine) -> bool:
    """Whether the engine talks to PostgreSQL (row locks, SKIP LOCKED, ON CONFLICT)."""
    return engine.dialect.name == "postgresql"
