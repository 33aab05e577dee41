"""The recap workbook from synthetic data: layout, formats, chart, print setup, empty recap."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import replace
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from disdukcapil_desk.domain.recap import (
    EMPTY_TEXT,
    FIGURE_COLUMNS,
    FigureRow,
    OfficerRow,
    Period,
    RecapData,
    daily_table,
)
from disdukcapil_desk.exports.recap_xlsx import (
    HEADER_ROW,
    TOTAL_LABEL,
    plain_width,
    print_scale,
    tail_break,
    wrapped_lines,
    write_recap_xlsx,
)
from tests.unit.exports.recap_fixtures import KIA, KK, recap_data, register_rows


def test_workbook_layout(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    assert write_recap_xlsx(recap_data(), iter(register_rows()), path) == 2
    wb = load_workbook(path)
    ws = wb["Rekap per layanan"]
    assert [c.value for c in ws[HEADER_ROW]][:4] == ["No.", "Kelompok", "Layanan", "Diterima"]
    assert ws.cell(HEADER_ROW + 1, 3).value == "Kartu Keluarga & KTP"
    total = [c.value for c in ws[HEADER_ROW + 3]]
    assert total[2] == "JUMLAH" and total[3] == 4 and total[10] == 0.5
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:L{HEADER_ROW + 2}"
    assert ws.freeze_panes == "D8" and ws.print_title_rows == "$7:$7"
    assert "Kasi && Co" in ws.oddFooter.left.text  # & escaped for Excel's footer codes
    values = {c.value for row in ws.iter_rows() for c in row}
    assert {"Mengetahui,", "Budi", "NIP. 1970"} <= values
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    register = wb["Register"]
    first = [c.value for c in register[HEADER_ROW + 1]]
    assert first[1] == "DINAS/20261101/0000" and first[2] == dt.datetime(2026, 11, 1, 8, 0)
    assert first[4] is None and first[-2] == "3604********0001"
    assert first[-1] == "3604********0002", "the subject's NIK"


def test_empty_recap_says_so(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    assert write_recap_xlsx(recap_data(empty=True), iter([]), path) == 0
    wb = load_workbook(path)
    assert all(ws["A6"].value == EMPTY_TEXT for ws in wb.worksheets)


LONG_SERVICE = (
    "Penerbitan Kartu Keluarga Baru (membentuk keluarga baru, pisah KK, gabung keluarga, dll)"
)
LONG_LOCATION = "UPT Pelayanan Kependudukan Kecamatan Waringinkurung"


def long_names_recap(officers: int = 1, register: int = 2) -> RecapData:
    """The fixture with a three-line service name, a long location and many officers."""
    data = recap_data()
    services = replace(
        data.services,
        rows=(replace(data.services.rows[0], label=LONG_SERVICE), *data.services.rows[1:]),
    )
    locations = replace(
        data.locations, rows=(FigureRow("UPT-06", LONG_LOCATION, KK), FigureRow("D", "Dinas", KIA))
    )
    people = tuple(
        OfficerRow(f"loket.upt{i:02d}", f"Petugas {i}", 3, 2, 0, 1, 0, 1.5) for i in range(officers)
    )
    return replace(
        data,
        services=services,
        locations=locations,
        officers=people,
        register_count=register,
    )


def test_wrapped_rows_get_their_height(tmp_path: Path) -> None:
    """LibreOffice does not fit row heights to wrapped text: the workbook sets them."""
    path = tmp_path / "r.xlsx"
    write_recap_xlsx(long_names_recap(), iter(register_rows()), path)
    ws = load_workbook(path)["Rekap per layanan"]
    header = ws.row_dimensions[HEADER_ROW].height
    assert header is not None and header >= 2 * 12, "Belum diputus (baru/diperiksa) wraps"
    assert ws.cell(HEADER_ROW + 1, 3).value == LONG_SERVICE
    long_row = ws.row_dimensions[HEADER_ROW + 1].height
    short_row = ws.row_dimensions[HEADER_ROW + 2].height
    assert long_row is not None and long_row >= 2 * 12, "a two-line service name"
    assert short_row is not None and short_row < 2 * 12, "a one-line name stays one line"
    assert wrapped_lines(LONG_SERVICE, 40) == 2 and wrapped_lines("KIA", 40) == 1
    assert wrapped_lines("Belum diputus (baru/diperiksa)", 13, bold=True) == 2


def test_register_columns_fit_the_longest_location_and_four_digit_numbers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.xlsx"
    write_recap_xlsx(long_names_recap(register=1234), iter(register_rows()), path)
    ws = load_workbook(path)["Register"]
    headers = [c.value for c in ws[HEADER_ROW]]
    location = get_column_letter(headers.index("Lokasi") + 1)
    width = ws.column_dimensions[location].width
    assert width >= plain_width(len(LONG_LOCATION)) > 22
    assert ws.column_dimensions["A"].width >= plain_width(len("1,234"))
    assert ws["A6"].value.startswith("Jumlah baris: 1.234.")


def test_notes_never_print_alone(tmp_path: Path) -> None:
    """27 officers fill the page: their last rows go to the next page with the notes and the
    signatures (no page of only footnotes); the register's note is above it."""
    path = tmp_path / "r.xlsx"
    write_recap_xlsx(long_names_recap(officers=27), iter(register_rows()), path)
    wb = load_workbook(path)
    ws = wb["Per petugas"]
    total_row = HEADER_ROW + 28
    assert ws.cell(total_row, 2).value == TOTAL_LABEL
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks and all(HEADER_ROW < b < total_row for b in breaks)
    assert all(ws.row_dimensions[r].height for r in range(1, ws.max_row + 1))
    assert not wb["Per kanal"].row_breaks.brk, "a short sheet needs no break"
    register = wb["Register"]
    assert register.max_row == HEADER_ROW + 2, "nothing after the register's last row"
    services = wb["Rekap per layanan"]
    assert services.row_breaks.brk, "the chart starts a page of its own"


def test_tail_break_only_when_the_tail_would_start_a_page() -> None:
    title = [16.5] * 4 + [12.75, 12.75, 27.0]  # title block, row 6, header
    short = title + [12.75] * 15 + [12.75] * 10  # 15 table rows, notes and signatures
    assert tail_break(short, 22, 1.0) is None
    full = title + [12.75] * 29 + [12.75] * 10  # the table's 29 rows fill an A4 page
    assert tail_break(full, 36, 1.0) == 33, "the last three table rows go with the notes"
    assert tail_break(full, 36, 0.5) is None, "at half size the page holds it all"
    assert print_scale(list(FIGURE_COLUMNS)) == 1.0


def test_daily_headers_unique_across_a_month_boundary(tmp_path: Path) -> None:
    data = replace(
        recap_data(),
        daily=daily_table(Period(dt.date(2026, 9, 15), dt.date(2026, 10, 15)), [("kk", "KK")], []),
    )
    path = tmp_path / "d.xlsx"
    write_recap_xlsx(data, iter([]), path)
    headers = [c.value for c in load_workbook(path)["Harian"][HEADER_ROW]][2:-1]
    assert len(headers) == 31 and len(set(headers)) == 31
    assert headers[0] == "15 Sep" and headers[-1] == "15 Okt"
