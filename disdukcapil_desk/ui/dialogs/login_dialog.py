"""Login: user and password; a wrong password says so, a locked account says until when.

After an administrator's reset the officer chooses a new password before the desk opens.
At the desk's start the dialog is shown before the database is checked: the officer may type,
but "Masuk" waits until the check has passed (:meth:`LoginDialog.database_ready`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk import APP_NAME
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner

if TYPE_CHECKING:
    from disdukcapil_desk.domain.dto import Actor
    from disdukcapil_desk.ui.dialogs.password_dialog import PasswordDialog
    from disdukcapil_desk.ui.workstation import WorkstationSettings

Authenticate = Callable[[str, str], "Actor"]
ChangeOwnPassword = Callable[["Actor", str, str], object]
"""``change(actor, old, new)``: the officer's own password change (operations)."""
MUST_CHANGE = QT_TRANSLATE_NOOP("LoginDialog", "Kata sandi harus diganti sebelum mulai bekerja.")
LAST_LOGIN = ("_workstation", "last_login")
"""Where the workstation's settings keep the login of the last officer at this desk."""
CHECKING = QT_TRANSLATE_NOOP("LoginDialog", "Memeriksa basis data…")


def last_login(settings: WorkstationSettings) -> str:
    """The login of the last officer who worked at this desk (empty if none)."""
    return str(settings.user_value(*LAST_LOGIN, ""))


class LoginDialog(QDialog):
    """Ask for login and password until they are right or the officer gives up."""

    def __init__(
        self,
        authenticate: Authenticate | None,
        *,
        office: str,
        login: str = "",
        runner: TaskRunner | None = None,
        change_password: ChangeOwnPassword | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Build the form; ``login`` pre-fills the user (e.g. the last one on this desk).

        The check runs in ``runner`` (the password hash is deliberately slow; the database may
        be across the regency's network). ``change_password`` serves a password that must be
        changed (after an administrator's reset); without it such a login is refused. Without
        ``authenticate`` the database is still being checked: "Masuk" waits for
        :meth:`database_ready`.
        """
        super().__init__(parent)
        self.setWindowTitle(self.tr("Masuk — {APP_NAME}").format(APP_NAME=APP_NAME))
        self._authenticate = authenticate
        self._runner = runner or InlineTaskRunner()
        self._change_password = change_password
        self.actor: Actor | None = None
        self.painted = False
        """Whether the dialog was painted at least once."""
        self.password_dialog: PasswordDialog | None = None
        layout = QVBoxLayout(self)
        self.header = QLabel(self)
        self.header.setObjectName("loginHeader")
        self._show_office(office)
        layout.addWidget(self.header)
        form = QFormLayout()
        self.login = QLineEdit(login, self)
        self.login.setObjectName("login")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("&Pengguna"), self.login)
        form.addRow(self.tr("&Kata sandi"), self.password)
        layout.addLayout(form)
        self.message = QLabel("", self)
        self.message.setObjectName("loginMessage")
        set_tone(self.message, "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.buttons = DialogButtons(
            self, self.tr("Masuk"), on_accept=self.try_login, reject_label=self.tr("Keluar")
        )
        layout.addWidget(self.buttons)
        (self.password if login else self.login).setFocus()
        self.setMinimumWidth(360)
        if authenticate is None:
            self._wait_for_database()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint, and note that the dialog is on the screen (the start waits for it)."""
        super().paintEvent(event)
        self.painted = True

    @property
    def waiting(self) -> bool:
        """Whether the database is still being checked (no login is possible yet)."""
        return self._authenticate is None

    def database_ready(
        self,
        authenticate: Authenticate,
        *,
        office: str,
        change_password: ChangeOwnPassword | None = None,
    ) -> None:
        """The database passed its check: logins are checked with ``authenticate`` from now on."""
        self._authenticate = authenticate
        self._change_password = change_password
        self._show_office(office)
        self.message.setText("")
        set_tone(self.message, "error")
        self.buttons.accept_button.setEnabled(True)

    def _wait_for_database(self) -> None:
        self.message.setText(self.tr(CHECKING))
        set_tone(self.message, "hint")
        self.buttons.accept_button.setEnabled(False)

    def _show_office(self, office: str) -> None:
        self.header.setText(
            self.tr("<b>{APP_NAME}</b><br>{office}").format(APP_NAME=APP_NAME, office=office)
        )

    def try_login(self) -> None:
        """Check the credentials; accept on success, say why not otherwise."""
        authenticate = self._authenticate
        if authenticate is None:  # the database is still being checked
            return
        login, password = self.login.text(), self.password.text()
        self.buttons.setEnabled(False)
        self.message.setText(self.tr("Memeriksa…"))
        self._runner.run(
            lambda: authenticate(login, password),
            lambda actor: self._passed(actor, password),
            self._refused,
        )

    def _passed(self, actor: Actor, typed: str) -> None:
        self.buttons.setEnabled(True)
        if actor.must_change_password:
            self._ask_new_password(actor, typed)
            return
        self.actor = actor
        self.accept()

    def _ask_new_password(self, actor: Actor, typed: str) -> None:
        """The password was reset: the officer sets their own before the desk opens."""
        change = self._change_password
        if change is None:
            self.message.setText(self.tr(MUST_CHANGE))
            return
        # Loaded here, not with the login: most starts never show it.
        from disdukcapil_desk.ui.dialogs.password_dialog import PasswordDialog

        dialog = PasswordDialog(
            lambda old, new: change(actor, old, new),
            user=f"{actor.full_name} ({actor.login})",
            runner=self._runner,
            old_password=typed,
            forced=True,
            parent=self,
        )
        dialog.accepted.connect(
            lambda: self._passed(dataclasses.replace(actor, must_change_password=False), "")
        )
        dialog.rejected.connect(self._password_not_changed)
        self.password_dialog = dialog
        self.message.setText("")
        dialog.open()

    def _password_not_changed(self) -> None:
        self.message.setText(self.tr(MUST_CHANGE))
        self.password.clear()
        self.password.setFocus()

    def _refused(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(error, DeskError):
            raise error
        self.message.setText(str(error))
        self.password.clear()
        self.password.setFocus()
