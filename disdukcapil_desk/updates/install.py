"""Installing a staged release and restarting into it (no Qt, no tufup on Linux).

A check (:mod:`~disdukcapil_desk.updates.client`) leaves a verified newer bundle in the cache's
``staged/X.Y.Z`` folder. At the next start of the window, before anything of the window is
loaded, :func:`install_at_start` puts it in place of the installation and starts the new
version in place of this process:

- **Linux and other POSIX systems**: each file is written beside its target and renamed over
  it (``os.replace``). A running program keeps its old files open (the rename leaves them
  alive), so nothing the running desk has mapped is overwritten; the process then ``exec``-s
  the new executable at once, before it imports anything more from the replaced files.
- **Windows**: the running ``.exe`` and its DLLs are locked; a rename over them fails. tufup's
  installer script takes over: a batch file ``robocopy /move``-s the staged bundle over the
  installation, retrying a locked file every 2 seconds until this process has ended, logs to
  ``pembaruan.log`` in the installation, starts the desk again and deletes itself; this
  process ends (``SystemExit``).

This module is imported at every start of the window: it loads nothing heavy (tufup only on
Windows, when a release is actually staged).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from disdukcapil_desk.updates import APP_NAME

log = logging.getLogger(__name__)

CACHE_FOLDER = "pembaruan"
"""The update cache below the user's cache folder (the window and ``update check`` share it)."""
UPDATED_FROM = "DISDUKCAPIL_DESK_UPDATED_FROM"
"""Set for the restarted process: the version it was installed over. A start that finds it
does not install again (a staged release that did not change the version cannot loop)."""
LOG_FILE = "pembaruan.log"
"""The Windows installer script's log, in the installation folder."""

_WIN_BATCH = """@echo off
{log_lines}
echo Memasang pembaruan; menunggu aplikasi lama ditutup...
robocopy "{src_dir}" "{dst_dir}" {robocopy_options}
if %ERRORLEVEL% GEQ 8 echo Pemasangan gagal (robocopy %ERRORLEVEL%).
if %ERRORLEVEL% LSS 8 echo Selesai; aplikasi dibuka lagi.
set {updated_from}={current}
set PYINSTALLER_RESET_ENVIRONMENT=1
start "" {command}
{delete_self}
"""
"""tufup's batch template, plus the restart: robocopy's exit codes below 8 mean success.
``PYINSTALLER_RESET_ENVIRONMENT`` makes the started desk a new application, not a child of the
bundle that started the script (PyInstaller's documented way to restart itself)."""


def cache_layout(cache_dir: Path) -> tuple[Path, Path, Path]:
    """The trusted metadata, the downloaded targets and the staged bundles under ``cache_dir``."""
    return cache_dir / "metadata", cache_dir / "targets", cache_dir / "staged"


def update_cache(user_cache: Path) -> Path:
    """This user's update cache below their cache folder (``--basedir`` moves it along)."""
    return user_cache / CACHE_FOLDER


def last_checked(checked: tuple[dt.datetime, str] | None) -> str:
    """The sentence saying when the repository last answered this workstation."""
    if checked is None:
        return "Repositori pembaruan belum pernah berhasil diperiksa dari komputer ini."
    return f"Terakhir berhasil diperiksa: {checked[0].astimezone():%d-%m-%Y %H:%M}."


def installation() -> Path | None:
    """The folder of the running bundle; None when the desk runs from source (no updates)."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(sys.executable).resolve().parent


def pending_update(cache_dir: Path, current_version: str) -> tuple[str, Path] | None:
    """The newest staged release newer than ``current_version``, as (version, folder)."""
    staging = cache_layout(cache_dir)[2]
    if not staging.is_dir():  # the usual start: one stat, nothing imported
        return None
    from packaging.version import InvalidVersion, Version

    found: list[tuple[Version, Path]] = []
    for folder in staging.glob("*"):
        with contextlib.suppress(InvalidVersion):
            version = Version(folder.name)
            if folder.is_dir() and version > Version(current_version):
                found.append((version, folder))
    if not found:
        return None
    version, folder = max(found)
    return str(version), folder


def replace_tree(source: Path, target: Path) -> int:
    """Put every file of ``source`` in place of the same file below ``target``; return how
    many.

    Each file is copied beside its target first and renamed over it: a reader of the old file
    (the running desk) keeps the old one, and a file is never half written in place.

    Raises:
        PermissionError: a target is locked (Windows: a running ``.exe`` or a loaded DLL).
    """
    count = 0
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(f".{destination.name}.pembaruan")
        shutil.copy2(path, partial)
        try:
            os.replace(partial, destination)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        count += 1
    return count


def install_pending(cache_dir: Path, install_dir: Path, current_version: str) -> str | None:
    """Put the newest staged release in place of the installation; return its version (or
    None when nothing is staged).

    Files of the old release that the new one no longer has stay (as tufup's default does):
    the bundle folder never holds the officers' data, but a purge is left to the installer.
    """
    pending = pending_update(cache_dir, current_version)
    if pending is None:
        return None
    version, folder = pending
    replace_tree(folder, install_dir)
    shutil.rmtree(folder, ignore_errors=True)
    prune_cache(cache_dir, version)
    return version


def prune_cache(cache_dir: Path, installed_version: str) -> list[Path]:
    """Delete the cached archives of releases older than the installed one and every patch up
    to it (the installed release's archive stays: the next patch applies to it); return what
    went.
    """
    from packaging.version import InvalidVersion, Version

    targets = cache_layout(cache_dir)[1]
    keep = Version(installed_version)
    gone: list[Path] = []
    for path in targets.glob(f"{APP_NAME}-*") if targets.is_dir() else []:
        name = path.name.removeprefix(f"{APP_NAME}-").removesuffix(".failed")
        archive = name.endswith(".tar.gz")
        name = name.removesuffix(".tar.gz").removesuffix(".patch")
        with contextlib.suppress(InvalidVersion):
            if Version(name) < keep or (not archive and Version(name) == keep):
                path.unlink(missing_ok=True)
                gone.append(path)
    return gone


def restart_command() -> list[str]:
    """The command that starts this desk again with the same arguments."""
    return [sys.executable, *sys.argv[1:]]


def hand_over_pending(
    cache_dir: Path, install_dir: Path, current_version: str, command: Sequence[str] = ()
) -> str | None:
    """Install the newest staged release the way the platform allows; return its version
    (None: nothing staged).

    Elsewhere than on Windows the files are replaced at once (:func:`install_pending`) and the
    caller restarts. On Windows tufup's installer script does the copy once this process has
    ended (it starts ``command`` afterwards, when given), and this call ends the process
    (``SystemExit``).
    """
    if sys.platform != "win32":
        return install_pending(cache_dir, install_dir, current_version)
    pending = pending_update(cache_dir, current_version)
    if pending is None:
        return None
    import subprocess

    from tufup.utils.platform_specific import install_update

    install_update(
        src_dir=pending[1],
        dst_dir=install_dir,
        log_file_name=LOG_FILE,
        batch_template=_WIN_BATCH,
        batch_template_extra_kwargs={
            "updated_from": UPDATED_FROM,
            "current": current_version,
            "command": subprocess.list2cmdline(list(command)) if command else "rem",
        },
    )
    return pending[0]  # not reached: install_update ends the process


_state: dict[str, object] = {"cache": None, "restart": False}


def user_update_cache() -> Path:
    """The update cache of this start (``--basedir`` moves it), else the user's default one."""
    cache = _state["cache"]
    if isinstance(cache, Path):
        return update_cache(cache)
    from disdukcapil_desk.paths import user_dirs

    return update_cache(user_dirs().cache)


def request_restart() -> None:
    """Ask for a restart once the window has ended (``Mulai ulang sekarang``)."""
    _state["restart"] = True


def restart_requested() -> bool:
    """Whether the officer asked for a restart."""
    return bool(_state["restart"])


def restart_if_requested(exit_code: int) -> int:
    """After the window ended: restart into the staged release when the officer asked (the
    new start installs it), else return ``exit_code``.
    """
    if not restart_requested():
        return exit_code
    _state["restart"] = False
    log.info("restarting to install the staged release")
    return restart(restart_command(), None)


def install_at_start(user_cache: Path, current_version: str) -> None:
    """At the start of the window: install a staged newer release and restart into it.

    Does nothing (returns) from a source checkout, when nothing is staged, or in the process
    a restart started. A failed install is logged and the desk starts on its version: the
    staged folder stays for the next start.
    """
    _state["cache"] = user_cache
    install_dir = installation()
    if install_dir is None or os.environ.get(UPDATED_FROM):
        return
    cache_dir = update_cache(user_cache)
    pending = pending_update(cache_dir, current_version)
    if pending is None:
        return
    if not writable(install_dir):
        log.warning(
            "staged release %s not installed: %s is not writable for this user (install the "
            "desk per user, docs/updates.md §9)",
            pending[0],
            install_dir,
        )
        return
    command = restart_command()
    log.info("installing staged release %s over %s in %s", pending[0], current_version, install_dir)
    try:
        hand_over_pending(cache_dir, install_dir, current_version, command)
    except OSError:
        log.exception("installing the staged release %s failed", pending[0])
        return
    restart(command, current_version)


def writable(folder: Path) -> bool:
    """Whether this user may write into ``folder`` (a probe file made and removed): under
    ``Program Files`` an officer may not, and a half-replaced bundle must never be the
    outcome.
    """
    probe = folder / ".pembaruan-uji"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


def restart(command: Sequence[str], updated_from: str | None) -> NoReturn:
    """Become ``command``: ``exec`` on POSIX, a new process elsewhere.

    ``updated_from``: the version just installed over (the new process then installs nothing);
    None for a restart that is to install a staged release at its start. Nothing is imported
    between the replacement of the files and this call.
    """
    if updated_from is None:
        os.environ.pop(UPDATED_FROM, None)
    else:
        os.environ[UPDATED_FROM] = updated_from
    os.environ["PYINSTALLER_RESET_ENVIRONMENT"] = "1"  # a new application, not a child
    logging.shutdown()
    if os.name == "posix":
        os.execv(command[0], list(command))
    import subprocess

    subprocess.Popen(list(command), close_fds=True)  # pragma: no cover - Windows
    raise SystemExit(0)  # pragma: no cover - Windows
