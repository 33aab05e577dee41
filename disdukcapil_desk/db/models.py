"""The tables of the shared database as typed SQLAlchemy models (db layer).

``schema.sql`` at the top of the repository is the PostgreSQL DDL of exactly these tables; a test
builds a database from it and compares it with these models.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from disdukcapil_desk.db import search_index
from disdukcapil_desk.db.base import Base, BigId, UtcDateTime
from disdukcapil_desk.domain.custody import SigningJobKind, SigningJobState
from disdukcapil_desk.domain.delivery import MessageKind, PickupState, SiakNumberKind
from disdukcapil_desk.domain.documents import DocumentKind, PrintPurpose, RegisterEvent
from disdukcapil_desk.domain.offline import SyncOutcome
from disdukcapil_desk.domain.vocabulary import Channel, CheckState
from disdukcapil_desk.domain.workflow import Status

SCHEMA_VERSION = 9
"""The schema version this code creates and understands; migrations lead up to it."""


def one_of(column: str, vocabulary: type[enum.StrEnum]) -> CheckConstraint:
    """A CHECK that ``column`` holds one of the values of ``vocabulary``, named after the column.

    The domain's enum is the one home of a vocabulary: a new value is one line there (and a
    migration of the constraint), and a misspelt value fails at the database, not later.
    """
    values = ", ".join(f"'{member.value}'" for member in vocabulary)
    return CheckConstraint(f"{column} IN ({values})", name=column)


class SchemaVersion(Base):
    """One row per schema version applied; the highest is the database's version."""

    __tablename__ = "schema_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    applied_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    description: Mapped[str] = mapped_column(String(200))


class Location(Base):
    """An office where requests are handled: the dinas or a UPT."""

    __tablename__ = "location"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (CheckConstraint("kind IN ('dinas', 'upt')", name="kind"),)


class LocationKecamatan(Base):
    """Which UPT covers a kecamatan; a kecamatan is covered by at most one UPT."""

    __tablename__ = "location_kecamatan"

    kecamatan_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    location_code: Mapped[str] = mapped_column(ForeignKey("location.code"), index=True)


class Service(Base):
    """A layanan of the catalogue, as loaded into the database (SLA editable by the admin)."""

    __tablename__ = "service"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    service_group: Mapped[str] = mapped_column(String(40))
    sla_days: Mapped[int] = mapped_column(SmallInteger)
    handled_at_dinas: Mapped[bool] = mapped_column(Boolean)
    handled_at_upt: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AppUser(Base):
    """A desk user; passwords are stored only as salted slow hashes."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str] = mapped_column(String(30), default="")
    role: Mapped[str] = mapped_column(String(20))
    location_code: Mapped[str | None] = mapped_column(ForeignKey("location.code"))
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    """Set by an administrator's reset: the next login must choose a new password."""


class IncomingRequest(Base):
    """A request as written by a channel (the intake contract); the desk writes only 3 columns."""

    __tablename__ = "incoming_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_ref: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    sender: Mapped[str] = mapped_column(String(200))
    service_code: Mapped[str] = mapped_column(String(60))
    location_code: Mapped[str | None] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)
    reply_to_number: Mapped[str | None] = mapped_column(String(40))
    ingested_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ingest_error: Mapped[str | None] = mapped_column(Text)
    service_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_request.id"), index=True
    )

    __table_args__ = (
        UniqueConstraint("channel", "external_ref"),
        one_of("channel", Channel),
        Index(
            "ix_incoming_request_pending",
            "id",
            postgresql_where=text("ingested_at IS NULL"),
            sqlite_where=text("ingested_at IS NULL"),
        ),
    )


class IncomingAttachment(Base):
    """A file sent with an incoming request (intake contract)."""

    __tablename__ = "incoming_attachment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incoming_request_id: Mapped[int] = mapped_column(ForeignKey("incoming_request.id"), index=True)
    kind: Mapped[str | None] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)


RECAP_INDEX_COLUMNS = (
    "received_at",
    "service_code",
    "location_code",
    "kecamatan_code",
    "kode_desa",
    "channel",
    "status",
    "sla_due",
    "closed_at",
    "updated_at",
    "issued_at",
    "number",
)
"""What the recap's aggregates read of a request, the period's range first (its covering
index). ``number``: the officers' figures join the audit log by it."""


class ServiceRequest(Base):
    """A permohonan: the unit of work of the desk."""

    __tablename__ = "service_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("service.code"))
    location_code: Mapped[str] = mapped_column(ForeignKey("location.code"))
    channel: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    contact: Mapped[str] = mapped_column(String(200))
    nik: Mapped[str] = mapped_column(String(40), default="")
    no_kk: Mapped[str] = mapped_column(String(40), default="")
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    """Who applies and is addressed (``nik`` is theirs): for a death, the pelapor."""
    subject_nik: Mapped[str] = mapped_column(String(40), default="")
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    """Whom the document is about (the deceased, the child); the applicant when the same."""
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1), default="")
    kode_desa: Mapped[str] = mapped_column(String(10), default="")
    kecamatan_code: Mapped[str] = mapped_column(String(6), default="")
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sla_due: Mapped[dt.date] = mapped_column(Date)
    citizen_message: Mapped[str | None] = mapped_column(Text)
    resubmission_count: Mapped[int] = mapped_column(Integer, default=0)
    possible_duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(60))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    issued_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """When the document was first issued (the time of that ``issue`` audit entry)."""

    __table_args__ = (
        one_of("status", Status),
        # The queue of a location, oldest first, with keyset paging on (received_at, id).
        Index("ix_service_request_queue", "location_code", "status", "received_at", "id"),
        Index("ix_service_request_received", "received_at", "id"),
        # One status over every location in date order ("Baru" at the dinas' overview).
        Index("ix_service_request_status_received", "status", "received_at", "id"),
        # The whole history of one office in order ("Semua status"): no sort of every row.
        Index("ix_service_request_location_received", "location_code", "received_at", "id"),
        Index("ix_service_request_nik", "nik"),
        Index("ix_service_request_name", "applicant_name"),
        Index("ix_service_request_subject_nik", "subject_nik"),
        Index("ix_service_request_lease", "status", "lease_expires_at"),
        Index("ix_service_request_sla", "sla_due"),
        # The recap's aggregates read the period's range of this index, never the wide rows
        # (``migrations/v6_recap.py``, ``v9_recap.py``).
        Index("ix_service_request_recap", *RECAP_INDEX_COLUMNS),
    )


class RequestAttachment(Base):
    """Links an incoming attachment to the request it belongs to (bytes stay in intake)."""

    __tablename__ = "request_attachment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    incoming_attachment_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_attachment.id"), unique=True
    )
    requirement_code: Mapped[str | None] = mapped_column(String(60))


class RequirementCheck(Base):
    """The officer's verdict on one requirement (persyaratan) of a request."""

    __tablename__ = "requirement_check"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"))
    requirement_code: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    checked_by: Mapped[str | None] = mapped_column(String(60))
    checked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("service_request_id", "requirement_code"),
        one_of("state", CheckState),
    )


class RequestFinding(Base):
    """An automatic or officer-made finding on a request's data."""

    __tablename__ = "request_finding"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10))
    field: Mapped[str] = mapped_column(String(60), default="")
    message: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="auto")
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class NumberCounter(Base):
    """A counter for numbers (requests, receipts, akta) per kind, scope and period."""

    __tablename__ = "number_counter"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    scope: Mapped[str] = mapped_column(String(30), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
    opening_offset: Mapped[int] = mapped_column(Integer, default=0)


class OfficeSetting(Base):
    """Office-wide settings (signers, letterhead, offsets) kept in the shared database."""

    __tablename__ = "office_setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(60))


class AuditLog(Base):
    """Append-only log; each entry carries the hash of the previous one so tampering shows, and
    a MAC of its hash under a key the database does not hold, so a rewritten chain shows too.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(60))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    mac: Mapped[str | None] = mapped_column(String(64))
    """HMAC-SHA256 of ``hash`` with the office's audit key (kept outside the database); NULL
    for entries written before the office had a key."""
    chain: Mapped[int] = mapped_column(SmallInteger)
    """The chain the entry links into (an ``audit_head`` row); ``prev_hash`` is the hash of the
    previous entry of the same chain. Chain 1 holds every entry written before version 6."""

    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_key"),
        Index("ix_audit_log_chain", "chain", "id"),
    )


class AuditHead(Base):
    """One row per audit chain: it serialises the appends to that chain and holds the chain's
    last entry. A writer takes any chain no one else is writing to, so workstations append in
    parallel; chain 1 always exists, the others are added when every chain is busy.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigId, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (CheckConstraint("id >= 1", name="chain_number"),)


class IssuedDocument(Base):
    """A document the desk produced for a request: its receipt or its certificate.

    ``number`` is the request number for a receipt and the registration number (akta number,
    SKPWNI number) for a certificate; ``fields`` holds the canonical key fields (JSON) the
    ``verification_code`` was computed over, so a scanned QR can be checked again later.
    """

    __tablename__ = "issued_document"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    template: Mapped[str] = mapped_column(String(60))
    number: Mapped[str] = mapped_column(String(60))
    location_code: Mapped[str] = mapped_column(ForeignKey("location.code"))
    verification_code: Mapped[str] = mapped_column(String(120))
    fields: Mapped[str] = mapped_column(Text)
    print_count: Mapped[int] = mapped_column(Integer, default=0)
    reprint_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(60))
    voided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    voided_by: Mapped[str | None] = mapped_column(String(60))
    void_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("kind", "number"),
        one_of("kind", DocumentKind),
        Index("ix_issued_document_unprinted", "location_code", "kind", "print_count"),
    )


class DocumentFile(Base):
    """One PDF the desk produced (issue, print, reprint, save, batch) and its SHA-256."""

    __tablename__ = "document_file"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issued_document_id: Mapped[int] = mapped_column(ForeignKey("issued_document.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    pages: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(60))

    __table_args__ = (one_of("purpose", PrintPurpose),)


class NumberRegister(Base):
    """The register of voided and reprinted numbers: what, why and who."""

    __tablename__ = "number_register"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issued_document_id: Mapped[int] = mapped_column(ForeignKey("issued_document.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(60), index=True)
    event: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(60))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (one_of("event", RegisterEvent),)


class SealKey(Base):
    """The public half of every seal key the office has used: the current one (not retired)
    and the retired ones, which keep verifying the documents they sealed. Never a private key.
    """

    __tablename__ = "seal_key"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(60))
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class SigningJob(Base):
    """A document waiting for the signing service (PostgreSQL): workstations hold no key.

    The workstation inserts the job and waits; the service claims it (``FOR UPDATE SKIP
    LOCKED``), signs with the keys only it holds and writes the result; the workstation reads
    it and deletes the row.
    """

    __tablename__ = "signing_job"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    location: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(60))
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (one_of("kind", SigningJobKind), one_of("state", SigningJobState))


class SiakNumber(Base):
    """A number SIAK gave a request (akta registration number, new NIK, new KK number).

    One number of a kind belongs to one request only: the unique key refuses recording the
    same akta number on a second request, on either database, even from two workstations.
    """

    __tablename__ = "siak_number"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(60))

    __table_args__ = (
        UniqueConstraint("kind", "value"),
        UniqueConstraint("service_request_id", "kind"),
        one_of("kind", SiakNumberKind),
    )


class SignedDocument(Base):
    """The PDF signed electronically (TTE) for a request, as attached from SIAK or signed by
    the desk: the bytes sent to the citizen, their SHA-256 and who signed them.
    """

    __tablename__ = "signed_document"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    signer: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(10))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    attached_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    attached_by: Mapped[str] = mapped_column(String(60))
    replaced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """Set when a corrected PDF replaced this one; the current one has NULL."""


class OutgoingMessage(Base):
    """A message to the citizen (the outbox contract): written by the desk in the transaction
    of the change it tells of; claimed, sent and reported on by the channel bots.
    """

    __tablename__ = "outgoing_message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(60))
    not_before: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    fail_reason: Mapped[str | None] = mapped_column(Text)
    external_ref: Mapped[str | None] = mapped_column(String(200))
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("outgoing_message.id"))
    """A failed message an officer resent or corrected points at its replacement."""

    __table_args__ = (
        one_of("channel", Channel),
        one_of("kind", MessageKind),
        UniqueConstraint("channel", "external_ref"),
        # What the bots claim: unsent, not failed, in order.
        Index(
            "ix_outgoing_message_pending",
            "channel",
            "id",
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
        # The office's undelivered list: failed and not replaced.
        Index(
            "ix_outgoing_message_failed",
            "failed_at",
            postgresql_where=text("failed_at IS NOT NULL AND replaced_by IS NULL"),
            sqlite_where=text("failed_at IS NOT NULL AND replaced_by IS NULL"),
        ),
    )


class OutgoingAttachment(Base):
    """A file sent with an outgoing message (the signed PDF)."""

    __tablename__ = "outgoing_attachment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outgoing_message_id: Mapped[int] = mapped_column(ForeignKey("outgoing_message.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class PickupSlot(Base):
    """One pickup window of an office and how many appointments it holds.

    ``booked`` is raised by one conditional UPDATE (``booked < capacity``) and the CHECK
    refuses more, so two workstations can never overbook a window.
    """

    __tablename__ = "pickup_slot"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    location_code: Mapped[str] = mapped_column(ForeignKey("location.code"))
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("location_code", "starts_at"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="within_capacity"),
    )


class PickupBooking(Base):
    """A citizen's appointment to collect a card or paper document."""

    __tablename__ = "pickup_booking"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    pickup_slot_id: Mapped[int] = mapped_column(ForeignKey("pickup_slot.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    booked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    booked_by: Mapped[str] = mapped_column(String(60))
    rebooked_from: Mapped[int | None] = mapped_column(ForeignKey("pickup_booking.id"))
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    checked_in_by: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (one_of("state", PickupState),)


class NumberBlock(Base):
    """Request numbers of one office and day reserved by one workstation to use offline.

    Reserved from the office's ``number_counter`` of that day (so intake and every other
    workstation number past it) while the workstation is online; a walk-in registered offline
    takes the next number of its block and keeps it when the journal is replayed.
    """

    __tablename__ = "number_block"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    location_code: Mapped[str] = mapped_column(ForeignKey("location.code"))
    period: Mapped[str] = mapped_column(String(10))
    workstation: Mapped[str] = mapped_column(String(80))
    first_value: Mapped[int] = mapped_column(Integer)
    last_value: Mapped[int] = mapped_column(Integer)
    reserved_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reserved_by: Mapped[str] = mapped_column(String(60))

    __table_args__ = (
        UniqueConstraint("location_code", "period", "first_value"),
        Index("ix_number_block_workstation", "workstation", "period"),
        CheckConstraint("first_value >= 1 AND last_value >= first_value", name="ordered"),
    )


class OfflineApplied(Base):
    """One journal entry of an offline workstation as the server settled it: written in the
    transaction that applies it, so an entry is never applied twice (a sync killed halfway
    resumes after the last entry written here).
    """

    __tablename__ = "offline_applied"

    workstation: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    request_number: Mapped[str] = mapped_column(String(40), default="")
    result_version: Mapped[int | None] = mapped_column(Integer)
    actor_login: Mapped[str] = mapped_column(String(60))
    made_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    """When the officer acted, offline (the workstation's clock)."""
    applied_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (one_of("outcome", SyncOutcome),)


search_index.attach(ServiceRequest.__table__)
