"""Print preview of a document the desk made: look, print, save, or open elsewhere (ui layer).

The pages are rendered with PDFium a few at a time while the dialog is open, so a batch of a
thousand certificates opens at once and never freezes the desk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QPixmap, QShortcut, QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.ui.geometry import fit_to_screen
from disdukcapil_desk.ui.pdf_pages import page_image
from disdukcapil_desk.ui.printing import prepare_printer

PAGES_PER_TICK = 4
PREVIEW_SCALE = 1.1
"""About 80 dpi: an A4 page is as wide as a laptop screen's comfortable reading width."""

PREFERRED_SIZE = QSize(760, 1000)
"""An A4 page wide with room for the scroll bar; as tall as the screen allows."""

PrintJob = Callable[[QPrinter, bytes], None]


class DocumentPreviewDialog(QDialog):
    """The pages of a PDF with "Cetak…", "Simpan PDF…", "Buka di penampil PDF" and "Tutup"."""

    def __init__(
        self, title: str, pdf: bytes, path: Path, print_job: PrintJob, parent: QWidget | None = None
    ) -> None:
        """Show ``pdf`` (already written to ``path``); ``print_job`` prints it on a printer."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pratinjau — {title}").format(title=title))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.pdf = pdf
        self.path = path
        self._print_job = print_job
        self._document = pdfium.PdfDocument(pdf)
        self.page_count = len(self._document)
        self.pages_shown = 0
        self._pages = QVBoxLayout()
        self._pages.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.summary = QLabel(self.tr("{title}: {0} halaman").format(self.page_count, title=title))
        # A long saved path must not widen the dialog past the screen.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._build()
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self._render_more)
        self._timer.start()
        self.finished.connect(self._close_document)

    def _build(self) -> None:
        holder = QWidget()
        holder.setLayout(self._pages)
        holder.setObjectName("documentPages")  # its grey is in the desk's style sheet
        holder.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        self.print_button = QPushButton(self.tr("Cetak…"))
        self.print_button.setDefault(True)
        self.print_button.setToolTip(self.tr("Cetak ke printer (Ctrl+P)"))
        self.print_button.clicked.connect(self.print_document)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        self.save_button = QPushButton(self.tr("Simpan PDF…"))
        self.save_button.clicked.connect(self.save_document)
        self.open_button = QPushButton(self.tr("Buka di penampil PDF"))
        self.open_button.clicked.connect(self.open_externally)
        close = QPushButton(self.tr("Tutup"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for button in (self.open_button, self.save_button, self.print_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, PREFERRED_SIZE)

    def showEvent(self, event: QShowEvent) -> None:
        """Keep the whole dialog, its buttons included, on the screen (frame now known)."""
        super().showEvent(event)
        fit_to_screen(self, PREFERRED_SIZE)

    def _render_more(self) -> None:
        end = min(self.pages_shown + PAGES_PER_TICK, self.page_count)
        for index in range(self.pages_shown, end):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(page_image(self._document[index], PREVIEW_SCALE)))
            label.setToolTip(self.tr("Halaman {0} dari {1}").format(index + 1, self.page_count))
            self._pages.addWidget(label)
        self.pages_shown = end
        if end >= self.page_count:
            self._timer.stop()

    def _close_document(self) -> None:
        self._timer.stop()
        self._document.close()

    # -- actions (the choose_* hooks are replaced in tests) ------------------------------------

    def print_document(self) -> None:
        """Ask for a printer and print every page (in the background, with progress)."""
        printer = self.choose_printer()
        if printer is not None:
            self._print_job(printer, self.pdf)

    def choose_printer(self) -> QPrinter | None:
        """The workstation's print dialog; None when cancelled."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.pdf)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Cetak dokumen"))
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def save_document(self) -> Path | None:
        """Save a copy of the PDF where the officer chooses."""
        target = self.choose_save_path()
        if target is None:
            return None
        target.write_bytes(self.pdf)
        self.summary.setText(self.tr("Disimpan: {target}").format(target=target))
        return target

    def choose_save_path(self) -> Path | None:
        """Ask where to save; None when cancelled."""
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Simpan PDF"), str(self.path), self.tr("Dokumen PDF (*.pdf)")
        )
        return Path(name) if name else None

    def open_externally(self) -> None:
        """Open the file in the workstation's PDF viewer."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
