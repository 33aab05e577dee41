"""The channels' side of the outbox contract on both databases: claim a batch with a lease,
report sent / delivered / failed, backoff and give-up, idempotent reports, lapsed leases, and
several bot processes claiming at once.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import OutgoingMessage, ServiceRequest
from disdukcapil_desk.db.repositories import channel as repo
from disdukcapil_desk.db.repositories import outbox as outbox_repo
from disdukcapil_desk.db.repositories import requests
from disdukcapil_desk.db.repositories.channel import Report
from disdukcapil_desk.domain.delivery import DeliveryState, MessageKind, delivery_state
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.outbox import NewAttachment, write_message
from tests.conftest import T0, FakeClock
from tests.factories import make_request

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
LEASE = dt.timedelta(minutes=5)
WA = "whatsapp"


def request_id(ctx: DeskContext, ref: str = "wa-out", **overrides: object) -> int:
    """One ingested request (a WhatsApp KTP-el replacement unless overridden), without the
    "received" message ingest wrote for it: each test writes the messages it counts.
    """
    ops = IntakeOps(ctx)
    ops.submit_row(make_request(external_ref=ref, **overrides))  # type: ignore[arg-type]
    ops.ingest()
    with ctx.unit_of_work() as session:
        found = session.scalar(
            select(func.max(ServiceRequest.id)).where(
                ServiceRequest.contact == overrides.get("sender", "+6285712345678")
            )
        )
        assert found is not None
        session.execute(delete(OutgoingMessage).where(OutgoingMessage.service_request_id == found))
        return int(found)


def write(
    ctx: DeskContext,
    rid: int,
    count: int,
    *,
    not_before: dt.datetime | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> list[int]:
    """``count`` messages to the request's applicant, written as a decision would."""
    with ctx.unit_of_work() as session:
        record = requests.by_id(session, rid)
        assert record is not None
        return [
            write_message(
                ctx,
                session,
                SYSTEM_ACTOR,
                record,
                MessageKind.RECEIVED,
                f"pesan {i}",
                not_before=not_before,
                attachments=attachments,
            )
            for i in range(count)
        ]


def claim(ctx: DeskContext, worker: str, limit: int = 10, channel: str = WA) -> list[int]:
    with ctx.unit_of_work() as session:
        batch = repo.claim_batch(session, channel, worker, limit, LEASE, now=ctx.now(session))
    return [m.id for m in batch]


def sent(ctx: DeskContext, message_id: int, worker: str, ref: str) -> Report:
    with ctx.unit_of_work() as session:
        return repo.report_sent(session, message_id, worker, ref, now=ctx.now(session))


def failed(ctx: DeskContext, message_id: int, worker: str, reason: str, retry: bool) -> Report:
    with ctx.unit_of_work() as session:
        return repo.report_failed(session, message_id, worker, reason, retry, now=ctx.now(session))


def delivered(ctx: DeskContext, ref: str, channel: str = WA) -> Report:
    with ctx.unit_of_work() as session:
        return repo.report_delivered(session, channel, ref, now=ctx.now(session))


def undelivered(ctx: DeskContext, ref: str, reason: str, channel: str = WA) -> Report:
    with ctx.unit_of_work() as session:
        return repo.report_undelivered(session, channel, ref, reason, now=ctx.now(session))


def row(ctx: DeskContext, message_id: int) -> OutgoingMessage:
    with ctx.sessions() as session:
        found = session.get(OutgoingMessage, message_id)
        assert found is not None
        session.expunge(found)
        return found


def state(ctx: DeskContext, message_id: int) -> DeliveryState:
    r = row(ctx, message_id)
    return delivery_state(
        sent=r.sent_at is not None,
        delivered=r.delivered_at is not None,
        failed=r.failed_at is not None,
    )


def test_claim_takes_due_rows_of_its_channel_in_order_with_a_lease(
    ctx: DeskContext, clock: FakeClock
) -> None:
    rid = request_id(ctx)
    pdf = NewAttachment("akta.pdf", "application/pdf", b"%PDF-1.7 signed")
    first = write(ctx, rid, 3, attachments=[pdf])
    later = write(ctx, rid, 1, not_before=T0 + dt.timedelta(hours=1))
    rest = write(ctx, rid, 2)
    email_rid = request_id(ctx, "em-out", channel="email", sender="warga@example.id")
    email = write(ctx, email_rid, 1)

    with ctx.unit_of_work() as session:
        batch = repo.claim_batch(session, WA, "bot-a", 3, LEASE, now=ctx.now(session))
    assert [m.id for m in batch] == first
    message = batch[0]
    assert message.attempts == 1 and message.claimed_until == T0 + LEASE
    assert message.attachments == (
        repo.ClaimedAttachment("akta.pdf", "application/pdf", pdf.content),
    )
    assert message.request_number and message.recipient == "+6285712345678"
    assert row(ctx, first[0]).claimed_by == "bot-a"

    assert claim(ctx, "bot-b") == rest, "not the claimed ones, not one resting until later"
    assert claim(ctx, "bot-c") == []
    assert claim(ctx, "bot-mail", channel="email") == email
    clock.advance(hours=1)
    assert claim(ctx, "bot-c") == first + later + rest, "due now, and every lease lapsed"


def test_sent_then_delivered_and_each_report_twice_changes_nothing(ctx: DeskContext) -> None:
    (mid,) = write(ctx, request_id(ctx), 1)
    assert claim(ctx, "bot-a") == [mid]
    assert state(ctx, mid) is DeliveryState.WAITING

    assert sent(ctx, mid, "bot-a", "wamid.1") is Report.APPLIED
    stored = row(ctx, mid)
    assert stored.sent_at == T0 and stored.external_ref == "wamid.1"
    assert stored.claimed_until is None and stored.claimed_by == "bot-a"
    assert sent(ctx, mid, "bot-a", "wamid.1") is Report.ALREADY
    assert sent(ctx, mid, "bot-a", "wamid.other") is Report.REFUSED
    assert sent(ctx, mid, "bot-b", "wamid.1") is Report.REFUSED
    assert failed(ctx, mid, "bot-a", "late", retry=True) is Report.REFUSED
    assert row(ctx, mid).external_ref == "wamid.1" and state(ctx, mid) is DeliveryState.SENT

    assert delivered(ctx, "wamid.1") is Report.APPLIED
    assert delivered(ctx, "wamid.1") is Report.ALREADY
    assert delivered(ctx, "wamid.nobody") is Report.REFUSED
    assert delivered(ctx, "wamid.1", channel="email") is Report.REFUSED
    assert state(ctx, mid) is DeliveryState.DELIVERED
    assert claim(ctx, "bot-b") == [], "a sent message is never claimed again"


def test_transient_failures_back_off_and_the_channel_gives_up(
    ctx: DeskContext, clock: FakeClock
) -> None:
    (mid,) = write(ctx, request_id(ctx), 1)
    waits = []
    for attempt in range(1, repo.MAX_ATTEMPTS):
        assert claim(ctx, "bot-a") == [mid]
        assert failed(ctx, mid, "bot-a", "timeout", retry=True) is Report.APPLIED
        assert failed(ctx, mid, "bot-a", "timeout", retry=True) is Report.ALREADY
        stored = row(ctx, mid)
        assert stored.attempts == attempt and stored.failed_at is None
        assert stored.claimed_until is None and stored.fail_reason == "timeout"
        assert state(ctx, mid) is DeliveryState.WAITING
        assert stored.not_before is not None
        waits.append(stored.not_before - clock.now)
        assert claim(ctx, "bot-b") == [], "resting until not_before"
        clock.now = stored.not_before
    assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8, 16, 32, 60]

    assert claim(ctx, "bot-a") == [mid]
    assert failed(ctx, mid, "bot-a", "timeout", retry=True) is Report.APPLIED
    stored = row(ctx, mid)
    assert stored.failed_at == clock.now and stored.attempts == repo.MAX_ATTEMPTS
    assert stored.fail_reason == f"timeout (menyerah setelah {repo.MAX_ATTEMPTS} percobaan)"
    assert state(ctx, mid) is DeliveryState.FAILED
    assert failed(ctx, mid, "bot-a", "timeout", retry=True) is Report.ALREADY
    clock.advance(days=1)
    assert claim(ctx, "bot-a") == []


def test_a_permanent_failure_is_the_office_task_at_once(ctx: DeskContext) -> None:
    (mid, other) = write(ctx, request_id(ctx), 2)
    assert claim(ctx, "bot-a") == [mid, other]
    assert failed(ctx, mid, "bot-a", "nomor tidak terdaftar di WhatsApp", retry=False) is (
        Report.APPLIED
    )
    stored = row(ctx, mid)
    assert stored.failed_at == T0 and stored.fail_reason == "nomor tidak terdaftar di WhatsApp"
    assert failed(ctx, mid, "bot-a", "again", retry=False) is Report.ALREADY
    assert sent(ctx, mid, "bot-a", "wamid.x") is Report.REFUSED
    assert row(ctx, mid).fail_reason == "nomor tidak terdaftar di WhatsApp"
    assert failed(ctx, other, "bot-b", "not mine", retry=False) is Report.REFUSED
    assert row(ctx, other).failed_at is None


def test_a_sent_message_that_bounces_later_is_failed_and_the_office_task(
    ctx: DeskContext, clock: FakeClock
) -> None:
    bounced, delivered_first = write(ctx, request_id(ctx), 2)
    assert claim(ctx, "bot-a") == [bounced, delivered_first]
    assert sent(ctx, bounced, "bot-a", "wamid.b") is Report.APPLIED
    assert sent(ctx, delivered_first, "bot-a", "wamid.d") is Report.APPLIED
    clock.advance(minutes=7)

    assert undelivered(ctx, "wamid.b", "nomor tidak aktif") is Report.APPLIED
    stored = row(ctx, bounced)
    assert stored.failed_at == clock.now and stored.fail_reason == "nomor tidak aktif"
    assert state(ctx, bounced) is DeliveryState.FAILED
    assert undelivered(ctx, "wamid.b", "again") is Report.ALREADY
    assert row(ctx, bounced).fail_reason == "nomor tidak aktif"
    assert delivered(ctx, "wamid.b") is Report.REFUSED, "a bounced message is not delivered"

    assert delivered(ctx, "wamid.d") is Report.APPLIED
    assert undelivered(ctx, "wamid.d", "late bounce") is Report.REFUSED
    assert state(ctx, delivered_first) is DeliveryState.DELIVERED
    assert undelivered(ctx, "wamid.nobody", "x") is Report.REFUSED
    assert undelivered(ctx, "wamid.b", "x", channel="email") is Report.REFUSED
    with ctx.reading() as session:
        listed = [m.message_id for m in outbox_repo.undelivered(session, None, 10)]
    assert listed == [bounced], "on the office's list of failed messages, to call or resend"


def test_a_lapsed_lease_re_claimed_by_another_worker_refuses_the_first(
    ctx: DeskContext, clock: FakeClock
) -> None:
    (mid, late) = write(ctx, request_id(ctx), 2)
    assert claim(ctx, "bot-a") == [mid, late]
    clock.advance(minutes=6)
    # Nobody claimed ``late`` again: bot-a's late report is still the truth.
    assert sent(ctx, late, "bot-a", "wamid.late") is Report.APPLIED
    assert claim(ctx, "bot-b") == [mid]
    assert row(ctx, mid).attempts == 2

    assert sent(ctx, mid, "bot-a", "wamid.a") is Report.REFUSED
    assert failed(ctx, mid, "bot-a", "timeout", retry=True) is Report.REFUSED
    assert failed(ctx, mid, "bot-a", "gone", retry=False) is Report.REFUSED
    stored = row(ctx, mid)
    assert stored.claimed_by == "bot-b" and stored.sent_at is None and stored.failed_at is None
    assert sent(ctx, mid, "bot-b", "wamid.b") is Report.APPLIED
    assert row(ctx, mid).external_ref == "wamid.b"


def test_a_message_whose_lease_keeps_lapsing_is_given_up(
    ctx: DeskContext, clock: FakeClock
) -> None:
    (mid,) = write(ctx, request_id(ctx), 1)
    for attempt in range(repo.MAX_ATTEMPTS):
        assert claim(ctx, f"crashing-{attempt}") == [mid]
        clock.advance(minutes=6)
    assert claim(ctx, "bot-a") == []
    stored = row(ctx, mid)
    assert stored.failed_at == clock.now
    assert stored.fail_reason == repo.GIVE_UP_LAPSED.format(attempts=repo.MAX_ATTEMPTS)


def test_times_come_from_the_database_when_none_is_given(ctx: DeskContext) -> None:
    (mid,) = write(ctx, request_id(ctx), 1)
    with ctx.unit_of_work() as session:
        before = repo.database_now(session)
        (message,) = repo.claim_batch(session, WA, "bot-a", 5, LEASE)
    assert before <= message.claimed_until - LEASE <= before + dt.timedelta(minutes=1)
    with ctx.unit_of_work() as session:
        assert repo.report_sent(session, mid, "bot-a", "wamid.1") is Report.APPLIED


def test_read_back_names_the_request_of_each_intake_row(ctx: DeskContext) -> None:
    request_id(ctx, "wa-a")
    IntakeOps(ctx).submit_row(make_request(external_ref="wa-bad", payload="not json"))
    IntakeOps(ctx).ingest()
    with ctx.reading() as session:
        rows = {r.external_ref: r for r in repo.read_back(session, WA, ["wa-a", "wa-bad", "x"])}
    assert set(rows) == {"wa-a", "wa-bad"}
    assert rows["wa-a"].number and rows["wa-a"].status == "new"
    assert rows["wa-a"].service_code == "ktpel_penggantian"
    assert rows["wa-bad"].number is None and rows["wa-bad"].ingest_error


# -- several bots at once ---------------------------------------------------------------------

BOTS = 4
MESSAGES = 240


def _bot(url: str, worker: str) -> tuple[list[int], list[int]]:
    """A bot process: claim batches until none is due, report each sent; returns the ids it
    claimed and those whose sent report was applied."""
    ctx = DeskContext(make_engine(url), load_reference_data(RESOURCES))
    claimed: list[int] = []
    applied: list[int] = []
    try:
        while True:
            with ctx.unit_of_work() as session:
                batch = repo.claim_batch(session, WA, worker, 7, dt.timedelta(minutes=10))
            if not batch:
                return claimed, applied
            for message in batch:
                claimed.append(message.id)
                with ctx.unit_of_work() as session:
                    ref = f"{worker}-{message.id}"
                    outcome = repo.report_sent(session, message.id, worker, ref)
                if outcome is Report.APPLIED:
                    applied.append(message.id)
    finally:
        ctx.close()


@pytest.mark.slow
def test_bots_in_several_processes_send_every_message_exactly_once(
    db_url: str,
) -> None:
    ctx = DeskContext(make_engine(db_url), load_reference_data(RESOURCES))
    try:
        written = write(ctx, request_id(ctx), MESSAGES)
        with multiprocessing.get_context("spawn").Pool(BOTS) as pool:
            results = pool.starmap(_bot, [(db_url, f"bot-{i}") for i in range(BOTS)])
        claimed = [mid for got, _ in results for mid in got]
        applied = [mid for _, got in results for mid in got]
        assert sorted(claimed) == written, "no message claimed twice under a live lease"
        assert sorted(applied) == written, "every message sent exactly once"
        assert sum(1 for got, _ in results if got) >= 2, "the work was really shared"
        with ctx.sessions() as session:
            unsent = session.scalar(select(func.count()).where(OutgoingMessage.sent_at.is_(None)))
            refs = session.scalar(select(func.count(func.distinct(OutgoingMessage.external_ref))))
        assert unsent == 0 and refs == MESSAGES
    finally:
        ctx.close()
