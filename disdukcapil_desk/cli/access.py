"""The door of the command line: which commands need a desk login, and the login (interface layer).

Whoever holds the database URL (and its password) can run the desk's commands; that alone no
longer makes them an officer. A command that changes data, shows personal data or manages users
runs only for a desk user: ``--login LOGIN`` (or ``$DISDUKCAPIL_LOGIN``), the password from the
first line of standard input or asked at the terminal. The login is the window's
(:meth:`UserOps.authenticate`: the same lockout after wrong passwords, a deactivated account is
refused), and the command then acts, and is audited, as that user with that user's role and
office. A user who must change a password an administrator reset changes it first
(``password``).

Each command declares its door with ``door=`` in its parser defaults: :data:`OPEN` (no login),
:data:`LOGIN` (any active user), :data:`OWN_PASSWORD` (a login that may still have to change
its password) or a :class:`Permission` the user's role must hold. A command that declares
nothing needs a login: a new command is closed until someone decides otherwise.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING, Final, TextIO

from disdukcapil_desk.domain.errors import AuthError, DeskError
from disdukcapil_desk.domain.workflow import Permission, Role, require

if TYPE_CHECKING:  # the parser is built without the data types (--help stays light)
    from disdukcapil_desk.domain.dto import Actor
    from disdukcapil_desk.operations.context import DeskContext

LOGIN_ENV: Final = "DISDUKCAPIL_LOGIN"
OPEN: Final = "open"
"""Runs without a login: shows no personal data and changes nothing an officer owns."""
LOGIN: Final = "login"
"""Any active desk user."""
OWN_PASSWORD: Final = "own_password"
"""Any active desk user, also one who must still change a reset password."""
RECOVERY: Final = "recovery"
"""An administrator's login, or without one the database credential alone, acting as the
recovery administrator ``db:<os user>``: the way back in when the only administrator is
locked out or has forgotten the password. Whoever holds the credential can rewrite the user
table directly anyway; this way it is audited."""

Door = Permission | str


def door_of(args: argparse.Namespace) -> Door:
    """The door a parsed command declared (a login when it declared none)."""
    door: Door = getattr(args, "door", LOGIN)
    return door


def is_open(args: argparse.Namespace) -> bool:
    """Whether the parsed command runs without a desk login."""
    return door_of(args) == OPEN


def admit(args: argparse.Namespace, ctx: DeskContext, stdin: TextIO | None = None) -> Actor | None:
    """Log the user of a command in, as its door asks; None for an open command.

    Raises:
        AuthError: no login given, an empty, wrong or locked password, or a password that
            must be changed first.
        PermissionDenied: the user's role may not run this command.
    """
    door = door_of(args)
    if door == OPEN:
        return None
    login = (getattr(args, "login_name", None) or os.environ.get(LOGIN_ENV) or "").strip()
    if door == RECOVERY:
        if not login:
            return recovery_actor()
        door = Permission.MANAGE_USERS
    if not login:
        raise AuthError(
            "Perintah ini perlu login desk: --login LOGIN (atau $DISDUKCAPIL_LOGIN), "
            "kata sandi dari baris pertama masukan standar atau ditanyakan"
        )
    password = read_login_password(login, stdin)
    if not password:
        raise AuthError(f"Kata sandi {login} kosong (baris pertama masukan standar)")
    from disdukcapil_desk.operations.users import UserOps  # here: building the parser stays light

    actor = UserOps(ctx).authenticate(login, password)
    if actor.must_change_password and door != OWN_PASSWORD:
        raise AuthError(
            f"Kata sandi {actor.login} diatur ulang administrator dan harus diganti dahulu: "
            f"`disdukcapil-desk --login {actor.login} password` atau lewat jendela desk"
        )
    if isinstance(door, Permission):
        require(actor, door)
    if door == OWN_PASSWORD:
        args.login_password = password  # the old password `password` checks once more
    return actor


def recovery_actor() -> Actor:
    """The administrator a recovery command acts as without a login: ``db:<os user>``."""
    from disdukcapil_desk.domain.dto import Actor

    return Actor(login=f"db:{getpass.getuser()}"[:60], role=Role.ADMIN)


def read_login_password(login: str, stdin: TextIO | None = None) -> str:
    """The login's password: the first line of standard input, or asked once at a terminal."""
    stream = stdin or sys.stdin
    if stream is None:
        raise DeskError("Tidak ada masukan standar untuk kata sandi login")
    if stream.isatty():
        return getpass.getpass(f"Kata sandi {login}: ")
    return stream.readline().rstrip("\r\n")


def actor_of(args: argparse.Namespace) -> Actor:
    """The logged-in user a command acts as (set by :func:`admit` before the handler runs)."""
    from disdukcapil_desk.domain.dto import Actor

    actor = getattr(args, "actor", None)
    if not isinstance(actor, Actor):
        raise DeskError("Perintah ini perlu login desk (--login LOGIN)")
    return actor
