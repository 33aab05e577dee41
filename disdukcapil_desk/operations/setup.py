"""Preparing a database: schema, catalogue, locations, first administrator (operations layer).

The ``service`` table follows the catalogue (``resources/catalogue/services.json``): names, groups,
SLA and where a service is handled are brought in step on ``db init``, ``db upgrade`` and at every
start of the window or a command; a service the catalogue no longer lists becomes inactive and
is never deleted (requests refer to it). Only differences are written, with one audit entry.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from disdukcapil_desk.db import schema
from disdukcapil_desk.db.migrations.v2_parties import PARTIES_VERSION
from disdukcapil_desk.db.migrations.v4_key_custody import KEPT, KEY_KEEPER
from disdukcapil_desk.db.repositories import setup as repo
from disdukcapil_desk.db.repositories.setup import ServiceRecord
from disdukcapil_desk.domain.catalogue import Catalogue
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor, LocationRow
from disdukcapil_desk.domain.errors import DeskError, NotFound
from disdukcapil_desk.domain.routing import DINAS_KIND, UPT_KIND
from disdukcapil_desk.domain.workflow import Permission, Role, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.audit_key import create_key_file
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.users import UserOps

DINAS_CODE = "DINAS"
DINAS_NAME = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Serang"
ADMIN_SETUP_ACTOR = Actor(login="system", role=Role.ADMIN, full_name="Penyiapan basis data")
CATALOGUE_SYNC = "catalogue_sync"
"""The audit action of bringing the ``service`` table in step with the catalogue."""


@dataclass(frozen=True)
class InitReport:
    """What ``db init`` did."""

    schema_created: bool
    services_added: int
    locations_added: int
    admin_created: str | None
    audit_key_created: Path | None = None
    """The office's new audit key file (a new database on a workstation without one)."""


@dataclass(frozen=True)
class CatalogueSync:
    """What bringing the ``service`` table in step with the catalogue changed."""

    added: tuple[str, ...] = ()
    changed: dict[str, dict[str, tuple[object, object]]] = field(default_factory=dict)
    """``{code: {column: (before, after)}}`` of the rows that were already there."""

    @property
    def empty(self) -> bool:
        """Whether the table already matched the catalogue."""
        return not self.added and not self.changed

    def describe(self) -> str:
        """One Indonesian line for the audit log and the console."""
        parts = [f"{code}: ditambahkan" for code in self.added]
        parts += [
            f"{code}: " + ", ".join(f"{col} {old!r} → {new!r}" for col, (old, new) in cols.items())
            for code, cols in self.changed.items()
        ]
        return "Layanan disesuaikan dengan katalog — " + "; ".join(parts)


def upt_name(kecamatan_name: str) -> str:
    """Return the name of the UPT of a kecamatan."""
    return f"UPT Pelayanan Kependudukan Kecamatan {kecamatan_name}"


def upt_code(kecamatan_code: str) -> str:
    """Return the location code of the UPT of a kecamatan, e.g. ``UPT-05`` for 360405."""
    return f"UPT-{kecamatan_code[-2:]}"


def catalogue_records(catalogue: Catalogue) -> dict[str, ServiceRecord]:
    """What the ``service`` table should hold for each service of the catalogue."""
    return {
        s.code: ServiceRecord(
            s.code,
            s.name,
            s.group.value,
            s.sla_days,
            s.handled_by_dinas,
            s.handled_by_upt,
        )
        for s in catalogue
    }


class SetupOps:
    """Create and upgrade the database and its master data."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx
        self.keys_moved_to: str | None = None
        """Where the last :meth:`upgrade` put the keys the database held (None: it held none)."""

    def init(self, admin_login: str | None = None, admin_password: str | None = None) -> InitReport:
        """Create or check the schema, load the catalogue and locations, add the first admin.

        A new database on a workstation that has no audit key gets one (the office's key: copy
        it to the other workstations); its first entries are keyed. Safe to run again: services
        follow the catalogue (see the module), offices that exist
        are kept (an administrator's edits win), missing ones are added, and no second
        first-administrator is created.
        """
        with self._ctx.database_errors():
            created = schema.create_schema(self._ctx.engine)
            schema.check_schema(self._ctx.engine)
        key_file = self._ctx.audit_key_file
        new_key = created and key_file is not None and not key_file.exists()
        if new_key and key_file is not None:
            create_key_file(key_file)
        with self._ctx.unit_of_work() as session:
            sync = self._sync_services(session)
            locations = self._load_locations(session)
            if sync.added or locations:
                record(
                    self._ctx,
                    session,
                    SYSTEM_ACTOR,
                    "db_init",
                    "database",
                    "master",
                    after={"services": len(sync.added), "locations": locations},
                )
            if sync.changed:
                self._record_sync(session, CatalogueSync(changed=sync.changed))
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
        return InitReport(created, len(sync.added), locations, admin, key_file if new_key else None)

    def upgrade(self, key_folder: Path | None = None) -> list[int]:
        """Apply pending schema migrations (``db upgrade``), then the data steps they need, and
        bring the services in step with the catalogue. Keys a version-3 database held go to
        ``key_folder`` (default: this OS user's key folder) before they are wiped there.
        """
        from disdukcapil_desk.operations.documents.custody import (
            KeyFolder,
            key_folder_of,
            legacy_key_keeper,
        )

        folder = KeyFolder(key_folder or key_folder_of(self._ctx))
        keeper = KEY_KEEPER.set(legacy_key_keeper(folder))
        kept = KEPT.set(None)
        try:
            with self._ctx.database_errors():
                applied = schema.upgrade_schema(self._ctx.engine)
            moved = KEPT.get()
            self.keys_moved_to = moved.where if moved is not None else None
        finally:
            KEY_KEEPER.reset(keeper)
            KEPT.reset(kept)
        if PARTIES_VERSION in applied:
            IntakeOps(self._ctx).refresh_parties()
        self.sync_catalogue()
        return applied

    def start(self) -> CatalogueSync:
        """What the window and every command do first: check the schema, then bring the
        services in step with the catalogue (a read when nothing changed).

        Raises:
            SchemaVersionError: the schema is missing, older or newer than this desk.
            DatabaseError: the database cannot be used.
        """
        self.check()
        return self.sync_catalogue()

    def sync_catalogue(self) -> CatalogueSync:
        """Write the catalogue's differences into ``service``, with one audit entry.

        Returns:
            What changed (empty when the table already matched: then nothing was written).
        """
        with self._ctx.reading() as session:
            if self._service_differences(repo.services(session)).empty:
                return CatalogueSync()
        with self._ctx.unit_of_work() as session:
            sync = self._sync_services(session)
            if not sync.empty:
                self._record_sync(session, sync)
            return sync

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
            return repo.has_admin(session)

    def _service_differences(self, stored: dict[str, ServiceRecord]) -> CatalogueSync:
        wanted = catalogue_records(self._ctx.reference.catalogue)
        for code, row in stored.items():
            if code not in wanted:
                wanted[code] = dataclasses.replace(row, active=False)
        added = tuple(code for code in wanted if code not in stored)
        changed = {
            code: stored[code].changes(target)
            for code, target in wanted.items()
            if code in stored and stored[code].changes(target)
        }
        return CatalogueSync(added, changed)

    def _sync_services(self, session: Session) -> CatalogueSync:
        stored = repo.services(session)
        sync = self._service_differences(stored)
        wanted = catalogue_records(self._ctx.reference.catalogue)
        for code in sync.added:
            repo.add_service(session, wanted[code])
        for code in sync.changed:
            target = wanted.get(code) or dataclasses.replace(stored[code], active=False)
            repo.update_service(session, target)
        return sync

    def _record_sync(self, session: Session, sync: CatalogueSync) -> None:
        changed = sync.changed.items()
        record(
            self._ctx,
            session,
            SYSTEM_ACTOR,
            CATALOGUE_SYNC,
            "service",
            "catalogue",
            before={code: {c: old for c, (old, _) in cols.items()} for code, cols in changed},
            after={
                "added": list(sync.added),
                **{code: {c: new for c, (_, new) in cols.items()} for code, cols in changed},
            },
            detail=sync.describe(),
        )

    def _load_locations(self, session: Session) -> int:
        existing = repo.location_codes(session)
        covered = repo.covered_kecamatan(session)
        added = 0
        if DINAS_CODE not in existing:
            repo.add_location(session, DINAS_CODE, DINAS_NAME, DINAS_KIND)
            added += 1
        for kecamatan in self._ctx.reference.wilayah.kecamatan_list:
            code = upt_code(kecamatan.code)
            if code in existing:
                continue
            repo.add_location(session, code, upt_name(kecamatan.name), UPT_KIND)
            added += 1
            if kecamatan.code not in covered:
                repo.set_covering_location(session, kecamatan.code, code)
        return added


class LocationOps:
    """Read and edit the offices and which kecamatan each UPT covers."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def list(self) -> list[LocationRow]:
        """Return every location with its kecamatan, dinas first."""
        with self._ctx.reading() as session:
            return repo.location_rows(session)

    def assign_kecamatan(self, actor: Actor, kecamatan_code: str, location_code: str) -> None:
        """Make the UPT ``location_code`` cover ``kecamatan_code`` (moving it from another UPT)."""
        require(actor, Permission.MANAGE_LOCATIONS)
        if self._ctx.reference.wilayah.kecamatan(kecamatan_code) is None:
            raise NotFound(f"Kecamatan '{kecamatan_code}' tidak dikenal")
        with self._ctx.unit_of_work() as session:
            if repo.location_kind(session, location_code) != UPT_KIND:
                raise NotFound(f"UPT '{location_code}' tidak dikenal")
            before = repo.covering_location(session, kecamatan_code)
            repo.set_covering_location(session, kecamatan_code, location_code)
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
