"""A workstation's poll returns lapsed leases to the queue (on the real threaded runner), at
most once a minute: a request held by a workstation that died is free again for everyone,
and a claim never weighs leases lapsed long ago."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from disdukcapil_desk.db.models import AuditLog, ServiceRequest
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.ui import main_window
from tests.conftest import FakeClock
from tests.integration.test_queue import seed
from tests.ui.conftest import OpenThreaded


class _Monotonic:
    """The window's interval clock, moved by hand."""

    def __init__(self) -> None:
        self.seconds = 1_000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def monotonic(monkeypatch: pytest.MonkeyPatch) -> _Monotonic:
    moved = _Monotonic()
    monkeypatch.setattr(main_window, "time", SimpleNamespace(monotonic=moved))
    return moved


def _state(ctx: DeskContext, request_id: int) -> tuple[str, int | None]:
    with ctx.reading() as session:
        row = session.execute(
            select(ServiceRequest.status, ServiceRequest.claimed_by).where(
                ServiceRequest.id == request_id
            )
        ).one()
    return row.status, row.claimed_by


def _expiries(ctx: DeskContext) -> int:
    with ctx.reading() as session:
        return len(
            session.scalars(select(AuditLog.id).where(AuditLog.action == Action.EXPIRE.value)).all()
        )


def test_the_poll_returns_lapsed_leases_to_the_queue_at_most_once_a_minute(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    clock: FakeClock,
    open_threaded: OpenThreaded,
    monotonic: _Monotonic,
) -> None:
    first, second = seed(ctx, 2)
    queue = QueueOps(ctx)
    queue.claim(users["loket.dinas"], first)  # then that workstation dies
    window = open_threaded("loket2.dinas")
    assert _state(ctx, first) == (Status.IN_REVIEW.value, users["loket.dinas"].user_id)
    clock.advance(minutes=31)

    window.refresh_timer.timeout.emit()

    qtbot.waitUntil(lambda: _state(ctx, first) == (Status.NEW.value, None), timeout=10_000)
    assert _expiries(ctx) == 1
    queue.claim(users["loket.dinas"], second)
    clock.advance(minutes=31)
    monotonic.seconds += 59
    window.refresh_timer.timeout.emit()  # within the minute: no second sweep
    window.runner.wait_idle()
    assert _state(ctx, second)[0] == Status.IN_REVIEW.value
    monotonic.seconds += 1
    window.refresh_timer.timeout.emit()
    qtbot.waitUntil(lambda: _state(ctx, second) == (Status.NEW.value, None), timeout=10_000)
    assert _expiries(ctx) == 2
