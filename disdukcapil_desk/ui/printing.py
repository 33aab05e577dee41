"""Printing the desk's PDFs on a QPrinter, page by page through PDFium (ui layer).

Qt allows painting on a QPrinter outside the GUI thread, so a batch of a thousand certificates
prints in the task runner with progress and cancel. Each page is rendered at the printer's
resolution (capped, to keep a batch's memory flat) and placed on paper of the PDF's own size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from disdukcapil_desk.ui.pdf_pages import page_image

if TYPE_CHECKING:  # PDFium is loaded when the desk first prints, not with the window
    import pypdfium2 as pdfium

MAX_DPI = 300
"""Enough for text and QR codes on office laser printers."""


class PrintError(Exception):
    """The printer could not be used."""


def page_count(pdf: bytes) -> int:
    """Return the number of pages of a PDF."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def pdf_page_size(pdf: bytes) -> tuple[float, float]:
    """Return the first page's width and height in points."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        width, height = document[0].get_size()
        return width, height
    finally:
        document.close()


def prepare_printer(printer: QPrinter, pdf: bytes) -> None:
    """Set the paper to the document's size (A4, or the 80 mm slip) with no margins."""
    width, height = pdf_page_size(pdf)
    size = QPageSize(
        QSizeF(width, height), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch
    )
    orientation = (
        QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    )
    printer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)


def print_pdf(
    printer: QPrinter,
    pdf: bytes,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Print every page of ``pdf`` on ``printer``; returns the pages printed.

    Raises:
        PrintError: the printer refused to start.
    """
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    painter = QPainter()
    try:
        if not painter.begin(printer):
            raise PrintError(
                QCoreApplication.translate(
                    "printing", "Printer tidak dapat dipakai (periksa sambungan dan kertas)"
                )
            )
        total = len(document)
        dpi = min(printer.resolution(), MAX_DPI)
        for index in range(total):
            if cancelled is not None and cancelled():
                return index
            if index:
                printer.newPage()
            _draw_page(painter, document[index], dpi)
            if progress is not None:
                progress(index + 1, total)
        return total
    finally:
        if painter.isActive():
            painter.end()
        document.close()


def _draw_page(painter: QPainter, page: pdfium.PdfPage, dpi: int) -> None:
    image = page_image(page, dpi / 72)
    area = QRectF(painter.viewport())
    scale = min(area.width() / image.width(), area.height() / image.height())
    target = QRectF(0, 0, image.width() * scale, image.height() * scale)
    painter.drawImage(target, image)
