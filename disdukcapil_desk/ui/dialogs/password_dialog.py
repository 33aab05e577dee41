"""Ganti kata sandi: the officer's own password, from the menu or forced at login (ui layer).

The new password is typed twice and checked here against the same rules the operation applies;
the change itself (old password checked, audited) runs in the task runner.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.errors import AuthError, DeskError
from disdukcapil_desk.domain.passwords import MIN_PASSWORD_LENGTH, password_problem
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner

ChangePassword = Callable[[str, str], object]
"""``change(old, new)``: the operation (raises DeskError when refused)."""
PASSWORD_RULE = QT_TRANSLATE_NOOP(
    "PasswordDialog", "Minimal {length} karakter, tanpa spasi di awal atau akhir."
)


def password_rule() -> str:
    """What a new password must be, as the forms say it."""
    return QCoreApplication.translate("PasswordDialog", PASSWORD_RULE).format(
        length=MIN_PASSWORD_LENGTH
    )


FORCED_INTRO = QT_TRANSLATE_NOOP(
    "PasswordDialog",
    "Kata sandi Anda baru saja diatur ulang oleh administrator. "
    "Pilih kata sandi baru sebelum mulai bekerja; hanya Anda yang mengetahuinya.",
)


def new_password_problem(password: str, repeat: str) -> str | None:
    """Why a new password typed twice cannot be used (Indonesian), or None."""
    return password_problem(password) or (
        QCoreApplication.translate("PasswordDialog", "Kedua kata sandi baru tidak sama")
        if password != repeat
        else None
    )


def password_edit(parent: QWidget, name: str) -> QLineEdit:
    """A masked line edit for a password."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def reveal_box(parent: QWidget, edits: list[QLineEdit]) -> QCheckBox:
    """A "show the passwords" check box for ``edits``."""
    box = QCheckBox(QCoreApplication.translate("password_dialog", "&Tampilkan kata sandi"), parent)

    def toggle(shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for edit in edits:
            edit.setEchoMode(mode)

    box.toggled.connect(toggle)
    return box


class PasswordDialog(QDialog):
    """Old password (unless already known), the new one twice; saved through ``runner``."""

    def __init__(
        self,
        change: ChangePassword,
        *,
        user: str,
        runner: TaskRunner | None = None,
        old_password: str | None = None,
        forced: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """Build the form for ``user`` (the name shown).

        Args:
            change: the operation, ``change(old, new)``.
            user: whose password (name and login), shown at the top.
            runner: where ``change`` runs (the database worker).
            old_password: the password just typed at login (then not asked again).
            forced: the administrator reset the password: say so; cancelling means not working.
            parent: the window the dialog belongs to.
        """
        super().__init__(parent)
        self.setWindowTitle(self.tr("Ganti kata sandi"))
        self.setObjectName("passwordDialog")
        self._change = change
        self._runner = runner or InlineTaskRunner()
        self._known_old = old_password
        layout = QVBoxLayout(self)
        forced_intro = f"<p>{self.tr(FORCED_INTRO)}</p>" if forced else ""
        intro = QLabel(f"<b>{user}</b>{forced_intro}", self)
        intro.setObjectName("passwordIntro")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.old = password_edit(self, "oldPassword")
        if old_password is None:
            form.addRow(self.tr("Kata sandi &lama"), self.old)
        else:
            self.old.hide()
        self.new = password_edit(self, "newPassword")
        self.repeat = password_edit(self, "repeatPassword")
        form.addRow(self.tr("Kata sandi &baru"), self.new)
        form.addRow(self.tr("&Ulangi kata sandi baru"), self.repeat)
        layout.addLayout(form)
        rule = QLabel(password_rule(), self)
        rule.setWordWrap(True)
        set_tone(rule, "hint")
        layout.addWidget(rule)
        layout.addWidget(reveal_box(self, [self.old, self.new, self.repeat]))
        self.message = QLabel("", self)
        self.message.setObjectName("passwordMessage")
        set_tone(self.message, "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.buttons = DialogButtons(
            self,
            self.tr("&Simpan kata sandi"),
            on_accept=self.save,
            reject_label=self.tr("Keluar") if forced else self.tr("Batal"),
        )
        layout.addWidget(self.buttons)
        (self.new if old_password is not None else self.old).setFocus()
        self.setMinimumWidth(420)

    def save(self) -> None:
        """Check the input here, then let the operation change the password."""
        old = self._known_old if self._known_old is not None else self.old.text()
        new = self.new.text()
        problem = new_password_problem(new, self.repeat.text())
        if not old:
            problem = self.tr("Kata sandi lama wajib diisi")
        if problem:
            self.message.setText(problem)
            return
        self.buttons.setEnabled(False)
        self.message.setText(self.tr("Menyimpan…"))
        self._runner.run(lambda: self._change(old, new), self._saved, self._refused)

    def _saved(self, _result: object) -> None:
        self.buttons.setEnabled(True)
        self.message.clear()
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(error, DeskError):
            raise error
        self.message.setText(str(error))
        if self._known_old is None and isinstance(error, AuthError):
            self.old.clear()
            self.old.setFocus()
        else:
            self.new.setFocus()
