"""A database as version 1 of the schema left it, to test ``db upgrade`` (test helper)."""

from __future__ import annotations

from sqlalchemy import Connection, select, text

from disdukcapil_desk.db import search_index
from disdukcapil_desk.db.migrations.v6_recap import add_recap_index
from disdukcapil_desk.db.migrations.v7_walkin import (
    CHANNEL_TABLES,
    channel_check_sql,
    replace_channel_check,
)
from disdukcapil_desk.db.models import SchemaVersion
from disdukcapil_desk.operations.context import DeskContext


def back_to_version_1(ctx: DeskContext) -> None:
    """Turn the database into what version 1 was: the old columns held the common fields
    (the deceased's name and NIK), no subject columns, the name index over one name, no
    forced password change, no audit MAC, no per-status queue index."""
    with ctx.engine.begin() as conn:
        conn.execute(
            text("UPDATE service_request SET applicant_name = subject_name, nik = subject_nik")
        )
        if ctx.postgresql:
            conn.exec_driver_sql("DROP INDEX ix_service_request_subject_trgm")
        else:
            for statement in search_index.SQLITE_DROP:
                conn.exec_driver_sql(statement)
        conn.exec_driver_sql("DROP INDEX ix_service_request_subject_nik")
        conn.exec_driver_sql("DROP INDEX ix_service_request_status_received")
        conn.exec_driver_sql("ALTER TABLE service_request DROP COLUMN subject_nik")
        conn.exec_driver_sql("ALTER TABLE service_request DROP COLUMN subject_name")
        if not ctx.postgresql:
            fts = search_index.FTS_TABLE
            conn.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {fts} USING fts5(applicant_name, number, "
                "content='service_request', content_rowid='id', tokenize='trigram')"
            )
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        conn.exec_driver_sql("ALTER TABLE app_user DROP COLUMN must_change_password")
        undo_version_6(conn)
        conn.exec_driver_sql("ALTER TABLE audit_log DROP COLUMN mac")
        for table in (
            "pickup_booking",
            "pickup_slot",
            "outgoing_attachment",
            "outgoing_message",
            "signed_document",
            "siak_number",
        ):
            conn.exec_driver_sql(f"DROP TABLE {table}")
        conn.exec_driver_sql("DROP TABLE signing_job")
        conn.exec_driver_sql("DROP TABLE seal_key")
        conn.execute(text("UPDATE schema_version SET version = 1"))
        assert conn.scalar(select(SchemaVersion.version)) == 1


def undo_version_6(conn: Connection) -> None:
    """What version 6 added undone: the audit chains and the recap's covering index (and
    first what version 7 added)."""
    undo_version_7(conn)
    undo_audit_chains(conn)
    conn.exec_driver_sql("DROP INDEX ix_service_request_recap")


def undo_version_7(conn: Connection) -> None:
    """What version 7 added undone: the channel CHECKs without ``loket`` (and first what
    version 8 added)."""
    undo_version_8(conn)
    for table in CHANNEL_TABLES:
        replace_channel_check(conn, table, channel_check_sql(table, OLD_CHANNELS))


def undo_version_8(conn: Connection) -> None:
    """What version 8 added undone: the offline tables (and first what version 9 added)."""
    undo_version_9(conn)
    conn.exec_driver_sql("DROP TABLE offline_applied")
    conn.exec_driver_sql("DROP TABLE number_block")


def undo_version_9(conn: Connection) -> None:
    """What version 9 added undone: ``issued_at`` and the recap index with it (the index of
    version 6 again)."""
    conn.exec_driver_sql("DROP INDEX ix_service_request_recap")
    conn.exec_driver_sql("ALTER TABLE service_request DROP COLUMN issued_at")
    add_recap_index(conn)


OLD_CHANNELS = ("whatsapp", "web", "email", "import")
"""The channels before version 7."""


def undo_audit_chains(conn: Connection) -> None:
    """The audit tables before version 6: no chain column, a single head row (the database
    must hold one chain)."""
    conn.exec_driver_sql("DROP INDEX ix_audit_log_chain")
    conn.exec_driver_sql("ALTER TABLE audit_log DROP COLUMN chain")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_head DROP CONSTRAINT ck_audit_head_chain_number")
        conn.exec_driver_sql(
            "ALTER TABLE audit_head ADD CONSTRAINT ck_audit_head_single_row CHECK (id = 1)"
        )
        return
    head = conn.execute(text("SELECT id, last_id, last_hash FROM audit_head")).all()
    conn.exec_driver_sql("DROP TABLE audit_head")
    conn.exec_driver_sql(
        "CREATE TABLE audit_head (id SMALLINT NOT NULL, last_id BIGINT NOT NULL, "
        "last_hash VARCHAR(64) NOT NULL, CONSTRAINT pk_audit_head PRIMARY KEY (id), "
        "CONSTRAINT ck_audit_head_single_row CHECK (id = 1))"
    )
    conn.execute(
        text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (:i, :l, :h)"),
        [{"i": i, "l": last, "h": digest} for i, last, digest in head],
    )
