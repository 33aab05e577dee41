"""Routing and the parsing of one intake row, without a database."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from disdukcapil_desk.domain.catalogue import Catalogue
from disdukcapil_desk.domain.intake import (
    IntakeRejected,
    IntakeRules,
    Parties,
    contact_of,
    decode_payload,
    parse_incoming,
    read_parties,
    same_person,
)
from disdukcapil_desk.domain.nik import NikRules
from disdukcapil_desk.domain.routing import Office, route
from disdukcapil_desk.domain.wilayah import RegionCodes, Wilayah

OFFICES = (
    Office("DINAS", "dinas"),
    Office("UPT-15", "upt"),
    Office("UPT-33", "upt"),
    Office("UPT-09", "upt", active=False),
)
COVERAGE = {"360415": "UPT-15", "360433": "UPT-33", "360409": "UPT-09"}
BIRTH = {
    "nik": "3604150311920014",
    "no_kk": "3604151203180007",
    "nama": "Rudi Hartono",
    "tempat_lahir": "Serang",
    "tanggal_lahir": "1992-11-03",
    "jenis_kelamin": "L",
    "alamat": "Kp. Cikande Permai",
    "rt": "001",
    "rw": "004",
    "kode_desa": "3604152003",
    "no_hp": "085712345678",
    "anak_nama": "Aisyah Putri",
    "anak_jenis_kelamin": "P",
    "anak_tanggal_lahir": "2026-10-28",
    "anak_tempat_lahir": "Puskesmas Cikande",
    "ayah_nik": "3604150311920014",
    "ayah_nama": "Rudi Hartono",
    "ibu_nik": "3604156107950009",
    "ibu_nama": "Dewi Lestari",
}


@pytest.fixture
def rules(catalogue: Catalogue, wilayah: Wilayah, region_codes: RegionCodes) -> IntakeRules:
    return IntakeRules(catalogue, wilayah, NikRules(region_codes))


def test_route_prefers_wished_then_kecamatan_upt_then_dinas(catalogue: Catalogue) -> None:
    kia, death = catalogue.get("kia"), catalogue.get("akta_kematian")
    assert route(kia, "UPT-33", "360415", OFFICES, COVERAGE) == "UPT-33"
    assert route(kia, None, "360415", OFFICES, COVERAGE) == "UPT-15"
    assert route(kia, "NOWHERE", "360415", OFFICES, COVERAGE) == "UPT-15"
    assert route(kia, None, "360409", OFFICES, COVERAGE) == "DINAS", "inactive UPT"
    assert route(kia, None, None, OFFICES, COVERAGE) == "DINAS"
    assert route(death, "UPT-15", "360415", OFFICES, COVERAGE) == "DINAS"
    with pytest.raises(LookupError):
        route(kia, None, None, (Office("UPT-15", "upt"),), {})


def test_a_complete_birth_registration_has_no_errors(rules: IntakeRules) -> None:
    parsed = parse_incoming(
        rules, "akta_kelahiran", json.dumps(BIRTH), "+628571", dt.date(2026, 11, 2)
    )
    assert [f for f in parsed.findings if f.is_error] == []
    assert (parsed.kecamatan_code, parsed.kode_desa) == ("360415", "3604152003")
    assert parsed.birth_date == dt.date(1992, 11, 3) and parsed.sex == "L"


def test_late_and_future_events(rules: IntakeRules) -> None:
    late = parse_incoming(
        rules,
        "akta_kelahiran",
        json.dumps(dict(BIRTH, anak_tanggal_lahir="2025-01-01")),
        "+628571",
        dt.date(2026, 11, 2),
    )
    assert "late_registration" in {f.code for f in late.findings}
    future = parse_incoming(
        rules,
        "akta_kelahiran",
        json.dumps(dict(BIRTH, anak_tanggal_lahir="2026-12-01")),
        "+628571",
        dt.date(2026, 11, 2),
    )
    assert "event_in_future" in {f.code for f in future.findings if f.is_error}


def test_field_problems_are_findings(rules: IntakeRules) -> None:
    payload = dict(
        BIRTH, nama="", jenis_kelamin="X", kode_desa="3604999999", ibu_nik="12", no_kk="3604"
    )
    parsed = parse_incoming(
        rules, "akta_kelahiran", json.dumps(payload), "+628571", dt.date(2026, 11, 2)
    )
    fields = {(f.code, f.field) for f in parsed.findings}
    assert ("field_missing", "nama") in fields
    assert ("field_invalid_sex", "jenis_kelamin") in fields
    assert ("desa_unknown", "kode_desa") in fields
    assert ("nik_length", "ibu_nik") in fields
    assert ("kk_length", "no_kk") in fields


@pytest.mark.parametrize(
    ("text", "reason"),
    [("{", "bukan JSON"), ("[1]", "objek JSON"), ("null", "objek JSON"), ('"x"', "objek JSON")],
)
def test_unusable_payloads(text: str, reason: str) -> None:
    with pytest.raises(IntakeRejected, match=reason):
        decode_payload(text)


def test_contact_falls_back_to_payload_and_needs_one() -> None:
    assert contact_of("", {"no_hp": "0857-1234-5678"}) == "0857-1234-5678"
    assert contact_of(None, {"email": "warga@example.id"}) == "warga@example.id"
    with pytest.raises(IntakeRejected, match="kontak"):
        contact_of("bukan nomor", {"no_hp": "12"})


def test_unknown_service_is_rejected(rules: IntakeRules) -> None:
    with pytest.raises(IntakeRejected, match="tidak dikenal"):
        parse_incoming(rules, "surat_sakti", "{}", "+628", dt.date(2026, 11, 2))


def test_parties_are_read_by_the_catalogue_roles(catalogue: Catalogue) -> None:
    wedding = dict(
        BIRTH,
        suami_nama="  Rudi   Hartono ",
        suami_nik="3604-1503-1192-0014",
        istri_nama="Dewi Lestari",
    )
    couple = read_parties(catalogue.get("akta_perkawinan"), wedding)
    assert couple == Parties(
        "Rudi Hartono", "3604150311920014", "Rudi Hartono & Dewi Lestari", "3604150311920014"
    )
    birth = read_parties(catalogue.get("akta_kelahiran"), BIRTH)
    assert (birth.applicant_name, birth.subject_name, birth.subject_nik) == (
        "Rudi Hartono",
        "Aisyah Putri",
        "",
    )
    assert same_person(("Rudi Hartono", "3604150311920014"), ("Rudi Hartono", "3604150311920014"))
    assert not same_person(("Rudi", "3604150311920014"), ("Rudi", "3604156107950009"))
    assert same_person(("Dewi Lestari", ""), ("DEWI LESTARI", "3604156107950009"))
    assert not same_person(("Rudi Hartono", "3604150311920014"), ("Aisyah Putri", ""))
