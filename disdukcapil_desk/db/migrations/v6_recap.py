"""Version 6, part: the recap's covering index on ``service_request`` (db layer).

A recap reads every request received in its period, but only a few narrow columns of each:
the service, office, address codes, channel, status, due date and the times that say when it
finished. With those in one index ordered by ``received_at``, the recap's aggregates read the
period's range of that index and never the wide rows (payloads, names), on SQLite and
PostgreSQL (an index-only scan) alike.
"""

from __future__ import annotations

from sqlalchemy import Connection

from disdukcapil_desk.db import models

RECAP_INDEX = "ix_service_request_recap"
RECAP_INDEX_COLUMNS = tuple(c for c in models.RECAP_INDEX_COLUMNS if c != "issued_at")
"""What the recap's aggregates read of a request, the period's range first: today's index
without the column version 9 added. Not ``id``: a probe that selects ``id`` by a number
fragment (``search_index._gin_ids``) would find this index covering and scan all of it
instead of the trigram index (SQLite keeps the rowid in every index anyway)."""


def add_recap_index(conn: Connection) -> None:
    """Create the recap's covering index (a no-op where it already exists)."""
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {RECAP_INDEX} "
        f"ON service_request ({', '.join(RECAP_INDEX_COLUMNS)})"
    )
