"""The database cannot be used at start: say what failed, then Coba lagi / Pengaturan / Keluar.

A windowed Windows build has no console, so a start that fails must say so in a window: which
database (file or server), what went wrong in Indonesian, and the driver's own words behind
"Rincian" for the administrator.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk import APP_NAME
from disdukcapil_desk.domain.errors import (
    ConnectionLost,
    DatabaseError,
    DatabaseIOError,
    DatabaseLocked,
    DatabaseLoginFailed,
    DatabaseMissing,
    DatabaseReadOnly,
    DeskError,
)
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP

_HEADINGS: tuple[tuple[type[DatabaseError], str], ...] = (
    (DatabaseMissing, QT_TRANSLATE_NOOP("DatabaseErrorDialog", "Basis data tidak ditemukan")),
    (DatabaseLocked, QT_TRANSLATE_NOOP("DatabaseErrorDialog", "Basis data sedang dikunci")),
    (DatabaseReadOnly, QT_TRANSLATE_NOOP("DatabaseErrorDialog", "Basis data hanya dapat dibaca")),
    (DatabaseIOError, QT_TRANSLATE_NOOP("DatabaseErrorDialog", "Disk basis data bermasalah")),
    (
        DatabaseLoginFailed,
        QT_TRANSLATE_NOOP("DatabaseErrorDialog", "Login ke server basis data ditolak"),
    ),
    (
        ConnectionLost,
        QT_TRANSLATE_NOOP("DatabaseErrorDialog", "Server basis data tidak dapat dihubungi"),
    ),
)


def database_error_heading(error: BaseException) -> str:
    """A short Indonesian heading for what kind of failure ``error`` is."""
    for kind, heading in _HEADINGS:
        if isinstance(error, kind):
            return QCoreApplication.translate("DatabaseErrorDialog", heading)
    return QCoreApplication.translate("DatabaseErrorDialog", "Basis data tidak dapat dipakai")


class DetailsExpander(QWidget):
    """A "Rincian" toggle with the driver's raw text under it (hidden until asked for)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Start collapsed and empty (hidden altogether while there is no text)."""
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("detailsToggle")
        self.toggle.setText(self.tr("&Rincian"))
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._on_toggled)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("detailsText")
        self.text.setReadOnly(True)
        self.text.setMaximumHeight(110)
        self.text.hide()
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.text)
        self.set_details("")

    def set_details(self, details: str) -> None:
        """Show ``details`` behind the toggle (collapsed); no text hides the whole expander."""
        self.text.setPlainText(details)
        self.toggle.setChecked(False)
        self.setVisible(bool(details))

    def _on_toggled(self, shown: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.text.setVisible(shown)


class StartChoice(enum.Enum):
    """What the officer chose in :class:`DatabaseErrorDialog`."""

    RETRY = "retry"
    SETTINGS = "settings"
    QUIT = "quit"


class DatabaseErrorDialog(QDialog):
    """Tell why the database cannot be used; ``exec()`` then read :attr:`choice`."""

    def __init__(
        self, error: DeskError, *, database_label: str, parent: QWidget | None = None
    ) -> None:
        """Build the message: heading, the error's text, which database, the raw details."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Basis data — {APP_NAME}").format(APP_NAME=APP_NAME))
        self.choice = StartChoice.QUIT
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel(self)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48)
        )
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        self.heading = QLabel(self.tr("<b>{0}</b>").format(database_error_heading(error)), self)
        self.heading.setObjectName("databaseErrorHeading")
        self.message = QLabel(str(error), self)
        self.message.setObjectName("databaseErrorMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where = getattr(error, "where", "") or database_label
        self.where = QLabel(self.tr("Basis data: {where}").format(where=where), self)
        self.where.setObjectName("databaseErrorWhere")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_steps = QLabel(
            self.tr(
                "<i>Coba lagi</i> setelah masalahnya diatasi; <i>Pengaturan</i> untuk memilih "
                "basis data lain atau membuat yang baru; <i>Keluar</i> untuk menutup aplikasi."
            ),
            self,
        )
        self.next_steps.setWordWrap(True)
        for widget in (self.heading, self.message, self.where, self.next_steps):
            texts.addWidget(widget)
        top.addLayout(texts, 1)
        layout.addLayout(top)
        self.details = DetailsExpander(self)
        self.details.set_details(getattr(error, "detail", ""))
        layout.addWidget(self.details)
        layout.addWidget(self._buttons())
        # As tall as the wrapped text needs (no gaps), and growing when Rincian opens.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        self.message.setMinimumWidth(480)

    def _buttons(self) -> QDialogButtonBox:
        box = QDialogButtonBox(self)
        self.retry_button = QPushButton(self.tr("&Coba lagi"), self)
        self.settings_button = QPushButton(self.tr("&Pengaturan…"), self)
        self.quit_button = QPushButton(self.tr("&Keluar"), self)
        box.addButton(self.retry_button, QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(self.settings_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.retry_button.setDefault(True)
        self.retry_button.clicked.connect(lambda: self._choose(StartChoice.RETRY))
        self.settings_button.clicked.connect(lambda: self._choose(StartChoice.SETTINGS))
        self.quit_button.clicked.connect(lambda: self._choose(StartChoice.QUIT))
        return box

    def _choose(self, choice: StartChoice) -> None:
        self.choice = choice
        if choice is StartChoice.QUIT:
            self.reject()
        else:
            self.accept()

    def reject(self) -> None:
        """Escape or closing the window means Keluar."""
        self.choice = StartChoice.QUIT
        super().reject()
