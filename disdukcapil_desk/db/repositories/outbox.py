"""The outbox, the desk's side: messages to the citizen written in the caller's transaction,
and what the desk reads back (a request's conversation, the office's undelivered messages).
No commits here.

The channels' side of the contract (claim a batch, report sent / delivered / failed) lives in
``channel.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import (
    IncomingAttachment,
    IncomingRequest,
    Location,
    OutgoingAttachment,
    OutgoingMessage,
    ServiceRequest,
)
from disdukcapil_desk.domain.conversation import (
    IncomingEntry,
    OutgoingEntry,
    UndeliveredMessage,
)
from disdukcapil_desk.domain.delivery import MessageKind, delivery_state


@dataclass(frozen=True, slots=True)
class NewAttachment:
    """A file to send with a message."""

    filename: str
    media_type: str
    content: bytes


def add_message(
    session: Session,
    *,
    request_id: int,
    channel: str,
    recipient: str,
    kind: str,
    body: str,
    at: dt.datetime,
    by: str,
    not_before: dt.datetime | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> int:
    """Write one message (and its files) in the caller's transaction; returns its id."""
    message_id = session.execute(
        insert(OutgoingMessage)
        .values(
            service_request_id=request_id,
            channel=channel,
            recipient=recipient,
            kind=kind,
            body=body,
            created_at=at,
            created_by=by,
            not_before=not_before,
            attempts=0,
        )
        .returning(OutgoingMessage.id)
    ).scalar_one()
    if attachments:
        session.execute(
            insert(OutgoingAttachment),
            [
                {
                    "outgoing_message_id": message_id,
                    "filename": a.filename,
                    "media_type": a.media_type,
                    "content": a.content,
                }
                for a in attachments
            ],
        )
    return int(message_id)


def message_columns(
    *,
    request_id: int,
    channel: str,
    recipient: str,
    kind: str,
    body: str,
    at: dt.datetime,
    by: str,
) -> dict[str, object]:
    """The ``outgoing_message`` columns of a new message (for a multi-row insert)."""
    return {
        "service_request_id": request_id,
        "channel": channel,
        "recipient": recipient,
        "kind": kind,
        "body": body,
        "created_at": at,
        "created_by": by,
        "not_before": None,
        "attempts": 0,
    }


def location_name(session: Session, code: str) -> str:
    """The name of an office (its code when unknown)."""
    location = session.get(Location, code)
    return location.name if location is not None else code


def location_names(session: Session) -> dict[str, str]:
    """Every office's name by code."""
    return {code: name for code, name in session.execute(select(Location.code, Location.name))}


def load_message(session: Session, message_id: int) -> OutgoingMessage | None:
    """One outgoing message, row-locked on PostgreSQL (a resend replaces it once)."""
    stmt = select(OutgoingMessage).where(OutgoingMessage.id == message_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt.execution_options(populate_existing=True))


def mark_replaced(session: Session, message_id: int, replacement_id: int) -> bool:
    """Point a message at its replacement, unless another officer replaced it first."""
    result = session.execute(
        update(OutgoingMessage)
        .where(OutgoingMessage.id == message_id, OutgoingMessage.replaced_by.is_(None))
        .values(replaced_by=replacement_id)
    )
    return bool(getattr(result, "rowcount", 0))


def outgoing_of(session: Session, request_id: int) -> list[OutgoingEntry]:
    """Every message written to a request's citizen, oldest first, with its files' names."""
    rows = session.scalars(
        select(OutgoingMessage)
        .where(OutgoingMessage.service_request_id == request_id)
        .order_by(OutgoingMessage.created_at, OutgoingMessage.id)
    ).all()
    names = _names_by(
        session,
        OutgoingAttachment.outgoing_message_id,
        OutgoingAttachment.filename,
        [m.id for m in rows],
    )
    return [_outgoing(m, names.get(m.id, ())) for m in rows]


def incoming_of(session: Session, request_id: int) -> list[IncomingEntry]:
    """Every intake row that joined a request (the first request, resubmissions, replies),
    oldest first, with its files' names.
    """
    rows = session.execute(
        select(
            IncomingRequest.id,
            IncomingRequest.channel,
            IncomingRequest.received_at,
            IncomingRequest.sender,
            IncomingRequest.reply_to_number,
        )
        .where(IncomingRequest.service_request_id == request_id)
        .order_by(IncomingRequest.received_at, IncomingRequest.id)
    ).all()
    names = _names_by(
        session,
        IncomingAttachment.incoming_request_id,
        IncomingAttachment.filename,
        [r.id for r in rows],
    )
    return [
        IncomingEntry(
            id=r.id,
            channel=r.channel,
            at=r.received_at,
            sender=r.sender,
            reply=bool((r.reply_to_number or "").strip()),
            attachments=names.get(r.id, ()),
        )
        for r in rows
    ]


def undelivered(
    session: Session, location_code: str | None, limit: int
) -> list[UndeliveredMessage]:
    """Failed messages not yet replaced, oldest failure first, of one office (None: every
    office), read from the partial index of failures.
    """
    stmt = (
        select(OutgoingMessage, ServiceRequest.number, ServiceRequest.location_code)
        .add_columns(ServiceRequest.applicant_name)
        .join(ServiceRequest, ServiceRequest.id == OutgoingMessage.service_request_id)
        .where(OutgoingMessage.failed_at.is_not(None), OutgoingMessage.replaced_by.is_(None))
        .order_by(OutgoingMessage.failed_at, OutgoingMessage.id)
        .limit(limit)
    )
    if location_code is not None:
        stmt = stmt.where(ServiceRequest.location_code == location_code)
    return [
        UndeliveredMessage(
            message_id=m.id,
            request_id=m.service_request_id,
            number=number,
            location_code=location,
            applicant_name=name,
            kind=MessageKind(m.kind),
            channel=m.channel,
            recipient=m.recipient,
            body=m.body,
            created_at=m.created_at,
            failed_at=m.failed_at,
            fail_reason=m.fail_reason or "",
            attempts=m.attempts,
        )
        for m, number, location, name in session.execute(stmt)
    ]


def undelivered_count(session: Session, location_code: str | None) -> int:
    """How many failed messages of an office (None: every office) wait for an officer."""
    stmt = select(func.count()).select_from(OutgoingMessage)
    stmt = stmt.where(OutgoingMessage.failed_at.is_not(None), OutgoingMessage.replaced_by.is_(None))
    if location_code is not None:
        stmt = stmt.join(
            ServiceRequest, ServiceRequest.id == OutgoingMessage.service_request_id
        ).where(ServiceRequest.location_code == location_code)
    return int(session.scalar(stmt) or 0)


def _outgoing(m: OutgoingMessage, attachments: tuple[str, ...]) -> OutgoingEntry:
    state = delivery_state(
        sent=m.sent_at is not None,
        delivered=m.delivered_at is not None,
        failed=m.failed_at is not None,
    )
    return OutgoingEntry(
        id=m.id,
        kind=MessageKind(m.kind),
        channel=m.channel,
        recipient=m.recipient,
        body=m.body,
        at=m.created_at,
        created_by=m.created_by,
        state=state,
        attempts=m.attempts,
        fail_reason=m.fail_reason,
        attachments=attachments,
        replaced_by=m.replaced_by,
        state_at=m.failed_at or m.delivered_at or m.sent_at,
    )


def _names_by(
    session: Session, owner: Any, filename: Any, owner_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """File names per owner id (one query; none when there are no owners)."""
    if not owner_ids:
        return {}
    found: dict[int, list[str]] = {}
    for owner_id, name in session.execute(
        select(owner, filename).where(owner.in_(list(owner_ids))).order_by(owner, filename)
    ):
        found.setdefault(owner_id, []).append(name)
    return {k: tuple(v) for k, v in found.items()}


def attachments_of(session: Session, message_id: int) -> list[NewAttachment]:
    """The files of a message, to send again with its replacement."""
    return [
        NewAttachment(a.filename, a.media_type, a.content)
        for a in session.scalars(
            select(OutgoingAttachment)
            .where(OutgoingAttachment.outgoing_message_id == message_id)
            .order_by(OutgoingAttachment.id)
        )
    ]
