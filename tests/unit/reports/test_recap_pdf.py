"""The recap PDF from synthetic data: it renders, embeds its fonts and skips huge registers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from disdukcapil_desk.domain.recap import (
    LOCATION_HEADER,
    OFFICER_COLUMNS,
    OFFICER_NOTE,
    REGISTER_COLUMNS,
    FigureRow,
)
from disdukcapil_desk.reports import recap_pdf
from disdukcapil_desk.reports.fonts import SANS, register_fonts
from tests.unit.exports.recap_fixtures import KK, recap_data, register_rows

FONTS = Path(__file__).resolve().parents[3] / "resources" / "fonts"


def test_pdf_renders_with_embedded_fonts(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    assert recap_pdf.render_recap_pdf(recap_data(), iter(register_rows()), path, FONTS) == 2
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and b"/Helvetica" not in data


def test_long_register_is_left_to_the_workbook(tmp_path: Path) -> None:
    big = dataclasses.replace(recap_data(), register_count=recap_pdf.REGISTER_PDF_LIMIT + 1)
    path = tmp_path / "big.pdf"
    assert recap_pdf.render_recap_pdf(big, iter(register_rows()), path, FONTS) == 0


def test_clip_shortens_to_width() -> None:
    register_fonts(FONTS)
    text = recap_pdf._clip("UPT Pelayanan Kependudukan Kecamatan Kramatwatu", 60, 6.5)
    assert text.endswith("…") and len(text) < 30


def test_a_table_note_never_starts_a_page_alone() -> None:
    """Wherever a page ends, the note goes with the table's last rows, not alone."""
    register_fonts(FONTS)
    styles = recap_pdf._styles()
    columns = [recap_pdf._NO, *OFFICER_COLUMNS]
    rows = [[i, f"Petugas {i}", f"p{i}", 1, 1, 0, 0, 0, 0, 0, 0, 1.0] for i in range(1, 31)]
    table = recap_pdf._table(columns, rows, styles, bold_rows=1, note=OFFICER_NOTE)
    _, height = table.wrap(recap_pdf._WIDTH, 10_000)
    splits = 0
    for available in range(60, int(height), 4):
        parts = table.split(recap_pdf._WIDTH, available)
        if len(parts) < 2:
            continue
        splits += 1
        rest = parts[-1]
        # the repeated header, at least the kept rows, and the note
        assert rest._nrows >= 1 + recap_pdf._KEPT_ROWS + 1, available
    assert splits > 10


def test_register_numbers_and_locations_print_whole() -> None:
    """A 4-digit row number fits its column; a long location name wraps, never clipped."""
    register_fonts(FONTS)
    number = recap_pdf.number_column(1234, REGISTER_COLUMNS, 6.5)
    widths = recap_pdf._widths([number, *REGISTER_COLUMNS])
    assert widths[0] - 4 >= stringWidth("1.234", SANS, 6.5)
    long_name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Serang"
    data = recap_data()
    data = dataclasses.replace(
        data,
        locations=dataclasses.replace(data.locations, rows=(FigureRow("D", long_name, KK),)),
    )
    columns = recap_pdf._register_columns(data)
    location = next(i for i, c in enumerate(columns) if c.header == LOCATION_HEADER)
    assert columns[location].width > 22
    row = list(register_rows()[0])
    row[location] = long_name
    styles = recap_pdf._styles()
    table = recap_pdf._table(
        columns, [row], styles, font_size=6.5, wrap=False, wrapped=frozenset({LOCATION_HEADER})
    )
    cell = table._cellvalues[1][location]
    assert isinstance(cell, Paragraph) and cell.getPlainText() == long_name
    lines = cell.wrap(recap_pdf._widths(columns)[location] - 4, 1000)[1] / 7.5
    assert lines <= 3
