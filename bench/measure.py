"""The desk's own figures: queue pages, search, counts, claims and ingest, through operations/.

Every figure calls the real operation (``QueueOps``, ``IntakeOps``) on a database filled by
``bench.generate``; ``explain`` captures the SQL an operation sends and asks the database for
its plan.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Engine, event, func, insert, select

from bench.timing import Sample, clock, repeat
from disdukcapil_desk.db.models import IncomingRequest, ServiceRequest
from disdukcapil_desk.domain.catalogue import Service as CatalogueService
from disdukcapil_desk.domain.clock import utc_now
from disdukcapil_desk.domain.demo_data import random_person
from disdukcapil_desk.domain.dto import Actor, Cursor, IngestReport, Page, QueueFilter
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.demo import _WEIGHTS, _office_hours, _payload, _spoil
from disdukcapil_desk.operations.intake import BATCH_SIZE as INGEST_BATCH
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import DINAS_CODE

DEEP_PAGES = 50
NAME_COMMON = "hartono"
NAME_RARE = "kartini wijaya"
NAME_NONE = "zulkarnain"
MALFORMED_SHARE = 0.03
SPOILED_SHARE = 0.08
REVISION_SHARE = 0.01
RESEND_SHARE = 0.05
"""Rows sending again what an earlier row sent (a citizen who did not wait for the answer):
each becomes a possible duplicate of the request the earlier row made."""
# Rows a channel might send that cannot become a request (the demo's four kinds).
_MALFORMED = (
    ("kia", '{"nama": "Bagas"', "+6285712345678"),
    ("surat_sakti", '{"nama": "Rudi"}', "+6285712345678"),
    ("akta_kelahiran", '["bukan", "objek"]', "+6281234567890"),
    ("ktpel_perekaman", '{"nama": "Tanpa Kontak"}', ""),
)


@dataclass(frozen=True)
class Actors:
    """Who the figures act as: the dinas counter officer and one UPT's."""

    dinas: Actor
    upt: Actor

    @property
    def upt_code(self) -> str:
        """The location code of the UPT officer."""
        assert self.upt.location_code
        return self.upt.location_code


def page_rows(page: Page) -> int:
    """Return the number of rows of a page."""
    return len(page.rows)


# -- queue -----------------------------------------------------------------------------


def queue_cases(actors: Actors) -> list[tuple[str, str, Actor, QueueFilter]]:
    """Return the queue pages to time: (key, label, actor, filter)."""
    upt = actors.upt_code
    new = frozenset({Status.NEW})
    return [
        ("queue.all", "queue: 1st page, every location", actors.dinas, QueueFilter()),
        (
            "queue.dinas",
            "queue: 1st page, DINAS",
            actors.dinas,
            QueueFilter(location_code=DINAS_CODE),
        ),
        ("queue.upt", f"queue: 1st page, {upt}", actors.upt, QueueFilter(location_code=upt)),
        (
            "queue.dinas.new",
            "queue: 1st page, DINAS, status new",
            actors.dinas,
            QueueFilter(statuses=new, location_code=DINAS_CODE),
        ),
        (
            "queue.upt.new",
            f"queue: 1st page, {upt}, status new",
            actors.upt,
            QueueFilter(statuses=new, location_code=upt),
        ),
        (
            "queue.dinas.overdue",
            "queue: 1st page, DINAS, overdue",
            actors.dinas,
            QueueFilter(location_code=DINAS_CODE, overdue_only=True),
        ),
        (
            "queue.upt.overdue",
            f"queue: 1st page, {upt}, overdue",
            actors.upt,
            QueueFilter(location_code=upt, overdue_only=True),
        ),
    ]


def deep_cursor(queue: QueueOps, actor: Actor, flt: QueueFilter, pages: int) -> Cursor | None:
    """Page ``pages`` pages forward and return the cursor of the next one."""
    cursor: Cursor | None = None
    for _ in range(pages):
        page = queue.page(actor, flt, after=cursor)
        if page.next_cursor is None:
            return cursor
        cursor = page.next_cursor
    return cursor


# -- search and counts --------------------------------------------------------------------


@dataclass(frozen=True)
class SearchTargets:
    """Existing values to search for."""

    nik: str
    number: str
    day_digits: str


def search_targets(ctx: DeskContext, seed: int) -> SearchTargets:
    """Pick an existing request (mid-table) and take its NIK, number and day."""
    with ctx.sessions() as session:
        top = int(session.scalar(select(func.max(ServiceRequest.id))) or 1)
        wanted = random.Random(seed).randint(max(1, top // 3), max(1, top * 2 // 3))
        row = session.execute(
            select(ServiceRequest.nik, ServiceRequest.number)
            .where(ServiceRequest.id >= wanted, ServiceRequest.nik != "")
            .order_by(ServiceRequest.id)
            .limit(1)
        ).one()
    return SearchTargets(row.nik, row.number, row.number.split("/")[1])


def search_cases(targets: SearchTargets) -> list[tuple[str, str, str]]:
    """Return the searches to time: (key, label, text typed)."""
    return [
        ("search.nik", "search: NIK (16 digits)", targets.nik),
        ("search.number", "search: request number (exact)", targets.number),
        ("search.name_common", f"search: name '{NAME_COMMON}' (common)", NAME_COMMON),
        ("search.name_rare", f"search: name '{NAME_RARE}' (rare)", NAME_RARE),
        ("search.name_none", f"search: name '{NAME_NONE}' (no match)", NAME_NONE),
        (
            "search.digits",
            f"search: number fragment '{targets.day_digits}'",
            targets.day_digits,
        ),
    ]


Case = tuple[str, str, Callable[[], Any], Callable[[Any], int]]
"""A timed read: (key, label, the call, how many rows its result holds)."""


def _total(counts: dict[Status, int]) -> int:
    return sum(counts.values())


def read_cases(ctx: DeskContext, actors: Actors, targets: SearchTargets) -> list[Case]:
    """Return every read to time: queue pages (first and deep), searches, counts.

    The deep pages' cursors are found here, once, by paging ``DEEP_PAGES`` pages forward.
    """
    queue = QueueOps(ctx)
    cases: list[Case] = [
        (key, label, partial(queue.page, actor, flt), page_rows)
        for key, label, actor, flt in queue_cases(actors)
    ]
    for key, actor in (("queue.dinas.deep", actors.dinas), ("queue.upt.deep", actors.upt)):
        flt = QueueFilter(location_code=actor.location_code)
        cursor = deep_cursor(queue, actor, flt, DEEP_PAGES)
        label = f"queue: page {DEEP_PAGES + 1} via cursor, {flt.location_code}"
        cases.append((key, label, partial(queue.page, actor, flt, after=cursor), page_rows))
    cases += [
        (key, label, partial(queue.page, actors.dinas, QueueFilter(search=typed)), page_rows)
        for key, label, typed in search_cases(targets)
    ]
    cases += [
        (
            "counts.dinas",
            "counts per status, DINAS",
            partial(queue.counts, actors.dinas, DINAS_CODE),
            _total,
        ),
        (
            "counts.upt",
            f"counts per status, {actors.upt_code}",
            partial(queue.counts, actors.upt),
            _total,
        ),
    ]
    return cases


def read_figures(cases: list[Case], reps: int) -> list[Sample]:
    """Time each read once cold, then ``reps`` times."""
    return [repeat(key, label, call, reps, count) for key, label, call, count in cases]


# -- claims -------------------------------------------------------------------------------


def _claim_then_release(queue: QueueOps, actor: Actor) -> float | None:
    """Claim (timed), then release (untimed); None when nothing was claimable."""
    elapsed, lease = clock(partial(queue.claim_next, actor))
    if lease is None:
        return None
    queue.release(actor, lease.request_id)
    return elapsed


def _claim_and_release(queue: QueueOps, actor: Actor) -> float | None:
    """Claim and release, timed together; None when nothing was claimable."""
    started = time.perf_counter()
    lease = queue.claim_next(actor)
    if lease is None:
        return None
    queue.release(actor, lease.request_id)
    return time.perf_counter() - started


def _series(
    sample: Sample, attempt: Callable[[], float | None], claims: int, budget: float
) -> Sample:
    """Run ``attempt`` up to ``claims`` times, or until ``budget`` seconds have passed."""
    started = time.perf_counter()
    for _ in range(claims):
        elapsed = attempt()
        if elapsed is None:
            sample.note = "queue ran empty"
            break
        sample.times.append(elapsed)
        if time.perf_counter() - started > budget and len(sample.times) < claims:
            sample.note = f"stopped after {len(sample.times)} claims ({budget:.0f} s budget)"
            break
    return sample


def claim_figures(ctx: DeskContext, actors: Actors, claims: int, budget: float) -> list[Sample]:
    """Time ``claim_next`` (the claim released untimed after) and claim + release together.

    Releasing keeps the queue as it was, so every claim meets the same queue. A series stops
    early once it has spent ``budget`` seconds.
    """
    queue = QueueOps(ctx)
    samples = [
        _series(
            Sample(key, f"claim_next, {actor.location_code}"),
            partial(_claim_then_release, queue, actor),
            claims,
            budget,
        )
        for key, actor in (("claim.dinas", actors.dinas), ("claim.upt", actors.upt))
    ]
    cycle = Sample("claim.cycle", "claim_next + release, DINAS")
    samples.append(_series(cycle, partial(_claim_and_release, queue, actors.dinas), claims, budget))
    return samples


# -- ingest -------------------------------------------------------------------------------


def revision_targets(ctx: DeskContext, limit: int) -> list[tuple[str, str, str]]:
    """Return (number, service, contact) of requests waiting for the citizen's correction."""
    with ctx.sessions() as session:
        rows = session.execute(
            select(ServiceRequest.number, ServiceRequest.service_code, ServiceRequest.contact)
            .where(ServiceRequest.status == Status.NEEDS_REVISION.value)
            .order_by(ServiceRequest.received_at.desc())
            .limit(limit)
        ).all()
    return [(r.number, r.service_code, r.contact) for r in rows]


def incoming_rows(
    rng: random.Random,
    reference: ReferenceData,
    count: int,
    tag: str,
    revisions: list[tuple[str, str, str]],
    resend_share: float = RESEND_SHARE,
) -> list[dict[str, Any]]:
    """Return ``count`` intake rows as channels write them (demo payloads, ~3 % malformed).

    About 8 % carry a data problem (a finding, not a rejection), ~1 % answer a request that
    needs revision, ~8 % ask for the dinas, and ``resend_share`` send an earlier row's request
    again (a possible duplicate of it).
    """
    now = utc_now()
    services = list(reference.catalogue)
    weights = [_WEIGHTS.get(s.code, 1) for s in services]
    rows: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []
    for index in range(count):
        received = _office_hours(rng, now - dt.timedelta(days=rng.triangular(0, 2, 0)))
        received = min(received, now)
        row: dict[str, Any] = {
            "channel": rng.choices(["whatsapp", "web", "email", "import"], [70, 20, 5, 5])[0],
            "external_ref": f"bench-{tag}-{index}",
            "received_at": received,
            "location_code": DINAS_CODE if rng.random() < 0.08 else None,
            "reply_to_number": None,
        }
        draw = rng.random()
        if draw < MALFORMED_SHARE:
            code, payload, sender = _MALFORMED[index % len(_MALFORMED)]
            row.update(service_code=code, payload=payload, sender=sender)
        elif draw < MALFORMED_SHARE + REVISION_SHARE and revisions:
            number, code, contact = revisions.pop()
            fix = {"catatan": "sudah diperbaiki"}
            row.update(service_code=code, payload=json.dumps(fix), sender=contact)
            row["reply_to_number"] = number
        elif sent and rng.random() < resend_share:
            row.update(rng.choice(sent))
        else:
            good = _good_payload(rng, reference, services, weights, received)
            sent.append(good)
            row.update(good)
        rows.append(row)
    return rows


def _good_payload(
    rng: random.Random,
    reference: ReferenceData,
    services: list[CatalogueService],
    weights: list[int],
    received: dt.datetime,
) -> dict[str, Any]:
    service = rng.choices(services, weights)[0]
    today = received.date()
    person = random_person(rng, reference.wilayah, today=today, min_age=17, max_age=75)
    payload = _payload(rng, service, person, today, reference.wilayah)
    if rng.random() < SPOILED_SHARE:
        _spoil(rng, payload)
    return {
        "service_code": service.code,
        "payload": json.dumps(payload, ensure_ascii=False),
        "sender": str(payload["no_hp"]),
    }


def insert_incoming(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Write intake rows in bulk (Core executemany) instead of one transaction per row."""
    with engine.begin() as conn:
        for start in range(0, len(rows), 10_000):
            conn.execute(insert(IncomingRequest), rows[start : start + 10_000])


class _Ticks:
    """A progress callback that notes when each batch ended."""

    def __init__(self) -> None:
        self.marks: list[float] = []

    def __call__(self, done: int, total: int) -> None:
        self.marks.append(time.perf_counter())

    def intervals(self) -> list[float]:
        """Return the duration of each batch but the first (which also loads routing data)."""
        return [b - a for a, b in itertools.pairwise(self.marks)]


def ingest_figures(
    ctx: DeskContext,
    rows_per_run: int,
    runs: int,
    seed: int,
    resend_share: float = RESEND_SHARE,
) -> tuple[list[Sample], list[dict[str, Any]]]:
    """Write ``rows_per_run`` intake rows in bulk, then time ``IntakeOps.ingest()``; ``runs`` x.

    Besides each whole run, every batch of ingest (``intake.BATCH_SIZE`` rows, one
    transaction) is timed through the progress callback. Returns the samples (bulk insert,
    ingest, ingest batch) and each run's ingest report.
    """
    rng = random.Random(seed)
    revisions = revision_targets(ctx, max(10, rows_per_run * runs // 50))
    bulk = Sample("intake.bulk", f"intake rows, bulk insert ({rows_per_run:,})", rows=rows_per_run)
    whole = Sample("ingest", f"ingest {rows_per_run:,} rows (whole run)", rows=rows_per_run)
    batch = Sample("ingest.batch", f"ingest, one batch of {INGEST_BATCH} rows", rows=INGEST_BATCH)
    reports = []
    for run in range(runs):
        # A fresh tag each time: a database kept from an earlier run already holds its refs.
        tag = f"{seed}-{run}-{uuid.uuid4().hex[:8]}"
        rows = incoming_rows(rng, ctx.reference, rows_per_run, tag, revisions, resend_share)
        bulk.times.append(clock(partial(insert_incoming, ctx.engine, rows))[0])
        ticks = _Ticks()
        elapsed, report = clock(partial(IntakeOps(ctx).ingest, progress=ticks))
        whole.times.append(elapsed)
        batch.times += ticks.intervals()
        reports.append(_ingest_summary(report, elapsed))
    return [bulk, whole, batch], reports


def _ingest_summary(report: IngestReport, seconds: float) -> dict[str, Any]:
    database_errors = [r for _, r in report.quarantine_reasons if r.startswith("kesalahan")]
    return {
        "seconds": round(seconds, 3),
        "rows": report.rows,
        "created": report.created,
        "resubmissions": report.resubmissions,
        "quarantined": report.quarantined,
        "duplicates_flagged": report.duplicates_flagged,
        "database_or_internal_errors": len(database_errors),
        "first_error": database_errors[0] if database_errors else None,
    }


# -- plans --------------------------------------------------------------------------------


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Collect (statement, parameters) of everything sent to the database meanwhile."""
    seen: list[tuple[str, Any]] = []

    def listener(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def plan(engine: Engine, statement: str, parameters: Any) -> str:
    """Return the database's plan of a statement (PostgreSQL: executed, with buffers)."""
    postgres = engine.dialect.name == "postgresql"
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " if postgres else "EXPLAIN QUERY PLAN "
    )
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, parameters).all()
        conn.rollback()
    if postgres:
        return "\n".join(str(r[0]) for r in rows)
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + str(detail))
    return "\n".join(lines)


def sql_ms(engine: Engine, statement: str, parameters: Any, reps: int) -> float:
    """Return the median time (ms) of the raw statement through the driver, rows fetched."""
    times = []
    with engine.connect() as conn:
        for _ in range(reps):
            times.append(clock(lambda: conn.exec_driver_sql(statement, parameters).all())[0])
            conn.rollback()
    return round(statistics.median(times) * 1000, 3)


def explain(engine: Engine, action: Callable[[], Any], reps: int) -> dict[str, Any]:
    """Run ``action``; return its first query on service_request, the plan and the SQL time."""
    with captured(engine) as seen:
        action()
    for statement, parameters in seen:
        lowered = statement.lower()
        if lowered.lstrip().startswith("select") and "service_request" in lowered:
            return {
                "sql": statement,
                "plan": plan(engine, statement, parameters),
                "sql_ms": sql_ms(engine, statement, parameters, reps),
            }
    return {"sql": "", "plan": "(no query on service_request)", "sql_ms": None}


def explain_all(
    ctx: DeskContext, actors: Actors, cases: list[Case], reps: int
) -> dict[str, dict[str, Any]]:
    """Return, per read and for the claim, the SQL sent, its plan and its bare SQL time."""
    plans = {key: explain(ctx.engine, call, reps) for key, _, call, _ in cases}
    queue = QueueOps(ctx)
    for key, actor in (("claim.dinas", actors.dinas), ("claim.upt", actors.upt)):

        def claim_and_release(a: Actor = actor) -> None:
            lease = queue.claim_next(a)
            if lease is not None:
                queue.release(a, lease.request_id)

        plans[key] = explain(ctx.engine, claim_and_release, reps)
    return plans
