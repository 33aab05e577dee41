"""Office-scale synthetic data: years of requests of a whole regency, written in bulk.

``generate(url, n_requests, seed)`` fills a database prepared by ``SetupOps.init`` (schema,
catalogue, locations) with ``n_requests`` ``service_request`` rows as the desk would have left
them after years of work:

- arrivals spread over ``years`` (default 4) up to now, growing over time, mostly on working
  days and in office hours (WIB), sorted so that ids follow arrival as they do after ingest;
- services weighted like the demo (``operations.demo._WEIGHTS``), routed by the real
  ``domain.routing.route`` (a few citizens ask for the dinas; otherwise the UPT of their
  kecamatan when UPTs serve the service, else the dinas);
- applicants drawn from a pool of synthetic residents (``domain.demo_data.random_person``, valid
  NIKs), so that one person has several requests over the years, as in real life;
- statuses by age: almost all closed (done, rejected, cancelled) after a few weeks, a realistic
  open tail (new, in review, needs revision, approved, issued) in the last two weeks and a few
  abandoned revisions older than that; issued and done requests carry ``issued_at`` (their last
  change, which the recap reads as the issue);
- numbers ``LOC/YYYYMMDD/NNNN`` from a per-(location, office day) sequence computed here, and
  the ``number_counter`` rows set to the last number used, so that later ingest continues
  the sequences without a collision (running it again on the same database appends);
- ``sla_due`` from the holiday calendar and the SLA of each service in the database.

Only ``service_request`` (and ``number_counter``, and one bench officer per location in
``app_user``) is written: no audit entries, findings, checklists or attachments for the
history. Rows go in with SQLAlchemy Core ``insert(ServiceRequest)`` executemany batches, or on
PostgreSQL with ``COPY`` through psycopg (``method="copy"``, the default there).

Command line: ``python -m bench.generate --db URL --requests N --seed S``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import multiprocessing
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from disdukcapil_desk.db.engine import is_postgresql, make_engine
from disdukcapil_desk.db.models import (
    AppUser,
    Location,
    LocationKecamatan,
    NumberCounter,
    Service,
    ServiceRequest,
)
from disdukcapil_desk.domain.catalogue import Service as CatalogueService
from disdukcapil_desk.domain.clock import WIB, utc_now
from disdukcapil_desk.domain.demo_data import (
    Person,
    make_no_kk,
    random_person,
)
from disdukcapil_desk.domain.numbering import REQUEST_COUNTER, request_number, request_period
from disdukcapil_desk.domain.routing import Office, route
from disdukcapil_desk.domain.sla import HolidayCalendar
from disdukcapil_desk.domain.workflow import Role, Status
from disdukcapil_desk.operations.context import DeskContext, ReferenceData, load_reference_data
from disdukcapil_desk.operations.demo import _WEIGHTS, _payload, applicant_payload
from disdukcapil_desk.operations.setup import ADMIN_SETUP_ACTOR, DINAS_CODE, SetupOps
from disdukcapil_desk.operations.users import UserOps

BATCH_SIZE = 10_000
BENCH_PASSWORD = "bench12345"
OPERATOR_LOGIN = "bench.operator"
CHANNELS = ("whatsapp", "web", "email", "import")
CHANNEL_CUM_WEIGHTS = (70, 90, 95, 100)
PHONE_PREFIXES = ("0812", "0813", "0821", "0852", "0857", "0877", "0878", "0895", "0896")
WISH_DINAS = 0.08
"""Share of citizens who ask for the dinas itself (routing honours it when the dinas serves)."""
RESIDENTS_PER_REQUEST = 0.4
"""Pool of residents relative to the requests: one applicant has ~2.5 requests in the period."""
PAYLOAD_VARIANTS = 12
"""Service-specific payload parts kept per (service, month); the personal part is per row."""

_DAY = 86_400
# Status weights by age of the request in days (upper bound of the band, weights).
_AGE_BANDS: tuple[tuple[float, dict[Status, float]], ...] = (
    (
        2,
        {
            Status.NEW: 45,
            Status.IN_REVIEW: 4,
            Status.NEEDS_REVISION: 10,
            Status.APPROVED: 12,
            Status.REJECTED: 5,
            Status.ISSUED: 10,
            Status.DONE: 14,
        },
    ),
    (
        14,
        {
            Status.NEW: 6,
            Status.NEEDS_REVISION: 12,
            Status.APPROVED: 5,
            Status.REJECTED: 8,
            Status.ISSUED: 15,
            Status.DONE: 50,
            Status.CANCELLED: 4,
        },
    ),
    (
        60,
        {
            Status.NEEDS_REVISION: 3,
            Status.REJECTED: 10,
            Status.ISSUED: 2,
            Status.DONE: 80,
            Status.CANCELLED: 5,
        },
    ),
    (
        float("inf"),
        {Status.NEEDS_REVISION: 0.3, Status.REJECTED: 9, Status.DONE: 85.7, Status.CANCELLED: 5},
    ),
)
_VERSIONS = {
    Status.NEW: 1,
    Status.IN_REVIEW: 2,
    Status.NEEDS_REVISION: 3,
    Status.APPROVED: 3,
    Status.REJECTED: 3,
    Status.ISSUED: 4,
    Status.DONE: 5,
    Status.CANCELLED: 2,
}
_REVISION_MESSAGE = "Mohon kirim ulang foto KK yang jelas dan terbaca seluruhnya."


@dataclass(frozen=True)
class GenerateReport:
    """What ``generate`` wrote and how long it took."""

    rows: int
    seconds: float
    method: str
    first_received: dt.datetime | None
    last_received: dt.datetime | None
    statuses: dict[str, int]
    locations: dict[str, int]
    counters: int

    @property
    def rows_per_second(self) -> float:
        """Rows written per second (wall clock, data generation included)."""
        return self.rows / self.seconds if self.seconds else 0.0

    def describe(self) -> str:
        """Return a short human summary."""
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{self.rows} requests in {self.seconds:.1f} s ({self.rows_per_second:,.0f} rows/s, "
            f"{self.method}); {self.first_received:%Y-%m-%d} .. {self.last_received:%Y-%m-%d}; "
            f"{len(self.locations)} locations; {self.counters} counters\n  {statuses}"
        )


@dataclass(frozen=True, slots=True)
class Resident:
    """A synthetic person with the contact details they give every time they apply."""

    person: Person
    no_kk: str
    phone: str
    payload_head: str
    """The JSON of the applicant's part of every form, without its closing brace."""


def make_resident(rng: random.Random, person: Person, today: dt.date) -> Resident:
    """Give ``person`` a family card, an address and a phone number."""
    issued = today - dt.timedelta(days=rng.randint(30, 4000))
    no_kk = make_no_kk(person.kecamatan_code, issued, rng.randint(1, 9999))
    phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**8):08d}"
    base = applicant_payload(rng, person, no_kk, phone)
    return Resident(person, no_kk, phone, json.dumps(base, ensure_ascii=False)[:-1])


def make_residents(
    rng: random.Random, reference: ReferenceData, count: int, today: dt.date
) -> list[Resident]:
    """Return ``count`` synthetic adult residents of the regency with valid NIKs."""
    wilayah = reference.wilayah
    return [
        make_resident(rng, random_person(rng, wilayah, today=today, min_age=17, max_age=75), today)
        for _ in range(count)
    ]


def day_weights(first: dt.date, days: int, calendar: HolidayCalendar) -> list[float]:
    """Return the relative number of arrivals of each office day (growth, weekends, holidays)."""
    weights = []
    for index in range(days):
        day = first + dt.timedelta(days=index)
        trend = 0.6 + 0.8 * index / max(1, days - 1)
        if day.weekday() == 5:
            factor = 0.3
        elif day.weekday() == 6:
            factor = 0.2
        else:
            factor = 0.3 if day in calendar.holidays else 1.0
        weights.append(trend * factor)
    return weights


def arrival_times(
    rng: random.Random, n: int, now: dt.datetime, years: float, calendar: HolidayCalendar
) -> list[int]:
    """Return ``n`` sorted arrival instants (POSIX seconds) over ``years`` up to ``now``.

    85 % arrive in office hours (07:00-16:00 WIB); the rest at any hour (WhatsApp, web).
    """
    last_day = now.astimezone(WIB).date()
    days = max(1, round(365.25 * years))
    first = last_day - dt.timedelta(days=days - 1)
    cumulative = list(itertools.accumulate(day_weights(first, days, calendar)))
    base = int(dt.datetime.combine(first, dt.time(), WIB).timestamp())
    limit = int(now.timestamp())
    times = []
    for day in rng.choices(range(days), cum_weights=cumulative, k=n):
        office_hours = rng.random() < 0.85
        second = rng.randrange(7 * 3600, 16 * 3600) if office_hours else rng.randrange(_DAY)
        moment = base + day * _DAY + second
        times.append(moment if moment <= limit else limit - rng.randrange(60, 4 * 3600))
    times.sort()
    return times


class Numbering:
    """Request numbers per (location, office day), continuing the database's counters."""

    def __init__(self, existing: dict[tuple[str, str], tuple[int, int]]) -> None:
        """Start from the existing counters: (scope, period) -> (last_value, opening_offset)."""
        self._existing = existing
        self._used: Counter[tuple[str, str]] = Counter()
        self._periods: dict[dt.date, str] = {}

    def next(self, location: str, day: dt.date) -> str:
        """Return the next number of ``location`` on ``day``."""
        period = self._periods.get(day)
        if period is None:
            period = self._periods[day] = request_period(day)
        key = (location, period)
        self._used[key] += 1
        last, offset = self._existing.get(key, (0, 0))
        return request_number(location, day, last + offset + self._used[key])

    def counter_rows(self) -> list[dict[str, object]]:
        """Return the ``number_counter`` rows as they must be after the numbers handed out."""
        rows = []
        for (scope, period), used in self._used.items():
            last, offset = self._existing.get((scope, period), (0, 0))
            rows.append(
                {
                    "kind": REQUEST_COUNTER,
                    "scope": scope,
                    "period": period,
                    "last_value": last + used,
                    "opening_offset": offset,
                }
            )
        return rows


@dataclass
class World:
    """What the rows are made of: reference data, routing, SLAs, officers, residents."""

    reference: ReferenceData
    offices: tuple[Office, ...]
    coverage: dict[str, str]
    sla_days: dict[str, int]
    officers: dict[str, tuple[int, str]]
    """location code -> (user id, login) of the bench officer working there."""
    residents: list[Resident]
    services: list[CatalogueService]
    weights: list[int]
    _routes: dict[tuple[str, bool, str], str] = field(default_factory=dict)
    _due: dict[tuple[dt.date, int], dt.date] = field(default_factory=dict)
    _extras: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def location(self, service: CatalogueService, wish_dinas: bool, kecamatan: str) -> str:
        """Return the office that handles the request (cached ``domain.routing.route``)."""
        key = (service.code, wish_dinas, kecamatan)
        if key not in self._routes:
            wished = DINAS_CODE if wish_dinas else None
            self._routes[key] = route(service, wished, kecamatan, self.offices, self.coverage)
        return self._routes[key]

    def due(self, day: dt.date, service_code: str) -> dt.date:
        """Return the SLA due date of a request received on ``day`` (cached)."""
        days = self.sla_days[service_code]
        key = (day, days)
        if key not in self._due:
            self._due[key] = self.reference.calendar.add_working_days(day, days)
        return self._due[key]

    def extras(self, rng: random.Random, service: CatalogueService, day: dt.date) -> str:
        """Return the service-specific part of a form as a JSON fragment ``, "k": v…``.

        A few variants per (service, month), made by the demo's ``_payload`` as of the first of
        the month (event dates before the request); the applicant's keys are left out.
        """
        key = (service.code, day.year * 12 + day.month)
        variants = self._extras.get(key)
        if variants is None:
            variants = [
                self._extra(rng, service, day.replace(day=1)) for _ in range(PAYLOAD_VARIANTS)
            ]
            self._extras[key] = variants
        return rng.choice(variants)

    def _extra(self, rng: random.Random, service: CatalogueService, as_of: dt.date) -> str:
        person = rng.choice(self.residents).person
        full = _payload(rng, service, person, as_of, self.reference.wilayah)
        applicant = {f.name for f in self.reference.catalogue.common_fields}
        own = {k: v for k, v in full.items() if k not in applicant}
        return ", " + json.dumps(own, ensure_ascii=False)[1:-1] if own else ""


_BANDS = tuple(
    (bound, tuple(weights), tuple(itertools.accumulate(weights.values())))
    for bound, weights in _AGE_BANDS
)


def status_for_age(rng: random.Random, age_days: float) -> Status:
    """Return a plausible status of a request received ``age_days`` ago."""
    for bound, statuses, cumulative in _BANDS:
        if age_days <= bound:
            return rng.choices(statuses, cum_weights=cumulative)[0]
    raise AssertionError("the last band is unbounded")


def lifecycle(
    rng: random.Random,
    status: Status,
    received: dt.datetime,
    now: dt.datetime,
    officer: tuple[int, str],
) -> dict[str, Any]:
    """Return the workflow columns of a request that reached ``status`` by ``now``."""
    created = min(received + dt.timedelta(seconds=rng.randint(5, 1800)), now)
    fields: dict[str, Any] = {
        "version": _VERSIONS[status],
        "claimed_by": None,
        "claimed_at": None,
        "lease_expires_at": None,
        "citizen_message": None,
        "resubmission_count": 0,
        "created_at": created,
        "updated_at": created,
        "updated_by": "system",
        "closed_at": None,
        "issued_at": None,
    }
    if status is Status.NEW:
        return fields
    user_id, login = officer
    touched = min(created + dt.timedelta(minutes=rng.randint(10, 4 * 24 * 60)), now)
    fields.update(updated_at=touched, updated_by=login)
    if status is Status.IN_REVIEW:
        claimed = max(created, now - dt.timedelta(minutes=rng.randint(0, 60)))
        fields.update(
            claimed_by=user_id,
            claimed_at=claimed,
            lease_expires_at=claimed + dt.timedelta(minutes=15),
            updated_at=claimed,
        )
    elif status is Status.NEEDS_REVISION:
        fields["citizen_message"] = _REVISION_MESSAGE
    elif status is Status.ISSUED:
        fields.update(updated_by=OPERATOR_LOGIN, issued_at=touched)
    elif status in (Status.DONE, Status.REJECTED, Status.CANCELLED):
        fields["closed_at"] = touched
        if status is Status.DONE:
            fields["issued_at"] = touched
        fields["resubmission_count"] = 1 if rng.random() < 0.04 else 0
    return fields


def make_row(
    rng: random.Random, world: World, numbering: Numbering, moment: int, now: dt.datetime
) -> dict[str, Any]:
    """Return one ``service_request`` row received at ``moment`` (POSIX seconds)."""
    received = dt.datetime.fromtimestamp(moment, dt.UTC)
    day = received.astimezone(WIB).date()
    service = rng.choices(world.services, cum_weights=world.weights)[0]
    resident = rng.choice(world.residents)
    person = resident.person
    location = world.location(service, rng.random() < WISH_DINAS, person.kecamatan_code)
    status = status_for_age(rng, (now - received).total_seconds() / _DAY)
    row: dict[str, Any] = {
        "number": numbering.next(location, day),
        "service_code": service.code,
        "location_code": location,
        "channel": rng.choices(CHANNELS, cum_weights=CHANNEL_CUM_WEIGHTS)[0],
        "received_at": received,
        "contact": resident.phone,
        "nik": person.nik,
        "no_kk": resident.no_kk,
        "applicant_name": person.name,
        "subject_nik": person.nik,
        "subject_name": person.name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "kode_desa": person.kode_desa,
        "kecamatan_code": person.kecamatan_code,
        "payload": resident.payload_head + world.extras(rng, service, day) + "}",
        "status": status.value,
        "sla_due": world.due(day, service.code),
        "possible_duplicate_of": None,
    }
    row.update(lifecycle(rng, status, received, now, world.officers[location]))
    return row


# -- the database side ---------------------------------------------------------------------


def ensure_officers(ctx: DeskContext) -> dict[str, tuple[int, str]]:
    """Create one bench counter officer per location (and an operator); return them by location.

    Logins: ``bench.dinas``, ``bench.upt05`` … (password ``bench12345``), ``bench.operator``.
    """
    users = UserOps(ctx)
    with ctx.sessions() as session:
        existing = {u.login: u for u in session.scalars(select(AppUser))}
        locations = list(session.scalars(select(Location.code).order_by(Location.code)))
    wanted = [(officer_login(code), Role.COUNTER, code) for code in locations]
    wanted.append((OPERATOR_LOGIN, Role.VERIFIER, DINAS_CODE))
    for login, role, location in wanted:
        if login not in existing:
            users.add(
                ADMIN_SETUP_ACTOR,
                login,
                BENCH_PASSWORD,
                role,
                full_name=f"Petugas bench {location}",
                location_code=location,
            )
    with ctx.sessions() as session:
        ids = {u.login: u.id for u in session.scalars(select(AppUser))}
    return {code: (ids[officer_login(code)], officer_login(code)) for code in locations}


def officer_login(location_code: str) -> str:
    """Return the login of the bench officer of a location (``bench.dinas``, ``bench.upt05``)."""
    if location_code == DINAS_CODE:
        return "bench.dinas"
    return f"bench.upt{location_code.rsplit('-', 1)[-1].lower()}"


def load_world(ctx: DeskContext, rng: random.Random, n_requests: int, today: dt.date) -> World:
    """Read routing, SLAs and officers from the database; draw the residents."""
    officers = ensure_officers(ctx)
    with ctx.sessions() as session:
        offices = tuple(
            Office(loc.code, loc.kind, loc.active) for loc in session.scalars(select(Location))
        )
        coverage = {
            link.kecamatan_code: link.location_code
            for link in session.scalars(select(LocationKecamatan))
        }
        sla_days = {s.code: s.sla_days for s in session.scalars(select(Service))}
    services = [s for s in ctx.reference.catalogue if s.code in sla_days]
    weights = list(itertools.accumulate(_WEIGHTS.get(s.code, 1) for s in services))
    pool = max(1_000, int(n_requests * RESIDENTS_PER_REQUEST))
    return World(
        reference=ctx.reference,
        offices=offices,
        coverage=coverage,
        sla_days=sla_days,
        officers=officers,
        residents=make_residents(rng, ctx.reference, pool, today),
        services=services,
        weights=weights,
    )


def existing_counters(conn: Connection) -> dict[tuple[str, str], tuple[int, int]]:
    """Return the request counters already in the database."""
    rows = conn.execute(
        select(
            NumberCounter.scope,
            NumberCounter.period,
            NumberCounter.last_value,
            NumberCounter.opening_offset,
        ).where(NumberCounter.kind == REQUEST_COUNTER)
    )
    return {(r.scope, r.period): (int(r.last_value), int(r.opening_offset)) for r in rows}


def save_counters(conn: Connection, rows: Sequence[dict[str, object]]) -> None:
    """Upsert the counter rows (``last_value`` = the last sequence used)."""
    if not rows:
        return
    insert_fn = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert_fn(NumberCounter)
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "scope", "period"],
        set_={"last_value": stmt.excluded.last_value},
    )
    for start in range(0, len(rows), BATCH_SIZE):
        conn.execute(stmt, list(rows[start : start + BATCH_SIZE]))


COLUMNS = tuple(c.name for c in ServiceRequest.__table__.columns if c.name != "id")


Row = tuple[Any, ...]
"""A service_request row as values in ``COLUMNS`` order."""


def write_core(conn: Connection, rows: list[Row]) -> None:
    """Insert rows with one SQLAlchemy Core ``insert(ServiceRequest)`` executemany."""
    conn.execute(insert(ServiceRequest), [dict(zip(COLUMNS, row, strict=True)) for row in rows])


def write_copy(conn: Connection, rows: list[Row]) -> None:
    """Insert rows with PostgreSQL ``COPY … FROM STDIN`` through psycopg."""
    driver = conn.connection.driver_connection
    assert driver is not None
    sql = f"COPY service_request ({', '.join(COLUMNS)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def check_counters(url: str) -> list[str]:
    """Return the (location, day) counters behind the highest number in use; empty when sound.

    A counter behind its numbers would make the next ingest hand out a number already taken.
    """
    engine = make_engine(url)
    highest: dict[tuple[str, str], int] = {}
    try:
        with engine.connect() as conn:
            numbers = conn.execution_options(yield_per=50_000).execute(
                select(ServiceRequest.number)
            )
            for (number,) in numbers:
                scope, period, sequence = number.rsplit("/", 2)
                key = (scope, period)
                highest[key] = max(highest.get(key, 0), int(sequence))
            counters = existing_counters(conn)
    finally:
        engine.dispose()
    behind = []
    for key, top in sorted(highest.items()):
        last, offset = counters.get(key, (0, 0))
        if last + offset < top:
            behind.append(f"{key[0]}/{key[1]}: counter {last + offset} < number {top}")
    return behind


WRITERS: dict[str, Callable[[Connection, list[Row]], None]] = {
    "core": write_core,
    "copy": write_copy,
}


def _tune_sqlite(conn: Connection) -> None:
    """Big page cache and rare checkpoints for the loading connection (SQLite only).

    The indexes on NIK, name and number are written in random order; with the default 2 MB cache
    and a checkpoint every 1,000 pages every batch would re-read and re-write them.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size = -524288")
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 100000")


def _checkpoint(conn: Connection) -> None:
    """Fold the WAL back into the SQLite file (outside any transaction)."""
    if conn.dialect.name == "sqlite":
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        driver.execute("PRAGMA wal_autocheckpoint = 1000")


def analyze(engine: Engine) -> None:
    """Refresh the planner statistics (what autovacuum would do on a live PostgreSQL server)."""
    if is_postgresql(engine):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE service_request")
            conn.exec_driver_sql("ANALYZE number_counter")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


ProgressFn = Callable[[int, int], None]


@dataclass
class _Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    locations: Counter[str] = field(default_factory=Counter)
    counters: int = 0

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.statuses.update(r["status"] for r in rows)
        self.locations.update(r["location_code"] for r in rows)


@dataclass
class _Maker:
    """Makes the rows batch after batch; lives in one worker process (or thread)."""

    rng: random.Random
    world: World
    numbering: Numbering
    times: Sequence[int]
    now: dt.datetime
    tally: _Tally = field(default_factory=_Tally)

    def batch(self, start: int) -> list[Row]:
        """Return the rows of the batch starting at arrival ``start``."""
        rows = [
            make_row(self.rng, self.world, self.numbering, moment, self.now)
            for moment in self.times[start : start + BATCH_SIZE]
        ]
        self.tally.add(rows)
        return [tuple(row[c] for c in COLUMNS) for row in rows]

    def finish(self) -> tuple[list[dict[str, object]], _Tally]:
        """Return the counter rows and the tally."""
        return self.numbering.counter_rows(), self.tally


_MAKER: _Maker | None = None
"""The maker of the current load, set before the worker is forked (which inherits it)."""


def _batch(start: int) -> list[Row]:
    assert _MAKER is not None
    return _MAKER.batch(start)


def _finish() -> tuple[list[dict[str, object]], _Tally]:
    assert _MAKER is not None
    return _MAKER.finish()


def _worker() -> Executor:
    """One forked process makes the rows while this one writes (a thread without fork).

    Only that worker draws random numbers, batch after batch, so a seed gives the same rows.
    """
    if "fork" in multiprocessing.get_all_start_methods():
        return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    return ThreadPoolExecutor(max_workers=1)


def _load(
    conn: Connection,
    maker: _Maker,
    writer: Callable[[Connection, list[Row]], None],
    progress: ProgressFn | None,
) -> _Tally:
    """Write the rows batch by batch while the worker makes the next batch."""
    global _MAKER
    _MAKER = maker
    starts = range(0, len(maker.times), BATCH_SIZE)
    done = 0
    try:
        with _worker() as worker:
            pending = worker.submit(_batch, starts[0]) if starts else None
            for index in range(len(starts)):
                assert pending is not None
                rows = pending.result()
                if index + 1 < len(starts):
                    pending = worker.submit(_batch, starts[index + 1])
                with conn.begin():
                    writer(conn, rows)
                done += len(rows)
                if progress:
                    progress(done, len(maker.times))
            counters, tally = worker.submit(_finish).result()
    finally:
        _MAKER = None
    with conn.begin():
        save_counters(conn, counters)
    tally.counters = len(counters)
    return tally


def generate(
    url: str,
    n_requests: int,
    seed: int = 1,
    *,
    now: dt.datetime | None = None,
    years: float = 4.0,
    method: str = "auto",
    reference: ReferenceData | None = None,
    run_analyze: bool | None = None,
    progress: ProgressFn | None = None,
) -> GenerateReport:
    """Fill the prepared database at ``url`` with ``n_requests`` realistic requests.

    Args:
        url: database URL; the schema and master data must exist (``SetupOps.init``).
        n_requests: how many ``service_request`` rows to add.
        seed: the random seed (the same seed and ``now`` give the same rows).
        now: the end of the period (default: the current time).
        years: the length of the period.
        method: ``core`` (SQLAlchemy executemany), ``copy`` (PostgreSQL only) or ``auto``
            (COPY on PostgreSQL, Core on SQLite).
        reference: reference data (default: the bundled one).
        run_analyze: refresh planner statistics afterwards (default: on PostgreSQL only,
            standing in for autovacuum; a new SQLite desk has none yet).
        progress: called with (rows written, total) after each batch.
    """
    started = time.perf_counter()
    now = now or utc_now()
    rng = random.Random(seed)
    ctx = DeskContext(make_engine(url), reference or load_reference_data())
    try:
        chosen = ("copy" if ctx.postgresql else "core") if method == "auto" else method
        if chosen == "copy" and not ctx.postgresql:
            raise ValueError("COPY needs PostgreSQL; use method='core' on SQLite")
        world = load_world(ctx, rng, n_requests, now.astimezone(WIB).date())
        times = arrival_times(rng, n_requests, now, years, ctx.reference.calendar)
        with ctx.engine.connect() as conn:
            _tune_sqlite(conn)
            maker = _Maker(rng, world, Numbering(existing_counters(conn)), times, now)
            conn.rollback()
            tally = _load(conn, maker, WRITERS[chosen], progress)
            _checkpoint(conn)
        if run_analyze if run_analyze is not None else ctx.postgresql:
            analyze(ctx.engine)
    finally:
        ctx.close()
    return GenerateReport(
        rows=n_requests,
        seconds=time.perf_counter() - started,
        method=chosen,
        first_received=dt.datetime.fromtimestamp(times[0], dt.UTC) if times else None,
        last_received=dt.datetime.fromtimestamp(times[-1], dt.UTC) if times else None,
        statuses=dict(tally.statuses),
        locations=dict(tally.locations),
        counters=tally.counters,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fill a prepared database (``db init`` first) with N requests."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="database URL (schema and master data)")
    parser.add_argument("--requests", type=int, default=1_000_000, help="rows to add")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=float, default=4.0)
    parser.add_argument("--method", choices=("auto", "core", "copy"), default="auto")
    parser.add_argument("--init", action="store_true", help="run SetupOps.init first")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE afterwards (SQLite too)")
    args = parser.parse_args(argv)
    if args.init:
        ctx = DeskContext.open(args.db, create=True)
        SetupOps(ctx).init()
        ctx.close()

    def show(done: int, total: int) -> None:
        if done % 100_000 == 0 or done == total:
            print(f"  {done:>9,} / {total:,}", flush=True)

    report = generate(
        args.db,
        args.requests,
        args.seed,
        years=args.years,
        method=args.method,
        run_analyze=True if args.analyze else None,
        progress=show,
    )
    print(report.describe())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
