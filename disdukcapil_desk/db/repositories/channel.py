"""The channels' side of the outbox contract: the statements a WhatsApp, web or e-mail bot runs
(db layer; session in, no commit).

A bot works in short transactions: **claim** a batch (one transaction), send each message
outside any transaction, then **report** each outcome (one short transaction each, or a few
together). ``docs/channels.md`` shows the same statements as SQL for the bot builders; the
reference channel (``operations/channel.py``) and the tests use these functions.

The rules (they are the contract):

- **Claim.** Rows of the bot's channel that are not sent, not failed, whose ``not_before`` is
  null or past and that are under no live claim, in ``id`` order, at most ``limit``. The claim
  writes ``claimed_by`` (the worker's name), ``claimed_until`` (now + lease) and ``attempts + 1``.
  PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` then ``UPDATE``, so concurrent bots take
  disjoint batches without waiting; SQLite: one conditional ``UPDATE … RETURNING`` inside the
  write transaction (which the engine opens with ``BEGIN IMMEDIATE``, so claims queue).
- **Holding.** A worker holds a message while ``claimed_by`` is its name and ``claimed_until``
  is set, *also after the lease lapsed* as long as nobody claimed the message again: its late
  report is still the truth and is accepted. Once another worker has claimed the message, the
  first worker's reports are **refused** (:attr:`Report.REFUSED`, nothing changes): the row
  belongs to the new holder. Delivery is therefore at least once: a bot whose lease lapsed
  while sending may cause a second send; a lease longer than the send's own timeout avoids it.
- **Idempotent.** The same report twice changes nothing the second time
  (:attr:`Report.ALREADY`): a sent report with the same ``external_ref``, a delivered report,
  a failed report (the row is no longer held after it).
- **Backoff and give-up.** A transient failure releases the claim (``claimed_until`` null)
  and sets ``not_before`` to now + 1, 2, 4 … minutes (capped at :data:`MAX_BACKOFF`); a
  permanent failure, or a transient one at the :data:`MAX_ATTEMPTS`-th attempt, sets
  ``failed_at`` and ``fail_reason``: the message is then the office's task (the desk lists it).
  A message whose lease lapsed :data:`MAX_ATTEMPTS` times (a bot crashing on it) is given up
  by the next claim of its channel.

Times: ``now`` when given (the desk passes ``DeskContext.now``), else the database's clock on
PostgreSQL (``clock_timestamp()``) and this machine's on SQLite.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import ColumnElement, Table, and_, func, or_, select, update
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import (
    IncomingRequest,
    OutgoingAttachment,
    OutgoingMessage,
    ServiceRequest,
)
from disdukcapil_desk.db.repositories import server
from disdukcapil_desk.domain.clock import utc_now

MAX_ATTEMPTS = 8
"""Attempts (claims) of one message before the channel gives up on it."""
FIRST_BACKOFF = dt.timedelta(minutes=1)
MAX_BACKOFF = dt.timedelta(hours=1)
_OUTBOX = cast(Table, OutgoingMessage.__table__)
"""Core statements on the table: no ORM bookkeeping in the bots' hot path."""
GIVE_UP_LAPSED = "klaim kedaluwarsa {attempts} kali tanpa laporan dari kanal"
"""The fail_reason of a message whose lease lapsed MAX_ATTEMPTS times."""


class Report(enum.StrEnum):
    """What a report did."""

    APPLIED = "applied"
    """The row changed as reported."""
    ALREADY = "already"
    """The same report was applied before; nothing changed."""
    REFUSED = "refused"
    """The row is not this worker's to report on (claimed again by another, failed, sent by
    another, unknown); nothing changed."""


@dataclass(frozen=True, slots=True)
class ClaimedAttachment:
    """A file to send with a claimed message."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A message a worker now holds, with what it needs to send it."""

    id: int
    service_request_id: int
    request_number: str
    channel: str
    recipient: str
    kind: str
    body: str
    attempts: int
    claimed_until: dt.datetime
    attachments: tuple[ClaimedAttachment, ...] = ()


@dataclass(frozen=True, slots=True)
class ReadBack:
    """What a channel reads back about a request it brought in (the intake contract)."""

    external_ref: str
    number: str | None
    """None while the row is not ingested (or was quarantined: ``ingest_error``)."""
    service_code: str | None
    location_code: str | None
    status: str | None
    citizen_message: str | None
    updated_at: dt.datetime | None
    ingest_error: str | None


def database_now(session: Session) -> dt.datetime:
    """The time a report or claim is stamped with when the caller gives none."""
    if session.get_bind().dialect.name == "postgresql":
        return server.clock(session)
    return utc_now()


Stamp = dt.datetime | ColumnElement[dt.datetime]


def _stamp(session: Session, now: dt.datetime | None) -> Stamp:
    """``now`` when given; else PostgreSQL's ``clock_timestamp()`` inside the statement itself
    (no extra round trip), or this machine's clock on SQLite.
    """
    if now is not None:
        return now
    if session.get_bind().dialect.name == "postgresql":
        return func.clock_timestamp()
    return utc_now()


def backoff(attempts: int) -> dt.timedelta:
    """How long a message rests after its ``attempts``-th attempt failed: 1, 2, 4 … minutes,
    at most :data:`MAX_BACKOFF`.
    """
    step: dt.timedelta = FIRST_BACKOFF * (2 ** max(0, min(attempts - 1, 16)))
    return min(step, MAX_BACKOFF)


def _claimable(channel: str, now: Stamp) -> list[ColumnElement[bool]]:
    m = _OUTBOX.c
    return [
        m.channel == channel,
        m.sent_at.is_(None),
        m.failed_at.is_(None),
        or_(m.not_before.is_(None), m.not_before <= now),
        or_(m.claimed_until.is_(None), m.claimed_until <= now),
    ]


def claim_batch(
    session: Session,
    channel: str,
    worker: str,
    limit: int,
    lease: dt.timedelta,
    *,
    now: dt.datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> list[ClaimedMessage]:
    """Claim up to ``limit`` messages of ``channel`` for ``worker`` for ``lease``, oldest first.

    Returns the claimed messages with their attachments and request number, in id order; an
    empty list when nothing is due.
    """
    now_ = _stamp(session, now)
    _give_up_lapsed(session, channel, now_, max_attempts)
    m = _OUTBOX.c
    until = now_ + lease
    due = and_(*_claimable(channel, now_), m.attempts < max_attempts)
    claim = {"claimed_by": worker, "claimed_until": until, "attempts": m.attempts + 1}
    if session.get_bind().dialect.name == "postgresql":
        # Lock the oldest due rows nobody else is locking; a concurrent bot skips them.
        ids = list(
            session.scalars(
                select(m.id)
                .where(due)
                .order_by(m.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        session.execute(update(_OUTBOX).where(m.id.in_(ids)).values(claim))
    else:
        # One conditional UPDATE in the IMMEDIATE transaction: nobody else writes meanwhile.
        oldest = select(m.id).where(due).order_by(m.id).limit(limit).scalar_subquery()
        taken = update(_OUTBOX).where(m.id.in_(oldest)).values(claim).returning(m.id)
        ids = list(session.scalars(taken))
        if not ids:
            return []
    return _claimed(session, sorted(ids))


def _give_up_lapsed(session: Session, channel: str, now: Stamp, max_attempts: int) -> None:
    m = _OUTBOX.c
    session.execute(
        update(_OUTBOX)
        .where(
            m.channel == channel,
            m.sent_at.is_(None),
            m.failed_at.is_(None),
            m.attempts >= max_attempts,
            m.claimed_until <= now,
        )
        .values(
            failed_at=now,
            claimed_until=None,
            fail_reason=GIVE_UP_LAPSED.format(attempts=max_attempts),
        )
    )


def _claimed(session: Session, ids: Sequence[int]) -> list[ClaimedMessage]:
    m = _OUTBOX.c
    files: dict[int, list[ClaimedAttachment]] = {}
    for row in session.execute(
        select(
            OutgoingAttachment.outgoing_message_id,
            OutgoingAttachment.filename,
            OutgoingAttachment.media_type,
            OutgoingAttachment.content,
        )
        .where(OutgoingAttachment.outgoing_message_id.in_(ids))
        .order_by(OutgoingAttachment.id)
    ):
        files.setdefault(row[0], []).append(ClaimedAttachment(row[1], row[2], bytes(row[3])))
    rows = session.execute(
        select(
            m.id,
            m.service_request_id,
            ServiceRequest.number,
            m.channel,
            m.recipient,
            m.kind,
            m.body,
            m.attempts,
            m.claimed_until,
        )
        .join(ServiceRequest, ServiceRequest.id == m.service_request_id)
        .where(m.id.in_(ids))
        .order_by(m.id)
    )
    return [
        ClaimedMessage(
            id=row.id,
            service_request_id=row.service_request_id,
            request_number=row.number,
            channel=row.channel,
            recipient=row.recipient,
            kind=row.kind,
            body=row.body,
            attempts=row.attempts,
            claimed_until=row.claimed_until or dt.datetime.min.replace(tzinfo=dt.UTC),
            attachments=tuple(files.get(row.id, ())),
        )
        for row in rows
    ]


def report_sent(
    session: Session,
    message_id: int,
    worker: str,
    external_ref: str,
    *,
    now: dt.datetime | None = None,
) -> Report:
    """The channel accepted the message (``external_ref``: its own id for it)."""
    m = _OUTBOX.c
    stamp = _stamp(session, now)
    changed = session.execute(
        update(_OUTBOX)
        .where(*_held(message_id, worker))
        .values(sent_at=stamp, claimed_until=None, external_ref=external_ref, fail_reason=None)
        .returning(m.id)
    ).first()
    if changed is not None:
        return Report.APPLIED
    row = _state(session, message_id)
    repeated = (
        row is not None
        and row.sent_at is not None
        and row.claimed_by == worker
        and row.external_ref == external_ref
    )
    return Report.ALREADY if repeated else Report.REFUSED


def report_delivered(
    session: Session, channel: str, external_ref: str, *, now: dt.datetime | None = None
) -> Report:
    """The citizen's side received the message the channel knows as ``external_ref``.

    Any worker of the channel may report it (a delivery receipt arrives by the channel's own
    id, not by lease).
    """
    m = _OUTBOX.c
    stamp = _stamp(session, now)
    changed = session.execute(
        update(_OUTBOX)
        .where(*_sent_unsettled(channel, external_ref))
        .values(delivered_at=stamp)
        .returning(m.id)
    ).first()
    if changed is not None:
        return Report.APPLIED
    delivered = session.scalar(
        select(m.delivered_at).where(m.channel == channel, m.external_ref == external_ref)
    )
    return Report.ALREADY if delivered is not None else Report.REFUSED


def report_undelivered(
    session: Session,
    channel: str,
    external_ref: str,
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> Report:
    """The channel learned after sending that the message ``external_ref`` never reached the
    citizen (a bounce, WhatsApp's late "failed" status): it is failed, the office's task like
    any failure. Any worker of the channel may report it, by the channel's own id; a message
    already delivered cannot bounce.
    """
    m = _OUTBOX.c
    stamp = _stamp(session, now)
    reason = reason.strip() or "tidak sampai ke warga (tanpa keterangan)"
    changed = session.execute(
        update(_OUTBOX)
        .where(*_sent_unsettled(channel, external_ref))
        .values(failed_at=stamp, fail_reason=reason)
        .returning(m.id)
    ).first()
    if changed is not None:
        return Report.APPLIED
    failed = session.scalar(
        select(m.failed_at).where(
            m.channel == channel, m.external_ref == external_ref, m.sent_at.is_not(None)
        )
    )
    return Report.ALREADY if failed is not None else Report.REFUSED


def report_failed(
    session: Session,
    message_id: int,
    worker: str,
    reason: str,
    retry: bool,
    *,
    now: dt.datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> Report:
    """Sending failed: ``retry`` (a transient failure: network, rate limit) releases the claim
    and rests the message for :func:`backoff`; otherwise (a number that does not exist, a
    refused address), or at the last attempt, the channel gives up and the message is failed.
    """
    m = _OUTBOX.c
    now = now or database_now(session)
    held = _state(session, message_id)
    if held is None or not _holds(held, worker):
        return _repeated_failure(held, worker)
    reason = reason.strip() or "gagal tanpa keterangan"
    if retry and held.attempts < max_attempts:
        values: dict[str, object] = {
            "claimed_until": None,
            "not_before": now + backoff(held.attempts),
            "fail_reason": reason,
        }
    else:
        if retry:
            reason = f"{reason} (menyerah setelah {held.attempts} percobaan)"
        values = {"claimed_until": None, "failed_at": now, "fail_reason": reason}
    changed = session.execute(
        update(_OUTBOX).where(*_held(message_id, worker)).values(values).returning(m.id)
    ).first()
    return Report.APPLIED if changed is not None else Report.REFUSED


def _repeated_failure(row: _Row | None, worker: str) -> Report:
    """A failure report from a worker that no longer holds the row: a repeat of its own
    report (it released or failed the row itself) or a refusal.
    """
    if row is None or row.claimed_by != worker or row.sent_at is not None:
        return Report.REFUSED
    return Report.ALREADY if row.claimed_until is None else Report.REFUSED


def _sent_unsettled(channel: str, external_ref: str) -> list[ColumnElement[bool]]:
    """The channel's sent message ``external_ref``, neither delivered nor failed yet."""
    m = _OUTBOX.c
    return [
        m.channel == channel,
        m.external_ref == external_ref,
        m.sent_at.is_not(None),
        m.delivered_at.is_(None),
        m.failed_at.is_(None),
    ]


def _held(message_id: int, worker: str) -> list[ColumnElement[bool]]:
    m = _OUTBOX.c
    return [
        m.id == message_id,
        m.claimed_by == worker,
        m.claimed_until.is_not(None),
        m.sent_at.is_(None),
        m.failed_at.is_(None),
    ]


@dataclass(frozen=True, slots=True)
class _Row:
    claimed_by: str | None
    claimed_until: dt.datetime | None
    sent_at: dt.datetime | None
    failed_at: dt.datetime | None
    external_ref: str | None
    attempts: int


def _holds(row: _Row, worker: str) -> bool:
    return (
        row.claimed_by == worker
        and row.claimed_until is not None
        and row.sent_at is None
        and row.failed_at is None
    )


def _state(session: Session, message_id: int) -> _Row | None:
    m = _OUTBOX.c
    found = session.execute(
        select(
            m.claimed_by, m.claimed_until, m.sent_at, m.failed_at, m.external_ref, m.attempts
        ).where(m.id == message_id)
    ).first()
    return _Row(*found) if found is not None else None


def read_back(session: Session, channel: str, external_refs: Iterable[str]) -> list[ReadBack]:
    """The requests behind a channel's intake rows (the read-back of the intake contract):
    number, status and the message for the citizen, through ``service_request_id``.
    """
    refs = list(external_refs)
    if not refs:
        return []
    i, r = IncomingRequest, ServiceRequest
    rows = session.execute(
        select(
            i.external_ref,
            r.number,
            r.service_code,
            r.location_code,
            r.status,
            r.citizen_message,
            r.updated_at,
            i.ingest_error,
        )
        .outerjoin(r, r.id == i.service_request_id)
        .where(i.channel == channel, i.external_ref.in_(refs))
        .order_by(i.id)
    )
    return [ReadBack(*row) for row in rows]
