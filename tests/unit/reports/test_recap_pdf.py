"""The recap PDF from synthetic data: it renders, embeds its fonts and skips huge registers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from disdukcapil_desk.reports import recap_pdf
from disdukcapil_desk.reports.fonts import register_fonts
from tests.unit.exports.recap_fixtures import recap_data, register_rows

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
