"""The citizen's loop end to end, driven by the reference channel, on both databases.

Each stage is a function that runs on a :class:`Loop` and checks what the citizen and the desk
see; each test runs the stages up to its own, so a failing stage names itself: arrives →
revision answered by a resubmission → approved → input SIAK → TTE → sent (a birth
certificate, no visit); and for a KTP-el: approved → issued → pickup booked → the citizen asks
for another window → checked in with the request number (one visit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from disdukcapil_desk.db.models import OutgoingMessage, PickupBooking, PickupSlot
from disdukcapil_desk.db.repositories import channel as channel_repo
from disdukcapil_desk.db.repositories import requests
from disdukcapil_desk.domain.delivery import MessageKind, SiakNumberKind
from disdukcapil_desk.domain.dto import Actor, CheckInput
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.after_approval import AfterApprovalOps
from disdukcapil_desk.operations.channel import (
    ChannelSimulator,
    SimulationSettings,
    load_citizens,
)
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo_delivery import demo_identity, sample_signed_pdf
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.pickup import PickupOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.verification import VerificationOps
from tests.conftest import FakeClock

ONE_SECOND = dt.timedelta(seconds=1)


@dataclass
class Loop:
    """The desk, one officer and the simulated channel with one citizen (Rudi's birth
    registration, whose first submission lacks the marriage book)."""

    ctx: DeskContext
    clock: FakeClock
    officer: Actor
    channel: ChannelSimulator

    @property
    def ref(self) -> str:
        return self.channel.external_ref(0)

    def request(self) -> requests.ServiceRequest:
        with self.ctx.reading() as session:
            (back,) = channel_repo.read_back(session, Channel.WHATSAPP.value, [self.ref])
            assert back.number, back.ingest_error
            found = requests.by_number(session, back.number)
            assert found is not None
            session.expunge(found)
            return found

    def messages(self) -> list[tuple[str, bool, bool]]:
        """(kind, sent, delivered) of the request's messages, in order."""
        with self.ctx.reading() as session:
            rows = session.execute(
                select(OutgoingMessage.kind, OutgoingMessage.sent_at, OutgoingMessage.delivered_at)
                .where(OutgoingMessage.service_request_id == self.request().id)
                .order_by(OutgoingMessage.id)
            ).all()
        return [(kind, sent is not None, delivered is not None) for kind, sent, delivered in rows]

    def channel_round(self) -> None:
        """The bot's turn: receipts, then every due message (and the citizen's answers)."""
        self.clock.advance(minutes=1)
        self.channel.round()


@pytest.fixture
def loop(ctx: DeskContext, clock: FakeClock, users: dict[str, Actor]) -> Loop:
    settings = SimulationSettings(citizens=1, rounds=1, fail_rate=0.0, seed=11)
    return Loop(ctx, clock, users["loket.dinas"], ChannelSimulator(ctx, settings))


@pytest.fixture
def card_loop(ctx: DeskContext, clock: FakeClock, users: dict[str, Actor]) -> Loop:
    """Dewi, the second sample citizen: a KTP-el replacement, collected at the office."""
    settings = SimulationSettings(citizens=1, fail_rate=0.0, reschedule_rate=1.0, seed=12)
    dewi = load_citizens()[1]
    assert dewi.service_code == "ktpel_penggantian"
    return Loop(ctx, clock, users["loket.dinas"], ChannelSimulator(ctx, settings, [dewi]))


def stage_arrives(loop: Loop) -> None:
    """The channel writes the citizen's request; the desk ingests it and says it arrived."""
    assert loop.channel.submit_new() == 1
    assert loop.channel.submit_new() == 0, "the same external_ref again is a no-op"
    assert IntakeOps(loop.ctx).ingest().created == 1
    request = loop.request()
    assert request.status == Status.NEW.value
    loop.channel_round()
    loop.channel_round()
    assert loop.messages() == [("received", True, True)]


def stage_revision(loop: Loop) -> None:
    """The officer asks for the missing marriage book; the citizen receives the message and
    resubmits; the request is back in the queue with the file."""
    queue, verification = QueueOps(loop.ctx), VerificationOps(loop.ctx)
    request = loop.request()
    lease = queue.claim(loop.officer, request.id)
    checks = {"buku_nikah": CheckInput("tidak_ada", "belum dilampirkan")}
    draft = verification.draft_revision(loop.officer, request.id, lease.version, {}, checks)
    assert "Buku nikah" in draft.message
    row = verification.request_revision(loop.officer, request.id, draft.version, draft.message)
    assert row.status is Status.NEEDS_REVISION

    loop.channel_round()
    assert loop.channel.report.resubmitted == 1
    assert loop.messages()[-1] == ("needs_revision", True, False)
    ingested = IntakeOps(loop.ctx).ingest()
    assert ingested.resubmissions == 1 and ingested.created == 0
    back = loop.request()
    assert back.status == Status.NEW.value and back.resubmission_count == 1
    detail = queue.detail(loop.officer, back.id)
    assert "buku_nikah" in {a.requirement_code for a in detail.attachments}
    loop.channel_round()
    assert loop.messages()[-1] == ("needs_revision", True, True)


def stage_approved(loop: Loop) -> None:
    """Everything is there now: the officer approves, the citizen hears of it."""
    queue, verification = QueueOps(loop.ctx), VerificationOps(loop.ctx)
    request = loop.request()
    lease = queue.claim(loop.officer, request.id)
    service = loop.ctx.reference.catalogue.get(request.service_code)
    checks = {r.code: CheckInput("sesuai") for r in service.requirements if r.required}
    row = verification.approve(loop.officer, request.id, lease.version, checks=checks)
    assert row.status is Status.APPROVED
    loop.channel_round()
    loop.channel_round()
    assert [kind for kind, _, _ in loop.messages()] == ["received", "needs_revision", "approved"]
    assert all(sent and delivered for _, sent, delivered in loop.messages())


def stage_siak(loop: Loop, operator: Actor) -> dict[SiakNumberKind, str]:
    """The operator enters the data in SIAK and records the numbers it gave."""
    request = loop.request()
    numbers = {
        SiakNumberKind.AKTA: "3604-LU-03112026-0042",
        SiakNumberKind.NIK: "3604150211260001",
    }
    recorded = AfterApprovalOps(loop.ctx).record_siak(operator, request.id, numbers)
    assert recorded.follow_up.status is Status.SIAK_RECORDED
    return numbers


def stage_tte(loop: Loop, operator: Actor, numbers: dict[SiakNumberKind, str]) -> bytes:
    """The Kepala Dinas signed in SIAK; the operator attaches the signed PDF."""
    request = loop.request()
    pdf = sample_signed_pdf(demo_identity(), "Kutipan Akta Kelahiran", request.number, numbers)
    attached = AfterApprovalOps(loop.ctx).attach_signed_pdf(
        operator, request.id, "akta-kelahiran.pdf", pdf
    )
    assert attached.follow_up.status is Status.ISSUED
    assert attached.document.sha256 == hashlib.sha256(pdf).hexdigest()
    return pdf


def stage_sent(loop: Loop, operator: Actor, pdf: bytes) -> None:
    """The signed PDF goes to the citizen through the channel: closed with no visit."""
    request = loop.request()
    AfterApprovalOps(loop.ctx).send_document(operator, request.id, request.version)
    assert loop.request().status == Status.SENT.value
    with loop.ctx.unit_of_work() as session:  # what the bot receives: the very file
        (claimed,) = channel_repo.claim_batch(
            session, Channel.WHATSAPP.value, "check", 5, dt.timedelta(seconds=1),
            now=loop.ctx.now(session),
        )  # fmt: skip
    assert claimed.kind == MessageKind.DOCUMENT_SENT and "3604-LU-03112026-0042" in claimed.body
    assert claimed.attachments[0].content == pdf
    loop.clock.advance(minutes=5)  # the check's lease lapses; the simulated bot sends it
    loop.channel_round()
    loop.channel_round()
    assert loop.messages()[-1] == ("document_sent", True, True)


def stage_card_ready(loop: Loop, head: Actor) -> None:
    """A KTP-el is approved and issued (a card: nothing to sign or send), then booked."""
    assert loop.channel.submit_new() == 1
    IntakeOps(loop.ctx).ingest()
    queue, verification = QueueOps(loop.ctx), VerificationOps(loop.ctx)
    request = loop.request()
    lease = queue.claim(loop.officer, request.id)
    service = loop.ctx.reference.catalogue.get(request.service_code)
    checks = {r.code: CheckInput("sesuai") for r in service.requirements if r.required}
    verification.approve(loop.officer, request.id, lease.version, checks=checks)
    AfterApprovalOps(loop.ctx).record_siak(loop.officer, request.id, {})
    DocumentOps(loop.ctx).issue(head, request.id)
    booked = PickupOps(loop.ctx).book(loop.officer, request.id, None)
    assert loop.request().status == Status.READY_FOR_PICKUP.value
    loop.channel_round()  # the citizen reads the appointment and asks for another window
    assert loop.channel.report.rescheduled == 1
    assert IntakeOps(loop.ctx).ingest().quarantined == 0
    with loop.ctx.reading() as session:
        windows = session.execute(
            select(PickupBooking.state, PickupSlot.starts_at)
            .join(PickupSlot, PickupSlot.id == PickupBooking.pickup_slot_id)
            .where(PickupBooking.service_request_id == request.id)
            .order_by(PickupBooking.id)
        ).all()
    assert [state for state, _ in windows] == ["cancelled", "booked"]
    assert windows[0].starts_at == booked.window.starts_at < windows[1].starts_at + ONE_SECOND
    loop.channel_round()
    kinds = [kind for kind, _, _ in loop.messages()]
    assert kinds[-2:] == ["ready_for_pickup", "pickup_rebooked"]


def stage_checked_in(loop: Loop) -> None:
    """The citizen comes in the window and shows the request number of the channel's message
    (no receipt was printed): the officer checks the identity card and types it: "Diambil"."""
    request = loop.request()
    row = PickupOps(loop.ctx).check_in(loop.officer, request.number.lower())
    assert row.number == request.number
    assert loop.request().status == Status.COLLECTED.value


def test_stage_1_the_request_arrives_through_the_channel(loop: Loop) -> None:
    stage_arrives(loop)


def test_stage_2_a_revision_is_answered_by_a_resubmission(loop: Loop) -> None:
    stage_arrives(loop)
    stage_revision(loop)


def test_stage_3_the_corrected_request_is_approved(loop: Loop) -> None:
    stage_arrives(loop)
    stage_revision(loop)
    stage_approved(loop)


def test_stage_4_siak_tte_and_the_document_sent_closes_it_without_a_visit(
    loop: Loop, users: dict[str, Actor]
) -> None:
    stage_arrives(loop)
    stage_revision(loop)
    stage_approved(loop)
    operator = users["operator.dinas"]
    numbers = stage_siak(loop, operator)
    pdf = stage_tte(loop, operator, numbers)
    stage_sent(loop, operator, pdf)
    kinds = [kind for kind, _, _ in loop.messages()]
    assert kinds == ["received", "needs_revision", "approved", "document_sent"]


def test_stage_5_a_card_is_booked_rebooked_by_the_citizen_and_collected(
    card_loop: Loop, users: dict[str, Actor]
) -> None:
    stage_card_ready(card_loop, users["kasi.dinas"])
    stage_checked_in(card_loop)
