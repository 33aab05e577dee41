"""Queries about desk users (db layer; no commits here)."""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import AppUser, ServiceRequest
from disdukcapil_desk.domain.workflow import Role, Status

UserRecord: TypeAlias = AppUser
"""A stored user as these functions return it (operations change its fields in place)."""


def insert(
    session: Session,
    *,
    login: str,
    full_name: str,
    nip: str,
    role: Role,
    location_code: str | None,
    password_hash: str,
    created_at: dt.datetime,
) -> AppUser:
    """Insert an active user with no failed logins, and flush so it has its id."""
    user = AppUser(
        login=login,
        full_name=full_name,
        nip=nip,
        role=role.value,
        location_code=location_code,
        password_hash=password_hash,
        active=True,
        failed_logins=0,
        created_at=created_at,
        must_change_password=False,
    )
    session.add(user)
    session.flush()
    return user


def by_id(session: Session, user_id: int) -> AppUser | None:
    """Return the user with ``user_id`` (from the session's identity map when loaded)."""
    return session.get(AppUser, user_id)


def by_login(session: Session, login: str, *, for_update: bool = False) -> AppUser | None:
    """Return the user with ``login`` (already normalised), row-locked on request."""
    stmt = select(AppUser).where(AppUser.login == login)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def all_logins(session: Session) -> set[str]:
    """The login of every user."""
    return set(session.scalars(select(AppUser.login)))


def all_users(session: Session) -> list[AppUser]:
    """Every user, by login."""
    return list(session.scalars(select(AppUser).order_by(AppUser.login)))


def active_admin_ids(session: Session) -> list[int]:
    """The active administrators, row-locked so two changes cannot both remove "the other"."""
    stmt = (
        select(AppUser.id)
        .where(AppUser.role == Role.ADMIN.value, AppUser.active.is_(True))
        .order_by(AppUser.id)
        .with_for_update()
    )
    return list(session.scalars(stmt))


def claimed_request_ids(session: Session, user_id: int) -> list[int]:
    """The requests ``user_id`` holds (in review, claimed by them)."""
    stmt = (
        select(ServiceRequest.id)
        .where(
            ServiceRequest.claimed_by == user_id,
            ServiceRequest.status == Status.IN_REVIEW.value,
        )
        .order_by(ServiceRequest.id)
    )
    return list(session.scalars(stmt))


def unlocked_admin_ids(session: Session, now: dt.datetime) -> list[int]:
    """The active administrators not locked at ``now`` (who could log in), row-locked."""
    stmt = (
        select(AppUser.id)
        .where(
            AppUser.role == Role.ADMIN.value,
            AppUser.active.is_(True),
            or_(AppUser.locked_until.is_(None), AppUser.locked_until <= now),
        )
        .order_by(AppUser.id)
        .with_for_update()
    )
    return list(session.scalars(stmt))
