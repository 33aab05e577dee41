"""User-facing texts of the window, and how errors are shown (ui layer)."""

from __future__ import annotations

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

CHANNEL_LABELS = {channel.value: channel.label for channel in Channel}

ERROR_TITLES: dict[type[DeskError], str] = {
    StaleVersionError: "Sudah diubah petugas lain",
    ClaimError: "Permohonan sedang dipegang",
    PermissionDenied: "Tidak diizinkan",
    WorkflowError: "Tidak dapat dilakukan",
    NotFound: "Tidak ditemukan",
    ConnectionLost: "Koneksi terputus",
    DatabaseMissing: "Basis data tidak ditemukan",
    DatabaseLocked: "Basis data sedang dikunci",
    DatabaseError: "Basis data tidak dapat dipakai",
    SchemaVersionError: "Versi basis data",
    AuthError: "Gagal masuk",
}


def error_title(error: BaseException) -> str:
    """Return the dialog title for an error."""
    for kind, title in ERROR_TITLES.items():
        if isinstance(error, kind):
            return title
    return "Terjadi kesalahan"


def error_text(error: BaseException) -> str:
    """Return what to tell the officer: the desk's own message, or a generic one for bugs."""
    if isinstance(error, DeskError):
        return str(error)
    return (
        f"Kesalahan tak terduga ({type(error).__name__}). Isian Anda tetap di layar. "
        "Coba lagi; bila berulang, hubungi administrator (rincian ada di berkas log)."
    )


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
