"""The ``release`` and ``update`` commands: publishing signed releases, and a workstation's
check for one (interface layer).

``release init-repo --repo DIR [--keys DIR]`` creates the office's update repository and its
four signing keys; ``release publish DIST_DIR --repo DIR --version X.Y.Z [--keys DIR]`` adds a
built bundle; ``release refresh --repo DIR`` re-signs the metadata before it expires;
``release rotate-key --role ROLE --root-keys DIR`` replaces a key. They run without a desk
login, on the administrator's own machine: their authority is the private keys in the key
folder (whoever holds them can sign a release, login or not), and the machine that builds
releases need not reach the office database at all.

``update set-url URL`` saves this workstation's repository; ``update check`` asks it, and
stages a verified newer release for the next start. It needs no login either — it reads no
personal data and writes nothing to the database — and it runs on a database whose schema is
newer than this desk, since updating is the way out of exactly that.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk import __version__
from disdukcapil_desk.cli.access import OPEN
from disdukcapil_desk.cli.parsing import Commands, action, command_group
from disdukcapil_desk.domain.errors import DeskError

if TYPE_CHECKING:
    from disdukcapil_desk.operations.context import DeskContext
    from disdukcapil_desk.paths import UserDirs

KEY_FOLDER = "kunci-pembaruan"
"""The default key folder, in the administrator's data folder."""


def add_commands(commands: Commands) -> None:
    """Declare the ``release`` and ``update`` commands."""
    release = command_group(commands, "release", "terbitkan pembaruan bertanda tangan (admin)")
    init = action(
        release,
        "init-repo",
        "buat repositori pembaruan dan kunci penandatangannya",
        cmd_init_repo,
        needs_db=False,
        door=OPEN,
    )
    init.description = (
        "Membuat empat pasang kunci (root, targets, snapshot, timestamp) di folder kunci dan "
        "metadata bertanda tangan di repositori. Setelah itu simpan kunci root di luar jaringan "
        "(docs/updates.md). Tanpa login desk: kewenangannya adalah kunci yang dipegang."
    )
    _repo_options(init)
    publish = action(
        release,
        "publish",
        "tambahkan bundel hasil build sebagai versi baru",
        cmd_publish,
        needs_db=False,
        door=OPEN,
    )
    publish.add_argument(
        "dist_dir", type=Path, metavar="FOLDER_BUNDEL", help="hasil build (dist/disdukcapil-desk)"
    )
    _repo_options(publish)
    publish.add_argument(
        "--version",
        dest="release_version",
        required=True,
        metavar="X.Y.Z",
        help="versi rilis; harus lebih baru dari rilis terakhir",
    )
    publish.add_argument(
        "--schema",
        type=int,
        metavar="N",
        help="versi skema basis data yang diperlukan rilis ini (bawaan: skema aplikasi ini)",
    )
    refresh = action(
        release,
        "refresh",
        "tandatangani ulang metadata sebelum kedaluwarsa",
        cmd_refresh,
        needs_db=False,
        door=OPEN,
    )
    _repo_options(refresh)
    refresh.add_argument(
        "--role",
        dest="roles",
        action="append",
        choices=("root", "targets", "snapshot", "timestamp"),
        help="peran yang ditandatangani ulang (bawaan: targets, snapshot, timestamp)",
    )
    rotate = action(
        release,
        "rotate-key",
        "ganti kunci satu peran (ditandatangani kunci root)",
        cmd_rotate_key,
        needs_db=False,
        door=OPEN,
    )
    _repo_options(rotate)
    rotate.add_argument(
        "--role", required=True, choices=("root", "targets", "snapshot", "timestamp")
    )
    rotate.add_argument(
        "--root-keys",
        type=Path,
        required=True,
        metavar="FOLDER",
        help="folder berisi kunci privat root (media luar jaringan)",
    )
    _add_update_commands(commands)


def _add_update_commands(commands: Commands) -> None:
    update = command_group(commands, "update", "pembaruan aplikasi di workstation ini")
    set_url = action(
        update,
        "set-url",
        "simpan alamat repositori pembaruan workstation ini",
        cmd_set_url,
        needs_db=False,
        door=OPEN,
    )
    set_url.add_argument("url", metavar="URL")
    check = action(
        update,
        "check",
        "periksa, unduh dan siapkan versi baru",
        cmd_check,
        manages_schema=True,
        door=OPEN,
    )
    check.description = (
        "Versi baru diperiksa tanda tangannya, lalu dipasang saat aplikasi dibuka lagi. "
        "Berjalan juga bila basis data lebih baru dari aplikasi ini."
    )
    check.add_argument("--repo-url", metavar="URL", help="bawaan: alamat di setelan workstation")
    check.add_argument(
        "--install-dir",
        type=Path,
        metavar="FOLDER",
        help="folder instalasi (bawaan: folder program ini bila dijalankan dari bundel)",
    )
    check.add_argument(
        "--root",
        type=Path,
        metavar="BERKAS",
        help="metadata root tepercaya (bawaan: update-root.json di folder instalasi, lalu di "
        "resources/ bundel)",
    )


def _repo_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repo", type=Path, required=True, metavar="FOLDER", help="folder repositori pembaruan"
    )
    parser.add_argument(
        "--keys",
        type=Path,
        metavar="FOLDER",
        help=f"folder kunci privat (bawaan: {KEY_FOLDER} di folder data pengguna ini)",
    )


def _dirs(args: argparse.Namespace) -> UserDirs:
    from disdukcapil_desk.paths import user_dirs

    return user_dirs(Path(args.basedir) if args.basedir else None, temp=args.temp_basedir)


def _keys(args: argparse.Namespace) -> Path:
    keys: Path | None = args.keys
    return keys if keys is not None else _dirs(args).data / KEY_FOLDER


def cmd_init_repo(args: argparse.Namespace, ctx: DeskContext | None, out: TextIO) -> int:
    """Create the repository and the office's keys."""
    from disdukcapil_desk.updates.publish import EXPIRY_DAYS, init_repo

    keys = _keys(args)
    root = init_repo(args.repo, keys)
    days = ", ".join(f"{role} {n} hari" for role, n in EXPIRY_DAYS.items())
    out.write(
        f"Repositori dibuat: {args.repo}\nKunci dibuat di {keys}: root, targets, snapshot, "
        f"timestamp (masa berlaku tanda tangan: {days}).\n"
        f"Sertakan {root} di setiap bundel sebagai update-root.json. Pindahkan berkas kunci "
        f"privat 'root' dari {keys} ke media di luar jaringan; ia hanya diperlukan untuk "
        "mengganti kunci atau memperpanjang root (docs/updates.md).\n"
    )
    return 0


def cmd_publish(args: argparse.Namespace, ctx: DeskContext | None, out: TextIO) -> int:
    """Add a built bundle as a new release."""
    from disdukcapil_desk.updates.publish import publish

    schema: int | None = args.schema
    if schema is None:
        from disdukcapil_desk.db.models import SCHEMA_VERSION

        schema = SCHEMA_VERSION
    done = publish(args.dist_dir, args.repo, _keys(args), args.release_version, schema)
    out.write(
        f"Rilis {done.version} (skema basis data {done.schema_version}) diterbitkan.\n"
        f"Arsip lengkap: {done.archive.name} ({_size(done.archive_size)})\n"
    )
    if done.patch is not None and done.patch_size is not None:
        out.write(f"Patch dari rilis sebelumnya: {done.patch.name} ({_size(done.patch_size)})\n")
    return 0


def cmd_refresh(args: argparse.Namespace, ctx: DeskContext | None, out: TextIO) -> int:
    """Re-sign the metadata with fresh expiry dates."""
    from disdukcapil_desk.updates.publish import ONLINE_ROLES, refresh

    expires = refresh(args.repo, _keys(args), tuple(args.roles or ONLINE_ROLES))
    for role, at in expires.items():
        out.write(f"{role}: berlaku sampai {at:%d-%m-%Y %H:%M} UTC\n")
    return 0


def cmd_rotate_key(args: argparse.Namespace, ctx: DeskContext | None, out: TextIO) -> int:
    """Replace one role's key; workstations follow through the signed root."""
    from disdukcapil_desk.updates.publish import rotate_key

    where = rotate_key(args.repo, _keys(args), args.role, args.root_keys)
    out.write(
        f"Kunci {args.role} diganti; kunci privat baru: {where}. Metadata root versi baru "
        "ditandatangani kunci root; workstation mengikutinya pada pemeriksaan berikutnya.\n"
    )
    return 0


def _size(count: int) -> str:
    return f"{count / 1024:,.0f} KB".replace(",", ".") if count >= 1024 else f"{count} byte"


def cmd_set_url(args: argparse.Namespace, ctx: DeskContext | None, out: TextIO) -> int:
    """Save this workstation's update repository."""
    from disdukcapil_desk.settings import WorkstationFile, settings_path

    try:
        WorkstationFile(settings_path(_dirs(args).config)).set_update_url(args.url)
    except ValueError:
        raise DeskError(f"Alamat {args.url!r} bukan alamat http:// atau https://") from None
    out.write(f"Repositori pembaruan: {args.url}\n")
    return 0


def _install_dir(args: argparse.Namespace) -> Path:
    given: Path | None = args.install_dir
    if given is not None:
        return given
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    raise DeskError(
        "Aplikasi ini tidak berjalan dari bundel; sebutkan --install-dir FOLDER dan --root BERKAS"
    )


def cmd_check(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Ask the repository; stage a verified newer release for the next start."""
    from disdukcapil_desk.db.schema import database_version
    from disdukcapil_desk.settings import WorkstationFile, settings_path
    from disdukcapil_desk.updates import trusted_root_of
    from disdukcapil_desk.updates.client import Outcome, check_for_update, last_checked
    from disdukcapil_desk.updates.install import update_cache

    dirs = _dirs(args)
    settings = WorkstationFile(settings_path(dirs.config))
    url = args.repo_url or settings.update_url
    if not url:
        raise DeskError(
            "Alamat repositori pembaruan belum diatur: 'update set-url URL' atau --repo-url URL"
        )
    install = _install_dir(args)
    with ctx.database_errors():
        schema = database_version(ctx.engine)
    result = check_for_update(
        url,
        install,
        __version__,
        cache_dir=update_cache(dirs.cache),
        trusted_root=args.root or trusted_root_of(install),
        database_schema=schema,
        progress=_Progress(sys.stderr),
    )
    out.write(result.message + "\n")
    if result.outcome is Outcome.UNREACHABLE:
        out.write(last_checked(settings.update_checked) + "\n")
    else:  # the repository answered (a refusal is an answer too)
        settings.set_update_checked(dt.datetime.now(dt.UTC), result.outcome.value)
    if result.outcome is Outcome.READY:
        kind = "patch" if result.patched else "arsip lengkap"
        out.write(f"Diunduh: {_size(result.downloaded)} ({kind})\n")
    return 0 if result.outcome in (Outcome.READY, Outcome.UP_TO_DATE) else 1


class _Progress:
    """Prints the download's progress in tenths on the error stream."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // total if total else 10
        if tenth != self._shown:
            self._shown = tenth
            self._stream.write(f"Mengunduh… {tenth * 10} %\n")
