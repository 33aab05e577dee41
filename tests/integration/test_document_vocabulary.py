"""The documents' vocabularies: purposes, register events, number series, signer titles."""

from __future__ import annotations

import pytest
from sqlalchemy import CheckConstraint

from disdukcapil_desk.db.models import DocumentFile, NumberRegister
from disdukcapil_desk.domain.documents import (
    CertificateTemplate,
    PrintPurpose,
    RegisterEvent,
    check_template_services,
)
from disdukcapil_desk.domain.errors import CatalogueError
from disdukcapil_desk.domain.office import OfficeSettings, settings_from
from disdukcapil_desk.operations.context import load_reference_data
from disdukcapil_desk.operations.documents.printing import signer


def _check_of(model: type[DocumentFile] | type[NumberRegister], column: str) -> str:
    table = model.__table__
    name = f"ck_{table.name}_{column}"
    return next(
        str(c.sqltext)
        for c in table.constraints
        if isinstance(c, CheckConstraint) and c.name == name
    )


def test_the_checks_list_the_enums_values() -> None:
    assert _check_of(DocumentFile, "purpose") == (
        "purpose IN ('issue', 'print', 'reprint', 'save', 'batch')"
    )
    assert _check_of(NumberRegister, "event") == "event IN ('void', 'reprint')"
    for member in PrintPurpose:
        assert f"'{member.value}'" in _check_of(DocumentFile, "purpose")
    for event in RegisterEvent:
        assert f"'{event.value}'" in _check_of(NumberRegister, "event")


def test_labels_are_indonesian_and_a_typo_fails_at_once() -> None:
    assert PrintPurpose.REPRINT.label == "Cetak ulang"
    assert RegisterEvent.VOID.label == "Dibatalkan"
    assert all(p.label for p in PrintPurpose)
    assert [p for p in PrintPurpose if p.counts_as_printed] == [
        PrintPurpose.PRINT,
        PrintPurpose.REPRINT,
    ]
    with pytest.raises(ValueError, match="reprnt"):
        PrintPurpose("reprnt")


def test_certificate_templates_load_with_the_reference_data() -> None:
    reference = load_reference_data()
    catalogue = reference.catalogue
    numbered = {c for c in catalogue.codes if catalogue.get(c).number_series is not None}
    assert set(reference.certificates) == numbered
    assert {"akta_pengakuan_anak", "akta_pengesahan_anak"} <= numbered


def test_a_service_with_a_number_series_but_no_template_is_refused() -> None:
    reference = load_reference_data()
    templates = dict(reference.certificates)
    del templates["akta_pengakuan_anak"]
    with pytest.raises(CatalogueError, match=r"akta_pengakuan_anak.*tidak punya templat"):
        check_template_services(templates, reference.catalogue)


def test_a_template_for_a_service_without_a_number_series_is_refused() -> None:
    reference = load_reference_data()
    catalogue = reference.catalogue
    template: CertificateTemplate = reference.certificates["akta_kematian"]
    with pytest.raises(CatalogueError, match=r"kia.*number_series"):
        check_template_services({"kia": template}, catalogue)
    with pytest.raises(CatalogueError, match="tidak ada"):
        check_template_services({"tidak_ada": template}, catalogue)


def test_signer_titles_are_office_settings() -> None:
    reference = load_reference_data()
    death = reference.certificates["akta_kematian"]
    skpwni = reference.certificates["pindah_keluar_skpwni"]
    defaults = OfficeSettings(regency="Kabupaten Lebak")
    assert signer(death, defaults).title == "Pejabat Pencatatan Sipil Kabupaten Lebak"
    assert signer(skpwni, defaults).title == (
        "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lebak"
    )
    assert signer(skpwni, defaults).title_en == (
        "Head of the Population and Civil Registration Agency"
    )
    own = settings_from(
        {
            "registrar_title": "a.n. Kepala Dinas, Kepala Bidang Pencatatan Sipil",
            "registrar_title_en": "",
        }
    )
    assert signer(death, own).title == "a.n. Kepala Dinas, Kepala Bidang Pencatatan Sipil"
    assert signer(death, own).title_en == "Registrar", "an empty title prints the default"
