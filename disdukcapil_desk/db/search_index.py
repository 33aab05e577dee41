"""Indexes for searching applicants by part of their name (db layer).

A LIKE '%fragment%' cannot use a B-tree, so without help a name search reads every request
(0.6 s on PostgreSQL and up to 1.5 s on SQLite at a million requests). Both databases have a
trigram index for exactly this:

- PostgreSQL: ``pg_trgm`` (a trusted extension since PostgreSQL 13, so the owner of the database
  may create it) and a GIN index on ``lower(applicant_name)``; the planner uses it for the same
  ``lower(applicant_name) LIKE`` the queue already writes.
- SQLite: an FTS5 table with the trigram tokenizer over ``applicant_name`` (external content:
  it stores only the index), kept up to date by triggers; the query asks it for the row ids.

Both are created with the table (``after_create``), so ``create_all`` and ``schema.sql`` agree.
Fragments shorter than three characters cannot use a trigram index and are scanned as before.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    ColumnElement,
    Integer,
    Select,
    event,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import InstrumentedAttribute

FTS_TABLE = "service_request_name_fts"
MIN_FRAGMENT = 3

POSTGRESQL_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_service_request_name_trgm ON service_request "
    "USING gin (lower(applicant_name) gin_trgm_ops)",
)

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "applicant_name, content='service_request', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON service_request BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, applicant_name) VALUES (new.id, new.applicant_name); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON service_request BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, applicant_name) "
    "VALUES ('delete', old.id, old.applicant_name); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF applicant_name "
    f"ON service_request BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, applicant_name) "
    "VALUES ('delete', old.id, old.applicant_name); "
    f"INSERT INTO {FTS_TABLE}(rowid, applicant_name) VALUES (new.id, new.applicant_name); END",
)

SQLITE_REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"
"""Re-reads every name into the FTS index (after a bulk load with the triggers bypassed)."""


def attach(requests: object) -> None:
    """Create the search index right after the ``service_request`` table, on either database."""
    for statement in POSTGRESQL_DDL:
        event.listen(requests, "after_create", _ddl(statement).execute_if(dialect="postgresql"))
    for statement in SQLITE_DDL:
        event.listen(requests, "after_create", _ddl(statement).execute_if(dialect="sqlite"))


def _ddl(statement: str) -> DDL:
    return DDL(statement)  # type: ignore[no-untyped-call]


def name_condition(
    name: InstrumentedAttribute[str],
    row_id: InstrumentedAttribute[int],
    fragment: str,
    dialect: str,
) -> ColumnElement[bool]:
    """Match requests whose applicant name contains ``fragment`` (case-insensitive)."""
    escaped = fragment.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    if dialect == "sqlite" and len(fragment) >= MIN_FRAGMENT:
        fts = table(FTS_TABLE, literal_column("applicant_name"))
        matching: Select[int] = (
            select(literal_column("rowid", Integer))
            .select_from(fts)
            .where(literal_column("applicant_name").like(pattern, escape="\\"))
        )
        return row_id.in_(matching)
    return func.lower(name).like(pattern, escape="\\")
