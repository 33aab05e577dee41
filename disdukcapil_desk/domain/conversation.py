"""A request's conversation with the citizen, as the desk shows it (domain layer).

What came in (the first request, its resubmissions and replies: ``incoming_request`` rows) and
what went out (``outgoing_message`` rows, each with its delivery state), in time order; and the
office's undelivered messages, which are its task list ("call the citizen").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from disdukcapil_desk.domain.delivery import DeliveryState, MessageKind


@dataclass(frozen=True, slots=True)
class IncomingEntry:
    """Something the citizen sent through a channel that joined this request."""

    id: int
    channel: str
    at: dt.datetime
    sender: str
    reply: bool
    """A resubmission or a reply to an earlier message (not the first request)."""
    attachments: tuple[str, ...]

    @property
    def incoming(self) -> bool:
        """Came in (for a chat view that lays both sides out)."""
        return True

    @property
    def label(self) -> str:
        """What it was, in the officer's words."""
        return "Perbaikan/balasan pemohon" if self.reply else "Permohonan masuk"


@dataclass(frozen=True, slots=True)
class OutgoingEntry:
    """A message the desk wrote to the citizen, and how far it got."""

    id: int
    kind: MessageKind
    channel: str
    recipient: str
    body: str
    at: dt.datetime
    created_by: str
    state: DeliveryState
    attempts: int
    fail_reason: str | None
    attachments: tuple[str, ...]
    replaced_by: int | None
    """Set when an officer resent or corrected this (failed) message."""
    state_at: dt.datetime | None = None
    """When it was sent, delivered or failed (the latest that applies)."""

    @property
    def incoming(self) -> bool:
        """Went out."""
        return False

    @property
    def label(self) -> str:
        """What kind of message it is, in the officer's words."""
        return self.kind.label

    @property
    def may_resend(self) -> bool:
        """A failed message nobody replaced yet is the office's to resend or correct."""
        return self.state is DeliveryState.FAILED and self.replaced_by is None


ConversationEntry = IncomingEntry | OutgoingEntry


@dataclass(frozen=True, slots=True)
class Conversation:
    """One request's messages both ways, oldest first."""

    request_id: int
    number: str
    applicant_name: str
    contact: str
    entries: tuple[ConversationEntry, ...]

    @property
    def failed(self) -> tuple[OutgoingEntry, ...]:
        """Its failed messages not yet replaced."""
        return tuple(e for e in self.entries if isinstance(e, OutgoingEntry) and e.may_resend)


@dataclass(frozen=True, slots=True)
class UndeliveredMessage:
    """A message the channel gave up on, not yet resent: a task for the office."""

    message_id: int
    request_id: int
    number: str
    location_code: str
    applicant_name: str
    kind: MessageKind
    channel: str
    recipient: str
    body: str
    created_at: dt.datetime
    failed_at: dt.datetime
    fail_reason: str
    attempts: int
