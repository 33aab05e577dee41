"""The day's pickup list of an office, printed for the counter (reports layer).

A4 portrait: the office and the day, then one line per appointment (time, request number,
applicant with the NIK masked, document, state) and a column to tick and sign; the documents
awaiting their citizen (no appointment) follow. Every text is checked against the fonts first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from disdukcapil_desk.domain.pickup import PickupRow, date_text
from disdukcapil_desk.reports.fonts import SANS, SANS_BOLD
from disdukcapil_desk.reports.glyphs import check_texts, printed_texts
from disdukcapil_desk.reports.styles import ensure_fonts

_MARGIN = 14 * mm
_HEADER = ("No", "Jam (WIB)", "Nomor permohonan", "Pemohon / NIK", "Dokumen", "Status", "Paraf")
_WIDTHS = (9 * mm, 23 * mm, 38 * mm, 44 * mm, 29 * mm, 24 * mm, 15 * mm)


@dataclass(frozen=True, slots=True)
class PickupListData:
    """What the printed list shows."""

    agency: str
    government: str
    office: str
    address: str
    day: dt.date
    printed_by: str
    rows: tuple[PickupRow, ...]


def render_pickup_list(data: PickupListData) -> bytes:
    """The list as PDF bytes.

    Raises:
        UnprintableText: a text the fonts cannot draw (nothing is made).
    """
    ensure_fonts()
    check_texts(printed_texts(data))
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Daftar pengambilan {data.office} {data.day.isoformat()}",
        author=data.printed_by,
        initialFontName=SANS,
    )
    styles = _styles()
    story: list[object] = [
        Paragraph(escape(data.government), styles["small"]),
        Paragraph(escape(data.agency), styles["small"]),
        Spacer(1, 2 * mm),
        Paragraph("DAFTAR PENGAMBILAN DOKUMEN", styles["title"]),
        Paragraph(escape(f"{data.office} \u2013 {date_text(data.day)}"), styles["subtitle"]),
    ]
    if data.address:
        story.append(Paragraph(escape(data.address), styles["small"]))
    story.append(Spacer(1, 4 * mm))
    booked = [r for r in data.rows if r.window is not None]
    waiting = [r for r in data.rows if r.window is None]
    story.append(_table(booked, styles) if booked else _none("Tidak ada jadwal hari ini.", styles))
    if waiting:
        story += [
            Spacer(1, 5 * mm),
            Paragraph("Menunggu pemohon (tanpa jadwal)", styles["heading"]),
            Spacer(1, 1 * mm),
            _table(waiting, styles),
        ]
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            escape(
                f"Jadwal hari ini: {len(booked)} · menunggu pemohon: {len(waiting)} · "
                f"dicetak oleh {data.printed_by}"
            ),
            styles["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "small": ParagraphStyle("small", fontName=SANS, fontSize=8.5, leading=10.5),
        "title": ParagraphStyle("title", fontName=SANS_BOLD, fontSize=13, leading=16),
        "subtitle": ParagraphStyle("subtitle", fontName=SANS_BOLD, fontSize=10.5, leading=13),
        "heading": ParagraphStyle("heading", fontName=SANS_BOLD, fontSize=10, leading=12),
        "cell": ParagraphStyle("cell", fontName=SANS, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", fontName=SANS_BOLD, fontSize=8.5, leading=10.5),
    }


def _none(text: str, styles: dict[str, ParagraphStyle]) -> Paragraph:
    return Paragraph(escape(text), styles["cell"])


def _table(rows: list[PickupRow], styles: dict[str, ParagraphStyle]) -> Table:
    cell, head = styles["cell"], styles["head"]
    lines: list[list[object]] = [[Paragraph(escape(h), head) for h in _HEADER]]
    for index, row in enumerate(rows, start=1):
        lines.append(
            [
                Paragraph(str(index), cell),
                Paragraph(escape(row.time_text), cell),
                Paragraph(escape(row.number), cell),
                Paragraph(f"{escape(row.applicant_name)}<br/>{escape(row.nik_masked)}", cell),
                Paragraph(escape(row.document), cell),
                Paragraph(escape(row.state_text), cell),
                "",
            ]
        )
    table = Table(lines, colWidths=_WIDTHS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F7F7F7")]),
            ]
        )
    )
    return table
