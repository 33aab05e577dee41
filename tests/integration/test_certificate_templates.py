"""Every service that issues a document has a certificate template, and each one renders.

Parametrised over the catalogue: a service with a number series is drawn from a form filled
the way its fields ask (choice codes, ISO dates, NIKs), and the text is read back with
pdftotext.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from disdukcapil_desk.domain.catalogue import FieldType, FormField
from disdukcapil_desk.domain.documents import (
    CertificateData,
    DocumentKind,
    DocumentSeal,
    Signer,
    fill_lines,
    render_value,
)
from disdukcapil_desk.operations.context import load_reference_data
from disdukcapil_desk.reports.certificate import render_certificate
from tests.integration.test_documents import pdf_text

REFERENCE = load_reference_data()
CATALOGUE = REFERENCE.catalogue
NUMBERED = sorted(c for c in CATALOGUE.codes if CATALOGUE.get(c).number_series is not None)
_SAMPLE = {
    FieldType.DATE: "2026-10-20",
    FieldType.NIK: "3604156010260001",
    FieldType.NO_KK: "3604151203180007",
    FieldType.SEX: "P",
    FieldType.INTEGER: "2",
}


def _value(field: FormField) -> str:
    if field.type is FieldType.CHOICE:
        return field.choices[-1]
    return _SAMPLE.get(field.type, f"Contoh {field.label.split('(')[0].strip()}")


def _form(service: str) -> dict[str, str]:
    values = {f.name: _value(f) for f in CATALOGUE.get(service).all_fields}
    values.update(_desa="Nambo Udik", _kecamatan="Cikande", _kabupaten="Kabupaten Serang")
    return values


def test_every_numbered_service_has_a_template() -> None:
    assert NUMBERED and set(NUMBERED) == set(REFERENCE.certificates)


@pytest.mark.parametrize("service", NUMBERED)
def test_each_service_certificate_renders(service: str) -> None:
    template = REFERENCE.certificates[service]
    values = _form(service)
    number = f"3604-XX-02112026-{NUMBERED.index(service) + 1:04d}"
    data = CertificateData(
        template=template.code,
        title=template.title,
        title_en=template.title_en,
        header=fill_lines(template.header, values),
        number_phrase=template.number_phrase,
        number_phrase_en=template.number_phrase_en,
        number=number,
        lines=fill_lines(template.lines, values),
        place="Serang",
        issued_on=dt.date(2026, 11, 2),
        signer=Signer("Pejabat Pencatatan Sipil Kabupaten Serang", "Registrar", "Nama", "1"),
        regency="Kabupaten Serang",
        verification=DocumentSeal(DocumentKind.CERTIFICATE, number, "A" * 103, {}),
    )
    text = " ".join(pdf_text(render_certificate(data)).split())
    assert template.title in text and number in text
    for field in template.key_fields:  # every key field the form asks for is printed
        if not field.startswith("_"):
            shown = render_value(f"{{{field}|date_digits|upper}}", values)
            assert shown.split()[0] in text.upper(), (field, shown)
    assert "{" not in text and "}" not in text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "an internal code is printed"
    assert "bulan" in text and "tahun" in text  # dates written out as the kutipan does
