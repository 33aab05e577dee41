"""Office-wide settings: declared once with label and default (domain layer).

The values live in the shared database (``office_setting``) so every workstation prints the same
letterhead and signers; only an administrator changes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from disdukcapil_desk.domain.catalogue import Catalogue, NumberSeries

REGENCY_PLACEHOLDER = "{regency}"
"""In a signer's title, replaced by the ``regency`` setting when printed."""


@dataclass(frozen=True, slots=True)
class OfficeSettings:
    """What documents and recaps print about the office and its signers."""

    government: str = "PEMERINTAH KABUPATEN SERANG"
    agency: str = "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"
    address: str = ""
    phone: str = ""
    call_centre: str = ""
    regency: str = "Kabupaten Serang"
    place_of_issue: str = "Serang"
    head_title: str = "Kepala Dinas Kependudukan dan Pencatatan Sipil {regency}"
    head_title_en: str = "Head of the Population and Civil Registration Agency"
    head_name: str = ""
    head_nip: str = ""
    registrar_title: str = "Pejabat Pencatatan Sipil {regency}"
    registrar_title_en: str = "Registrar"
    registrar_name: str = ""
    registrar_nip: str = ""
    head_of_registration_name: str = ""
    head_of_registration_nip: str = ""
    head_of_civil_registry_name: str = ""
    head_of_civil_registry_nip: str = ""

    def title(self, text: str) -> str:
        """A signer's title as printed: ``{regency}`` replaced by the regency."""
        return text.replace(REGENCY_PLACEHOLDER, self.regency)


SETTING_LABELS: dict[str, str] = {
    "government": "Pemerintah daerah (kop surat)",
    "agency": "Nama dinas (kop surat)",
    "address": "Alamat kantor",
    "phone": "Telepon kantor",
    "call_centre": "Nomor pengaduan / call centre",
    "regency": "Kabupaten",
    "place_of_issue": "Tempat penerbitan dokumen",
    "head_title": "Jabatan Kepala Dinas pada sertifikat ({regency} = kabupaten)",
    "head_title_en": "Jabatan Kepala Dinas (bahasa Inggris)",
    "head_name": "Nama Kepala Dinas",
    "head_nip": "NIP Kepala Dinas",
    "registrar_title": "Jabatan Pejabat Pencatatan Sipil ({regency} = kabupaten)",
    "registrar_title_en": "Jabatan Pejabat Pencatatan Sipil (bahasa Inggris)",
    "registrar_name": "Nama Pejabat Pencatatan Sipil",
    "registrar_nip": "NIP Pejabat Pencatatan Sipil",
    "head_of_registration_name": "Nama Kepala Bidang Pelayanan Pendaftaran Penduduk",
    "head_of_registration_nip": "NIP Kepala Bidang Pelayanan Pendaftaran Penduduk",
    "head_of_civil_registry_name": "Nama Kepala Bidang Pelayanan Pencatatan Sipil",
    "head_of_civil_registry_nip": "NIP Kepala Bidang Pelayanan Pencatatan Sipil",
}

SETTING_KEYS = tuple(f.name for f in fields(OfficeSettings))


def settings_from(values: dict[str, str]) -> OfficeSettings:
    """Build the settings from stored values; unknown keys are ignored, missing ones default."""
    return OfficeSettings(**{k: v for k, v in values.items() if k in SETTING_KEYS})


SEPARATION_PREFIX = "separation_of_duties:"
"""Stored per service (``separation_of_duties:<code>`` = ``1``/``0``): whether the officer who
approved a request of that service may not also issue it. Unset: on for the akta series."""
SEPARATION_LABEL = "Penyetuju tidak boleh menerbitkan sendiri"


def separation_key(service_code: str) -> str:
    """The stored key of a service's separation-of-duties choice."""
    return SEPARATION_PREFIX + service_code


def separation_default(catalogue: Catalogue, service_code: str) -> bool:
    """The office's choice before anyone makes one: on for services numbered in an akta series."""
    return catalogue.get(service_code).number_series is NumberSeries.AKTA


def separation_of_duties(stored: Mapping[str, str], catalogue: Catalogue) -> dict[str, bool]:
    """Per service code of the catalogue: whether its approver may not also issue it."""
    return {
        code: _on(stored.get(separation_key(code)), separation_default(catalogue, code))
        for code in catalogue.codes
    }


def _on(value: str | None, default: bool) -> bool:
    return default if value is None else value == "1"
