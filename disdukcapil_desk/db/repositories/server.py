"""What a database server says about itself, for the connection test (db layer)."""

from __future__ import annotations

from sqlalchemy import Connection, text

_VERSION_SQL = {"sqlite": "select 'SQLite ' || sqlite_version()", "postgresql": "select version()"}


def version_text(conn: Connection) -> str:
    """The server's own version line (``PostgreSQL 16.2 on …``, ``SQLite 3.45.1``)."""
    return str(conn.execute(text(_VERSION_SQL[conn.dialect.name])).scalar())
