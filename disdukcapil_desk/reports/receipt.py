"""The receipt (tanda terima / bukti pendaftaran) of a request: A4 and 80 mm slip (reports).

Drawn straight on the canvas (no Platypus) so that a receipt costs a few milliseconds; the
QR is encoded once and drawn as one path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.documents import DocumentSeal, ReceiptData, embedded_metadata
from disdukcapil_desk.domain.terbilang import date_long, date_with_day
from disdukcapil_desk.reports.glyphs import check_receipt
from disdukcapil_desk.reports.letterhead import draw_letterhead
from disdukcapil_desk.reports.qr import draw_qr
from disdukcapil_desk.reports.styles import (
    A4,
    INK,
    MUTED,
    SANS,
    SANS_BOLD,
    Slip,
    ensure_fonts,
    new_canvas,
    wrap,
)

TITLE = "TANDA TERIMA PERMOHONAN"
SUBTITLE = "Bukti Pendaftaran Layanan Administrasi Kependudukan"
FREE_NOTE = "Layanan administrasi kependudukan TIDAK DIPUNGUT BIAYA (gratis)."
KEEP_NOTE = "Simpan tanda terima ini dan tunjukkan saat mengambil dokumen."
NOT_ADMINDUK = (
    "Tanda terima ini dibuat oleh aplikasi Disdukcapil Desk dan bukan dokumen kependudukan. "
    "Kode QR hanya memuat nomor permohonan dan kode verifikasi."
)


def receipt_rows(data: ReceiptData) -> list[tuple[str, str]]:
    """Return the label/value rows of a receipt, in print order.

    The applicant is who applied and collects (for a death, the pelapor); when the document is
    about someone else, "Atas Nama" names that person (the deceased, the child) with their
    role, and their NIK when they have one.
    """
    received = data.received_at.astimezone(WIB)
    rows = [
        ("Nomor Permohonan", data.number),
        ("Diterima", f"{date_with_day(received.date())}, pukul {received:%H:%M} WIB"),
        ("Kanal", data.channel),
        ("Jenis Layanan", data.service_name),
        *_party_rows(data),
        ("No. KK", data.kk_masked or "-"),
        ("Desa/Kelurahan", data.desa or "-"),
        ("Kecamatan", data.kecamatan or "-"),
        ("Status", data.status),
    ]
    if data.due_date is not None:  # a rejected request is not going to be completed
        rows.append(("Perkiraan Selesai", date_with_day(data.due_date) + " (hari kerja)"))
    if data.delivery:
        rows.append(("Pengambilan", data.delivery))
    return rows


def set_creation_date(canvas: Canvas, when: dt.datetime | None) -> None:
    """Write the real moment the PDF is made as its creation and modification date.

    The canvas is invariant (no random IDs), which on its own would date every file
    1 January 2000; the date is given here instead, in WIB.
    """
    moment = (when or dt.datetime.now(dt.UTC)).astimezone(WIB)
    stamp = f"D:{moment:%Y%m%d%H%M%S}+07'00'"
    canvas.setDateFormatter(lambda *_: stamp)


def _party_rows(data: ReceiptData) -> list[tuple[str, str]]:
    if not data.subject_name:
        return [("Nama Pemohon", data.applicant_name or "-"), ("NIK", data.nik_masked or "-")]
    rows = [
        ("Nama Pemohon", _with_role(data.applicant_name or "-", data.applicant_label)),
        ("NIK Pemohon", data.nik_masked or "-"),
        ("Atas Nama", _with_role(data.subject_name, data.subject_label)),
    ]
    if data.subject_nik_masked:
        rows.append(("NIK Atas Nama", data.subject_nik_masked))
    return rows


def _with_role(name: str, role: str) -> str:
    return f"{name} ({role.lower()})" if role and role != "Pemohon" else name


def render_receipt(data: ReceiptData, *, slip: bool = False) -> bytes:
    """Return the receipt as PDF bytes (unsealed): A4, or the 80 mm slip when ``slip``.

    Raises:
        UnprintableText: a text the fonts cannot draw (nothing is made).
    """
    check_receipt(data)
    ensure_fonts()  # the slip measures its text before any canvas exists
    buffer = BytesIO()
    verification = embedded_metadata([data.verification])
    title = f"Tanda terima {data.number}"
    if slip:
        layout = _SlipLayout(data, Slip())
        canvas = new_canvas(
            buffer, title=title, subject=TITLE, verification=verification, pagesize=layout.pagesize
        )
        layout.draw(canvas)
    else:
        canvas = new_canvas(buffer, title=title, subject=TITLE, verification=verification)
        draw_receipt_a4(canvas, data)
    set_creation_date(canvas, data.printed_at)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_receipt_a4(canvas: Canvas, data: ReceiptData) -> None:
    """Draw one A4 receipt page on ``canvas`` (the caller ends the page)."""
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    y = draw_letterhead(canvas, data.letterhead, left, right, height - 15 * mm)
    y = _title(canvas, (left + right) / 2, y - 8 * mm)
    qr_size = 34 * mm
    _draw_code(canvas, data.verification, right - qr_size, y - qr_size + 4 * mm, qr_size)
    canvas.setFont(SANS, 7)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(right - qr_size / 2, y - qr_size + 1 * mm, "Kode verifikasi")
    canvas.setFont(SANS_BOLD, 8)
    canvas.setFillColor(INK)
    canvas.drawCentredString(
        right - qr_size / 2, y - qr_size - 2.5 * mm, data.verification.display_code
    )
    y = _field_rows(canvas, receipt_rows(data), left, right - qr_size - 4 * mm, y)
    y = _checklist(canvas, data, left, right, y - 5 * mm)
    y = _notes(canvas, data, left, right, y - 6 * mm)
    _officer(canvas, data, right, y - 8 * mm)
    _footer(canvas, data, left, right, 14 * mm)


def _title(canvas: Canvas, centre: float, y: float) -> float:
    canvas.setFont(SANS_BOLD, 13)
    canvas.drawCentredString(centre, y, TITLE)
    canvas.setFont(SANS, 9)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(centre, y - 13, SUBTITLE)
    canvas.setFillColor(INK)
    return y - 26


def _field_rows(
    canvas: Canvas, rows: list[tuple[str, str]], left: float, right: float, y: float
) -> float:
    label_width = 36 * mm
    for label, value in rows:
        canvas.setFont(SANS, 9.5)
        canvas.drawString(left, y, label)
        canvas.drawString(left + label_width - 6, y, ":")
        font = SANS_BOLD if label in ("Nomor Permohonan", "Jenis Layanan") else SANS
        for line in wrap(value, font, 9.5, right - left - label_width):
            canvas.setFont(font, 9.5)
            canvas.drawString(left + label_width, y, line)
            y -= 13
    return y


def _checklist(canvas: Canvas, data: ReceiptData, left: float, right: float, y: float) -> float:
    canvas.setFont(SANS_BOLD, 10)
    canvas.drawString(left, y, "Persyaratan yang diterima")
    y -= 6
    columns = (left, left + 10 * mm, right - 38 * mm, right)
    canvas.setLineWidth(0.5)
    canvas.line(left, y, right, y)
    y -= 11
    canvas.setFont(SANS_BOLD, 8.5)
    for x, text in zip(columns, ("No", "Persyaratan", "Keterangan"), strict=False):
        canvas.drawString(x + 2, y, text)
    y -= 4
    canvas.line(left, y, right, y)
    for index, item in enumerate(data.checklist, start=1):
        label = item.label if item.required else f"{item.label} (bila diperlukan)"
        lines = wrap(label, SANS, 8.5, columns[2] - columns[1] - 4)
        y -= 11
        canvas.setFont(SANS, 8.5)
        canvas.drawString(columns[0] + 2, y, str(index))
        canvas.drawString(columns[2] + 2, y, item.state)
        for line in lines:
            canvas.drawString(columns[1] + 2, y, line)
            y -= 10.5
        y += 10.5
        y -= 4
        canvas.setStrokeColor(MUTED)
        canvas.line(left, y, right, y)
        canvas.setStrokeColor(INK)
    return y


def _notes(canvas: Canvas, data: ReceiptData, left: float, right: float, y: float) -> float:
    notes = [FREE_NOTE, KEEP_NOTE]
    if data.due_date is None:
        notes[1] = "Tanda terima ini tidak berlaku untuk pengambilan dokumen."
    if data.call_centre:
        notes.append(f"Informasi dan pengaduan: {data.call_centre}.")
    canvas.setFont(SANS_BOLD, 9)
    canvas.drawString(left, y, "Perhatian:")
    y -= 12
    for note in notes:
        for i, line in enumerate(wrap(note, SANS, 9, right - left - 10)):
            canvas.setFont(SANS, 9)
            canvas.drawString(left, y, ("• " if i == 0 else "   ") + line)
            y -= 11.5
    return y


def _officer(canvas: Canvas, data: ReceiptData, right: float, y: float) -> None:
    centre = right - 35 * mm
    canvas.setFont(SANS, 9.5)
    printed = data.printed_at.astimezone(WIB)
    canvas.drawCentredString(centre, y, f"{data.place}, {date_long(printed.date())}")
    canvas.drawCentredString(centre, y - 12, "Petugas Penerima,")
    canvas.setFont(SANS_BOLD, 9.5)
    canvas.drawCentredString(centre, y - 48, data.officer_name or "-")
    canvas.setFont(SANS, 9)
    canvas.drawCentredString(centre, y - 60, f"NIP. {data.officer_nip}" if data.officer_nip else "")


def _footer(canvas: Canvas, data: ReceiptData, left: float, right: float, y: float) -> None:
    printed = data.printed_at.astimezone(WIB)
    canvas.setStrokeColor(MUTED)
    canvas.line(left, y + 16, right, y + 16)
    canvas.setFillColor(MUTED)
    lines = wrap(NOT_ADMINDUK, SANS, 7, right - left)
    stamp = f"Dicetak {printed:%d-%m-%Y %H:%M} WIB"
    if data.reprint_count:
        stamp += f" · Cetak ulang ke-{data.reprint_count}"
    for line in [*lines, stamp]:
        canvas.setFont(SANS, 7)
        canvas.drawString(left, y + 6, line)
        y -= 8.5
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)


@dataclass
class _Row:
    text: str
    font: str
    size: float
    centred: bool = False
    gap: float = 0.0


class _SlipLayout:
    """The 80 mm slip: rows measured first, so the page is exactly as tall as its content."""

    def __init__(self, data: ReceiptData, slip: Slip) -> None:
        self.data = data
        self.slip = slip
        self.inner = slip.width - 2 * slip.margin
        self.qr_size = 30 * mm
        self.rows = self._rows()
        body = sum(r.size * 1.3 + r.gap for r in self.rows)
        self.pagesize = (slip.width, body + self.qr_size + 2 * slip.margin + 10 * mm)

    def _wrapped(self, text: str, font: str, size: float, **extra: object) -> list[_Row]:
        return [
            _Row(line, font, size, **extra)  # type: ignore[arg-type]
            for line in wrap(text, font, size, self.inner)
        ]

    def _rows(self) -> list[_Row]:
        head = self.data.letterhead
        rows = self._wrapped(head.government.upper(), SANS_BOLD, 7.5, centred=True)
        rows += self._wrapped(head.agency.upper(), SANS_BOLD, 7.5, centred=True)
        if head.unit:
            rows += self._wrapped(head.unit.upper(), SANS_BOLD, 7, centred=True)
        rows += self._wrapped(TITLE, SANS_BOLD, 9, centred=True, gap=4)
        for label, value in receipt_rows(self.data):
            rows += self._wrapped(label, SANS, 6.5, gap=1.5)
            rows += self._wrapped(value, SANS_BOLD, 8)
        rows += self._wrapped("Persyaratan:", SANS_BOLD, 7.5, gap=3)
        for item in self.data.checklist:
            rows += self._wrapped(f"- {item.label}: {item.state}", SANS, 7)
        rows += self._wrapped(FREE_NOTE, SANS_BOLD, 7, gap=3)
        if self.data.due_date is not None:
            rows += self._wrapped(KEEP_NOTE, SANS, 7)
        officer = (self.data.officer_name or "-") + (
            f" (NIP. {self.data.officer_nip})" if self.data.officer_nip else ""
        )
        rows += self._wrapped(f"Petugas: {officer}", SANS, 7, gap=2)
        return rows

    def draw(self, canvas: Canvas) -> None:
        """Draw the slip's rows, then the QR and code at the bottom."""
        left = self.slip.margin
        centre = self.slip.width / 2
        y = self.pagesize[1] - self.slip.margin
        for row in self.rows:
            y -= row.size * 1.3 + row.gap
            canvas.setFont(row.font, row.size)
            if row.centred:
                canvas.drawCentredString(centre, y, row.text)
            else:
                canvas.drawString(left, y, row.text)
        y -= 2 * mm + self.qr_size
        _draw_code(canvas, self.data.verification, centre - self.qr_size / 2, y, self.qr_size)
        canvas.setFont(SANS_BOLD, 7.5)
        canvas.drawCentredString(centre, y - 3 * mm, self.data.verification.display_code)


def _draw_code(canvas: Canvas, seal: DocumentSeal, x: float, y: float, size: float) -> None:
    """The QR of the verification code; a receipt printed offline has no code, so an empty
    frame says so instead of a QR that would verify nothing.
    """
    if not seal.offline:
        draw_qr(canvas, seal.qr_text, x, y, size)
        return
    canvas.setStrokeColor(MUTED)
    canvas.setDash(2, 2)
    canvas.rect(x + 2 * mm, y + 2 * mm, size - 4 * mm, size - 4 * mm)
    canvas.setDash()
    canvas.setFont(SANS, 7)
    canvas.setFillColor(MUTED)
    for row, line in enumerate(("Tanpa kode QR:", "dicetak luring,", "kode menyusul")):
        canvas.drawCentredString(x + size / 2, y + size / 2 + (3 - 3 * row) * mm, line)
    canvas.setFillColor(INK)
