"""User-facing texts of the window, and how errors are shown (ui layer)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from disdukcapil_desk.domain.errors import (
    AuthError,
    ClaimError,
    ConnectionLost,
    DatabaseError,
    DatabaseLocked,
    DatabaseMissing,
    DeskError,
    NotFound,
    PermissionDenied,
    SchemaVersionError,
    StaleVersionError,
    WorkflowError,
)
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP

CONTEXT = "messages"
"""The translation context of this module's texts."""
CHANNEL_LABELS = {channel.value: channel.label for channel in Channel}

ERROR_TITLES: dict[type[DeskError], str] = {
    StaleVersionError: QT_TRANSLATE_NOOP("messages", "Sudah diubah petugas lain"),
    ClaimError: QT_TRANSLATE_NOOP("messages", "Permohonan sedang dipegang"),
    PermissionDenied: QT_TRANSLATE_NOOP("messages", "Tidak diizinkan"),
    WorkflowError: QT_TRANSLATE_NOOP("messages", "Tidak dapat dilakukan"),
    NotFound: QT_TRANSLATE_NOOP("messages", "Tidak ditemukan"),
    ConnectionLost: QT_TRANSLATE_NOOP("messages", "Koneksi terputus"),
    DatabaseMissing: QT_TRANSLATE_NOOP("messages", "Basis data tidak ditemukan"),
    DatabaseLocked: QT_TRANSLATE_NOOP("messages", "Basis data sedang dikunci"),
    DatabaseError: QT_TRANSLATE_NOOP("messages", "Basis data tidak dapat dipakai"),
    SchemaVersionError: QT_TRANSLATE_NOOP("messages", "Versi basis data"),
    AuthError: QT_TRANSLATE_NOOP("messages", "Gagal masuk"),
}


def translate(text: str) -> str:
    """``text`` (marked with ``QT_TRANSLATE_NOOP("messages", …)``) in the desk's language."""
    return QCoreApplication.translate(CONTEXT, text)


def channel_label(code: str) -> str:
    """How a channel is named on screen."""
    return translate(CHANNEL_LABELS[code]) if code in CHANNEL_LABELS else code


def error_title(error: BaseException) -> str:
    """Return the dialog title for an error."""
    for kind, title in ERROR_TITLES.items():
        if isinstance(error, kind):
            return translate(title)
    return QCoreApplication.translate("messages", "Terjadi kesalahan")


def error_text(error: BaseException) -> str:
    """Return what to tell the officer: the desk's own message, or a generic one for bugs."""
    if isinstance(error, DeskError):
        return str(error)
    return QCoreApplication.translate(
        "messages",
        "Kesalahan tak terduga ({kind}). Isian Anda tetap di layar. "
        "Coba lagi; bila berulang, hubungi administrator (rincian ada di berkas log).",
    ).format(kind=type(error).__name__)


def ask_yes_no(parent: QWidget | None, title: str, question: str, *, yes: str, no: str) -> bool:
    """Ask with Indonesian buttons (Qt ships no Indonesian translation of its own)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton(no, QMessageBox.ButtonRole.RejectRole))
    box.exec()
    return box.clickedButton() is yes_button


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """Show an error in a dialog with a title that says what kind of problem it is."""
    QMessageBox.warning(parent, error_title(error), error_text(error))
