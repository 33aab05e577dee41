"""The one message to the citizen: the officer reads and edits it; the outbox sends it through
the request's channel (ui layer).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.ui.dialogs.buttons import DialogButtons


class CitizenMessageDialog(QDialog):
    """Show a drafted message; the officer may edit it before the decision sends it."""

    def __init__(
        self,
        title: str,
        intro: str,
        text: str,
        *,
        confirm_label: str,
        parent: QWidget | None = None,
    ) -> None:
        """The intro, the text to edit, and the button that confirms."""
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(intro, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.editor = QPlainTextEdit(text, self)
        self.editor.setObjectName("citizenMessage")
        self.editor.setMinimumSize(560, 320)
        layout.addWidget(self.editor, 1)
        layout.addWidget(DialogButtons(self, confirm_label))

    @property
    def text(self) -> str:
        """The message as edited."""
        return self.editor.toPlainText().strip()


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
