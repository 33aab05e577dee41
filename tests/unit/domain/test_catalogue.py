"""Tests of the service catalogue: the real resource file and the loader's checks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from disdukcapil_desk.domain.catalogue import (
    SHORT_NAME_MAX,
    Catalogue,
    FieldType,
    FormField,
    NumberSeries,
    Requirement,
    Service,
    ServiceGroup,
    load_catalogue,
    parse_catalogue,
)
from disdukcapil_desk.domain.errors import CatalogueError

SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
AKTA_SERVICES = {
    "akta_kelahiran": ("LU", "LT"),
    "akta_kematian": ("KM", None),
    "akta_perkawinan": ("KW", None),
    "akta_perceraian": ("CR", None),
    "akta_pengakuan_anak": ("PA", None),
    "akta_pengesahan_anak": ("PS", None),
}


# --- the real catalogue -------------------------------------------------------------------


def test_real_catalogue_has_34_services(catalogue: Catalogue) -> None:
    assert len(catalogue) == 34
    assert len(set(catalogue.codes)) == 34
    assert catalogue.codes[0] == "biodata_wni"
    assert [s.code for s in catalogue] == list(catalogue.codes)


def test_groups(catalogue: Catalogue) -> None:
    groups = catalogue.by_group()
    assert list(groups) == list(ServiceGroup)
    assert {g: len(s) for g, s in groups.items()} == {
        ServiceGroup.PENDAFTARAN_PENDUDUK: 15,
        ServiceGroup.PENCATATAN_SIPIL: 16,
        ServiceGroup.LAINNYA: 3,
    }


def test_common_fields(catalogue: Catalogue) -> None:
    fields = {f.name: f for f in catalogue.common_fields}
    assert list(fields) == [
        "nik",
        "no_kk",
        "nama",
        "tempat_lahir",
        "tanggal_lahir",
        "jenis_kelamin",
        "alamat",
        "rt",
        "rw",
        "kode_desa",
        "no_hp",
    ]
    assert {n for n, f in fields.items() if f.required} >= {"nik", "nama", "no_hp"}
    types = {n: f.type for n, f in fields.items()}
    assert types["nik"] is FieldType.NIK
    assert types["no_kk"] is FieldType.NO_KK
    assert types["tanggal_lahir"] is FieldType.DATE
    assert types["jenis_kelamin"] is FieldType.SEX
    assert types["kode_desa"] is FieldType.DESA
    assert types["no_hp"] is FieldType.PHONE


def test_every_service_has_unique_requirements(catalogue: Catalogue) -> None:
    for service in catalogue:
        codes = [r.code for r in service.requirements]
        assert codes, service.code
        assert len(codes) == len(set(codes)), service.code
        for r in service.requirements:
            assert SNAKE.match(r.code), (service.code, r.code)
            assert r.label.strip(), (service.code, r.code)
            assert r.required == (r.condition == ""), (service.code, r.code)


def test_every_field_is_well_formed(catalogue: Catalogue) -> None:
    for service in catalogue:
        names = [f.name for f in service.all_fields]
        assert len(names) == len(set(names)), service.code
        for f in service.all_fields:
            assert isinstance(f.type, FieldType), (service.code, f.name)
            assert SNAKE.match(f.name), (service.code, f.name)
            assert f.label.strip(), (service.code, f.name)
            assert bool(f.choices) == (f.type is FieldType.CHOICE), (service.code, f.name)


def test_every_service_has_own_fields(catalogue: Catalogue) -> None:
    common = {f.name for f in catalogue.common_fields}
    for service in catalogue:
        assert {f.name for f in service.fields} - common, service.code


def test_event_date_fields_are_date_fields_of_the_service(catalogue: Catalogue) -> None:
    with_event = 0
    for service in catalogue:
        if service.report_deadline_days is not None:
            assert service.event_date_field is not None, service.code
        if service.event_date_field is None:
            continue
        with_event += 1
        event = service.field(service.event_date_field)
        assert event is not None, service.code
        assert event.type is FieldType.DATE, service.code
        assert event.required, service.code
    assert with_event >= 5


@pytest.mark.parametrize(
    ("code", "event_field", "deadline"),
    [
        ("akta_kelahiran", "anak_tanggal_lahir", 60),
        ("akta_kematian", "tanggal_kematian", 30),
        ("akta_perkawinan", "tanggal_perkawinan", 60),
        ("akta_perceraian", "tanggal_putusan", 60),
        ("pencatatan_perubahan_nama", "tanggal_penetapan", 30),
        ("legalisir", None, None),
    ],
)
def test_report_deadlines(
    catalogue: Catalogue, code: str, event_field: str | None, deadline: int | None
) -> None:
    service = catalogue.get(code)
    assert service.event_date_field == event_field
    assert service.report_deadline_days == deadline


def test_akta_type_codes(catalogue: Catalogue) -> None:
    found = {s.code: (s.akta_type_code, s.late_akta_type_code) for s in catalogue if s.is_akta}
    assert found == AKTA_SERVICES
    birth = catalogue.get("akta_kelahiran")
    assert birth.akta_type_for(late=False) == "LU"
    assert birth.akta_type_for(late=True) == "LT"
    assert catalogue.get("akta_kematian").akta_type_for(late=True) == "KM"
    assert catalogue.get("kia").akta_type_for(late=False) is None


def test_number_series_is_catalogue_data(catalogue: Catalogue) -> None:
    series = {s.code: s.number_series for s in catalogue if s.number_series is not None}
    assert series == {
        **dict.fromkeys(AKTA_SERVICES, NumberSeries.AKTA),
        "pindah_keluar_skpwni": NumberSeries.SKPWNI,
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "akta_kelahiran",
            {
                "anak_nama": FieldType.TEXT,
                "anak_jenis_kelamin": FieldType.SEX,
                "anak_tanggal_lahir": FieldType.DATE,
                "anak_tempat_lahir": FieldType.TEXT,
                "anak_ke": FieldType.INTEGER,
                "ayah_nik": FieldType.NIK,
                "ayah_nama": FieldType.TEXT,
                "ibu_nik": FieldType.NIK,
                "ibu_nama": FieldType.TEXT,
            },
        ),
        (
            "akta_kematian",
            {
                "tanggal_kematian": FieldType.DATE,
                "tempat_kematian": FieldType.TEXT,
                "pelapor_nik": FieldType.NIK,
                "pelapor_nama": FieldType.TEXT,
                "sebab_kematian": FieldType.CHOICE,
            },
        ),
        (
            "pindah_keluar_skpwni",
            {
                "alamat_tujuan": FieldType.TEXT,
                "alasan_pindah": FieldType.CHOICE,
                "klasifikasi_pindah": FieldType.CHOICE,
            },
        ),
        ("pindah_datang_antar_kabkota", {"no_skpwni": FieldType.TEXT}),
        ("akta_perkawinan", {"suami_nik": FieldType.NIK, "istri_nik": FieldType.NIK}),
        ("akta_perceraian", {"nomor_putusan": FieldType.TEXT, "tanggal_putusan": FieldType.DATE}),
        ("ktpel_penggantian", {"alasan": FieldType.CHOICE}),
        ("legalisir", {"jenis_dokumen": FieldType.CHOICE, "jumlah_lembar": FieldType.INTEGER}),
        ("sinkronisasi_data", {"masalah": FieldType.CHOICE}),
    ],
)
def test_design_fields(catalogue: Catalogue, code: str, expected: dict[str, FieldType]) -> None:
    service = catalogue.get(code)
    for name, field_type in expected.items():
        found = service.field(name)
        assert found is not None, name
        assert found.type is field_type, name


def test_death_optional_and_required_fields(catalogue: Catalogue) -> None:
    death = catalogue.get("akta_kematian")
    required = {f.name for f in death.all_fields if f.required}
    # The pelapor applies and is addressed in every message: their name is required.
    assert {"tanggal_kematian", "tempat_kematian", "pelapor_nik", "pelapor_nama"} <= required
    assert not {"sebab_kematian", "hubungan_pelapor"} & required


# Who applies (and is addressed) and whom the document is about, per service: (applicant's
# name and NIK fields, subject's) or None where the applicant applies for themself.
PARTIES: dict[str, tuple[tuple[tuple[str, ...], str | None], tuple[tuple[str, ...], str | None]]]
PARTIES = {
    "kk_baru": ((("nama",), "nik"), (("nama_kepala_keluarga",), "nik_kepala_keluarga")),
    "kia": ((("nama_orang_tua_wali",), "nik_orang_tua_wali"), (("nama",), "nik")),
    "akta_kelahiran": ((("nama",), "nik"), (("anak_nama",), None)),
    "akta_kematian": ((("pelapor_nama",), "pelapor_nik"), (("nama",), "nik")),
    **{
        code: ((("nama",), "nik"), (("suami_nama", "istri_nama"), "suami_nik"))
        for code in (
            "akta_perkawinan",
            "akta_perceraian",
            "pembatalan_perkawinan",
            "pembatalan_perceraian",
        )
    },
    **{
        code: ((("nama",), "nik"), (("anak_nama",), "anak_nik"))
        for code in ("akta_pengakuan_anak", "akta_pengesahan_anak", "pencatatan_pengangkatan_anak")
    },
    "kutipan_kedua_akta": ((("nama",), "nik"), (("nama_pada_akta",), None)),
    "sk_lahir_mati": ((("nama",), "nik"), (("ibu_nama",), "ibu_nik")),
    "permintaan_data_kependudukan": ((("nama",), "nik"), (("nama_instansi",), None)),
}


def test_parties_of_every_service(catalogue: Catalogue) -> None:
    for service in catalogue:
        applicant = (service.applicant.name_fields, service.applicant.nik_field)
        subject = service.subject and (service.subject.name_fields, service.subject.nik_field)
        if service.code in PARTIES:
            assert (applicant, subject) == PARTIES[service.code], service.code
            assert service.subject_party is service.subject
        else:  # the applicant applies for themself
            assert (applicant, subject) == ((("nama",), "nik"), None), service.code
            assert service.subject_party is service.applicant
    death = catalogue.get("akta_kematian")
    assert (death.applicant.label, death.subject_party.label) == ("Pelapor", "Yang meninggal dunia")


def test_short_names_fit_the_queue_column(catalogue: Catalogue) -> None:
    shorts = {s.code: s.short_name for s in catalogue}
    assert all(0 < len(name) <= SHORT_NAME_MAX == 22 for name in shorts.values()), shorts
    assert len({n.casefold() for n in shorts.values()}) == len(catalogue)
    assert shorts["akta_kematian"] == "Akta Kematian"
    assert shorts["ktpel_penggantian"] == "KTP-el Ganti"
    assert shorts["pindah_datang_antar_kabkota"] == "Pindah Datang AKK"
    assert catalogue.get("kia").label == "KIA"


def test_replacement_reasons(catalogue: Catalogue) -> None:
    reasons = catalogue.get("ktpel_penggantian").field("alasan")
    assert reasons is not None
    assert {"hilang", "rusak", "perubahan_data"} <= set(reasons.choices)


def test_all_fields_override_keeps_position(catalogue: Catalogue) -> None:
    death = catalogue.get("akta_kematian")
    names = [f.name for f in death.all_fields]
    common = [f.name for f in catalogue.common_fields]
    assert names[: len(common)] == common
    nik = death.all_fields[0]
    assert nik.name == "nik"
    assert nik.label != catalogue.common_fields[0].label
    assert death.field("nik") == nik
    assert names[len(common)] == "tanggal_kematian"


def test_override_can_make_common_field_optional(catalogue: Catalogue) -> None:
    nik = catalogue.get("sktt_wna").field("nik")
    assert nik is not None
    assert not nik.required
    assert catalogue.get("kk_baru").field("nik") == catalogue.common_fields[0]


def test_lookups_return_none_when_unknown(catalogue: Catalogue) -> None:
    birth = catalogue.get("akta_kelahiran")
    assert birth.field("tidak_ada") is None
    assert birth.requirement("tidak_ada") is None
    requirement = birth.requirement("surat_keterangan_lahir")
    assert requirement is not None
    assert requirement.required
    police = birth.requirement("berita_acara_kepolisian")
    assert police is not None
    assert not police.required
    assert police.condition


@pytest.mark.parametrize(
    ("code", "dinas", "upt"),
    [
        ("akta_kematian", True, False),
        ("kk_baru", False, True),
        ("akta_kelahiran", True, True),
    ],
)
def test_handled_at(catalogue: Catalogue, code: str, dinas: bool, upt: bool) -> None:
    service = catalogue.get(code)
    assert service.handled_by_dinas is dinas
    assert service.handled_by_upt is upt


def test_get_and_contains(catalogue: Catalogue) -> None:
    assert "akta_kelahiran" in catalogue
    assert "tidak_ada" not in catalogue
    assert 5 not in catalogue
    with pytest.raises(KeyError, match="tidak_ada"):
        catalogue.get("tidak_ada")


def test_sla_days_are_set(catalogue: Catalogue) -> None:
    assert all(s.sla_days in (1, 3) for s in catalogue)
    assert catalogue.get("akta_kelahiran").sla_days == 1


def test_value_objects_are_frozen(catalogue: Catalogue) -> None:
    service = catalogue.get("kia")
    with pytest.raises(AttributeError):
        service.sla_days = 5  # type: ignore[misc]


def test_catalogue_built_by_hand() -> None:
    common = (FormField("nik", FieldType.NIK, "NIK", True),)
    service = Service(
        code="x",
        name="X",
        group=ServiceGroup.LAINNYA,
        output_document="-",
        sla_days=1,
        handled_at=frozenset({"upt"}),
        requirements=(Requirement("kk", "KK", True),),
        fields=(FormField("catatan", FieldType.TEXT, "Catatan", False),),
        common_fields=common,
    )
    catalogue = Catalogue(common, [service])
    assert [f.name for f in catalogue.get("x").all_fields] == ["nik", "catatan"]
    assert catalogue.by_group()[ServiceGroup.PENCATATAN_SIPIL] == ()
    assert dict(catalogue.services) == {"x": service}
    assert Catalogue(common, {"x": service}).codes == ("x",)


# --- malformed catalogues ---------------------------------------------------------------

Mutation = Callable[[Any], None]


def _service(data: Any, code: str) -> Any:
    return next(s for s in data["services"] if s["code"] == code)


def _set(code: str, key: str, value: object) -> Mutation:
    def mutate(data: Any) -> None:
        _service(data, code)[key] = value

    return mutate


def _drop(code: str, key: str) -> Mutation:
    def mutate(data: Any) -> None:
        del _service(data, code)[key]

    return mutate


def _set_field(code: str, index: int, key: str, value: object) -> Mutation:
    def mutate(data: Any) -> None:
        _service(data, code)["fields"][index][key] = value

    return mutate


def _set_requirement(code: str, index: int, key: str, value: object) -> Mutation:
    def mutate(data: Any) -> None:
        _service(data, code)["requirements"][index][key] = value

    return mutate


def _duplicate_service(data: Any) -> None:
    data["services"][5]["code"] = data["services"][2]["code"]


def _duplicate_requirement(data: Any) -> None:
    reqs = _service(data, "akta_kematian")["requirements"]
    reqs[1]["code"] = reqs[0]["code"]


def _duplicate_field(data: Any) -> None:
    fields = _service(data, "legalisir")["fields"]
    fields.append(dict(fields[0]))


def _duplicate_akta_code(data: Any) -> None:
    _service(data, "akta_kematian")["akta_type_code"] = "LU"


def _bad_common_field(data: Any) -> None:
    data["common_fields"][2]["type"] = "tanggal"


# (mutation, fragments the message must contain)
MALFORMED: dict[str, tuple[Mutation, tuple[str, ...]]] = {
    "missing key": (_drop("kk_hilang_rusak", "sla_days"), ("#3", "kk_hilang_rusak", "sla_days")),
    "wrong type": (_set("kia", "sla_days", "1"), ("#6", "kia", "sla_days", "bilangan bulat")),
    "bool is not int": (_set("kia", "sla_days", True), ("kia", "sla_days")),
    "negative sla": (_set("kia", "sla_days", -1), ("kia", "sla_days")),
    "duplicate code": (_duplicate_service, ("#5", "ganda", "#2")),
    "unknown field type": (
        _set_field("legalisir", 0, "type", "angka"),
        ("legalisir", "field #0", "jenis_dokumen", "angka"),
    ),
    "unknown common field type": (_bad_common_field, ("field umum #2", "nama", "tanggal")),
    "duplicate requirement": (_duplicate_requirement, ("akta_kematian", "persyaratan ganda")),
    "duplicate field": (_duplicate_field, ("legalisir", "field ganda", "jenis_dokumen")),
    "event field not a date": (
        _set("akta_kematian", "event_date_field", "tempat_kematian"),
        ("akta_kematian", "tempat_kematian", "bukan field tanggal"),
    ),
    "event field unknown": (
        _set("akta_kematian", "event_date_field", "tanggal_wafat"),
        ("akta_kematian", "tanggal_wafat"),
    ),
    "deadline without event": (
        _set("legalisir", "report_deadline_days", 30),
        ("legalisir", "report_deadline_days"),
    ),
    "unknown group": (_set("kia", "group", "umum"), ("kia", "umum")),
    "bad handled_at": (_set("kia", "handled_at", ["kecamatan"]), ("kia", "kecamatan")),
    "empty handled_at": (_set("kia", "handled_at", []), ("kia", "handled_at")),
    "no requirements": (_set("kia", "requirements", []), ("kia", "requirements")),
    "conditional without condition": (
        _set_requirement("kia", 3, "condition", ""),
        ("kia", "persyaratan #3", "pas_foto", "condition"),
    ),
    "required with condition": (
        _set_requirement("kia", 0, "condition", "Jika perlu"),
        ("kia", "persyaratan #0", "condition"),
    ),
    "requirement code not snake": (
        _set_requirement("kia", 0, "code", "Akta Kelahiran"),
        ("kia", "persyaratan #0", "snake_case"),
    ),
    "choice without choices": (
        _set_field("legalisir", 0, "choices", []),
        ("legalisir", "jenis_dokumen", "choices"),
    ),
    "choices on a text field": (
        _set_field("legalisir", 1, "choices", ["a"]),
        ("legalisir", "nomor_dokumen", "choices"),
    ),
    "unknown key": (_set("kia", "sla_hari", 1), ("kia", "sla_hari")),
    "bad akta code": (_set("akta_kematian", "akta_type_code", "km"), ("akta_kematian", "km")),
    "late code without code": (
        _set("kia", "late_akta_type_code", "LT"),
        ("kia", "late_akta_type_code"),
    ),
    "duplicate akta code": (_duplicate_akta_code, ("akta_kematian", "LU", "akta_kelahiran")),
    "field name not text": (_set_field("kia", 0, "name", 7), ("kia", "field #0", "teks")),
    "no short name": (_drop("kia", "short_name"), ("kia", "short_name")),
    "short name too long": (
        _set("akta_kematian", "short_name", "Pencatatan Akta Kematian"),
        ("akta_kematian", "short_name", "22"),
    ),
    "duplicate short name": (_set("kk_baru", "short_name", "kia"), ("kk_baru", "KIA", "kia")),
    "no applicant": (_drop("kia", "applicant"), ("kia", "applicant")),
    "no subject": (_drop("akta_kematian", "subject"), ("akta_kematian", "subject")),
    "party names an unknown field": (
        _set("akta_kematian", "applicant", {"label": "Pelapor", "name": "pelapor", "nik": None}),
        ("akta_kematian", "applicant", "'pelapor'", "bukan field"),
    ),
    "party NIK is not a NIK field": (
        _set("akta_kelahiran", "subject", {"label": "Anak", "name": "anak_nama", "nik": "anak_ke"}),
        ("akta_kelahiran", "subject", "anak_ke", "nik"),
    ),
    "party name is not a text field": (
        _set("kia", "applicant", {"label": "Wali", "name": ["nik_orang_tua_wali"], "nik": None}),
        ("kia", "applicant", "nik_orang_tua_wali", "text"),
    ),
    "party name not required": (
        _set("akta_kematian", "applicant", {"label": "P", "name": "hubungan_pelapor", "nik": None}),
        ("akta_kematian", "hubungan_pelapor", "wajib"),
    ),
    "party without a label": (
        _set("kia", "subject", {"label": "", "name": "nama", "nik": "nik"}),
        ("kia", "subject", "label"),
    ),
    "party with an unknown key": (
        _set("kia", "subject", {"label": "Anak", "name": "nama", "nik": "nik", "hp": "no_hp"}),
        ("kia", "subject", "hp"),
    ),
    "unknown number series": (
        _set("akta_kematian", "number_series", "nik"),
        ("akta_kematian", "number_series", "nik"),
    ),
    "akta series without an akta type": (
        _set("kia", "number_series", "akta"),
        ("kia", "number_series", "akta_type_code"),
    ),
    "subject neither a party nor the applicant": (
        _set("kia", "subject", "anak"),
        ("kia", "subject", "objek"),
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_catalogue_names_the_entry(catalogue_data: Any, case: str) -> None:
    mutate, fragments = MALFORMED[case]
    mutate(catalogue_data)
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(catalogue_data)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "objek"),
        ({"version": 2, "common_fields": [], "services": []}, "versi 2"),
        ({"version": 1, "common_fields": [], "services": []}, "services"),
        ({"version": 1, "common_fields": [], "services": [3]}, "layanan #0"),
        ({"version": 1, "services": []}, "common_fields"),
    ],
)
def test_malformed_top_level(data: object, fragment: str) -> None:
    with pytest.raises(CatalogueError, match=re.escape(fragment)):
        parse_catalogue(data)


def test_load_catalogue_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "services.json"
    path.write_text('{"version": 1,\n  "services": [}', encoding="utf-8")
    with pytest.raises(CatalogueError, match="baris 2"):
        load_catalogue(path)


def test_load_catalogue_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="tidak dapat dibaca"):
        load_catalogue(tmp_path / "tidak_ada.json")


def test_round_trip_of_a_copy(tmp_path: Path, catalogue_data: Any) -> None:
    path = tmp_path / "services.json"
    path.write_text(json.dumps(catalogue_data), encoding="utf-8")
    assert load_catalogue(path).codes == parse_catalogue(catalogue_data).codes
