"""Tests for disdukcapil_desk.domain.nik: NIK and No. KK rules, masking."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disdukcapil_desk.domain.findings import Finding, Severity, has_errors
from disdukcapil_desk.domain.nik import (
    NikInfo,
    NikRules,
    RegionLookup,
    mask_number,
    normalize_number,
)

TODAY = date(2025, 6, 1)

PROVINCES = frozenset({"11", "31", "32", "33", "35", "36"})
REGENCIES = frozenset(
    {"1101", "3101", "3201", "3273", "3301", "3501"}
    | {f"36{n:02d}" for n in (1, 2, 3, 4, 71, 72, 73, 74)}
)

PROPS = settings(max_examples=150, database=None, deadline=None)


class FakeRegions:
    """A small region table standing in for wilayah.RegionCodes."""

    def is_known_province(self, code: str) -> bool:
        return code in PROVINCES

    def is_known_regency(self, code: str) -> bool:
        return code in REGENCIES


def make_rules(home: str = "3604", today: date = TODAY) -> NikRules:
    regions: RegionLookup = FakeRegions()
    return NikRules(regions, home, today=lambda: today)


RULES = make_rules()


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def parse(raw: str) -> tuple[NikInfo | None, list[Finding]]:
    return RULES.parse_nik(raw)


def build_nik(regency: str, kec: int, birth: date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{regency}{kec:02d}{day:02d}{birth:%m}{birth.year % 100:02d}{serial:04d}"


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3604150311920014", "3604150311920014"),
        ("3604 1503 1192 0014", "3604150311920014"),
        ("3604-1503-1192-0014", "3604150311920014"),
        ("36.04.15.031192.0014", "3604150311920014"),
        (" \t3604150311920014\n", "3604150311920014"),
        ("3604\u00a0150311920014", "3604150311920014"),
        ("36O4/150311920014", "36O4/150311920014"),
        ("", ""),
    ],
)
def test_normalize_number(raw: str, expected: str) -> None:
    assert normalize_number(raw) == expected


# --------------------------------------------------------------------------- NIK: valid


def test_man_nik_parses() -> None:
    info, findings = parse("3604150311920014")
    assert findings == []
    assert info == NikInfo(
        nik="3604150311920014",
        province_code="36",
        regency_code="3604",
        kecamatan_code="360415",
        birth_date=date(1992, 11, 3),
        sex="L",
        serial="0014",
    )


def test_woman_nik_parses_day_plus_40() -> None:
    info, findings = parse("3604156107950009")
    assert findings == []
    assert info is not None
    assert info.birth_date == date(1995, 7, 21)
    assert info.sex == "P"
    assert info.serial == "0009"


@pytest.mark.parametrize(
    ("nik", "birth", "sex"),
    [
        ("3604150501140003", date(2014, 1, 5), "L"),
        ("3604150503300003", date(1930, 3, 5), "L"),
        ("3604150101000001", date(2000, 1, 1), "L"),
        ("3604153112990001", date(1999, 12, 31), "L"),
        ("3604154101250001", date(2025, 1, 1), "P"),  # day 41 = 1st, woman
        ("3604157107250001", date(1925, 7, 31), "P"),  # day 71 = 31st; 2025-07-31 is future
        ("3604150106250001", date(2025, 6, 1), "L"),  # today itself is not future
        ("3604150206250001", date(1925, 6, 2), "L"),  # tomorrow -> previous century
    ],
)
def test_birth_date_and_century(nik: str, birth: date, sex: str) -> None:
    info, findings = parse(nik)
    assert findings == []
    assert info is not None
    assert (info.birth_date, info.sex) == (birth, sex)


def test_century_rule_follows_injected_today() -> None:
    rules = make_rules(today=date(2013, 12, 31))
    info, _ = rules.parse_nik("3604150501140003")
    assert info is not None
    assert info.birth_date == date(1914, 1, 5)


def test_default_clock_is_today() -> None:
    info, findings = NikRules(FakeRegions()).parse_nik("3604150311920014")
    assert findings == []
    assert info is not None
    assert info.birth_date == date(1992, 11, 3)


@pytest.mark.parametrize(
    ("nik", "birth"),
    [
        ("3604152902000001", date(2000, 2, 29)),  # 2000 leap; 1900 was not
        ("3604152902240001", date(2024, 2, 29)),
        ("3604156902240001", date(2024, 2, 29)),  # woman, 29 + 40
        ("3604152902960001", date(1996, 2, 29)),
        ("3604152902040001", date(2004, 2, 29)),
    ],
)
def test_29_february_in_leap_years(nik: str, birth: date) -> None:
    info, findings = parse(nik)
    assert findings == []
    assert info is not None
    assert info.birth_date == birth


def test_separators_are_ignored() -> None:
    info, findings = parse(" 3604-1503.1192 0014 ")
    assert findings == []
    assert info is not None
    assert info.nik == "3604150311920014"


# --------------------------------------------------------------------------- NIK: errors


def only_error(raw: str, code: str, rules: NikRules = RULES) -> Finding:
    info, findings = rules.parse_nik(raw)
    assert info is None
    assert codes(findings) == [code]
    assert findings[0].severity is Severity.ERROR
    assert findings[0].field == "nik"
    return findings[0]


@pytest.mark.parametrize("raw", ["", "   ", "- . -", "\t\n"])
def test_empty(raw: str) -> None:
    finding = only_error(raw, "nik_empty")
    assert finding.message == "NIK belum diisi"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("36041503119200I4", "'I'"),
        ("36O4150311920014", "'O'"),
        ("3604150311920014x", "'x'"),
        ("3604/150311920014", "'/'"),
        ("3604_150311920014", "'_'"),
        ("360415031192001\u0664", "'\u0664'"),  # Arabic-Indic digit four
        ("360415031192001\u00b2", "'\u00b2'"),  # superscript two
        ("abc", "'a', 'b', 'c'"),
    ],
)
def test_not_digits(raw: str, shown: str) -> None:
    finding = only_error(raw, "nik_not_digits")
    assert finding.message == f"NIK hanya boleh berisi angka (ditemukan: {shown})"


@pytest.mark.parametrize(("raw", "length"), [("360415031192001", 15), ("36041503119200141", 17)])
def test_length(raw: str, length: int) -> None:
    finding = only_error(raw, "nik_length")
    assert finding.message == f"NIK harus 16 angka (tertulis {length} angka)"


def test_unknown_province() -> None:
    finding = only_error("9904150311920014", "nik_province_unknown")
    assert "(99)" in finding.message


def test_unknown_regency() -> None:
    finding = only_error("3699150311920014", "nik_regency_unknown")
    assert "(3699)" in finding.message


DAY = "angka tanggal (angka ke-7 dan ke-8) tidak mungkin"
MONTH = "angka bulan (angka ke-9 dan ke-10) tidak mungkin"
NO_SUCH_DATE = "bukan tanggal yang ada"


@pytest.mark.parametrize(
    ("nik", "fragment"),
    [
        ("3604150011920014", DAY),
        ("3604153211920014", DAY),
        ("3604154011920014", DAY),
        ("3604157211920014", DAY),
        ("3604159911920014", DAY),
        ("3604150300920014", MONTH),
        ("3604150313920014", MONTH),
        ("3604153102920014", NO_SUCH_DATE),
        ("3604157102920014", NO_SUCH_DATE),  # woman, 71 - 40 = 31
        ("3604153104920014", NO_SUCH_DATE),
        ("3604153002920014", NO_SUCH_DATE),
        ("3604152902230014", "hari kabisat pada tahun bukan kabisat"),
        ("3604156902230014", "hari kabisat pada tahun bukan kabisat"),
    ],
)
def test_birth_date_invalid(nik: str, fragment: str) -> None:
    finding = only_error(nik, "nik_birth_date_invalid")
    assert fragment in finding.message
    assert_hides_masked_digits(finding.message, nik)


def assert_hides_masked_digits(message: str, number: str) -> None:
    """A finding is shown beside the masked number: it must not give back what the mask hides
    (digits 5-12), neither whole nor as the date they encode."""
    masked = number[4:12]
    assert masked not in message and number not in message
    day, month, yy = number[6:8], number[8:10], number[10:12]
    for shown in (f"{day}-{month}", f"{month}-{yy}", f"{day}{month}{yy}", f" {day} ", f" {yy})"):
        assert shown not in message, (shown, message)
    assert f"19{yy}" not in message and f"20{yy}" not in message


def test_bad_day_and_month_in_one_finding() -> None:
    finding = only_error("3604153213920014", "nik_birth_date_invalid")
    assert DAY in finding.message
    assert MONTH in finding.message
    assert_hides_masked_digits(finding.message, "3604153213920014")


def test_birth_date_in_the_future_is_invalid() -> None:
    # 29-02-00: 2000-02-29 has not happened yet on 31 Dec 1999, and 1900 had no 29 February.
    rules = make_rules(today=date(1999, 12, 31))
    finding = only_error("3604152902000001", "nik_birth_date_invalid", rules)
    assert "belum terjadi" in finding.message


def test_serial_zero() -> None:
    finding = only_error("3604150311920000", "nik_serial_zero")
    assert "0000" in finding.message


def test_several_errors_are_all_reported() -> None:
    info, findings = parse("9904153213920000")
    assert info is None
    assert codes(findings) == [
        "nik_province_unknown",
        "nik_birth_date_invalid",
        "nik_serial_zero",
    ]
    assert all(f.severity is Severity.ERROR for f in findings)


def test_field_name_is_carried() -> None:
    _, findings = RULES.parse_nik("9904153213920000", field="ayah_nik")
    assert {f.field for f in findings} == {"ayah_nik"}
    findings = RULES.check_nik("3201150311920014", declared_sex="P", field="ibu_nik")
    assert {f.field for f in findings} == {"ibu_nik"}


# --------------------------------------------------------------------------- NIK: region info


@pytest.mark.parametrize("nik", ["3201150311920014", "3673010311920014", "1101010311920014"])
def test_outside_region_is_info_not_error(nik: str) -> None:
    info, findings = parse(nik)
    assert info is not None
    assert codes(findings) == ["nik_outside_region"]
    assert findings[0].severity is Severity.INFO
    assert nik[:4] in findings[0].message
    assert not has_errors(findings)


@pytest.mark.parametrize("kec", ["360401", "360402", "360403", "360404", "360410", "360421"])
def test_old_kab_serang_kecamatan_codes_are_accepted(kec: str) -> None:
    info, findings = parse(f"{kec}0311920014")
    assert findings == []
    assert info is not None
    assert info.kecamatan_code == kec


def test_home_regency_is_configurable() -> None:
    rules = make_rules(home="3201")
    assert rules.parse_nik("3201150311920014")[1] == []
    assert codes(rules.parse_nik("3604150311920014")[1]) == ["nik_outside_region"]


# --------------------------------------------------------------------------- check_nik


def test_check_nik_matching_data_has_no_findings() -> None:
    assert (
        RULES.check_nik("3604156107950009", declared_birth_date=date(1995, 7, 21), declared_sex="P")
        == []
    )


def test_woman_without_plus_40_gives_sex_warning() -> None:
    findings = RULES.check_nik("3604152107950009", declared_sex="P")
    assert codes(findings) == ["nik_sex_mismatch"]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].message == (
        "NIK ini untuk laki-laki (tanggal tanpa + 40), data tertulis perempuan"
    )


def test_woman_nik_declared_man_gives_sex_warning() -> None:
    findings = RULES.check_nik("3604156107950009", declared_sex="L")
    assert codes(findings) == ["nik_sex_mismatch"]
    assert findings[0].message == "NIK ini untuk perempuan (tanggal + 40), data tertulis laki-laki"


@pytest.mark.parametrize(
    ("declared", "warned"),
    [
        ("L", True),
        ("l", True),
        (" Laki-laki ", True),
        ("PRIA", True),
        ("P", False),
        ("perempuan", False),
        ("Wanita", False),
        ("", False),
        ("X", False),
    ],
)
def test_declared_sex_spellings(declared: str, warned: bool) -> None:
    findings = RULES.check_nik("3604156107950009", declared_sex=declared)
    assert ("nik_sex_mismatch" in codes(findings)) is warned


def test_birth_date_mismatch_is_warning() -> None:
    findings = RULES.check_nik("3604150311920014", declared_birth_date=date(1992, 11, 4))
    assert codes(findings) == ["nik_birth_date_mismatch"]
    assert findings[0].severity is Severity.WARNING
    assert "berbeda dengan data tertulis (beda tanggal)" in findings[0].message
    assert_hides_masked_digits(findings[0].message, "3604150311920014")
    assert "1992" not in findings[0].message


@pytest.mark.parametrize("declared", [date(1992, 11, 3), date(1892, 11, 3), date(2092, 11, 3)])
def test_birth_date_compared_on_two_digit_year(declared: date) -> None:
    assert RULES.check_nik("3604150311920014", declared_birth_date=declared) == []


def test_born_1925_read_as_2025_does_not_warn() -> None:
    # YY=25, 10 Mar: the rule reads 2025-03-10; a 1925 birth still matches on DD-MM-YY.
    nik = "3604151003250001"
    info, _ = parse(nik)
    assert info is not None
    assert info.birth_date == date(2025, 3, 10)
    assert RULES.check_nik(nik, declared_birth_date=date(1925, 3, 10)) == []


def test_both_mismatches_with_outside_region() -> None:
    findings = RULES.check_nik(
        "3201150311920014", declared_birth_date=date(1993, 11, 3), declared_sex="P"
    )
    assert codes(findings) == ["nik_outside_region", "nik_birth_date_mismatch", "nik_sex_mismatch"]
    assert not has_errors(findings)


def test_invalid_nik_gets_no_mismatch_warnings() -> None:
    findings = RULES.check_nik(
        "3604150311920000", declared_birth_date=date(2000, 1, 1), declared_sex="P"
    )
    assert codes(findings) == ["nik_serial_zero"]


# --------------------------------------------------------------------------- No. KK


@pytest.mark.parametrize(
    "raw",
    [
        "3604051503200012",
        "3604-0515-0320-0012",
        "3201010101990001",  # another regency: KK numbers change on moving, no info
        "3604052902000001",  # 29-02-00 -> 2000
        "3604053112300001",  # 31-12-30 -> 1930
    ],
)
def test_kk_valid(raw: str) -> None:
    assert RULES.check_no_kk(raw) == []


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("", "kk_empty", "Nomor KK belum diisi"),
        (" - ", "kk_empty", "Nomor KK belum diisi"),
        ("36040515O3200012", "kk_not_digits", "ditemukan: 'O'"),
        ("360405150320001", "kk_length", "Nomor KK harus 16 angka (tertulis 15 angka)"),
        ("36040515032000123", "kk_length", "(tertulis 17 angka)"),
        ("9904051503200012", "kk_province_unknown", "(99)"),
        ("3699051503200012", "kk_regency_unknown", "(3699)"),
        ("3604051503200000", "kk_serial_zero", "0000"),
    ],
)
def test_kk_errors(raw: str, code: str, fragment: str) -> None:
    findings = RULES.check_no_kk(raw)
    assert codes(findings) == [code]
    assert findings[0].severity is Severity.ERROR
    assert findings[0].field == "no_kk"
    assert fragment in findings[0].message


@pytest.mark.parametrize(
    "raw",
    [
        "3604050001200012",  # day 00
        "3604053201200012",  # day 32
        "3604055501200012",  # day 55: no +40 in a KK
        "3604051500200012",  # month 00
        "3604051513200012",  # month 13
        "3604053102200012",  # 31-02
        "3604052902230012",  # 29-02 in 1923/2023
    ],
)
def test_kk_unusual_date_is_only_warning(raw: str) -> None:
    findings = RULES.check_no_kk(raw)
    assert codes(findings) == ["kk_date_unusual"]
    assert findings[0].severity is Severity.WARNING
    assert "Angka tengah Nomor KK (angka ke-7 s.d. ke-12)" in findings[0].message
    assert_hides_masked_digits(findings[0].message, raw)
    assert not has_errors(findings)


def test_kk_several_findings_and_field() -> None:
    findings = RULES.check_no_kk("9904053213200000", field="kk_pemohon")
    assert codes(findings) == ["kk_province_unknown", "kk_date_unusual", "kk_serial_zero"]
    assert {f.field for f in findings} == {"kk_pemohon"}


# --------------------------------------------------------------------------- mask_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3604150311920014", "3604********0014"),
        ("3604 1503-1192.0014", "3604********0014"),
        ("", ""),
        ("   ", ""),
        ("1", "*"),
        ("12", "*2"),
        ("123", "*23"),
        ("123456", "****56"),
        ("36041503119200141", "***************41"),
        ("36041503119200I4", "**************I4"),
        ("3604-LT-02022015-0190", "*******************90"),
    ],
)
def test_mask_number(value: str, expected: str) -> None:
    assert mask_number(value) == expected


@PROPS
@given(st.text())
def test_mask_never_reveals_the_value(value: str) -> None:
    masked = mask_number(value)
    if not normalize_number(value):
        assert masked == ""
        return
    assert "*" in masked
    assert len(masked) - masked.count("*") <= 8
    if len(value) >= 6 and set(value.strip()[:-2]) - {"*"}:
        assert masked != value


# --------------------------------------------------------------------------- properties

valid_niks = st.builds(
    lambda regency, kec, birth, sex, serial: (
        build_nik(regency, kec, birth, sex, serial),
        birth,
        sex,
    ),
    st.sampled_from(sorted(REGENCIES)),
    st.integers(0, 99),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.sampled_from(["L", "P"]),
    st.integers(1, 9999),
)


@PROPS
@given(valid_niks)
def test_valid_nik_round_trips(case: tuple[str, date, str]) -> None:
    nik, birth, sex = case
    info, findings = RULES.parse_nik(nik)
    assert not has_errors(findings)
    assert info is not None
    assert info.sex == sex
    got = info.birth_date
    assert (got.day, got.month, got.year % 100) == (birth.day, birth.month, birth.year % 100)
    assert got <= TODAY
    assert RULES.check_nik(nik, declared_birth_date=birth, declared_sex=sex) == findings


non_digit = st.characters().filter(lambda c: not "0" <= c <= "9" and normalize_number(c) == c)


@PROPS
@given(st.text("0123456789 -.", max_size=20), non_digit, st.text(max_size=5), st.data())
def test_any_non_digit_gives_not_digits(
    digits: str, bad: str, tail: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(0, len(digits)))
    raw = digits[:at] + bad + digits[at:] + tail
    info, findings = RULES.parse_nik(raw)
    assert info is None
    assert codes(findings) == ["nik_not_digits"]
    assert codes(RULES.check_no_kk(raw)) == ["kk_not_digits"]


@PROPS
@given(st.one_of(st.text(), st.text("0123456789", min_size=16, max_size=16)))
def test_never_raises_and_info_iff_no_error(raw: str) -> None:
    info, findings = RULES.parse_nik(raw)
    assert (info is None) == has_errors(findings)
    checked = RULES.check_nik(raw, declared_birth_date=TODAY, declared_sex="L")
    assert codes(checked)[: len(findings)] == codes(findings)
    assert all(f.severity is not Severity.ERROR for f in checked[len(findings) :])
    RULES.check_no_kk(raw)
    mask_number(raw)
