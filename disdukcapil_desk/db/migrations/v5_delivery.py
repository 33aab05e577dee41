"""Version 5, the citizen's loop: SIAK numbers, signed documents, the outbox and pickups
(db layer).

Creates ``siak_number``, ``signed_document``, ``outgoing_message`` (+ attachments),
``pickup_slot`` and ``pickup_booking``, and widens the status CHECK of ``service_request`` to
the statuses after approval. PostgreSQL replaces the constraint; SQLite cannot alter a CHECK,
so the constraint's text is replaced in the schema table (the documented procedure for a change
that does not touch stored rows: every existing status is in the wider list) and the database
is checked afterwards.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Table

from disdukcapil_desk.db.models import (
    OutgoingAttachment,
    OutgoingMessage,
    PickupBooking,
    PickupSlot,
    SiakNumber,
    SignedDocument,
)
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.workflow import Status

_STATUS_CHECK = "ck_service_request_status"
_SQLITE_CHECK = re.compile(
    rf"CONSTRAINT {_STATUS_CHECK} CHECK \(status IN \([^)]*\)\)", re.IGNORECASE
)


def status_check_sql() -> str:
    """The CHECK of every status this version knows."""
    values = ", ".join(f"'{status.value}'" for status in Status)
    return f"CONSTRAINT {_STATUS_CHECK} CHECK (status IN ({values}))"


def add_delivery(conn: Connection) -> None:
    """Create the tables of the steps after approval and allow their statuses."""
    for model in (
        SiakNumber,
        SignedDocument,
        OutgoingMessage,
        OutgoingAttachment,
        PickupSlot,
        PickupBooking,
    ):
        table = model.__table__
        assert isinstance(table, Table)
        table.create(conn, checkfirst=True)
    widen_status_check(conn)


def widen_status_check(conn: Connection) -> None:
    """Replace the status CHECK of ``service_request`` with one of every current status."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ALTER TABLE service_request DROP CONSTRAINT {_STATUS_CHECK}")
        conn.exec_driver_sql(f"ALTER TABLE service_request ADD {status_check_sql()}")
        return
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'service_request'"
    ).scalar_one()
    widened, found = _SQLITE_CHECK.subn(status_check_sql(), sql)
    if found != 1:
        raise DeskError("Batasan status service_request tidak ditemukan; basis data tidak dikenal")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'service_request'",
        (widened,),
    )
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = conn.exec_driver_sql("PRAGMA quick_check").scalars().all()
    if problems != ["ok"]:
        raise DeskError(f"Pemeriksaan basis data setelah mengubah batasan status: {problems}")
