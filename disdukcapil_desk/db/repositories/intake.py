"""Reading and marking intake rows (db layer; no commits here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import (
    IncomingAttachment,
    IncomingRequest,
    RequestAttachment,
    RequestFinding,
)
from disdukcapil_desk.domain.dto import QuarantinedRow


class IncomingRecord(NamedTuple):
    """A pending intake row as ingest reads it (marked afterwards with ``intake_batch``)."""

    id: int
    channel: str
    external_ref: str
    received_at: dt.datetime
    sender: str
    service_code: str
    location_code: str | None
    payload: str
    reply_to_number: str | None


INGEST_LOCK_KEY = 0x4B544C5F494E4753
"""The PostgreSQL advisory lock that gives one ingest batch at a time the database."""


def take_ingest_turn(session: Session) -> None:
    """Wait until no other workstation's ingest batch is running (until this transaction ends).

    Batches take the number counters of several offices in their rows' order; two of them at
    once could each hold a counter the other waits for. They also all end on the one audit
    head, so taking turns costs no throughput. SQLite's ``BEGIN IMMEDIATE`` already serialises;
    there the connection's page cache is made large enough to keep the inner pages of the
    request table's indexes (a batch's keys land all over them): at a million requests the
    default 2 MB cache rereads them for every row and the insert takes three times as long.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INGEST_LOCK_KEY})
    else:
        session.execute(text(f"PRAGMA cache_size = -{INGEST_SQLITE_CACHE_KB}"))


INGEST_SQLITE_CACHE_KB = 65_536
"""The page cache of a SQLite connection that ingests (KiB; SQLite's default is 2,000)."""


def lock_pending_batch(session: Session, limit: int) -> list[IncomingRecord]:
    """Return up to ``limit`` rows not yet ingested, oldest first, locked for this transaction.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two workstations ingesting at once take disjoint
    batches. SQLite: the transaction began with ``BEGIN IMMEDIATE`` and is the only writer.
    Plain rows, not ORM objects: ingest marks them with one statement per batch.
    """
    stmt = (
        select(*(getattr(IncomingRequest, name) for name in IncomingRecord._fields))
        .where(IncomingRequest.ingested_at.is_(None))
        .order_by(IncomingRequest.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return [IncomingRecord(*row) for row in session.execute(stmt)]


def attachments_of_rows(
    session: Session, incoming_ids: Sequence[int]
) -> dict[int, list[tuple[int, str | None]]]:
    """Return (id, kind) of the attachments of several incoming rows, by row, in one query."""
    found: dict[int, list[tuple[int, str | None]]] = {}
    if not incoming_ids:
        return found
    rows = session.execute(
        select(
            IncomingAttachment.incoming_request_id, IncomingAttachment.id, IncomingAttachment.kind
        )
        .where(IncomingAttachment.incoming_request_id.in_(incoming_ids))
        .order_by(IncomingAttachment.id)
    )
    for row in rows:
        found.setdefault(row.incoming_request_id, []).append((row.id, row.kind))
    return found


def insert_incoming(
    session: Session,
    *,
    channel: str,
    external_ref: str,
    received_at: dt.datetime,
    sender: str,
    service_code: str,
    payload: str,
    location_code: str | None = None,
    reply_to_number: str | None = None,
) -> int | None:
    """Insert a row as a channel would; a resend of the same (channel, external_ref) is a no-op.

    Returns:
        The new row's id, or None when the row was already there.
    """
    insert_fn = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    stmt = (
        insert_fn(IncomingRequest)
        .values(
            channel=channel,
            external_ref=external_ref,
            received_at=received_at,
            sender=sender,
            service_code=service_code,
            location_code=location_code,
            payload=payload,
            reply_to_number=reply_to_number,
        )
        .on_conflict_do_nothing(index_elements=["channel", "external_ref"])
        .returning(IncomingRequest.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def attachment_codes(session: Session, request_id: int) -> list[str | None]:
    """The requirement code of every attachment of a request (None when unmarked)."""
    return list(
        session.scalars(
            select(RequestAttachment.requirement_code).where(
                RequestAttachment.service_request_id == request_id
            )
        )
    )


def delete_findings(session: Session, request_id: int, code: str) -> None:
    """Remove a request's automatic findings with ``code`` (before they are computed again)."""
    session.execute(
        delete(RequestFinding).where(
            RequestFinding.service_request_id == request_id,
            RequestFinding.source == "auto",
            RequestFinding.code == code,
        )
    )


def add_attachment(
    session: Session,
    incoming_id: int,
    *,
    kind: str | None,
    filename: str,
    media_type: str,
    content: bytes,
) -> None:
    """Store one attachment of an intake row, as a channel does."""
    session.add(
        IncomingAttachment(
            incoming_request_id=incoming_id,
            kind=kind,
            filename=filename,
            media_type=media_type,
            content=content,
        )
    )


def pending_count(session: Session) -> int:
    """How many rows wait to be ingested."""
    return int(
        session.scalar(select(func.count()).where(IncomingRequest.ingested_at.is_(None))) or 0
    )


def quarantine(session: Session, row_id: int, at: dt.datetime, reason: str) -> None:
    """Mark a row as handled without a request, keeping why."""
    row = session.get(IncomingRequest, row_id)
    assert row is not None
    row.ingested_at = at
    row.ingest_error = reason


def quarantined_rows(session: Session, limit: int) -> list[QuarantinedRow]:
    """The quarantined rows, newest first: what an administrator may re-queue."""
    rows = session.execute(
        select(
            IncomingRequest.id,
            IncomingRequest.channel,
            IncomingRequest.external_ref,
            IncomingRequest.service_code,
            IncomingRequest.received_at,
            IncomingRequest.ingested_at,
            IncomingRequest.ingest_error,
        )
        .where(IncomingRequest.ingest_error.is_not(None))
        .order_by(IncomingRequest.id.desc())
        .limit(limit)
    ).all()
    return [
        QuarantinedRow(
            row_id=r.id,
            channel=r.channel,
            external_ref=r.external_ref,
            service_code=r.service_code,
            received_at=r.received_at,
            quarantined_at=r.ingested_at,
            reason=r.ingest_error or "",
        )
        for r in rows
    ]


def requeue(session: Session, row_ids: Sequence[int]) -> dict[int, str]:
    """Make quarantined rows pending again; return the reason each had, by row id.

    Rows that are not quarantined (pending, or already a request) are left alone.
    """
    rows = session.scalars(
        select(IncomingRequest)
        .where(IncomingRequest.id.in_(row_ids), IncomingRequest.ingest_error.is_not(None))
        .with_for_update()
    ).all()
    reasons = {row.id: row.ingest_error or "" for row in rows}
    for row in rows:
        row.ingested_at = None
        row.ingest_error = None
    return reasons


def link_attachments(
    session: Session, request_id: int, links: Sequence[tuple[int, str | None]]
) -> None:
    """Attach intake attachments (id, requirement code or None) to a request, and flush."""
    for attachment_id, requirement_code in links:
        session.add(
            RequestAttachment(
                service_request_id=request_id,
                incoming_attachment_id=attachment_id,
                requirement_code=requirement_code,
            )
        )
    session.flush()
