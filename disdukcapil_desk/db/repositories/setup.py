"""Queries for preparing a database: services, offices and the kecamatan they cover (db layer).

Plain data in and out; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import AppUser, Location, LocationKecamatan, Service
from disdukcapil_desk.domain.dto import LocationRow
from disdukcapil_desk.domain.workflow import Role


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """The catalogue's facts about a service as the ``service`` table keeps them."""

    code: str
    name: str
    group: str
    sla_days: int
    handled_at_dinas: bool
    handled_at_upt: bool
    active: bool = True

    def changes(self, other: ServiceRecord) -> dict[str, tuple[object, object]]:
        """``{field: (self's value, other's value)}`` for every field that differs."""
        return {
            name: (getattr(self, name), getattr(other, name))
            for name in _SERVICE_FIELDS
            if getattr(self, name) != getattr(other, name)
        }


_SERVICE_FIELDS = ("name", "group", "sla_days", "handled_at_dinas", "handled_at_upt", "active")


def has_admin(session: Session) -> bool:
    """Whether any administrator exists."""
    return session.scalar(select(AppUser.id).where(AppUser.role == Role.ADMIN.value)) is not None


def services(session: Session) -> dict[str, ServiceRecord]:
    """Every row of ``service`` by code."""
    return {
        s.code: ServiceRecord(
            s.code,
            s.name,
            s.service_group,
            s.sla_days,
            s.handled_at_dinas,
            s.handled_at_upt,
            s.active,
        )
        for s in session.scalars(select(Service))
    }


def add_service(session: Session, record: ServiceRecord) -> None:
    """Insert a service row."""
    session.add(
        Service(
            code=record.code,
            name=record.name,
            service_group=record.group,
            sla_days=record.sla_days,
            handled_at_dinas=record.handled_at_dinas,
            handled_at_upt=record.handled_at_upt,
            active=record.active,
        )
    )


def update_service(session: Session, record: ServiceRecord) -> None:
    """Overwrite a service row with ``record``."""
    row = session.get(Service, record.code, with_for_update=True)
    if row is None:
        add_service(session, record)
        return
    row.name = record.name
    row.service_group = record.group
    row.sla_days = record.sla_days
    row.handled_at_dinas = record.handled_at_dinas
    row.handled_at_upt = record.handled_at_upt
    row.active = record.active


def location_codes(session: Session) -> set[str]:
    """The codes of every office."""
    return set(session.scalars(select(Location.code)))


def covered_kecamatan(session: Session) -> set[str]:
    """The kecamatan some UPT covers."""
    return set(session.scalars(select(LocationKecamatan.kecamatan_code)))


def add_location(session: Session, code: str, name: str, kind: str) -> None:
    """Insert an office (active, no address yet); flushed so links can refer to it."""
    session.add(Location(code=code, name=name, kind=kind, address="", active=True))
    session.flush()


def location_kind(session: Session, code: str) -> str | None:
    """The kind (``dinas``/``upt``) of an office, or None when there is none with ``code``."""
    location = session.get(Location, code)
    return location.kind if location else None


def covering_location(session: Session, kecamatan_code: str) -> str | None:
    """The office that covers a kecamatan, or None."""
    link = session.get(LocationKecamatan, kecamatan_code)
    return link.location_code if link else None


def set_covering_location(session: Session, kecamatan_code: str, location_code: str) -> None:
    """Make ``location_code`` cover ``kecamatan_code`` (adding or moving the link)."""
    link = session.get(LocationKecamatan, kecamatan_code)
    if link is None:
        session.add(LocationKecamatan(kecamatan_code=kecamatan_code, location_code=location_code))
    else:
        link.location_code = location_code


def location_rows(session: Session) -> list[LocationRow]:
    """Every office with the kecamatan it covers, dinas first."""
    coverage: dict[str, list[str]] = {}
    for link in session.scalars(select(LocationKecamatan)):
        coverage.setdefault(link.location_code, []).append(link.kecamatan_code)
    rows = session.scalars(select(Location).order_by(Location.kind, Location.code))
    return [
        LocationRow(
            loc.code, loc.name, loc.kind, loc.active, tuple(sorted(coverage.get(loc.code, [])))
        )
        for loc in rows
    ]
