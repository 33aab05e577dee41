"""Queue pages read one status at a time: the same rows in the same order as a recount, and on
a skewed PostgreSQL table (years of closed requests, a thin open tail) each status is one
bounded index range whatever the planner estimates.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import Engine

from disdukcapil_desk.db import search_index
from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import Location, Service, ServiceRequest
from disdukcapil_desk.domain.clock import utc_now
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor, Cursor, QueueFilter
from disdukcapil_desk.domain.workflow import OFFICE_PENDING, Status
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.queue import QueueOps

T0 = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


def _codes(ctx: DeskContext) -> tuple[list[str], list[str]]:
    with ctx.reading() as session:
        locations = list(session.scalars(select(Location.code).order_by(Location.code)))
        services = list(session.scalars(select(Service.code).order_by(Service.code)))
    return locations, services


def _row(i: int, received: dt.datetime, status: str, location: str, service: str) -> dict[str, Any]:
    return {
        "number": f"T/{i:07d}",
        "service_code": service,
        "location_code": location,
        "channel": "whatsapp",
        "received_at": received,
        "contact": "+628123",
        "nik": "3604150311500001",
        "no_kk": "3604150311500002",
        "applicant_name": f"Pemohon {i}",
        "subject_nik": "3604150311500001",
        "subject_name": f"Pemohon {i}",
        "sex": "L",
        "kode_desa": "3604150001",
        "kecamatan_code": "360415",
        "payload": json.dumps({}),
        "status": status,
        "version": 1,
        "sla_due": (received + dt.timedelta(days=random.Random(i).randint(-40, 40))).date(),
        "resubmission_count": 0,
        "created_at": received,
        "updated_at": received,
        "updated_by": "test",
    }


def _walk(ops: QueueOps, flt: QueueFilter, limit: int) -> list[int]:
    ids: list[int] = []
    after: Cursor | None = None
    while True:
        page = ops.page(SYSTEM_ACTOR, flt, after, limit=limit)
        ids += [row.id for row in page.rows]
        if page.next_cursor is None:
            return ids
        after = page.next_cursor


def test_pages_of_any_status_filter_are_the_recount_in_order(ctx: DeskContext) -> None:
    """Several statuses merged page by page: no row twice, none missed, ties broken by id."""
    rng = random.Random(7)
    locations, services = _codes(ctx)
    rows = [
        _row(
            i,
            # many requests share a second: the page boundary falls inside a tie
            T0 + dt.timedelta(minutes=rng.randint(0, 200)),
            rng.choice(list(Status)).value,
            rng.choice(locations[:3]),
            rng.choice(services[:4]),
        )
        for i in range(600)
    ]
    with ctx.unit_of_work() as session:
        session.execute(insert(ServiceRequest), rows)
    with ctx.reading() as session:
        stored = session.execute(
            select(
                ServiceRequest.id,
                ServiceRequest.received_at,
                ServiceRequest.status,
                ServiceRequest.location_code,
                ServiceRequest.sla_due,
            )
        ).all()
    today = ctx.clock().date()
    ops = QueueOps(ctx)
    filters = [
        QueueFilter(),
        QueueFilter(statuses=frozenset({Status.NEW})),
        QueueFilter(statuses=frozenset(OFFICE_PENDING)),
        QueueFilter(statuses=frozenset(OFFICE_PENDING), location_code=locations[1]),
        QueueFilter(statuses=frozenset({Status.DONE, Status.NEW}), location_code=locations[0]),
        QueueFilter(overdue_only=True),
        QueueFilter(overdue_only=True, statuses=frozenset({Status.NEW, Status.DONE})),
    ]
    for flt in filters:
        wanted = {s.value for s in flt.statuses} or {s.value for s in Status}
        if flt.overdue_only:
            wanted &= {s.value for s in OFFICE_PENDING}
        expected = [
            r.id
            for r in sorted(stored, key=lambda r: (r.received_at, r.id))
            if r.status in wanted
            and (not flt.location_code or r.location_code == flt.location_code)
            and (not flt.overdue_only or r.sla_due < today)
        ]
        assert expected, flt
        assert _walk(ops, flt, limit=13) == expected, flt


# -- PostgreSQL: the plan on a skewed table -------------------------------------------------

SKEWED_ROWS = 150_000
OPEN_TAIL = 400


@pytest.fixture
def skewed(ctx: DeskContext, db_kind: str) -> DeskContext:
    """Years of done requests and a thin open tail at the end, analysed as a live server is."""
    if db_kind != "postgresql":
        pytest.skip("the planner under test is PostgreSQL's")
    locations, services = _codes(ctx)
    open_statuses = sorted(s.value for s in OFFICE_PENDING)
    with ctx.unit_of_work() as session:
        session.execute(
            text(
                """
                INSERT INTO service_request (number, service_code, location_code, channel,
                    received_at, contact, nik, no_kk, applicant_name, subject_nik, subject_name,
                    sex, kode_desa, kecamatan_code, payload, status, version, sla_due,
                    resubmission_count, created_at, updated_at, updated_by)
                SELECT 'S/' || g, s.v[1 + g % cardinality(s.v)], l.v[1 + g % cardinality(l.v)],
                    'whatsapp', t.v + g * interval '2 minutes', '+628123', '3604150311500001',
                    '3604150311500002', 'Pemohon ' || g, '3604150311500001', 'Pemohon ' || g,
                    'L', '3604150001', '360415', '{}',
                    CASE WHEN g > n.v - CAST(:tail AS int) THEN o.v[1 + g % cardinality(o.v)]
                         ELSE 'done' END,
                    1, (t.v + g * interval '2 minutes')::date + 10, 0, t.v, t.v, 'test'
                FROM (SELECT CAST(:services AS text[]) AS v) AS s,
                     (SELECT CAST(:locations AS text[]) AS v) AS l,
                     (SELECT CAST(:open AS text[]) AS v) AS o,
                     (SELECT CAST(:t0 AS timestamptz) AS v) AS t,
                     (SELECT CAST(:n AS int) AS v) AS n,
                     generate_series(1, CAST(:n AS int)) AS g
                """
            ),
            {
                "services": services,
                "locations": locations,
                "open": open_statuses,
                "t0": T0 - dt.timedelta(days=800),
                "n": SKEWED_ROWS,
                "tail": OPEN_TAIL,
            },
        )
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE service_request")
    return ctx


def _explained(engine: Engine, run: Any) -> Iterator[dict[str, Any]]:
    """Run ``run`` and yield the executed plan (JSON) of each queue page statement it sent."""
    sent: list[tuple[str, Any]] = []

    def grab(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if "FROM service_request" in statement and "LIMIT" in statement:
            sent.append((statement, params))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert sent, "the page sent no statement"
    for statement, params in sent:
        with engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
            yield cursor.fetchone()[0][0]["Plan"]


def _scans(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if plan.get("Relation Name") == "service_request":
        yield plan
    for child in plan.get("Plans", ()):
        yield from _scans(child)


SKEWED_FILTERS = {
    "new everywhere": QueueFilter(statuses=frozenset({Status.NEW})),
    "open everywhere": QueueFilter(statuses=frozenset(OFFICE_PENDING)),
    "overdue everywhere": QueueFilter(overdue_only=True),
    "new at the dinas": QueueFilter(statuses=frozenset({Status.NEW}), location_code="DINAS"),
}


def test_an_open_status_page_reads_its_index_range_not_the_years_before(
    skewed: DeskContext,
) -> None:
    """Before, "Baru" over every location walked the date index through the done requests
    (1.4 s at a million); now each status is a range of at most one page in date order.
    """
    ops = QueueOps(skewed)
    limit = 10  # the open tail holds ~80 requests a status: a page is a part of it
    for name, flt in SKEWED_FILTERS.items():
        plans = list(
            _explained(skewed.engine, lambda f=flt: ops.page(SYSTEM_ACTOR, f, limit=limit))
        )
        for plan in plans:
            scans = list(_scans(plan))
            assert all(scan["Node Type"] != "Seq Scan" for scan in scans), (name, scans)
            ranges = [s for s in scans if s.get("Index Name") != "pk_service_request"]
            indexes = {s.get("Index Name") for s in ranges}
            assert ranges and indexes <= {
                "ix_service_request_status_received",
                "ix_service_request_queue",
            }, (name, indexes)
            read = sum(
                s["Actual Rows"] * s["Actual Loops"] + s.get("Rows Removed by Filter", 0)
                for s in ranges
            )
            statuses = len(flt.statuses or OFFICE_PENDING)
            assert read <= 3 * (limit + 1) * statuses, (name, read)


# -- name search: the same rows as a recount, and the trigram index on a skewed table ---------

FIRST = ("Siti", "Budi", "Kartini", "Agus", "Dewi", "Rahmat")
LAST = ("Wijaya", "Hartono", "Santoso", "Nasution", "Kusuma", "Qurniawati")


def _named(i: int, rng: random.Random, locations: list[str], services: list[str]) -> dict[str, Any]:
    row = _row(
        i,
        T0 + dt.timedelta(minutes=rng.randint(0, 300)),
        rng.choice(list(Status)).value,
        rng.choice(locations[:3]),
        rng.choice(services[:4]),
    )
    applicant = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    subject = applicant if rng.random() < 0.6 else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return dict(row, applicant_name=applicant, subject_name=subject)


@pytest.mark.parametrize("common_above", [search_index.COMMON_MATCHES, 5])
def test_a_name_search_pages_the_recount_in_order(
    ctx: DeskContext, monkeypatch: pytest.MonkeyPatch, common_above: int
) -> None:
    """Through the index (few matches) or walking the queue (many): every request whose
    applicant or subject contains the fragment, each once, in queue order, with the filters."""
    monkeypatch.setattr(search_index, "COMMON_MATCHES", common_above)
    monkeypatch.setattr(search_index, "PG_COMMON_MATCHES", min(common_above, 2000))
    rng = random.Random(11)
    locations, services = _codes(ctx)
    rows = [_named(i, rng, locations, services) for i in range(500)]
    rows[123] = dict(rows[123], applicant_name="Zakiyah Qurniawati", subject_name="Zakiyah Q")
    with ctx.unit_of_work() as session:
        session.execute(insert(ServiceRequest), rows)
    with ctx.reading() as session:
        stored = session.execute(
            select(
                ServiceRequest.id,
                ServiceRequest.received_at,
                ServiceRequest.status,
                ServiceRequest.location_code,
                ServiceRequest.applicant_name,
                ServiceRequest.subject_name,
            ).order_by(ServiceRequest.received_at, ServiceRequest.id)
        ).all()
    ops = QueueOps(ctx)
    for fragment in ("zakiyah", "KARTINI WIJ", "wijaya", "i", "ti s", "nobody here", "100%"):
        for flt in (
            QueueFilter(search=fragment),
            QueueFilter(search=fragment, statuses=frozenset(OFFICE_PENDING)),
            QueueFilter(search=fragment, location_code=locations[1]),
        ):
            wanted = {s.value for s in flt.statuses} or {s.value for s in Status}
            needle = fragment.lower()
            expected = [
                r.id
                for r in stored
                if (needle in r.applicant_name.lower() or needle in r.subject_name.lower())
                and r.status in wanted
                and (not flt.location_code or r.location_code == flt.location_code)
            ]
            assert _walk(ops, flt, limit=17) == expected, flt


RARE = "Kartini Wijaya"
RARE_ROWS = 1_500
"""1 % of the table, all among the newest: the statistics know the name (1 %), so the planner
expects to meet one every hundred rows of the date index; it meets the first after 148,500."""


@pytest.fixture
def recent_names(skewed: DeskContext) -> DeskContext:
    """One name among the newest requests only (applicants and subjects): a walk of the date
    index in queue order reads nearly the whole table before it meets the first.
    """
    with skewed.unit_of_work() as session:
        session.execute(
            text(
                """
                UPDATE service_request SET
                    applicant_name = CASE WHEN id % 2 = 0 THEN :name ELSE applicant_name END,
                    subject_name = CASE WHEN id % 2 = 1 THEN :name ELSE subject_name END
                WHERE id IN (SELECT id FROM service_request
                             ORDER BY received_at DESC, id DESC LIMIT :n)
                """
            ),
            {"name": RARE, "n": RARE_ROWS},
        )
    with skewed.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE service_request")
    return skewed


def _replayed(engine: Engine, run: Any) -> list[dict[str, Any]]:
    """Run ``run``, then replay every statement it sent in order on one connection in one
    transaction (so settings it made hold as they did), with the executed plan (JSON) of each
    that reads ``service_request``.
    """
    sent: list[tuple[str, Any]] = []

    def grab(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        sent.append((statement, params))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    plans = []
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for statement, params in sent:
            if "FROM service_request" in statement:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
                plans.append(cursor.fetchone()[0][0]["Plan"])
            else:
                cursor.execute(statement, params)
        conn.rollback()
    assert plans, "the search read nothing"
    return plans


def _read(plan: dict[str, Any]) -> int:
    """Rows a scan of ``service_request`` produced or threw away."""
    return int(
        plan["Actual Rows"] * plan["Actual Loops"]
        + plan.get("Rows Removed by Filter", 0)
        + plan.get("Rows Removed by Index Recheck", 0)
    )


def _all_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _all_nodes(child)


def test_a_recent_name_is_found_through_the_trigram_index_not_the_date_index(
    recent_names: DeskContext,
) -> None:
    """Before, the planner walked ``ix_service_request_received`` in queue order and filtered
    every name: 148,500 requests read for the first page; now the trigram GIN indexes give the
    matching ids first and the page fetches only those.
    """
    ops = QueueOps(recent_names)
    flt = QueueFilter(search=RARE.lower())
    with recent_names.reading() as session:
        expected = session.scalars(
            select(ServiceRequest.id)
            .where((ServiceRequest.applicant_name == RARE) | (ServiceRequest.subject_name == RARE))
            .order_by(ServiceRequest.received_at, ServiceRequest.id)
            .limit(10)
        ).all()
    assert [r.id for r in ops.page(SYSTEM_ACTOR, flt, limit=10).rows] == expected
    plans = _replayed(recent_names.engine, lambda: ops.page(SYSTEM_ACTOR, flt, limit=10))
    nodes = [node for plan in plans for node in _all_nodes(plan)]
    used = {node.get("Index Name") for node in nodes if node["Node Type"] == "Bitmap Index Scan"}
    assert {"ix_service_request_name_trgm", "ix_service_request_subject_trgm"} <= used, used
    scans = [scan for plan in plans for scan in _scans(plan)]
    assert all(scan["Node Type"] != "Seq Scan" for scan in scans), scans
    assert all(scan.get("Index Name") != "ix_service_request_received" for scan in scans), scans
    read = sum(_read(scan) for scan in scans)
    assert read <= 3 * RARE_ROWS, read


HELD = 3_000
"""Requests in review at one office with live leases (workstations holding them)."""


def test_a_claim_reads_the_lapsed_leases_not_every_request_held_at_the_office(
    skewed: DeskContext, db_url: str, reference: ReferenceData, users: dict[str, Actor]
) -> None:
    """Before, the lapsed-lease range of a claim walked every request in review at the office
    in date order and tested its lease (3,000 read for each claim, inside the claim); now the
    server's ``now()`` lets the planner read the few lapsed leases by the lease index.
    """
    holder = users["loket.dinas"].user_id
    with skewed.unit_of_work() as session:
        session.execute(
            text(
                """
                UPDATE service_request SET location_code = 'DINAS', status = 'in_review',
                    claimed_by = :holder, claimed_at = now(),
                    lease_expires_at = now() + CASE WHEN id % 1000 = 0
                        THEN interval '-1 minute' ELSE interval '10 minutes' END
                WHERE id IN (SELECT id FROM service_request WHERE status = 'done'
                             ORDER BY id DESC LIMIT :n)
                """
            ),
            {"holder": holder, "n": HELD},
        )
    with skewed.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE service_request")
    server_clock = DeskContext(make_engine(db_url), reference, clock=utc_now)
    try:
        queue = QueueOps(server_clock)
        plans = list(
            _explained(
                server_clock.engine, lambda: queue.claim_next(users["loket2.dinas"], "DINAS")
            )
        )
    finally:
        server_clock.close()
    scans = [scan for plan in plans for scan in _scans(plan)]
    assert any(scan.get("Index Name") == "ix_service_request_lease" for scan in scans), scans
    read = sum(_read(scan) for scan in scans)
    assert read <= 100, read
