"""Starting the window: first-start settings, database check, login, then the main window.

An offline-capable workstation with a local copy whose server is out of reach at start may log
in on the copy ("Masuk luring", ``docs/offline.md``).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import wait
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from shiboken6 import isValid

from disdukcapil_desk import APP_NAME, ORG_NAME
from disdukcapil_desk.domain.errors import (
    ConnectionLost,
    DatabaseError,
    DeskError,
    SchemaVersionError,
)
from disdukcapil_desk.log import LOG_FILE_NAME
from disdukcapil_desk.paths import UserDirs
from disdukcapil_desk.settings import settings_path
from disdukcapil_desk.ui.crash_dialog import install_gui_excepthook
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog, last_login
from disdukcapil_desk.ui.geometry import apply_text_scale, install_screen_fit
from disdukcapil_desk.ui.palette import install_stylesheet
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.translation import install_indonesian
from disdukcapil_desk.ui.workstation import WorkstationSettings

# The login is painted before SQLAlchemy, the models and the operations are loaded: they are
# imported by the database check, on the worker thread, while the officer types.
if TYPE_CHECKING:
    from disdukcapil_desk.operations.context import DeskContext
    from disdukcapil_desk.ui.dialogs.database_error_dialog import StartChoice
    from disdukcapil_desk.ui.session import OfflineParts

log = logging.getLogger("disdukcapil_desk.ui")
T = TypeVar("T")
FIRST_PAINT_WAIT_S = 1.0
"""The longest the check waits for the login's first paint (a hidden screen never paints)."""
POLL_S = 0.01
"""How often the start looks whether the worker has answered (the window is served between)."""


def run_desk(dirs: UserDirs, explicit_url: str | None) -> int:
    """Run the window until the officer quits; returns the exit code."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    install_indonesian(app)
    install_stylesheet(app)
    install_gui_excepthook(dirs.log / LOG_FILE_NAME)
    settings = WorkstationSettings(settings_path(dirs.config))
    apply_text_scale(app, settings.text_scale)
    start = DatabaseStart(settings, dirs, explicit_url)
    first_start = start.asks_first
    if first_start:  # the first start's settings dialog is fitted to the screen too
        install_screen_fit(app)
    if not start.configure_first():
        return start.exit_code
    runner = TaskRunner()
    login = waiting_login(settings, runner)
    if not first_start:
        # Every dialog from now on is fitted; not before the login is painted, as the
        # filter's first event builds Qt's event types in Python (a tenth of a second).
        install_screen_fit(app)
    try:
        ctx = start.open(runner, login)
        if ctx is None:
            return start.exit_code
        try:
            return _login_and_run(
                app, ctx, start.office, settings, runner, login, dirs=dirs, offline=start.offline
            )
        finally:
            runner.shutdown()  # before the context closes: its last task may still use it
            ctx.close()
    finally:
        runner.shutdown()
        if isValid(login):  # not yet let go by the shell (the desk ended otherwise)
            login.hide()
            login.deleteLater()


def waiting_login(settings: WorkstationSettings, runner: TaskRunner) -> LoginDialog:
    """The login dialog, shown at once: "Masuk" waits until the database has passed its check."""
    dialog = LoginDialog(None, office=settings.location, login=last_login(settings), runner=runner)
    # The desk ends by its own word (DeskShell.finished), never by this dialog closing: closed
    # while the database is checked, or hidden at the end, it must not end a loop to come.
    dialog.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
    dialog.open()
    # The check starts once the dialog is on the screen: its imports would delay the paint.
    deadline = time.monotonic() + FIRST_PAINT_WAIT_S
    while not dialog.painted and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    return dialog


def in_background(runner: TaskRunner, work: Callable[[], T]) -> T:
    """Run ``work`` on the runner's worker and wait for it, the window answering meanwhile.

    Raises:
        Exception: what ``work`` raised.
    """
    outcome: list[tuple[bool, object]] = []
    future = runner.run(
        work, lambda value: outcome.append((True, value)), lambda e: outcome.append((False, e))
    )
    # Not a QEventLoop: once the application was told to quit, a new one never runs.
    while not outcome:
        wait([future], timeout=POLL_S)
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    ok, value = outcome[0]
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


@dataclass
class Checked:
    """What the start-up check found in the database (run on the worker)."""

    ctx: DeskContext
    office: str = ""
    refusal: DeskError | None = None
    """Why the schema cannot be used (None: ready)."""
    empty: bool = False
    """The database has no tables yet: it may be prepared on the officer's word."""
    error: DatabaseError | None = None
    """The database cannot be used at all (the context is closed then)."""


def check_database(url: str, create: bool, location: str) -> Checked:
    """Open ``url`` and bring it in step (schema, services with the catalogue); the office's name.

    Runs on the worker: SQLAlchemy, the models and the operations are loaded here (the audit
    key's folder was said before, see :func:`use_data_folder`).
    """
    from disdukcapil_desk.operations.context import DeskContext
    from disdukcapil_desk.operations.setup import SetupOps

    ctx = DeskContext.open(url, create=create)
    setup = SetupOps(ctx)
    try:
        try:
            setup.start()  # the schema, then the services in step with the catalogue
        except SchemaVersionError as exc:
            return Checked(ctx, refusal=exc, empty=setup.is_empty())
        except DatabaseError:
            raise
        except DeskError as exc:
            return Checked(ctx, refusal=exc)
        return Checked(ctx, office=office_name(ctx, location))
    except DatabaseError as exc:
        ctx.close()
        return Checked(ctx, error=exc)
    except BaseException:
        ctx.close()
        raise


def use_data_folder(dirs: UserDirs) -> None:
    """The office's audit key lives next to this workstation's data (before any context opens)."""
    from disdukcapil_desk.operations.audit_key import use_key_folder

    use_key_folder(dirs.data)


def office_name(ctx: DeskContext, code: str) -> str:
    """The name of the office this workstation serves (its code if unknown)."""
    from disdukcapil_desk.operations.setup import LocationOps

    return {loc.code: loc.name for loc in LocationOps(ctx).list()}.get(code, code)


class DatabaseStart:
    """Open the workstation's database at start; when it cannot be used, say why and offer
    Coba lagi / Pengaturan / Keluar (a windowed build has no console to print to).

    A configured SQLite file that is missing is such an error: a new file is created only when
    the officer asks for one in the settings dialog. The check runs on the worker thread while
    the login dialog is shown.
    """

    def __init__(self, settings: WorkstationSettings, dirs: UserDirs, explicit_url: str | None):
        """Start from ``--db``/``$DISDUKCAPIL_DB`` when given, else the saved choice."""
        self._settings, self._dirs, self._explicit = settings, dirs, explicit_url
        self._create = False
        self.exit_code = 0
        self.office = ""
        """The name of the office, once :meth:`open` found the database ready."""
        self.offline = False
        """The server was out of reach and the officer chose to log in on the local copy."""

    @property
    def asks_first(self) -> bool:
        """Whether this is a first start that asks for the database before the login."""
        return self._explicit is None and not self._settings.configured

    def configure_first(self) -> bool:
        """On a first start (no database chosen yet) ask for one; False when the officer quit."""
        return self._explicit is not None or self._settings.configured or self._configure()

    def open(self, runner: TaskRunner, login: QWidget) -> DeskContext | None:
        """Return a context on a database ready to log in to, or None when the officer quit
        (also by leaving ``login``, the dialog shown while the database is checked).
        """
        while True:
            url = self._explicit or self._settings.database().url(self._dirs.default_database)
            check = partial(check_database, url, self._create, self._settings.location)
            in_background(runner, partial(use_data_folder, self._dirs))
            checked = in_background(runner, check)
            if not login.isVisible():  # the officer left while the database was checked
                if checked.error is None:
                    checked.ctx.close()
                return None
            try:
                if checked.error is not None:
                    if self._start_offline(checked):
                        self.offline, self.office = True, self._settings.location
                        return checked.ctx  # the server's, unreachable: the sync needs it later
                    raise checked.error
                if self._accepted(checked, runner):
                    self.office = checked.office
                    return checked.ctx
                checked.ctx.close()
                self.exit_code = 1
                return None
            except DatabaseError as exc:
                if checked.error is None:  # preparing the empty database failed
                    checked.ctx.close()
                log.warning("database unusable at start: %s (%s)", exc, exc.detail)
                if not self._after_error(exc, checked.ctx.database_label):
                    self.exit_code = 1
                    return None

    def _start_offline(self, checked: Checked) -> bool:
        """Whether to log in on the local copy: the server is out of reach, this workstation
        is offline-capable with a copy, and the officer says so.
        """
        if not isinstance(checked.error, ConnectionLost) or not self._settings.offline_capable:
            return False
        if not offline_parts(checked.ctx, self._settings, self._dirs)().has_copy():
            return False
        from disdukcapil_desk.ui.messages import ask_yes_no

        return ask_yes_no(
            _active_window(),
            QCoreApplication.translate("desk_app", "Server tidak terjangkau"),
            QCoreApplication.translate(
                "desk_app",
                "{0}\n\nKomputer ini memiliki salinan lokal. Masuk luring dan bekerja dengan "
                "salinan itu? Tindakan dicatat dan disinkronkan ke server saat tersambung lagi.",
            ).format(checked.error),
            yes=QCoreApplication.translate("desk_app", "Masuk luring"),
            no=QCoreApplication.translate("desk_app", "Pilihan lain"),
        )

    def _accepted(self, checked: Checked, runner: TaskRunner) -> bool:
        """Whether the checked database can be logged in to (an empty one is prepared on the
        officer's word); a refusal is said in a message.

        Raises:
            DatabaseError: preparing the empty database failed (the context is closed).
        """
        refusal = checked.refusal
        if refusal is None:
            return True
        if isinstance(refusal, SchemaVersionError):
            if checked.empty:
                return _prepare_empty(checked.ctx, runner)
            title = QCoreApplication.translate("desk_app", "Versi basis data")
            from disdukcapil_desk.ui.updates import offer_at_newer_schema

            args = (_active_window(), title, str(refusal), checked.ctx, self._settings, runner)
            if offer_at_newer_schema(*args):  # with "Periksa pembaruan" where it can update
                return False
        else:
            title = QCoreApplication.translate("desk_app", "Basis data tidak dapat dipakai")
        QMessageBox.critical(_active_window(), title, str(refusal))
        return False

    def _after_error(self, error: DatabaseError, label: str) -> bool:
        """Ask what to do; True to try again (with the same or new settings)."""
        from disdukcapil_desk.ui.dialogs.database_error_dialog import StartChoice

        choice = ask_database_error(error, label)
        if choice is StartChoice.RETRY:
            return True
        if choice is StartChoice.SETTINGS:
            if self._configure():
                self._explicit = None  # the officer's choice now wins over --db
            return True
        return False

    def _configure(self) -> bool:
        from disdukcapil_desk.operations.connection import probe_database, store_password
        from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog

        use_data_folder(self._dirs)
        runner = TaskRunner()
        try:
            dialog = SettingsDialog(
                self._settings,
                sqlite_file=self._dirs.default_database,
                probe=probe_database,
                locations_for=_locations_for,
                store_password=store_password,
                runner=runner,
            )
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            runner.shutdown()
        if accepted:
            self._create = dialog.create_requested
        return accepted


def offline_parts(
    ctx: DeskContext, settings: WorkstationSettings, dirs: UserDirs
) -> Callable[[], OfflineParts]:
    """What makes the workstation's offline machinery (built on first use)."""

    def make() -> OfflineParts:
        from disdukcapil_desk.ui.offline_parts import WorkstationOffline

        return WorkstationOffline(
            ctx,
            dirs.data,
            settings.workstation_id(),
            settings.location,
            capable=lambda: settings.offline_capable,
        )

    return make


def _active_window() -> QWidget | None:
    return QApplication.activeModalWidget() or QApplication.activeWindow()


def ask_database_error(error: DatabaseError, label: str) -> StartChoice:
    """Show the start-up database error dialog and return the officer's choice."""
    from disdukcapil_desk.ui.dialogs.database_error_dialog import DatabaseErrorDialog

    dialog = DatabaseErrorDialog(error, database_label=label)
    dialog.exec()
    return dialog.choice


def _locations_for(url: str, password: str | None) -> list[tuple[str, str]]:
    from disdukcapil_desk.operations.connection import probe_database, sqlite_file_missing
    from disdukcapil_desk.operations.context import DeskContext
    from disdukcapil_desk.operations.setup import LocationOps, SetupOps

    ctx = DeskContext.open(url, password=password)
    try:
        if sqlite_file_missing(url) is not None:
            return SetupOps(ctx).planned_locations()  # a new file, created on Simpan
        schema = probe_database(url, password).schema_version
        if schema is None:
            return SetupOps(ctx).planned_locations()
        return [(loc.code, loc.name) for loc in LocationOps(ctx).list()]
    finally:
        ctx.close()


def _prepare_empty(ctx: DeskContext, runner: TaskRunner) -> bool:
    """Ask for the first administrator of an empty database and prepare it (on the worker).

    Raises:
        DatabaseError: preparing failed.
    """
    from disdukcapil_desk.operations.setup import SetupOps
    from disdukcapil_desk.ui.dialogs.first_admin_dialog import FirstAdminDialog

    dialog = FirstAdminDialog(ctx.database_label)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    login, password = dialog.login.text().strip(), dialog.password.text()
    in_background(runner, lambda: SetupOps(ctx).init(login, password))
    return True


def _login_and_run(
    app: QApplication,
    ctx: DeskContext,
    office: str,
    settings: WorkstationSettings,
    runner: TaskRunner,
    login: LoginDialog,
    *,
    dirs: UserDirs | None = None,
    offline: bool = False,
) -> int:
    """Login (the dialog shown at the start), the officer's window, and after a log out the
    next login, until "Keluar" (``offline``: on the local copy, the server out of reach).
    """
    from disdukcapil_desk.ui.main_window import install_watcher
    from disdukcapil_desk.ui.shell import DeskShell
    from disdukcapil_desk.ui.tasks import guard_database_access

    # From here on the window reaches the database only through its runner (or fails loudly).
    ctx.add_checkout_guard(guard_database_access)
    shell = DeskShell(
        ctx,
        settings,
        runner,
        watcher=install_watcher(app),
        office=office,
        waiting_login=login,
        offline=None if dirs is None else offline_parts(ctx, settings, dirs),
        offline_start=offline,
    )
    shell.finished.connect(app.quit)
    from disdukcapil_desk.ui.updates import check_at_start

    check_at_start(ctx, settings, runner)  # asks the update repository in the background
    shell.show_login()
    return int(app.exec())
