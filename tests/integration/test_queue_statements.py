"""How many statements a queue page and a claim send (on SQLite and PostgreSQL).

Round trips are what a page or a claim waits for on a busy server, so these are behaviour
properties, not timings: a page is its one page query (plus the transaction's own statements),
and a claim picks, updates and audits without reading the request back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select, update

from disdukcapil_desk.db.models import AuditLog, ServiceRequest
from disdukcapil_desk.domain.dto import Actor, QueueFilter
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from tests.integration.test_queue import seed

_TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def statements(ctx: DeskContext) -> Iterator[list[str]]:
    """Collect the SQL of every statement sent inside the block (the transaction's own aside)."""
    sent: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION):
            sent.append(" ".join(statement.split()))

    event.listen(ctx.engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(ctx.engine, "before_cursor_execute", before)


def _one_page(ctx: DeskContext, call: Callable[[], object]) -> list[str]:
    with statements(ctx) as sent:
        call()
    return sent


def test_a_page_is_one_query(ctx: DeskContext, users: dict[str, Actor]) -> None:
    seed(ctx, 3)
    ctx.server_clock = None  # PostgreSQL's own clock: asking it would be a statement
    queue = QueueOps(ctx)
    officer = users["loket.dinas"]
    for flt in (
        QueueFilter(location_code="DINAS"),
        QueueFilter(location_code="DINAS", statuses=frozenset({Status.NEW, Status.IN_REVIEW})),
    ):
        sent = _one_page(ctx, lambda flt=flt: queue.page(officer, flt))
        assert len(sent) == 1, sent  # no separate question for the server's time
        assert "FROM service_request" in sent[0]


def test_a_claim_sends_few_statements_and_reads_nothing_back(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ids = seed(ctx, 3)
    ctx.server_clock = None  # PostgreSQL's own clock, asked once
    queue = QueueOps(ctx)
    with statements(ctx) as sent:
        lease = queue.claim_next(users["loket.dinas"])
    assert lease is not None and lease.request_id == ids[0]
    # one UPDATE that picks the oldest new or lapsed request (on PostgreSQL locked, a
    # colleague's skipped, and the server's time read by it) and RETURNs what the lease and
    # the audit line need (the status and holder before the claim included); on PostgreSQL
    # it also locks a free audit chain's head row (SKIP LOCKED) for the audit line, on SQLite
    # it reads the chain's head row and last entry for it.
    on_requests = [s for s in sent if "service_request" in s]
    assert len(on_requests) == 1, on_requests
    assert sent[0] == on_requests[0], sent
    if ctx.postgresql:  # the server's time read by the claim itself, not asked first
        assert "clock_timestamp()" in on_requests[0]
        assert "FROM audit_head" in on_requests[0] and "SKIP LOCKED" in on_requests[0]
    else:
        assert "FROM audit_head LEFT OUTER JOIN audit_log" in on_requests[0]
    assert not any("payload" in s for s in on_requests), "the request was read back"
    # the audit line: (PostgreSQL) one statement that reads the chain's last entry, inserts
    # the entry and moves the head on; on SQLite the entry, then the head row moved on.
    audit = [s for s in sent if "service_request" not in s]
    assert all("audit_" in s for s in audit), audit
    assert len(audit) == (1 if ctx.postgresql else 2), audit
    # one time for the claim, its lease and its audit line
    with ctx.reading() as session:
        claimed_at = session.scalar(
            select(ServiceRequest.claimed_at).where(ServiceRequest.id == lease.request_id)
        )
        logged_at = session.scalar(select(AuditLog.at).order_by(AuditLog.id.desc()).limit(1))
    assert claimed_at == logged_at and lease.expires_at == claimed_at + ctx.lease


def test_a_renewal_sends_no_audit_line(ctx: DeskContext, users: dict[str, Actor]) -> None:
    ids = seed(ctx, 1)
    queue = QueueOps(ctx)
    officer = users["loket.dinas"]
    first = queue.claim(officer, ids[0])
    with statements(ctx) as sent:
        renewed = queue.renew(officer, ids[0])
    assert renewed.version == first.version + 1 and renewed.expires_at >= first.expires_at
    assert not [s for s in sent if "audit_" in s], sent


_YEARS_OF_STATISTICS = {
    "ix_service_request_lease": "1000000 125000 15625",
    "ix_service_request_queue": "1000000 33334 4202 1 1",
    "ix_service_request_status_received": "1000000 125000 1 1",
    "ix_service_request_location_received": "1000000 33334 1 1",
    "ix_service_request_received": "1000000 1 1",
}
"""``sqlite_stat1`` of the indexes a claim could read, at 1,000,000 requests (most leases
empty); every one of them, or the planner weighs some by the test's few rows."""


def test_sqlite_reads_the_lapsed_leases_of_a_claim_by_the_lease_index(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    """SQLite's planner would walk every request in review at the office in date order (each
    claim, inside the write lock); the claim names the lease index for that range."""
    if ctx.postgresql:
        return  # PostgreSQL's plan: test_queue_pages.py, on a skewed table
    ids = seed(ctx, 40)
    holder = users["loket2.dinas"].user_id
    with ctx.unit_of_work() as session:  # colleagues hold most of them, one lease lapsed
        session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id.in_(ids[2:]))
            .values(
                status=Status.IN_REVIEW.value,
                claimed_by=holder,
                lease_expires_at=ctx.clock() + ctx.lease,
            )
        )
    with ctx.engine.begin() as conn:  # the statistics of an office's years (1M requests)
        conn.exec_driver_sql("ANALYZE")
        for index, stat in _YEARS_OF_STATISTICS.items():
            conn.exec_driver_sql("UPDATE sqlite_stat1 SET stat = ? WHERE idx = ?", (stat, index))
        conn.exec_driver_sql("ANALYZE sqlite_schema")  # read them again
    sent: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        if "range_1" in statement:
            sent.append((statement, params))

    event.listen(ctx.engine, "before_cursor_execute", grab)
    try:
        QueueOps(ctx).claim_next(users["loket.dinas"])
    finally:
        event.remove(ctx.engine, "before_cursor_execute", grab)
    [(claim, params)] = sent
    with ctx.engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + claim, params)]
    lapsed = [step for step in plan if "ix_service_request_lease" in step]
    assert lapsed and all("lease_expires_at<" in step for step in lapsed), plan
    assert sum("ix_service_request_queue" in step for step in plan) == 1, plan  # the new ones
