"""Reading and marking intake rows (db layer; no commits here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import (
    IncomingAttachment,
    IncomingRequest,
    RequestAttachment,
    RequestFinding,
)


def lock_pending_batch(session: Session, limit: int) -> Sequence[IncomingRequest]:
    """Return up to ``limit`` rows not yet ingested, oldest first, locked for this transaction.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two workstations ingesting at once take disjoint
    batches. SQLite: the transaction began with ``BEGIN IMMEDIATE`` and is the only writer.
    """
    stmt: Select[IncomingRequest] = (
        select(IncomingRequest)
        .where(IncomingRequest.ingested_at.is_(None))
        .order_by(IncomingRequest.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalars(stmt).all()


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
