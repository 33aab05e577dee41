"""Certificates (kutipan akta, SKPWNI) in the national layout, from templates (reports layer).

The layout is the same for every type: bilingual headings, the registration number after
"Berdasarkan ... Nomor", label/value lines (the wording comes from the template data), the
closing "Kutipan ini dikeluarkan di ..." with the date in words, the signer block and the QR.
Without a digital signature a certificate is marked as a draft for the applicant to check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from disdukcapil_desk.domain.documents import (
    CertificateData,
    CertificateLine,
    ReceiptData,
    embedded_metadata,
    kutipan_date,
)
from disdukcapil_desk.reports.glyphs import check_documents
from disdukcapil_desk.reports.letterhead import draw_letterhead
from disdukcapil_desk.reports.qr import draw_qr
from disdukcapil_desk.reports.receipt import draw_receipt_a4, set_creation_date
from disdukcapil_desk.reports.styles import (
    A4,
    DRAFT,
    INK,
    MUTED,
    SANS,
    SANS_BOLD,
    SERIF,
    SERIF_BOLD,
    new_canvas,
    wrap,
)

ITALIC = "DeskSerif-Italic"
DRAFT_BANNER = "DRAF — UNTUK PEMERIKSAAN DATA OLEH PEMOHON"
DRAFT_NOTE = (
    "Draf ini dibuat oleh Disdukcapil Desk agar pemohon dapat memeriksa kebenaran data. "
    "Draf ini BUKAN dokumen kependudukan yang sah dan tidak ditandatangani secara elektronik. "
    "Laporkan kesalahan data kepada petugas sebelum dokumen resmi diterbitkan."
)
CHECK_NOTE = (
    "Dokumen ini ditandatangani secara digital oleh Dinas Kependudukan dan Pencatatan Sipil. "
    "Keasliannya dapat diperiksa di loket Disdukcapil atau UPT mana pun: petugas memindai kode "
    "QR (atau mengetik nomor dan kode verifikasi di bawahnya) dan mencocokkannya dengan data "
    "yang diterbitkan."
)
UNSET_SIGNER = "(nama pejabat belum diatur)"
"""Printed on a draft only; a signed certificate is refused without the signer's name."""
_LEFT = 22 * mm
_RIGHT = A4[0] - 22 * mm
_VALUE_X = _LEFT + 70 * mm

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


def render_certificate(data: CertificateData) -> bytes:
    """Return one certificate as PDF bytes (unsealed)."""
    return render_batch([data])


def render_batch(
    documents: Sequence[CertificateData | ReceiptData],
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> bytes:
    """Return many documents (certificates and A4 receipts) as one PDF, one page each.

    Args:
        documents: what to draw, in order.
        progress: called with (done, total) after each page.
        cancelled: polled before each page; when it returns True the batch stops and the
            pages drawn so far are returned.

    Raises:
        UnprintableText: a document holds a text the fonts cannot draw (nothing is made).
    """
    check_documents(documents)
    buffer = BytesIO()
    canvas = new_canvas(
        buffer,
        title=_title_of(documents),
        subject="Dokumen Disdukcapil Desk",
        verification=embedded_metadata([d.verification for d in documents]),
    )
    set_creation_date(canvas, _created_at(documents))
    for index, document in enumerate(documents):
        if cancelled is not None and cancelled():
            break
        if isinstance(document, CertificateData):
            draw_certificate(canvas, document)
        else:
            draw_receipt_a4(canvas, document)
        canvas.showPage()
        if progress is not None:
            progress(index + 1, len(documents))
    canvas.save()
    return buffer.getvalue()


def _created_at(documents: Sequence[CertificateData | ReceiptData]) -> dt.datetime | None:
    for document in documents:
        when = document.created_at if isinstance(document, CertificateData) else document.printed_at
        if when is not None:
            return when
    return None


def _title_of(documents: Sequence[CertificateData | ReceiptData]) -> str:
    if len(documents) == 1 and isinstance(documents[0], CertificateData):
        return f"{documents[0].title.title()} {documents[0].number}"
    return f"{len(documents)} dokumen Disdukcapil Desk"


def draw_certificate(canvas: Canvas, data: CertificateData) -> None:
    """Draw one certificate page on ``canvas`` (the caller ends the page)."""
    if data.draft:
        _draft_marks(canvas)
    y = A4[1] - 16 * mm
    for line in data.header:
        y = _header_line(canvas, line, y)
    y = _heading(canvas, data, y - 4 * mm)
    y = _number(canvas, data, y - 8 * mm)
    compact = len(data.lines) > 12
    for line in data.lines:
        if line.section:
            y = _section(canvas, line, y - (2 if compact else 4) * mm)
        elif compact:
            y = _compact_line(canvas, line, y)
        else:
            y = _body_line(canvas, line, y)
    y = _closing(canvas, data, y - 8 * mm)
    _signature(canvas, data, y - 6 * mm)
    _footer(canvas, data)


def _draft_marks(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setFillColor(DRAFT)
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(45)
    canvas.setFont(SANS_BOLD, 110)
    canvas.drawCentredString(0, -35, "DRAF")
    canvas.restoreState()
    canvas.saveState()
    canvas.setStrokeColorRGB(0.75, 0.1, 0.1)
    canvas.setFillColorRGB(0.75, 0.1, 0.1)
    canvas.setLineWidth(1)
    canvas.rect(_LEFT, A4[1] - 11 * mm, _RIGHT - _LEFT, 6.5 * mm, stroke=1, fill=0)
    canvas.setFont(SANS_BOLD, 9)
    canvas.drawCentredString(A4[0] / 2, A4[1] - 8.6 * mm, DRAFT_BANNER)
    canvas.restoreState()


def _header_line(canvas: Canvas, line: CertificateLine, y: float) -> float:
    canvas.setFont(SERIF, 10)
    canvas.drawString(_LEFT, y, f"{line.label} / ")
    width = canvas.stringWidth(f"{line.label} / ", SERIF, 10)
    canvas.setFont(ITALIC, 10)
    canvas.drawString(_LEFT + width, y, f"{line.label_en}:")
    width += canvas.stringWidth(f"{line.label_en}: ", ITALIC, 10)
    canvas.setFont(SERIF_BOLD, 11)
    canvas.drawString(_LEFT + width + 2, y, line.value)
    return y - 14


def _bilingual(canvas: Canvas, text: str, english: str, y: float, size: float) -> float:
    centre = A4[0] / 2
    canvas.setFont(SERIF_BOLD, size)
    canvas.drawCentredString(centre, y, text)
    canvas.setFont(ITALIC, size - 2.5)
    canvas.drawCentredString(centre, y - size, english)
    return y - size * 2.1


def _heading(canvas: Canvas, data: CertificateData, y: float) -> float:
    if data.letterhead is not None:
        y = draw_letterhead(canvas, data.letterhead, _LEFT, _RIGHT, y + 2 * mm) - 4 * mm
    else:
        y = _bilingual(canvas, "REPUBLIK INDONESIA", "REPUBLIC OF INDONESIA", y - 6 * mm, 14)
        y = _bilingual(canvas, "PENCATATAN SIPIL", "REGISTRY OFFICE", y, 12)
    if data.show_nationality:
        y = _bilingual(canvas, "WARGA NEGARA INDONESIA", "NATIONALITY: INDONESIAN", y, 11)
    y -= 4 * mm
    return _bilingual(canvas, data.title, data.title_en, y, 15)


def _number(canvas: Canvas, data: CertificateData, y: float) -> float:
    canvas.setFont(SERIF_BOLD, 12)
    canvas.drawString(_VALUE_X, y, data.number)
    for text in wrap(data.number_phrase, SERIF, 11, _VALUE_X - _LEFT - 8):
        canvas.setFont(SERIF, 11)
        canvas.drawString(_LEFT, y, text)
        y -= 12.5
    canvas.setFillColor(MUTED)
    for text in wrap(data.number_phrase_en, ITALIC, 9, _VALUE_X - _LEFT - 8):
        canvas.setFont(ITALIC, 9)
        canvas.drawString(_LEFT, y + 1.5, text)
        y -= 10.5
    canvas.setFillColor(INK)
    return y - 5


def _section(canvas: Canvas, line: CertificateLine, y: float) -> float:
    canvas.setFont(SERIF_BOLD, 11)
    canvas.drawString(_LEFT, y, f"{line.label}")
    canvas.setFont(ITALIC, 9)
    canvas.drawString(
        _LEFT + canvas.stringWidth(line.label + "  ", SERIF_BOLD, 11), y, line.label_en
    )
    canvas.setLineWidth(0.4)
    canvas.line(_LEFT, y - 3, _RIGHT, y - 3)
    return y - 17


def _body_line(canvas: Canvas, line: CertificateLine, y: float) -> float:
    label_lines = wrap(line.label, SERIF, 11, _VALUE_X - _LEFT - 10) if line.label else []
    en_lines = wrap(line.label_en, ITALIC, 9, _VALUE_X - _LEFT - 10) if line.label_en else []
    font = SERIF_BOLD if line.emphasis else SERIF
    size = 12 if line.emphasis else 11
    value_lines = wrap(line.value, font, size, _RIGHT - _VALUE_X)
    label_y = y
    for text in label_lines:
        canvas.setFont(SERIF, 11)
        canvas.drawString(_LEFT, label_y, text)
        label_y -= 12.5
    canvas.setFillColor(MUTED)
    for text in en_lines:
        canvas.setFont(ITALIC, 9)
        canvas.drawString(_LEFT, label_y + 1.5, text)
        label_y -= 10.5
    canvas.setFillColor(INK)
    value_y = y
    for text in value_lines:
        canvas.setFont(font, size)
        canvas.drawString(_VALUE_X, value_y, text)
        value_y -= size * 1.3
    return min(label_y, value_y) - 5


def _compact_line(canvas: Canvas, line: CertificateLine, y: float) -> float:
    canvas.setFont(SERIF, 10.5)
    canvas.drawString(_LEFT, y, line.label)
    label_y = y
    if line.label_en:
        english = f"/ {line.label_en}"
        x = _LEFT + canvas.stringWidth(line.label + " ", SERIF, 10.5)
        if x + canvas.stringWidth(english, ITALIC, 8) > _VALUE_X - 4:
            x, label_y = _LEFT, y - 10  # the English label under the Indonesian one
        canvas.setFont(ITALIC, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(x, label_y, english)
        canvas.setFillColor(INK)
    font = SERIF_BOLD if line.emphasis else SERIF
    for text in wrap(line.value, font, 10.5, _RIGHT - _VALUE_X):
        canvas.setFont(font, 10.5)
        canvas.drawString(_VALUE_X, y, text)
        y -= 13
    return min(y, label_y - 11) - 2


def _closing(canvas: Canvas, data: CertificateData, y: float) -> float:
    issued = data.issued_on
    excerpt = data.title.startswith("KUTIPAN")
    opening = "Kutipan ini dikeluarkan di" if excerpt else "Dikeluarkan di"
    text = f"{opening} {data.place.upper()} pada tanggal {kutipan_date(issued)} ({issued:%d-%m-%Y})"
    english = (
        f"This {'excerpt' if excerpt else 'certificate'} is issued in {data.place.upper()}"
        f" on {issued:%d-%m-%Y}"
    )
    for line in wrap(text, SERIF, 11, _RIGHT - _LEFT):
        canvas.setFont(SERIF, 11)
        canvas.drawString(_LEFT, y, line)
        y -= 13.5
    canvas.setFont(ITALIC, 9)
    canvas.setFillColor(MUTED)
    canvas.drawString(_LEFT, y + 2, english)
    canvas.setFillColor(INK)
    return y - 10


def _signature(canvas: Canvas, data: CertificateData, y: float) -> None:
    centre = _RIGHT - 42 * mm
    signer = data.signer
    for text in wrap(signer.title.upper(), SERIF_BOLD, 10.5, 84 * mm):
        canvas.setFont(SERIF_BOLD, 10.5)
        canvas.drawCentredString(centre, y, text)
        y -= 12.5
    canvas.setFont(ITALIC, 9)
    canvas.drawCentredString(centre, y + 1, signer.title_en)
    qr_size = 30 * mm
    draw_qr(canvas, data.verification.qr_text, _LEFT, y - qr_size + 8 * mm, qr_size)
    canvas.setFont(SANS, 7)
    canvas.setFillColor(MUTED)
    canvas.drawString(_LEFT + 2 * mm, y - qr_size + 5 * mm, "Kode verifikasi:")
    canvas.setFont(SANS_BOLD, 8)
    canvas.setFillColor(INK)
    canvas.drawString(_LEFT + 2 * mm, y - qr_size + 1.5 * mm, data.verification.display_code)
    y -= 24 * mm
    name = signer.name or UNSET_SIGNER
    canvas.setFont(SERIF_BOLD, 11)
    canvas.drawCentredString(centre, y, name.upper())
    width = canvas.stringWidth(name.upper(), SERIF_BOLD, 11)
    canvas.setLineWidth(0.6)
    canvas.line(centre - width / 2, y - 2, centre + width / 2, y - 2)
    canvas.setFont(SERIF, 10)
    canvas.drawCentredString(centre, y - 13, f"NIP. {signer.nip}" if signer.nip else "NIP. -")


def _footer(canvas: Canvas, data: CertificateData) -> None:
    y = 20 * mm
    canvas.setStrokeColor(MUTED)
    canvas.line(_LEFT, y + 4, _RIGHT, y + 4)
    canvas.setFillColor(MUTED)
    note = DRAFT_NOTE if data.draft else CHECK_NOTE
    stamp = "Kode QR hanya memuat nomor dan kode verifikasi."
    if data.reprint_count:
        stamp += f" Cetak ulang ke-{data.reprint_count}."
    for line in [*wrap(note, SANS, 7.5, _RIGHT - _LEFT), stamp]:
        canvas.setFont(SANS, 7.5)
        canvas.drawString(_LEFT, y - 6, line)
        y -= 9.5
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
