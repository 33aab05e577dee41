"""The citizen's loop end to end, driven by the reference channel, on both databases.

Each stage is a function that runs on a :class:`Loop` and checks what the citizen and the desk
see; each test runs the stages up to its own, so a failing stage names itself. A later stage
(input SIAK → TTE → sent / pickup booked → checked in) is one more function and one more test
calling the ones before.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from disdukcapil_desk.db.models import OutgoingMessage
from disdukcapil_desk.db.repositories import channel as channel_repo
from disdukcapil_desk.db.repositories import requests
from disdukcapil_desk.domain.delivery import MessageKind
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor, CheckInput
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.channel import ChannelSimulator, SimulationSettings
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.outbox import write_message
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.verification import VerificationOps
from tests.conftest import FakeClock


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

    def tell(self, kind: MessageKind, body: str) -> None:
        """Write the message a decision writes, unless the decision already did (once the
        decisions write their own messages, this does nothing)."""
        request = self.request()
        with self.ctx.unit_of_work() as session:
            written = session.scalar(
                select(OutgoingMessage.id).where(
                    OutgoingMessage.service_request_id == request.id,
                    OutgoingMessage.kind == kind.value,
                    OutgoingMessage.created_at >= request.updated_at,
                )
            )
            if written is None:
                record = requests.by_id(session, request.id)
                assert record is not None
                write_message(self.ctx, session, SYSTEM_ACTOR, record, kind, body)

    def channel_round(self) -> None:
        """The bot's turn: receipts, then every due message (and the citizen's answers)."""
        self.clock.advance(minutes=1)
        self.channel.round()


@pytest.fixture
def loop(ctx: DeskContext, clock: FakeClock, users: dict[str, Actor]) -> Loop:
    settings = SimulationSettings(citizens=1, rounds=1, fail_rate=0.0, seed=11)
    return Loop(ctx, clock, users["loket.dinas"], ChannelSimulator(ctx, settings))


def stage_arrives(loop: Loop) -> None:
    """The channel writes the citizen's request; the desk ingests it and says it arrived."""
    assert loop.channel.submit_new() == 1
    assert loop.channel.submit_new() == 0, "the same external_ref again is a no-op"
    assert IntakeOps(loop.ctx).ingest().created == 1
    request = loop.request()
    assert request.status == Status.NEW.value
    loop.tell(MessageKind.RECEIVED, f"Permohonan {request.number} kami terima.")
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
    loop.tell(MessageKind.NEEDS_REVISION, draft.message)

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
    loop.tell(MessageKind.APPROVED, f"Permohonan {request.number} disetujui.")
    loop.channel_round()
    loop.channel_round()
    assert [kind for kind, _, _ in loop.messages()] == ["received", "needs_revision", "approved"]
    assert all(sent and delivered for _, sent, delivered in loop.messages())


def test_stage_1_the_request_arrives_through_the_channel(loop: Loop) -> None:
    stage_arrives(loop)


def test_stage_2_a_revision_is_answered_by_a_resubmission(loop: Loop) -> None:
    stage_arrives(loop)
    stage_revision(loop)


def test_stage_3_the_corrected_request_is_approved(loop: Loop) -> None:
    stage_arrives(loop)
    stage_revision(loop)
    stage_approved(loop)
