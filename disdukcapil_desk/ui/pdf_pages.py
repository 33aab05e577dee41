"""PDF attachments as images, rendered with PDFium (QtPdf is not in the lean Qt wheels)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QImage

if TYPE_CHECKING:  # PDFium is loaded when a PDF is first rendered, not with the window
    import pypdfium2 as pdfium

MAX_PAGES = 20
"""Citizens' scans are a few pages; a larger file is shown in part (the rest via "Buka")."""


def render_pages(content: bytes, scale: float = 1.5) -> tuple[list[QImage], int]:
    """Return images of the first pages of a PDF and its page count.

    Raises:
        ValueError: the bytes are not a readable PDF.
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        raise ValueError(f"PDF tidak dapat dibaca: {exc}") from None
    try:
        images = [page_image(document[i], scale) for i in range(min(len(document), MAX_PAGES))]
        return images, len(document)
    finally:
        document.close()


def page_image(page: pdfium.PdfPage, scale: float) -> QImage:
    """Render one page (1.0 = 72 dpi) to an image that owns its pixels."""
    bitmap = page.render(scale=scale, rev_byteorder=True)
    image = QImage(
        bytes(bitmap.buffer),
        bitmap.width,
        bitmap.height,
        bitmap.stride,
        QImage.Format.Format_RGB888,
    )
    # The QImage above borrows the bytes object; copy() owns its pixels.
    return image.copy()
