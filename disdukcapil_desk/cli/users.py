"""User commands: ``user add|list|passwd|unlock|deactivate|activate|set-role`` (interface layer).

``disdukcapil-desk user passwd LOGIN [--no-force-change]``  (new password from stdin or asked)
``disdukcapil-desk user unlock LOGIN``
``disdukcapil-desk user deactivate LOGIN`` / ``user activate LOGIN``
``disdukcapil-desk user set-role LOGIN --role ROLE [--location KODE]``

Every action needs the desk login of an administrator (``--login``; see
:mod:`disdukcapil_desk.cli.access`) and is audited under that login. A new password for someone
else is read after the administrator's own: the second line of standard input, or asked.
``user unlock`` and ``user passwd`` also run without a login, with the database credential alone,
as ``db:<os user>``: the way back in for a locked-out or forgotten administrator
(docs/accounts.md).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk.cli.access import RECOVERY, actor_of
from disdukcapil_desk.cli.parsing import Commands, action, command_group
from disdukcapil_desk.domain.workflow import Permission, Role

if TYPE_CHECKING:
    from disdukcapil_desk.domain.dto import UserChange, UserRow
    from disdukcapil_desk.operations.context import DeskContext

ROLES = [r.value for r in Role]


def add_commands(commands: Commands) -> None:
    """Declare the ``user`` command and its actions on the desk's subcommands.

    Args:
        commands: the subparsers of the desk's argument parser.
    """
    user = command_group(commands, "user", "kelola pengguna (login administrator)")
    add = action(
        user,
        "add",
        "tambah pengguna (kata sandi dari masukan standar atau ditanyakan)",
        _cmd_add,
        door=Permission.MANAGE_USERS,
    )
    _login_argument(add)
    add.add_argument("--role", required=True, choices=ROLES, help="peran pengguna")
    add.add_argument("--location", metavar="KODE", help="lokasi kerja, mis. DINAS atau UPT-05")
    add.add_argument("--name", default="", metavar="NAMA", help="nama lengkap")
    add.add_argument("--nip", default="", help="NIP")
    action(
        user,
        "list",
        "daftar pengguna (aktif, terkunci, wajib ganti kata sandi)",
        _cmd_list,
        door=Permission.MANAGE_USERS,
    )
    passwd = action(
        user,
        "passwd",
        "atur ulang kata sandi (dari masukan standar atau ditanyakan); wajib diganti saat masuk",
        _cmd_passwd,
        door=RECOVERY,
    )
    _login_argument(passwd)
    passwd.add_argument(
        "--no-force-change",
        dest="force_change",
        action="store_false",
        help="pengguna tidak wajib mengganti kata sandi ini saat masuk berikutnya",
    )
    _login_argument(
        action(
            user,
            "unlock",
            "buka kunci akun setelah salah sandi",
            _cmd_unlock,
            door=RECOVERY,
        )
    )
    _login_argument(
        action(
            user,
            "deactivate",
            "nonaktifkan pengguna (tidak dapat masuk; permohonan yang dipegang dilepas)",
            _cmd_deactivate,
            door=Permission.MANAGE_USERS,
        )
    )
    _login_argument(
        action(
            user,
            "activate",
            "aktifkan kembali pengguna",
            _cmd_activate,
            door=Permission.MANAGE_USERS,
        )
    )
    set_role = action(
        user,
        "set-role",
        "ubah peran dan/atau lokasi pengguna",
        _cmd_set_role,
        door=Permission.MANAGE_USERS,
    )
    _login_argument(set_role)
    set_role.add_argument("--role", required=True, choices=ROLES, help="peran baru")
    set_role.add_argument(
        "--location", metavar="KODE", help="lokasi baru (tanpa opsi ini: lokasi tetap)"
    )


def _login_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("login", metavar="LOGIN", help="nama login pengguna")


def _read_password(prompt: str) -> str:
    from disdukcapil_desk.cli import read_password  # here: the package imports this module

    return read_password(prompt)


def _cmd_add(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.users import UserOps

    password = _read_password(f"Kata sandi untuk {args.login}: ")
    user = UserOps(ctx).add(
        actor_of(args),
        args.login,
        password,
        Role(args.role),
        full_name=args.name,
        location_code=args.location,
        nip=args.nip,
    )
    out.write(f"Pengguna {user.login} ({user.role.label}) dibuat.\n")
    return 0


def _cmd_list(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.users import UserOps

    for user in UserOps(ctx).list():
        out.write(
            f"{user.login:<20} {user.role.label:<24} {user.location_code or '-':<8} "
            f"{user_state(user):<34} {user.full_name}\n"
        )
    return 0


def user_state(user: UserRow) -> str:
    """``aktif``/``NONAKTIF``, then ``terkunci s.d. HH:MM`` and ``wajib ganti sandi`` if so."""
    parts = ["aktif" if user.active else "NONAKTIF"]
    if user.locked_until is not None:
        parts.append(f"terkunci s.d. {user.locked_until.astimezone():%H:%M}")
    if user.must_change_password:
        parts.append("wajib ganti sandi")
    return ", ".join(parts)


def _cmd_passwd(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.users import UserOps

    password = _read_password(f"Kata sandi baru untuk {args.login}: ")
    change = UserOps(ctx).reset_password(
        actor_of(args), args.login, password, force_change=args.force_change
    )
    then = " Wajib diganti saat masuk berikutnya." if args.force_change else ""
    out.write(f"Kata sandi {change.user.login} diatur ulang.{then}\n")
    return 0


def _cmd_unlock(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.users import UserOps

    change = UserOps(ctx).unlock(actor_of(args), args.login)
    out.write(_said(change, "kuncinya dibuka", "tidak terkunci"))
    return 0


def _cmd_deactivate(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.users import UserOps

    change = UserOps(ctx).deactivate(actor_of(args), args.login)
    out.write(_said(change, "dinonaktifkan", "sudah nonaktif"))
    return 0


def _cmd_activate(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.users import UserOps

    change = UserOps(ctx).activate(actor_of(args), args.login)
    out.write(_said(change, "diaktifkan kembali", "sudah aktif"))
    return 0


def _cmd_set_role(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.users import UserOps

    change = UserOps(ctx).set_role(actor_of(args), args.login, Role(args.role), args.location)
    user = change.user
    now = f"{user.role.label} di {user.location_code or '-'}"
    out.write(_said(change, f"sekarang {now}", f"sudah {now}"))
    return 0


def _said(change: UserChange, done: str, already: str) -> str:
    """One line on what happened, and which requests went back to the queue."""
    text = f"Pengguna {change.user.login} {done if change.changed else already}."
    if change.released:
        text += (
            f" {len(change.released)} permohonan yang dipegangnya kembali ke antrean: "
            f"{', '.join(change.released)}."
        )
    return text + "\n"
