"""Queries over service requests: keyset pages, search, claims (db layer; no commits here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, NamedTuple, TypeAlias, cast

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Connection,
    Interval,
    Row,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import False_

from disdukcapil_desk.db.base import UtcDateTime
from disdukcapil_desk.db.models import (
    AppUser,
    IncomingAttachment,
    RequestAttachment,
    RequestFinding,
    ServiceRequest,
)
from disdukcapil_desk.db.repositories import audit as audit_repo
from disdukcapil_desk.db.repositories.notify import QUEUE_CHANNEL
from disdukcapil_desk.db.search_index import name_condition, number_condition
from disdukcapil_desk.domain.dto import AttachmentRow, Cursor, FindingRow, QueueFilter
from disdukcapil_desk.domain.findings import Severity
from disdukcapil_desk.domain.nik import normalize_number
from disdukcapil_desk.domain.numbering import looks_like_request_number
from disdukcapil_desk.domain.workflow import CLOSED_STATUSES, OFFICE_PENDING, Status

SR = ServiceRequest
RequestRecord: TypeAlias = ServiceRequest
"""A stored request as these functions return it (operations change its fields in place)."""
_OFFICE_PENDING = sorted(s.value for s in OFFICE_PENDING)
Holder = aliased(AppUser)


def filter_statuses(flt: QueueFilter) -> list[str] | None:
    """The statuses a queue filter lets through, sorted; None: every status.

    The overdue filter keeps only what the office still owes (and the chosen statuses of those).
    """
    chosen = sorted(s.value for s in flt.statuses) if flt.statuses else None
    if not flt.overdue_only:
        return chosen
    return [s for s in _OFFICE_PENDING if chosen is None or s in chosen]


class PageFilter(NamedTuple):
    """A queue filter as the page statement takes it (statuses aside, :func:`filter_statuses`):
    which plain conditions it has (their values are bound when the page runs), and a search's
    condition, which depends on what its index answered.
    """

    plain: tuple[str, ...]
    """The names of the plain conditions present, in :data:`_PLAIN` order."""
    values: dict[str, Any]
    """Their values, by name."""
    search: ColumnElement[bool] | None


_PLAIN: dict[str, ColumnElement[bool]] = {
    "service_code": SR.service_code == bindparam("service_code"),
    "location_code": SR.location_code == bindparam("location_code"),
    "today": SR.sla_due < bindparam("today"),
    "user_id": SR.claimed_by == bindparam("user_id"),
}
"""The conditions of a filter, each bound to a named parameter."""


def filter_conditions(
    session: Session, flt: QueueFilter, *, today: dt.date | None, user_id: int | None
) -> PageFilter:
    """Translate a queue filter, its statuses aside (:func:`filter_statuses`), into the page's
    conditions (a search may ask the index first).

    ``today`` (the office's date) is only read by the overdue filter, which requires it.
    """
    values: dict[str, Any] = {}
    if flt.service_code:
        values["service_code"] = flt.service_code
    if flt.location_code:
        values["location_code"] = flt.location_code
    if flt.overdue_only:
        if today is None:
            raise ValueError("the overdue filter needs today's date")
        values["today"] = today
    if flt.mine_only:
        values["user_id"] = user_id
    search = search_condition(session, flt.search) if flt.search.strip() else None
    return PageFilter(tuple(values), values, search)


def search_condition(session: Session, text: str) -> ColumnElement[bool]:
    """Match a request number (exact), a NIK (exact, 16 digits) or part of a name: the
    applicant's or the subject's (pelapor or deceased, parent or child).
    """
    needle = text.strip()
    digits = normalize_number(needle)
    if looks_like_request_number(needle):
        return SR.number == needle.upper()
    if digits.isdigit() and len(digits) == 16:
        return or_(SR.nik == digits, SR.subject_nik == digits)
    if digits.isdigit() and len(digits) >= 4:
        return number_condition(session, SR.number, SR.id, digits)
    return name_condition(session, (SR.applicant_name, SR.subject_name), SR.id, needle)


def read_without_transaction(session: Session) -> None:
    """On PostgreSQL, let ``session`` read outside a transaction (autocommit): a page is one
    statement, which sees one snapshot anyway, and it then costs one round trip instead of four
    (BEGIN, the page, ROLLBACK and the DEALLOCATE that follows it). Call it before the session
    first reads; not when a statement must share another's transaction. SQLite: no change.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


QUEUE_COLUMNS = (
    SR.id,
    SR.number,
    SR.received_at,
    SR.service_code,
    SR.location_code,
    SR.applicant_name,
    SR.nik,
    SR.subject_name,
    SR.subject_nik,
    SR.channel,
    SR.status,
    SR.lease_expires_at,
    SR.sla_due,
    SR.resubmission_count,
    SR.possible_duplicate_of,
    SR.version,
)
"""What a queue line shows: never the payload, which can be large. A page row holds them in this
order, then ``holder``, so a caller may unpack it as a plain tuple."""


def page(
    session: Session,
    flt: PageFilter,
    after: Cursor | None,
    limit: int,
    *,
    statuses: Sequence[str] | None = None,
) -> Sequence[Sequence[Any]]:
    """Return up to ``limit`` rows after ``after`` in (received_at, id) order: keyset paging.

    Each row has the ``QUEUE_COLUMNS`` by name and ``holder`` (the claim holder's login).
    ``statuses`` (None: all) are read one by one, each from its own index range in date order
    ((location, status, date) or (status, date)), at most ``limit`` rows each, and merged. The
    open statuses are a thin tail of years of closed requests: a plan that walks the date index
    and filters status reads almost the whole table first (1.4 s for "Baru" over a million
    requests on PostgreSQL); this shape reads at most ``limit`` rows a status on either database,
    whatever the planner estimates.

    Without a search the statement is built once per shape (which conditions, which statuses,
    whether after a cursor, the limit) and kept: SQLAlchemy then finds it compiled at once, so a
    page costs little more than its SQL. On SQLite such a page is sent as its compiled SQL and
    its three date columns parsed here (:func:`_sqlite_page`): the generic result processing
    (two conversions a timestamp) cost more than the statement itself.
    """
    if isinstance(flt.search, False_):  # the search index found nothing
        return []
    values = dict(flt.values)
    if after is not None:
        values["after_received"], values["after_id"] = after.received_at, after.id
    conditions = [_PLAIN[name] for name in flt.plain]
    if flt.search is not None:
        stmt = _page_statement([*conditions, flt.search], after is not None, limit, statuses)
    else:
        shape = (flt.plain, after is not None, limit, None if statuses is None else tuple(statuses))
        cached = _STATEMENTS.get(shape)
        if cached is None:
            cached = _page_statement(conditions, after is not None, limit, statuses)
            _STATEMENTS[shape] = cached
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            return _sqlite_page(connection, shape, cached, values)
        stmt = cached
    # Columns only: through the session's connection, without the ORM's result machinery.
    return session.connection().execute(stmt, values).all()


PageStatement: TypeAlias = Select[*tuple[Any, ...]]
_STATEMENTS: dict[tuple[object, ...], PageStatement] = {}
"""Page statements by shape (a handful: the filters the window offers)."""


class _DriverPage(NamedTuple):
    """A page statement compiled for SQLite once: its SQL, and for each of its parameters in
    order the name and the conversion of its value (None: sent as it is).
    """

    sql: str
    params: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    fixed: dict[str, Any]
    """The statement's own values (statuses, limits)."""


_DRIVER_PAGES: dict[tuple[object, ...], _DriverPage] = {}
_from_iso = dt.datetime.fromisoformat
_date_from_iso = dt.date.fromisoformat
_RECEIVED, _LEASE, _DUE = (
    [column.key for column in QUEUE_COLUMNS].index(name)
    for name in ("received_at", "lease_expires_at", "sla_due")
)
"""Where the page row holds the columns SQLite hands over as text (the rest are as stored)."""


def _sqlite_page(
    connection: Connection,
    shape: tuple[object, ...],
    stmt: PageStatement,
    values: Mapping[str, Any],
) -> list[list[Any]]:
    """Run a cached page statement on SQLite: each row a plain list, its dates converted."""
    driver = _DRIVER_PAGES.get(shape)
    if driver is None:
        dialect = connection.dialect
        compiled = stmt.compile(dialect=dialect)
        binds = compiled.binds
        driver = _DriverPage(
            compiled.string,
            tuple(  # SQLite's own processors (a timestamp is stored as fixed-width text)
                (name, binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                for name in compiled.positiontup or ()
            ),
            {name: bind.effective_value for name, bind in binds.items() if not bind.required},
        )
        _DRIVER_PAGES[shape] = driver
    given = {**driver.fixed, **values}
    params = tuple(
        given[name] if convert is None else convert(given[name]) for name, convert in driver.params
    )
    rows: list[list[Any]] = []
    for row in connection.exec_driver_sql(driver.sql, params).all():
        # Aware UTC datetimes (``dt.UTC`` itself) and dates, as UtcDateTime and Date give: one
        # C call each (``replace(tzinfo=…)`` would cost five times the parse).
        fields = list(row)
        fields[_RECEIVED] = _from_iso(fields[_RECEIVED] + "+00:00")
        if fields[_LEASE] is not None:
            fields[_LEASE] = _from_iso(fields[_LEASE] + "+00:00")
        fields[_DUE] = _date_from_iso(fields[_DUE])
        rows.append(fields)
    return rows


def _page_statement(
    conditions: Sequence[ColumnElement[bool]],
    after: bool,
    limit: int,
    statuses: Sequence[str] | None,
) -> PageStatement:
    """The page statement: the ids of the page (per status when statuses are chosen), then
    their queue columns and holder.
    """
    if statuses is None:
        stmt = select(SR.id, SR.received_at).where(*conditions, *_after(after))
        picked = stmt.order_by(SR.received_at, SR.id).limit(limit).subquery("picked")
    else:
        picked = union_all(
            *(_one_status(status, conditions, after, limit) for status in statuses)
        ).subquery("picked")
    return (
        select(*QUEUE_COLUMNS, Holder.login.label("holder"))
        .join(picked, picked.c.id == SR.id)
        .outerjoin(Holder, Holder.id == SR.claimed_by)
        .order_by(picked.c.received_at, picked.c.id)
        .limit(limit)
    )


def _one_status(
    status: str, conditions: Sequence[ColumnElement[bool]], after: bool, limit: int
) -> Select[tuple[int, dt.datetime]]:
    """The first ``limit`` ids of one status after the cursor, in date order."""
    branch = (
        select(SR.id, SR.received_at)
        .where(SR.status == status, *conditions, *_after(after))
        .order_by(SR.received_at, SR.id)
        .limit(limit)
        .subquery()
    )
    return select(branch.c.id, branch.c.received_at)


def _after(after: bool) -> list[ColumnElement[bool]]:
    """The keyset condition: past the last row of the previous page (``after_received``,
    ``after_id``).
    """
    if not after:
        return []
    # A row-value comparison is one index range on both databases; the equivalent OR form is
    # filtered row by row, so deep pages would cost their depth.
    return [
        tuple_(SR.received_at, SR.id)
        > tuple_(
            bindparam("after_received", type_=UtcDateTime()),
            bindparam("after_id", type_=BigInteger()),
        )
    ]


def count_by_status(
    session: Session, location_code: str | None, statuses: Collection[str] | None = None
) -> dict[str, int]:
    """Return the number of requests per status (of one location, or all; of some statuses)."""
    stmt = select(SR.status, func.count()).group_by(SR.status)
    if location_code:
        stmt = stmt.where(SR.location_code == location_code)
    if statuses is not None:
        stmt = stmt.where(SR.status.in_(sorted(statuses)))
    return {status: int(n) for status, n in session.execute(stmt)}


def claimable(now: dt.datetime) -> ColumnElement[bool]:
    """A request nobody holds: new, or in review under a lease that has run out."""
    return or_(
        SR.status == Status.NEW.value,
        and_(SR.status == Status.IN_REVIEW.value, SR.lease_expires_at < now),
    )


class Candidate(NamedTuple):
    """The oldest claimable request of a location, as it stood when it was picked (locked)."""

    id: int
    status: str
    claimed_by: int | None


def next_claimable(session: Session, location_code: str, now: dt.datetime) -> Candidate | None:
    """Return the oldest claimable request of a location, row-locked on PostgreSQL, with the
    status and holder it has before the claim (what the audit line records).

    Two index range scans on (location, status, received_at): the oldest new request and the
    oldest one whose lease ran out. One query with ``status = 'new' OR (…)`` would walk the
    office's whole history in date order (0.9 s at a million requests).
    ``SKIP LOCKED`` makes a colleague's candidate invisible instead of making us wait for it.
    """
    fresh = SR.status == Status.NEW.value
    lapsed = and_(SR.status == Status.IN_REVIEW.value, SR.lease_expires_at < now)
    candidates = [_oldest(session, location_code, condition) for condition in (fresh, lapsed)]
    found = [c for c in candidates if c is not None]
    return min(found)[1] if found else None


def _oldest(
    session: Session, location_code: str, condition: ColumnElement[bool]
) -> tuple[tuple[dt.datetime, int], Candidate] | None:
    stmt = (
        select(SR.received_at, SR.id, SR.status, SR.claimed_by)
        .where(SR.location_code == location_code, condition)
        .order_by(SR.received_at, SR.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = session.execute(stmt).first()
    if row is None:
        return None
    return (row.received_at, row.id), Candidate(row.id, row.status, row.claimed_by)


class Claimed(NamedTuple):
    """What a successful claim returns of the request (read by the UPDATE itself)."""

    number: str
    location_code: str
    version: int


def take_claim(
    session: Session,
    request_id: int,
    user_id: int,
    now: dt.datetime,
    expires: dt.datetime,
    login: str,
) -> Claimed | None:
    """Claim ``request_id`` for ``user_id`` with one conditional UPDATE; None when it was not
    claimable (any more).

    The condition re-checks that the request is still claimable (or already ours), so a race
    between two workstations ends with exactly one of them holding it. The UPDATE returns the
    columns the lease and the audit line need: nothing is read again.
    """
    row = session.execute(
        update(SR)
        .where(
            SR.id == request_id,
            or_(
                claimable(now),
                and_(SR.status == Status.IN_REVIEW.value, SR.claimed_by == user_id),
            ),
        )
        .values(
            status=Status.IN_REVIEW.value,
            claimed_by=user_id,
            claimed_at=now,
            lease_expires_at=expires,
            version=SR.version + 1,
            updated_at=now,
            updated_by=login,
        )
        .returning(SR.number, SR.location_code, SR.version)
        .execution_options(synchronize_session=False)
    ).first()
    return Claimed(row.number, row.location_code, row.version) if row is not None else None


class ClaimedNext(NamedTuple):
    """What ``claim_oldest`` took: the request, its new version, and its status and holder
    before the claim (what the audit line records).
    """

    id: int
    number: str
    location_code: str
    version: int
    status_before: str
    holder_before: int | None
    claimed_at: dt.datetime
    """The time of the claim (the server's clock, or the ``now`` given)."""
    expires: dt.datetime


def claim_oldest(
    session: Session,
    location_code: str,
    user_id: int,
    now: dt.datetime | None,
    lease: dt.timedelta,
    login: str,
) -> ClaimedNext | None:
    """Claim the oldest claimable request of a location in one statement; None when there is
    none (or, on PostgreSQL, every one is being claimed by a colleague).

    The two index ranges of ``next_claimable`` (the oldest new request, the oldest lapsed
    lease), the older of the two updated as ``take_claim`` does, returning what the lease and
    the audit line need (its status and holder before the claim included): no row is read
    back. The statement is built once per database, on the table (no ORM), and compiled once.

    PostgreSQL: each range is locked with ``SKIP LOCKED`` (a colleague's pick is skipped, not
    waited for); the same statement announces the change of the location's queue
    (``pg_notify``, at commit). ``now`` None reads the server's clock in the same statement (one
    round trip less than asking it first); the lease runs ``lease`` from then.

    SQLite (``now`` required): the transaction holds the database's write lock, so the pick
    cannot be raced; the picked row is a materialised CTE, so ``RETURNING`` reads its status and
    holder as they were before the UPDATE.
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    if not postgresql and now is None:
        raise ValueError("SQLite claims need the transaction's time")
    params: dict[str, object] = {
        "claim_location": location_code,
        "claim_user": user_id,
        "claim_now": now,
        "claim_login": login,
    }
    if postgresql:
        params["claim_lease"] = lease
    else:
        assert now is not None
        params["claim_expires"] = now + lease
    if postgresql:
        statement = _CLAIM_OLDEST if now is None else _CLAIM_OLDEST_AT
    else:
        statement = _CLAIM_OLDEST_SQLITE
    row = session.connection().execute(statement, params).first()
    if row is None:
        return None
    if postgresql:  # the audit chain the statement locked for the claim's audit line
        audit_repo.took_chain(session, row[9], row[10], row[11])
    else:  # the audit chain's head row and last entry, read for the claim's audit line
        audit_repo.took_first_chain(session, row[8:14])
    return ClaimedNext(*row[:8])


def _claim_ranges(c: Any, lapsed_before: ColumnElement[dt.datetime], *, lock: bool) -> list[CTE]:
    """The two ranges a claim picks from (the oldest new request, the oldest lapsed lease)
    on PostgreSQL.

    ``lapsed_before``: ``now()`` when the server's clock decides, so that the planner can
    estimate how few leases have lapsed and read them by ``ix_service_request_lease``; behind a
    parameter it walks every request in review at the location in date order instead (all of
    a busy office's held requests, for each claim).
    """
    ranges: list[CTE] = []
    for condition in (
        c.status == Status.NEW.value,
        and_(c.status == Status.IN_REVIEW.value, c.lease_expires_at < lapsed_before),
    ):
        stmt = (
            select(c.id, c.received_at, c.status, c.claimed_by)
            .where(c.location_code == bindparam("claim_location"), condition)
            .order_by(c.received_at, c.id)
            .limit(1)
        )
        if lock:
            stmt = stmt.with_for_update(skip_locked=True)
        ranges.append(stmt.cte(f"range_{len(ranges)}"))
    return ranges


def _claim_ranges_sqlite(c: Any) -> list[CTE]:
    """The two ranges of :func:`_claim_ranges` on SQLite (no locks: the transaction holds the
    write lock), each with its index named. The lapsed leases are read by
    ``ix_service_request_lease`` (few rows, then sorted): the planner would rather walk every
    request in review at the location in date order. The new requests are read by
    ``ix_service_request_queue`` in order: with statistics that weigh its indexes unevenly
    the planner sometimes chose to scan the whole table and sort it.
    """
    fresh = (
        text(
            "SELECT id, received_at, status, claimed_by "
            "FROM service_request INDEXED BY ix_service_request_queue "
            "WHERE location_code = :claim_location AND status = :claim_new "
            "ORDER BY received_at, id LIMIT 1"
        )
        .bindparams(bindparam("claim_new", Status.NEW.value))
        .columns(c.id, c.received_at, c.status, c.claimed_by)
        .cte("range_0")
    )
    lapsed = (
        text(
            "SELECT id, received_at, status, claimed_by "
            "FROM service_request INDEXED BY ix_service_request_lease "
            "WHERE status = :claim_in_review AND lease_expires_at < :claim_now "
            "AND location_code = :claim_location "
            "ORDER BY received_at, id LIMIT 1"
        )
        .bindparams(
            bindparam("claim_in_review", Status.IN_REVIEW.value),
            bindparam("claim_now", type_=UtcDateTime),
        )
        .columns(c.id, c.received_at, c.status, c.claimed_by)
        .cte("range_1")
    )
    return [fresh, lapsed]


def _oldest_of(ranges: list[CTE]) -> Select[Any]:
    both = union_all(*(select(r) for r in ranges)).subquery("both_ranges")
    return (
        select(both.c.id, both.c.status, both.c.claimed_by)
        .order_by(both.c.received_at, both.c.id)
        .limit(1)
    )


def _claim_oldest_statement(*, server_clock: bool) -> Update:
    table = cast(Table, SR.__table__)
    c = table.c
    clock = select(
        func.coalesce(bindparam("claim_now", type_=UtcDateTime), func.clock_timestamp()).label(
            "now"
        )
    ).cte("clock")  # a volatile function: evaluated once, never inlined
    now = select(clock.c.now).scalar_subquery()
    # The stand-in clock as a parameter (not the clock CTE): its value is known when planned.
    lapsed_before = func.now() if server_clock else bindparam("claim_now", type_=UtcDateTime)
    oldest = _oldest_of(_claim_ranges(c, lapsed_before, lock=True)).cte("oldest")
    head = audit_repo.free_chain_head()
    return (
        update(table)
        .where(c.id == oldest.c.id)
        .values(_claim_values(c, now, now + bindparam("claim_lease", type_=Interval)))
        .returning(
            c.id,
            c.number,
            c.location_code,
            c.version,
            oldest.c.status,
            oldest.c.claimed_by,
            c.claimed_at,
            c.lease_expires_at,
            # the queue's announcement (``notify.queue_changed``), sent at commit
            func.pg_notify(QUEUE_CHANNEL, c.location_code),
            # a free audit chain, locked for the audit line (read only when a row was claimed)
            *(select(column).scalar_subquery() for column in head.c),
        )
    )


def _claim_values(
    c: Any,
    now: ColumnElement[dt.datetime],
    expires: ColumnElement[dt.datetime],
) -> dict[str, Any]:
    """What a claim sets on the request (the claiming statement's ``SET``)."""
    return {
        "status": Status.IN_REVIEW.value,
        "claimed_by": bindparam("claim_user"),
        "claimed_at": now,
        "lease_expires_at": expires,
        "version": c.version + 1,
        "updated_at": now,
        "updated_by": bindparam("claim_login"),
    }


def _claim_oldest_sqlite_statement() -> Update:
    """``claim_oldest`` on SQLite: the pick a materialised CTE (evaluated once, before the
    UPDATE changes anything), read by scalar subqueries (``RETURNING`` may only name the
    updated table).
    """
    table = cast(Table, SR.__table__)
    c = table.c
    now = bindparam("claim_now", type_=UtcDateTime)
    oldest = _oldest_of(_claim_ranges_sqlite(c)).cte("oldest").prefix_with("MATERIALIZED")
    tip = audit_repo.first_chain_with_last()
    return (
        update(table)
        .add_cte(tip)  # its text compiled here, not inside RETURNING (unqualified names)
        .where(c.id == select(oldest.c.id).scalar_subquery())
        .values(_claim_values(c, now, bindparam("claim_expires", type_=UtcDateTime)))
        .returning(
            c.id,
            c.number,
            c.location_code,
            c.version,
            select(oldest.c.status).scalar_subquery(),
            select(oldest.c.claimed_by).scalar_subquery(),
            c.claimed_at,
            c.lease_expires_at,
            # the audit chain's head row and last entry, for the claim's audit line
            *(select(column).scalar_subquery() for column in tip.c),
        )
    )


_CLAIM_OLDEST = _claim_oldest_statement(server_clock=True)
_CLAIM_OLDEST_AT = _claim_oldest_statement(server_clock=False)
"""With a stand-in clock (``claim_now`` given)."""
_CLAIM_OLDEST_SQLITE = _claim_oldest_sqlite_statement()


def expired_lease_ids(session: Session, now: dt.datetime) -> list[int]:
    """Return the requests whose lease has run out, locked (skipping busy rows) on PostgreSQL."""
    stmt = (
        select(SR.id)
        .where(SR.status == Status.IN_REVIEW.value, SR.lease_expires_at < now)
        .order_by(SR.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def load_for_update(session: Session, request_id: int) -> ServiceRequest | None:
    """Load one request, row-locked on PostgreSQL, ignoring any stale copy in the session."""
    stmt = select(SR).where(SR.id == request_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def by_id(session: Session, request_id: int) -> ServiceRequest | None:
    """Return one request by id (from the session's identity map when already loaded)."""
    return session.get(SR, request_id)


def by_number(session: Session, number: str, *, for_update: bool = False) -> ServiceRequest | None:
    """Return one request by its number (already normalised), row-locked on request."""
    stmt = select(SR).where(SR.number == number)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def flush(session: Session) -> None:
    """Send the session's pending changes to the database (still inside the transaction)."""
    session.flush()


def new(**values: Any) -> ServiceRequest:
    """Build a request to insert (see ``insert``); the caller fills in the parties."""
    return SR(**values)


def insert(session: Session, request: ServiceRequest) -> None:
    """Insert a new request and flush, so it has its id."""
    session.add(request)
    session.flush()


def open_duplicate(session: Session, request: ServiceRequest) -> tuple[int, str] | None:
    """(id, number) of the oldest other open request of the same service about the same
    person: the subject's NIK, else (a newborn, a name on an old akta) the same applicant
    naming the same subject; None when there is none or neither is known.
    """
    if request.subject_nik:
        same_subject: ColumnElement[bool] = SR.subject_nik == request.subject_nik
    elif request.nik and request.subject_name:
        same_subject = and_(
            SR.nik == request.nik, func.lower(SR.subject_name) == request.subject_name.lower()
        )
    else:
        return None
    other = session.execute(
        select(SR.id, SR.number)
        .where(
            same_subject,
            SR.service_code == request.service_code,
            SR.id != request.id,
            SR.status.not_in(sorted(s.value for s in CLOSED_STATUSES)),
        )
        .order_by(SR.id)
        .limit(1)
    ).first()
    return (other.id, other.number) if other is not None else None


def parties_after(
    session: Session, after_id: int, limit: int
) -> Sequence[Row[int, str, str, str, str, str, str]]:
    """Up to ``limit`` requests after ``after_id`` (by id) with their payload and parties:
    ``id, service_code, payload, nik, applicant_name, subject_nik, subject_name``.
    """
    return session.execute(
        select(
            SR.id,
            SR.service_code,
            SR.payload,
            SR.nik,
            SR.applicant_name,
            SR.subject_nik,
            SR.subject_name,
        )
        .where(SR.id > after_id)
        .order_by(SR.id)
        .limit(limit)
    ).all()


def update_parties(session: Session, updates: Sequence[Mapping[str, object]]) -> None:
    """Write new party columns, one dict (with ``id``) per request, as one bulk UPDATE."""
    session.execute(update(SR), updates)


def findings(session: Session, request_id: int) -> tuple[FindingRow, ...]:
    """Every finding of a request, in the order they were stored."""
    rows = session.scalars(
        select(RequestFinding)
        .where(RequestFinding.service_request_id == request_id)
        .order_by(RequestFinding.id)
    )
    return tuple(
        FindingRow(f.code, Severity(f.severity), f.field, f.message, f.source, f.resolved)
        for f in rows
    )


def attachments(session: Session, request_id: int) -> tuple[AttachmentRow, ...]:
    """The attachments of a request with their size, without their bytes."""
    rows = session.execute(
        select(
            IncomingAttachment.id,
            IncomingAttachment.filename,
            IncomingAttachment.media_type,
            RequestAttachment.requirement_code,
            func.length(IncomingAttachment.content),
        )
        .join(RequestAttachment, RequestAttachment.incoming_attachment_id == IncomingAttachment.id)
        .where(RequestAttachment.service_request_id == request_id)
        .order_by(IncomingAttachment.id)
    )
    return tuple(AttachmentRow(r[0], r[1], r[2], r[3], int(r[4] or 0)) for r in rows)


def attachment_office(session: Session, attachment_id: int) -> str | None:
    """The office of the request an attachment is linked to; None when it is linked to none."""
    return session.scalar(
        select(ServiceRequest.location_code)
        .join(RequestAttachment, RequestAttachment.service_request_id == ServiceRequest.id)
        .where(RequestAttachment.incoming_attachment_id == attachment_id)
    )


def attachment_content(session: Session, attachment_id: int) -> tuple[str, bytes] | None:
    """(media type, bytes) of an attachment linked to a request; None when there is none."""
    row = session.execute(
        select(IncomingAttachment.media_type, IncomingAttachment.content)
        .join(RequestAttachment, RequestAttachment.incoming_attachment_id == IncomingAttachment.id)
        .where(IncomingAttachment.id == attachment_id)
    ).first()
    return (row.media_type, bytes(row.content)) if row is not None else None


def statuses(session: Session) -> list[str]:
    """The status of every request (one entry per request)."""
    return list(session.scalars(select(SR.status)))


def arrivals_with_status(
    session: Session, status: Status
) -> list[tuple[int, dt.datetime, str, str]]:
    """(id, received_at, location_code, service_code) of every request in ``status``, by id."""
    rows = session.execute(
        select(SR.id, SR.received_at, SR.location_code, SR.service_code)
        .where(SR.status == status.value)
        .order_by(SR.id)
    )
    return [(r.id, r.received_at, r.location_code, r.service_code) for r in rows]


def contacts(session: Session) -> list[str]:
    """The contact of every request (the demo picks its unreachable citizens from them)."""
    return list(session.scalars(select(SR.contact).order_by(SR.id)))


def contacts_with_status(session: Session, status: Status) -> list[tuple[str, str, str]]:
    """(number, service_code, contact) of every request in ``status``, by id."""
    rows = session.execute(
        select(SR.number, SR.service_code, SR.contact)
        .where(SR.status == status.value)
        .order_by(SR.id)
    )
    return [(r.number, r.service_code, r.contact) for r in rows]
