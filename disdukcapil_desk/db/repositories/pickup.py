"""Pickup windows and appointments (db layer; no commits here).

A window's row (``pickup_slot``) is created when first booked (``INSERT … ON CONFLICT DO
NOTHING`` on the office and start, on both databases) and a place in it is taken by one
conditional UPDATE (``booked < capacity``): two workstations can never overbook, whatever
they read before. ``booked`` counts the bookings of the window that are not cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import Location, PickupBooking, PickupSlot, ServiceRequest
from disdukcapil_desk.domain.delivery import PickupState
from disdukcapil_desk.domain.workflow import Status

_BOOKED = PickupState.BOOKED.value

MOVES_LOCK_KEY = 0x4B544C5F5049434B
"""The PostgreSQL advisory lock taken by every transaction that moves bookings between windows."""


def take_moves_turn(session: Session) -> None:
    """Wait until no other transaction is moving a booking (until this transaction ends).

    A move gives back one window's place and takes another's: two citizens swapping windows
    at the same instant would each hold the row the other needs. Moves are few (a citizen's
    call or reply, the no-show sweep), so taking turns costs nothing an officer notices. Taken
    before the request's row, as every mover does, so the turn and the rows never wait in a
    circle. SQLite's single writer already serialises.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MOVES_LOCK_KEY})


def ensure_slot(
    session: Session,
    location_code: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
) -> None:
    """Create the window's row unless it exists (a concurrent creator wins quietly)."""
    dialect = session.get_bind().dialect.name
    values = {
        "location_code": location_code,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "booked": 0,
    }
    if dialect == "postgresql":
        pg = postgresql.insert(PickupSlot).values(**values)
        session.execute(pg.on_conflict_do_nothing(index_elements=["location_code", "starts_at"]))
    else:
        lite = sqlite.insert(PickupSlot).values(**values)
        session.execute(lite.on_conflict_do_nothing(index_elements=["location_code", "starts_at"]))


def take_place(session: Session, location_code: str, starts_at: dt.datetime) -> int | None:
    """Take one place in a window if it has room; its id, or None when it is full."""
    taken = session.execute(
        update(PickupSlot)
        .where(
            PickupSlot.location_code == location_code,
            PickupSlot.starts_at == starts_at,
            PickupSlot.booked < PickupSlot.capacity,
        )
        .values(booked=PickupSlot.booked + 1)
        .returning(PickupSlot.id)
    ).scalar_one_or_none()
    return None if taken is None else int(taken)


def release_place(session: Session, slot_id: int) -> None:
    """Give a place back (a booking cancelled)."""
    session.execute(
        update(PickupSlot)
        .where(PickupSlot.id == slot_id, PickupSlot.booked > 0)
        .values(booked=PickupSlot.booked - 1)
    )


def full_starts(
    session: Session, location_code: str, start: dt.datetime, end: dt.datetime
) -> set[dt.datetime]:
    """Starts of the office's windows in ``[start, end)`` with no room left."""
    return set(
        session.scalars(
            select(PickupSlot.starts_at).where(
                PickupSlot.location_code == location_code,
                PickupSlot.starts_at >= start,
                PickupSlot.starts_at < end,
                PickupSlot.booked >= PickupSlot.capacity,
            )
        )
    )


def slots_between(
    session: Session, location_code: str, start: dt.datetime, end: dt.datetime
) -> dict[dt.datetime, tuple[int, int]]:
    """(capacity, booked) of the office's stored windows in ``[start, end)`` by start."""
    rows = session.execute(
        select(PickupSlot.starts_at, PickupSlot.capacity, PickupSlot.booked).where(
            PickupSlot.location_code == location_code,
            PickupSlot.starts_at >= start,
            PickupSlot.starts_at < end,
        )
    )
    return {r.starts_at: (r.capacity, r.booked) for r in rows}


def set_future_capacity(
    session: Session, location_code: str, after: dt.datetime, capacity: int
) -> None:
    """Apply a new capacity to the office's stored windows after ``after`` (never below what
    is booked already: those appointments stand).
    """
    session.execute(
        update(PickupSlot)
        .where(PickupSlot.location_code == location_code, PickupSlot.starts_at > after)
        .values(
            capacity=func.max(PickupSlot.booked, capacity)
            if session.get_bind().dialect.name == "sqlite"
            else func.greatest(PickupSlot.booked, capacity)
        )
    )


def add_booking(
    session: Session,
    *,
    request_id: int,
    slot_id: int,
    at: dt.datetime,
    by: str,
    rebooked_from: int | None = None,
) -> int:
    """Write an appointment; returns its id."""
    booking = PickupBooking(
        service_request_id=request_id,
        pickup_slot_id=slot_id,
        state=_BOOKED,
        booked_at=at,
        booked_by=by,
        rebooked_from=rebooked_from,
    )
    session.add(booking)
    session.flush()
    return int(booking.id)


def active_booking(session: Session, request_id: int) -> Row[Any] | None:
    """The request's live appointment (``id``, ``slot_id``, ``starts_at``, ``ends_at``)."""
    return session.execute(
        select(
            PickupBooking.id,
            PickupBooking.pickup_slot_id.label("slot_id"),
            PickupSlot.starts_at,
            PickupSlot.ends_at,
        )
        .join(PickupSlot, PickupSlot.id == PickupBooking.pickup_slot_id)
        .where(PickupBooking.service_request_id == request_id, PickupBooking.state == _BOOKED)
        .order_by(PickupBooking.id.desc())
        .limit(1)
    ).first()  # type: ignore[return-value]


def change_state(
    session: Session,
    booking_id: int,
    to: PickupState,
    *,
    checked_in_at: dt.datetime | None = None,
    checked_in_by: str | None = None,
) -> bool:
    """Move a live appointment to ``to``; False when it is no longer live (a colleague's
    workstation, or a sweep, got there first).
    """
    values: dict[str, object] = {"state": to.value}
    if checked_in_at is not None:
        values |= {"checked_in_at": checked_in_at, "checked_in_by": checked_in_by}
    result = session.execute(
        update(PickupBooking)
        .where(PickupBooking.id == booking_id, PickupBooking.state == _BOOKED)
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_reminded(session: Session, booking_id: int, at: dt.datetime) -> bool:
    """Note the reminder of a live appointment once; False when it was reminded already."""
    result = session.execute(
        update(PickupBooking)
        .where(
            PickupBooking.id == booking_id,
            PickupBooking.state == _BOOKED,
            PickupBooking.reminded_at.is_(None),
        )
        .values(reminded_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def missed_count(session: Session, request_id: int) -> int:
    """How many appointments of the request passed without the citizen."""
    return int(
        session.scalar(
            select(func.count()).where(
                PickupBooking.service_request_id == request_id,
                PickupBooking.state == PickupState.MISSED.value,
            )
        )
        or 0
    )


def passed(session: Session, now: dt.datetime, limit: int) -> list[tuple[int, int]]:
    """(booking id, request id) of live appointments whose window ended by ``now``."""
    rows = session.execute(
        select(PickupBooking.id, PickupBooking.service_request_id)
        .join(PickupSlot, PickupSlot.id == PickupBooking.pickup_slot_id)
        .where(PickupBooking.state == _BOOKED, PickupSlot.ends_at <= now)
        .order_by(PickupBooking.id)
        .limit(limit)
    )
    return [(int(r[0]), int(r[1])) for r in rows]


def to_remind(
    session: Session, start: dt.datetime, end: dt.datetime, booked_before: dt.datetime, limit: int
) -> list[tuple[int, int]]:
    """(booking id, request id) of live, unreminded appointments in ``[start, end)`` booked
    before ``booked_before`` (one booked today was just told its time).
    """
    rows = session.execute(
        select(PickupBooking.id, PickupBooking.service_request_id)
        .join(PickupSlot, PickupSlot.id == PickupBooking.pickup_slot_id)
        .where(
            PickupBooking.state == _BOOKED,
            PickupBooking.reminded_at.is_(None),
            PickupBooking.booked_at < booked_before,
            PickupSlot.starts_at >= start,
            PickupSlot.starts_at < end,
        )
        .order_by(PickupBooking.id)
        .limit(limit)
    )
    return [(int(r[0]), int(r[1])) for r in rows]


_LIST_COLUMNS = (
    ServiceRequest.id,
    ServiceRequest.number,
    ServiceRequest.applicant_name,
    ServiceRequest.nik,
    ServiceRequest.service_code,
    ServiceRequest.version,
)


def day_bookings(
    session: Session, location_code: str | None, start: dt.datetime, end: dt.datetime
) -> Sequence[Row[Any]]:
    """The appointments (not cancelled) of windows in ``[start, end)``, by time then number:
    the request columns, ``state``, ``starts_at``, ``ends_at``.
    """
    stmt = (
        select(*_LIST_COLUMNS, PickupBooking.state, PickupSlot.starts_at, PickupSlot.ends_at)
        .join(PickupBooking, PickupBooking.service_request_id == ServiceRequest.id)
        .join(PickupSlot, PickupSlot.id == PickupBooking.pickup_slot_id)
        .where(
            PickupSlot.starts_at >= start,
            PickupSlot.starts_at < end,
            PickupBooking.state != PickupState.CANCELLED.value,
        )
        .order_by(PickupSlot.starts_at, ServiceRequest.number)
    )
    if location_code:
        stmt = stmt.where(PickupSlot.location_code == location_code)
    return session.execute(stmt).all()  # type: ignore[return-value]


def waiting(session: Session, location_code: str | None, limit: int = 500) -> Sequence[Row[Any]]:
    """Requests ready for pickup with no live appointment (the citizen is awaited)."""
    live = (
        select(PickupBooking.id)
        .where(
            PickupBooking.service_request_id == ServiceRequest.id,
            PickupBooking.state == _BOOKED,
        )
        .exists()
    )
    stmt = (
        select(*_LIST_COLUMNS)
        .where(ServiceRequest.status == Status.READY_FOR_PICKUP.value, ~live)
        .order_by(ServiceRequest.number)
        .limit(limit)
    )
    if location_code:
        stmt = stmt.where(ServiceRequest.location_code == location_code)
    return session.execute(stmt).all()  # type: ignore[return-value]


def place(session: Session, location_code: str) -> tuple[str, str]:
    """(name, address) of an office."""
    row = session.execute(
        select(Location.name, Location.address).where(Location.code == location_code)
    ).first()
    return (row[0], row[1] or "") if row else (location_code, "")


def slot_counts(session: Session) -> list[tuple[int, int, int, int]]:
    """(slot id, capacity, booked, live bookings) of every window (for checks and tests)."""
    live = (
        select(func.count())
        .where(
            and_(
                PickupBooking.pickup_slot_id == PickupSlot.id,
                PickupBooking.state != PickupState.CANCELLED.value,
            )
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(PickupSlot.id, PickupSlot.capacity, PickupSlot.booked, live).order_by(PickupSlot.id)
    )
    return [(int(a), int(b), int(c), int(d)) for a, b, c, d in rows]
