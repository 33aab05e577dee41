"""The recap's aggregate queries: how they read the database, and the finishes they must reach.

The figures themselves are checked against a recount in ``test_recaps.py``; here: the figure
query reads the period's range once with a constant-time working-day lookup per row (no table
of days scanned for every request), PostgreSQL runs the recap without JIT compilation (seconds
at a year's rows), and a request that finished after the recap's "today" still gets its
working days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, update

from disdukcapil_desk.db.models import ServiceRequest
from disdukcapil_desk.db.repositories import recap as repo
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.recap import Period, workday_index
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps
from disdukcapil_desk.operations.recaps import Recaps

FIRST, LAST = dt.date(2026, 10, 19), dt.date(2026, 11, 2)  # the fake clock's office day is LAST
SR = ServiceRequest


@pytest.fixture
def seeded(ctx: DeskContext) -> DeskContext:
    DemoOps(ctx).generate(45, seed=11, days=25)
    return ctx


def _statements(ctx: DeskContext) -> tuple[list[tuple[str, Any]], Any]:
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(ctx.engine, "before_cursor_execute", capture)
    return seen, lambda: event.remove(ctx.engine, "before_cursor_execute", capture)


def test_figure_query_reads_the_period_once_without_scanning_a_calendar(
    seeded: DeskContext,
) -> None:
    if seeded.postgresql:
        pytest.skip("SQLite's plan: PostgreSQL hashes any join")
    scope = repo.RecapScope(Period(FIRST, LAST), None, False)
    table = repo.WorkdayTable.of(workday_index(seeded.reference.calendar, FIRST, LAST))
    seen, stop = _statements(seeded)
    with seeded.reading() as session:
        repo.figure_groups(session, scope, table)
        stop()
        statement, params = seen[-1]
        cursor = session.connection().connection.driver_connection.cursor()
        plan = [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + statement, params)]
    reads = [step for step in plan if step.startswith(("SCAN", "SEARCH"))]
    assert [r for r in reads if r.startswith("SCAN") and "per_request" not in r] == [], plan
    assert any("service_request" in r and "received_at>" in r for r in reads), plan
    assert all("service_request" in r or "audit_log" in r or "per_request" in r for r in reads)


def test_postgresql_recap_runs_without_jit_nor_bitmap_scans(seeded: DeskContext, users) -> None:
    if not seeded.postgresql:
        pytest.skip("a PostgreSQL setting")
    seen, stop = _statements(seeded)
    try:
        Recaps(seeded).recap_data(users["kasi.dinas"], FIRST, LAST, None)
    finally:
        stop()
    texts = [s for s, _ in seen]
    settings = [i for i, s in enumerate(texts) if s.startswith("SET LOCAL jit = off")]
    figures = [i for i, s in enumerate(texts) if "GROUP BY" in s]
    assert settings and figures and settings[0] < figures[0]
    # The officers' join by number: no bitmap probe of the number's trigram index (which
    # serves equality too, and which the planner can cost below the unique index: minutes
    # for a year on a million requests), in the same transaction.
    no_bitmaps = [i for i, s in enumerate(texts) if s.startswith("SET LOCAL enable_bitmapscan")]
    officers = [i for i, s in enumerate(texts) if "JOIN audit_log" in s]
    assert no_bitmaps and officers and no_bitmaps[0] < officers[0]
    assert "= off" in texts[no_bitmaps[0]]


def test_a_finish_after_today_still_counts_its_working_days(seeded: DeskContext, users) -> None:
    """The workday table reaches today; a later finish (a clock set back, an import) makes the
    recap read again with a longer one instead of dropping that request's days.
    """
    ctx = seeded
    start = dt.datetime.combine(FIRST, dt.time(), WIB)
    later = dt.datetime.combine(LAST + dt.timedelta(days=40), dt.time(10), WIB)
    with ctx.unit_of_work() as s:
        number, received, service = s.execute(
            SR.__table__.select()
            .with_only_columns(SR.number, SR.received_at, SR.service_code)
            .where(
                SR.status.in_(("done", "sent", "collected")),
                SR.received_at >= start,
                SR.received_at < dt.datetime.combine(LAST + dt.timedelta(days=1), dt.time(), WIB),
            )
            .order_by(SR.id)
            .limit(1)
        ).one()
        s.execute(update(SR).where(SR.number == number).values(closed_at=later))
    data = Recaps(ctx).recap_data(users["kasi.dinas"], FIRST, LAST, None)
    before = ctx.reference.calendar.working_days_between(
        received.astimezone(WIB).date(), later.date()
    )
    assert before > 20
    by_service = {r.code: r.figures for r in data.services.rows}
    figures = by_service[service]
    assert figures.timed == figures.completed  # the late finish is not dropped
    assert figures.working_days >= before
