"""What a database server says about itself: its version, its clock (db layer)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

_VERSION_SQL = {"sqlite": "select 'SQLite ' || sqlite_version()", "postgresql": "select version()"}


def version_text(conn: Connection) -> str:
    """The server's own version line (``PostgreSQL 16.2 on …``, ``SQLite 3.45.1``)."""
    return str(conn.execute(text(_VERSION_SQL[conn.dialect.name])).scalar())


def clock(session: Session) -> dt.datetime:
    """The server's time now (PostgreSQL's ``clock_timestamp()``), in UTC."""
    moment = session.scalar(select(func.clock_timestamp()))
    assert isinstance(moment, dt.datetime)
    return moment.astimezone(dt.UTC)
