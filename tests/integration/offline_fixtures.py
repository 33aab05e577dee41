"""Helpers of the offline tests: a local copy of a server database, requests to work on.

``make_copy`` stands in for the copy ``operations/offline/copy.py`` builds where that module is
absent: every row of every table of the server, copied into a SQLite file of the same schema,
with the local copy's own tables and ``offline_base`` = the server versions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, insert, select

from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.models import Base, ServiceRequest
from disdukcapil_desk.db.offline_models import LocalBase, OfflineBase
from disdukcapil_desk.db.schema import create_schema
from disdukcapil_desk.operations.context import DeskContext


def copy_rows(source: Engine, target: Engine) -> None:
    """Every row of the shared schema from ``source`` into the empty-schema ``target``."""
    with source.connect() as src, target.begin() as dst:
        dst.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for table in reversed(Base.metadata.sorted_tables):
            dst.execute(table.delete())
        for table in Base.metadata.sorted_tables:
            rows = [
                dict(r._mapping)
                for r in src.execute(select(table).order_by(*table.primary_key.columns))
            ]
            if rows:
                dst.execute(insert(table), rows)


def make_copy(server: DeskContext, path: Path, clock: object | None = None) -> DeskContext:
    """A local copy of ``server`` at ``path`` (SQLite), with the journal's tables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(sqlite_url(path), create=True)
    create_schema(engine)
    copy_rows(server.engine, engine)
    LocalBase.metadata.create_all(engine)
    with engine.begin() as conn:
        versions = conn.execute(select(ServiceRequest.number, ServiceRequest.version)).all()
        if versions:
            conn.execute(
                insert(OfflineBase),
                [{"request_number": n, "server_version": v} for n, v in versions],
            )
    return DeskContext(
        engine,
        server.reference,
        clock=clock or server.clock,  # type: ignore[arg-type]
        audit_key_file=server.audit_key_file,
        key_folder=server.key_folder,
    )


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
