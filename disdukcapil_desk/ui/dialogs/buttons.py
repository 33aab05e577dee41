"""The button row of the desk's dialogs, labelled in Indonesian (ui layer)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton

from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP

CANCEL_LABEL = QT_TRANSLATE_NOOP("DialogButtons", "Batal")


class DialogButtons(QDialogButtonBox):
    """Some action buttons, then the confirming button (the default one), then the cancelling one.

    The confirming button calls ``on_accept`` (the dialog's ``accept`` unless given: a dialog
    that checks its input first accepts itself); the cancelling one rejects the dialog.
    """

    def __init__(
        self,
        dialog: QDialog,
        accept_label: str,
        *,
        on_accept: Callable[[], object] | None = None,
        reject_label: str | None = None,
        actions: Sequence[QPushButton] = (),
    ) -> None:
        """Add the buttons to a box that belongs to ``dialog``; the caller places the box."""
        super().__init__(dialog)
        for action in actions:
            self.addButton(action, QDialogButtonBox.ButtonRole.ActionRole)
        self.accept_button = self.addButton(
            with_mnemonic(accept_label), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.accept_button.setDefault(True)
        self.accept_button.setToolTip(self.tr("Ctrl+Enter"))
        self.reject_button = self.addButton(
            with_mnemonic(reject_label or self.tr(CANCEL_LABEL)),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        self.accepted.connect(on_accept or dialog.accept)
        self.rejected.connect(dialog.reject)
        # In a dialog with a text box Enter is a new line: Ctrl+Enter confirms (either Enter key).
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), dialog, self._confirm)

    def _confirm(self) -> None:
        if self.accept_button.isEnabled():
            self.accept_button.click()


def with_mnemonic(label: str) -> str:
    """``label`` with an Alt mnemonic on its first letter, unless it has one already."""
    return label if "&" in label.replace("&&", "") else "&" + label
