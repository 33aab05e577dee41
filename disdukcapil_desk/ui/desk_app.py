"""Starting the window: first-start settings, database check, login, then the main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from disdukcapil_desk import APP_NAME, ORG_NAME
from disdukcapil_desk.domain.errors import DeskError, SchemaVersionError
from disdukcapil_desk.log import LOG_FILE_NAME
from disdukcapil_desk.operations.connection import probe_database, store_password
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.setup import LocationOps, SetupOps
from disdukcapil_desk.paths import UserDirs
from disdukcapil_desk.ui.crash_dialog import install_gui_excepthook
from disdukcapil_desk.ui.dialogs.first_admin_dialog import FirstAdminDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.geometry import apply_text_scale, install_screen_fit
from disdukcapil_desk.ui.main_window import install_watcher
from disdukcapil_desk.ui.shell import DeskShell, office_name
from disdukcapil_desk.ui.tasks import TaskRunner, guard_database_access
from disdukcapil_desk.ui.translation import install_indonesian
from disdukcapil_desk.ui.workstation import WorkstationSettings

log = logging.getLogger("disdukcapil_desk.ui")


def run_desk(dirs: UserDirs, explicit_url: str | None) -> int:
    """Run the window until the officer quits; returns the exit code."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    install_indonesian(app)
    install_gui_excepthook(dirs.log / LOG_FILE_NAME)
    settings = WorkstationSettings(dirs.config / "workstation.ini")
    apply_text_scale(app, settings.text_scale)
    install_screen_fit(app)
    url = explicit_url or _configured_url(settings, dirs)
    if url is None:
        return 0
    ctx = DeskContext.open(url)
    try:
        if not _database_ready(ctx):
            return 1
        return _login_and_run(app, ctx, settings)
    finally:
        ctx.close()


def _configured_url(settings: WorkstationSettings, dirs: UserDirs) -> str | None:
    if not settings.configured:
        dialog = SettingsDialog(
            settings,
            sqlite_file=dirs.default_database,
            probe=probe_database,
            locations_for=_locations_for,
            store_password=store_password,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
    return settings.database().url(dirs.default_database)


def _locations_for(url: str, password: str | None) -> list[tuple[str, str]]:
    schema = probe_database(url, password).schema_version
    ctx = DeskContext.open(url, password=password)
    try:
        if schema is None:
            return SetupOps(ctx).planned_locations()
        return [(loc.code, loc.name) for loc in LocationOps(ctx).list()]
    finally:
        ctx.close()


def _database_ready(ctx: DeskContext) -> bool:
    setup = SetupOps(ctx)
    try:
        setup.check()
        return True
    except SchemaVersionError as exc:
        if setup.is_empty():
            return _prepare_empty(ctx)
        QMessageBox.critical(None, "Versi basis data", str(exc))
        return False
    except DeskError as exc:
        QMessageBox.critical(None, "Basis data tidak dapat dipakai", str(exc))
        return False


def _prepare_empty(ctx: DeskContext) -> bool:
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
