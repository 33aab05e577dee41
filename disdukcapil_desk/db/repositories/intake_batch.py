"""Writing one ingest batch with a few multi-row statements (db layer; no commits here).

Ingest gathers a batch's new requests in Python and hands them here together: the requests in
one multi-row ``INSERT … RETURNING``, their findings, checklists and attachment links in one
each, the duplicate check in one query, the "received" messages to the citizens in one, and
the intake rows marked in one ``UPDATE``. On PostgreSQL each of those inserts is a ``COPY``
(the requests' ids drawn from their sequence beforehand, in one statement): no statement of
thousands of parameters for the server to parse and the driver to bind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, case, func, select, text, union_all, update
from sqlalchemy.orm import Session, aliased

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
from disdukcapil_desk.domain.workflow import CLOSED_STATUSES

_CLOSED = tuple(sorted(s.value for s in CLOSED_STATUSES))


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


def insert_requests(session: Session, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Insert new requests (each a dict of ``service_request`` columns, number included);
    return their ids by number.
    """
    inserted = _insert_many(session, _table(ServiceRequest), rows, "id", "number")
    return {row.number: int(row.id) for row in inserted}


def _duplicates_query() -> Any:
    """The duplicate check of a batch, built once (SQLAlchemy caches its compiled form)."""
    new, other = aliased(ServiceRequest), aliased(ServiceRequest)
    common = (
        new.id.in_(bindparam("ids", expanding=True)),
        other.service_code == new.service_code,
        other.id < new.id,
        other.status.not_in(_CLOSED),
    )
    columns = (new.id.label("new_id"), other.id.label("other_id"), other.number)
    by_subject = select(*columns).where(
        *common, new.subject_nik != "", other.subject_nik == new.subject_nik
    )
    by_applicant = select(*columns).where(
        *common,
        new.subject_nik == "",
        new.nik != "",
        new.subject_name != "",
        other.nik == new.nik,
        func.lower(other.subject_name) == func.lower(new.subject_name),
    )
    return union_all(by_subject, by_applicant)


_DUPLICATES = _duplicates_query()


def open_duplicates(session: Session, request_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """For each of ``request_ids`` (just inserted), the (id, number) of the oldest *older* open
    request of the same service about the same person, if any: the subject's NIK, else (a
    newborn, a name on an old akta) the same applicant naming the same subject. One query for
    the whole batch; a request of the same batch counts when it came before.
    """
    if not request_ids:
        return {}
    found: dict[int, tuple[int, str]] = {}
    for row in session.execute(_DUPLICATES, {"ids": list(request_ids)}):
        if row.new_id not in found or row.other_id < found[row.new_id][0]:
            found[row.new_id] = (int(row.other_id), row.number)
    return found


def mark_duplicates(session: Session, duplicate_of: Mapping[int, int]) -> None:
    """Set ``possible_duplicate_of`` of new requests (request id → the older one's id)."""
    if not duplicate_of:
        return
    table = _table(ServiceRequest)
    session.execute(
        update(table)
        .where(table.c.id.in_(list(duplicate_of)))
        .values(possible_duplicate_of=case(duplicate_of, value=table.c.id))
    )


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


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


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
