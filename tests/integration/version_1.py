"""A database as version 1 of the schema left it, to test ``db upgrade`` (test helper)."""

from __future__ import annotations

from sqlalchemy import select, text

from disdukcapil_desk.db import search_index
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
