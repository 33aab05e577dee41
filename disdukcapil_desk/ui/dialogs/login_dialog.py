"""Login: user and password; a wrong password says so, a locked account says until when."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk import APP_NAME
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner

Authenticate = Callable[[str, str], Actor]


class LoginDialog(QDialog):
    """Ask for login and password until they are right or the officer gives up."""

    def __init__(
        self,
        authenticate: Authenticate,
        *,
        office: str,
        login: str = "",
        runner: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Build the form; ``login`` pre-fills the user (e.g. the last one on this desk).

        The check runs in ``runner`` (the password hash is deliberately slow; the database may
        be across the regency's network).
        """
        super().__init__(parent)
        self.setWindowTitle(f"Masuk — {APP_NAME}")
        self._authenticate = authenticate
        self._runner = runner or InlineTaskRunner()
        self.actor: Actor | None = None
        layout = QVBoxLayout(self)
        header = QLabel(f"<b>{APP_NAME}</b><br>{office}", self)
        layout.addWidget(header)
        form = QFormLayout()
        self.login = QLineEdit(login, self)
        self.login.setObjectName("login")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Pengguna", self.login)
        form.addRow("&Kata sandi", self.password)
        layout.addLayout(form)
        self.message = QLabel("", self)
        self.message.setObjectName("loginMessage")
        self.message.setStyleSheet("color: #b71c1c;")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.buttons = DialogButtons(self, "Masuk", on_accept=self.try_login, reject_label="Keluar")
        layout.addWidget(self.buttons)
        (self.password if login else self.login).setFocus()
        self.setMinimumWidth(360)

    def try_login(self) -> None:
        """Check the credentials; accept on success, say why not otherwise."""
        login, password = self.login.text(), self.password.text()
        self.buttons.setEnabled(False)
        self.message.setText("Memeriksa…")
        self._runner.run(lambda: self._authenticate(login, password), self._passed, self._refused)

    def _passed(self, actor: Actor) -> None:
        self.buttons.setEnabled(True)
        self.actor = actor
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(error, DeskError):
            raise error
        self.message.setText(str(error))
        self.password.clear()
        self.password.setFocus()
