"""The service catalogue: the layanan of the office, their documents and form fields (domain).

The catalogue is data (``resources/catalogue/services.json``), not code. This module turns that
JSON into frozen value objects and refuses a malformed file with a :class:`CatalogueError` whose
message names the bad entry, so an administrator editing the file learns what to fix.

File format (``version`` 1)::

    {"version": 1,
     "common_fields": [FIELD, ...],
     "services": [{"code", "name", "short_name", "applicant": PARTY, "subject": PARTY | "applicant",
                   "group", "output_document", "sla_days", "handled_at",
                   "forms", "notes", "requirements": [REQUIREMENT, ...], "fields": [FIELD, ...],
                   "event_date_field", "report_deadline_days", "akta_type_code",
                   "late_akta_type_code", "number_series", "outputs", "siak_numbers"}, ...]}

    FIELD       = {"name", "type", "label", "required", "choices"}
    REQUIREMENT = {"code", "label", "required", "condition"}
    PARTY       = {"label", "name": FIELD_NAME | [FIELD_NAME, ...], "nik": FIELD_NAME | null}

A service's own ``fields`` may repeat a common field's name to relabel it or change whether it
is required for that service (e.g. the NIK is optional when registering a first biodata).

The two parties of a service: the *applicant* applies, is addressed in every message and named
on the receipt (for a death, the pelapor; for a KIA, a parent); the *subject* is the person the
document is about (the deceased, the child), or ``"applicant"`` when that is the applicant
themself. A party names the payload fields of its name (several are joined with " & ", e.g. a
couple) and of its NIK (``null`` when the subject has none yet, like a newborn). The citizen's
contact is always the applicant's (the channel's sender, else ``no_hp``).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

from disdukcapil_desk.domain.delivery import OutputKind, SiakNumberKind
from disdukcapil_desk.domain.errors import CatalogueError

CATALOGUE_VERSION = 1
DINAS = "dinas"
UPT = "upt"
LOCATION_KINDS = frozenset({DINAS, UPT})

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_AKTA_TYPE = re.compile(r"^[A-Z]{2}$")
_TOP_KEYS = frozenset({"version", "common_fields", "services"})
SHORT_NAME_MAX = 22
"""The longest short name: the queue's and the recaps' service column."""
PARTY_LABEL_MAX = 40
SUBJECT_IS_APPLICANT = "applicant"
_SERVICE_KEYS = frozenset(
    {
        "code",
        "name",
        "short_name",
        "applicant",
        "subject",
        "group",
        "output_document",
        "sla_days",
        "handled_at",
        "forms",
        "notes",
        "requirements",
        "fields",
        "event_date_field",
        "report_deadline_days",
        "akta_type_code",
        "late_akta_type_code",
        "number_series",
        "outputs",
        "siak_numbers",
    }
)
_SERVICE_OPTIONAL = frozenset(
    {
        "event_date_field",
        "report_deadline_days",
        "akta_type_code",
        "late_akta_type_code",
        "number_series",
        "siak_numbers",
    }
)
_FIELD_KEYS = frozenset({"name", "type", "label", "required", "choices"})
_REQUIREMENT_KEYS = frozenset({"code", "label", "required", "condition"})
_PARTY_KEYS = frozenset({"label", "name", "nik"})


class ServiceGroup(enum.StrEnum):
    """The bidang a service belongs to."""

    PENDAFTARAN_PENDUDUK = "pendaftaran_penduduk"
    PENCATATAN_SIPIL = "pencatatan_sipil"
    LAINNYA = "lainnya"


class NumberSeries(enum.StrEnum):
    """Which registration number a service's certificate carries."""

    AKTA = "akta"
    """``3604-LU-02112026-0001``: per akta type (``akta_type_code``) and year."""
    SKPWNI = "skpwni"
    """The SKPWNI number of a move out of the kabupaten."""


class FieldType(enum.StrEnum):
    """How a form field's value is checked and edited."""

    TEXT = "text"
    DATE = "date"
    """An ISO date (``YYYY-MM-DD``)."""
    NIK = "nik"
    NO_KK = "no_kk"
    SEX = "sex"
    """``L`` or ``P``."""
    PHONE = "phone"
    DESA = "desa"
    """A desa code of Kabupaten Serang (dotted or plain digits)."""
    INTEGER = "integer"
    CHOICE = "choice"
    """One of the field's ``choices``."""


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of a request form.

    Attributes:
        name: payload key, snake_case Indonesian (``anak_tanggal_lahir``).
        type: how the value is checked.
        label: Indonesian label shown to officers and citizens.
        required: whether a request without it needs revision.
        choices: the allowed values of a ``choice`` field; empty otherwise.
    """

    name: str
    type: FieldType
    label: str
    required: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Requirement:
    """One document (persyaratan) a service asks for.

    Attributes:
        code: stable snake_case code, unique within the service (``kk``, ``f201``); attachments
            name it in ``incoming_attachment.kind``.
        label: short Indonesian label.
        required: True if always required; False if only in the stated case.
        condition: Indonesian text of that case; ``""`` when always required.
    """

    code: str
    label: str
    required: bool
    condition: str = ""


@dataclass(frozen=True, slots=True)
class Party:
    """One person of a request, read from the payload: who applies, or whom it is about.

    Attributes:
        label: Indonesian role label (``Pelapor``, ``Anak``, ``Yang meninggal dunia``).
        name_fields: the payload fields of the name; several are joined with " & ".
        nik_field: the payload field of the NIK, or None when the person has none yet.
    """

    label: str
    name_fields: tuple[str, ...]
    nik_field: str | None

    @property
    def fields(self) -> tuple[str, ...]:
        """Every payload field the party reads."""
        return (*self.name_fields, *((self.nik_field,) if self.nik_field else ()))


APPLICANT_SELF = Party("Pemohon", ("nama",), "nik")
"""The usual applicant: the person of the common fields, applying for themself."""


@dataclass(frozen=True, slots=True)
class Service:
    """One layanan of the catalogue.

    Attributes:
        code: stable code (``akta_kelahiran``), used by channels in ``service_code``.
        name: Indonesian name.
        short_name: at most ``SHORT_NAME_MAX`` characters, for columns (``Akta Kematian``).
        applicant: who applies and is addressed.
        subject: whom the document is about; None when that is the applicant themself.
        group: the bidang.
        output_document: what the citizen receives.
        sla_days: service time in working days.
        handled_at: the kinds of office that serve it (``dinas``, ``upt``).
        requirements: the documents asked for, in display order.
        fields: the service's own form fields (beyond, or overriding, the common ones).
        forms: official form codes (``F-2.01``).
        notes: Indonesian remarks for officers.
        event_date_field: the field holding the date of the reported event, or None.
        report_deadline_days: legal reporting deadline in calendar days after that event, or None.
        akta_type_code: two-letter type code of the akta number, or None (unconfirmed, data).
        late_akta_type_code: the type code for a late registration, or None.
        number_series: the registration number its certificate carries, or None (no numbered
            certificate).
        outputs: what the citizen receives: a signed PDF sent, a card collected, or both.
        siak_numbers: the numbers SIAK gives for it, recorded at "Input SIAK" (none: the
            step only notes that the data is in SIAK).
        common_fields: the catalogue's common fields, so that ``all_fields`` can merge them.
    """

    code: str
    name: str
    group: ServiceGroup
    output_document: str
    sla_days: int
    handled_at: frozenset[str]
    requirements: tuple[Requirement, ...]
    fields: tuple[FormField, ...]
    forms: tuple[str, ...] = ()
    notes: str = ""
    event_date_field: str | None = None
    report_deadline_days: int | None = None
    akta_type_code: str | None = None
    late_akta_type_code: str | None = None
    number_series: NumberSeries | None = None
    outputs: OutputKind = OutputKind.DOCUMENT
    siak_numbers: tuple[SiakNumberKind, ...] = ()
    common_fields: tuple[FormField, ...] = ()
    short_name: str = ""
    applicant: Party = APPLICANT_SELF
    subject: Party | None = None

    @property
    def label(self) -> str:
        """The short name for narrow columns, else the name."""
        return self.short_name or self.name

    @property
    def subject_party(self) -> Party:
        """The person the document is about (the applicant when no other subject is named)."""
        return self.subject or self.applicant

    @property
    def all_fields(self) -> tuple[FormField, ...]:
        """Common fields then own fields; an own field replaces the common one of its name."""
        own = {f.name: f for f in self.fields}
        merged = [own.pop(f.name, f) for f in self.common_fields]
        return (*merged, *(f for f in self.fields if f.name in own))

    @property
    def personal_number_fields(self) -> frozenset[str]:
        """The names of the fields that hold a NIK or a No. KK (by their type): what is masked
        wherever a payload is shown without the right to see whole numbers.
        """
        return frozenset(
            f.name for f in self.all_fields if f.type in (FieldType.NIK, FieldType.NO_KK)
        )

    def field(self, name: str) -> FormField | None:
        """Return the field called ``name`` (common or own, own first), or None."""
        for candidate in (*self.fields, *self.common_fields):
            if candidate.name == name:
                return candidate
        return None

    def requirement(self, code: str) -> Requirement | None:
        """Return the requirement with ``code``, or None."""
        return next((r for r in self.requirements if r.code == code), None)

    @property
    def handled_by_upt(self) -> bool:
        """Whether UPT offices serve this service."""
        return UPT in self.handled_at

    @property
    def handled_by_dinas(self) -> bool:
        """Whether the dinas serves this service."""
        return DINAS in self.handled_at

    @property
    def is_akta(self) -> bool:
        """Whether the service issues an akta with its own registration number."""
        return self.akta_type_code is not None

    def akta_type_for(self, *, late: bool) -> str | None:
        """Return the akta type code to use, the late one when ``late`` and one is configured."""
        if late and self.late_akta_type_code:
            return self.late_akta_type_code
        return self.akta_type_code


class Catalogue:
    """All services, in file order, plus the fields every request form has."""

    def __init__(
        self,
        common_fields: Iterable[FormField],
        services: Iterable[Service] | Mapping[str, Service],
    ) -> None:
        """Build a catalogue from services (or a code → service mapping) in display order.

        Codes must be unique; ``parse_catalogue`` checks this before building one.
        """
        values = services.values() if isinstance(services, Mapping) else services
        self.common_fields: tuple[FormField, ...] = tuple(common_fields)
        self._services: dict[str, Service] = {s.code: s for s in values}

    def get(self, code: str) -> Service:
        """Return the service with ``code``.

        Raises:
            KeyError: no such service.
        """
        try:
            return self._services[code]
        except KeyError:
            raise KeyError(f"layanan tidak dikenal: {code!r}") from None

    def __contains__(self, code: object) -> bool:
        """Whether ``code`` is the code of a service."""
        return isinstance(code, str) and code in self._services

    def __iter__(self) -> Iterator[Service]:
        """Iterate over the services in file order."""
        return iter(self._services.values())

    def __len__(self) -> int:
        """Return the number of services."""
        return len(self._services)

    @property
    def services(self) -> Mapping[str, Service]:
        """Read-only mapping code → service, in file order."""
        return MappingProxyType(self._services)

    @property
    def codes(self) -> tuple[str, ...]:
        """The service codes in file order."""
        return tuple(self._services)

    def by_group(self) -> dict[ServiceGroup, tuple[Service, ...]]:
        """Return the services of each group (every group present, in enum order)."""
        return {g: tuple(s for s in self if s.group is g) for g in ServiceGroup}


def read_json_resource(path: Path, what: str) -> object:
    """Read and decode a JSON resource file.

    Args:
        path: the file.
        what: Indonesian name of the resource for messages (``"Katalog layanan"``).

    Raises:
        CatalogueError: the file cannot be read or is not valid JSON.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{what} tidak dapat dibaca ({path}): {exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"{what} bukan JSON yang sah ({path}, baris {exc.lineno} kolom {exc.colno}): {exc.msg}"
        ) from exc


def load_catalogue(path: Path) -> Catalogue:
    """Read the catalogue file.

    Raises:
        CatalogueError: unreadable file, invalid JSON or a malformed entry.
    """
    return parse_catalogue(read_json_resource(path, "Katalog layanan"))


def parse_catalogue(data: object) -> Catalogue:
    """Build a catalogue from decoded JSON, checking every entry.

    Raises:
        CatalogueError: the message names the bad entry (``layanan #3 (kk_hilang_rusak)``) and
            what is wrong with it.
    """
    top = _Entry.of(data, "Katalog layanan")
    top.check_keys(_TOP_KEYS)
    version = top.integer("version")
    if version != CATALOGUE_VERSION:
        top.fail(f"versi {version} tidak didukung (harus {CATALOGUE_VERSION})")
    common = _parse_fields(top, "common_fields", "field umum")
    services = [
        _parse_service(_Entry.of(raw, f"Katalog layanan: layanan #{i}"), common)
        for i, raw in enumerate(top.items("services", allow_empty=False))
    ]
    _check_unique_services(services)
    return Catalogue(common, services)


class _Entry:
    """One JSON object being read, with a human name for error messages."""

    def __init__(self, data: Mapping[str, object], where: str) -> None:
        self.data = data
        self.where = where

    @classmethod
    def of(cls, data: object, where: str) -> _Entry:
        if not isinstance(data, dict):
            raise CatalogueError(f"{where}: harus berupa objek JSON, bukan {_kind(data)}")
        code = data.get("code", data.get("name"))
        label = f"{where} ({code})" if isinstance(code, str) and code else where
        return cls(data, label)

    def fail(self, message: str) -> NoReturn:
        raise CatalogueError(f"{self.where}: {message}")

    def check_keys(self, allowed: frozenset[str], optional: frozenset[str] = frozenset()) -> None:
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            self.fail(f"kunci tidak dikenal: {', '.join(unknown)}")
        missing = sorted(allowed - optional - set(self.data))
        if missing:
            self.fail(f"kunci wajib tidak ada: {', '.join(missing)}")

    def value(self, key: str) -> object:
        if key not in self.data:
            self.fail(f"kunci wajib tidak ada: {key}")
        return self.data[key]

    def text(self, key: str, *, allow_empty: bool = False) -> str:
        value = self.value(key)
        if not isinstance(value, str):
            self.fail(f"'{key}' harus berupa teks, bukan {_kind(value)}")
        if not allow_empty and not value.strip():
            self.fail(f"'{key}' tidak boleh kosong")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        return None if value is None else self.text(key)

    def integer(self, key: str, *, minimum: int | None = None) -> int:
        value = self.value(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(f"'{key}' harus berupa bilangan bulat, bukan {_kind(value)}")
        if minimum is not None and value < minimum:
            self.fail(f"'{key}' tidak boleh kurang dari {minimum} (tertulis {value})")
        return value

    def optional_integer(self, key: str, *, minimum: int) -> int | None:
        return None if self.data.get(key) is None else self.integer(key, minimum=minimum)

    def boolean(self, key: str) -> bool:
        value = self.value(key)
        if not isinstance(value, bool):
            self.fail(f"'{key}' harus true atau false, bukan {_kind(value)}")
        return value

    def items(self, key: str, *, allow_empty: bool = True) -> list[object]:
        value = self.value(key)
        if not isinstance(value, list):
            self.fail(f"'{key}' harus berupa daftar, bukan {_kind(value)}")
        if not allow_empty and not value:
            self.fail(f"'{key}' tidak boleh kosong")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.items(key)
        if not all(isinstance(v, str) and v.strip() for v in values):
            self.fail(f"'{key}' harus berupa daftar teks yang tidak kosong")
        return tuple(str(v) for v in values)

    def snake(self, key: str) -> str:
        value = self.text(key)
        if not _SNAKE.match(value):
            self.fail(f"'{key}' harus snake_case (huruf kecil, angka, garis bawah): {value!r}")
        return value


def _kind(value: object) -> str:
    names = {dict: "objek", list: "daftar", str: "teks", bool: "boolean", int: "bilangan"}
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)


def _parse_fields(owner: _Entry, key: str, what: str) -> tuple[FormField, ...]:
    fields = tuple(
        _parse_field(_Entry.of(raw, f"{owner.where}: {what} #{i}"))
        for i, raw in enumerate(owner.items(key))
    )
    seen: set[str] = set()
    for f in fields:
        if f.name in seen:
            owner.fail(f"nama field ganda: {f.name}")
        seen.add(f.name)
    return fields


def _parse_field(entry: _Entry) -> FormField:
    entry.check_keys(_FIELD_KEYS, optional=frozenset({"choices"}))
    name = entry.snake("name")
    raw_type = entry.text("type")
    try:
        field_type = FieldType(raw_type)
    except ValueError:
        allowed = ", ".join(t.value for t in FieldType)
        entry.fail(f"tipe field tidak dikenal: {raw_type!r} (pilihan: {allowed})")
    choices = entry.texts("choices") if "choices" in entry.data else ()
    _check_choices(entry, field_type, choices)
    return FormField(name, field_type, entry.text("label"), entry.boolean("required"), choices)


def _check_choices(entry: _Entry, field_type: FieldType, choices: tuple[str, ...]) -> None:
    if field_type is FieldType.CHOICE and not choices:
        entry.fail("field bertipe choice harus punya 'choices'")
    if field_type is not FieldType.CHOICE and choices:
        entry.fail(f"'choices' hanya untuk field bertipe choice, bukan {field_type.value}")
    if len(set(choices)) != len(choices):
        entry.fail("'choices' berisi nilai ganda")


def _parse_requirement(entry: _Entry) -> Requirement:
    entry.check_keys(_REQUIREMENT_KEYS)
    required = entry.boolean("required")
    condition = entry.text("condition", allow_empty=True).strip()
    if required and condition:
        entry.fail("persyaratan wajib (required: true) tidak boleh punya 'condition'")
    if not required and not condition:
        entry.fail("persyaratan bersyarat (required: false) harus menyebut 'condition'")
    return Requirement(entry.snake("code"), entry.text("label"), required, condition)


def _parse_requirements(entry: _Entry) -> tuple[Requirement, ...]:
    requirements = tuple(
        _parse_requirement(_Entry.of(raw, f"{entry.where}: persyaratan #{i}"))
        for i, raw in enumerate(entry.items("requirements", allow_empty=False))
    )
    seen: set[str] = set()
    for r in requirements:
        if r.code in seen:
            entry.fail(f"kode persyaratan ganda: {r.code}")
        seen.add(r.code)
    return requirements


def _parse_group(entry: _Entry) -> ServiceGroup:
    raw = entry.text("group")
    try:
        return ServiceGroup(raw)
    except ValueError:
        allowed = ", ".join(g.value for g in ServiceGroup)
        entry.fail(f"kelompok layanan tidak dikenal: {raw!r} (pilihan: {allowed})")


def _parse_handled_at(entry: _Entry) -> frozenset[str]:
    places = entry.texts("handled_at")
    if not places:
        entry.fail("'handled_at' tidak boleh kosong")
    unknown = sorted(set(places) - LOCATION_KINDS)
    if unknown:
        entry.fail(f"'handled_at' hanya boleh berisi dinas/upt, bukan: {', '.join(unknown)}")
    return frozenset(places)


def _parse_service(entry: _Entry, common: tuple[FormField, ...]) -> Service:
    entry.check_keys(_SERVICE_KEYS, optional=_SERVICE_OPTIONAL)
    service = Service(
        code=entry.snake("code"),
        name=entry.text("name"),
        short_name=_parse_short_name(entry),
        group=_parse_group(entry),
        output_document=entry.text("output_document"),
        sla_days=entry.integer("sla_days", minimum=0),
        handled_at=_parse_handled_at(entry),
        requirements=_parse_requirements(entry),
        fields=_parse_fields(entry, "fields", "field"),
        forms=entry.texts("forms"),
        notes=entry.text("notes", allow_empty=True),
        event_date_field=entry.optional_text("event_date_field"),
        report_deadline_days=entry.optional_integer("report_deadline_days", minimum=1),
        akta_type_code=entry.optional_text("akta_type_code"),
        late_akta_type_code=entry.optional_text("late_akta_type_code"),
        number_series=_parse_number_series(entry),
        outputs=_parse_outputs(entry),
        siak_numbers=_parse_siak_numbers(entry),
        common_fields=common,
    )
    service = dataclasses.replace(
        service,
        applicant=_parse_party(entry, "applicant", service),
        subject=_parse_subject(entry, service),
    )
    _check_event(entry, service)
    _check_akta_codes(entry, service)
    return service


def _parse_short_name(entry: _Entry) -> str:
    short = entry.text("short_name").strip()
    if len(short) > SHORT_NAME_MAX:
        entry.fail(
            f"'short_name' paling banyak {SHORT_NAME_MAX} karakter "
            f"({short!r} {len(short)} karakter)"
        )
    return short


def _parse_subject(entry: _Entry, service: Service) -> Party | None:
    if entry.value("subject") == SUBJECT_IS_APPLICANT:
        return None
    return _parse_party(entry, "subject", service)


def _parse_party(owner: _Entry, key: str, service: Service) -> Party:
    """Read a party and check that its fields exist, a name is text and required, a NIK is a
    NIK field.
    """
    entry = _Entry.of(owner.value(key), f"{owner.where}: {key}")
    entry.check_keys(_PARTY_KEYS)
    label = entry.text("label").strip()
    if len(label) > PARTY_LABEL_MAX:
        entry.fail(f"'label' paling banyak {PARTY_LABEL_MAX} karakter")
    raw_names = entry.value("name")
    names = (raw_names,) if isinstance(raw_names, str) else entry.texts("name")
    if not names:
        entry.fail("'name' harus menyebut setidaknya satu field")
    for name in names:
        _party_field(entry, service, name, FieldType.TEXT, needs_required=True)
    nik = entry.optional_text("nik")
    if nik is not None:
        _party_field(entry, service, nik, FieldType.NIK, needs_required=False)
    return Party(label, tuple(names), nik)


def _party_field(
    entry: _Entry, service: Service, name: str, field_type: FieldType, *, needs_required: bool
) -> None:
    found = service.field(name)
    if found is None:
        entry.fail(f"field {name!r} bukan field layanan ini")
    if found.type is not field_type:
        entry.fail(f"field {name!r} harus bertipe {field_type.value}, bukan {found.type.value}")
    if needs_required and not found.required:
        entry.fail(f"field nama {name!r} harus wajib diisi (required: true)")


def _check_event(entry: _Entry, service: Service) -> None:
    name = service.event_date_field
    if name is None:
        if service.report_deadline_days is not None:
            entry.fail("'report_deadline_days' diisi tetapi 'event_date_field' kosong")
        return
    event_field = service.field(name)
    if event_field is None:
        entry.fail(f"event_date_field {name!r} bukan field layanan ini")
    elif event_field.type is not FieldType.DATE:
        entry.fail(f"event_date_field {name!r} bukan field tanggal (tipe {event_field.type})")


def _check_akta_codes(entry: _Entry, service: Service) -> None:
    for key, value in (
        ("akta_type_code", service.akta_type_code),
        ("late_akta_type_code", service.late_akta_type_code),
    ):
        if value is not None and not _AKTA_TYPE.match(value):
            entry.fail(f"'{key}' harus dua huruf kapital, bukan {value!r}")
    if service.late_akta_type_code is not None and service.akta_type_code is None:
        entry.fail("'late_akta_type_code' diisi tetapi 'akta_type_code' kosong")


def _parse_outputs(entry: _Entry) -> OutputKind:
    raw = entry.text("outputs")
    try:
        return OutputKind(raw)
    except ValueError:
        allowed = ", ".join(OutputKind)
        entry.fail(f"'outputs' harus salah satu dari {allowed}, bukan {raw!r}")


def _parse_siak_numbers(entry: _Entry) -> tuple[SiakNumberKind, ...]:
    if entry.data.get("siak_numbers") is None:
        return ()
    kinds: list[SiakNumberKind] = []
    for raw in entry.texts("siak_numbers"):
        try:
            kind = SiakNumberKind(raw)
        except ValueError:
            allowed = ", ".join(SiakNumberKind)
            entry.fail(f"'siak_numbers' hanya boleh berisi {allowed}, bukan {raw!r}")
        if kind in kinds:
            entry.fail(f"'siak_numbers' menyebut {raw} dua kali")
        kinds.append(kind)
    return tuple(kinds)


def _parse_number_series(entry: _Entry) -> NumberSeries | None:
    value = entry.optional_text("number_series")
    if value is None:
        return None
    try:
        series = NumberSeries(value)
    except ValueError:
        entry.fail(
            f"'number_series' harus salah satu dari {', '.join(NumberSeries)} atau null, "
            f"bukan {value!r}"
        )
    if series is NumberSeries.AKTA and entry.data.get("akta_type_code") is None:
        entry.fail("'number_series' akta tetapi 'akta_type_code' kosong")
    return series


def _check_unique_services(services: list[Service]) -> None:
    codes: dict[str, int] = {}
    akta_codes: dict[str, str] = {}
    short_names: dict[str, str] = {}
    for index, service in enumerate(services):
        where = f"Katalog layanan: layanan #{index} ({service.code})"
        if service.code in codes:
            raise CatalogueError(
                f"{where}: kode layanan ganda (sudah dipakai layanan #{codes[service.code]})"
            )
        codes[service.code] = index
        other_short = short_names.setdefault(service.short_name.casefold(), service.code)
        if other_short != service.code:
            raise CatalogueError(
                f"{where}: nama pendek {service.short_name!r} sudah dipakai {other_short}"
            )
        for akta in filter(None, (service.akta_type_code, service.late_akta_type_code)):
            other = akta_codes.setdefault(akta, service.code)
            if other != service.code:
                raise CatalogueError(f"{where}: kode jenis akta {akta!r} sudah dipakai {other}")


def masked_payload(
    service: Service | None, payload: Mapping[str, object], mask: Callable[[str], str]
) -> dict[str, object]:
    """``payload`` with every NIK/No. KK field of ``service`` (by its type) masked by ``mask``.

    Any other value keeps its text, but a 16-digit number inside it (a list of NIKs typed as
    text, a key the form does not declare, a service the catalogue no longer has) is masked.
    """
    personal = service.personal_number_fields if service is not None else frozenset()

    def shown(name: str, value: object) -> object:
        if value is None or value == "" or isinstance(value, bool):
            return value
        if name in personal:
            return mask(str(value))
        if isinstance(value, str | int):
            text = str(value)
            hidden = _PERSONAL_NUMBER.sub(lambda m: mask(m.group()), text)
            return hidden if hidden != text else value
        return value

    return {name: shown(name, value) for name, value in payload.items()}


_PERSONAL_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")
