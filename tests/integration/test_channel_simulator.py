"""The reference channel: sample citizens in, the outbox consumed with a seeded failure rate,
permanent failures for unreachable citizens, and the ``channel simulate`` command.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import IncomingRequest, OutgoingMessage, ServiceRequest
from disdukcapil_desk.db.repositories import requests
from disdukcapil_desk.domain.delivery import MessageKind
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.operations.channel import (
    PERMANENT_REASON,
    ChannelSimulator,
    SimulationReport,
    SimulationSettings,
    load_citizens,
)
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.outbox import write_message
from tests.conftest import TEST_PASSWORD, FakeClock, fresh_database_url
from tests.integration.cli_harness import Desk

SETTINGS = SimulationSettings(citizens=6, fail_rate=0.4, seed=4)


def simulate(
    ctx: DeskContext, clock: FakeClock, settings: SimulationSettings
) -> tuple[SimulationReport, list[tuple[str, int, bool, bool, str | None]]]:
    """Submit, ingest (which writes each request's "received" message), then rounds an hour
    apart (past every backoff)."""
    simulator = ChannelSimulator(ctx, settings)
    assert simulator.submit_new() == settings.citizens
    assert IntakeOps(ctx).ingest().created == settings.citizens
    for _ in range(8):
        clock.advance(hours=1)
        simulator.round()
    with ctx.reading() as session:
        rows = session.execute(
            select(
                OutgoingMessage.recipient,
                OutgoingMessage.attempts,
                OutgoingMessage.delivered_at.is_not(None),
                OutgoingMessage.failed_at.is_not(None),
                OutgoingMessage.fail_reason,
            ).order_by(OutgoingMessage.id)
        ).all()
    return simulator.report, [tuple(r) for r in rows]  # type: ignore[misc]


def test_the_channel_delivers_retries_and_gives_up_on_the_unreachable(
    ctx: DeskContext, clock: FakeClock
) -> None:
    report, messages = simulate(ctx, clock, SETTINGS)
    unreachable = {c.phone for c in load_citizens() if not c.reachable}
    assert unreachable
    for recipient, attempts, delivered, failed, reason in messages:
        if recipient in unreachable:
            assert failed and not delivered and reason == PERMANENT_REASON and attempts == 1
        else:
            assert delivered and not failed and reason is None
    assert report.retried > 0, "the seeded failure rate made some sends fail for a while"
    assert sum(attempts for _, attempts, *_ in messages) == len(messages) + report.retried
    assert (report.sent, report.delivered, report.failed) == (5, 5, 1)
    assert report.claimed == report.sent + report.retried + report.failed
    assert report.refused == 0


def test_the_same_seed_runs_the_same(
    ctx: DeskContext,
    clock: FakeClock,
    db_kind: str,
    reference: ReferenceData,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    first = simulate(ctx, clock, SETTINGS)
    (tmp_path / "again").mkdir()
    again_clock = FakeClock()
    again = DeskContext(
        make_engine(fresh_database_url(db_kind, request, tmp_path / "again")),
        reference,
        clock=again_clock,
        server_clock=again_clock,
    )
    try:
        assert simulate(again, again_clock, SETTINGS) == first
    finally:
        again.close()


def test_email_channel_writes_addresses_and_refuses_bad_rates(ctx: DeskContext) -> None:
    settings = SimulationSettings(channel=Channel.EMAIL, citizens=2)
    assert ChannelSimulator(ctx, settings).submit_new() == 2
    with ctx.reading() as session:
        rows = session.execute(select(IncomingRequest.channel, IncomingRequest.sender)).all()
    assert {channel for channel, _ in rows} == {"email"}
    assert all("@" in sender for _, sender in rows)
    with pytest.raises(DeskError):
        ChannelSimulator(ctx, SimulationSettings(fail_rate=1.5))


def test_channel_simulate_command(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = Desk(db_url, tmp_path / "desk", capsys, monkeypatch)
    args = ("channel", "simulate", "--citizens", "3", "--rounds", "2", "--seed", "4", "--ingest")
    ran = desk(*args, login="admin", password=TEST_PASSWORD)
    assert ran.code == 0, ran.err
    assert "Permohonan baru dikirim : 3" in ran.out
    assert "Diproses desk (ingest)  : 3" in ran.out
    again = desk(*args, login="admin", password=TEST_PASSWORD)
    assert again.code == 0 and "Permohonan baru dikirim : 0" in again.out
    refused = desk(*args, login="loket.dinas", password=TEST_PASSWORD)
    assert refused.code == 1, "a demo tool: the administrator's door"
    bad = desk("channel", "simulate", "--fail-rate", "2", login="admin", password=TEST_PASSWORD)
    assert bad.code == 2 and "0 sampai 1" in bad.err


def test_a_pickup_appointment_may_be_answered_with_jadwal_ulang(
    ctx: DeskContext, clock: FakeClock
) -> None:
    settings = SimulationSettings(citizens=2, fail_rate=0.0, reschedule_rate=1.0, seed=2)
    simulator = ChannelSimulator(ctx, settings)
    simulator.submit_new()
    IntakeOps(ctx).ingest()
    with ctx.unit_of_work() as session:
        number = session.scalars(select(ServiceRequest.number).order_by(ServiceRequest.id)).first()
        assert number is not None
        record = requests.by_number(session, number)
        assert record is not None
        write_message(
            ctx, session, SYSTEM_ACTOR, record, MessageKind.READY_FOR_PICKUP, "Silakan ambil"
        )
    simulator.round()
    simulator.round()
    assert simulator.report.rescheduled == 1
    with ctx.reading() as session:
        reply = session.execute(
            select(IncomingRequest.reply_to_number, IncomingRequest.payload).where(
                IncomingRequest.external_ref.like("jadwal-%")
            )
        ).one()
    assert reply.reply_to_number == number
    assert json.loads(reply.payload) == {"jadwal_ulang": True}
