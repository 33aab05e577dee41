"""Working offline: number blocks reserved on the server, the local copy, walk-ins, login and
receipts on it, and the server taking back a walk-in made offline (``operations/offline``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from disdukcapil_desk.db.models import AuditLog, NumberBlock, ServiceRequest
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import PermissionDenied
from disdukcapil_desk.domain.offline import OfflineNumberRefused
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.offline.numbers import reserve_blocks
from disdukcapil_desk.operations.walk_in import WalkInOps
from tests.conftest import T0
from tests.integration.test_walk_in import kia

DAY = dt.date(2026, 11, 2)
WS = "PC-UPT05-aa11"
OTHER_WS = "PC-UPT05-bb22"


def test_a_block_moves_the_counter_so_intake_numbers_past_it(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.upt05"]
    first = WalkInOps(ctx).register(officer, "UPT-05", kia(nik="3604150501140011"))
    blocks = reserve_blocks(ctx, officer, "UPT-05", WS, [DAY], 300)
    assert [(b.period, b.first_value, b.last_value) for b in blocks] == [("20261102", 2, 301)]
    again = reserve_blocks(ctx, officer, "UPT-05", WS, [DAY], 300)
    assert again == blocks, "a day that has its block keeps it"
    other = reserve_blocks(ctx, officer, "UPT-05", OTHER_WS, [DAY], 10)
    assert (other[0].first_value, other[0].last_value) == (302, 311)
    after = WalkInOps(ctx).register(officer, "UPT-05", kia(nik="3604150501140029"))
    assert first.number.endswith("/0001") and after.number == "UPT-05/20261102/0312"
    with ctx.sessions() as session:
        audited = session.scalars(
            select(AuditLog.detail).where(AuditLog.action == "reserve_numbers")
        ).all()
    assert len(audited) == 2 and WS in audited[0]


def test_reserving_is_refused_to_another_office(ctx: DeskContext, users: dict[str, Actor]) -> None:
    with pytest.raises(PermissionDenied):
        reserve_blocks(ctx, users["loket.upt05"], "UPT-01", WS, [DAY], 10)


def test_register_synced_takes_the_offline_number_and_time(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.upt05"]
    reserve_blocks(ctx, officer, "UPT-05", WS, [DAY], 5)
    at = T0 - dt.timedelta(hours=1)
    ops = WalkInOps(ctx)
    result = ops.register_synced(officer, "UPT-05", kia(), "UPT-05/20261102/0003", at, WS)
    assert result.number == "UPT-05/20261102/0003" and result.lease.version == 2
    with ctx.sessions() as session:
        request = session.scalars(
            select(ServiceRequest).where(ServiceRequest.number == result.number)
        ).one()
        assert request.received_at == at
    with pytest.raises(OfflineNumberRefused, match="sudah terdaftar"):
        ops.register_synced(officer, "UPT-05", kia(), "UPT-05/20261102/0003", at, WS)
    for number, workstation in (
        ("UPT-05/20261102/0006", WS),  # past the block
        ("UPT-05/20261102/0002", OTHER_WS),  # another workstation's claim on this block
        ("UPT-05/20261103/0002", WS),  # not the day the citizen came
        ("UPT-01/20261102/0002", WS),  # another office
    ):
        with pytest.raises(OfflineNumberRefused):
            ops.register_synced(officer, "UPT-05", kia(), number, at, workstation)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ServiceRequest)) == 1
        assert session.scalar(select(func.count()).select_from(NumberBlock)) == 1
