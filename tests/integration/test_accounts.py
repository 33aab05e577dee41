"""Accounts: the raised hash cost with rehash at login, logins that do not tell which accounts
exist, and a lockout that cannot shut the office out (issue 17, point 9)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from disdukcapil_desk.db.models import AppUser, AuditLog
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import AuthError
from disdukcapil_desk.domain.passwords import (
    CURRENT_COST,
    LEGACY_COST,
    dummy_hash,
    hash_cost,
    hash_password,
)
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations import users as users_module
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, THROTTLE_SECONDS, UserOps
from tests.conftest import TEST_PASSWORD, FakeClock


def _stored_hash(ctx: DeskContext, login: str) -> str:
    with ctx.sessions() as session:
        stored = session.scalar(select(AppUser.password_hash).where(AppUser.login == login))
    assert stored is not None
    return stored


def _set_hash(ctx: DeskContext, login: str, stored: str) -> None:
    with ctx.sessions() as session, session.begin():
        session.execute(update(AppUser).where(AppUser.login == login).values(password_hash=stored))


def _audit(ctx: DeskContext, action: str) -> list[AuditLog]:
    with ctx.sessions() as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_an_old_hash_is_rehashed_at_the_next_correct_login(ctx: DeskContext) -> None:
    _set_hash(ctx, "loket.dinas", hash_password(TEST_PASSWORD, LEGACY_COST))
    ops = UserOps(ctx)
    with pytest.raises(AuthError):
        ops.authenticate("loket.dinas", "keliru-sekali")
    assert hash_cost(_stored_hash(ctx, "loket.dinas")) == LEGACY_COST, "no rehash on failure"
    assert ops.authenticate("loket.dinas", TEST_PASSWORD).login == "loket.dinas"
    fresh = _stored_hash(ctx, "loket.dinas")
    assert hash_cost(fresh) == CURRENT_COST
    (entry,) = _audit(ctx, "password_rehash")
    assert (entry.actor, entry.entity_key) == ("loket.dinas", "loket.dinas")
    assert "N=16384" in (entry.before or "") and f"N={CURRENT_COST.n}" in (entry.after or "")
    assert TEST_PASSWORD not in (entry.before or "") + (entry.after or "")
    # the same password still works, and a hash already current is left alone
    assert ops.authenticate("loket.dinas", TEST_PASSWORD).login == "loket.dinas"
    assert _stored_hash(ctx, "loket.dinas") == fresh and len(_audit(ctx, "password_rehash")) == 1


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stored hashes the login verified passwords against, in order."""
    seen: list[str] = []
    real = users_module.verify_password

    def spy(password: str, stored: str) -> bool:
        seen.append(stored)
        return real(password, stored)

    monkeypatch.setattr(users_module, "verify_password", spy)
    return seen


def test_a_login_naming_no_usable_account_costs_a_full_verification(
    ctx: DeskContext, users: dict[str, Actor], checked: list[str]
) -> None:
    ops = UserOps(ctx)
    with pytest.raises(AuthError, match="Login atau kata sandi salah"):
        ops.authenticate("tidak.ada", TEST_PASSWORD)
    assert checked == [dummy_hash()]
    ops.deactivate(users["admin"], "loket2.dinas")
    with pytest.raises(AuthError, match="Login atau kata sandi salah"):
        ops.authenticate("loket2.dinas", TEST_PASSWORD)
    assert checked[-1] == dummy_hash()
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            ops.authenticate("loket.dinas", "keliru-sekali")
    real = _stored_hash(ctx, "loket.dinas")
    assert checked[-1] == real
    with pytest.raises(AuthError, match="terkunci"):
        ops.authenticate("loket.dinas", TEST_PASSWORD)
    assert checked[-1] == dummy_hash(), "a locked account is no oracle for its password"
    assert hash_cost(real) == hash_cost(dummy_hash()) == CURRENT_COST


def _add_admin(ctx: DeskContext, users: dict[str, Actor], login: str) -> None:
    UserOps(ctx).add(users["admin"], login, TEST_PASSWORD, Role.ADMIN, location_code="DINAS")


def test_the_last_administrator_is_slowed_down_never_locked(
    ctx: DeskContext, clock: FakeClock
) -> None:
    waits: list[float] = []
    ops = UserOps(ctx, sleep=waits.append)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError, match="salah"):
            ops.authenticate("admin", "keliru-sekali")
    assert waits == [] and not _audit(ctx, "account_locked")
    (entry,) = _audit(ctx, "account_throttled")
    assert entry.entity_key == "admin" and "tidak dikunci" in entry.detail
    with pytest.raises(AuthError, match="salah"):
        ops.authenticate("admin", "keliru-lagi")
    assert waits == [THROTTLE_SECONDS]
    actor = ops.authenticate("admin", TEST_PASSWORD)
    assert actor.login == "admin" and waits == [THROTTLE_SECONDS] * 2
    ops.authenticate("admin", TEST_PASSWORD)
    assert len(waits) == 2, "a correct login ends the slowdown"


def test_other_administrators_lock_until_only_one_can_still_log_in(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    _add_admin(ctx, users, "admin2")
    waits: list[float] = []
    ops = UserOps(ctx, sleep=waits.append)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            ops.authenticate("admin2", "keliru-sekali")
    with pytest.raises(AuthError, match="terkunci"):
        ops.authenticate("admin2", TEST_PASSWORD)
    # admin2 is locked: admin is now the only way in, so typing wrong passwords only slows it
    for _ in range(MAX_FAILED_LOGINS + 1):
        with pytest.raises(AuthError, match="salah"):
            ops.authenticate("admin", "keliru-sekali")
    assert ops.authenticate("admin", TEST_PASSWORD).login == "admin"
    assert [e.entity_key for e in _audit(ctx, "account_locked")] == ["admin2"]
    assert waits == [THROTTLE_SECONDS] * 2
    # and the administrator who got in unlocks the other
    assert ops.unlock(users["admin"], "admin2").changed
    assert ops.authenticate("admin2", TEST_PASSWORD).login == "admin2"


def test_officers_still_lock(ctx: DeskContext) -> None:
    waits: list[float] = []
    ops = UserOps(ctx, sleep=waits.append)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            ops.authenticate("kasi.dinas", "keliru-sekali")
    with pytest.raises(AuthError, match="terkunci"):
        ops.authenticate("kasi.dinas", TEST_PASSWORD)
    assert waits == [] and not _audit(ctx, "account_throttled")
