"""Several workstations at once (real processes): claims and ingest never double up."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import AuditLog, IncomingRequest, Location, ServiceRequest
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.audit import verify_chain
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import ADMIN_SETUP_ACTOR
from disdukcapil_desk.operations.users import UserOps
from tests.factories import make_request

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
WORKERS = 8
REQUESTS = 200
MANY_OFFICE_ROWS = 400


def _submit(ctx: DeskContext, count: int) -> None:
    ops = IntakeOps(ctx)
    start = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    for i in range(count):
        ops.submit_row(
            make_request(
                fields={"nik": f"3604156107{i % 90 + 10:02d}{i + 1:04d}"},
                channel="web",
                external_ref=f"c{i}",
                service_code="akta_kematian",
                sender="+628123",
                received_at=start + dt.timedelta(seconds=i),
            )
        )


def _claim_all(url: str, login: str) -> list[int]:
    ctx = DeskContext(make_engine(url), load_reference_data(RESOURCES))
    actor = UserOps(ctx).actor(login)
    queue = QueueOps(ctx)
    claimed = []
    while (lease := queue.claim_next(actor, "DINAS")) is not None:
        claimed.append(lease.request_id)
    ctx.close()
    return claimed


def _ingest(url: str, batch_size: int = 20) -> int:
    ctx = DeskContext(make_engine(url), load_reference_data(RESOURCES))
    report = IntakeOps(ctx).ingest(batch_size=batch_size)
    ctx.close()
    return report.created


@pytest.mark.slow
def test_eight_workstations_claim_each_request_exactly_once(ctx: DeskContext, db_url: str) -> None:
    _submit(ctx, REQUESTS)
    assert IntakeOps(ctx).ingest().created == REQUESTS
    logins = [f"petugas{i}" for i in range(WORKERS)]
    for login in logins:
        UserOps(ctx).add(
            ADMIN_SETUP_ACTOR, login, "rahasia123", Role.COUNTER, location_code="DINAS"
        )
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        results = pool.starmap(_claim_all, [(db_url, login) for login in logins])

    claimed = [rid for result in results for rid in result]
    assert len(claimed) == REQUESTS and len(set(claimed)) == REQUESTS
    assert sum(1 for r in results if r) >= 2, "the work was really shared"
    with ctx.sessions() as session:
        held = session.scalar(select(func.count()).where(ServiceRequest.status == "in_review"))
        claims = session.scalar(select(func.count()).where(AuditLog.action == "claim"))
    assert held == REQUESTS and claims == REQUESTS
    assert verify_chain(ctx) is None, "concurrent appends keep the audit chain intact"


@pytest.mark.slow
def test_concurrent_ingest_creates_each_request_once(ctx: DeskContext, db_url: str) -> None:
    _submit(ctx, REQUESTS)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        created = pool.map(_ingest, [db_url] * 4)

    assert sum(created) == REQUESTS
    with ctx.sessions() as session:
        requests = session.scalar(select(func.count()).select_from(ServiceRequest))
        linked = session.scalar(
            select(func.count(func.distinct(IncomingRequest.service_request_id)))
        )
        numbers = session.scalar(select(func.count(func.distinct(ServiceRequest.number))))
    assert requests == linked == numbers == REQUESTS
    assert verify_chain(ctx) is None


@pytest.mark.slow
def test_four_workstations_ingesting_rows_of_many_offices_quarantine_nothing(
    ctx: DeskContext, db_url: str
) -> None:
    """Before: batches took several offices' number counters in their rows' order and
    deadlocked on PostgreSQL; the deadlock became the quarantine reason of valid rows
    (144 of 600 in one run)."""
    with ctx.sessions() as session:
        offices = list(session.scalars(select(Location.code).order_by(Location.code)))
    assert len(offices) >= 5
    pick = random.Random(7)
    ops = IntakeOps(ctx)
    start = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    for i in range(MANY_OFFICE_ROWS):
        ops.submit_row(
            make_request(
                fields={"nik": f"3604156107{i % 90 + 10:02d}{i + 1:04d}"},
                channel="web",
                external_ref=f"m{i}",
                received_at=start + dt.timedelta(seconds=i),
                location_code=pick.choice(offices),
            )
        )
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        created = pool.starmap(_ingest, [(db_url, 25)] * 4)

    with ctx.sessions() as session:
        reasons = list(
            session.scalars(
                select(IncomingRequest.ingest_error).where(
                    IncomingRequest.ingest_error.is_not(None)
                )
            )
        )
        requests = session.scalar(select(func.count()).select_from(ServiceRequest))
        numbers = session.scalar(select(func.count(func.distinct(ServiceRequest.number))))
    assert reasons == []
    assert sum(created) == requests == numbers == MANY_OFFICE_ROWS
    assert verify_chain(ctx) is None
