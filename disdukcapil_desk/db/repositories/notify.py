"""Telling other workstations that a queue changed: PostgreSQL NOTIFY (db layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

if TYPE_CHECKING:  # the driver loads with the first PostgreSQL connection, not at start-up
    import psycopg

QUEUE_CHANNEL = "desk_queue"


def queue_changed(session: Session, location_code: str) -> None:
    """Announce, at commit, that the queue of ``location_code`` changed (no-op on SQLite).

    ``pg_notify`` is transactional: listeners hear nothing if the transaction rolls back, and
    one notification per location and transaction however many rows changed.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :location)"),
            {"channel": QUEUE_CHANNEL, "location": location_code},
        )


def listen(conn: psycopg.Connection[object]) -> None:
    """Start hearing queue changes on a plain psycopg connection in autocommit mode."""
    conn.execute(f"LISTEN {QUEUE_CHANNEL}")
