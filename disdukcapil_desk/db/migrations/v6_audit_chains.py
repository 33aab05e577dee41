"""Version 6, audit chains: several chains instead of one, so workstations append to the
audit log in parallel (db layer).

``audit_log.chain`` names the chain an entry links into, indexed with the id (the last entry
of a chain is one index probe); every existing entry is in chain 1, the old single chain, which
goes on from its head row as it was. ``audit_head`` may now hold one row per chain: its CHECK
``id = 1`` becomes ``id >= 1``. PostgreSQL replaces the constraint; SQLite cannot alter one,
so the small table is rebuilt with its rows.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table

from disdukcapil_desk.db.models import AuditHead

_OLD_CHECK = "ck_audit_head_single_row"


def add_audit_chains(conn: Connection) -> None:
    """Add the chain column (existing entries: chain 1) and allow one head row per chain."""
    conn.exec_driver_sql("ALTER TABLE audit_log ADD COLUMN chain SMALLINT NOT NULL DEFAULT 1")
    if conn.dialect.name == "postgresql":
        # The models (and schema.sql) have no server default: every writer names its chain.
        conn.exec_driver_sql("ALTER TABLE audit_log ALTER COLUMN chain DROP DEFAULT")
        conn.exec_driver_sql(f"ALTER TABLE audit_head DROP CONSTRAINT {_OLD_CHECK}")
        conn.exec_driver_sql(
            "ALTER TABLE audit_head ADD CONSTRAINT ck_audit_head_chain_number CHECK (id >= 1)"
        )
    else:
        conn.exec_driver_sql("ALTER TABLE audit_head RENAME TO audit_head_v5")
        table = AuditHead.__table__
        assert isinstance(table, Table)
        table.create(conn)
        conn.exec_driver_sql(
            "INSERT INTO audit_head (id, last_id, last_hash) "
            "SELECT id, last_id, last_hash FROM audit_head_v5"
        )
        conn.exec_driver_sql("DROP TABLE audit_head_v5")
    conn.exec_driver_sql("CREATE INDEX ix_audit_log_chain ON audit_log (chain, id)")
