"""The records of issued documents as plain data, crossing from the database to the window.

The repository (``db/repositories/documents.py``) reads and writes the tables and hands these
frozen values to ``operations/documents/``; the window receives :class:`IssueResult`,
:class:`ReadyBatch`, :class:`SigningInfo`, :class:`DocumentSummary` and :class:`RegisterEntry`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from disdukcapil_desk.domain.documents import DocumentKind, RegisterEvent
from disdukcapil_desk.domain.workflow import Status

Progress = Callable[[int, int], None]
"""Called with (done, total) while a batch is drawn."""
Cancelled = Callable[[], bool]
"""Asked between pages: True stops the batch."""


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One issued document as stored: its number, code, key fields and counts."""

    id: int
    request_id: int
    kind: DocumentKind
    template: str
    number: str
    location_code: str
    verification_code: str
    fields: Mapping[str, str]
    print_count: int
    reprint_count: int
    created_at: dt.datetime
    voided_at: dt.datetime | None = None
    void_reason: str = ""

    @property
    def voided(self) -> bool:
        """Whether the document was voided (its number stays in the register)."""
        return self.voided_at is not None


@dataclass(frozen=True, slots=True)
class DocumentRequest:
    """What a receipt or a certificate needs to know about its request."""

    id: int
    number: str
    service_code: str
    location_code: str
    status: Status
    channel: str
    received_at: dt.datetime
    sla_due: dt.date
    applicant_name: str
    nik: str
    no_kk: str
    subject_name: str
    subject_nik: str
    kode_desa: str
    kecamatan_code: str
    contact: str
    payload: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlaceInfo:
    """A location as a letterhead and a receipt name it."""

    name: str
    kind: str
    address: str


@dataclass(frozen=True, slots=True)
class OfficerInfo:
    """The officer named on a receipt."""

    full_name: str
    nip: str


class RegisterEntry(NamedTuple):
    """One line of the register of voided and reprinted numbers."""

    number: str
    event: RegisterEvent
    reason: str
    actor: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class IssueResult:
    """What issuing produced: the request's new state and the certificate number, if any."""

    request_id: int
    request_number: str
    status: Status
    certificate_number: str | None
    verification_code: str | None


@dataclass(frozen=True, slots=True)
class ReadyBatch:
    """A print-ready batch: one PDF and the certificate numbers in it, in order."""

    pdf: bytes
    numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SigningInfo:
    """The office's configured signing certificate, as an administrator sees it."""

    subject: str
    valid_until: dt.datetime
    timestamp_url: str = ""
    """The RFC 3161 timestamp server signatures ask ("" for none)."""

    @property
    def level(self) -> str:
        """The PAdES level signatures reach: B-B without a timestamp server, else B-T (B-LT
        when the chains validate offline).
        """
        return "B-T" if self.timestamp_url else "B-B"


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A certificate as the section head sees it before voiding or reissuing it."""

    number: str
    template: str
    title: str
    request_number: str
    service_name: str
    subject_name: str
    issued_at: dt.datetime
    print_count: int
    voided_at: dt.datetime | None
    void_reason: str

    @property
    def voided(self) -> bool:
        """Whether the certificate is voided already."""
        return self.voided_at is not None
