"""Reading one incoming row: reject what cannot become a request, find what the officer must see.

Pure domain logic: the ingest operation feeds it the row's text and stores what it returns.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from disdukcapil_desk.domain.catalogue import Catalogue, FieldType, FormField, Party, Service
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.findings import Finding, Severity
from disdukcapil_desk.domain.names import NameRules
from disdukcapil_desk.domain.nik import NikRules, normalize_number
from disdukcapil_desk.domain.payload import (
    DEFAULT_LIMITS,
    PayloadLimits,
    PayloadRefused,
    decode_limited,
)
from disdukcapil_desk.domain.wilayah import Wilayah, normalize_region_code

MAX_NAME_LENGTH = 150
MAX_TEXT_LENGTH = 500
_PHONE = re.compile(r"^\+?\d{9,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IntakeRejected(DeskError):
    """The row cannot become a request; the message is the quarantine reason."""


@dataclass(slots=True)
class ParsedIntake:
    """What the desk takes from a valid row.

    ``nik`` and ``applicant_name`` are the applicant's (who applies and is addressed);
    ``subject_nik`` and ``subject_name`` the person the document is about (the same person
    unless the catalogue names another subject). The other columns come from the common fields.
    """

    service: Service
    payload: dict[str, object]
    contact: str
    nik: str = ""
    no_kk: str = ""
    applicant_name: str = ""
    subject_nik: str = ""
    subject_name: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    kode_desa: str = ""
    kecamatan_code: str = ""
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IntakeRules:
    """The reference data intake checks against."""

    catalogue: Catalogue
    wilayah: Wilayah
    nik_rules: NikRules
    limits: PayloadLimits = DEFAULT_LIMITS
    names: NameRules | None = None
    """The name rules (``names/rules.json``); None checks no name."""
    _plans: dict[str, tuple[_FieldPlan, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Each service's fields with their checks, worked out on first use (by service code)."""

    def field_plan(self, service: Service) -> tuple[_FieldPlan, ...]:
        """The fields of ``service`` in order, each with its value check and whether it may
        hold a person's name (the name rules then check it too).
        """
        plan = self._plans.get(service.code)
        if plan is None:
            plan = self._plans[service.code] = tuple(
                (
                    form_field,
                    _VALUE_CHECKS.get(form_field.type, _check_text),
                    self.names is not None
                    and form_field.type is FieldType.TEXT
                    and self.names.kind_of(service, form_field.name) is not None,
                )
                for form_field in service.all_fields
            )
        return plan


def decode_payload(text: str, limits: PayloadLimits = DEFAULT_LIMITS) -> dict[str, object]:
    """Return the payload object, or raise ``IntakeRejected`` saying why it is unusable."""
    if not isinstance(text, str):
        raise IntakeRejected(f"payload harus berupa teks JSON, bukan {type(text).__name__}")
    try:
        value = decode_limited(text, limits)
    except PayloadRefused as exc:
        raise IntakeRejected(str(exc)) from None
    except json.JSONDecodeError as exc:
        raise IntakeRejected(f"payload bukan JSON yang sah: {exc}") from None
    if not isinstance(value, dict):
        raise IntakeRejected(f"payload harus berupa objek JSON, bukan {type(value).__name__}")
    return value


def contact_of(sender: str | None, payload: dict[str, object]) -> str:
    """Return how to reach the citizen: the sender, else the payload's phone, else raise."""
    for candidate in (sender, payload.get("no_hp"), payload.get("email")):
        if isinstance(candidate, str):
            text = candidate.strip()
            if _PHONE.match(text.replace(" ", "").replace("-", "")) or _EMAIL.match(text):
                return text
    raise IntakeRejected("tidak ada kontak pemohon (nomor WhatsApp/telepon atau e-mail)")


def parse_incoming(
    rules: IntakeRules,
    service_code: str,
    payload_text: str,
    sender: str | None,
    received_on: dt.date,
) -> ParsedIntake:
    """Turn a row into request data plus findings, or raise ``IntakeRejected``.

    Args:
        rules: catalogue, wilayah and NIK rules.
        service_code: the row's service code.
        payload_text: the row's payload (JSON text).
        sender: the row's sender (phone or e-mail).
        received_on: the office date the row arrived (for deadlines).
    """
    if service_code not in rules.catalogue:
        raise IntakeRejected(f"kode layanan tidak dikenal: {service_code[:60]!r}")
    service = rules.catalogue.get(service_code)
    payload = decode_payload(payload_text, rules.limits)
    parsed = ParsedIntake(service, payload, contact_of(sender, payload))
    for form_field, check, holds_name in rules.field_plan(service):
        _check_field(rules, parsed, form_field, check, holds_name)
    _fill_applicant(rules, parsed)
    _check_event_date(parsed, received_on)
    return parsed


def _check_field(
    rules: IntakeRules,
    parsed: ParsedIntake,
    form_field: FormField,
    check: _ValueCheck,
    holds_name: bool,
) -> None:
    raw = parsed.payload.get(form_field.name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if form_field.required:
            parsed.findings.append(
                Finding(
                    "field_missing",
                    Severity.ERROR,
                    f"{form_field.label} belum diisi",
                    form_field.name,
                )
            )
        return
    text = raw if isinstance(raw, str) else str(raw)
    parsed.findings.extend(check(rules, form_field, text.strip()))
    if holds_name and rules.names is not None:
        parsed.findings.extend(
            rules.names.check_field(parsed.service, form_field.name, text, label=form_field.label)
        )


def _finding(code: str, form_field: FormField, message: str) -> list[Finding]:
    return [Finding(code, Severity.ERROR, f"{form_field.label}: {message}", form_field.name)]


def _check_text(rules: IntakeRules, form_field: FormField, text: str) -> list[Finding]:
    limit = MAX_NAME_LENGTH if form_field.name.endswith("nama") else MAX_TEXT_LENGTH
    if len(text) > limit:
        return _finding("field_too_long", form_field, f"terlalu panjang ({len(text)} karakter)")
    return []


def _check_date(rules: IntakeRules, form_field: FormField, text: str) -> list[Finding]:
    if parse_date(text) is None:
        return _finding("field_invalid_date", form_field, f"tanggal tidak sah ({text[:20]!r})")
    return []


def _check_sex(rules: IntakeRules, form_field: FormField, text: str) -> list[Finding]:
    if text.upper() not in ("L", "P"):
        return _finding("field_invalid_sex", form_field, "harus L atau P")
    return []


def _check_nik(rules: IntakeRules, form_field: FormField, text: str) -> list[Finding]:
    return rules.nik_rules.check_nik(text, field=form_field.name)


def _check_kk(rules: IntakeRules, form_field: FormField, text: str) -> list[Finding]:
    return rules.nik_rules.check_no_kk(text, field=form_field.name)


def _check_phone(rules: IntakeRules, form_field: FormField, text: str) -> list[Finding]:
    if not _PHONE.match(text.replace(" ", "").replace("-", "")):
        return _finding("field_invalid_phone", form_field, "nomor telepon tidak sah")
    return []


def _check_desa(rules: IntakeRules, form_field: FormField, text: str) -> list[Finding]:
    if rules.wilayah.desa(text) is None:
        return _finding(
            "desa_unknown", form_field, f"kode desa {text[:20]!r} tidak ada di Kabupaten Serang"
        )
    return []


def _check_integer(rules: IntakeRules, form_field: FormField, text: str) -> list[Finding]:
    if not text.isdigit():
        return _finding("field_invalid_number", form_field, "harus berupa angka")
    return []


def _check_choice(rules: IntakeRules, form_field: FormField, text: str) -> list[Finding]:
    if form_field.choices and text not in form_field.choices:
        return _finding("field_invalid_choice", form_field, f"pilihan {text[:40]!r} tidak dikenal")
    return []


_ValueCheck = Callable[[IntakeRules, FormField, str], list[Finding]]
"""Checks one field's stripped text: its findings."""
_FieldPlan = tuple[FormField, _ValueCheck, bool]
"""A field, its value check, and whether the name rules check it too."""

_VALUE_CHECKS: dict[FieldType, _ValueCheck] = {
    FieldType.TEXT: _check_text,
    FieldType.DATE: _check_date,
    FieldType.SEX: _check_sex,
    FieldType.NIK: _check_nik,
    FieldType.NO_KK: _check_kk,
    FieldType.PHONE: _check_phone,
    FieldType.DESA: _check_desa,
    FieldType.INTEGER: _check_integer,
    FieldType.CHOICE: _check_choice,
}


def parse_date(text: str) -> dt.date | None:
    """Return the ISO date in ``text``, or None."""
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _text(payload: dict[str, object], name: str) -> str:
    value = payload.get(name)
    return value.strip() if isinstance(value, str) else ""


def party_name(party: Party, payload: dict[str, object]) -> str:
    """Return a party's name from the payload: its name fields joined with " & ", spaces
    tidied, cut to ``MAX_NAME_LENGTH`` (with "…").
    """
    names = (" ".join(_text(payload, field).split()) for field in party.name_fields)
    name = " & ".join(n for n in names if n)
    return name if len(name) <= MAX_NAME_LENGTH else name[:MAX_NAME_LENGTH] + "…"


def party_nik(party: Party, payload: dict[str, object]) -> str:
    """Return a party's NIK from the payload (digits only), or ``""``."""
    return normalize_number(_text(payload, party.nik_field))[:40] if party.nik_field else ""


def same_person(applicant: tuple[str, str], subject: tuple[str, str]) -> bool:
    """Whether the applicant and the subject, each ``(name, nik)``, are one person: the same NIK,
    or (without both NIKs) the same name. A mother applying for her own stillbirth record, or
    for a second copy of her own akta, is not named twice.
    """
    (a_name, a_nik), (s_name, s_nik) = applicant, subject
    if a_nik and s_nik:
        return a_nik == s_nik
    return a_name.casefold() == s_name.casefold()


@dataclass(frozen=True, slots=True)
class Parties:
    """The applicant and the subject of one request, as read from its payload."""

    applicant_name: str
    applicant_nik: str
    subject_name: str
    subject_nik: str


def read_parties(service: Service, payload: dict[str, object]) -> Parties:
    """Return who applies and whom the document is about, by the service's catalogue roles."""
    return Parties(
        party_name(service.applicant, payload),
        party_nik(service.applicant, payload),
        party_name(service.subject_party, payload),
        party_nik(service.subject_party, payload),
    )


def _fill_parties(parsed: ParsedIntake) -> None:
    parties = read_parties(parsed.service, parsed.payload)
    parsed.nik, parsed.applicant_name = parties.applicant_nik, parties.applicant_name
    parsed.subject_nik, parsed.subject_name = parties.subject_nik, parties.subject_name


def _fill_applicant(rules: IntakeRules, parsed: ParsedIntake) -> None:
    payload = parsed.payload
    _fill_parties(parsed)
    # The common fields describe one person (the deceased, the child of a KIA): their NIK is
    # checked against their birth date and sex, and places them when the desa is unknown.
    common_nik = normalize_number(_text(payload, "nik"))[:40]
    parsed.no_kk = normalize_number(_text(payload, "no_kk"))[:40]
    parsed.birth_date = parse_date(_text(payload, "tanggal_lahir"))
    sex = _text(payload, "jenis_kelamin").upper()
    parsed.sex = sex if sex in ("L", "P") else ""
    desa = rules.wilayah.desa(_text(payload, "kode_desa"))
    if desa is not None:
        parsed.kode_desa = desa.code
        parsed.kecamatan_code = desa.kecamatan_code
    elif common_nik[:6].isdigit() and rules.wilayah.kecamatan(common_nik[:6]) is not None:
        parsed.kecamatan_code = common_nik[:6]
    else:
        parsed.kode_desa = normalize_region_code(_text(payload, "kode_desa"))[:10]
    if common_nik and (parsed.birth_date or parsed.sex):
        parsed.findings.extend(
            f
            for f in rules.nik_rules.check_nik(
                common_nik, declared_birth_date=parsed.birth_date, declared_sex=parsed.sex or None
            )
            if f.code in ("nik_birth_date_mismatch", "nik_sex_mismatch")
        )


def _check_event_date(parsed: ParsedIntake, received_on: dt.date) -> None:
    service = parsed.service
    if not service.event_date_field:
        return
    event = parse_date(_text(parsed.payload, service.event_date_field))
    if event is None:
        return
    if event > received_on:
        parsed.findings.append(
            Finding(
                "event_in_future",
                Severity.ERROR,
                f"Tanggal peristiwa {event:%d-%m-%Y} belum terjadi",
                service.event_date_field,
            )
        )
    elif service.report_deadline_days is not None:
        elapsed = (received_on - event).days
        if elapsed > service.report_deadline_days:
            parsed.findings.append(
                Finding(
                    "late_registration",
                    Severity.WARNING,
                    f"Pelaporan terlambat: {elapsed} hari setelah peristiwa "
                    f"(batas {service.report_deadline_days} hari)",
                    service.event_date_field,
                )
            )
