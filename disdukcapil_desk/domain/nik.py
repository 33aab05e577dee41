"""NIK and No. KK rules: parse, check and mask personal numbers (domain layer, pure Python).

Layout of both numbers (REFERENCE.md §2.1-2.2): ``PPKKCC DDMMYY NNNN``.

* ``PPKKCC``: province, kabupaten/kota and kecamatan where the number was first
  registered. People who move keep their NIK, so a NIK from another regency is
  only an INFO finding, and the kecamatan part is never checked (old Kab. Serang
  codes 360401-04, 360410 and 360421, now Kota Serang, stay valid).
* ``DDMMYY``: for a NIK, the birth date with 40 added to the day for women
  (41-71); for a No. KK, believed (unconfirmed) to be the issue date without +40.
* ``NNNN``: serial from 0001; 0000 is an error.

There is no check digit.

Century rule (two-digit year ``YY``): the date is read as ``20YY`` when that is
a real calendar date not after *today*; otherwise as ``19YY`` when that is a real
calendar date not after *today*. In other words the most recent real, non-future
date wins. So with today = 1 Jun 2025, ``YY=25`` born 10 Mar gives 2025-03-10
(a person born 1925-03-10 cannot be told apart; officers compare with the
declared date, which is compared on day, month and two-digit year only), while
born 10 Dec gives 1925-12-10. ``29-02-00`` is 2000-02-29 (1900 was not a leap
year). When neither reading is real the date is invalid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from disdukcapil_desk.domain.findings import Finding, Severity, has_errors

__all__ = [
    "NUMBER_LENGTH",
    "NikInfo",
    "NikRules",
    "RegionLookup",
    "Sex",
    "mask_number",
    "normalize_number",
]

NUMBER_LENGTH = 16
"""Digits in a NIK and in a No. KK."""

Sex = Literal["L", "P"]
"""``L`` = laki-laki (male), ``P`` = perempuan (female)."""

_SEPARATORS = re.compile(r"[\s.\-]+")
_NON_DIGIT = re.compile(r"[^0-9]")
_FEMALE_DAY_OFFSET = 40
_SEX_WORDS: dict[str, Sex] = {
    "L": "L",
    "LK": "L",
    "LAKI-LAKI": "L",
    "LAKI LAKI": "L",
    "PRIA": "L",
    "P": "P",
    "PR": "P",
    "PEREMPUAN": "P",
    "WANITA": "P",
}
_SEX_NAMES: dict[Sex, str] = {"L": "laki-laki", "P": "perempuan"}


class RegionLookup(Protocol):
    """Kemendagri region codes known to the desk (implemented by ``wilayah.RegionCodes``)."""

    def is_known_province(self, code: str) -> bool:
        """Return whether a 2-digit province code exists."""
        ...

    def is_known_regency(self, code: str) -> bool:
        """Return whether a 4-digit kabupaten/kota code exists."""
        ...


@dataclass(frozen=True, slots=True)
class NikInfo:
    """What a valid NIK tells about its holder.

    Attributes:
        nik: the normalised 16-digit NIK.
        province_code: first 2 digits (e.g. ``36`` Banten).
        regency_code: first 4 digits (e.g. ``3604`` Kab. Serang).
        kecamatan_code: first 6 digits, where the NIK was first registered.
        birth_date: birth date, century chosen by the module's century rule.
        sex: ``L`` or ``P`` (``P`` when the day carries +40).
        serial: last 4 digits.
    """

    nik: str
    province_code: str
    regency_code: str
    kecamatan_code: str
    birth_date: date
    sex: Sex
    serial: str


@dataclass(frozen=True, slots=True)
class _Kind:
    """Which number is checked: finding-code prefix and Indonesian label."""

    prefix: str
    label: str


_NIK = _Kind("nik", "NIK")
_KK = _Kind("kk", "Nomor KK")


def normalize_number(raw: str) -> str:
    """Remove spaces (any whitespace), dashes and dots from a typed number.

    Other characters are kept so that letters (``O`` for ``0``) are reported.

    Args:
        raw: the number as typed or pasted, e.g. ``"3604 1503-1192.0014"``.

    Returns:
        The number without separators, e.g. ``"3604150311920014"``.
    """
    return _SEPARATORS.sub("", raw)


def mask_number(value: str) -> str:
    """Hide most of a personal number for recaps, logs and receipts.

    A 16-digit number (after :func:`normalize_number`) keeps its first 4 and last
    4 digits: ``"3604150311920014"`` becomes ``"3604********0014"``. Any other
    non-empty value keeps only its last 2 characters (at least one character is
    always masked), so the input never comes back whole.

    Args:
        value: a NIK, No. KK or any other personal number.

    Returns:
        The masked text; ``""`` for an empty or blank value.
    """
    number = normalize_number(value)
    if not number:
        return ""
    if len(number) == NUMBER_LENGTH and not _NON_DIGIT.search(number):
        return number[:4] + "*" * 8 + number[-4:]
    text = value.strip()
    keep = min(2, len(text) - 1)
    return "*" * (len(text) - keep) + text[len(text) - keep :]


def _resolve_date(day: int, month: int, yy: int, today: date) -> date | None:
    """Apply the century rule: the most recent real date not after ``today``, or None."""
    for century in (2000, 1900):
        try:
            candidate = date(century + yy, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


_DATE_DIGITS = "angka ke-7 s.d. ke-12"
"""Where a NIK's or KK's date sits; findings name the place, never the digits (masked ones)."""


def _is_real_date(day: int, month: int, yy: int) -> bool:
    """Return whether DD-MM exists in 19YY or 20YY."""
    return _resolve_date(day, month, yy, date.max) is not None


def _declared_sex(value: str) -> Sex | None:
    """Map a declared sex (``L``/``P``, ``laki-laki``, ``perempuan``…) to ``L``/``P``."""
    return _SEX_WORDS.get(value.strip().upper())


class NikRules:
    """NIK and No. KK checks for one office, returning :class:`Finding` lists.

    The same rules serve every NIK field (``nik``, ``ayah_nik``, ``ibu_nik``,
    ``pelapor_nik``…): the ``field`` argument goes into each finding.
    """

    def __init__(
        self,
        regions: RegionLookup,
        home_regency: str = "3604",
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        """Create the rules.

        Args:
            regions: known province and kabupaten/kota codes.
            home_regency: the office's 4-digit regency code; NIKs from elsewhere get INFO.
            today: clock for the century rule (injectable for tests).
        """
        self._regions = regions
        self._home = home_regency
        self._today = today

    def parse_nik(self, raw: str, *, field: str = "nik") -> tuple[NikInfo | None, list[Finding]]:
        """Parse a NIK and report what is wrong with it.

        Errors: ``nik_empty``, ``nik_not_digits``, ``nik_length``,
        ``nik_province_unknown``, ``nik_regency_unknown``,
        ``nik_birth_date_invalid``, ``nik_serial_zero``. Info:
        ``nik_outside_region`` when the NIK comes from another regency.

        Args:
            raw: the NIK as typed; separators are removed first.
            field: payload field name put into each finding.

        Returns:
            The parsed :class:`NikInfo` (``None`` if there is any error) and the findings.
        """
        number, findings = _check_shape(raw, _NIK, field)
        if number is None:
            return None, findings
        findings += self._region_findings(number, _NIK, field)
        birth, sex, date_findings = self._birth(number, field)
        findings += date_findings
        findings += _serial_findings(number, _NIK, field)
        if birth is None or sex is None or has_errors(findings):
            return None, findings
        info = NikInfo(number, number[:2], number[:4], number[:6], birth, sex, number[12:])
        return info, findings

    def check_nik(
        self,
        raw: str,
        *,
        declared_birth_date: date | None = None,
        declared_sex: str | None = None,
        field: str = "nik",
    ) -> list[Finding]:
        """Check a NIK, and compare it with the declared birth date and sex.

        Mismatches are only WARNINGS (``nik_birth_date_mismatch``,
        ``nik_sex_mismatch``): a NIK is never changed to follow corrected data.
        Dates are compared on day, month and two-digit year, as the century is
        ambiguous.

        Args:
            raw: the NIK as typed.
            declared_birth_date: birth date written in the request, if any.
            declared_sex: ``L``/``P`` (or ``laki-laki``/``perempuan``) written in
                the request; other values are not compared.
            field: payload field name put into each finding.

        Returns:
            The findings of :meth:`parse_nik` plus the mismatch warnings.
        """
        info, findings = self.parse_nik(raw, field=field)
        if info is None:
            return findings
        if declared_birth_date is not None:
            findings += _birth_mismatch(info.birth_date, declared_birth_date, field)
        if declared_sex is not None:
            findings += _sex_mismatch(info.sex, declared_sex, field)
        return findings

    def check_no_kk(self, raw: str, *, field: str = "no_kk") -> list[Finding]:
        """Check a No. KK (family card number).

        Errors: ``kk_empty``, ``kk_not_digits``, ``kk_length``,
        ``kk_province_unknown``, ``kk_regency_unknown``, ``kk_serial_zero``.
        The middle DDMMYY is believed to be the issue date (unconfirmed), so an
        impossible date there is only a WARNING ``kk_date_unusual``.

        Args:
            raw: the number as typed; separators are removed first.
            field: payload field name put into each finding.

        Returns:
            The findings, empty when the number looks right.
        """
        number, findings = _check_shape(raw, _KK, field)
        if number is None:
            return findings
        findings += self._region_findings(number, _KK, field)
        findings += _kk_date_findings(number, field)
        findings += _serial_findings(number, _KK, field)
        return findings

    def _region_findings(self, number: str, kind: _Kind, field: str) -> list[Finding]:
        """Province and regency errors, or INFO when the number comes from elsewhere."""
        province, regency = number[:2], number[:4]
        if not self._regions.is_known_province(province):
            msg = f"Kode provinsi {kind.label} ({province}) tidak dikenal; periksa 2 angka pertama"
            return [_error(kind, "province_unknown", msg, field)]
        if not self._regions.is_known_regency(regency):
            msg = (
                f"Kode kabupaten/kota {kind.label} ({regency}) tidak dikenal; "
                "periksa 4 angka pertama"
            )
            return [_error(kind, "regency_unknown", msg, field)]
        if kind is _NIK and regency != self._home:
            msg = (
                f"NIK terdaftar pertama kali di kabupaten/kota lain ({regency}), "
                f"bukan {self._home}; wajar untuk penduduk pendatang"
            )
            return [Finding("nik_outside_region", Severity.INFO, msg, field)]
        return []

    def _birth(self, number: str, field: str) -> tuple[date | None, Sex | None, list[Finding]]:
        """Decode the birth date and sex of a 16-digit NIK."""
        raw_day, month, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
        sex: Sex = "P" if raw_day > _FEMALE_DAY_OFFSET else "L"
        day = raw_day - _FEMALE_DAY_OFFSET if sex == "P" else raw_day
        problem = _birth_problem(raw_day, day, month, yy)
        if problem is None:
            birth = _resolve_date(day, month, yy, self._today())
            if birth is not None:
                return birth, sex, []
            problem = f"Tanggal lahir dalam NIK ({_DATE_DIGITS}) belum terjadi"
        return None, None, [_error(_NIK, "birth_date_invalid", problem, field)]


def _birth_problem(raw_day: int, day: int, month: int, yy: int) -> str | None:
    """Describe an impossible DDMMYY in a NIK, or None when it is a real date.

    The text names which digits are wrong, never the digits themselves: they are the part of
    the NIK a masked number hides, and a finding is shown beside the masked number.
    """
    problems: list[str] = []
    if not 1 <= day <= 31:
        problems.append(
            "angka tanggal (angka ke-7 dan ke-8) tidak mungkin "
            "(harus 01-31 untuk laki-laki atau 41-71 untuk perempuan)"
        )
    if not 1 <= month <= 12:
        problems.append("angka bulan (angka ke-9 dan ke-10) tidak mungkin (harus 01-12)")
    if problems:
        return "Tanggal lahir dalam NIK: " + "; ".join(problems)
    if _is_real_date(day, month, yy):
        return None
    return (
        f"Tanggal lahir dalam NIK ({_DATE_DIGITS}) bukan tanggal yang ada "
        "(hari melebihi jumlah hari bulan itu, atau hari kabisat pada tahun bukan kabisat)"
    )


def _kk_date_findings(number: str, field: str) -> list[Finding]:
    """WARNING when the believed issue date DDMMYY of a No. KK is not a real date."""
    day, month, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
    if _is_real_date(day, month, yy):
        return []
    msg = (
        f"Angka tengah Nomor KK ({_DATE_DIGITS}) bukan tanggal yang mungkin; "
        "periksa kembali dengan kartu aslinya"
    )
    return [Finding("kk_date_unusual", Severity.WARNING, msg, field)]


def _check_shape(raw: str, kind: _Kind, field: str) -> tuple[str | None, list[Finding]]:
    """Normalise and check emptiness, digits and length; return the number if well-formed."""
    number = normalize_number(raw)
    if not number:
        return None, [_error(kind, "empty", f"{kind.label} belum diisi", field)]
    bad = sorted(set(_NON_DIGIT.findall(number)))
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5])
        msg = f"{kind.label} hanya boleh berisi angka (ditemukan: {shown})"
        return None, [_error(kind, "not_digits", msg, field)]
    if len(number) != NUMBER_LENGTH:
        msg = f"{kind.label} harus {NUMBER_LENGTH} angka (tertulis {len(number)} angka)"
        return None, [_error(kind, "length", msg, field)]
    return number, []


def _serial_findings(number: str, kind: _Kind, field: str) -> list[Finding]:
    """ERROR when the last 4 digits are 0000."""
    if number[12:] != "0000":
        return []
    msg = f"Nomor urut {kind.label} (4 angka terakhir) tidak boleh 0000"
    return [_error(kind, "serial_zero", msg, field)]


def _birth_mismatch(derived: date, declared: date, field: str) -> list[Finding]:
    """WARNING when DD-MM-YY of the NIK differs from the declared birth date."""
    if (derived.day, derived.month, derived.year % 100) == (
        declared.day,
        declared.month,
        declared.year % 100,
    ):
        return []
    parts = [
        name
        for name, a, b in (
            ("tanggal", derived.day, declared.day),
            ("bulan", derived.month, declared.month),
            ("tahun", derived.year % 100, declared.year % 100),
        )
        if a != b
    ]
    msg = (
        f"Tanggal lahir dalam NIK berbeda dengan data tertulis (beda {', '.join(parts)}); "
        "NIK tidak diubah bila tanggal lahir dikoreksi, periksa dokumen"
    )
    return [Finding("nik_birth_date_mismatch", Severity.WARNING, msg, field)]


def _sex_mismatch(derived: Sex, declared: str, field: str) -> list[Finding]:
    """WARNING when the NIK's sex differs from a recognised declared sex."""
    stated = _declared_sex(declared)
    if stated is None or stated == derived:
        return []
    rule = "tanggal + 40" if derived == "P" else "tanggal tanpa + 40"
    msg = f"NIK ini untuk {_SEX_NAMES[derived]} ({rule}), data tertulis {_SEX_NAMES[stated]}"
    return [Finding("nik_sex_mismatch", Severity.WARNING, msg, field)]


def _error(kind: _Kind, code: str, message: str, field: str) -> Finding:
    """Build an ERROR finding with the kind's code prefix."""
    return Finding(f"{kind.prefix}_{code}", Severity.ERROR, message, field)
