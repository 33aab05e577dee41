"""Recap queries: figures grouped in the database, officers from the audit log (db layer).

Every figure is a ``GROUP BY`` over the requests received in a period; only the register is read
row by row, and it is streamed (``yield_per``: a server-side cursor on PostgreSQL). Office days
are WIB (UTC+7) days, computed in SQL. Working days to finish are summed in SQL through a small
``VALUES`` table that numbers the days of the period so that differences count working days (see
``domain.recap.workday_index``). Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    Date,
    Float,
    Integer,
    SQLColumnExpression,
    case,
    cast,
    column,
    distinct,
    extract,
    func,
    literal_column,
    select,
    type_coerce,
    values,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement, Label

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

    def office_day(self, moment: SQLColumnExpression[dt.datetime]) -> ColumnElement[dt.date]:
        """The WIB office day of a timestamp column, in SQL (no bound parameters)."""
        if self.postgresql:
            utc = func.timezone(literal_column("'UTC'"), moment)
            return cast(utc + literal_column("INTERVAL '7 hours'"), Date)
        # SQLite keeps UTC text; date() shifts it and returns 'YYYY-MM-DD'.
        return type_coerce(func.date(moment, literal_column("'+7 hours'")), Date)

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
    """When a completed request was issued: its ``issue`` entry in the audit log (one index
    lookup per row), or, for a request issued without one, when it finished.

    The SLA is the office's: a document issued on time and collected late is on time.
    """
    issue = (
        select(func.min(AuditLog.at))
        .where(
            AuditLog.entity == "service_request",
            AuditLog.entity_key == SR.number,
            AuditLog.action == Action.ISSUE.value,
        )
        .correlate(SR)
        .scalar_subquery()
    )
    return case(
        (SR.status.in_(_COMPLETED), func.coalesce(issue, finished_at())),
        else_=None,
    )


def _calendar(index: Mapping[dt.date, int], name: str) -> CTE:
    rows = sorted(index.items()) or [(dt.date(2000, 1, 1), 0)]
    return values(column("day", Date), column("idx", Integer), name=name).data(rows).cte(name)


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


def figure_groups(
    session: Session, scope: RecapScope, workdays: Mapping[dt.date, int]
) -> list[tuple[tuple[str, ...], Figures]]:
    """Return the figures of each (service, location, kecamatan, desa, channel) of the scope,
    in one pass over the period's range of the recap index.

    The figures are sums, so every breakdown adds these groups up (:func:`roll_up`); one
    statement reads the period once instead of once per table.

    Args:
        session: an open session.
        scope: the period and location.
        workdays: ``domain.recap.workday_index`` over every day a request of the period can
            have been received or finished on.
    """
    received_cal = _calendar(workdays, "cal_received")
    finished_cal = _calendar(workdays, "cal_finished")
    received_day = scope.office_day(SR.received_at)
    finished_day = scope.office_day(finished_at())
    issued_day = scope.office_day(issued_at())
    completed = SR.status.in_(_COMPLETED)
    days = finished_cal.c.idx - received_cal.c.idx
    stmt = (
        select(
            *FIGURE_KEYS,
            func.count(),
            _count_if(SR.status.in_(_IN_PROCESS)),
            _count_if(SR.status == Status.NEEDS_REVISION.value),
            _count_if(SR.status.in_(_APPROVED)),
            _count_if(completed),
            _count_if(SR.status == Status.REJECTED.value),
            _count_if(SR.status == Status.CANCELLED.value),
            _count_if(completed & (issued_day <= SR.sla_due)),
            func.coalesce(func.sum(days), 0),
            func.count(days),
        )
        .select_from(SR)
        .outerjoin(received_cal, received_cal.c.day == received_day)
        .outerjoin(finished_cal, finished_cal.c.day == finished_day)
        .where(*scope.conditions())
        .group_by(*FIGURE_KEYS)
    )
    width = len(FIGURE_KEYS)
    return [
        (
            tuple(str(v) if v is not None else "" for v in row[:width]),
            Figures(*(int(v) for v in row[width:])),
        )
        for row in session.execute(stmt)
    ]


def roll_up(
    groups: Sequence[tuple[tuple[str, ...], Figures]], breakdown: Breakdown
) -> list[tuple[tuple[str, ...], Figures]]:
    """Add the groups of :func:`figure_groups` up by a breakdown's keys."""
    picks = BREAKDOWN_KEYS[breakdown]
    found: dict[tuple[str, ...], Figures] = {}
    for key, figures in groups:
        short = tuple(key[i] for i in picks)
        found[short] = found[short] + figures if short in found else figures
    return list(found.items())


def figures_by(
    session: Session,
    scope: RecapScope,
    breakdown: Breakdown,
    workdays: Mapping[dt.date, int],
) -> list[tuple[tuple[str, ...], Figures]]:
    """Return the figures of each group of one breakdown (keys: its codes, e.g. the
    service's); the recap reads :func:`figure_groups` once and rolls it up instead.
    """
    return roll_up(figure_groups(session, scope, workdays), breakdown)


def received_per_day(session: Session, scope: RecapScope) -> list[tuple[str, dt.date, int]]:
    """Return ``(service code, office day, requests received)`` groups."""
    day = scope.office_day(SR.received_at).label("day")
    stmt = (
        select(SR.service_code, day, func.count())
        .where(*scope.conditions())
        .group_by(SR.service_code, day)
    )
    return [(code, _as_date(d), int(n)) for code, d, n in session.execute(stmt)]


def finish_range(session: Session, scope: RecapScope) -> dt.date | None:
    """Return the last office day a completed request of the scope finished on."""
    stmt = select(func.max(scope.office_day(finished_at()))).where(
        *scope.conditions(), SR.status.in_(_COMPLETED)
    )
    last = session.scalar(stmt)
    return _as_date(last) if last is not None else None


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


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


def trip_figures(
    session: Session, scope: RecapScope, electronic_services: Sequence[str]
) -> list[tuple[tuple[str, str], TripFigures]]:
    """Return the trip figures of each (service, location) of the scope, in one statement.

    Revision rounds, messages and missed appointments are first counted per request of the
    scope (each a ``GROUP BY`` joined to the scope's requests), then added up per group with
    the requests' own counts; no request is read one by one.

    Args:
        session: an open session.
        scope: the period and location.
        electronic_services: the codes of the services whose only output is a document sent
            electronically: their ``done`` requests finished without a visit; the ``done``
            requests of the other services (a card to collect) finished with one.
    """
    in_scope = scope.conditions()
    rounds = (
        select(AuditLog.entity_key.label("number"), func.count().label("n"))
        .select_from(SR)
        .join(AuditLog, AuditLog.entity_key == SR.number)
        .where(
            AuditLog.entity == "service_request",
            AuditLog.action == Action.REQUEST_REVISION.value,
            *in_scope,
        )
        .group_by(AuditLog.entity_key)
        .subquery("rounds")
    )
    om = OutgoingMessage
    messages = (
        select(
            om.service_request_id.label("request_id"),
            func.count().label("n"),
            _count_if(om.delivered_at.is_not(None) & om.failed_at.is_(None)).label("delivered"),
            _count_if(om.failed_at.is_not(None)).label("failed"),
        )
        .select_from(SR)
        .join(om, om.service_request_id == SR.id)
        .where(*in_scope)
        .group_by(om.service_request_id)
        .subquery("messages")
    )
    missed = (
        select(PickupBooking.service_request_id.label("request_id"), func.count().label("n"))
        .select_from(SR)
        .join(PickupBooking, PickupBooking.service_request_id == SR.id)
        .where(PickupBooking.state == PickupState.MISSED.value, *in_scope)
        .group_by(PickupBooking.service_request_id)
        .subquery("missed")
    )
    done = SR.status == Status.DONE.value
    electronic = list(electronic_services)
    stmt = (
        select(
            SR.service_code,
            SR.location_code,
            func.count(),
            _count_if(SR.status.in_(_CLOSED_SERVED)),
            _count_if((SR.status == Status.SENT.value) | (done & SR.service_code.in_(electronic))),
            _count_if(
                (SR.status == Status.COLLECTED.value) | (done & SR.service_code.not_in(electronic))
            ),
            func.coalesce(func.sum(rounds.c.n), 0),
            func.coalesce(func.max(rounds.c.n), 0),
            func.coalesce(func.sum(messages.c.n), 0),
            func.coalesce(func.sum(messages.c.delivered), 0),
            func.coalesce(func.sum(messages.c.failed), 0),
            func.coalesce(func.sum(missed.c.n), 0),
        )
        .select_from(SR)
        .outerjoin(rounds, rounds.c.number == SR.number)
        .outerjoin(messages, messages.c.request_id == SR.id)
        .outerjoin(missed, missed.c.request_id == SR.id)
        .where(*in_scope)
        .group_by(SR.service_code, SR.location_code)
    )
    return [
        ((str(service), str(location)), TripFigures(*(int(v) for v in rest)))
        for service, location, *rest in session.execute(stmt)
    ]


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
