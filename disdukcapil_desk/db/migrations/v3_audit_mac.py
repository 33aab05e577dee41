"""Version 3, the keyed audit chain: ``audit_log.mac`` (db layer).

Each new entry carries the HMAC-SHA256 of its hash under the office's audit key, a key kept in
a file on the office's computers and never in the database. Entries written before have no MAC
(NULL) and verify by their hash only; ``audit verify`` reports how many.
"""

from __future__ import annotations

from sqlalchemy import Connection

AUDIT_MAC_VERSION = 3


def add_audit_mac(conn: Connection) -> None:
    """Add the nullable ``mac`` column of the audit log."""
    conn.exec_driver_sql("ALTER TABLE audit_log ADD COLUMN mac VARCHAR(64)")
