"""Version 4, part: the (status, received_at, id) index of the queue (db layer).

One status over every location in date order ("Baru" at the dinas) is read from its own index
range instead of walking four years of closed requests by date.
"""

from __future__ import annotations

from sqlalchemy import Connection


def add_status_index(conn: Connection) -> None:
    """Create the queue's per-status date index (a no-op where it already exists)."""
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_service_request_status_received "
        "ON service_request (status, received_at, id)"
    )
