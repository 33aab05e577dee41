"""Every document type prints a Latin name with diacritics, and refuses one its fonts cannot
draw before any PDF is made (receipt A4 and slip, every certificate template, the recap).

ReportLab leaves out a character its font lacks (a blank "telah lahir" line); the name being
found whole by ``pdftotext`` proves its glyphs were drawn, and ``pdffonts`` that every font is
embedded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from disdukcapil_desk.domain.documents import (
    CertificateData,
    CertificateTemplate,
    ChecklistItem,
    DocumentKind,
    DocumentSeal,
    Letterhead,
    ReceiptData,
    Signer,
    fill_lines,
    load_templates,
)
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.reports import recap_pdf
from disdukcapil_desk.reports.certificate import render_batch, render_certificate
from disdukcapil_desk.reports.glyphs import UnprintableText, missing_glyphs
from disdukcapil_desk.reports.receipt import render_receipt
from tests.unit.exports.recap_fixtures import recap_data, register_rows

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
LATIN = "Zoë Ñañez Gonçalves Âdi Müller"
REFUSED = {"Arabic": ("فاطمة الزهراء", "\u0641"), "CJK": ("王小明", "\u738b")}
_DATE_FILTERS = re.compile(r"\|(date_words|date_long|date_digits)")
_NUMBER_FILTERS = re.compile(r"\|(number_words|ordinal_words)")
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)((?:\|[a-z_]+)*)\}")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed")
    return path


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        [_tool("pdftotext"), "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def embedded_fonts(path: Path) -> list[tuple[str, str]]:
    """(font name, emb) per font of the PDF, as ``pdffonts`` lists them."""
    out = subprocess.run(
        [_tool("pdffonts"), str(path)], capture_output=True, check=True
    ).stdout.decode()
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    return [(row[0], row[-5]) for row in rows]


def assert_fonts_embedded(pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    fonts = embedded_fonts(path)
    assert fonts and all(emb == "yes" and "Liberation" in name for name, emb in fonts), fonts


def seal(kind: DocumentKind) -> DocumentSeal:
    return DocumentSeal(kind, "3604-LU-02112026-0001", "A" * 16, {"nama": "x"})


def receipt(name: str) -> ReceiptData:
    return ReceiptData(
        letterhead=Letterhead("PEMERINTAH KABUPATEN SERANG", "DINAS KEPENDUDUKAN"),
        number="DINAS/20261102/0001",
        received_at=dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC),
        channel="WhatsApp",
        service_name="Akta Kelahiran",
        applicant_name="Budi Santoso",
        nik_masked="3604********0014",
        kk_masked="3604********0007",
        desa="Cikande",
        kecamatan="Cikande",
        checklist=(ChecklistItem("Surat keterangan lahir", "Sesuai"),),
        status="Diterima",
        due_date=dt.date(2026, 11, 9),
        delivery="Diambil di kantor",
        officer_name="Ani",
        officer_nip="-",
        place="Serang",
        printed_at=dt.datetime(2026, 11, 2, 9, 0),
        call_centre="0811",
        verification=seal(DocumentKind.RECEIPT),
        applicant_label="Pemohon",
        subject_name=name,
        subject_label="Anak",
    )


def template_values(template: CertificateTemplate, name: str) -> dict[str, str]:
    """A value for every placeholder of ``template``: ``name`` for names, else a plain one."""
    values: dict[str, str] = {}
    for line in (*template.header, *template.lines):
        for match in _PLACEHOLDER.finditer(line.value):
            field, filters = match.groups()
            if _DATE_FILTERS.search(filters):
                values[field] = "2026-10-20"
            elif _NUMBER_FILTERS.search(filters):
                values[field] = "2"
            elif "sex" in filters:
                values[field] = "P"
            elif "nama" in field:
                values[field] = name
            else:
                values.setdefault(field, "Serang")
    return values


def certificate(template: CertificateTemplate, name: str) -> CertificateData:
    values = template_values(template, name)
    assert any("nama" in field for field in values), f"{template.code} prints no name"
    return CertificateData(
        template=template.code,
        title=template.title,
        title_en=template.title_en,
        header=fill_lines(template.header, values),
        number_phrase=template.number_phrase,
        number_phrase_en=template.number_phrase_en,
        number="3604-LU-02112026-0001",
        lines=fill_lines(template.lines, values),
        place="Serang",
        issued_on=dt.date(2026, 11, 2),
        signer=Signer("KEPALA DINAS", "HEAD", "Drs. Ahmad", "1970"),
        regency="SERANG",
        verification=seal(DocumentKind.CERTIFICATE),
        show_nationality=template.show_nationality,
        letterhead=Letterhead("PEMERINTAH KABUPATEN SERANG", "DINAS KEPENDUDUKAN")
        if template.agency_header
        else None,
    )


TEMPLATES = sorted(
    {
        t.code: t for t in load_templates(RESOURCES / "templates" / "certificates.json").values()
    }.values(),
    key=lambda t: t.code,
)


def test_the_fonts_draw_indonesian_latin_with_diacritics_and_not_other_scripts() -> None:
    assert missing_glyphs(LATIN + " éèêëáàäåíìîïóòôöúùûçşğāēīōū\u2019\u2013—…") == ""
    for name, _ in REFUSED.values():
        assert set(missing_glyphs(name)) == set(name) - {" "}
    assert missing_glyphs("a\tb\nc") == ""


@pytest.mark.parametrize("slip", [False, True], ids=["a4", "slip"])
def test_the_receipt_prints_a_diacritic_name(slip: bool, tmp_path: Path) -> None:
    pdf = render_receipt(receipt(LATIN), slip=slip)
    assert LATIN in pdf_text(pdf)
    assert_fonts_embedded(pdf, tmp_path)


@pytest.mark.parametrize("script", sorted(REFUSED))
@pytest.mark.parametrize("slip", [False, True], ids=["a4", "slip"])
def test_the_receipt_refuses_a_name_it_cannot_draw(slip: bool, script: str) -> None:
    name, first = REFUSED[script]
    with pytest.raises(UnprintableText) as refused:
        render_receipt(receipt(name), slip=slip)
    assert isinstance(refused.value, DeskError)
    assert (refused.value.field, refused.value.char) == ("Atas Nama", first)
    assert f"«Atas Nama» memuat karakter «{first}»" in str(refused.value)
    assert "huruf Latin" in str(refused.value)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_every_certificate_prints_a_diacritic_name(
    template: CertificateTemplate, tmp_path: Path
) -> None:
    pdf = render_certificate(certificate(template, LATIN))
    text = pdf_text(pdf)
    assert LATIN.upper() in text or LATIN in text, text[:400]
    assert_fonts_embedded(pdf, tmp_path)


@pytest.mark.parametrize("script", sorted(REFUSED))
@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_every_certificate_refuses_a_name_it_cannot_draw(
    template: CertificateTemplate, script: str
) -> None:
    name, first = REFUSED[script]
    data = certificate(template, name)
    with pytest.raises(UnprintableText, match=f"U\\+{ord(first):04X}") as refused:
        render_certificate(data)
    printed_with_name = {line.label for line in data.lines if name.upper() in line.value}
    assert refused.value.field in printed_with_name
    batch = [receipt("Budi Santoso"), certificate(template, LATIN), data]
    with pytest.raises(UnprintableText):
        render_batch(batch)


def test_the_recap_prints_a_diacritic_name_and_refuses_one_it_cannot_draw(
    tmp_path: Path,
) -> None:
    fonts = RESOURCES / "fonts"
    officer = "Zoë Ñañez"
    data = recap_data()
    data = dataclasses.replace(
        data, officers=tuple(dataclasses.replace(o, name=officer) for o in data.officers)
    )
    rows = [(*row[:10], officer, *row[11:]) for row in register_rows()]
    path = tmp_path / "recap.pdf"
    recap_pdf.render_recap_pdf(data, iter(rows), path, fonts)
    assert pdf_text(path.read_bytes()).count(officer) >= 2, "officer table and register"
    assert_fonts_embedded(path.read_bytes(), tmp_path)

    refused_path = tmp_path / "refused.pdf"
    arabic = dataclasses.replace(
        data, officers=tuple(dataclasses.replace(o, name="فاطمة") for o in data.officers)
    )
    with pytest.raises(UnprintableText, match="officers"):
        recap_pdf.render_recap_pdf(arabic, iter(register_rows()), refused_path, fonts)
    cjk_rows = [(*row[:10], "王小明", *row[11:]) for row in register_rows()]
    with pytest.raises(UnprintableText, match="register baris 1, Petugas"):
        recap_pdf.render_recap_pdf(recap_data(), iter(cjk_rows), refused_path, fonts)
    assert not refused_path.exists(), "no PDF is written"
