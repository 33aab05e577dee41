"""The recap workbook from synthetic data: layout, formats, chart, print setup, empty recap."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from disdukcapil_desk.domain.recap import EMPTY_TEXT
from disdukcapil_desk.exports.recap_xlsx import HEADER_ROW, write_recap_xlsx
from tests.unit.exports.recap_fixtures import recap_data, register_rows


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
