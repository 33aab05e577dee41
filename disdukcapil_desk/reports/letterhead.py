"""The kop surat: a text-only letterhead from the office settings (reports layer).

No emblem is drawn: the bundle has no licensed regional emblem and the desk must not imitate
an official TTE document.
"""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas

from disdukcapil_desk.domain.documents import Letterhead
from disdukcapil_desk.reports.styles import INK, MUTED, SANS, SANS_BOLD, SERIF_BOLD, wrap


def draw_letterhead(
    canvas: Canvas, head: Letterhead, left: float, right: float, top: float
) -> float:
    """Draw the kop centred between ``left`` and ``right`` from ``top``; return the y below it.

    The government line, the agency in bold, the UPT when there is one, the address and
    telephone in small print, then the double rule of Indonesian official letters.
    """
    centre = (left + right) / 2
    width = right - left
    big = 13 if width > 400 else 9
    y = top - big
    canvas.setFillColor(INK)
    canvas.setFont(SERIF_BOLD, big)
    canvas.drawCentredString(centre, y, head.government.upper())
    y -= big * 1.2
    for line in wrap(head.agency.upper(), SERIF_BOLD, big + 1, width):
        canvas.setFont(SERIF_BOLD, big + 1)
        canvas.drawCentredString(centre, y, line)
        y -= (big + 1) * 1.2
    if head.unit:
        canvas.setFont(SANS_BOLD, big - 2)
        canvas.drawCentredString(centre, y, head.unit.upper())
        y -= (big - 2) * 1.3
    contact = "  ·  ".join(
        p for p in (head.address, f"Telp. {head.phone}" if head.phone else "") if p
    )
    if contact:
        canvas.setFillColor(MUTED)
        for line in wrap(contact, SANS, big - 4, width):
            canvas.setFont(SANS, big - 4)
            canvas.drawCentredString(centre, y, line)
            y -= (big - 4) * 1.3
        canvas.setFillColor(INK)
    y += 2
    canvas.setLineWidth(1.6 if width > 400 else 1.0)
    canvas.line(left, y - 2, right, y - 2)
    canvas.setLineWidth(0.5)
    canvas.line(left, y - 4.5, right, y - 4.5)
    return y - 8
