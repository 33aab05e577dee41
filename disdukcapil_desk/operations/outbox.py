"""Writing to the citizen: every message goes into the outbox in the transaction of the change
it tells of (a transactional outbox: a rolled-back decision sends nothing, a committed one
always has its message). Officers read a request's conversation and the office's undelivered
messages, and resend or correct what failed (``OutboxOps``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import office as office_repo
from disdukcapil_desk.db.repositories import outbox as repo
from disdukcapil_desk.db.repositories import requests
from disdukcapil_desk.db.repositories.outbox import NewAttachment
from disdukcapil_desk.db.repositories.requests import RequestRecord
from disdukcapil_desk.domain.citizen_messages import NoticeValues
from disdukcapil_desk.domain.conversation import (
    Conversation,
    ConversationEntry,
    UndeliveredMessage,
)
from disdukcapil_desk.domain.delivery import DeliveryState, MessageKind
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError, NotFound, WorkflowError
from disdukcapil_desk.domain.history import MESSAGE_KEY, mask_numbers_in
from disdukcapil_desk.domain.intake import IntakeRejected, contact_of, same_person
from disdukcapil_desk.domain.office import settings_from
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.domain.workflow import Action, Permission, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.boundaries import (
    check_not_held_by_other,
    check_office,
    listing_office,
)
from disdukcapil_desk.operations.context import DeskContext

__all__ = [
    "Addressee",
    "NewAttachment",
    "NoticeSender",
    "OutboxOps",
    "document_name",
    "notice_sender",
    "outgoing_channel",
    "received_message",
    "write_decision_message",
    "write_message",
    "write_notice",
]

MAX_BODY = 4000
"""The longest text an officer may write (a WhatsApp message holds 4096 characters)."""
UNDELIVERED_LIMIT = 500


def outgoing_channel(request_channel: str, recipient: str) -> Channel:
    """The channel a reply goes out through: the one the request came by; a request typed in
    from paper (``import``) or at the counter (``loket``) is answered by e-mail when the
    contact is an address, else by WhatsApp.
    """
    channel = Channel(request_channel)
    if not channel.answers_by_contact:
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


# -- notices from the office's templates ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeSender:
    """What every notice of one transaction shares: the office's signature and its offices'
    names (read once per transaction, or once per ingest run).
    """

    office: str
    locations: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Addressee:
    """What a notice needs of its request (a loaded request, or one a batch is writing)."""

    id: int
    number: str
    service_code: str
    location_code: str
    channel: str
    contact: str
    applicant_name: str
    nik: str
    subject_name: str
    subject_nik: str

    @classmethod
    def of(cls, request: RequestRecord) -> Addressee:
        """The addressee of a loaded request."""
        return cls(
            request.id,
            request.number,
            request.service_code,
            request.location_code,
            request.channel,
            request.contact,
            request.applicant_name,
            request.nik,
            request.subject_name,
            request.subject_nik,
        )


def notice_sender(session: Session, location_code: str | None = None) -> NoticeSender:
    """The office's signature (``Dinas … Kabupaten Serang``) and the names of its offices: of
    ``location_code`` only when given (one row), else of all.
    """
    settings = settings_from(office_repo.stored_settings(session))
    office = f"{settings.agency.title()} {settings.regency}"
    if location_code is not None:
        return NoticeSender(office, {location_code: repo.location_name(session, location_code)})
    return NoticeSender(office, repo.location_names(session))


def document_name(output_document: str) -> str:
    """Name the document: "Kartu Keluarga (KK), cetak A4 …" becomes "Kartu Keluarga"."""
    return output_document.split("(")[0].split("\u2013")[0].strip()


def notice_values(
    ctx: DeskContext, to: Addressee, sender: NoticeSender, *, reason: str = ""
) -> NoticeValues:
    """The values a notice about ``to`` may say."""
    catalogue = ctx.reference.catalogue
    service = catalogue.get(to.service_code) if to.service_code in catalogue else None
    distinct = not same_person((to.applicant_name, to.nik), (to.subject_name, to.subject_nik))
    return NoticeValues(
        name=to.applicant_name,
        service=service.name if service else to.service_code,
        number=to.number,
        office=sender.office,
        location=sender.locations.get(to.location_code, to.location_code),
        subject=to.subject_name if distinct else "",
        document=document_name(service.output_document) if service else "",
        reason=reason.strip(),
    )


def write_notice(
    ctx: DeskContext,
    session: Session,
    actor: Actor,
    request: RequestRecord,
    kind: MessageKind,
    *,
    reason: str = "",
) -> int:
    """Write the office's template of ``kind`` for the request's applicant, inside
    ``session``; returns the message's id.
    """
    sender = notice_sender(session, request.location_code)
    body = ctx.reference.messages.notice(
        kind, notice_values(ctx, Addressee.of(request), sender, reason=reason)
    )
    return write_message(ctx, session, actor, request, kind, body)


_DECISION_NOTICES = {
    Action.APPROVE: MessageKind.APPROVED,
    Action.REJECT: MessageKind.REJECTED,
    Action.CANCEL: MessageKind.CANCELLED,
}


def write_decision_message(
    ctx: DeskContext,
    session: Session,
    actor: Actor,
    request: RequestRecord,
    action: Action,
    *,
    reason: str = "",
    message: str | None = None,
) -> int | None:
    """The message a decision sends the citizen, written with the decision: approved,
    rejected and cancelled from the office's templates (with the reason), a revision as the
    officer's final text. Other moves (claims, issuing…) write nothing here.

    Raises:
        WorkflowError: a revision without its text (the citizen must know what to fix).
    """
    if action is Action.REQUEST_REVISION:
        body = (message or "").strip()
        if not body:
            raise WorkflowError("Pesan perbaikan untuk pemohon tidak boleh kosong")
        return write_message(ctx, session, actor, request, MessageKind.NEEDS_REVISION, body)
    kind = _DECISION_NOTICES.get(action)
    if kind is None:
        return None
    return write_notice(ctx, session, actor, request, kind, reason=reason)


def received_message(
    ctx: DeskContext, to: Addressee, sender: NoticeSender, *, at: dt.datetime, by: str
) -> dict[str, object]:
    """The ``outgoing_message`` columns of the "received" notice of a request ingest is
    writing (the batch inserts them together).
    """
    recipient = to.contact.strip()
    return repo.message_columns(
        request_id=to.id,
        channel=outgoing_channel(to.channel, recipient).value,
        recipient=recipient,
        kind=MessageKind.RECEIVED.value,
        body=ctx.reference.messages.notice(MessageKind.RECEIVED, notice_values(ctx, to, sender)),
        at=at,
        by=by,
    )


# -- what officers do with the outbox ------------------------------------------------------


class OutboxOps:
    """A request's conversation, the office's undelivered messages, resending and writing."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def conversation(self, actor: Actor, request_id: int) -> Conversation:
        """What came in (the first request, resubmissions, replies) and what went out (each
        message with its delivery state), oldest first.

        Raises:
            NotFound: no such request.
            PermissionDenied: a request of another office.
        """
        require(actor, Permission.VIEW_QUEUE)
        with self._ctx.reading() as session:
            request = requests.by_id(session, request_id)
            if request is None:
                raise NotFound(f"Permohonan {request_id} tidak ditemukan")
            check_office(actor, request.location_code)
            entries: list[ConversationEntry] = [
                *repo.incoming_of(session, request.id),
                *repo.outgoing_of(session, request.id),
            ]
            entries.sort(key=lambda e: (e.at, not e.incoming, e.id))
            return Conversation(
                request.id, request.number, request.applicant_name, request.contact, tuple(entries)
            )

    def undelivered(
        self, actor: Actor, location: str | None = None, limit: int = UNDELIVERED_LIMIT
    ) -> list[UndeliveredMessage]:
        """The office's failed messages nobody resent yet, oldest failure first: its task
        list ("call the citizen"). A UPT officer's are their UPT's; the dinas sees the office
        it names (None: every office).
        """
        require(actor, Permission.VIEW_QUEUE)
        office = listing_office(actor, location)
        with self._ctx.reading() as session:
            return repo.undelivered(session, office, limit)

    def undelivered_count(self, actor: Actor, location: str | None = None) -> int:
        """How many failed messages of the office wait for an officer."""
        require(actor, Permission.VIEW_QUEUE)
        office = listing_office(actor, location)
        with self._ctx.reading() as session:
            return repo.undelivered_count(session, office)

    def resend(
        self,
        actor: Actor,
        message_id: int,
        corrected_body: str | None = None,
        recipient: str | None = None,
    ) -> int:
        """Write a failed message again (its kind, or a correction when the text changed), to
        a corrected number or address if given; the old one points at the new. Audited.

        Returns:
            The new message's id.

        Raises:
            NotFound: no such message.
            PermissionDenied: a message of another office's request.
            WorkflowError: the message did not fail, or was already resent.
            DeskError: an empty text, or a recipient that is neither a phone number nor an
                e-mail address.
        """
        require(actor, Permission.EDIT_REQUEST)
        with self._ctx.unit_of_work() as session:
            old = repo.load_message(session, message_id)
            request = requests.by_id(session, old.service_request_id) if old else None
            if old is None or request is None:
                raise NotFound(f"Pesan {message_id} tidak ditemukan")
            check_office(actor, request.location_code)
            _check_resendable(old.id, old.failed_at, old.sent_at, old.replaced_by)
            body = old.body if corrected_body is None else _checked_body(corrected_body)
            kind = MessageKind(old.kind) if body == old.body else MessageKind.CORRECTION
            to = _checked_recipient(recipient) if recipient is not None else old.recipient
            channel = _resend_channel(old.channel, to)
            new_id = repo.add_message(
                session,
                request_id=request.id,
                channel=channel.value,
                recipient=to,
                kind=kind.value,
                body=body,
                at=self._ctx.now(session),
                by=actor.login,
                attachments=repo.attachments_of(session, old.id),
            )
            if not repo.mark_replaced(session, old.id, new_id):
                raise WorkflowError(f"Pesan {message_id} sudah dikirim ulang petugas lain")
            after: dict[str, object] = {"message_id": new_id, "kind": kind.value}
            if body != old.body:
                after[MESSAGE_KEY] = mask_numbers_in(body)
            record(
                self._ctx,
                session,
                actor,
                "resend_message",
                "service_request",
                request.number,
                before={"message_id": old.id, "kind": old.kind, "fail_reason": old.fail_reason},
                after=after,
                detail=_resend_detail(channel, to != old.recipient),
            )
            return new_id

    def write_correction(self, actor: Actor, request_id: int, body: str) -> int:
        """Send the citizen an officer's own message about a request (a correction, a
        follow-up after a call). Audited with its text (numbers masked).

        Returns:
            The message's id.

        Raises:
            NotFound: no such request.
            PermissionDenied: a request of another office.
            ClaimError: a colleague holds it under a live lease (they speak for it now).
            DeskError: an empty or overlong text.
        """
        require(actor, Permission.EDIT_REQUEST)
        text = _checked_body(body)
        with self._ctx.unit_of_work() as session:
            request = requests.load_for_update(session, request_id)
            if request is None:
                raise NotFound(f"Permohonan {request_id} tidak ditemukan")
            check_office(actor, request.location_code)
            check_not_held_by_other(
                actor,
                request.number,
                request.status,
                request.claimed_by,
                request.lease_expires_at,
                self._ctx.now(session),
            )
            message_id = write_message(
                self._ctx, session, actor, request, MessageKind.CORRECTION, text
            )
            record(
                self._ctx,
                session,
                actor,
                "correction",
                "service_request",
                request.number,
                after={"message_id": message_id, MESSAGE_KEY: mask_numbers_in(text)},
                detail=f"{len(text)} karakter",
            )
            return message_id


def _check_resendable(
    message_id: int,
    failed_at: dt.datetime | None,
    sent_at: dt.datetime | None,
    replaced_by: int | None,
) -> None:
    if replaced_by is not None:
        raise WorkflowError(f"Pesan {message_id} sudah dikirim ulang (pesan {replaced_by})")
    if failed_at is None:
        state = DeliveryState.SENT if sent_at else DeliveryState.WAITING
        raise WorkflowError(
            f"Pesan {message_id} berstatus '{state.label}': hanya pesan yang gagal yang dapat "
            "dikirim ulang"
        )


def _checked_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise DeskError("Isi pesan untuk pemohon tidak boleh kosong")
    if len(text) > MAX_BODY:
        raise DeskError(f"Pesan terlalu panjang: {len(text)} karakter (paling banyak {MAX_BODY})")
    return text


def _checked_recipient(recipient: str) -> str:
    try:
        return contact_of(recipient, {})
    except IntakeRejected:
        raise DeskError(
            f"Penerima {recipient.strip()[:60]!r} bukan nomor WhatsApp/telepon atau alamat e-mail"
        ) from None


def _resend_channel(old_channel: str, recipient: str) -> Channel:
    """The channel of a resent message: an e-mail address goes by e-mail, a phone number by
    the old channel (WhatsApp when that was e-mail).
    """
    if "@" in recipient:
        return Channel.EMAIL
    channel = Channel(old_channel)
    return Channel.WHATSAPP if channel is Channel.EMAIL else channel


def _resend_detail(channel: Channel, new_recipient: bool) -> str:
    via = f"lewat {channel.label}"
    return f"{via}, ke penerima yang diperbaiki" if new_recipient else via
