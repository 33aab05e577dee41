"""Tests of the wilayah data (kecamatan/desa of Kab. Serang) and the national region codes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from disdukcapil_desk.domain.errors import CatalogueError
from disdukcapil_desk.domain.wilayah import (
    Desa,
    RegionCodes,
    Wilayah,
    load_region_codes,
    load_wilayah,
    normalize_region_code,
    parse_region_codes,
    parse_wilayah,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("36.04.05.2001", "3604052001"),
        ("3604052001", "3604052001"),
        (" 36.04 .05 ", "360405"),
        ("36.04", "3604"),
        ("", ""),
    ],
)
def test_normalize_region_code(raw: str, expected: str) -> None:
    assert normalize_region_code(raw) == expected


# --- Kabupaten Serang ---------------------------------------------------------------------


def test_real_wilayah_counts(wilayah: Wilayah) -> None:
    assert wilayah.kabupaten_code == "3604"
    assert wilayah.kabupaten_name == "Kabupaten Serang"
    assert len(wilayah.kecamatan_list) == 29
    assert len(wilayah.desa_list) == 326
    assert sum(len(k.desa) for k in wilayah.kecamatan_list) == 326


def test_real_wilayah_codes_are_nested(wilayah: Wilayah) -> None:
    for kecamatan in wilayah.kecamatan_list:
        assert re.fullmatch(r"3604\d\d", kecamatan.code)
        for desa in kecamatan.desa:
            assert re.fullmatch(r"\d{10}", desa.code)
            assert desa.code.startswith(kecamatan.code)
            assert desa.kecamatan_code == kecamatan.code
            assert desa.code[6] == "2"  # every village of Kab. Serang is a desa


@pytest.mark.parametrize("code", ["36.04.05.2001", "3604052001", " 3604052001 "])
def test_desa_lookup_accepts_dotted_and_plain(wilayah: Wilayah, code: str) -> None:
    assert wilayah.desa(code) == Desa("3604052001", "Kramatwatu", "360405")


@pytest.mark.parametrize("code", ["36.04.05", "360405"])
def test_kecamatan_lookup(wilayah: Wilayah, code: str) -> None:
    kecamatan = wilayah.kecamatan(code)
    assert kecamatan is not None
    assert kecamatan.code == "360405"
    assert kecamatan.name == "Kramatwatu"
    assert len(kecamatan.desa) == 15


def test_kecamatan_of_desa(wilayah: Wilayah) -> None:
    kecamatan = wilayah.kecamatan_of_desa("36.04.33.2001")
    assert kecamatan is not None
    assert kecamatan.name == "Gunungsari"
    assert wilayah.kecamatan_of_desa("3604339999") is None


@pytest.mark.parametrize("code", ["", "360401", "36.04.10", "3673", "abc", "3604052001"])
def test_unknown_kecamatan(wilayah: Wilayah, code: str) -> None:
    assert wilayah.kecamatan(code) is None


@pytest.mark.parametrize("code", ["", "3604059999", "360405", "36.73.01.1001", "x"])
def test_unknown_desa(wilayah: Wilayah, code: str) -> None:
    assert wilayah.desa(code) is None


Mutation = Callable[[Any], None]


def _set_desa(index: int, key: str, value: object) -> Mutation:
    def mutate(data: Any) -> None:
        data["kecamatan"][0]["desa"][index][key] = value

    return mutate


def _duplicate_desa(data: Any) -> None:
    data["kecamatan"][0]["desa"].append(dict(data["kecamatan"][0]["desa"][0]))


def _duplicate_kecamatan(data: Any) -> None:
    data["kecamatan"].append(data["kecamatan"][0])


def _kecamatan_elsewhere(data: Any) -> None:
    data["kecamatan"][1]["kode"] = "36.03.06"


BAD_WILAYAH: dict[str, tuple[Mutation, tuple[str, ...]]] = {
    "desa in wrong kecamatan": (
        _set_desa(2, "kode", "36.04.06.2003"),
        ("kecamatan #0 (360405)", "desa #2", "36.04.06.2003"),
    ),
    "desa code too short": (_set_desa(0, "kode", "36.04.05.201"), ("desa #0", "10 digit")),
    "desa without name": (_set_desa(4, "nama", " "), ("desa #4", "nama")),
    "duplicate desa": (_duplicate_desa, ("kode desa ganda", "3604052001")),
    "duplicate kecamatan": (_duplicate_kecamatan, ("kode kecamatan ganda", "360405")),
    "kecamatan outside the kabupaten": (_kecamatan_elsewhere, ("kecamatan #1", "36.03.06")),
    "no kecamatan": (lambda d: d.__setitem__("kecamatan", []), ("kecamatan",)),
    "kabupaten code": (lambda d: d["kabupaten"].__setitem__("kode", 3604), ("kabupaten",)),
}


@pytest.mark.parametrize("case", list(BAD_WILAYAH), ids=list(BAD_WILAYAH))
def test_bad_wilayah_names_the_entry(wilayah_data: Any, case: str) -> None:
    mutate, fragments = BAD_WILAYAH[case]
    mutate(wilayah_data)
    with pytest.raises(CatalogueError) as caught:
        parse_wilayah(wilayah_data)
    for fragment in fragments:
        assert fragment in str(caught.value), (fragment, str(caught.value))


def test_load_wilayah_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.json"
    path.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(CatalogueError, match="Data wilayah"):
        load_wilayah(path)


# --- national region codes ------------------------------------------------------------------


def test_real_region_codes(region_codes: RegionCodes) -> None:
    assert len(region_codes.provinces) == 38
    assert len(region_codes.regencies) == 514
    assert region_codes.province_name("36") == "Banten"
    assert region_codes.regency_name("3604") == "Kabupaten Serang"
    assert region_codes.regency_name("36.73") == "Kota Serang"
    assert region_codes.is_known_regency("3604")
    assert region_codes.is_known_regency("3673")
    assert not region_codes.is_known_regency("3699")
    assert not region_codes.is_known_regency("")
    assert region_codes.regency_name("3699") is None


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("3601", "Kabupaten Pandeglang"),
        ("3602", "Kabupaten Lebak"),
        ("3603", "Kabupaten Tangerang"),
        ("3671", "Kota Tangerang"),
        ("3672", "Kota Cilegon"),
        ("3674", "Kota Tangerang Selatan"),
        ("3171", "Kota Administrasi Jakarta Pusat"),
        ("1101", "Kabupaten Aceh Selatan"),
        ("9301", "Kabupaten Merauke"),
        ("9671", "Kota Sorong"),
    ],
)
def test_known_regencies(region_codes: RegionCodes, code: str, name: str) -> None:
    assert region_codes.regency_name(code) == name


def test_provinces_include_the_papua_split(region_codes: RegionCodes) -> None:
    for code in ("91", "92", "93", "94", "95", "96"):
        assert region_codes.is_known_province(code), code
    assert region_codes.province_name("96") == "Papua Barat Daya"
    assert not region_codes.is_known_province("99")
    assert not region_codes.is_known_province("3")


def test_every_regency_belongs_to_a_province(region_codes: RegionCodes) -> None:
    for code in (*region_codes.regencies, *region_codes.former_regencies):
        assert region_codes.is_known_province(code[:2]), code


def test_former_codes_stay_known(region_codes: RegionCodes) -> None:
    assert region_codes.is_known_regency("9101")
    assert region_codes.is_former_regency("9101")
    assert "Merauke" in (region_codes.regency_name("9101") or "")
    assert not region_codes.is_former_regency("3604")
    assert not set(region_codes.regencies) & set(region_codes.former_regencies)


def test_region_codes_built_by_hand() -> None:
    codes = RegionCodes({"36": "Banten"}, {"3604": "Kabupaten Serang"})
    assert codes.is_known_regency("36.04")
    assert not codes.is_former_regency("3604")
    assert codes.former_regencies == {}


BAD_REGIONS: dict[str, tuple[Mutation, tuple[str, ...]]] = {
    "regency of unknown province": (
        lambda d: d["regencies"].__setitem__("9901", "Kabupaten X"),
        ("regencies 9901", "provinsi 99"),
    ),
    "regency code length": (
        lambda d: d["regencies"].__setitem__("360", "Kabupaten X"),
        ("regencies '360'", "4 digit"),
    ),
    "province name empty": (
        lambda d: d["provinces"].__setitem__("36", ""),
        ("provinces '36'", "nama"),
    ),
    "duplicate after normalising": (
        lambda d: d["regencies"].__setitem__("36.04", "Kabupaten Serang"),
        ("'36.04'", "ganda"),
    ),
    "no provinces": (lambda d: d.pop("provinces"), ("provinces",)),
    "former code of unknown province": (
        lambda d: d["former_regencies"].__setitem__("9801", "X"),
        ("former_regencies 9801",),
    ),
}


@pytest.mark.parametrize("case", list(BAD_REGIONS), ids=list(BAD_REGIONS))
def test_bad_region_codes_name_the_entry(regencies_data: Any, case: str) -> None:
    mutate, fragments = BAD_REGIONS[case]
    mutate(regencies_data)
    with pytest.raises(CatalogueError) as caught:
        parse_region_codes(regencies_data)
    for fragment in fragments:
        assert fragment in str(caught.value), (fragment, str(caught.value))


def test_former_regencies_are_optional(tmp_path: Path, regencies_data: Any) -> None:
    del regencies_data["former_regencies"]
    path = tmp_path / "regencies.json"
    path.write_text(json.dumps(regencies_data), encoding="utf-8")
    codes = load_region_codes(path)
    assert not codes.is_known_regency("9101")
    assert codes.is_known_regency("9301")
