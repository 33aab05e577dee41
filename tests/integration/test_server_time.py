"""The server's clock, not the workstation's, orders and expires things on PostgreSQL.

These contexts have no stand-in for the server (``server_clock``): they ask the real
PostgreSQL server, while each workstation's own clock is made wrong on purpose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select, update

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import AppUser, AuditLog, ServiceRequest
from disdukcapil_desk.domain.clock import office_date, skew_warning, utc_now
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import AuthError, ClaimError
from disdukcapil_desk.operations.clock import ClockOps
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.users import LOCKOUT, MAX_FAILED_LOGINS, UserOps
from tests.conftest import TEST_PASSWORD
from tests.integration.test_documents import approved
from tests.integration.test_intake import ingest_rows, request_of, row

SIXTEEN_MINUTES = dt.timedelta(minutes=16)
OpenDesk = Callable[["Workstation"], DeskContext]


class Workstation:
    """A workstation's clock: the real time, off by ``offset``."""

    def __init__(self, offset: dt.timedelta = dt.timedelta(0)) -> None:
        self.offset = offset

    def __call__(self) -> dt.datetime:
        return utc_now() + self.offset


@pytest.fixture
def open_desk(
    db_url: str, reference: ReferenceData
) -> Iterator[Callable[[Workstation], DeskContext]]:
    """Open desk contexts on the test database, each with its workstation's clock."""
    opened: list[DeskContext] = []

    def open_with(clock: Workstation) -> DeskContext:
        ctx = DeskContext(make_engine(db_url), reference, clock=clock)
        opened.append(ctx)
        return ctx

    yield open_with
    for ctx in opened:
        ctx.close()


def _server_now(ctx: DeskContext) -> dt.datetime:
    with ctx.reading() as session:
        value = session.scalar(select(func.now()))
    assert isinstance(value, dt.datetime)
    return value


def test_a_workstation_sixteen_minutes_fast_cannot_take_a_fresh_lease(
    db_kind: str, open_desk, users: dict[str, Actor]
) -> None:
    if db_kind != "postgresql":
        pytest.skip("SQLite is one workstation: its clock is the only one")
    colleague = open_desk(Workstation())
    fast = open_desk(Workstation(SIXTEEN_MINUTES))
    ingest_rows(colleague, row("jam-1"))
    request = request_of(colleague, "jam-1")
    request_id, office = request.id, request.location_code
    lease = QueueOps(colleague).claim(users["loket.dinas"], request_id)
    with pytest.raises(ClaimError, match="sedang diperiksa"):
        QueueOps(fast).claim(users["loket2.dinas"], request_id)
    assert QueueOps(fast).claim_next(users["loket2.dinas"], office) is None
    assert QueueOps(fast).expire_leases() == 0
    # The lease and the audit entry carry the server's time, not the fast PC's.
    QueueOps(fast).release(users["loket.dinas"], request_id)
    server = _server_now(fast)
    assert abs(lease.expires_at - (server + fast.lease)) < dt.timedelta(minutes=1)
    with fast.reading() as session:
        last = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert last is not None and last.action == "release"
    assert abs(last.at - server) < dt.timedelta(minutes=1)


def test_a_workstation_with_the_wrong_year_numbers_in_the_servers_year(
    db_kind: str, open_desk, users: dict[str, Actor]
) -> None:
    if db_kind != "postgresql":
        pytest.skip("SQLite is one workstation: its clock is the only one")
    wrong = open_desk(Workstation(dt.timedelta(days=-400)))
    [request_id] = approved(wrong, 1)
    result = DocumentOps(wrong).issue(users["kasi.dinas"], request_id)
    server_day = office_date(_server_now(wrong))
    assert result.certificate_number is not None
    assert result.certificate_number.split("-")[2] == f"{server_day:%d%m%Y}"


def test_clock_skew_is_measured_against_the_server(db_kind: str, open_desk) -> None:
    fast = open_desk(Workstation(SIXTEEN_MINUTES))
    skew = ClockOps(fast).clock_skew()
    if db_kind == "sqlite":
        assert skew is None
        return
    assert skew is not None and abs(skew - SIXTEEN_MINUTES) < dt.timedelta(seconds=5)
    assert ClockOps(open_desk(Workstation())).clock_skew() < dt.timedelta(seconds=5)  # type: ignore[operator]


def test_the_warning_names_how_far_and_which_way() -> None:
    assert skew_warning(dt.timedelta(seconds=50)) is None
    assert "16 menit lebih cepat" in (skew_warning(SIXTEEN_MINUTES) or "")
    assert "2 menit lebih lambat" in (skew_warning(dt.timedelta(minutes=-2)) or "")
    assert "400 hari lebih lambat" in (skew_warning(dt.timedelta(days=-400)) or "")


def test_a_lockout_runs_on_the_servers_time(db_kind: str, open_desk) -> None:
    """A PC 16 minutes slow would lock an account for 31 minutes by its own clock, and a PC
    16 minutes fast would lift a fresh lockout at once; the server's time decides both."""
    if db_kind != "postgresql":
        pytest.skip("SQLite is one workstation: its clock is the only one")
    slow = open_desk(Workstation(-SIXTEEN_MINUTES))
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            UserOps(slow).authenticate("loket2.dinas", "keliru-sekali")
    with slow.reading() as session:
        locked_until = session.scalar(
            select(AppUser.locked_until).where(AppUser.login == "loket2.dinas")
        )
    assert locked_until is not None
    expected = _server_now(slow) + LOCKOUT
    assert abs(locked_until - expected) < dt.timedelta(minutes=1), "the server's time + lockout"
    fast = open_desk(Workstation(SIXTEEN_MINUTES))
    with pytest.raises(AuthError, match="terkunci"):
        UserOps(fast).authenticate("loket2.dinas", TEST_PASSWORD)


def test_a_lease_lapsed_by_the_servers_clock_goes_to_the_next_claim_oldest_first(
    db_kind: str, open_desk, users: dict[str, Actor]
) -> None:
    """The claim reads the lapsed leases by the server's ``now()``: a dead workstation's
    request (received first) is claimed before a newer new one; a live lease is not."""
    if db_kind != "postgresql":
        pytest.skip("the server's clock decides on PostgreSQL")
    desk = open_desk(Workstation())
    ingest_rows(desk, row("laps-1"), row("laps-2"), row("laps-3"))
    first, second, third = (request_of(desk, ref) for ref in ("laps-1", "laps-2", "laps-3"))
    queue = QueueOps(desk)
    queue.claim(users["loket.dinas"], first.id)
    queue.claim(users["loket.dinas"], second.id)
    with desk.unit_of_work() as session:  # the first holder's workstation died long ago
        session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id == first.id)
            .values(lease_expires_at=func.now() - dt.timedelta(minutes=1))
        )
    taken = queue.claim_next(users["loket2.dinas"], first.location_code)
    assert taken is not None and taken.request_id == first.id
    again = queue.claim_next(users["loket2.dinas"], first.location_code)
    assert again is not None and again.request_id == third.id, "a live lease stays its holder's"
