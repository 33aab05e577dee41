"""Login with lockout, user administration, locations and office settings."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from disdukcapil_desk.db.models import AppUser, AuditLog
from disdukcapil_desk.domain.dto import Actor, QueueFilter
from disdukcapil_desk.domain.errors import AuthError, DeskError, PermissionDenied
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import LocationOps
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, UserOps
from tests.conftest import TEST_PASSWORD, FakeClock
from tests.integration.test_intake import ingest_rows, sample_row


def test_login_lockout_and_unlock_after_a_while(ctx: DeskContext, clock: FakeClock) -> None:
    users = UserOps(ctx)
    assert users.authenticate("Loket.Dinas", TEST_PASSWORD).role is Role.COUNTER
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError, match="salah"):
            users.authenticate("loket.dinas", "keliru-sekali")
    with pytest.raises(AuthError, match="terkunci"):
        users.authenticate("loket.dinas", TEST_PASSWORD)
    clock.advance(minutes=16)
    assert users.authenticate("loket.dinas", TEST_PASSWORD).login == "loket.dinas"
    with ctx.sessions() as session:
        locked = session.scalars(select(AuditLog).where(AuditLog.action == "account_locked"))
        assert len(locked.all()) == 1
        stored = session.scalar(select(AppUser.password_hash).where(AppUser.login == "admin"))
    assert stored is not None and TEST_PASSWORD not in stored
    with pytest.raises(AuthError):
        users.authenticate("tidak.ada", TEST_PASSWORD)


def test_only_admins_add_users_and_logins_are_unique(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ops = UserOps(ctx)
    with pytest.raises(PermissionDenied):
        ops.add(users["kasi.dinas"], "baru", "sandi-baru-1", Role.COUNTER)
    ops.add(users["admin"], "baru", "sandi-baru-1", Role.COUNTER, location_code="UPT-05")
    with pytest.raises(DeskError, match="sudah dipakai"):
        ops.add(users["admin"], "BARU", "sandi-baru-1", Role.COUNTER)
    with pytest.raises(DeskError, match="login"):
        ops.add(users["admin"], "spasi di tengah", "sandi-baru-1", Role.COUNTER)


def test_reassigning_a_kecamatan_changes_routing(ctx: DeskContext, users: dict[str, Actor]) -> None:
    locations = LocationOps(ctx)
    assert "360415" in next(loc for loc in locations.list() if loc.code == "UPT-15").kecamatan_codes
    with pytest.raises(PermissionDenied):
        locations.assign_kecamatan(users["kasi.dinas"], "360415", "UPT-16")
    locations.assign_kecamatan(users["admin"], "360415", "UPT-16")
    ingest_rows(ctx, sample_row("wa-1003"))
    rows = QueueOps(ctx).page(users["kasi.dinas"], QueueFilter(location_code="UPT-16")).rows
    assert [r.service_code for r in rows] == ["kia"]


def test_office_settings_are_shared_and_audited(ctx: DeskContext, users: dict[str, Actor]) -> None:
    office = OfficeOps(ctx)
    assert office.get().government == "PEMERINTAH KABUPATEN SERANG"
    with pytest.raises(PermissionDenied):
        office.update(users["loket.dinas"], {"head_name": "X"})
    with pytest.raises(DeskError, match="tidak dikenal"):
        office.update(users["admin"], {"warna": "biru"})
    updated = office.update(
        users["admin"], {"head_name": " Drs. H. Contoh, M.Si ", "head_nip": "196801011990031001"}
    )
    assert (updated.head_name, office.get().head_nip) == (
        "Drs. H. Contoh, M.Si",
        "196801011990031001",
    )
    with ctx.sessions() as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "office_settings")).one()
    assert entry.actor == "admin" and "196801011990031001" in (entry.after or "")
