"""Users, roles and login (operations layer)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import AppUser, Location
from disdukcapil_desk.domain.dto import Actor, UserRow
from disdukcapil_desk.domain.errors import AuthError, DeskError, NotFound
from disdukcapil_desk.domain.passwords import hash_password, password_problem, verify_password
from disdukcapil_desk.domain.workflow import Permission, Role, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)


class UserOps:
    """Create users and log them in."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

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
        require(actor.role, Permission.MANAGE_USERS)
        login = login.strip().lower()
        if not login or not login.replace(".", "").replace("_", "").isalnum():
            raise DeskError("Nama login hanya boleh huruf, angka, titik dan garis bawah")
        problem = password_problem(password)
        if problem:
            raise DeskError(problem)
        with self._ctx.unit_of_work() as session:
            if session.scalar(select(AppUser.id).where(AppUser.login == login)) is not None:
                raise DeskError(f"Login '{login}' sudah dipakai")
            if location_code and session.get(Location, location_code) is None:
                raise NotFound(f"Lokasi '{location_code}' tidak dikenal")
            user = AppUser(
                login=login,
                full_name=full_name or login,
                nip=nip,
                role=role.value,
                location_code=location_code,
                password_hash=hash_password(password),
                active=True,
                failed_logins=0,
                created_at=self._ctx.clock(),
            )
            session.add(user)
            session.flush()
            record(
                self._ctx,
                session,
                actor,
                "user_add",
                "app_user",
                login,
                after={"role": role.value, "location": location_code},
            )
            return _row(user)

    def authenticate(self, login: str, password: str) -> Actor:
        """Return the actor for a correct login; count failures and lock after too many.

        Raises:
            AuthError: unknown login, wrong password, inactive or locked account.
        """
        now = self._ctx.clock()
        with self._ctx.unit_of_work() as session:
            user = session.scalar(select(AppUser).where(AppUser.login == login.strip().lower()))
            if user is None or not user.active:
                raise AuthError("Login atau kata sandi salah")
            if user.locked_until is not None and user.locked_until > now:
                raise AuthError(
                    f"Akun terkunci sampai {user.locked_until.astimezone():%H:%M} "
                    "karena terlalu banyak percobaan salah"
                )
            if not verify_password(password, user.password_hash):
                self._register_failure(session, user, now)
                failure = AuthError("Login atau kata sandi salah")
            else:
                user.failed_logins = 0
                user.locked_until = None
                return _actor(user)
        raise failure

    def _register_failure(self, session: Session, user: AppUser, now: dt.datetime) -> None:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            record(
                self._ctx,
                session,
                Actor(user.login, None),
                "account_locked",
                "app_user",
                user.login,
                detail=f"{MAX_FAILED_LOGINS} kali kata sandi salah",
            )

    def list(self) -> list[UserRow]:
        """Return every user, by login."""
        with self._ctx.reading() as session:
            return [_row(u) for u in session.scalars(select(AppUser).order_by(AppUser.login))]

    def actor(self, login: str) -> Actor:
        """Return the actor of an existing user (for the command line, after authentication)."""
        with self._ctx.reading() as session:
            user = session.scalar(select(AppUser).where(AppUser.login == login.strip().lower()))
            if user is None:
                raise NotFound(f"Pengguna '{login}' tidak dikenal")
            return _actor(user)


def _actor(user: AppUser) -> Actor:
    return Actor(
        login=user.login,
        role=Role(user.role),
        user_id=user.id,
        location_code=user.location_code,
        full_name=user.full_name,
    )


def _row(user: AppUser) -> UserRow:
    return UserRow(
        user.id,
        user.login,
        user.full_name,
        Role(user.role),
        user.location_code,
        user.active,
        user.locked_until,
    )
