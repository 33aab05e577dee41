"""Writing one ingest batch with a few multi-row statements (db layer; no commits here).

Ingest gathers a batch's new requests in Python and hands them here together: their ids drawn
first (one statement), the open requests they may duplicate read in one query, then the
requests (ids and duplicate flags included) in one multi-row ``INSERT``, their findings,
checklists and attachment links in one each, the "received" messages to the citizens in one,
and the intake rows marked in one ``UPDATE``. On PostgreSQL each of those inserts is a
``COPY``: no statement of thousands of parameters for the server to parse and the driver to
bind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, select, text, union_all
from sqlalchemy.orm import Session

from disdukcapil_desk.db.base import UtcDateTime
from disdukcapil_desk.db.models import (
    OutgoingMessage,
    RequestAttachment,
    RequestFinding,
    RequirementCheck,
    ServiceRequest,
)
from disdukcapil_desk.db.repositories import bulk
from disdukcapil_desk.db.repositories.notify import QUEUE_CHANNEL
from disdukcapil_desk.domain.duplicates import Parties
from disdukcapil_desk.domain.workflow import CLOSED_STATUSES

_CLOSED = tuple(sorted(s.value for s in CLOSED_STATUSES))


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert_many(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *returning: str
) -> list[Any]:
    """Insert ``rows`` (dicts with the same keys) and return the rows' ``returning`` columns
    (nothing when none is named): ``COPY`` on PostgreSQL, multi-row ``INSERT … VALUES`` on
    SQLite (``bulk``).
    """
    if session.get_bind().dialect.name == "postgresql":
        return _copy_many(session, table, rows, returning)
    return bulk.insert_values(session, table, rows, returning)


def _copy_many(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], returning: tuple[str, ...]
) -> list[Any]:
    """``bulk.copy_rows`` (a name of its own so a benchmark can count the COPYs)."""
    return bulk.copy_rows(session, table, rows, returning)


def _insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` needing nothing back (see ``_insert_many``)."""
    _insert_many(session, table, rows)


def new_request_ids(session: Session, count: int) -> list[int]:
    """``count`` ids for new requests, ascending (``bulk.next_ids``)."""
    return bulk.next_ids(session, _table(ServiceRequest), count)


def insert_requests(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new requests (each a dict of ``service_request`` columns, id and number
    included, its duplicate flag too: set by a later ``UPDATE`` it would cost SQLite every
    index entry of the row again, the column being a foreign key).
    """
    _insert_rows(session, _table(ServiceRequest), rows)


def open_requests_about(
    session: Session, subject_niks: Collection[str], applicant_niks: Collection[str]
) -> list[Parties]:
    """The open requests naming one of ``subject_niks`` as their subject or one of
    ``applicant_niks`` as their applicant (with a subject's name): those that new requests
    about these people may duplicate (``domain.duplicates``). One query for a whole batch.
    """
    if not subject_niks and not applicant_niks:
        return []
    rows = session.execute(
        _OPEN_ABOUT,
        {"subject_niks": sorted(subject_niks), "applicant_niks": sorted(applicant_niks)},
    )
    return [Parties(*row) for row in rows]


def _open_about_query() -> Any:
    """The query of ``open_requests_about``, built once (its compiled form is cached)."""
    sr = _table(ServiceRequest).c
    columns = (sr.id, sr.number, sr.service_code, sr.nik, sr.subject_nik, sr.subject_name)
    by_subject = select(*columns).where(
        sr.subject_nik.in_(bindparam("subject_niks", expanding=True)),
        sr.status.not_in(_CLOSED),
    )
    by_applicant = select(*columns).where(
        sr.nik.in_(bindparam("applicant_niks", expanding=True)),
        sr.subject_name != "",
        sr.status.not_in(_CLOSED),
    )
    return union_all(by_subject, by_applicant)


_OPEN_ABOUT = _open_about_query()


def insert_findings(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert findings (dicts of ``request_finding`` columns)."""
    _insert_rows(session, _table(RequestFinding), rows)


def insert_checks(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert checklist lines (dicts of ``requirement_check`` columns)."""
    _insert_rows(session, _table(RequirementCheck), rows)


def insert_attachment_links(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Link intake attachments to requests (dicts of ``request_attachment`` columns)."""
    _insert_rows(session, _table(RequestAttachment), rows)


def insert_messages(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Put the batch's messages to citizens (dicts of ``outgoing_message`` columns) into the
    outbox: one multi-row statement for the batch.
    """
    _insert_rows(session, _table(OutgoingMessage), rows)


def mark_handled(
    session: Session, at: dt.datetime, outcomes: Mapping[int, tuple[int | None, str | None]]
) -> None:
    """Mark intake rows handled at ``at`` in one statement: row id → (the request it became,
    None) or (None, the quarantine reason).

    PostgreSQL: one ``UPDATE … FROM unnest(…)`` with the values as three arrays; SQLite (no
    round trips): one prepared ``UPDATE`` run for every row by the driver (``executemany``).
    """
    if not outcomes:
        return
    ids = list(outcomes)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            _MARK_HANDLED_PG,
            {
                "at": at,
                "ids": ids,
                "requests": [outcomes[i][0] for i in ids],
                "errors": [outcomes[i][1] for i in ids],
            },
        )
        return
    session.execute(
        _MARK_HANDLED,
        [
            {"row_id": i, "at": at, "request_id": request_id, "error": error}
            for i, (request_id, error) in outcomes.items()
        ],
    )


_MARK_HANDLED = text(
    "UPDATE incoming_request SET ingested_at = :at, service_request_id = :request_id, "
    "ingest_error = :error WHERE id = :row_id"
).bindparams(bindparam("at", type_=UtcDateTime()))
_MARK_HANDLED_PG = text(
    "UPDATE incoming_request AS t SET ingested_at = :at, service_request_id = v.request_id, "
    "ingest_error = v.error "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:requests AS bigint[]), CAST(:errors AS text[])) "
    "AS v(id, request_id, error) WHERE t.id = v.id"
).bindparams(bindparam("at", type_=UtcDateTime()))


def queues_changed(session: Session, location_codes: Sequence[str]) -> None:
    """``notify.queue_changed`` for several offices in one statement (no-op on SQLite): one
    notification per office, sent at commit.
    """
    if not location_codes or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text("SELECT pg_notify(:channel, code) FROM unnest(CAST(:codes AS text[])) AS code"),
        {"channel": QUEUE_CHANNEL, "codes": list(location_codes)},
    )
