"""Composition root: arguments, folders, logging, database, then a command or the window."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from disdukcapil_desk import APP_ID, __version__

if TYPE_CHECKING:
    from disdukcapil_desk.domain.database import DatabaseChoice
    from disdukcapil_desk.paths import UserDirs

# Only what every path needs is imported here: a command imports the layers it uses when it
# runs (``--version`` and ``--help`` never load SQLAlchemy, ReportLab, openpyxl or pyHanko).

log = logging.getLogger("disdukcapil_desk.app")


def run(argv: list[str]) -> int:
    """Run the desk with command-line ``argv``; returns the process exit code."""
    if argv == ["--version"]:  # the answer argparse would give, without building the parser
        sys.stdout.write(f"{APP_ID} {__version__}\n")
        return 0
    from disdukcapil_desk import cli

    args = cli.build_parser().parse_args(argv)  # --help ends here, before folders and logging
    from disdukcapil_desk.log import setup_logging
    from disdukcapil_desk.paths import user_dirs

    try:
        dirs = user_dirs(Path(args.basedir) if args.basedir else None, temp=args.temp_basedir)
        dirs.ensure()
        log_file = setup_logging(dirs.log, verbose=args.verbose)
    except OSError as exc:
        # No log file yet: the console is the only place to say it.
        where = f" ({exc.filename})" if exc.filename else ""
        _say(f"galat: folder data tidak dapat dipakai{where}: {os_reason(exc)}")
        return 1
    if args.smoke_test:
        from disdukcapil_desk.smoke import run_smoke_test

        return run_smoke_test(dirs)
    return _run_parsed(args, dirs, log_file)


def _run_parsed(args: argparse.Namespace, dirs: UserDirs, log_file: Path) -> int:
    """Run a parsed command (or the window) with the user folders ready and logging set up.

    The window imports SQLAlchemy and the operations itself (after its login is shown); a
    command imports them here.
    """
    from disdukcapil_desk import cli
    from disdukcapil_desk.domain.errors import DatabaseError, DatabaseMissing, DeskError

    handler = getattr(args, "handler", None)
    try:
        if handler is None:  # the window says where the audit key lives when it checks
            return _run_window(args, dirs)
        from disdukcapil_desk.operations.audit_key import use_key_folder

        use_key_folder(dirs.data)  # the office's audit key lives next to this workstation's data
        if not getattr(args, "needs_db", True):
            return int(handler(args, None, sys.stdout))
        from disdukcapil_desk.operations.connection import describe_database
        from disdukcapil_desk.operations.context import DeskContext

        choice = database_choice(args, dirs)
        _say(f"Basis data: {describe_database(choice.url)} ({choice.source.label})")
        cli.preflight(args)
        # Only `db init` may create a missing SQLite file; any other command names it instead.
        ctx = DeskContext.open(choice.url, create=getattr(args, "creates_db", False))
        try:
            return cli.dispatch(args, ctx, sys.stdout)
        finally:
            ctx.close()
    except DatabaseMissing as exc:
        return _fail(f"{exc} Basis data baru: perintah `db init`.")
    except DatabaseError as exc:
        log.error("database error: %s", exc.detail)
        detail = exc.detail.splitlines()[0] if exc.detail else ""
        return _fail(f"{exc} (rincian: {detail})" if detail else str(exc))
    except DeskError as exc:
        return _fail(str(exc))
    except OSError as exc:
        log.exception("command failed")
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{os_reason(exc)} (log: {log_file})")
    except ValueError as exc:
        log.exception("command failed")
        return _fail(f"{exc} (log: {log_file})")
    except Exception as exc:
        if not _is_sqlalchemy_error(exc):
            raise
        log.exception("database error")
        reason = getattr(exc, "orig", None) or exc
        return _fail(f"basis data tidak dapat dipakai: {str(reason).splitlines()[0]}")


def _is_sqlalchemy_error(exc: Exception) -> bool:
    """Whether ``exc`` is SQLAlchemy's (never true before SQLAlchemy was loaded)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


_OS_REASONS = {
    errno.EACCES: "tidak ada izin",
    errno.EPERM: "tidak ada izin",
    errno.ENOENT: "tidak ada",
    errno.ENOTDIR: "sebagian jalurnya bukan folder",
    errno.EISDIR: "itu folder, bukan berkas",
    errno.EROFS: "media hanya dapat dibaca",
    errno.ENOSPC: "disk penuh",
    errno.EEXIST: "sudah ada",
}


def os_reason(exc: OSError) -> str:
    """The reason of a file error in Indonesian (the system's words when it is not a known one)."""
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def database_choice(args: argparse.Namespace, dirs: UserDirs) -> DatabaseChoice:
    """The database of a command: ``--db`` > ``$DISDUKCAPIL_DB`` > the workstation's saved
    choice (the settings file the window writes) > the local SQLite file.
    """
    from disdukcapil_desk.domain.database import choose_database
    from disdukcapil_desk.settings import WorkstationFile, settings_path

    return choose_database(
        args.db,
        os.environ.get("DISDUKCAPIL_DB"),
        WorkstationFile(settings_path(dirs.config)).database(),
        dirs.default_database,
    )


def _say(message: str) -> None:
    # A windowed Windows build has no stderr at all.
    if sys.stderr is not None:
        sys.stderr.write(f"{message}\n")


def _fail(message: str) -> int:
    _say(f"galat: {message}")
    log.error(message)
    return 1


def _run_window(args: argparse.Namespace, dirs: UserDirs) -> int:
    from disdukcapil_desk.updates.install import install_at_start, restart_if_requested

    # A release staged by an update check is installed before the window loads, and the desk
    # restarts into it; "Mulai ulang sekarang" ends the window and restarts here.
    install_at_start(dirs.cache, __version__)
    from disdukcapil_desk.ui.desk_app import run_desk

    explicit = args.db or os.environ.get("DISDUKCAPIL_DB")
    return restart_if_requested(run_desk(dirs, explicit))


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``argv`` with the desk's parser (for tests)."""
    from disdukcapil_desk import cli

    return cli.build_parser().parse_args(argv)
