"""'Tentang': version, database, schema version and where the log is (ui layer).

What the officer reads to the administrator on the phone, so it can also be copied as text.
"""

from __future__ import annotations

import logging
import platform
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk import APP_NAME, ORG_NAME, __version__

log = logging.getLogger("disdukcapil_desk.ui")


def current_log_file() -> Path | None:
    """The file the desk's logger writes to (set up by ``log.setup_logging``), if any."""
    for handler in logging.getLogger("disdukcapil_desk").handlers:
        if isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def about_facts(
    database_label: str, schema_version: int | None, log_file: Path | None
) -> list[tuple[str, str]]:
    """The (label, value) lines the dialog shows, in order."""
    translate = QCoreApplication.translate
    frozen = translate("AboutDialog", " (paket instalasi)") if getattr(sys, "frozen", False) else ""
    schema = (
        str(schema_version)
        if schema_version is not None
        else translate("AboutDialog", "tidak diketahui")
    )
    log = str(log_file) if log_file else translate("AboutDialog", "tidak ada (log tidak aktif)")
    return [
        (translate("AboutDialog", "Versi aplikasi"), f"{__version__}{frozen}"),
        (translate("AboutDialog", "Basis data"), database_label),
        (translate("AboutDialog", "Versi skema"), schema),
        (translate("AboutDialog", "Berkas log"), log),
        ("Qt / PySide6", f"{qVersion()} / {PySide6.__version__}"),
        ("Python", f"{platform.python_version()} ({platform.platform(terse=True)})"),
    ]


class AboutDialog(QDialog):
    """Shows who made the desk, which version runs, on which database, and where the log is."""

    def __init__(
        self,
        *,
        database_label: str,
        schema_version: int | None,
        log_file: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Build the dialog; ``log_file`` defaults to the file the desk logs to."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Tentang {APP_NAME}").format(APP_NAME=APP_NAME))
        self.log_file = log_file or current_log_file()
        self.facts = about_facts(database_label, schema_version, self.log_file)
        layout = QVBoxLayout(self)
        title = QLabel(
            self.tr("<h2>{APP_NAME}</h2><p>{ORG_NAME}</p>").format(
                APP_NAME=APP_NAME, ORG_NAME=ORG_NAME
            ),
            self,
        )
        layout.addWidget(title)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, value in self.facts:
            field = QLabel(value, self)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setWordWrap(True)
            form.addRow(label, field)
            self.values[label] = field
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.copy_button = buttons.addButton(
            self.tr("Salin keterangan"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.log_button = buttons.addButton(
            self.tr("Buka folder log"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.log_button.setEnabled(self.log_file is not None)
        self.log_button.clicked.connect(self.open_log_folder)
        close = buttons.addButton(self.tr("Tutup"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def text(self) -> str:
        """Everything the dialog says, one fact a line (for a support message)."""
        return "\n".join([f"{APP_NAME} — {ORG_NAME}"] + [f"{k}: {v}" for k, v in self.facts])

    def copy_to_clipboard(self) -> None:
        """Put :meth:`text` on the clipboard."""
        QGuiApplication.clipboard().setText(self.text())

    def open_log_folder(self) -> None:
        """Open the folder of the log file in the file manager."""
        if self.log_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_file.parent)))
