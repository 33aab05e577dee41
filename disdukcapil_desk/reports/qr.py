"""QR codes drawn as one filled path (reports layer).

ReportLab's ``QrCodeWidget`` encodes the text twice and draws one rectangle per dark run; the
desk encodes once and draws every run into a single path (receipts render about twice as fast).
"""

from __future__ import annotations

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import black, white
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4
"""Light modules around the symbol that scanners need."""


def qr_matrix(text: str) -> list[list[bool]]:
    """Encode ``text`` (error correction M) and return the module matrix, row 0 at the top."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    return [[bool(code.isDark(row, col)) for col in range(count)] for row in range(count)]


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of ``text`` with its quiet zone in the square ``(x, y, size)``.

    Args:
        canvas: where to draw.
        text: the payload.
        x: left edge of the square (quiet zone included).
        y: bottom edge of the square.
        size: side of the square in points.
    """
    matrix = qr_matrix(text)
    count = len(matrix)
    module = size / (count + 2 * QUIET_ZONE)
    origin_x = x + QUIET_ZONE * module
    top = y + size - QUIET_ZONE * module
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        row_y = top - (row + 1) * module
        col = 0
        while col < count:
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < count and cells[col]:
                col += 1
            path.rect(origin_x + start * module, row_y, (col - start) * module, module)
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
