"""After approval, at the desk: the numbers SIAK gave, the signed PDF (TTE), the office's
choices for both, and what the follow-up panel shows (domain layer).

The desk never invents an official number: an akta or SKPWNI number comes from SIAK, typed in
at "Input SIAK", unless the office runs its own series (``desk_number_series``). The signed PDF
comes from SIAK/BSrE (attached), or, where a service is set to it, is the desk's own
certificate signed with the office's certificate (``tte_source:<service>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from disdukcapil_desk.domain.catalogue import NumberSeries
from disdukcapil_desk.domain.delivery import (
    OutputKind,
    SiakNumber,
    SiakNumberError,
    SiakNumberKind,
    TteSource,
    check_siak_number,
)
from disdukcapil_desk.domain.findings import Severity
from disdukcapil_desk.domain.nik import NikRules, mask_number
from disdukcapil_desk.domain.workflow import Status

TTE_SOURCE_PREFIX = "tte_source:"
"""Stored per service (``tte_source:<code>`` = ``siak``/``desk``); unset: ``siak``."""
DESK_NUMBER_SERIES_KEY = "desk_number_series"
"""``1``: the office runs its own akta/SKPWNI series (the desk draws the number at issue);
unset or ``0``: the number on a certificate is the one recorded from SIAK."""
TTE_SOURCE_LABELS = {
    TteSource.SIAK: "PDF TTE dari SIAK (dilampirkan)",
    TteSource.DESK: "Sertifikat desk, ditandatangani sertifikat kantor",
}
AFTER_APPROVAL_STATUSES = frozenset({Status.APPROVED, Status.SIAK_RECORDED, Status.ISSUED})
"""Where the follow-up panel acts (later statuses show what was done)."""
MAX_SIGNED_PDF_BYTES = 20 * 1024 * 1024
"""A signed akta from SIAK is well under 1 MB; 20 MB refuses a scan or a wrong file early."""


def tte_source_key(service_code: str) -> str:
    """The stored key of a service's TTE source."""
    return TTE_SOURCE_PREFIX + service_code


def tte_sources(stored: Mapping[str, str], codes: Sequence[str]) -> dict[str, TteSource]:
    """Per service code: where its signed PDF comes from (SIAK unless the office chose)."""
    return {code: _source(stored.get(tte_source_key(code))) for code in codes}


def _source(value: str | None) -> TteSource:
    try:
        return TteSource(value) if value else TteSource.SIAK
    except ValueError:
        return TteSource.SIAK


def desk_number_series(stored: Mapping[str, str]) -> bool:
    """Whether the office draws akta/SKPWNI numbers from the desk's own series."""
    return stored.get(DESK_NUMBER_SERIES_KEY, "0") == "1"


def certificate_number_kind(series: NumberSeries) -> SiakNumberKind:
    """The SIAK number a desk certificate of ``series`` carries."""
    return SiakNumberKind.SKPWNI if series is NumberSeries.SKPWNI else SiakNumberKind.AKTA


def check_number(rules: NikRules, kind: SiakNumberKind, raw: str) -> SiakNumber:
    """Check a number typed from SIAK: its form (:func:`check_siak_number`) and, for a new NIK
    or KK number, the project's NIK/KK rules (region, date, serial).

    Raises:
        SiakNumberError: it cannot be right (the message names the label and the problem).
    """
    checked = check_siak_number(kind, raw)
    if kind is SiakNumberKind.NIK:
        findings = rules.check_nik(checked.value, field=kind.value)
    elif kind is SiakNumberKind.KK:
        findings = rules.check_no_kk(checked.value, field=kind.value)
    else:
        return checked
    errors = [f.message for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise SiakNumberError(f"{kind.label}: {'; '.join(errors)}")
    warnings = tuple(f.message for f in findings if f.severity is Severity.WARNING)
    return SiakNumber(kind, checked.value, checked.warnings + warnings)


def masked(kind: SiakNumberKind, value: str) -> str:
    """The value as logs show it: a NIK or KK number masked, an akta number whole (it names a
    register entry, not a person).
    """
    return mask_number(value) if kind in (SiakNumberKind.NIK, SiakNumberKind.KK) else value


def numbers_for_message(numbers: Sequence[tuple[SiakNumberKind, str]]) -> str:
    """The ``{nomor_siak}`` text of the notices: one line per number, or ``""``."""
    if not numbers:
        return ""
    return "\n\n" + "\n".join(f"{kind.label}: {value}" for kind, value in numbers)


@dataclass(frozen=True, slots=True)
class RecordedNumber:
    """A number recorded from SIAK for a request."""

    kind: SiakNumberKind
    value: str
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class SignedPdf:
    """A signed PDF attached to a request (the current one, unless ``replaced_at``).

    ``trusted`` is known right after attaching (None when read back: the check is not run
    again on every look).
    """

    id: int
    filename: str
    sha256: str
    signer: str
    signed_at: dt.datetime | None
    source: TteSource
    attached_at: dt.datetime
    attached_by: str
    size: int
    trusted: bool | None = None


@dataclass(frozen=True, slots=True)
class TteCheck:
    """What the desk found in a signed PDF before accepting it."""

    sha256: str
    signer: str
    signed_at: dt.datetime | None
    trusted: bool
    signatures: int


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A request after approval, as the "Tindak lanjut" panel shows it."""

    request_id: int
    number: str
    status: Status
    version: int
    service_code: str
    service_name: str
    outputs: OutputKind
    siak_kinds: tuple[SiakNumberKind, ...]
    numbers: tuple[RecordedNumber, ...]
    document: SignedPdf | None
    tte_source: TteSource
    sent_at: dt.datetime | None
    """When the signed PDF was last written to the outbox (None: not yet)."""

    def value(self, kind: SiakNumberKind) -> str:
        """The recorded number of ``kind``, or ``""``."""
        return next((n.value for n in self.numbers if n.kind is kind), "")

    @property
    def can_record(self) -> bool:
        """Input SIAK is open: approved, or recorded and not yet signed (a correction)."""
        return self.status in (Status.APPROVED, Status.SIAK_RECORDED)

    @property
    def can_attach(self) -> bool:
        """A signed PDF may be attached (or replaced before it is sent)."""
        return self.outputs.sends_document and self.status in AFTER_APPROVAL_STATUSES

    @property
    def can_send(self) -> bool:
        """The signed PDF can go to the citizen."""
        return (
            self.outputs.sends_document
            and self.status is Status.ISSUED
            and (self.document is not None or self.tte_source is TteSource.DESK)
        )


@dataclass(frozen=True, slots=True)
class SiakRecorded:
    """The answer to "Input SIAK": the panel's new state and what to look at again."""

    follow_up: FollowUp
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TteAttached:
    """The answer to attaching a signed PDF."""

    follow_up: FollowUp
    document: SignedPdf
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentSent:
    """The answer to "Kirim ke pemohon": the message written and the new state."""

    follow_up: FollowUp
    message_id: int
    recipient: str
    channel: str
