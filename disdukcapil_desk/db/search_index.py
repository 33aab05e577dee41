r"""Indexes for searching requests by part of a name (the applicant's or the subject's, e.g. the
pelapor's or the deceased's) or of the number (db layer).

A LIKE '%fragment%' cannot use a B-tree, so without help such a search reads every request
(0.6 s on PostgreSQL and up to 1.5 s on SQLite at a million requests). Both databases have a
trigram index for exactly this:

- PostgreSQL: ``pg_trgm`` (a trusted extension since PostgreSQL 13, so the owner of the database
  may create it) and GIN indexes on ``lower(applicant_name)``, ``lower(subject_name)`` and on
  ``number``, asked for the matching ids by a bitmap scan only (``_gin_ids``: a name the
  planner believes common would otherwise be looked for by walking the date index in queue
  order, through years of requests when its matches are few or recent).
- SQLite: an FTS5 table with the trigram tokenizer over ``applicant_name``, ``subject_name``
  and ``number``
  (external content: it stores only the index), kept up to date by triggers; the query asks it
  for the row ids with a trigram phrase MATCH.

On both, at most ``COMMON_MATCHES`` + 1 ids are asked for: the page then reads only those rows;
a fragment matching more is common, and its page walks the queue in order with the ``LIKE``
(a page of matches is soon found).

Both are created with the table (``after_create``), so ``create_all`` and ``schema.sql`` agree.
Fragments shorter than three characters cannot use a trigram index and are scanned as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    DDL,
    BigInteger,
    ColumnElement,
    any_,
    bindparam,
    event,
    false,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
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
PG_COMMON_MATCHES = 2000
"""The same on PostgreSQL, lower: its probe reads each candidate's row to recheck the trigram
match (FTS5 reads only its index), so a common name's probe of 8,000 rows cost more than the
walk it decides on (at a million requests: 'hartono' 537 ms with 8,000, 218 ms with 2,000, the
rare name unchanged)."""


def name_condition(
    session: Session,
    names: Sequence[InstrumentedAttribute[str]],
    row_id: InstrumentedAttribute[int],
    fragment: str,
) -> ColumnElement[bool]:
    """Match requests where one of ``names`` (the applicant's, the subject's) contains
    ``fragment`` (case-insensitive).
    """
    pattern = _contains(fragment.lower())
    scan = or_(*(func.lower(name).like(pattern, escape="\\") for name in names))
    indexed = _through_index(session, NAME_COLUMNS, scan, row_id, fragment)
    return scan if indexed is None else indexed


def number_condition(
    session: Session,
    number: InstrumentedAttribute[str],
    row_id: InstrumentedAttribute[int],
    fragment: str,
) -> ColumnElement[bool]:
    """Match requests whose number contains ``fragment``."""
    scan = number.like(_contains(fragment), escape="\\")
    indexed = _through_index(session, "number", scan, row_id, fragment)
    return scan if indexed is None else indexed


def _contains(fragment: str) -> str:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _through_index(
    session: Session,
    column: str,
    scan: ColumnElement[bool],
    row_id: InstrumentedAttribute[int],
    fragment: str,
) -> ColumnElement[bool] | None:
    """The ids of the matching rows, asked of the trigram index first (at most
    ``COMMON_MATCHES`` + 1 of them): the page then reads only those rows. None for fragments
    too short for trigrams and for common fragments, which the page finds sooner by walking the
    queue in its own order with ``scan``.
    """
    if len(fragment) < MIN_FRAGMENT:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    ids = _fts_ids(session, column, fragment) if sqlite else _gin_ids(session, scan, row_id)
    if ids is None:
        return None
    if not ids:
        return false()  # nothing matches: the page need not be read at all
    if sqlite:
        return row_id.in_(ids)
    return row_id == any_(bindparam("matching_ids", ids, type_=ARRAY(BigInteger())))


def _fts_ids(session: Session, column: str, fragment: str) -> list[int] | None:
    """SQLite: the rowids whose ``column`` contains ``fragment``, from the FTS5 index; None
    when more than ``COMMON_MATCHES`` do.

    A trigram phrase MATCH is an exact, case-insensitive substring test that reads only the
    index (a LIKE on the FTS table would also read each candidate's row).
    """
    quoted = fragment.replace('"', '""')
    phrase = f'{column} : "{quoted}"'
    ids = session.scalars(
        text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :phrase LIMIT :limit"),
        {"phrase": phrase, "limit": COMMON_MATCHES + 1},
    ).all()
    return None if len(ids) > COMMON_MATCHES else list(ids)


_BITMAPS_ONLY = (
    "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
    "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
)
_RESTORE = (
    "SELECT set_config('enable_seqscan', :seq, true), set_config('enable_indexscan', :idx, true)"
)


def _gin_ids(
    session: Session, scan: ColumnElement[bool], row_id: InstrumentedAttribute[int]
) -> list[int] | None:
    """PostgreSQL: the ids of the rows ``scan`` matches, read through the trigram GIN indexes
    (a bitmap scan); None when more than ``PG_COMMON_MATCHES`` do.

    The planner's estimate for a substring is a guess: for a name it believes common it walks
    the date index in queue order and filters every row, which reads years of requests when the
    matches are few or recent (0.4 s at a million). So sequential and plain index scans are
    turned off for the rest of the transaction (``set_config(…, true)``): the probe can only
    use the bitmap of the GIN indexes, and the page that follows fetches the matching ids by
    bitmap too, whatever the planner estimates. A common fragment gets the settings back: its
    page walks the queue in order, which finds a page of matches sooner.
    """
    seq, idx, *_ = session.execute(text(_BITMAPS_ONLY)).one()
    ids = session.scalars(select(row_id).where(scan).limit(PG_COMMON_MATCHES + 1)).all()
    if len(ids) > PG_COMMON_MATCHES:
        session.execute(text(_RESTORE), {"seq": seq, "idx": idx})
        return None
    return list(ids)
