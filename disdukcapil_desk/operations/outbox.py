"""Writing to the citizen: every message goes into the outbox in the transaction of the change
it tells of (a transactional outbox: a rolled-back decision sends nothing, a committed one
always has its message).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import outbox as repo
from disdukcapil_desk.db.repositories.outbox import NewAttachment
from disdukcapil_desk.db.repositories.requests import RequestRecord
from disdukcapil_desk.domain.delivery import MessageKind
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.operations.context import DeskContext

__all__ = ["NewAttachment", "outgoing_channel", "write_message"]


def outgoing_channel(request_channel: str, recipient: str) -> Channel:
    """The channel a reply goes out through: the one the request came by; a request typed in
    from paper (``import``) is answered by e-mail when the contact is an address, else by
    WhatsApp.
    """
    channel = Channel(request_channel)
    if channel is not Channel.IMPORT:
        return channel
    return Channel.EMAIL if "@" in recipient else Channel.WHATSAPP


def write_message(
    ctx: DeskContext,
    session: Session,
    actor: Actor,
    request: RequestRecord,
    kind: MessageKind,
    body: str,
    *,
    not_before: dt.datetime | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> int:
    """Put a message to the request's applicant into the outbox, inside ``session``."""
    recipient = request.contact.strip()
    return repo.add_message(
        session,
        request_id=request.id,
        channel=outgoing_channel(request.channel, recipient).value,
        recipient=recipient,
        kind=kind.value,
        body=body,
        at=ctx.now(session),
        by=actor.login,
        not_before=not_before,
        attachments=attachments,
    )
