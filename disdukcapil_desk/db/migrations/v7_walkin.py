"""Version 7, walk-ins at the counter: the channel ``loket`` (db layer).

The channel CHECKs of ``incoming_request`` and ``outgoing_message`` are widened to every
channel of ``domain.vocabulary.Channel``. PostgreSQL replaces the constraints; SQLite cannot
alter a CHECK, so the constraint's text is replaced in the schema table (the documented
procedure for a change that touches no stored row: every stored channel is in the wider list,
as ``v5_delivery.widen_status_check`` does for statuses) and the database checked afterwards.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection

from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.vocabulary import Channel

CHANNEL_TABLES = ("incoming_request", "outgoing_message")
"""The tables whose ``channel`` column has a CHECK of the channels."""


def channel_check_sql(table: str, channels: tuple[str, ...] | None = None) -> str:
    """The CHECK of ``table``'s channel column: every channel this version knows (or
    ``channels``).
    """
    values = ", ".join(f"'{value}'" for value in channels or tuple(c.value for c in Channel))
    return f"CONSTRAINT ck_{table}_channel CHECK (channel IN ({values}))"


def widen_channel_checks(conn: Connection) -> None:
    """Allow every current channel (``loket`` included) in the channel columns."""
    for table in CHANNEL_TABLES:
        replace_channel_check(conn, table, channel_check_sql(table))


def replace_channel_check(conn: Connection, table: str, check: str) -> None:
    """Replace the channel CHECK of ``table`` by ``check`` (a ``CONSTRAINT … CHECK`` clause)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS ck_{table}_channel")
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD {check}")
        return
    pattern = re.compile(
        rf"CONSTRAINT ck_{table}_channel CHECK \(channel IN \([^)]*\)\)", re.IGNORECASE
    )
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    widened, found = pattern.subn(check, sql)
    if found != 1:
        raise DeskError(f"Batasan kanal {table} tidak ditemukan; basis data tidak dikenal")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (widened, table)
    )
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = conn.exec_driver_sql("PRAGMA quick_check").scalars().all()
    if problems != ["ok"]:
        raise DeskError(f"Pemeriksaan basis data setelah mengubah batasan kanal: {problems}")
