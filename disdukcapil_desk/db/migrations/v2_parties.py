"""Version 2, the parties of a request: who applies, and whom the document is about (db layer).

Adds ``service_request.subject_nik`` and ``subject_name`` (indexed for the duplicate check and
for search) and widens the name search index to both names. Existing rows get the subject from
the old columns, which held the person of the common fields (the deceased of a death report,
the child of a KIA); ``IntakeOps.refresh_parties`` then re-reads both parties from each payload
with the catalogue, which the database layer does not know.
"""

from __future__ import annotations

from sqlalchemy import Connection

from disdukcapil_desk.db import search_index

PARTIES_VERSION = 2
"""The schema version that adds the subject (its data step: ``IntakeOps.refresh_parties``)."""


def add_request_parties(conn: Connection) -> None:
    """Add the subject columns, their indexes, and the subject to the name search index."""
    postgresql = conn.dialect.name == "postgresql"
    for column, size in (("subject_nik", 40), ("subject_name", 200)):
        conn.exec_driver_sql(
            f"ALTER TABLE service_request ADD COLUMN {column} VARCHAR({size}) NOT NULL DEFAULT ''"
        )
        if postgresql:  # as created from the models: no server default
            conn.exec_driver_sql(f"ALTER TABLE service_request ALTER COLUMN {column} DROP DEFAULT")
    conn.exec_driver_sql(
        "UPDATE service_request SET subject_nik = nik, subject_name = applicant_name"
    )
    conn.exec_driver_sql(
        "CREATE INDEX ix_service_request_subject_nik ON service_request (subject_nik)"
    )
    if postgresql:
        for statement in search_index.POSTGRESQL_DDL:
            conn.exec_driver_sql(statement)
        return
    for statement in (*search_index.SQLITE_DROP, *search_index.SQLITE_DDL):
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(search_index.SQLITE_REBUILD)
