"""First run on an empty database: prepare it and create the first administrator."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.passwords import password_problem
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.palette import set_tone


class FirstAdminDialog(QDialog):
    """Ask for the administrator's login and password (typed twice)."""

    def __init__(self, database: str, parent: QWidget | None = None) -> None:
        """Explain what will happen, then the three inputs."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Siapkan basis data baru"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Basis data <b>{database}</b> masih kosong. Aplikasi akan menyiapkan "
                "tabel, katalog layanan dan lokasi (dinas dan UPT), lalu membuat akun "
                "administrator pertama."
            ).format(database=database),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.login = QLineEdit("admin", self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(self)
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Login administrator"), self.login)
        form.addRow(self.tr("Kata sandi"), self.password)
        form.addRow(self.tr("Ulangi kata sandi"), self.repeat)
        layout.addLayout(form)
        self.message = QLabel("", self)
        set_tone(self.message, "error")
        layout.addWidget(self.message)
        layout.addWidget(DialogButtons(self, self.tr("Siapkan"), on_accept=self._on_accept))
        self.setMinimumWidth(460)

    def _on_accept(self) -> None:
        problem = password_problem(self.password.text())
        if not self.login.text().strip():
            problem = self.tr("Login wajib diisi")
        elif not problem and self.password.text() != self.repeat.text():
            problem = self.tr("Kedua kata sandi tidak sama")
        if problem:
            self.message.setText(problem)
            return
        self.accept()
