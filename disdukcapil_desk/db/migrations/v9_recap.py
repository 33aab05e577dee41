"""Version 9, the recap's issue time: ``service_request.issued_at`` (db layer).

A recap counts a completed request as on time when its document was issued by its due date.
Until version 8 the recap looked the issue up in the audit log, one index probe per request:
about a second of a year's recap at a million requests. The first issue's time is now kept on
the request by the write that issues it (``operations.queue``, the same instant as its audit
entry), and this step fills it in for the requests issued before, from that same audit entry.

The recap's covering index is rebuilt with the new column, so that its aggregates still read
the period's range of the index alone.
"""

from __future__ import annotations

from sqlalchemy import Connection

from disdukcapil_desk.db.migrations.v6_recap import RECAP_INDEX
from disdukcapil_desk.db.models import RECAP_INDEX_COLUMNS

_BACKFILL = """
UPDATE service_request SET issued_at = issued.at
FROM (
    SELECT entity_key, min(at) AS at FROM audit_log
    WHERE entity = 'service_request' AND action = 'issue'
    GROUP BY entity_key
) AS issued
WHERE service_request.number = issued.entity_key
"""


def add_issued_at(conn: Connection) -> None:
    """Add and fill ``issued_at``; rebuild the recap index with it."""
    kind = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    conn.exec_driver_sql(f"ALTER TABLE service_request ADD COLUMN issued_at {kind}")
    conn.exec_driver_sql(_BACKFILL)
    conn.exec_driver_sql(f"DROP INDEX IF EXISTS {RECAP_INDEX}")
    conn.exec_driver_sql(
        f"CREATE INDEX {RECAP_INDEX} ON service_request ({', '.join(RECAP_INDEX_COLUMNS)})"
    )
