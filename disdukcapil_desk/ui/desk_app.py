"""Starting the window: first-start settings, database check, login, then the main window."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from disdukcapil_desk import APP_NAME, ORG_NAME
from disdukcapil_desk.domain.errors import DatabaseError, DeskError, SchemaVersionError
from disdukcapil_desk.log import LOG_FILE_NAME
from disdukcapil_desk.operations.connection import (
    probe_database,
    sqlite_file_missing,
    store_password,
)
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.setup import LocationOps, SetupOps
from disdukcapil_desk.paths import UserDirs
from disdukcapil_desk.settings import settings_path
from disdukcapil_desk.ui.crash_dialog import install_gui_excepthook
from disdukcapil_desk.ui.geometry import apply_text_scale, install_screen_fit
from disdukcapil_desk.ui.main_window import install_watcher
from disdukcapil_desk.ui.palette import install_stylesheet
from disdukcapil_desk.ui.shell import DeskShell, office_name
from disdukcapil_desk.ui.tasks import TaskRunner, guard_database_access
from disdukcapil_desk.ui.translation import install_indonesian
from disdukcapil_desk.ui.workstation import WorkstationSettings

if TYPE_CHECKING:  # the dialogs of a first start or a failed one: imported when needed
    from disdukcapil_desk.ui.dialogs.database_error_dialog import StartChoice

log = logging.getLogger("disdukcapil_desk.ui")


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
    install_screen_fit(app)
    start = DatabaseStart(settings, dirs, explicit_url)
    ctx = start.open()
    if ctx is None:
        return start.exit_code
    try:
        return _login_and_run(app, ctx, settings)
    finally:
        ctx.close()


class DatabaseStart:
    """Open the workstation's database at start; when it cannot be used, say why and offer
    Coba lagi / Pengaturan / Keluar (a windowed build has no console to print to).

    A configured SQLite file that is missing is such an error: a new file is created only when
    the officer asks for one in the settings dialog.
    """

    def __init__(self, settings: WorkstationSettings, dirs: UserDirs, explicit_url: str | None):
        """Start from ``--db``/``$DISDUKCAPIL_DB`` when given, else the saved choice."""
        self._settings, self._dirs, self._explicit = settings, dirs, explicit_url
        self._create = False
        self.exit_code = 0

    def open(self) -> DeskContext | None:
        """Return a context on a database ready to log in to, or None when the officer quit."""
        if self._explicit is None and not self._settings.configured and not self._configure():
            return None
        while True:
            url = self._explicit or self._settings.database().url(self._dirs.default_database)
            ctx = DeskContext.open(url, create=self._create)
            try:
                if _database_ready(ctx):
                    return ctx
                ctx.close()
                self.exit_code = 1
                return None
            except DatabaseError as exc:
                ctx.close()
                log.warning("database unusable at start: %s (%s)", exc, exc.detail)
                if not self._after_error(exc, ctx.database_label):
                    self.exit_code = 1
                    return None

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
        from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog

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


def ask_database_error(error: DatabaseError, label: str) -> StartChoice:
    """Show the start-up database error dialog and return the officer's choice."""
    from disdukcapil_desk.ui.dialogs.database_error_dialog import DatabaseErrorDialog

    dialog = DatabaseErrorDialog(error, database_label=label)
    dialog.exec()
    return dialog.choice


def _locations_for(url: str, password: str | None) -> list[tuple[str, str]]:
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


def _database_ready(ctx: DeskContext) -> bool:
    """Whether the schema is usable (an empty database is prepared on the officer's word).

    Raises:
        DatabaseError: the database cannot be used at all.
    """
    setup = SetupOps(ctx)
    try:
        setup.start()  # the schema, then the services in step with the catalogue
        return True
    except SchemaVersionError as exc:
        if setup.is_empty():
            return _prepare_empty(ctx)
        QMessageBox.critical(
            None, QCoreApplication.translate("desk_app", "Versi basis data"), str(exc)
        )
        return False
    except DatabaseError:
        raise
    except DeskError as exc:
        QMessageBox.critical(
            None, QCoreApplication.translate("desk_app", "Basis data tidak dapat dipakai"), str(exc)
        )
        return False


def _prepare_empty(ctx: DeskContext) -> bool:
    from disdukcapil_desk.ui.dialogs.first_admin_dialog import FirstAdminDialog

    dialog = FirstAdminDialog(ctx.database_label)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    SetupOps(ctx).init(dialog.login.text().strip(), dialog.password.text())
    return True


def _login_and_run(app: QApplication, ctx: DeskContext, settings: WorkstationSettings) -> int:
    """Login, the officer's window, and after a log out the next login, until "Keluar"."""
    runner = TaskRunner()
    office = office_name(ctx, settings.location)
    # From here on the window reaches the database only through its runner (or fails loudly).
    ctx.add_checkout_guard(guard_database_access)
    shell = DeskShell(
        ctx,
        settings,
        runner,
        watcher=install_watcher(app),
        office=office,
    )
    shell.finished.connect(app.quit)
    shell.show_login()
    try:
        return int(app.exec())
    finally:
        runner.shutdown()
