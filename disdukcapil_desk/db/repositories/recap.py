"""Recap queries: figures grouped in the database, officers from the audit log (db layer).

Every figure is a ``GROUP BY`` over the requests received in a period; only the register is read
row by row, and it is streamed (``yield_per``: a server-side cursor on PostgreSQL). Office days
are WIB (UTC+7) days, computed in SQL. Working days to finish are summed in SQL through a list
that numbers the days from the period's first so that differences count working days (see
``domain.recap.workday_index`` and :class:`WorkdayTable`), looked up by offset for each row.
The statuses, the finishes and the trips' visits come from one ``GROUP BY`` of the period
(:func:`figure_groups`); at a year of an office (hundreds of thousands of requests) the work is
that one pass and its grouping. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    Date,
    Float,
    Integer,
    LargeBinary,
    SQLColumnExpression,
    case,
    cast,
    distinct,
    extract,
    func,
    literal,
    literal_column,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement, Grouping, Label

from disdukcapil_desk.db.models import (
    AppUser,
    AuditLog,
    Location,
    OutgoingMessage,
    PickupBooking,
    Service,
    ServiceRequest,
)
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.delivery import PickupState
from disdukcapil_desk.domain.recap import (
    REGISTER_FIELDS,
    Breakdown,
    Figures,
    Period,
    TripFigures,
)
from disdukcapil_desk.domain.workflow import FINISHED_STATUSES, Action, Status

SR = ServiceRequest
_COMPLETED = (
    Status.ISSUED.value,
    Status.SENT.value,
    Status.READY_FOR_PICKUP.value,
    Status.COLLECTED.value,
    Status.DONE.value,
)
_CLOSED_SERVED = tuple(sorted(status.value for status in FINISHED_STATUSES))
"""Closed with the citizen served: done, sent, collected (their ``closed_at`` is the finish)."""
_UNCLOSED_COMPLETED = (Status.ISSUED.value, Status.READY_FOR_PICKUP.value)
"""Completed but still open: they finished at their last change (the issue, the booking)."""
_IN_PROCESS = (Status.NEW.value, Status.IN_REVIEW.value)
_APPROVED = (Status.APPROVED.value, Status.SIAK_RECORDED.value)
"""Approved, the document not yet issued: recorded in SIAK or not yet."""
_DECISIONS = (Action.APPROVE.value, Action.REQUEST_REVISION.value, Action.REJECT.value)
_HANDLING = (
    *_DECISIONS,
    Action.CLAIM.value,
    Action.RECORD_SIAK.value,
    Action.ISSUE.value,
    Action.SEND.value,
    Action.BOOK_PICKUP.value,
    Action.CHECK_IN.value,
    Action.FINISH.value,
)
_STREAM_BATCH = 2000
_WORK_MEM = "64MB"
"""Memory a recap's sort or hash may take on PostgreSQL (its default, 4 MB, spills a year)."""


@dataclass(frozen=True, slots=True)
class RecapScope:
    """Which requests a recap counts: received in ``period`` at ``location`` (None = all)."""

    period: Period
    location_code: str | None
    postgresql: bool

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (00:00 WIB of the first day)."""
        return dt.datetime.combine(self.period.first, dt.time(), WIB)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.period.last + dt.timedelta(days=1), dt.time(), WIB)

    def conditions(self) -> list[ColumnElement[bool]]:
        """WHERE conditions on ``service_request`` (the received-at range uses its index)."""
        result = [SR.received_at >= self.start, SR.received_at < self.end]
        if self.location_code:
            result.append(SR.location_code == self.location_code)
        return result

    def office_day(self, moment: SQLColumnExpression[dt.datetime | None]) -> ColumnElement[dt.date]:
        """The WIB office day of a timestamp column, in SQL (no bound parameters)."""
        if self.postgresql:
            utc = func.timezone(literal_column("'UTC'"), moment)
            return cast(utc + literal_column("INTERVAL '7 hours'"), Date)
        # SQLite keeps UTC text; date() shifts it and returns 'YYYY-MM-DD'.
        return type_coerce(func.date(moment, literal_column("'+7 hours'")), Date)

    def day_number(
        self, moment: SQLColumnExpression[dt.datetime | None], first: dt.date
    ) -> ColumnElement[int]:
        """Office days (WIB) from ``first`` to the day of a timestamp column, in SQL."""
        if self.postgresql:
            return type_coerce(self.office_day(moment) - cast(literal(first), Date), Integer)
        start = func.julianday(literal(first.isoformat()))
        shifted = func.julianday(
            moment, literal_column("'+7 hours'"), literal_column("'start of day'")
        )
        return cast(shifted - start, Integer)

    def office_hour(self, moment: SQLColumnExpression[dt.datetime | None]) -> ColumnElement[int]:
        """The hour of the day (0-23, WIB) of a timestamp column, in SQL."""
        if self.postgresql:
            utc = func.timezone(literal_column("'UTC'"), moment)
            return cast(extract("hour", utc + literal_column("INTERVAL '7 hours'")), Integer)
        return cast(
            func.strftime(literal_column("'%H'"), moment, literal_column("'+7 hours'")), Integer
        )

    def hours_between(
        self, start: SQLColumnExpression[dt.datetime], end: SQLColumnExpression[dt.datetime]
    ) -> ColumnElement[float]:
        """Hours from ``start`` to ``end``, in SQL."""
        if self.postgresql:
            seconds = extract("epoch", end - start)
            return type_coerce(seconds / literal_column("3600.0"), Float)
        days = func.julianday(end) - func.julianday(start)
        return type_coerce(days * literal_column("24.0"), Float)


def finished_at() -> ColumnElement[dt.datetime]:
    """When a completed request finished: closed (done, sent, collected) or its last change
    (issued, or ready for pickup: the booking that followed the issue).
    """
    return case(
        (SR.status.in_(_CLOSED_SERVED), SR.closed_at),
        (SR.status.in_(_UNCLOSED_COMPLETED), SR.updated_at),
        else_=None,
    )


def issued_at() -> ColumnElement[dt.datetime]:
    """When a completed request was issued: its first issue (``issued_at``, the time of its
    ``issue`` audit entry, kept on the request since schema version 9), or, for a request
    completed without one, when it finished.

    The SLA is the office's: a document issued on time and collected late is on time.
    """
    return case(
        (SR.status.in_(_COMPLETED), func.coalesce(SR.issued_at, finished_at())),
        else_=None,
    )


@dataclass(frozen=True, slots=True)
class WorkdayTable:
    """``domain.recap.workday_index`` as a list read in SQL by the day's offset from
    ``first``: a constant-time lookup per row (where a join to a table of days made SQLite
    scan the whole table for every request). PostgreSQL reads it as an ``integer[]``,
    SQLite as one blob of fixed-width numbers (``substr`` of a blob counts bytes).
    """

    first: dt.date
    numbers: tuple[int, ...]

    @classmethod
    def of(cls, index: Mapping[dt.date, int]) -> WorkdayTable:
        """Pack an index over consecutive days (``workday_index``'s) into a table."""
        days = sorted(index)
        if not days:
            return cls(dt.date(2000, 1, 1), ())
        if (days[-1] - days[0]).days + 1 != len(days) or min(index.values()) < 0:
            raise ValueError("a workday index numbers consecutive days from zero up")
        return cls(days[0], tuple(index[d] for d in days))

    @property
    def days(self) -> int:
        """How many days the table numbers."""
        return len(self.numbers)

    @property
    def width(self) -> int:
        """The digits of each number in :meth:`digits`."""
        return len(str(max(self.numbers, default=0)))

    def digits(self) -> bytes:
        """The numbers as one run of ASCII digits, ``width`` a number."""
        return "".join(f"{n:0{self.width}d}" for n in self.numbers).encode("ascii")


def tune_for_aggregates(session: Session, scope: RecapScope) -> None:
    """Set up the read transaction for the recap's large aggregates (PostgreSQL; until its
    end): no JIT compilation, which the planner asks for on a year's rows and which costs
    seconds more than the few hundred milliseconds the queries take; memory enough to
    group a year in memory instead of on disk; and no bitmap scans. The officers' figures
    join the audit log to the requests by number, and the planner costs a probe of the
    number's trigram index (``ix_service_request_number_trgm``, which serves equality too)
    below one of its unique index: each probe then reads every number sharing its trigrams
    (minutes for a year, where the unique index takes a tenth of a second). The recap's other
    reads are index range scans and hash joins.
    """
    if scope.postgresql:
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text(f"SET LOCAL work_mem = '{_WORK_MEM}'"))
        session.execute(text("SET LOCAL enable_bitmapscan = off"))


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


FIGURE_KEYS: tuple[SQLColumnExpression[str], ...] = (
    SR.service_code,
    SR.location_code,
    SR.kecamatan_code,
    SR.kode_desa,
    SR.channel,
)
"""The finest grouping of the figures: every breakdown (``Breakdown``) is a roll-up of it."""

BREAKDOWN_KEYS: dict[Breakdown, tuple[int, ...]] = {
    Breakdown.SERVICE: (0,),
    Breakdown.LOCATION: (1,),
    Breakdown.WILAYAH: (2, 3),
    Breakdown.CHANNEL: (4,),
}
"""Which :data:`FIGURE_KEYS` each breakdown groups by (the wilayah: kecamatan and desa)."""


GROUP_COUNTS = (*Figures.__dataclass_fields__, "sent", "collected", "done")
"""The counts of each group of :func:`figure_groups`, in order: the :class:`Figures`, then the
closed statuses apart (what the trips sheet needs of the same requests)."""
_FIGURE_COUNT = len(Figures.__dataclass_fields__)

Groups = list[tuple[tuple[str, ...], tuple[int, ...]]]
"""``(keys, counts)`` of each group: :data:`FIGURE_KEYS` values and :data:`GROUP_COUNTS`."""


@dataclass(frozen=True, slots=True)
class FigureGroups:
    """What :func:`figure_groups` read: the groups, and the last day the workday table had
    to number (the last finish, when it lies beyond the table: read again with a longer one).
    """

    groups: Groups
    beyond: dt.date | None


def figure_groups(session: Session, scope: RecapScope, workdays: WorkdayTable) -> FigureGroups:
    """Return the figures of each (service, location, kecamatan, desa, channel) of the scope,
    in one pass over the period's range of the recap index.

    The figures are sums, so every breakdown adds these groups up (:func:`roll_up`); one
    statement reads the period once instead of once per table. The working days to finish
    are looked up per row in ``workdays``; a finish after its last day is not counted, and
    the result says so (``beyond``) so that the caller reads again with a table that reaches it.

    Args:
        session: an open session.
        scope: the period and location.
        workdays: ``domain.recap.workday_index`` from the period's first day on, best up to
            the last day a request of the period can have finished on (today).
    """
    per_request = select(
        *FIGURE_KEYS,
        SR.status.label("status"),
        (scope.office_day(issued_at()) <= SR.sla_due).label("issued_on_time"),
        scope.day_number(SR.received_at, workdays.first).label("received_day"),
        scope.day_number(finished_at(), workdays.first).label("finished_day"),
    ).where(*scope.conditions())
    if not scope.postgresql:
        # A LIMIT keeps SQLite from merging the subquery into the aggregate, where it would
        # work out each day (a date parse) once for every use instead of once a row.
        per_request = per_request.limit(-1)
    rows = per_request.subquery("per_request")
    keys = list(rows.c)[: len(FIGURE_KEYS)]
    status = rows.c.status
    completed = status.in_(_COMPLETED)
    days = _workday(scope, workdays, rows.c.finished_day) - _workday(
        scope, workdays, rows.c.received_day
    )
    stmt = select(
        *keys,
        func.count(),
        _count_if(status.in_(_IN_PROCESS)),
        _count_if(status == Status.NEEDS_REVISION.value),
        _count_if(status.in_(_APPROVED)),
        _count_if(completed),
        _count_if(status == Status.REJECTED.value),
        _count_if(status == Status.CANCELLED.value),
        _count_if(completed & rows.c.issued_on_time),
        func.coalesce(func.sum(days), 0),
        func.count(days),
        _count_if(status == Status.SENT.value),
        _count_if(status == Status.COLLECTED.value),
        _count_if(status == Status.DONE.value),
        func.max(rows.c.finished_day),
    ).group_by(*keys)
    width = len(FIGURE_KEYS)
    groups: Groups = []
    last = -1
    for row in session.execute(stmt):
        groups.append(
            (
                tuple(map(str, row[:width])),
                tuple(map(int, row[width:-1])),
            )
        )
        if row[-1] is not None:
            last = max(last, int(row[-1]))
    beyond = workdays.first + dt.timedelta(days=last) if last >= workdays.days else None
    return FigureGroups(groups, beyond)


def _workday(scope: RecapScope, table: WorkdayTable, day: ColumnElement[int]) -> ColumnElement[int]:
    """The workday index of a day number (:meth:`RecapScope.day_number`), NULL outside the
    table.
    """
    if scope.postgresql:
        numbers = Grouping(cast(literal(list(table.numbers), ARRAY(Integer)), ARRAY(Integer)))
        return type_coerce(numbers[day + 1], Integer)  # 1-based; NULL outside
    digits = literal(table.digits(), LargeBinary)
    found = cast(func.substr(digits, day * table.width + 1, table.width), Integer)
    return case((day.between(0, table.days - 1), found), else_=None)


def add_up(groups: Groups, picks: Sequence[int]) -> dict[tuple[str, ...], list[int]]:
    """Add the counts of the groups up by the keys at ``picks`` (element by element in C:
    a year has tens of thousands of groups).
    """
    found: dict[tuple[str, ...], list[int]] = {}
    for key, counts in groups:
        short = tuple([key[i] for i in picks])
        sums = found.get(short)
        found[short] = list(map(operator.add, sums, counts)) if sums else list(counts)
    return found


def roll_up(groups: Groups, breakdown: Breakdown) -> list[tuple[tuple[str, ...], Figures]]:
    """Add the groups of :func:`figure_groups` up by a breakdown's keys, into figures."""
    return [
        (short, Figures(*counts[:_FIGURE_COUNT]))
        for short, counts in add_up(groups, BREAKDOWN_KEYS[breakdown]).items()
    ]


def received_per_day(session: Session, scope: RecapScope) -> list[tuple[str, dt.date, int]]:
    """Return ``(service code, office day, requests received)`` groups.

    Grouped by the day's number first: the period's range comes in the order of receipt, so
    the grouping sorts rows that are almost in order already.
    """
    first = scope.period.first
    day = scope.day_number(SR.received_at, first).label("day")
    stmt = (
        select(day, SR.service_code, func.count())
        .where(*scope.conditions())
        .group_by(day, SR.service_code)
    )
    return [
        (code, first + dt.timedelta(days=int(n)), int(count))
        for n, code, count in session.execute(stmt)
    ]


@dataclass(frozen=True, slots=True)
class OfficerCounts:
    """Audit-log counts of one actor over the requests of the scope."""

    login: str
    name: str
    handled: int
    approved: int
    revised: int
    rejected: int
    issued: int
    siak_recorded: int
    sent: int
    handed_over: int


def _officer_join(scope: RecapScope) -> list[ColumnElement[bool]]:
    return [
        AuditLog.entity == "service_request",
        AuditLog.entity_key == SR.number,
        *scope.conditions(),
    ]


def officer_counts(session: Session, scope: RecapScope) -> list[OfficerCounts]:
    """Count what each officer did with the requests of the scope (from the audit log)."""
    stmt = (
        select(
            AuditLog.actor,
            func.max(AppUser.full_name),
            func.count(distinct(AuditLog.entity_key)),
            _count_if(AuditLog.action == Action.APPROVE.value),
            _count_if(AuditLog.action == Action.REQUEST_REVISION.value),
            _count_if(AuditLog.action == Action.REJECT.value),
            _count_if(AuditLog.action == Action.ISSUE.value),
            _count_if(AuditLog.action == Action.RECORD_SIAK.value),
            _count_if(AuditLog.action == Action.SEND.value),
            _count_if(AuditLog.action == Action.CHECK_IN.value),
        )
        .select_from(SR)
        .join(AuditLog, AuditLog.entity_key == SR.number)
        .outerjoin(AppUser, AppUser.login == AuditLog.actor)
        .where(*_officer_join(scope), AuditLog.action.in_(_HANDLING))
        .group_by(AuditLog.actor)
        .order_by(AuditLog.actor)
    )
    return [
        OfficerCounts(str(actor), str(name or actor), *(int(v) for v in rest))
        for actor, name, *rest in session.execute(stmt)
    ]


def officer_medians(session: Session, scope: RecapScope) -> dict[str, float]:
    """Median hours from receipt to each officer's decisions (approve, revise, reject).

    PostgreSQL: ``percentile_cont``; SQLite: the middle row(s) by ``row_number()`` over the
    officer's ordered durations.
    """
    hours = scope.hours_between(SR.received_at, AuditLog.at)
    where = [*_officer_join(scope), AuditLog.action.in_(_DECISIONS)]
    if scope.postgresql:
        median = func.percentile_cont(0.5).within_group(hours)
        stmt = (
            select(AuditLog.actor, median)
            .select_from(SR)
            .join(AuditLog, AuditLog.entity_key == SR.number)
            .where(*where)
            .group_by(AuditLog.actor)
        )
        return {str(a): float(m) for a, m in session.execute(stmt) if m is not None}
    ranked = (
        select(
            AuditLog.actor.label("actor"),
            hours.label("hours"),
            func.row_number().over(partition_by=AuditLog.actor, order_by=hours).label("rn"),
            func.count().over(partition_by=AuditLog.actor).label("n"),
        )
        .select_from(SR)
        .join(AuditLog, AuditLog.entity_key == SR.number)
        .where(*where)
        .subquery()
    )
    middle = ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
    stmt2 = select(ranked.c.actor, func.avg(ranked.c.hours)).where(middle).group_by(ranked.c.actor)
    return {str(a): float(m) for a, m in session.execute(stmt2) if m is not None}


def trip_extras(session: Session, scope: RecapScope) -> list[tuple[tuple[str, str], TripFigures]]:
    """Return what the trips sheet counts beside the requests' statuses, per (service,
    location) of the scope: revision rounds, messages and missed appointments.

    Each is its own ``GROUP BY`` over the requests that have such rows (the statuses come from
    :func:`figure_groups`, which reads every request of the period already); only the
    revision rounds are first counted per request, for their maximum. The returned figures
    hold these counts only (their status counts are zero).
    """
    in_scope = scope.conditions()
    keys = (SR.service_code, SR.location_code)
    rounds = (
        select(*keys, func.count().label("n"))
        .select_from(SR)
        .join(AuditLog, AuditLog.entity_key == SR.number)
        .where(
            AuditLog.entity == "service_request",
            AuditLog.action == Action.REQUEST_REVISION.value,
            *in_scope,
        )
        .group_by(SR.id, *keys)
        .subquery("rounds")
    )
    found: dict[tuple[str, str], TripFigures] = {}

    def add(rows: Iterable[Sequence[Any]], make: Callable[..., TripFigures]) -> None:
        for service, location, *counts in rows:
            key = (str(service), str(location))
            figures = make(*(int(v) for v in counts))
            found[key] = found[key] + figures if key in found else figures

    stmt_rounds = select(
        rounds.c.service_code, rounds.c.location_code, func.sum(rounds.c.n), func.max(rounds.c.n)
    ).group_by(rounds.c.service_code, rounds.c.location_code)
    add(
        session.execute(stmt_rounds),
        lambda n, most: TripFigures(revision_rounds=n, max_rounds=most),
    )
    om = OutgoingMessage
    stmt_messages = (
        select(
            *keys,
            func.count(),
            _count_if(om.delivered_at.is_not(None) & om.failed_at.is_(None)),
            _count_if(om.failed_at.is_not(None)),
        )
        .select_from(om)
        .join(SR, SR.id == om.service_request_id)
        .where(*in_scope)
        .group_by(*keys)
    )
    add(
        session.execute(stmt_messages),
        lambda n, delivered, failed: TripFigures(messages=n, delivered=delivered, failed=failed),
    )
    stmt_missed = (
        select(*keys, func.count())
        .select_from(PickupBooking)
        .join(SR, SR.id == PickupBooking.service_request_id)
        .where(PickupBooking.state == PickupState.MISSED.value, *in_scope)
        .group_by(*keys)
    )
    add(session.execute(stmt_missed), lambda n: TripFigures(no_shows=n))
    return list(found.items())


def pickups_per_hour(session: Session, scope: RecapScope) -> list[tuple[str, int, int]]:
    """Return ``(location code, hour of day in WIB, pickups)`` groups: the checked-in pickup
    appointments of the scope's requests, by the hour of their check-in.
    """
    hour = scope.office_hour(PickupBooking.checked_in_at).label("hour")
    stmt = (
        select(SR.location_code, hour, func.count())
        .select_from(SR)
        .join(PickupBooking, PickupBooking.service_request_id == SR.id)
        .where(
            PickupBooking.state == PickupState.CHECKED_IN.value,
            PickupBooking.checked_in_at.is_not(None),
            *scope.conditions(),
        )
        .group_by(SR.location_code, hour)
    )
    return [(str(code), int(h), int(n)) for code, h, n in session.execute(stmt)]


def _register_columns() -> dict[str, SQLColumnExpression[Any]]:
    """The select columns of the register by name (``REGISTER_FIELDS``, in its order)."""
    return {
        "number": SR.number,
        "received_at": SR.received_at,
        "sla_due": SR.sla_due,
        "finished_at": finished_at(),
        "service_code": SR.service_code,
        "location_code": SR.location_code,
        "kecamatan_code": SR.kecamatan_code,
        "kode_desa": SR.kode_desa,
        "channel": SR.channel,
        "status": SR.status,
        "updated_by": SR.updated_by,
        "nik": SR.nik,
        "subject_nik": SR.subject_nik,
    }


def register_rows(session: Session, scope: RecapScope) -> Iterator[Sequence[Any]]:
    """Stream the requests of the scope, oldest first, a batch at a time, as rows whose
    values are in ``domain.recap.REGISTER_FIELDS`` order (also readable by name).
    """
    columns = _register_columns()
    assert tuple(columns) == REGISTER_FIELDS
    labelled: list[Label[Any]] = [expr.label(name) for name, expr in columns.items()]
    stmt: Select[Any] = (
        select(*labelled)
        .where(*scope.conditions())
        .order_by(SR.received_at, SR.id)
        .execution_options(yield_per=_STREAM_BATCH)
    )
    result = session.execute(stmt)
    for partition in result.partitions():
        yield from partition


def user_signature(session: Session, login: str) -> tuple[str, str] | None:
    """Return ``(full name, NIP)`` of the user ``login``, or None."""
    stmt = select(AppUser.full_name, AppUser.nip).where(AppUser.login == login)
    found = session.execute(stmt).first()
    return (found.full_name, found.nip) if found else None


def services(session: Session) -> list[tuple[str, str, str]]:
    """Return ``(code, name, group)`` of every service in the database."""
    stmt = select(Service.code, Service.name, Service.service_group).order_by(Service.code)
    return [(c, n, g) for c, n, g in session.execute(stmt)]


def locations(session: Session) -> list[tuple[str, str, str]]:
    """Return ``(code, name, kind)`` of every location, the dinas first."""
    stmt = select(Location.code, Location.name, Location.kind).order_by(
        Location.kind, Location.code
    )
    return [(c, n, k) for c, n, k in session.execute(stmt)]


def user_names(session: Session) -> dict[str, str]:
    """Return the full name of every user by login."""
    return {
        login: name or login
        for login, name in session.execute(select(AppUser.login, AppUser.full_name))
    }
