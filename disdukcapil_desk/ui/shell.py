"""Who works at the desk now: login, the officer's window, log out and the next login (ui layer).

A shift change does not close the desk: the window of the officer who logs out closes (their
open request given back), the login dialog comes again, and the next officer gets a fresh
window and session.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.ui.dialogs.login_dialog import LAST_LOGIN, LoginDialog, last_login
from disdukcapil_desk.ui.main_window import ActivityWatcher, MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings


class DeskShell(QObject):
    """Alternates the login dialog and the logged-in officer's main window."""

    finished = Signal()
    """The officer left at the login dialog ("Keluar"): the desk ends."""

    def __init__(
        self,
        ctx: DeskContext,
        settings: WorkstationSettings,
        runner: TaskRunner,
        *,
        watcher: ActivityWatcher | None = None,
        office: str = "",
        waiting_login: LoginDialog | None = None,
    ) -> None:
        """Nothing is shown until :meth:`show_login`; ``waiting_login`` is the dialog the desk
        showed while it checked the database, to be used for the first login.
        """
        super().__init__()
        self._ctx, self._settings, self._runner = ctx, settings, runner
        self._watcher = watcher
        self._office = office
        self._waiting_login = waiting_login
        self.login: LoginDialog | None = None
        self.window: MainWindow | None = None
        self._retired: MainWindow | None = None

    def show_login(self) -> LoginDialog:
        """Ask who works now (the last login on this desk filled in)."""
        users = UserOps(self._ctx)
        dialog, self._waiting_login = self._waiting_login, None
        if dialog is not None:  # shown at the start already: the check has passed now
            dialog.database_ready(
                users.authenticate, office=self._office, change_password=users.change_own_password
            )
        else:
            dialog = LoginDialog(
                users.authenticate,
                office=self._office,
                login=last_login(self._settings),
                runner=self._runner,
                change_password=users.change_own_password,
            )
        dialog.finished.connect(lambda result: self._login_finished(dialog, result))
        self.login = dialog
        if not dialog.isVisible():
            dialog.open()
        return dialog

    def _login_finished(self, dialog: LoginDialog, result: int) -> None:
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted or dialog.actor is None:
            self.finished.emit()
            return
        self.open_window(dialog.actor)

    def open_window(self, actor: Actor) -> MainWindow:
        """A fresh session and main window for ``actor``."""
        self._settings.set_user_value(*LAST_LOGIN, actor.login)
        session = DeskSession(self._ctx, actor, self._settings.location or "DINAS")
        window = MainWindow(
            session,
            self._runner,
            self._settings,
            database_label=self._ctx.database_label,
            watcher=self._watcher,
        )
        window.logged_out.connect(self._logged_out)
        self.window = window
        window.show()
        window.start()
        return window

    def _logged_out(self) -> None:
        # The login comes first, so a window stays open while the old one closes. The old
        # window is kept until the next shift change: answers to its last background calls
        # may still arrive.
        self._retired, self.window = self.window, None
        self.show_login()
