"""Preparing a database: schema, catalogue, locations, first administrator (operations layer)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db import schema
from disdukcapil_desk.db.migrations.v2_parties import PARTIES_VERSION
from disdukcapil_desk.db.models import AppUser, Location, LocationKecamatan, Service
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor, LocationRow
from disdukcapil_desk.domain.errors import DeskError, NotFound
from disdukcapil_desk.domain.routing import DINAS_KIND, UPT_KIND
from disdukcapil_desk.domain.workflow import Permission, Role, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.users import UserOps

DINAS_CODE = "DINAS"
DINAS_NAME = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Serang"
ADMIN_SETUP_ACTOR = Actor(login="system", role=Role.ADMIN, full_name="Penyiapan basis data")


@dataclass(frozen=True)
class InitReport:
    """What ``db init`` did."""

    schema_created: bool
    services_added: int
    locations_added: int
    admin_created: str | None


def upt_name(kecamatan_name: str) -> str:
    """Return the name of the UPT of a kecamatan."""
    return f"UPT Pelayanan Kependudukan Kecamatan {kecamatan_name}"


def upt_code(kecamatan_code: str) -> str:
    """Return the location code of the UPT of a kecamatan, e.g. ``UPT-05`` for 360405."""
    return f"UPT-{kecamatan_code[-2:]}"


class SetupOps:
    """Create and upgrade the database and its master data."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def init(self, admin_login: str | None = None, admin_password: str | None = None) -> InitReport:
        """Create or check the schema, load the catalogue and locations, add the first admin.

        Safe to run again: existing rows are kept (an administrator's edits win), missing ones
        are added, and no second first-administrator is created.
        """
        with self._ctx.database_errors():
            created = schema.create_schema(self._ctx.engine)
            schema.check_schema(self._ctx.engine)
        with self._ctx.unit_of_work() as session:
            services = self._load_services(session)
            locations = self._load_locations(session)
            if services or locations:
                record(
                    self._ctx,
                    session,
                    SYSTEM_ACTOR,
                    "db_init",
                    "database",
                    "master",
                    after={"services": services, "locations": locations},
                )
        admin = None
        if admin_login and not self._has_admin():
            if not admin_password:
                raise DeskError("Kata sandi administrator wajib diisi")
            UserOps(self._ctx).add(
                ADMIN_SETUP_ACTOR,
                admin_login,
                admin_password,
                Role.ADMIN,
                full_name="Administrator",
                location_code=DINAS_CODE,
            )
            admin = admin_login
        return InitReport(created, services, locations, admin)

    def upgrade(self) -> list[int]:
        """Apply pending schema migrations (``db upgrade``), then the data steps they need."""
        with self._ctx.database_errors():
            applied = schema.upgrade_schema(self._ctx.engine)
        if PARTIES_VERSION in applied:
            IntakeOps(self._ctx).refresh_parties()
        return applied

    def check(self) -> int:
        """Return the schema version, or raise ``SchemaVersionError`` (or a ``DatabaseError``)."""
        with self._ctx.database_errors():
            return schema.check_schema(self._ctx.engine)

    def is_empty(self) -> bool:
        """Whether the database has no desk schema at all (a fresh database)."""
        with self._ctx.database_errors():
            return schema.database_version(self._ctx.engine) is None

    def planned_locations(self) -> list[tuple[str, str]]:
        """The (code, name) of the offices ``init`` creates: the dinas and one UPT a kecamatan."""
        return [(DINAS_CODE, DINAS_NAME)] + [
            (upt_code(k.code), upt_name(k.name)) for k in self._ctx.reference.wilayah.kecamatan_list
        ]

    def _has_admin(self) -> bool:
        with self._ctx.reading() as session:
            found = session.scalar(select(AppUser.id).where(AppUser.role == Role.ADMIN.value))
            return found is not None

    def _load_services(self, session: Session) -> int:
        existing = set(session.scalars(select(Service.code)))
        added = 0
        for service in self._ctx.reference.catalogue:
            if service.code in existing:
                continue
            session.add(
                Service(
                    code=service.code,
                    name=service.name,
                    service_group=service.group.value,
                    sla_days=service.sla_days,
                    handled_at_dinas=service.handled_by_dinas,
                    handled_at_upt=service.handled_by_upt,
                    active=True,
                )
            )
            added += 1
        return added

    def _load_locations(self, session: Session) -> int:
        existing = set(session.scalars(select(Location.code)))
        covered = set(session.scalars(select(LocationKecamatan.kecamatan_code)))
        added = 0
        if DINAS_CODE not in existing:
            session.add(
                Location(
                    code=DINAS_CODE,
                    name=DINAS_NAME,
                    kind=DINAS_KIND,
                    address="",
                    active=True,
                )
            )
            added += 1
        for kecamatan in self._ctx.reference.wilayah.kecamatan_list:
            code = upt_code(kecamatan.code)
            if code not in existing:
                session.add(
                    Location(
                        code=code,
                        name=upt_name(kecamatan.name),
                        kind=UPT_KIND,
                        address="",
                        active=True,
                    )
                )
                added += 1
            session.flush()
            if kecamatan.code not in covered and code not in existing:
                session.add(LocationKecamatan(kecamatan_code=kecamatan.code, location_code=code))
        return added


class LocationOps:
    """Read and edit the offices and which kecamatan each UPT covers."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def list(self) -> list[LocationRow]:
        """Return every location with its kecamatan, dinas first."""
        with self._ctx.reading() as session:
            coverage: dict[str, list[str]] = {}
            for link in session.scalars(select(LocationKecamatan)):
                coverage.setdefault(link.location_code, []).append(link.kecamatan_code)
            rows = session.scalars(select(Location).order_by(Location.kind, Location.code))
            return [
                LocationRow(
                    loc.code,
                    loc.name,
                    loc.kind,
                    loc.active,
                    tuple(sorted(coverage.get(loc.code, []))),
                )
                for loc in rows
            ]

    def assign_kecamatan(self, actor: Actor, kecamatan_code: str, location_code: str) -> None:
        """Make the UPT ``location_code`` cover ``kecamatan_code`` (moving it from another UPT)."""
        require(actor, Permission.MANAGE_LOCATIONS)
        if self._ctx.reference.wilayah.kecamatan(kecamatan_code) is None:
            raise NotFound(f"Kecamatan '{kecamatan_code}' tidak dikenal")
        with self._ctx.unit_of_work() as session:
            location = session.get(Location, location_code)
            if location is None or location.kind != UPT_KIND:
                raise NotFound(f"UPT '{location_code}' tidak dikenal")
            link = session.get(LocationKecamatan, kecamatan_code)
            before = link.location_code if link else None
            if link is None:
                session.add(
                    LocationKecamatan(kecamatan_code=kecamatan_code, location_code=location_code)
                )
            else:
                link.location_code = location_code
            record(
                self._ctx,
                session,
                actor,
                "location_assign",
                "location_kecamatan",
                kecamatan_code,
                before={"location": before},
                after={"location": location_code},
            )


def postgresql_ddl() -> str:
    """Return the PostgreSQL DDL of the whole database (the content of ``schema.sql``)."""
    header = (
        "-- Disdukcapil Desk: PostgreSQL schema of the shared database.\n"
        "-- Generated from the SQLAlchemy models by `disdukcapil-desk db schema-sql`;\n"
        "-- a test builds a database from this file and compares it with the models.\n"
        "-- The intake contract: incoming_request, incoming_attachment (written by the\n"
        "-- channels) and service_request (read back by them).\n\n"
    )
    body = "\n".join(line.rstrip() for line in schema.postgresql_ddl().splitlines())
    return header + body + "\n"
