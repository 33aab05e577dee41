"""Names as Permendagri 73/2022 writes them: the rules file, new and registered names, intake."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from disdukcapil_desk.domain.catalogue import Catalogue
from disdukcapil_desk.domain.errors import CatalogueError
from disdukcapil_desk.domain.findings import Finding, Severity
from disdukcapil_desk.domain.intake import IntakeRules, parse_incoming
from disdukcapil_desk.domain.names import (
    NON_LATIN,
    NameKind,
    NameRules,
    check_name_fields,
    load_name_rules,
    parse_name_rules,
)
from disdukcapil_desk.domain.nik import NikRules
from disdukcapil_desk.domain.wilayah import RegionCodes, Wilayah
from tests.unit.domain.test_routing_and_intake import BIRTH

RULES_FILE = Path(__file__).resolve().parents[3] / "resources" / "names" / "rules.json"
ARABIC = "محمد علي"
CHINESE = "王小明"


@pytest.fixture(scope="module")
def names() -> NameRules:
    return load_name_rules(RULES_FILE)


def codes(findings: list[Finding]) -> dict[str, Severity]:
    return {f.code: f.severity for f in findings}


def check(names: NameRules, catalogue: Catalogue, service: str, field: str, text: str) -> Any:
    return codes(names.check_field(catalogue.get(service), field, text))


def test_the_rules_file_names_real_services_and_fields(
    names: NameRules, catalogue: Catalogue
) -> None:
    check_name_fields(names, catalogue)
    assert (names.max_letters, names.min_words) == (60, 2)
    birth, change = catalogue.get("akta_kelahiran"), catalogue.get("pencatatan_perubahan_nama")
    assert names.kind_of(birth, "anak_nama") is NameKind.NEW
    assert names.kind_of(change, "nama_baru") is NameKind.NEW
    assert names.kind_of(birth, "ibu_nama") is NameKind.EXISTING
    assert names.kind_of(catalogue.get("kia"), "nama") is NameKind.EXISTING
    assert names.kind_of(catalogue.get("akta_perceraian"), "nama_pengadilan") is None


def test_rules_naming_an_unknown_field_are_refused(catalogue: Catalogue) -> None:
    raw = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    wrong = copy.deepcopy(raw)
    wrong["new_name_fields"]["akta_kelahiran"].append("bayi_nama")
    with pytest.raises(CatalogueError, match="bayi_nama"):
        check_name_fields(parse_name_rules(wrong), catalogue)
    for key, value in (("max_letters", 0), ("severity", {"new": "error"}), ("extra", 1)):
        broken = dict(raw, **{key: value})
        with pytest.raises(CatalogueError):
            parse_name_rules(broken)


@pytest.mark.parametrize("text", [ARABIC, CHINESE, "Иван Петров", "Budi محمد"])
def test_a_non_latin_name_is_an_error_even_for_a_registered_person(
    names: NameRules, catalogue: Catalogue, text: str
) -> None:
    for service, field in (("akta_kelahiran", "anak_nama"), ("akta_kelahiran", "ayah_nama")):
        found = names.check_field(catalogue.get(service), field, text, label="Nama")
        assert [(f.code, f.severity) for f in found] == [(NON_LATIN, Severity.ERROR)]
        assert "huruf Latin" in found[0].message and found[0].message.startswith("Nama: ")


@pytest.mark.parametrize(
    "text",
    [
        "José Muñoz",
        "Ñoño Gonçalves",
        "Müller Âdi Ĉahyo",
        "Siti Nur'aini",
        "Siti Nur\u2019aini Al-Fatih",
        "M. Rizki Ramadhan",
        "Jose\u0301 Putra",  # a decomposed é (e + combining acute)
    ],
)
def test_latin_with_diacritics_and_a_name_s_punctuation_pass(
    names: NameRules, catalogue: Catalogue, text: str
) -> None:
    assert check(names, catalogue, "akta_kelahiran", "anak_nama", text) == {}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Muhammad", "name_too_few_words"),
        ("Budi Santoso 2", "name_digits"),
        ("Budi Santoso II3", "name_digits"),
        ("Budi/Santoso Putra", "name_punctuation"),
        ("Budi Santoso!", "name_punctuation"),
        ("Abdurrahman Wahid " * 4, "name_too_long"),
        ("dr. Aisyah Putri", "name_title"),
        ("Aisyah Putri, S.Ked.", "name_title"),
        ("H. Ahmad Fauzi", "name_title"),
        ("Haji Ahmad Fauzi", "name_title"),
    ],
)
def test_a_new_name_breaking_a_rule_is_an_error_a_registered_one_a_warning(
    names: NameRules, catalogue: Catalogue, text: str, code: str
) -> None:
    new = check(names, catalogue, "akta_kelahiran", "anak_nama", text)
    assert new.get(code) is Severity.ERROR
    registered = check(names, catalogue, "akta_kelahiran", "ibu_nama", text)
    assert registered.get(code) is Severity.WARNING
    assert Severity.ERROR not in registered.values()
    change = check(names, catalogue, "pencatatan_perubahan_nama", "nama_baru", text)
    assert change.get(code) is Severity.ERROR


def test_sixty_letters_including_spaces_is_the_limit(
    names: NameRules, catalogue: Catalogue
) -> None:
    sixty = "A" * 29 + " " + "B" * 30
    assert check(names, catalogue, "akta_kelahiran", "anak_nama", sixty) == {}
    assert "name_too_long" in check(names, catalogue, "akta_kelahiran", "anak_nama", sixty + "B")


def test_titles_are_allowed_abbreviated_on_kk_and_ktp_not_on_an_akta(
    names: NameRules, catalogue: Catalogue
) -> None:
    titled = "H. Ahmad Dahlan, S.H., M.M."
    for service in ("kk_baru", "ktpel_perekaman", "kk_perubahan_data"):
        assert check(names, catalogue, service, "nama", titled) == {}
        written_out = check(names, catalogue, service, "nama", "Haji Ahmad Dahlan")
        assert written_out == {"name_title_unabbreviated": Severity.WARNING}
    on_akta = check(names, catalogue, "akta_kematian", "pelapor_nama", titled)
    assert on_akta == {"name_title": Severity.WARNING}
    message = names.check_field(catalogue.get("akta_kematian"), "pelapor_nama", titled)
    assert "tidak dicantumkan pada akta" in message[0].message


def test_fields_that_hold_no_person_s_name_are_not_checked(
    names: NameRules, catalogue: Catalogue
) -> None:
    assert check(names, catalogue, "akta_perceraian", "nama_pengadilan", "PN Serang 1A") == {}
    assert check(names, catalogue, "akta_kelahiran", "alamat", ARABIC) == {}
    assert check(names, catalogue, "akta_kelahiran", "anak_nama", "   ") == {}


def test_intake_finds_name_problems_by_whose_name_it_is(
    names: NameRules, catalogue: Catalogue, wilayah: Wilayah, region_codes: RegionCodes
) -> None:
    rules = IntakeRules(catalogue, wilayah, NikRules(region_codes), names=names)
    payload = dict(BIRTH, anak_nama="Aisyah", ayah_nama="Sarmadi", ibu_nama=ARABIC)
    parsed = parse_incoming(
        rules, "akta_kelahiran", json.dumps(payload), "+628571", dt.date(2026, 11, 2)
    )
    found = {(f.code, f.field): f for f in parsed.findings if f.code.startswith("name_")}
    assert set(found) == {
        ("name_too_few_words", "anak_nama"),
        ("name_too_few_words", "ayah_nama"),
        (NON_LATIN, "ibu_nama"),
    }
    assert found["name_too_few_words", "anak_nama"].severity is Severity.ERROR
    assert found["name_too_few_words", "ayah_nama"].severity is Severity.WARNING
    assert found[NON_LATIN, "ibu_nama"].message.startswith("Nama ibu: ")
    clean = parse_incoming(rules, "akta_kelahiran", json.dumps(BIRTH), "+628571", dt.date.today())
    assert not [f for f in clean.findings if f.code.startswith("name_")]
