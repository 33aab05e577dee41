"""The recap workbook: print-ready summary sheets and a streamed register (exports layer).

One ``Workbook(write_only=True)`` holds every sheet: write-only worksheets keep column widths,
frozen panes, page setup, print titles, headers and footers, merged cells, autofilters and
charts, and they write each row to disk as it comes, so memory stays flat however long the
register is. Everything that goes before the rows in the sheet XML (widths, panes, fit-to-page)
is set before the first row is appended.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

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
    DailyTable,
    FigureRow,
    FigureTable,
    Format,
    OfficerRow,
    RecapData,
    RecapMeta,
    RegisterRow,
    RowKind,
    TripRow,
    TripsPart,
    TripTable,
    figure_values,
    hour_headers,
    officer_totals,
    officer_values,
    trip_values,
)

HEADER_ROW = 7
"""The table header row of every sheet; rows 1-6 are the title block."""
SHEET_REGISTER = "Register"
SHEET_TRIPS = "Perjalanan"
SHEET_TRIPS_LOCATIONS = "Perjalanan per lokasi"
SHEET_HOURS = "Pengambilan per jam"
TOTAL_LABEL = "JUMLAH"
_FORMATS = {
    Format.INTEGER: "#,##0",
    Format.PERCENT: "0.0%",
    Format.DECIMAL: "0.0",
    Format.RATIO: "0.00",
    Format.DATE: "dd-mm-yyyy",
    Format.DATETIME: "dd-mm-yyyy hh:mm",
}
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = "Arial"
_NO = ColumnSpec("No.", 5, Format.INTEGER)
_LINE_POINTS = 12.0
"""Height of one line of 9 pt text in a row, in points."""
_CHARS_PER_UNIT = {False: 1.55, True: 1.35}
"""Characters of 9 pt Arial (regular, bold) that one unit of column width holds, about."""
_PLAIN_CHARS_PER_UNIT = 1.1
"""The same for the register's unstyled cells (the workbook's default 11 pt font)."""


_ROW_POINTS = 12.75
"""A row of one line of 9 pt text; the register's rows (the sheet's default height)."""
_TITLE_POINTS = 16.5
"""A row of the title block (11-12 pt)."""
_PAGE_POINTS = (842.0, 595.0)
"""A4 landscape, points."""
_MARGINS = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.7, footer=0.3)
_POINTS_PER_UNIT = 7.0
"""Printed width of one unit of column width before fitting to the page (LibreOffice,
measured on its PDFs; Excel's is a little narrower, so it shrinks a sheet less)."""
_KEPT_ROWS = 3
"""Table rows that go with the notes and signatures when these would start a page alone."""
_CHART_MAX_CM = 16.0
"""The chart's height at most: it fits one printed page."""
_SLACK = 0.97
"""Of a page's height, what the estimate counts on (the rest absorbs its errors)."""


def print_scale(columns: Sequence[ColumnSpec]) -> float:
    """How much fitting the columns to the page's width shrinks the sheet (1: not at all)."""
    points = sum(spec.width for spec in columns) * _POINTS_PER_UNIT
    usable: float = _PAGE_POINTS[0] - (_MARGINS.left + _MARGINS.right) * 72
    return min(1.0, usable / points)


def tail_break(heights: Sequence[float], table_end: int, scale: float) -> int | None:
    """Where to break the page so the rows after ``table_end`` (notes, signatures) do not
    print alone: None when they share a page with the table's last rows, else the row after
    which to break (``_KEPT_ROWS`` table rows then go to the next page with them).

    Args:
        heights: the estimated height of each row (points), row 1 first.
        table_end: the table's last row (1-based); the header row repeats on every page.
        scale: :func:`print_scale`.
    """
    page = (_PAGE_POINTS[1] - (_MARGINS.top + _MARGINS.bottom) * 72) * _SLACK / scale
    header = heights[HEADER_ROW - 1]
    used, pages, page_of = 0.0, 1, [0] * len(heights)
    for index, height in enumerate(heights):
        if used + height > page and used > header:
            pages, used = pages + 1, header
        used += height
        page_of[index] = pages
    tail = range(table_end, len(heights))
    if not tail or all(page_of[i] == page_of[table_end - 1] for i in tail):
        return None
    return max(HEADER_ROW, table_end - _KEPT_ROWS)


def wrapped_lines(text: str, width: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` units wide (word wrap, a word
    longer than a line broken). LibreOffice does not fit row heights to wrapped text in a file
    it did not write, so the workbook sets them from this.
    """
    capacity = max(1, int((width - 0.5) * _CHARS_PER_UNIT[bold]))
    lines, used = 0, capacity  # ``used == capacity``: the next word starts a new line
    for paragraph in text.split("\n"):
        used = capacity
        for word in paragraph.split():
            if used + 1 + len(word) <= capacity:
                used += 1 + len(word)
                continue
            extra, rest = divmod(len(word), capacity)
            lines += extra + (1 if rest else 0)
            used = rest if rest else capacity
        if not paragraph.split():
            lines += 1
    return max(1, lines)


def row_height(
    values: Sequence[object], columns: Sequence[ColumnSpec], *, bold: bool = False
) -> float | None:
    """The height a row of wrapped text needs, in points; None when one line is enough."""
    lines = max(
        (
            wrapped_lines(value, spec.width, bold=bold)
            for spec, value in zip(columns, values, strict=False)
            if isinstance(value, str) and spec.format is Format.TEXT
        ),
        default=1,
    )
    return lines * _LINE_POINTS + 3 if lines > 1 else None


def plain_width(longest: int) -> float:
    """The width (units) an unstyled cell needs to print ``longest`` characters whole."""
    return round(longest / _PLAIN_CHARS_PER_UNIT + 2, 1)


def _style(name: str, *, bold: bool = False, size: int = 9, **kwargs: object) -> NamedStyle:
    style = NamedStyle(name=name, font=Font(name=_FONT, size=size, bold=bold))
    for key, value in kwargs.items():
        setattr(style, key, value)
    return style


def _register_styles(wb: Workbook) -> None:
    wrap_center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    styles = [
        _style("rk_title", bold=True, size=12, alignment=Alignment(horizontal="center")),
        _style("rk_head", bold=True, size=11, alignment=Alignment(horizontal="center")),
        _style("rk_line", size=10, alignment=Alignment(horizontal="center")),
        _style("rk_sheet", bold=True, size=10),
        _style("rk_note", size=8, alignment=Alignment(wrap_text=False)),
        _style("rk_sign", size=10, alignment=Alignment(horizontal="center")),
        _style(
            "rk_signname",
            bold=True,
            size=10,
            alignment=Alignment(horizontal="center"),
        ),
        _style(
            "rk_header",
            bold=True,
            alignment=wrap_center,
            border=_BOX,
            fill=PatternFill("solid", fgColor="D9E1F2"),
        ),
    ]
    for bold in (False, True):
        prefix = "rk_total_" if bold else "rk_"
        wrap = Alignment(wrap_text=True, vertical="center")
        styles.append(_style(f"{prefix}text", bold=bold, border=_BOX, alignment=wrap))
        for fmt, number_format in _FORMATS.items():
            styles.append(
                _style(
                    f"{prefix}{fmt}",
                    bold=bold,
                    border=_BOX,
                    number_format=number_format,
                    alignment=Alignment(vertical="center"),
                )
            )
    for fmt in (Format.DATE, Format.DATETIME):  # the register's dates: no border, fast
        styles.append(_style(f"rk_plain_{fmt}", number_format=_FORMATS[fmt]))
    for style in styles:
        wb.add_named_style(style)


@dataclass
class _Sheet:
    """A write-only sheet being filled row by row, remembering where it is."""

    ws: object
    columns: Sequence[ColumnSpec]
    row: int = 0
    heights: list[float] = field(default_factory=list)
    """The estimated height (points) of every row written, for :func:`_keep_tail`."""
    style_arrays: dict[str, Any] = field(default_factory=dict)
    """The style array of each named style the sheet used (see :meth:`cell`)."""

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def last_letter(self) -> str:
        return str(get_column_letter(self.width))

    def cell(self, value: object, style: str | None = None) -> object:
        cell = WriteOnlyCell(self.ws, value)
        if style:
            # Naming the style looks it up among the workbook's by a list of every name and
            # builds its array each time; the sheet keeps each style's array after its first use.
            known = self.style_arrays.get(style)
            if known is None:
                cell.style = style
                self.style_arrays[style] = copy(cell._style)
            else:
                cell._style = copy(known)
        return cell

    def append(self, values: Sequence[object], height: float | None = None) -> int:
        # Every row gets its height (before it is written: write-only), so the printed
        # pages are where :func:`tail_break` expects them.
        height = height or _ROW_POINTS
        self.ws.row_dimensions[self.row + 1].height = height  # type: ignore[attr-defined]
        self.ws.append(list(values))  # type: ignore[attr-defined]
        self.row += 1
        self.heights.append(height)
        return self.row

    def merged_line(self, value: object, style: str, height: float = _TITLE_POINTS) -> None:
        first, last = 1, self.width
        row = [None] * (first - 1) + [self.cell(value, style)]
        self.append(row, height)
        if last > first:
            self.ws.merged_cells.add(  # type: ignore[attr-defined]
                f"{get_column_letter(first)}{self.row}:{get_column_letter(last)}{self.row}"
            )

    def table_row(self, values: Sequence[object], bold: bool = False) -> int:
        prefix = "rk_total_" if bold else "rk_"
        cells = [
            self.cell(v, f"{prefix}{spec.format}" if spec.format in _FORMATS else f"{prefix}text")
            for spec, v in zip(self.columns, values, strict=True)
        ]
        return self.append(cells, row_height(values, self.columns, bold=bold))


def _escape(text: str) -> str:
    """Escape ``&`` for Excel header/footer codes."""
    return text.replace("&", "&&")


def _new_sheet(
    wb: Workbook,
    names: tuple[str, str],
    columns: Sequence[ColumnSpec],
    meta: RecapMeta,
    freeze: str,
) -> _Sheet:
    """Create a sheet ``(name, subtitle)`` with its print setup and title block."""
    title, subtitle = names
    ws = wb.create_sheet(title)
    for index, spec in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = spec.width
    ws.freeze_panes = freeze
    ws.sheet_format.defaultRowHeight = _ROW_POINTS  # the register's rows: no height each
    ws.sheet_format.customHeight = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = copy(_MARGINS)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    footer = ws.HeaderFooter.oddFooter
    footer.left.text = _escape(meta.printed_line)
    footer.left.size = 8
    footer.right.text = "Halaman &P dari &N"
    if meta.audit_head:
        footer.center.text = _escape(meta.audit_head)
        footer.center.size = 8
    footer.right.size = 8
    sheet = _Sheet(ws, columns)
    _title_block(sheet, meta, subtitle)
    return sheet


def _title_block(sheet: _Sheet, meta: RecapMeta, subtitle: str) -> None:
    sheet.merged_line(meta.government.upper(), "rk_head")
    sheet.merged_line(meta.agency.upper(), "rk_head")
    sheet.merged_line(meta.title, "rk_title")
    sheet.merged_line(meta.period_line, "rk_line")
    sheet.append([sheet.cell(subtitle, "rk_sheet")])


def _header(sheet: _Sheet, empty: bool, lead: str = "") -> None:
    """Row 6 (what the sheet says before its table: empty, or ``lead``) and the header row."""
    if empty or lead:
        sheet.append([sheet.cell(EMPTY_TEXT, "rk_sheet") if empty else sheet.cell(lead, "rk_note")])
    else:
        sheet.append([])
    assert sheet.row == HEADER_ROW - 1
    headers = [spec.header for spec in sheet.columns]
    height = row_height(headers, [replace(s, format=Format.TEXT) for s in sheet.columns], bold=True)
    sheet.append([sheet.cell(text, "rk_header") for text in headers], height)


def _filter(sheet: _Sheet, last_row: int) -> None:
    ref = f"A{HEADER_ROW}:{sheet.last_letter}{max(last_row, HEADER_ROW)}"
    sheet.ws.auto_filter.ref = ref  # type: ignore[attr-defined]


def _notes(sheet: _Sheet, *notes: str) -> None:
    sheet.append([])
    for note in notes:
        # One sentence a line: a long line would run past the printed columns.
        for sentence in filter(None, (part.strip() for part in note.split(". "))):
            text = sentence if sentence.endswith(".") else sentence + "."
            sheet.append([sheet.cell(text, "rk_note")])


def _signatures(sheet: _Sheet, meta: RecapMeta) -> None:
    count = len(meta.signers)
    if not count:
        return
    zone = max(1, sheet.width // count)
    sheet.append([])
    lines = max(len(s.caption) for s in meta.signers)
    blocks = [
        [
            *([""] * (lines - len(s.caption))),
            *s.caption,
            "",
            "",
            "",
            s.name or "(" + "." * 30 + ")",
            f"NIP. {s.nip}" if s.nip else "NIP. " + "." * 24,
        ]
        for s in meta.signers
    ]
    for index in range(len(blocks[0])):
        row: list[object] = [None] * sheet.width
        name_line = index == len(blocks[0]) - 2
        for i, block in enumerate(blocks):
            style = "rk_signname" if name_line else "rk_sign"
            row[i * zone] = sheet.cell(block[index], style) if block[index] else None
        sheet.append(row)
        for i in range(count):
            first, last = i * zone + 1, (i + 1) * zone if i < count - 1 else sheet.width
            if last > first:
                sheet.ws.merged_cells.add(  # type: ignore[attr-defined]
                    f"{get_column_letter(first)}{sheet.row}:{get_column_letter(last)}{sheet.row}"
                )


def _keep_tail(sheet: _Sheet, table_end: int) -> None:
    """Break the page before the table's last rows when the notes and signatures after it
    would otherwise start a page of their own (LibreOffice and Excel break where they fit).
    """
    at = tail_break(sheet.heights, table_end, print_scale(sheet.columns))
    if at is not None:
        sheet.ws.row_breaks.append(Break(id=at))  # type: ignore[attr-defined]


# -- the sheets -------------------------------------------------------------------------------


def _figure_sheet(wb: Workbook, data: RecapData, table: FigureTable, chart: bool) -> None:
    lead = [_NO] + ([ColumnSpec(table.group_header, 22)] if table.group_header else [])
    columns = [*lead, ColumnSpec(table.first_header, 40), *FIGURE_COLUMNS]
    label_col = len(lead) + 1
    names = (_SHEET_NAMES.get(table.key, table.key[:31]), table.title)
    freeze = f"{get_column_letter(label_col + 1)}{HEADER_ROW + 1}"
    sheet = _new_sheet(wb, names, columns, data.meta, freeze)
    _header(sheet, data.empty)
    first = sheet.row + 1
    for number, row in enumerate(table.rows, start=1):
        sheet.table_row(_figure_line(number, row, bool(table.group_header)))
    last = sheet.row
    _filter(sheet, last)
    total_row = FigureRow("", TOTAL_LABEL, table.total, kind=RowKind.TOTAL)
    sheet.table_row(_figure_line(None, total_row, bool(table.group_header)), bold=True)
    if table.subtotals:
        sheet.append([])
        sheet.append([sheet.cell("Jumlah per " + table.group_header.lower(), "rk_sheet")])
        for row in table.subtotals:
            sheet.table_row(_figure_line(None, row, bool(table.group_header)), bold=True)
    table_end = sheet.row
    _notes(sheet, table.note)
    _signatures(sheet, data.meta)
    _keep_tail(sheet, table_end)
    if chart and last >= first:
        _bar_chart(sheet, label_col, first, last)


def _figure_line(number: int | None, row: FigureRow, grouped: bool) -> list[object]:
    lead: list[object] = [number] + ([row.group] if grouped else [])
    return [*lead, row.label, *figure_values(row.figures)]


def _bar_chart(sheet: _Sheet, label_col: int, first: int, last: int) -> None:
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = "Permohonan diterima per layanan"
    chart.legend = None
    chart.y_axis.title = "Permohonan"
    chart.x_axis.scaling.orientation = "maxMin"  # first service on top, as in the table
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    data = Reference(sheet.ws, min_col=label_col + 1, min_row=HEADER_ROW, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet.ws, min_col=label_col, min_row=first, max_row=last))
    chart.width = 26
    chart.height = min(_CHART_MAX_CM, max(8.0, 0.5 * (last - first + 1)))
    # The chart starts a page of its own: split across two, neither half reads.
    sheet.ws.row_breaks.append(Break(id=sheet.row + 1))  # type: ignore[attr-defined]
    sheet.ws.add_chart(chart, f"B{sheet.row + 2}")  # type: ignore[attr-defined]


def _daily_sheet(wb: Workbook, data: RecapData, daily: DailyTable) -> None:
    day_width = 7.5 if daily.monthly else 4.2
    columns = [
        _NO,
        ColumnSpec("Layanan", 38),
        *(ColumnSpec(label, day_width, Format.INTEGER) for label in daily.column_labels),
        ColumnSpec("Jumlah", 8, Format.INTEGER),
    ]
    title = "Rekap bulanan per layanan" if daily.monthly else "Rekap harian per layanan"
    sheet = _new_sheet(wb, (daily.title, title), columns, data.meta, "C8")
    _header(sheet, data.empty)
    for number, row in enumerate(daily.rows, start=1):
        sheet.table_row([number, row.label, *row.counts, row.total])
    _filter(sheet, sheet.row)
    totals = daily.totals
    sheet.table_row([None, TOTAL_LABEL, *totals, sum(totals)], bold=True)
    unit = "bulan" if daily.monthly else "tanggal"
    table_end = sheet.row
    _notes(sheet, f"{title}: permohonan diterima menurut {unit} penerimaan (WIB).")
    _signatures(sheet, data.meta)
    _keep_tail(sheet, table_end)


def _officer_sheet(wb: Workbook, data: RecapData, officers: Sequence[OfficerRow]) -> None:
    columns = [_NO, *OFFICER_COLUMNS]
    sheet = _new_sheet(wb, ("Per petugas", "Rekap per petugas"), columns, data.meta, "C8")
    _header(sheet, data.empty)
    for number, row in enumerate(officers, start=1):
        sheet.table_row([number, *officer_values(row)])
    _filter(sheet, sheet.row)
    sheet.table_row([None, *officer_totals(officers, TOTAL_LABEL)], bold=True)
    table_end = sheet.row
    _notes(sheet, OFFICER_NOTE, "Median jam: dari diterimanya permohonan sampai keputusan.")
    _signatures(sheet, data.meta)
    _keep_tail(sheet, table_end)


def _trip_columns(table: TripTable) -> list[ColumnSpec]:
    return [
        _NO,
        ColumnSpec(table.group_header, 16),
        ColumnSpec(table.first_header, 38),
        *TRIP_COLUMNS,
    ]


def _trip_line(number: int | None, row: TripRow) -> list[object]:
    return [number, row.group, row.label, *trip_values(row.figures)]


def _hour_columns(trips: TripsPart) -> list[ColumnSpec]:
    return [
        _NO,
        ColumnSpec(trips.locations.group_header, 16),
        ColumnSpec(trips.locations.first_header, 38),
        *(ColumnSpec(h, 9, Format.INTEGER) for h in hour_headers()),
        ColumnSpec("Jumlah", 9, Format.INTEGER),
    ]


def _trip_sheet(wb: Workbook, data: RecapData, name: str, table: TripTable) -> None:
    """Trips and waiting per service (with the groups' subtotals) or per location.

    A sheet of its own for each table: a printed page repeats one header row, so tables with
    other columns cannot share a sheet.
    """
    columns = _trip_columns(table)
    subtitle = f"{TRIPS_TITLE} — {table.title.lower()}"
    sheet = _new_sheet(wb, (name, subtitle), columns, data.meta, "D8")
    _header(sheet, data.empty)
    for number, row in enumerate(table.rows, start=1):
        sheet.table_row(_trip_line(number, row))
    _filter(sheet, sheet.row)
    sheet.table_row(_trip_line(None, TripRow("", TOTAL_LABEL, table.total)), bold=True)
    if table.subtotals:
        sheet.append([])
        sheet.append([sheet.cell("Jumlah per " + table.group_header.lower(), "rk_sheet")])
        for row in table.subtotals:
            sheet.table_row(_trip_line(None, row), bold=True)
    table_end = sheet.row
    _notes(sheet, TRIPS_NOTE)
    _signatures(sheet, data.meta)
    _keep_tail(sheet, table_end)


def _hours_sheet(wb: Workbook, data: RecapData, trips: TripsPart) -> None:
    """Pickups per hour of the day per location, and a chart of them (the crowd)."""
    columns = _hour_columns(trips)
    sheet = _new_sheet(wb, (SHEET_HOURS, HOURS_TITLE), columns, data.meta, "D8")
    _header(sheet, data.empty)
    for number, hours in enumerate(trips.hours, start=1):
        sheet.table_row([number, hours.group, hours.label, *hours.counts, hours.total])
    _filter(sheet, sheet.row)
    totals = trips.hour_totals
    total_row = sheet.table_row([None, "", TOTAL_LABEL, *totals, sum(totals)], bold=True)
    _notes(sheet, HOURS_NOTE)
    _signatures(sheet, data.meta)
    _keep_tail(sheet, total_row)
    _hour_chart(sheet, HEADER_ROW, total_row)


def _hour_chart(sheet: _Sheet, header: int, total_row: int) -> None:
    """Pickups per hour over every location, as columns: when the office is crowded."""
    chart = BarChart()
    chart.type = "col"
    chart.style = 10
    chart.title = "Pengambilan per jam (semua lokasi)"
    chart.legend = None
    chart.y_axis.title = "Pengambilan"
    chart.x_axis.title = "Jam (WIB)"
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    first, last = 4, 3 + len(hour_headers())
    values = Reference(sheet.ws, min_col=first, max_col=last, min_row=total_row)
    chart.add_data(values, from_rows=True, titles_from_data=False)
    chart.set_categories(Reference(sheet.ws, min_col=first, max_col=last, min_row=header))
    chart.width = 22
    chart.height = 9
    sheet.ws.row_breaks.append(Break(id=sheet.row + 1))  # type: ignore[attr-defined]
    sheet.ws.add_chart(chart, f"B{sheet.row + 2}")  # type: ignore[attr-defined]


def register_columns(data: RecapData) -> list[ColumnSpec]:
    """The register's columns: ``No.`` wide enough for the row count, ``Lokasi`` for the
    longest location name (the register's cells do not wrap: a long register stays fast).
    """
    digits = len(f"{max(data.register_count, 1):,}")
    longest = max((len(row.label) for row in data.locations.rows), default=0)
    return [
        ColumnSpec("No.", max(8.0, plain_width(digits)), Format.INTEGER),
        *(
            replace(spec, width=max(spec.width, plain_width(longest)))
            if spec.header == LOCATION_HEADER
            else spec
            for spec in REGISTER_COLUMNS
        ),
    ]


def _register_sheet(wb: Workbook, data: RecapData, rows: Iterable[RegisterRow]) -> int:
    columns = register_columns(data)
    sheet = _new_sheet(wb, (SHEET_REGISTER, "Register permohonan"), columns, data.meta, "C8")
    # The register's note goes above it, not after: after the last row it can print alone.
    nik = "NIK utuh (hak akses dan permintaan pengguna)" if data.meta.full_nik else "NIK disamarkan"
    count_text = f"{data.register_count:,}".replace(",", ".")
    _header(sheet, data.empty, f"Jumlah baris: {count_text}. {nik}. Tanggal dalam WIB.")
    ws = sheet.ws
    append = ws.append  # type: ignore[attr-defined]
    # Only the dates carry a style (their number format), and no cell is made for them: one
    # styled cell per date column takes each row's value (write-only writes a row as it is
    # appended), so the register costs what bare ``ws.append`` of its values costs.
    dated: list[tuple[int, WriteOnlyCell]] = []
    for index, spec in enumerate(REGISTER_COLUMNS):
        if spec.format in (Format.DATE, Format.DATETIME):
            cell = WriteOnlyCell(ws)
            cell.style = f"rk_plain_{spec.format}"
            dated.append((index, cell))
    count = 0
    for count, row in enumerate(rows, start=1):
        values: list[object] = [count, *row]
        for index, cell in dated:
            value = row[index]
            if value is not None:
                cell.value = value
                values[index + 1] = cell
        append(values)
    sheet.row += count
    sheet.heights.extend([_ROW_POINTS] * count)
    _filter(sheet, sheet.row)
    return count


_SHEET_NAMES = {
    "layanan": "Rekap per layanan",
    "lokasi": "Per lokasi",
    "wilayah": "Per wilayah",
    "kanal": "Per kanal",
}


def _discard(wb: Workbook) -> None:
    """Close the sheets' streams and remove their temporary files (cancel or error)."""
    for ws in wb.worksheets:
        rows, writer = getattr(ws, "_rows", None), getattr(ws, "_writer", None)
        with contextlib.suppress(Exception):
            if rows is not None:
                rows.close()
        with contextlib.suppress(Exception):
            if writer is not None:
                writer.close()
                writer.cleanup()


def write_recap_xlsx(data: RecapData, register: Iterable[RegisterRow] | None, path: Path) -> int:
    """Write the recap workbook to ``path``.

    Args:
        data: the figures and what the recap says about itself.
        register: the register rows, consumed once while writing (streamed), or None for a
            workbook without the register sheet.
        path: the file to write.

    Returns:
        The number of register rows written.
    """
    wb = Workbook(write_only=True)
    _register_styles(wb)
    try:
        _figure_sheet(wb, data, data.services, chart=True)
        _figure_sheet(wb, data, data.locations, chart=False)
        _daily_sheet(wb, data, data.daily)
        _officer_sheet(wb, data, data.officers)
        _figure_sheet(wb, data, data.wilayah, chart=False)
        _trip_sheet(wb, data, SHEET_TRIPS, data.trips.services)
        _trip_sheet(wb, data, SHEET_TRIPS_LOCATIONS, data.trips.locations)
        _hours_sheet(wb, data, data.trips)
        _figure_sheet(wb, data, data.channels, chart=False)
        count = _register_sheet(wb, data, register) if register is not None else 0
    except BaseException:
        _discard(wb)
        raise
    wb.properties.title = f"{data.meta.title} {data.meta.period.label}"
    wb.properties.creator = data.meta.printed_by
    wb.properties.description = data.meta.audit_head
    wb.properties.created = dt.datetime.now()
    wb.save(path)
    return count
