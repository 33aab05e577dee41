"""Reference data as stored: offices, the kecamatan they cover, services (db layer)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import Location, LocationKecamatan, Service
from disdukcapil_desk.domain.routing import Office


def offices(session: Session) -> tuple[Office, ...]:
    """Every location as routing sees it."""
    return tuple(
        Office(loc.code, loc.kind, loc.active) for loc in session.scalars(select(Location))
    )


def kecamatan_coverage(session: Session) -> dict[str, str]:
    """The UPT (location code) covering each kecamatan that has one."""
    return {
        link.kecamatan_code: link.location_code
        for link in session.scalars(select(LocationKecamatan))
    }


def sla_days(session: Session) -> dict[str, int]:
    """The SLA in working days per service code, as stored."""
    return {s.code: s.sla_days for s in session.scalars(select(Service))}


def location_exists(session: Session, code: str) -> bool:
    """Whether a location with ``code`` is stored."""
    return session.get(Location, code) is not None
