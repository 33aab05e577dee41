"""Who works at the desk now: login, the officer's window, log out and the next login (ui layer).

A shift change does not close the desk: the window of the officer who logs out closes (their
open request given back), the login dialog comes again, and the next officer gets a fresh
window and session.

An offline-capable workstation started while the server is out of reach logs in on its local
copy (``offline_start``): the password is checked there (a failed login is journaled) and the
window opens working offline (``docs/offline.md``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.ui.dialogs.login_dialog import LAST_LOGIN, LoginDialog, last_login
from disdukcapil_desk.ui.main_window import ActivityWatcher, MainWindow
from disdukcapil_desk.ui.session import DeskSession, OfflineActions, OfflineParts
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
        offline: Callable[[], OfflineParts] | None = None,
        offline_start: bool = False,
    ) -> None:
        """Nothing is shown until :meth:`show_login`; ``waiting_login`` is the dialog the desk
        showed while it checked the database, to be used for the first login. ``offline``
        makes each session's offline machinery; ``offline_start``: the server was out of reach
        at start, the login is checked on the local copy.
        """
        super().__init__()
        self._offline_factory = offline
        self._offline_parts: OfflineParts | None = None
        self.offline_start = offline_start and offline is not None
        self._offline_desk: OfflineActions | None = None
        self._local_ctx: DeskContext | None = None
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
        authenticate = self._authenticate_offline if self.offline_start else users.authenticate
        office = self._office
        if self.offline_start:
            office = self.tr("{0} — LURING (salinan lokal)").format(office)
        dialog, self._waiting_login = self._waiting_login, None
        if dialog is not None:  # shown at the start already: the check has passed now
            dialog.database_ready(
                authenticate, office=office, change_password=users.change_own_password
            )
        else:
            dialog = LoginDialog(
                authenticate,
                office=office,
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
        session = DeskSession(
            self._ctx, actor, self._settings.location or "DINAS", offline=self._parts()
        )
        desk, local = self._offline_desk, self._local_ctx
        if self.offline_start and desk is not None and local is not None:
            session.go_offline(desk, local)  # the copy opened for the login
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
        if session.offline:
            window.offline.began_offline()
        window.start()
        return window

    def _parts(self) -> OfflineParts | None:
        """The workstation's offline machinery, made once."""
        if self._offline_parts is None and self._offline_factory is not None:
            self._offline_parts = self._offline_factory()
        return self._offline_parts

    def _authenticate_offline(self, login: str, password: str) -> Actor:
        """Check a password on the local copy (on the worker; a failed login is journaled)."""
        parts = self._parts()
        if parts is None or not parts.has_copy():
            raise DeskError("Tidak ada salinan lokal di komputer ini.")
        if self._offline_desk is None:
            self._local_ctx = parts.open_local()
            self._offline_desk = parts.offline_desk(self._local_ctx)
        return self._offline_desk.authenticate(login, password)

    def _logged_out(self) -> None:
        # The login comes first, so a window stays open while the old one closes. The old
        # window is kept until the next shift change: answers to its last background calls
        # may still arrive.
        self._retired, self.window = self.window, None
        retired = self._retired
        self.offline_start = retired is not None and retired.session.offline
        if not self.offline_start:
            self._offline_desk = None
        self.show_login()
