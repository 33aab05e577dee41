"""The recap as a PDF for direct printing: the workbook's sheets on A4 landscape (reports layer).

Each sheet becomes a section that starts on a new page with the title block; tables repeat their
header row on every page (``LongTable(repeatRows=1)``); every page carries the short title, who
printed it and when, and "Halaman x dari y". The signatures follow the summary sections; the
register comes last as an attachment, in chunks so ReportLab never lays out one huge table, and
only up to :data:`REGISTER_PDF_LIMIT` rows (a longer register belongs in the workbook).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from disdukcapil_desk.domain.recap import (
    EMPTY_TEXT,
    FIGURE_COLUMNS,
    HOURS_NOTE,
    HOURS_TITLE,
    LOCATION_HEADER,
    OFFICER_COLUMNS,
    OFFICER_NOTE,
    REGISTER_COLUMNS,
    TRIP_COLUMNS,
    TRIPS_NOTE,
    TRIPS_TITLE,
    ColumnSpec,
    Figures,
    FigureTable,
    Format,
    RecapData,
    RecapMeta,
    RegisterRow,
    TripRow,
    TripTable,
    figure_values,
    hour_headers,
    officer_totals,
    officer_values,
    trip_values,
)
from disdukcapil_desk.reports.fonts import SANS, SANS_BOLD, register_fonts
from disdukcapil_desk.reports.glyphs import check_recap, checked_register

REGISTER_PDF_LIMIT = 5000
"""Longer registers are left to the workbook: as a PDF they would run to thousands of pages."""
_PAGE = landscape(A4)
_MARGIN = 12 * mm
_WIDTH = _PAGE[0] - 2 * _MARGIN
_CHUNK = 500
_HEADER_BG = colors.HexColor("#D9E1F2")
_TOTAL_BG = colors.HexColor("#F2F2F2")
_NO = ColumnSpec("No.", 5, Format.INTEGER)
_KEPT_ROWS = 3
"""Table rows that go to the next page with the table's note rather than leave it alone."""
_REGISTER_FONT = 6.5
_REGISTER_DONORS = ("Layanan", "Petugas")
"""Clipped register columns that give ``Lokasi`` the width it needs."""


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=SANS, fontSize=7.5, leading=9)
    return {
        "head": ParagraphStyle(
            "head", base, fontName=SANS_BOLD, fontSize=11, leading=14, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "title", base, fontName=SANS_BOLD, fontSize=12.5, leading=16, alignment=TA_CENTER
        ),
        "line": ParagraphStyle("line", base, fontSize=10, leading=13, alignment=TA_CENTER),
        "sheet": ParagraphStyle(
            "sheet", base, fontName=SANS_BOLD, fontSize=10, leading=14, spaceBefore=6, spaceAfter=4
        ),
        "note": ParagraphStyle("note", base, fontSize=7, leading=9, spaceBefore=4),
        "cell": base,
        "cellb": ParagraphStyle("cellb", base, fontName=SANS_BOLD),
        "th": ParagraphStyle(
            "th", base, fontName=SANS_BOLD, fontSize=7, leading=8.5, alignment=TA_CENTER
        ),
        "sign": ParagraphStyle("sign", base, fontSize=9.5, leading=12, alignment=TA_CENTER),
        "signb": ParagraphStyle(
            "signb", base, fontName=SANS_BOLD, fontSize=9.5, leading=12, alignment=TA_CENTER
        ),
    }


def _number(value: object, fmt: Format) -> str:
    if value is None:
        return "-"
    if fmt is Format.INTEGER and isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if fmt is Format.PERCENT and isinstance(value, float):
        return f"{value * 100:.1f}%".replace(".", ",")
    if fmt is Format.RATIO and isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    if fmt is Format.DECIMAL and isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if fmt is Format.DATE and hasattr(value, "strftime"):
        return str(value.strftime("%d-%m-%Y"))
    if fmt is Format.DATETIME and hasattr(value, "strftime"):
        return str(value.strftime("%d-%m-%Y %H:%M"))
    return str(value)


def _widths(columns: Sequence[ColumnSpec]) -> list[float]:
    units = sum(c.width for c in columns)
    return [_WIDTH * c.width / units for c in columns]


def _table(
    columns: Sequence[ColumnSpec],
    rows: Sequence[Sequence[object]],
    styles: dict[str, ParagraphStyle],
    *,
    bold_rows: int = 0,
    font_size: float = 7.5,
    wrap: bool = True,
    wrapped: frozenset[str] = frozenset(),
    note: str = "",
) -> LongTable:
    """A table with a repeated header row; the last ``bold_rows`` rows are totals.

    Text cells wrap (``wrap``), or are clipped to their column except those whose header is
    in ``wrapped``. A ``note`` is the table's last row, kept on one page with the rows before
    it: a footnote never starts a page alone.
    """
    header = [Paragraph(c.header, styles["th"]) for c in columns]
    widths = _widths(columns)
    small = ParagraphStyle("small", styles["cell"], fontSize=font_size, leading=font_size + 1)
    body: list[list[Any]] = []
    for index, row in enumerate(rows):
        bold = index >= len(rows) - bold_rows
        cells: list[Any] = []
        for spec, value in zip(columns, row, strict=True):
            text = _number(value, spec.format) if value is not None else ""
            if spec.format is Format.TEXT and wrap:
                cells.append(Paragraph(_xml(text), styles["cellb" if bold else "cell"]))
            elif spec.format is Format.TEXT and spec.header in wrapped:
                cells.append(Paragraph(_xml(text), small))
            elif spec.format is Format.TEXT:
                cells.append(_clip(text, widths[len(cells)] - 4, font_size))
            else:
                cells.append(text)
        body.append(cells)
    last = -1
    if note:
        body.append([Paragraph(_xml(note), styles["note"]), *([""] * (len(columns) - 1))])
        last = -2
    table = LongTable([header, *body], colWidths=widths, repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), SANS, font_size),
        ("GRID", (0, 0), (-1, last), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for col, spec in enumerate(columns):
        if spec.format is not Format.TEXT:
            commands.append(("ALIGN", (col, 1), (col, last), "RIGHT"))
    if bold_rows:
        first = last - bold_rows + 1
        commands += [
            ("FONT", (0, first), (-1, last), SANS_BOLD, font_size),
            ("BACKGROUND", (0, first), (-1, last), _TOTAL_BG),
        ]
    if note:
        kept = max(1, len(body) - _KEPT_ROWS)  # the note's row and the rows before it
        commands += [
            ("SPAN", (0, -1), (-1, -1)),
            ("TOPPADDING", (0, -1), (-1, -1), 4),
            ("NOSPLIT", (0, kept), (-1, -1)),
        ]
    table.setStyle(TableStyle(commands))
    return table


def _clip(text: str, width: float, size: float) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` points."""
    if stringWidth(text, SANS, size) <= width:
        return text
    while text and stringWidth(text + "…", SANS, size) > width:
        text = text[: max(0, int(len(text) * 0.9) - 1)] if len(text) > 12 else text[:-1]
    return text + "…"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _title_block(
    meta: RecapMeta, subtitle: str, styles: dict[str, ParagraphStyle], empty: bool
) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(_xml(meta.government.upper()), styles["head"]),
        Paragraph(_xml(meta.agency.upper()), styles["head"]),
        Paragraph(_xml(meta.title), styles["title"]),
        Paragraph(_xml(meta.period_line), styles["line"]),
        Paragraph(_xml(subtitle), styles["sheet"]),
    ]
    if empty:
        story.append(Paragraph(EMPTY_TEXT, styles["sheet"]))
    return story


def _figure_section(
    table: FigureTable, data: RecapData, styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    grouped = bool(table.group_header)
    lead = [_NO] + ([ColumnSpec(table.group_header, 20)] if grouped else [])
    columns = [*lead, ColumnSpec(table.first_header, 40), *FIGURE_COLUMNS]

    def line(number: int | None, group: str, label: str, figures: Figures) -> list[object]:
        return [number, *([group] if grouped else []), label, *figure_values(figures)]

    rows = [line(i, r.group, r.label, r.figures) for i, r in enumerate(table.rows, start=1)]
    rows.append(line(None, "", "JUMLAH", table.total))
    story = _title_block(data.meta, table.title, styles, data.empty)
    if not table.subtotals:
        story.append(_table(columns, rows, styles, bold_rows=1, note=table.note))
        return story
    story.append(_table(columns, rows, styles, bold_rows=1))
    story.append(Paragraph("Jumlah per " + table.group_header.lower(), styles["sheet"]))
    sub = [line(None, "", r.label, r.figures) for r in table.subtotals]
    story.append(_table(columns, sub, styles, note=table.note))
    return story


def _daily_section(data: RecapData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    daily = data.daily
    width = 7.5 if daily.monthly else 3.6
    columns = [
        ColumnSpec("No.", 3.4, Format.INTEGER),
        ColumnSpec("Layanan", 30),
        *(ColumnSpec(label, width, Format.INTEGER) for label in daily.column_labels),
        ColumnSpec("Jml", 5.5, Format.INTEGER),
    ]
    rows: list[list[object]] = [
        [i, r.label, *r.counts, r.total] for i, r in enumerate(daily.rows, start=1)
    ]
    totals = daily.totals
    rows.append([None, "JUMLAH", *totals, sum(totals)])
    title = "Rekap bulanan per layanan" if daily.monthly else "Rekap harian per layanan"
    note = "Permohonan diterima menurut tanggal penerimaan (WIB)."
    story = _title_block(data.meta, title, styles, data.empty)
    story.append(_table(columns, rows, styles, bold_rows=1, font_size=6.5, note=note))
    return story


def _officer_section(data: RecapData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    columns = [_NO, *OFFICER_COLUMNS]
    rows: list[list[object]] = [
        [i, *officer_values(r)] for i, r in enumerate(data.officers, start=1)
    ]
    rows.append([None, *officer_totals(data.officers, "JUMLAH")])
    story = _title_block(data.meta, "Rekap per petugas", styles, data.empty)
    story.append(_table(columns, rows, styles, bold_rows=1, note=OFFICER_NOTE))
    return story


def _trip_table(
    table: TripTable, styles: dict[str, ParagraphStyle], note: str = ""
) -> list[Flowable]:
    """A trips table (its rows, JUMLAH, and the group subtotals when it has them)."""
    columns = [
        _NO,
        ColumnSpec(table.group_header, 17),
        ColumnSpec(table.first_header, 36),
        *TRIP_COLUMNS,
    ]

    def line(number: int | None, row: TripRow) -> list[object]:
        return [number, row.group, row.label, *trip_values(row.figures)]

    rows = [line(i, r) for i, r in enumerate(table.rows, start=1)]
    rows.append(line(None, TripRow("", "JUMLAH", table.total)))
    story: list[Flowable] = [Paragraph(_xml(table.title), styles["sheet"])]
    if not table.subtotals:
        story.append(_table(columns, rows, styles, bold_rows=1, note=note))
        return story
    story.append(_table(columns, rows, styles, bold_rows=1))
    story.append(Paragraph("Jumlah per " + table.group_header.lower(), styles["sheet"]))
    sub = [line(None, r) for r in table.subtotals]
    story.append(_table(columns, sub, styles, bold_rows=len(sub), note=note))
    return story


def _trips_section(data: RecapData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Trips and waiting: per service, per location, and pickups per hour of the day."""
    trips = data.trips
    story = _title_block(data.meta, TRIPS_TITLE, styles, data.empty)
    story += _trip_table(trips.services, styles)
    story += _trip_table(trips.locations, styles, note=TRIPS_NOTE)
    columns = [
        _NO,
        ColumnSpec(trips.locations.group_header, 17),
        ColumnSpec(trips.locations.first_header, 36),
        *(ColumnSpec(h, 7, Format.INTEGER) for h in hour_headers()),
        ColumnSpec("Jumlah", 8, Format.INTEGER),
    ]
    rows: list[list[object]] = [
        [i, r.group, r.label, *r.counts, r.total] for i, r in enumerate(trips.hours, start=1)
    ]
    totals = trips.hour_totals
    rows.append([None, "", "JUMLAH", *totals, sum(totals)])
    hours = [
        Paragraph(_xml(HOURS_TITLE), styles["sheet"]),
        _table(columns, rows, styles, bold_rows=1, note=HOURS_NOTE),
    ]
    story.append(KeepTogether(hours))  # the heading never ends a page alone
    return story


def _signatures(meta: RecapMeta, styles: dict[str, ParagraphStyle]) -> Flowable:
    lines = max((len(s.caption) for s in meta.signers), default=0)
    cells = []
    for signer in meta.signers:
        captions = [""] * (lines - len(signer.caption)) + list(signer.caption)
        block = [Paragraph(_xml(c) or "&nbsp;", styles["sign"]) for c in captions]
        block.append(Spacer(1, 18 * mm))
        block.append(
            Paragraph(_xml(signer.name) if signer.name else "(" + "." * 40 + ")", styles["signb"])
        )
        block.append(Paragraph("NIP. " + (_xml(signer.nip) or "." * 30), styles["sign"]))
        cells.append(block)
    if not cells:
        return Spacer(1, 1)
    table = Table([cells], colWidths=[_WIDTH / len(cells)] * len(cells))
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), SANS)])
    )
    return KeepTogether([Spacer(1, 8 * mm), table])


def _register_section(
    data: RecapData, rows: Iterable[RegisterRow], styles: dict[str, ParagraphStyle]
) -> tuple[list[Flowable], int]:
    story = _title_block(data.meta, "Lampiran: register permohonan", styles, data.empty)
    if data.register_count > REGISTER_PDF_LIMIT:
        story.append(
            Paragraph(
                f"Register berisi {_number(data.register_count, Format.INTEGER)} permohonan; "
                "terlalu panjang untuk dicetak sebagai PDF. Gunakan ekspor Excel (.xlsx) untuk "
                "register lengkap.",
                styles["note"],
            )
        )
        return story, 0
    label = "utuh" if data.meta.full_nik else "disamarkan"
    total_rows = _number(data.register_count, Format.INTEGER)
    # Above the register, not after it: after the last row it could start a page alone.
    story.append(
        Paragraph(f"Jumlah baris: {total_rows}. NIK {label}. Tanggal dalam WIB.", styles["note"])
    )
    register = _register_columns(data)
    columns = [number_column(data.register_count, register, _REGISTER_FONT), *register]
    wrapped = frozenset({LOCATION_HEADER})  # a location's name prints whole
    chunk: list[list[object]] = []
    count = 0
    for count, row in enumerate(rows, start=1):
        chunk.append([count, *row])
        if len(chunk) == _CHUNK:
            story.append(
                _table(
                    columns, chunk, styles, font_size=_REGISTER_FONT, wrap=False, wrapped=wrapped
                )
            )
            chunk = []
    if chunk:
        story.append(
            _table(columns, chunk, styles, font_size=_REGISTER_FONT, wrap=False, wrapped=wrapped)
        )
    return story, count


def _register_columns(data: RecapData) -> list[ColumnSpec]:
    """The register's columns, ``Lokasi`` wide enough for the longest name on two lines; the
    width it takes comes from the clipped service and officer columns, so dates still fit.
    """
    longest = max(
        (stringWidth(r.label, SANS, _REGISTER_FONT) for r in data.locations.rows), default=0.0
    )
    units = sum(c.width for c in REGISTER_COLUMNS)
    needed = (longest / 2 + 16) * units / _WIDTH  # two lines, padding, an unbroken word
    by_header = {spec.header: spec for spec in REGISTER_COLUMNS}
    extra = max(0.0, needed - by_header[LOCATION_HEADER].width)
    donors = [h for h in _REGISTER_DONORS if h in by_header]
    share = min(extra / len(donors), min(by_header[h].width for h in donors) / 3)
    widths = {h: by_header[h].width - share for h in donors}
    widths[LOCATION_HEADER] = by_header[LOCATION_HEADER].width + share * len(donors)
    return [replace(spec, width=widths.get(spec.header, spec.width)) for spec in REGISTER_COLUMNS]


def number_column(count: int, others: Sequence[ColumnSpec], font_size: float) -> ColumnSpec:
    """The ``No.`` column, wide enough for the largest row number (``1.234``) beside
    ``others`` (widths are shares of the page's width).
    """
    needed = stringWidth(_number(max(count, 1), Format.INTEGER), SANS, font_size) + 5
    units = sum(c.width for c in others)
    needed = max(needed, stringWidth("No.", SANS_BOLD, 7) + 5)
    return ColumnSpec("No.", needed * units / (_WIDTH - needed), Format.INTEGER)


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Defers pages so each can say "Halaman x dari y" (the ReportLab two-pass recipe)."""

    meta: RecapMeta

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        meta = self.meta
        self.setFont(SANS, 7)
        self.setFillColor(colors.grey)
        top = _PAGE[1] - 7 * mm
        self.drawString(_MARGIN, top, f"{meta.title} — {meta.period_line}")
        self.drawString(_MARGIN, 6 * mm, meta.printed_line)
        if meta.audit_head:
            self.drawCentredString(_PAGE[0] / 2, 6 * mm, meta.audit_head)
        self.drawRightString(_PAGE[0] - _MARGIN, 6 * mm, f"Halaman {self._pageNumber} dari {total}")


def render_recap_pdf(
    data: RecapData, register: Iterable[RegisterRow] | None, path: Path, fonts_dir: Path
) -> int:
    """Write the recap as a PDF to ``path``.

    Args:
        data: the figures and what the recap says about itself.
        register: the register rows (consumed once; not at all past the PDF limit), or None
            for a recap without the register attachment.
        path: the file to write.
        fonts_dir: the bundled fonts (``resources/fonts``), embedded in the PDF.

    Returns:
        The number of register rows laid out.

    Raises:
        UnprintableText: a text the fonts cannot draw (the file is not written).
    """
    register_fonts(fonts_dir)
    check_recap(data)
    styles = _styles()
    story: list[Flowable] = []
    sections = [
        _figure_section(data.services, data, styles),
        _figure_section(data.locations, data, styles),
        _daily_section(data, styles),
        _officer_section(data, styles),
        _figure_section(data.wilayah, data, styles),
        _trips_section(data, styles),
        # short: the signatures that follow share its page
        _figure_section(data.channels, data, styles),
    ]
    for index, section in enumerate(sections):
        if index:
            story.append(PageBreak())
        story += section
    story.append(_signatures(data.meta, styles))
    count = 0
    if register is not None:
        register_story, count = _register_section(data, checked_register(register), styles)
        story += [PageBreak(), *register_story]
    doc = SimpleDocTemplate(
        str(path),
        pagesize=_PAGE,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=11 * mm,
        bottomMargin=11 * mm,
        title=f"{data.meta.title} {data.meta.period.label}",
        author=data.meta.printed_by,
        subject=data.meta.audit_head,
        initialFontName=SANS,
    )
    canvas_class = type("RecapCanvas", (_NumberedCanvas,), {"meta": data.meta})
    doc.build(story, canvasmaker=canvas_class)
    return count
