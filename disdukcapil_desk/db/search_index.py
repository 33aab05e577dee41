r"""Indexes for searching requests by part of a name (the applicant's or the subject's, e.g. the
pelapor's or the deceased's) or of the number (db layer).

A LIKE '%fragment%' cannot use a B-tree, so without help such a search reads every request
(0.6 s on PostgreSQL and up to 1.5 s on SQLite at a million requests). Both databases have a
trigram index for exactly this:

- PostgreSQL: ``pg_trgm`` (a trusted extension since PostgreSQL 13, so the owner of the database
  may create it) and GIN indexes on ``lower(applicant_name)``, ``lower(subject_name)`` and on
  ``number``; the planner uses them for the same ``LIKE`` the queue writes (a name search is
  an OR of the two names: a ``BitmapOr`` of the two indexes).
- SQLite: an FTS5 table with the trigram tokenizer over ``applicant_name``, ``subject_name``
  and ``number``
  (external content: it stores only the index), kept up to date by triggers; the query asks it
  for the row ids. FTS5 uses its index only for a plain two-argument LIKE: a fragment with a
  wildcard character of its own (``%``, ``_``, ``\``) needs ESCAPE and is scanned instead.

Both are created with the table (``after_create``), so ``create_all`` and ``schema.sql`` agree.
Fragments shorter than three characters cannot use a trigram index and are scanned as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import DDL, ColumnElement, event, func, or_, text
from sqlalchemy.orm import InstrumentedAttribute, Session

FTS_TABLE = "service_request_name_fts"
MIN_FRAGMENT = 3

POSTGRESQL_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_service_request_name_trgm ON service_request "
    "USING gin (lower(applicant_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_service_request_subject_trgm ON service_request "
    "USING gin (lower(subject_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_service_request_number_trgm ON service_request "
    "USING gin (number gin_trgm_ops)",
)

_FTS_COLUMNS = "applicant_name, subject_name, number"
_NEW = "new.id, new.applicant_name, new.subject_name, new.number"
_OLD = "'delete', old.id, old.applicant_name, old.subject_name, old.number"
NAME_COLUMNS = "{applicant_name subject_name}"
"""The FTS5 column filter of a name search: either name."""

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_FTS_COLUMNS}, "
    "content='service_request', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON service_request BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, {_FTS_COLUMNS}) VALUES ({_NEW}); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON service_request BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_FTS_COLUMNS}) VALUES ({_OLD}); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF {_FTS_COLUMNS} "
    f"ON service_request BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_FTS_COLUMNS}) VALUES ({_OLD}); "
    f"INSERT INTO {FTS_TABLE}(rowid, {_FTS_COLUMNS}) VALUES ({_NEW}); END",
)

SQLITE_DROP = (
    *(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}" for suffix in ("ai", "ad", "au")),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
"""Drops the FTS index and its triggers (to rebuild them with other columns)."""

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


COMMON_MATCHES = 8000
"""Above this many matches a fragment is common: walking the queue in its own order finds a
page of them sooner than sorting every match (measured crossover at a million requests)."""


def name_condition(
    session: Session,
    names: Sequence[InstrumentedAttribute[str]],
    row_id: InstrumentedAttribute[int],
    fragment: str,
) -> ColumnElement[bool]:
    """Match requests where one of ``names`` (the applicant's, the subject's) contains
    ``fragment`` (case-insensitive).
    """
    indexed = _through_fts(session, NAME_COLUMNS, row_id, fragment)
    if indexed is not None:
        return indexed
    pattern = _contains(fragment.lower())
    return or_(*(func.lower(name).like(pattern, escape="\\") for name in names))


def number_condition(
    session: Session,
    number: InstrumentedAttribute[str],
    row_id: InstrumentedAttribute[int],
    fragment: str,
) -> ColumnElement[bool]:
    """Match requests whose number contains ``fragment``."""
    indexed = _through_fts(session, "number", row_id, fragment)
    if indexed is not None:
        return indexed
    return number.like(_contains(fragment), escape="\\")


def _contains(fragment: str) -> str:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _through_fts(
    session: Session, column: str, row_id: InstrumentedAttribute[int], fragment: str
) -> ColumnElement[bool] | None:
    """On SQLite, the ids of the rows whose ``column`` contains ``fragment``, from the FTS5
    index; None on PostgreSQL (its planner uses the GIN index by itself), for fragments too
    short for trigrams, and for common fragments (scanned in queue order instead).

    A trigram phrase MATCH is an exact, case-insensitive substring test that reads only the
    index (a LIKE on the FTS table would also read each candidate's row).
    """
    if session.get_bind().dialect.name != "sqlite" or len(fragment) < MIN_FRAGMENT:
        return None
    quoted = fragment.replace('"', '""')
    phrase = f'{column} : "{quoted}"'
    ids = session.scalars(
        text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :phrase LIMIT :limit"),
        {"phrase": phrase, "limit": COMMON_MATCHES + 1},
    ).all()
    if len(ids) > COMMON_MATCHES:
        return None
    return row_id.in_(ids)
