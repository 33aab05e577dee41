"""The outbox: messages to the citizen, written by the desk (no commits).

The channels' side of the contract (claim a batch, report sent / delivered / failed) is in
this module too, so the reference channel and the tests use the same statements the
documentation shows to the bot builders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import OutgoingAttachment, OutgoingMessage


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
