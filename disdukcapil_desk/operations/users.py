"""Users, roles and login; the administrator's user management (operations layer).

Every change is one transaction with its audit entry (the administrator as actor). The rules
a records office needs: a reset password must be changed at the next login, a deactivated
user cannot log in and the requests they held go back to the queue, and the office never loses
its last active administrator.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import reference
from disdukcapil_desk.db.repositories import users as repo
from disdukcapil_desk.db.repositories.requests import RequestRecord
from disdukcapil_desk.db.repositories.users import UserRecord
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor, UserChange, UserRow
from disdukcapil_desk.domain.errors import AuthError, DeskError, NotFound
from disdukcapil_desk.domain.passwords import (
    ScryptCost,
    dummy_hash,
    hash_cost,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from disdukcapil_desk.domain.workflow import Action, Permission, Role, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
THROTTLE_SECONDS = 3.0
"""How long each login attempt of a slowed-down (never locked) last administrator waits."""
WRONG_LOGIN = "Login atau kata sandi salah"


@dataclass(frozen=True, slots=True)
class _LoginState:
    """What a login needs to know of an account, read before the password is checked."""

    login: str
    password_hash: str
    active: bool
    failed_logins: int
    locked_until: dt.datetime | None
    actor: Actor
    read_at: dt.datetime
    """When it was read: the server's time on PostgreSQL (a lockout is the server's too)."""


class UserOps:
    """Create users, log them in, and let administrators manage them."""

    def __init__(self, ctx: DeskContext, *, sleep: Callable[[float], None] = time.sleep) -> None:
        """Bind to the desk context; ``sleep`` waits before a slowed-down login attempt."""
        self._ctx = ctx
        self._sleep = sleep

    def add(
        self,
        actor: Actor,
        login: str,
        password: str,
        role: Role,
        *,
        full_name: str = "",
        location_code: str | None = None,
        nip: str = "",
    ) -> UserRow:
        """Create a user (administrators only; the desk itself during ``db init``).

        Raises:
            PermissionDenied: the actor may not manage users.
            DeskError: invalid login or password, unknown location, login taken.
        """
        require(actor, Permission.MANAGE_USERS)
        login = login.strip().lower()
        if not login or not login.replace(".", "").replace("_", "").isalnum():
            raise DeskError("Nama login hanya boleh huruf, angka, titik dan garis bawah")
        _check_strength(password)
        with self._ctx.unit_of_work() as session:
            if repo.by_login(session, login) is not None:
                raise DeskError(f"Login '{login}' sudah dipakai")
            _check_location(session, location_code)
            user = repo.insert(
                session,
                login=login,
                full_name=full_name.strip() or login,
                nip=nip.strip(),
                role=role,
                location_code=location_code or None,
                password_hash=hash_password(password),
                created_at=self._ctx.now(session),
            )
            self._audit(
                session,
                actor,
                "user_add",
                user,
                after={"role": role.value, "location": location_code},
            )
            return _row(user, self._ctx.now(session))

    # -- logging in ----------------------------------------------------------------------------

    def authenticate(self, login: str, password: str) -> Actor:
        """Return the actor for a correct login; count failures and lock after too many.

        The password is checked outside any transaction, and always against a hash of the
        current cost: a login naming no account, an inactive or a locked one is checked against
        :func:`dummy_hash`, so the answer takes as long as for a real account and does not tell
        which logins exist. A correct password with a hash of older parameters is rehashed.

        Too many wrong passwords lock an account for :data:`LOCKOUT`, except the last
        administrator who could still log in: their logins are slowed down (each attempt waits
        :data:`THROTTLE_SECONDS` first) instead, so a stranger typing wrong passwords cannot
        shut the office out of its own desk. The actor says when the password must be changed
        before working (after a reset).

        Raises:
            AuthError: unknown login, wrong password, inactive or locked account.
        """
        state = self._login_state(_normal(login))
        if state is not None and state.failed_logins >= MAX_FAILED_LOGINS:
            self._sleep(THROTTLE_SECONDS)
        if state is None or not state.active:
            verify_password(password, dummy_hash())
            raise AuthError(WRONG_LOGIN)
        if _is_locked(state.locked_until, state.read_at):
            verify_password(password, dummy_hash())
            raise _locked_error(state.locked_until)
        if not verify_password(password, state.password_hash):
            with self._ctx.unit_of_work() as session:
                user = _load(session, state.login)
                self._register_failure(session, user, self._ctx.now(session))
            raise AuthError(WRONG_LOGIN)
        fresh = hash_password(password) if needs_rehash(state.password_hash) else None
        return self._logged_in(state, fresh)

    def _login_state(self, login: str) -> _LoginState | None:
        with self._ctx.reading() as session:
            user = repo.by_login(session, login)
            if user is None:
                return None
            return _LoginState(
                user.login,
                user.password_hash,
                user.active,
                user.failed_logins,
                user.locked_until,
                _actor(user),
                self._ctx.now(session),
            )

    def _logged_in(self, state: _LoginState, fresh_hash: str | None) -> Actor:
        """Clear the failures of a correct login and store ``fresh_hash`` if it is given."""
        if fresh_hash is None and state.failed_logins == 0 and state.locked_until is None:
            return state.actor
        with self._ctx.unit_of_work() as session:
            user = _load(session, state.login)
            user.failed_logins = 0
            user.locked_until = None
            if fresh_hash is not None and user.password_hash == state.password_hash:
                self._rehash(session, user, fresh_hash)
            return _actor(user)

    def _rehash(self, session: Session, user: UserRecord, fresh_hash: str) -> None:
        """Store the same password hashed at the current cost (audited, without any secret)."""
        before, after = hash_cost(user.password_hash), hash_cost(fresh_hash)
        user.password_hash = fresh_hash
        record(
            self._ctx,
            session,
            Actor(user.login, None),
            "password_rehash",
            "app_user",
            user.login,
            before={"scrypt": _cost_text(before)},
            after={"scrypt": _cost_text(after)},
        )

    def change_own_password(self, actor: Actor, old_password: str, new_password: str) -> None:
        """Let a logged-in user choose a new password; the old one is asked again.

        A wrong old password counts as a failed login (and locks like one).

        Raises:
            AuthError: the old password is wrong, or the account is inactive or locked.
            DeskError: the new password is too weak or the same as the old one.
        """
        _check_strength(new_password)
        if new_password == old_password:
            raise DeskError("Kata sandi baru harus berbeda dari kata sandi lama")
        with self._ctx.unit_of_work() as session:
            now = self._ctx.now(session)
            user = repo.by_login(session, _normal(actor.login), for_update=True)
            if user is None or not user.active:
                raise AuthError("Akun ini tidak aktif lagi")
            if _is_locked(user.locked_until, now):
                raise _locked_error(user.locked_until)
            if not verify_password(old_password, user.password_hash):
                self._register_failure(session, user, now)
                failure = AuthError("Kata sandi lama salah")
            else:
                user.password_hash = hash_password(new_password)
                user.must_change_password = False
                self._audit(session, actor, "password_change", user)
                return
        raise failure

    def _register_failure(self, session: Session, user: UserRecord, now: dt.datetime) -> None:
        """Count a wrong password; lock after too many, or slow down the last way in."""
        user.failed_logins += 1
        if user.failed_logins < MAX_FAILED_LOGINS:
            return
        if _last_way_in(session, user, now):
            # Counting on: every further attempt waits first. Audited at every fifth failure.
            if user.failed_logins % MAX_FAILED_LOGINS == 0:
                self._audit_failures(
                    session,
                    user,
                    "account_throttled",
                    f"{user.failed_logins} kali kata sandi salah; administrator terakhir yang "
                    f"dapat masuk: tidak dikunci, setiap percobaan menunggu {THROTTLE_SECONDS:g} "
                    "detik",
                )
            return
        user.locked_until = now + LOCKOUT
        user.failed_logins = 0
        self._audit_failures(
            session, user, "account_locked", f"{MAX_FAILED_LOGINS} kali kata sandi salah"
        )

    def _audit_failures(self, session: Session, user: UserRecord, action: str, why: str) -> None:
        record(
            self._ctx, session, Actor(user.login, None), action, "app_user", user.login, detail=why
        )

    # -- the administrator's changes -------------------------------------------------------------

    def reset_password(
        self, actor: Actor, login: str, new_password: str, *, force_change: bool = True
    ) -> UserChange:
        """Give a user who forgot their password a new one (and unlock the account).

        With ``force_change`` (the default) the user must choose their own at the next login.

        Raises:
            PermissionDenied: the actor may not manage users.
            NotFound: no such user.
            DeskError: the password is too weak.
        """
        require(actor, Permission.MANAGE_USERS)
        _check_strength(new_password)
        with self._ctx.unit_of_work() as session:
            user = _load(session, login)
            user.password_hash = hash_password(new_password)
            user.must_change_password = force_change
            user.failed_logins = 0
            user.locked_until = None
            self._audit(
                session,
                actor,
                "user_password_reset",
                user,
                after={"must_change_password": force_change},
            )
            return UserChange(_row(user, self._ctx.now(session)))

    def unlock(self, actor: Actor, login: str) -> UserChange:
        """Lift the lock that wrong passwords put on an account (before its 15 minutes end).

        Raises:
            PermissionDenied: the actor may not manage users.
            NotFound: no such user.
        """
        require(actor, Permission.MANAGE_USERS)
        with self._ctx.unit_of_work() as session:
            user = _load(session, login)
            locked_until = user.locked_until
            if locked_until is None and user.failed_logins == 0:
                return UserChange(_row(user, self._ctx.now(session)), changed=False)
            user.locked_until = None
            user.failed_logins = 0
            self._audit(
                session,
                actor,
                "user_unlock",
                user,
                before={"locked_until": locked_until.isoformat() if locked_until else None},
            )
            return UserChange(_row(user, self._ctx.now(session)))

    def deactivate(self, actor: Actor, login: str) -> UserChange:
        """Stop a leaver's access: they cannot log in and the requests they held are released.

        Raises:
            PermissionDenied: the actor may not manage users.
            NotFound: no such user.
            DeskError: an administrator deactivating themself, or the last active administrator.
        """
        require(actor, Permission.MANAGE_USERS)
        with self._ctx.unit_of_work() as session:
            user = _load(session, login)
            if user.login == _normal(actor.login):
                raise DeskError("Administrator tidak dapat menonaktifkan akunnya sendiri")
            if not user.active:
                return UserChange(_row(user, self._ctx.now(session)), changed=False)
            self._keep_an_admin(session, user, "menonaktifkan")
            user.active = False
            released = self._release_claims(session, actor, user, "dinonaktifkan")
            self._audit(
                session,
                actor,
                "user_deactivate",
                user,
                before={"active": True},
                after={"active": False, "released": list(released)},
            )
            return UserChange(_row(user, self._ctx.now(session)), released=released)

    def activate(self, actor: Actor, login: str) -> UserChange:
        """Let a deactivated user log in again (a fresh start: no failed logins, no lock).

        Raises:
            PermissionDenied: the actor may not manage users.
            NotFound: no such user.
        """
        require(actor, Permission.MANAGE_USERS)
        with self._ctx.unit_of_work() as session:
            user = _load(session, login)
            if user.active:
                return UserChange(_row(user, self._ctx.now(session)), changed=False)
            user.active = True
            user.failed_logins = 0
            user.locked_until = None
            self._audit(
                session,
                actor,
                "user_activate",
                user,
                before={"active": False},
                after={"active": True},
            )
            return UserChange(_row(user, self._ctx.now(session)))

    def set_role(
        self, actor: Actor, login: str, role: Role, location_code: str | None = None
    ) -> UserChange:
        """Change a user's role and (unless ``location_code`` is None) their location.

        ``location_code=""`` removes the location. Requests the user held under the old role or
        location go back to the queue.

        Raises:
            PermissionDenied: the actor may not manage users.
            NotFound: no such user or location.
            DeskError: it would leave the office without an active administrator.
        """
        require(actor, Permission.MANAGE_USERS)
        with self._ctx.unit_of_work() as session:
            user = _load(session, login)
            location = user.location_code if location_code is None else (location_code or None)
            if (user.role, user.location_code) == (role.value, location):
                return UserChange(_row(user, self._ctx.now(session)), changed=False)
            _check_location(session, location)
            if user.role == Role.ADMIN.value and role is not Role.ADMIN:
                self._keep_an_admin(session, user, "mengubah peran")
            before: dict[str, object] = {"role": user.role, "location": user.location_code}
            user.role, user.location_code = role.value, location
            released = self._release_claims(session, actor, user, "dipindah peran/lokasinya")
            self._audit(
                session,
                actor,
                "user_role",
                user,
                before=before,
                after={"role": role.value, "location": location, "released": list(released)},
            )
            return UserChange(_row(user, self._ctx.now(session)), released=released)

    def _keep_an_admin(self, session: Session, user: UserRecord, doing: str) -> None:
        """Refuse a change that would leave no active administrator."""
        if user.role != Role.ADMIN.value or not user.active:
            return
        if [i for i in repo.active_admin_ids(session) if i != user.id]:
            return
        raise DeskError(
            f"Tidak dapat {doing} {user.login}: administrator aktif terakhir. "
            "Tambahkan atau aktifkan administrator lain dahulu."
        )

    def _release_claims(
        self, session: Session, actor: Actor, user: UserRecord, why: str
    ) -> tuple[str, ...]:
        """Return the requests ``user`` holds to the queue; their numbers."""
        queue = QueueOps(self._ctx)
        reason = f"pengguna {user.login} {why} oleh {actor.login}"
        released = []
        for request_id in repo.claimed_request_ids(session, user.id):
            request: RequestRecord = queue.transition_in(
                session, SYSTEM_ACTOR, request_id, Action.EXPIRE, reason=reason
            )
            released.append(request.number)
        return tuple(released)

    def _audit(
        self,
        session: Session,
        actor: Actor,
        action: str,
        user: UserRecord,
        *,
        before: dict[str, object] | None = None,
        after: dict[str, object] | None = None,
    ) -> None:
        record(
            self._ctx, session, actor, action, "app_user", user.login, before=before, after=after
        )

    # -- reading -------------------------------------------------------------------------------

    def list(self) -> list[UserRow]:
        """Return every user, by login."""
        with self._ctx.reading() as session:
            now = self._ctx.now(session)
            return [_row(u, now) for u in repo.all_users(session)]

    def actor(self, login: str) -> Actor:
        """Return the actor of an existing user (for the command line, after authentication)."""
        with self._ctx.reading() as session:
            return _actor(_load(session, login))


def _normal(login: str) -> str:
    return login.strip().lower()


def _load(session: Session, login: str) -> UserRecord:
    user = repo.by_login(session, _normal(login), for_update=True)
    if user is None:
        raise NotFound(f"Pengguna '{login.strip()}' tidak dikenal")
    return user


def _check_strength(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise DeskError(problem)


def _check_location(session: Session, location_code: str | None) -> None:
    if location_code and not reference.location_exists(session, location_code):
        raise NotFound(f"Lokasi '{location_code}' tidak dikenal")


def _is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and locked_until > now


def _locked_error(locked_until: dt.datetime | None) -> AuthError:
    until = f" sampai {locked_until.astimezone():%H:%M}" if locked_until else ""
    return AuthError(f"Akun terkunci{until} karena terlalu banyak percobaan salah")


def _last_way_in(session: Session, user: UserRecord, now: dt.datetime) -> bool:
    """Whether ``user`` is an administrator and no other active administrator can log in now."""
    if user.role != Role.ADMIN.value or not user.active:
        return False
    return not [i for i in repo.unlocked_admin_ids(session, now) if i != user.id]


def _cost_text(cost: ScryptCost | None) -> str:
    return f"N={cost.n},r={cost.r},p={cost.p}" if cost else "?"


def _actor(user: UserRecord) -> Actor:
    return Actor(
        login=user.login,
        role=Role(user.role),
        user_id=user.id,
        location_code=user.location_code,
        full_name=user.full_name,
        must_change_password=user.must_change_password,
    )


def _row(user: UserRecord, now: dt.datetime) -> UserRow:
    locked = user.locked_until is not None and user.locked_until > now
    return UserRow(
        user.id,
        user.login,
        user.full_name,
        Role(user.role),
        user.location_code,
        user.active,
        user.locked_until if locked else None,
        user.must_change_password,
    )
