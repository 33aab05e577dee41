"""The one message to the citizen: edit, copy, open WhatsApp, then send back (ui layer)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.ui.dialogs.buttons import DialogButtons

LinkFor = Callable[[str], str]


class CitizenMessageDialog(QDialog):
    """Show a drafted WhatsApp text; the officer may edit it before it is stored and sent."""

    def __init__(
        self,
        title: str,
        intro: str,
        text: str,
        link_for: LinkFor,
        *,
        confirm_label: str,
        parent: QWidget | None = None,
    ) -> None:
        """``link_for(text)`` returns the wa.me link for the current text."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self._link_for = link_for
        layout = QVBoxLayout(self)
        label = QLabel(intro, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.editor = QPlainTextEdit(text, self)
        self.editor.setObjectName("citizenMessage")
        self.editor.setMinimumSize(560, 320)
        layout.addWidget(self.editor, 1)
        copy = QPushButton(self.tr("&Salin"), self)
        copy.clicked.connect(self.copy)
        whatsapp = QPushButton(self.tr("Buka &WhatsApp"), self)
        whatsapp.clicked.connect(self.open_whatsapp)
        layout.addWidget(DialogButtons(self, confirm_label, actions=(copy, whatsapp)))

    @property
    def text(self) -> str:
        """The message as edited."""
        return self.editor.toPlainText().strip()

    def copy(self) -> None:
        """Put the message on the clipboard."""
        QGuiApplication.clipboard().setText(self.text)

    def open_whatsapp(self) -> None:
        """Open WhatsApp (web or desktop) with the message for the citizen's number."""
        QDesktopServices.openUrl(QUrl(self._link_for(self.text)))


class ReasonDialog(QDialog):
    """Ask for a reason that is required (reject, approve despite missing items, take back)."""

    def __init__(
        self, title: str, prompt: str, *, confirm_label: str, parent: QWidget | None = None
    ) -> None:
        """A prompt and a text box; OK stays disabled while the box is empty."""
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("reason")
        self.editor.setMinimumSize(420, 120)
        layout.addWidget(self.editor)
        self.buttons = DialogButtons(self, confirm_label)
        self.ok = self.buttons.accept_button
        layout.addWidget(self.buttons)
        self.ok.setEnabled(False)
        self.editor.textChanged.connect(lambda: self.ok.setEnabled(bool(self.text)))

    @property
    def text(self) -> str:
        """The reason as typed."""
        return self.editor.toPlainText().strip()
