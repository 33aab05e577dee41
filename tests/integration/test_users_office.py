"""Login with lockout, user administration, locations and office settings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select

from disdukcapil_desk.db.models import (
    SCHEMA_VERSION,
    AppUser,
    AuditLog,
    ServiceRequest,
)
from disdukcapil_desk.domain.dto import Actor, QueueFilter
from disdukcapil_desk.domain.errors import (
    AuthError,
    DeskError,
    NotFound,
    PermissionDenied,
    SchemaVersionError,
)
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import LocationOps, SetupOps
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, UserOps
from tests.conftest import TEST_PASSWORD, FakeClock
from tests.integration.test_intake import ingest_rows, sample_row
from tests.integration.test_queue import seed
from tests.integration.version_1 import back_to_version_1


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


# -- user administration ------------------------------------------------------------------------


def _audit(ctx: DeskContext, action: str) -> list[AuditLog]:
    with ctx.sessions() as session:
        entries = session.scalars(select(AuditLog).where(AuditLog.action == action))
        return list(entries.all())


def _lock(users: UserOps, login: str) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            users.authenticate(login, "keliru-sekali")


def test_a_reset_password_unlocks_and_must_be_changed_at_next_login(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ops = UserOps(ctx)
    _lock(ops, "loket.dinas")
    with pytest.raises(PermissionDenied):
        ops.reset_password(users["kasi.dinas"], "loket.dinas", "sementara-1")
    with pytest.raises(DeskError, match="minimal 8"):
        ops.reset_password(users["admin"], "loket.dinas", "pendek")
    with pytest.raises(NotFound):
        ops.reset_password(users["admin"], "tidak.ada", "sementara-1")
    change = ops.reset_password(users["admin"], "Loket.Dinas", "sementara-1")
    assert change.user.must_change_password and change.user.locked_until is None
    with pytest.raises(AuthError, match="salah"):
        ops.authenticate("loket.dinas", TEST_PASSWORD)
    actor = ops.authenticate("loket.dinas", "sementara-1")
    assert actor.must_change_password
    (entry,) = _audit(ctx, "user_password_reset")
    assert (entry.actor, entry.entity_key) == ("admin", "loket.dinas")
    assert "sementara-1" not in (entry.after or "") + entry.detail
    # the officer chooses their own; the flag goes
    with pytest.raises(DeskError, match="berbeda"):
        ops.change_own_password(actor, "sementara-1", "sementara-1")
    ops.change_own_password(actor, "sementara-1", "pilihan-sendiri-9")
    assert not ops.authenticate("loket.dinas", "pilihan-sendiri-9").must_change_password
    (own,) = _audit(ctx, "password_change")
    assert own.actor == "loket.dinas"
    # an administrator may hand out a password that need not be changed
    ops.reset_password(users["admin"], "loket2.dinas", "tetap-saja-1", force_change=False)
    assert not ops.authenticate("loket2.dinas", "tetap-saja-1").must_change_password


def test_changing_ones_own_password_needs_the_old_one(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ops = UserOps(ctx)
    officer = users["operator.dinas"]
    with pytest.raises(DeskError, match="minimal 8"):
        ops.change_own_password(officer, TEST_PASSWORD, "123")
    with pytest.raises(DeskError, match="spasi"):
        ops.change_own_password(officer, TEST_PASSWORD, " dengan-spasi ")
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthError, match="lama salah"):
            ops.change_own_password(officer, "bukan-sandinya", "sandi-baru-99")
    with pytest.raises(AuthError, match="lama salah"):
        ops.change_own_password(officer, "bukan-sandinya", "sandi-baru-99")
    with pytest.raises(AuthError, match="terkunci"):
        ops.change_own_password(officer, TEST_PASSWORD, "sandi-baru-99")
    assert _audit(ctx, "account_locked"), "wrong old passwords lock like wrong logins"
    ops.unlock(users["admin"], "operator.dinas")
    ops.change_own_password(officer, TEST_PASSWORD, "sandi-baru-99")
    assert ops.authenticate("operator.dinas", "sandi-baru-99").login == "operator.dinas"


def test_an_administrator_unlocks_a_locked_account(
    ctx: DeskContext, users: dict[str, Actor], clock: FakeClock
) -> None:
    ops = UserOps(ctx)
    assert not ops.unlock(users["admin"], "loket.dinas").changed
    _lock(ops, "loket.dinas")
    row = next(u for u in ops.list() if u.login == "loket.dinas")
    assert row.locked_until == clock() + dt.timedelta(minutes=15)
    clock.advance(minutes=16)
    assert next(u for u in ops.list() if u.login == "loket.dinas").locked_until is None
    clock.advance(minutes=-16)
    with pytest.raises(PermissionDenied):
        ops.unlock(users["loket2.dinas"], "loket.dinas")
    change = ops.unlock(users["admin"], "loket.dinas")
    assert change.changed and change.user.locked_until is None
    assert ops.authenticate("loket.dinas", TEST_PASSWORD).login == "loket.dinas"
    (entry,) = _audit(ctx, "user_unlock")
    assert (entry.actor, entry.entity_key) == ("admin", "loket.dinas")


def test_a_deactivated_leaver_cannot_log_in_and_their_requests_go_back(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ids = seed(ctx, 3)
    queue = QueueOps(ctx)
    queue.claim(users["loket.dinas"], ids[0])
    queue.claim(users["loket.dinas"], ids[1])
    queue.claim(users["loket2.dinas"], ids[2])
    ops = UserOps(ctx)
    with pytest.raises(PermissionDenied):
        ops.deactivate(users["kasi.dinas"], "loket.dinas")
    change = ops.deactivate(users["admin"], "loket.dinas")
    assert not change.user.active and len(change.released) == 2
    with pytest.raises(AuthError, match="salah"):
        ops.authenticate("loket.dinas", TEST_PASSWORD)
    with ctx.sessions() as session:
        held = {r.id: (r.status, r.claimed_by) for r in session.scalars(select(ServiceRequest))}
    assert held[ids[0]] == held[ids[1]] == ("new", None)
    assert held[ids[2]] == ("in_review", users["loket2.dinas"].user_id)
    (entry,) = _audit(ctx, "user_deactivate")
    assert (entry.actor, entry.entity_key) == ("admin", "loket.dinas")
    assert "pengguna loket.dinas dinonaktifkan oleh admin" in {
        e.detail for e in _audit(ctx, "expire")
    }
    assert not ops.deactivate(users["admin"], "loket.dinas").changed
    # back again: a fresh start
    assert ops.activate(users["admin"], "loket.dinas").user.active
    assert ops.authenticate("loket.dinas", TEST_PASSWORD).login == "loket.dinas"
    assert [e.actor for e in _audit(ctx, "user_activate")] == ["admin"]
    assert not ops.activate(users["admin"], "loket.dinas").changed


def test_the_office_keeps_an_active_administrator(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ops = UserOps(ctx)
    with pytest.raises(DeskError, match="sendiri"):
        ops.deactivate(users["admin"], "admin")
    cli_admin = Actor("cli:root", Role.ADMIN)
    with pytest.raises(DeskError, match="terakhir"):
        ops.deactivate(cli_admin, "admin")
    with pytest.raises(DeskError, match="terakhir"):
        ops.set_role(users["admin"], "admin", Role.SECTION_HEAD)
    ops.add(users["admin"], "admin2", "sandi-admin-2", Role.ADMIN, location_code="DINAS")
    second = ops.actor("admin2")
    ops.deactivate(second, "admin")
    with pytest.raises(DeskError, match="terakhir"):
        ops.set_role(cli_admin, "admin2", Role.COUNTER)
    with pytest.raises(DeskError, match="sendiri"):
        ops.deactivate(second, "admin2")
    ops.activate(second, "admin")
    assert ops.set_role(second, "admin", Role.SECTION_HEAD).user.role is Role.SECTION_HEAD
    admins = [u.login for u in ops.list() if u.role is Role.ADMIN and u.active]
    assert admins == ["admin2"]


def test_role_and_location_change_is_audited_and_releases_held_requests(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    (request_id,) = seed(ctx, 1)
    QueueOps(ctx).claim(users["loket.dinas"], request_id)
    ops = UserOps(ctx)
    with pytest.raises(PermissionDenied):
        ops.set_role(users["kasi.dinas"], "loket.dinas", Role.VERIFIER)
    with pytest.raises(NotFound, match="Lokasi"):
        ops.set_role(users["admin"], "loket.dinas", Role.COUNTER, "NOWHERE")
    assert not ops.set_role(users["admin"], "loket.dinas", Role.COUNTER).changed
    change = ops.set_role(users["admin"], "loket.dinas", Role.COUNTER, "UPT-05")
    assert (change.user.role, change.user.location_code) == (Role.COUNTER, "UPT-05")
    assert len(change.released) == 1
    actor = ops.authenticate("loket.dinas", TEST_PASSWORD)
    assert actor.location_code == "UPT-05"
    kept = ops.set_role(users["admin"], "loket.dinas", Role.VERIFIER)
    assert (kept.user.role, kept.user.location_code) == (Role.VERIFIER, "UPT-05")
    assert ops.set_role(users["admin"], "loket.dinas", Role.VERIFIER, "").user.location_code is None
    entries = _audit(ctx, "user_role")
    assert [e.actor for e in entries] == ["admin"] * 3
    assert '"location":"UPT-05"' in (entries[0].after or "").replace(" ", "")


def test_version_1_databases_get_the_password_change_flag(ctx: DeskContext) -> None:
    back_to_version_1(ctx)
    with pytest.raises(SchemaVersionError, match="ditingkatkan"):
        SetupOps(ctx).check()
    assert SetupOps(ctx).upgrade() == [2, 3, 4, 5, 6, 7, 8, 9]
    assert SCHEMA_VERSION == 9 and SetupOps(ctx).check() == 9
    with ctx.engine.connect() as conn:
        indexes = {i["name"] for i in inspect(conn).get_indexes("service_request")}
    assert "ix_service_request_status_received" in indexes, "version 4's queue index"
    ops = UserOps(ctx)
    assert not ops.authenticate("admin", TEST_PASSWORD).must_change_password
    assert not any(u.must_change_password for u in ops.list())
