"""Engine settings: readers never block writers; SQLite keeps its planner statistics fresh."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select, text

from disdukcapil_desk.db import engine as engine_module
from disdukcapil_desk.db.engine import make_engine, make_sessionmaker, sqlite_url
from disdukcapil_desk.db.models import AppUser
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.users import UserOps
from tests.conftest import TEST_PASSWORD


def test_a_long_read_leaves_a_colleague_free_to_write(
    ctx: DeskContext, db_url: str, users: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A blocked write fails after half a second here instead of waiting the usual 30.
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 500)
    colleague = DeskContext(
        make_engine(db_url), ctx.reference, clock=ctx.clock, server_clock=ctx.server_clock
    )
    count = select(func.count()).select_from(AppUser)
    try:
        with ctx.reading() as session:
            before = session.scalar(count)
            UserOps(colleague).add(
                users["admin"], "loket3.dinas", TEST_PASSWORD, Role.COUNTER, location_code="DINAS"
            )
            assert session.scalar(count) in (before, (before or 0) + 1)
    finally:
        colleague.close()
    assert "loket3.dinas" in {row.login for row in UserOps(ctx).list()}


def _begin_statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    return seen


def test_sqlite_reads_begin_deferred_and_writes_immediate(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "desk.sqlite3"))
    begun = _begin_statements(engine)
    with make_sessionmaker(engine, read_only=True)() as session:
        session.execute(text("SELECT 1"))
    with make_sessionmaker(engine).begin() as session:
        session.execute(text("SELECT 1"))
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    assert begun == ["BEGIN", "BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]


def _queried_table(path: Path) -> Engine:
    engine = make_engine(sqlite_url(path))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE item (id INTEGER PRIMARY KEY, kind TEXT NOT NULL)")
        conn.exec_driver_sql("CREATE INDEX ix_item_kind ON item (kind)")
        conn.execute(
            text("INSERT INTO item (kind) VALUES (:kind)"),
            [{"kind": f"k{i % 20}"} for i in range(1000)],
        )
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM item WHERE kind = 'k3'"))
    return engine


def test_sqlite_connections_leave_planner_statistics_when_they_close(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _queried_table(path).dispose()
    with contextlib.closing(sqlite3.connect(path)) as raw:
        tables = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
        assert "sqlite_stat1" in tables
        assert ("item", "ix_item_kind") in raw.execute("SELECT tbl, idx FROM sqlite_stat1")


def test_closing_does_not_wait_for_a_colleagues_write(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    engine = _queried_table(path)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as colleague:
        colleague.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        engine.dispose()
        elapsed = time.monotonic() - started
        colleague.execute("ROLLBACK")
    assert elapsed < 10, "optimize gives up quickly instead of waiting the busy timeout"
