"""Issuing, printing, voiding and verifying documents (operations layer).

Every user action is one transaction: issuing moves the request to ``issued``, allocates the
registration number from a counter row locked for update, records the document and writes the
audit log together. Every PDF handed out is sealed with the office's Ed25519 key (and signed
with its PKCS#12 certificate when one is configured) and its SHA-256 is stored, so ``verify``
recognises an exact copy and refuses an altered one — with the database, or offline with the
published public key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import (
    AppUser,
    DocumentFile,
    IssuedDocument,
    Location,
    NumberRegister,
    OfficeSetting,
    ServiceRequest,
)
from disdukcapil_desk.db.repositories import counters
from disdukcapil_desk.db.repositories import documents as repo
from disdukcapil_desk.domain.akta_number import (
    CounterKey,
    akta_counter,
    format_akta_number,
    format_skpwni_number,
    skpwni_counter,
)
from disdukcapil_desk.domain.catalogue import Service
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.documents import (
    CHANNEL_NAMES,
    CHECK_STATE_LABELS,
    DISPLAY_CODE_LENGTH,
    CertificateData,
    CertificateTemplate,
    ChecklistItem,
    DocumentCheck,
    DocumentKind,
    Letterhead,
    ReceiptData,
    ScanResult,
    Signer,
    Verification,
    VerifyReport,
    code_is_valid,
    embedded_documents,
    fill_lines,
    key_fingerprint,
    load_public_key,
    load_templates,
    parse_qr_payload,
    parse_typed_code,
    public_key_pem,
    seal,
    seal_state,
    sha256_hex,
    signing_key,
    verification_code,
)
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError, NotFound, PermissionDenied, WorkflowError
from disdukcapil_desk.domain.intake import same_person
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.numbering import normalize_request_number
from disdukcapil_desk.domain.office import OfficeSettings, settings_from
from disdukcapil_desk.domain.workflow import Action, Permission, Status, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.paths import resource_path
from disdukcapil_desk.reports.certificate import render_batch
from disdukcapil_desk.reports.receipt import render_receipt as draw_receipt_pdf
from disdukcapil_desk.reports.signing import (
    SigningIdentity,
    check_signature,
    load_identity,
    sign_pdf,
)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
_PURPOSES = ("print", "save", "reprint")
_SKPWNI_SERVICES = frozenset({"pindah_keluar_skpwni"})


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


@dataclass(frozen=True, slots=True)
class IssueResult:
    """What issuing produced: the request's new state and the certificate number, if any."""

    request_id: int
    request_number: str
    status: Status
    certificate_number: str | None
    verification_code: str | None


class DocumentOps:
    """Receipts and certificates: issue, render, print, reprint, void, verify."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx
        self._queue = QueueOps(ctx)
        self._identity: tuple[bytes, SigningIdentity] | None = None

    @cached_property
    def templates(self) -> dict[str, CertificateTemplate]:
        """The certificate templates by service code (``resources/templates``)."""
        return load_templates(resource_path("templates/certificates.json"))

    # -- issuing ---------------------------------------------------------------------------

    def issue(
        self, actor: Actor, request_id: int, *, expected_version: int | None = None
    ) -> IssueResult:
        """Issue an approved request: status, number, document record and audit in one go.

        Raises:
            PermissionDenied / WorkflowError: the actor may not issue, or the request is not
                approved.
        """
        with self._ctx.unit_of_work() as session:
            request = self._queue.transition_in(
                session, actor, request_id, Action.ISSUE, expected_version=expected_version
            )
            document = self._new_certificate(session, actor, request)
            return IssueResult(
                request.id,
                request.number,
                Status(request.status),
                document.number if document else None,
                document.verification_code if document else None,
            )

    def reissue(self, actor: Actor, number: str, reason: str) -> IssueResult:
        """Void a certificate and issue its request a new one with a new number."""
        with self._ctx.unit_of_work() as session:
            old = self._void_in(session, actor, number, reason)
            request = repo.request_of(session, old)
            document = self._new_certificate(session, actor, request)
            assert document is not None
            return IssueResult(
                request.id,
                request.number,
                Status(request.status),
                document.number,
                document.verification_code,
            )

    def _new_certificate(
        self, session: Session, actor: Actor, request: ServiceRequest
    ) -> IssuedDocument | None:
        template = self.templates.get(request.service_code)
        if template is None:
            return None
        now = self._ctx.clock()
        today = office_date(now)
        key, formatter = self._number_for(request, today)
        number = formatter(counters.allocate(session, key.kind, key.scope, key.period))
        payload = _payload(request)
        fields = {name: str(payload.get(name) or "") for name in template.key_fields}
        fields["_issued_on"] = today.isoformat()
        document = self._add_document(
            session, actor, request, DocumentKind.CERTIFICATE, template.code, number, fields
        )
        record(
            self._ctx,
            session,
            actor,
            "issue_document",
            "issued_document",
            number,
            after={"request": request.number, "template": template.code},
        )
        return document

    def _number_for(
        self, request: ServiceRequest, today: dt.date
    ) -> tuple[CounterKey, Callable[[int], str]]:
        regency = self._ctx.reference.wilayah.kabupaten_code
        if request.service_code in _SKPWNI_SERVICES:
            return skpwni_counter(regency, today), lambda n: format_skpwni_number(regency, today, n)
        service = self._ctx.reference.catalogue.get(request.service_code)
        type_code = service.akta_type_for(late=_is_late(service, request))
        if type_code is None:
            raise WorkflowError(f"Layanan {service.name} tidak punya kode jenis akta")
        return akta_counter(regency, type_code, today), lambda n: format_akta_number(
            regency, type_code, today, n
        )

    def _add_document(
        self,
        session: Session,
        actor: Actor,
        request: ServiceRequest,
        kind: DocumentKind,
        template: str,
        number: str,
        fields: dict[str, str],
    ) -> IssuedDocument:
        key = self._signing_key(session, actor.login)
        document = IssuedDocument(
            service_request_id=request.id,
            kind=kind.value,
            template=template,
            number=number,
            location_code=request.location_code,
            verification_code=verification_code(key, kind, number, fields),
            fields=json.dumps(fields, sort_keys=True, ensure_ascii=False),
            print_count=0,
            reprint_count=0,
            created_at=self._ctx.clock(),
            created_by=actor.login,
        )
        session.add(document)
        session.flush()
        return document

    def set_opening_offset(
        self, actor: Actor, service_code: str, year: int, offset: int, *, late: bool = False
    ) -> None:
        """Start an akta (or SKPWNI) series of a year after the last number used on paper.

        Raises:
            PermissionDenied: the actor is not an administrator.
            WorkflowError: the series has handed out numbers already, or the offset is negative.
        """
        require(actor, Permission.MANAGE_OFFICE)
        if offset < 0:
            raise WorkflowError("Nomor terakhir tidak boleh negatif")
        regency = self._ctx.reference.wilayah.kabupaten_code
        day = dt.date(year, 1, 1)
        if service_code in _SKPWNI_SERVICES:
            key = skpwni_counter(regency, day)
        else:
            type_code = self._ctx.reference.catalogue.get(service_code).akta_type_for(late=late)
            if type_code is None:
                raise DeskError(f"Layanan {service_code} tidak punya nomor akta")
            key = akta_counter(regency, type_code, day)
        with self._ctx.unit_of_work() as session:
            if not counters.set_opening_offset(session, key.kind, key.scope, key.period, offset):
                raise WorkflowError(
                    f"Seri {key.scope} tahun {year} sudah memakai nomor; nomor awalnya tidak dapat "
                    "diubah lagi"
                )
            record(
                self._ctx,
                session,
                actor,
                "number_offset",
                "number_counter",
                f"{key.kind}/{key.scope}/{key.period}",
                after={"opening_offset": offset},
            )

    # -- rendering and printing -------------------------------------------------------------

    def render_receipt(
        self,
        actor: Actor,
        request_number: str,
        *,
        slip: bool = False,
        purpose: str = "print",
        reason: str = "",
    ) -> bytes:
        """Return the sealed receipt PDF of a request and record it (print, save or reprint).

        Raises:
            NotFound: no such request.
            WorkflowError: a reprint without a reason.
        """
        require(actor, Permission.PRINT)
        with self._ctx.unit_of_work() as session:
            request = self._request(session, actor, request_number)
            document = repo.find(session, DocumentKind.RECEIPT.value, request.number)
            if document is None:
                document = self._add_document(
                    session,
                    actor,
                    request,
                    DocumentKind.RECEIPT,
                    "receipt",
                    request.number,
                    _receipt_fields(request),
                )
            self._count(session, actor, document, purpose, reason)
            data = self._receipt_data(session, actor, request, document)
            pdf = self._sealed(session, actor, draw_receipt_pdf(data, slip=slip))
            self._store_file(session, actor, [document], pdf, purpose)
            return pdf

    def render_certificate(
        self, actor: Actor, number: str, *, purpose: str = "print", reason: str = ""
    ) -> bytes:
        """Return the sealed certificate PDF (by certificate or request number) and record it.

        Raises:
            NotFound: no certificate for that number.
            WorkflowError: a reprint without a reason, or a voided certificate.
        """
        require(actor, Permission.PRINT)
        with self._ctx.unit_of_work() as session:
            document = self._certificate(session, actor, number)
            self._count(session, actor, document, purpose, reason)
            draft = self._signing_identity(session) is None
            data = self._certificate_data(session, document, self._settings(session), draft=draft)
            pdf = self._sealed(session, actor, render_batch([data]))
            self._store_file(session, actor, [document], pdf, purpose)
            return pdf

    def receipt_print_count(self, request_number: str) -> int:
        """How often a request's receipt was printed (a further print is a reprint)."""
        with self._ctx.reading() as session:
            document = repo.find(session, DocumentKind.RECEIPT.value, request_number.upper())
            return document.print_count if document is not None else 0

    def print_ready(
        self,
        actor: Actor,
        location_code: str,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> bytes | None:
        """Return every issued-but-never-printed certificate of a location as one PDF, counted
        as printed at once (the command line: writing the file is the print job).

        None when there is nothing to print or the batch was cancelled (nothing counted).
        """
        batch = self.ready_batch(actor, location_code, progress, cancelled, count=True)
        return batch.pdf if batch is not None else None

    def ready_batch(
        self,
        actor: Actor,
        location_code: str,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        *,
        count: bool = False,
    ) -> ReadyBatch | None:
        """Every issued-but-never-printed certificate of a location as one PDF.

        Without ``count`` nothing is counted yet: the desk calls :meth:`record_print` once the
        printer took the job, so a cancelled print dialog leaves the batch waiting.
        """
        require(actor, Permission.PRINT)
        with self._ctx.unit_of_work() as session:
            documents = repo.unprinted(session, location_code, DocumentKind.CERTIFICATE.value)
            if not documents:
                return None
            settings = self._settings(session)
            draft = self._signing_identity(session) is None
            data = [self._certificate_data(session, d, settings, draft=draft) for d in documents]
            pdf = render_batch(data, progress, cancelled)
            if cancelled is not None and cancelled():
                session.rollback()
                return None
            for document in documents if count else ():
                self._count(session, actor, document, "print", "")
            pdf = self._sealed(session, actor, pdf)
            self._store_file(session, actor, documents, pdf, "batch")
            return ReadyBatch(pdf, tuple(d.number for d in documents))

    def record_print(self, actor: Actor, kind: DocumentKind, numbers: Sequence[str]) -> None:
        """Count documents as printed (and audit it) once the printer took them."""
        require(actor, Permission.PRINT)
        with self._ctx.unit_of_work() as session:
            for number in numbers:
                document = repo.find(session, kind.value, number)
                if document is None:
                    raise NotFound(f"Dokumen {number} tidak ditemukan")
                self._count(session, actor, document, "print", "")

    def void(self, actor: Actor, number: str, reason: str) -> None:
        """Void a certificate (section heads only); the number stays in the register."""
        with self._ctx.unit_of_work() as session:
            self._void_in(session, actor, number, reason)

    def register(
        self, number: str | None = None, *, limit: int = 500
    ) -> list[tuple[str, str, str, str, dt.datetime]]:
        """Return the register of voided/reprinted numbers, newest first: (number, event,
        reason, who, when); at most ``limit`` entries.
        """
        with self._ctx.reading() as session:
            return [
                (r.number, r.event, r.reason, r.actor, r.at)
                for r in repo.register_entries(session, number, limit)
            ]

    def numbered_services(self) -> list[tuple[str, str]]:
        """The services whose certificates carry a registration number: (code, name)."""
        catalogue = self._ctx.reference.catalogue
        return [(code, catalogue.get(code).name) for code in sorted(self.templates)]

    def _void_in(self, session: Session, actor: Actor, number: str, reason: str) -> IssuedDocument:
        require(actor, Permission.VOID)
        if not reason.strip():
            raise WorkflowError("Alasan pembatalan wajib diisi")
        document = repo.find(session, DocumentKind.CERTIFICATE.value, number.strip())
        if document is None:
            raise NotFound(f"Dokumen {number} tidak ditemukan")
        if document.voided_at is not None:
            raise WorkflowError(f"Dokumen {number} sudah dibatalkan")
        document.voided_at = self._ctx.clock()
        document.voided_by = actor.login
        document.void_reason = reason.strip()
        self._register(session, actor, document, "void", reason)
        record(
            self._ctx,
            session,
            actor,
            "void",
            "issued_document",
            document.number,
            detail=reason.strip(),
        )
        return document

    def _count(
        self, session: Session, actor: Actor, document: IssuedDocument, purpose: str, reason: str
    ) -> None:
        if purpose not in _PURPOSES:
            raise ValueError(f"unknown purpose: {purpose}")
        if document.voided_at is not None:
            raise WorkflowError(f"Dokumen {document.number} sudah dibatalkan")
        if purpose == "save":
            return
        if purpose == "reprint":
            if not reason.strip():
                raise WorkflowError("Alasan cetak ulang wajib diisi")
            document.reprint_count += 1
            self._register(session, actor, document, "reprint", reason)
        document.print_count += 1
        record(
            self._ctx,
            session,
            actor,
            purpose,
            "issued_document",
            document.number,
            after={"print_count": document.print_count},
            detail=reason.strip(),
        )

    def _register(
        self, session: Session, actor: Actor, document: IssuedDocument, event: str, reason: str
    ) -> None:
        session.add(
            NumberRegister(
                issued_document_id=document.id,
                kind=document.kind,
                number=document.number,
                event=event,
                reason=reason.strip(),
                actor=actor.login,
                at=self._ctx.clock(),
            )
        )

    def _sealed(self, session: Session, actor: Actor, pdf: bytes) -> bytes:
        sealed = seal(pdf, self._signing_key(session, actor.login))
        identity = self._signing_identity(session)
        if identity is None:
            return sealed
        place = self._settings(session).place_of_issue
        return sign_pdf(sealed, identity, reason="Dokumen resmi Disdukcapil", location=place)

    def _signing_key(self, session: Session, by: str) -> Ed25519PrivateKey:
        return signing_key(repo.document_secret(session, self._ctx.clock(), by))

    def _signing_identity(self, session: Session) -> SigningIdentity | None:
        material = repo.signing_material(session)
        if material is None:
            return None
        fingerprint = hashlib.sha256(material[0] + material[1].encode()).digest()
        if self._identity is None or self._identity[0] != fingerprint:
            self._identity = (fingerprint, load_identity(*material))
        return self._identity[1]

    # -- the office's keys -------------------------------------------------------------------

    def public_key(self) -> bytes:
        """Return the office's public verification key (PEM) to publish for offline checks."""
        with self._ctx.unit_of_work() as session:
            return public_key_pem(self._signing_key(session, "system"))

    def signing_info(self) -> SigningInfo | None:
        """Return the configured signing certificate, or None (certificates print as drafts)."""
        with self._ctx.reading() as session:
            identity = self._signing_identity(session)
        return None if identity is None else SigningInfo(identity.subject, identity.not_after)

    def configure_signing(
        self, actor: Actor, pkcs12: bytes | None, passphrase: str = ""
    ) -> SigningInfo | None:
        """Set (or with None remove) the office's PKCS#12 signing certificate; audited.

        Raises:
            PermissionDenied: the actor is not an administrator.
            DeskError: the file cannot be opened with the passphrase, or it has expired.
        """
        require(actor, Permission.MANAGE_OFFICE)
        info = None
        if pkcs12 is not None:
            identity = load_identity(pkcs12, passphrase)
            if identity.not_after <= self._ctx.clock():
                raise DeskError(f"Sertifikat {identity.subject} sudah kedaluwarsa")
            info = SigningInfo(identity.subject, identity.not_after)
        material = None if pkcs12 is None else (pkcs12, passphrase)
        with self._ctx.unit_of_work() as session:
            repo.store_signing_material(session, material, self._ctx.clock(), actor.login)
            record(
                self._ctx,
                session,
                actor,
                "signing_certificate",
                "office_setting",
                "signing",
                after={"subject": info.subject if info else None},
            )
        return info

    def _store_file(
        self,
        session: Session,
        actor: Actor,
        documents: list[IssuedDocument],
        pdf: bytes,
        purpose: str,
    ) -> None:
        digest = sha256_hex(pdf)
        for document in documents:
            session.add(
                DocumentFile(
                    issued_document_id=document.id,
                    sha256=digest,
                    purpose=purpose,
                    pages=len(documents),
                    created_at=self._ctx.clock(),
                    created_by=actor.login,
                )
            )

    # -- verification ----------------------------------------------------------------------

    def verify_pdf(self, pdf: bytes) -> VerifyReport:
        """Verify a PDF: seal, signature, its SHA-256 in the register and each document it names."""
        digest = sha256_hex(pdf)
        embedded = embedded_documents(pdf)
        with self._ctx.unit_of_work() as session:
            public = self._signing_key(session, "system").public_key()
            identity = self._signing_identity(session)
            files = {f.issued_document_id for f in repo.files_with_hash(session, digest)}
            checks = []
            for item in embedded:
                stored = repo.find(session, item.kind.value, item.number)
                checks.append(_check(public, item, stored))
                if stored is None or stored.id not in files:
                    files.clear()
            registered = bool(embedded) and bool(files)
        roots = identity.trust_roots_der if identity is not None else None
        return _file_report(pdf, digest, public, tuple(checks), registered, roots)

    def verify_scan(self, text: str) -> ScanResult:
        """Check a scanned QR text, or a number and printed code typed from the paper; returns
        the stored key fields to compare with the paper."""
        content = parse_qr_payload(text)
        if content is None:
            return self._verify_typed(text)
        with self._ctx.unit_of_work() as session:
            public = self._signing_key(session, "system").public_key()
            stored = repo.find(session, content.kind.value, content.number)
            fields = json.loads(stored.fields) if stored else {}
            item = Verification(content.kind, content.number, content.code, fields)
            check = _check(public, item, stored)
        return _scan_result(check, self._labelled(fields))

    def _labelled(self, fields: dict[str, str]) -> dict[str, str]:
        """The stored key fields under the words the paper uses, dates as dd-mm-yyyy; no NIK."""
        labels = dict(_INTERNAL_LABELS)
        for service in self._ctx.reference.catalogue:
            for form_field in service.all_fields:
                labels.setdefault(form_field.name, form_field.label)
        return {
            labels.get(key, key.strip("_").replace("_", " ")): _as_paper_date(value)
            for key, value in fields.items()
            if "nik" not in key
        }

    def _verify_typed(self, text: str) -> ScanResult:
        typed = parse_typed_code(text)
        if typed is None:
            return ScanResult(
                None,
                {},
                "Kode QR ini bukan dari Disdukcapil Desk (atau ketik nomor lalu kode "
                "verifikasi yang tercetak, mis. 3604-LU-02112026-0001 ABCD-EFGH-JKLM-NPQR).",
            )
        number, printed = typed
        with self._ctx.unit_of_work() as session:
            public = self._signing_key(session, "system").public_key()
            stored = next(
                (d for k in DocumentKind if (d := repo.find(session, k.value, number))), None
            )
            if stored is None:
                return _scan_result(
                    DocumentCheck(DocumentKind.CERTIFICATE, number, False, False, False), {}
                )
            fields = json.loads(stored.fields)
            item = Verification(DocumentKind(stored.kind), number, stored.verification_code, fields)
            check = _check(public, item, stored)
        # The printed part of the code must match; the stored code must still be the office's.
        check = replace(check, code_valid=check.code_valid and _printed_code_matches(item, printed))
        return _scan_result(check, self._labelled(fields))

    # -- building the plain data -----------------------------------------------------------

    def _request(self, session: Session, actor: Actor, number: str) -> ServiceRequest:
        request = session.scalar(
            select(ServiceRequest).where(ServiceRequest.number == normalize_request_number(number))
        )
        if request is None:
            raise NotFound(f"Permohonan {number} tidak ditemukan")
        if actor.is_upt_officer and request.location_code != actor.location_code:
            raise PermissionDenied("Petugas UPT hanya dapat mencetak dokumen UPT-nya")
        return request

    def _certificate(self, session: Session, actor: Actor, number: str) -> IssuedDocument:
        document = repo.find(session, DocumentKind.CERTIFICATE.value, number.strip())
        if document is None:
            request = session.scalar(
                select(ServiceRequest).where(
                    ServiceRequest.number == normalize_request_number(number)
                )
            )
            if request is not None:
                document = repo.current_for_request(
                    session, request.id, DocumentKind.CERTIFICATE.value
                )
        if document is None:
            raise NotFound(f"Sertifikat untuk {number} tidak ditemukan")
        self._request(session, actor, repo.request_of(session, document).number)
        return document

    def _settings(self, session: Session) -> OfficeSettings:
        return settings_from({s.key: s.value for s in session.scalars(select(OfficeSetting))})

    def _letterhead(
        self, session: Session, location_code: str, settings: OfficeSettings
    ) -> Letterhead:
        location = session.get(Location, location_code)
        unit = location.name if location is not None and location.kind == "upt" else ""
        address = (location.address if location is not None else "") or settings.address
        return Letterhead(settings.government, settings.agency, unit, address, settings.phone)

    def _receipt_data(
        self, session: Session, actor: Actor, request: ServiceRequest, document: IssuedDocument
    ) -> ReceiptData:
        reference = self._ctx.reference
        service = reference.catalogue.get(request.service_code)
        settings = self._settings(session)
        desa = reference.wilayah.desa(request.kode_desa) if request.kode_desa else None
        kecamatan = reference.wilayah.kecamatan(request.kecamatan_code or "")
        officer = session.get(AppUser, actor.user_id) if actor.user_id else None
        states = repo.requirement_states(session, request.id)
        return ReceiptData(
            letterhead=self._letterhead(session, request.location_code, settings),
            number=request.number,
            received_at=request.received_at,
            channel=CHANNEL_NAMES.get(request.channel, request.channel),
            service_name=service.name,
            applicant_name=request.applicant_name,
            nik_masked=mask_number(request.nik),
            kk_masked=mask_number(request.no_kk),
            desa=desa.name if desa else "",
            kecamatan=kecamatan.name if kecamatan else "",
            checklist=tuple(
                ChecklistItem(
                    r.label,
                    CHECK_STATE_LABELS.get(states.get(r.code, "pending"), "-"),
                    r.required,
                )
                for r in service.requirements
            ),
            status=Status(request.status).label,
            due_date=request.sla_due,
            delivery=self._delivery(session, request),
            officer_name=(officer.full_name if officer else actor.full_name) or actor.login,
            officer_nip=officer.nip if officer else "",
            place=settings.place_of_issue,
            printed_at=self._ctx.clock(),
            call_centre=settings.call_centre,
            verification=_verification(document),
            reprint_count=document.reprint_count,
            **_receipt_parties(service, request),
        )

    def _delivery(self, session: Session, request: ServiceRequest) -> str:
        wish = str(_payload(request).get("pengambilan", "")).lower()
        if wish in ("whatsapp", "wa", "pdf") and request.contact:
            return f"PDF dikirim melalui WhatsApp ke {mask_number(request.contact)}"
        location = session.get(Location, request.location_code)
        name = location.name if location else request.location_code
        return f"Diambil di {name} dengan menunjukkan tanda terima ini"

    def _certificate_data(
        self, session: Session, document: IssuedDocument, settings: OfficeSettings, *, draft: bool
    ) -> CertificateData:
        """The plain data of a certificate; ``settings`` and ``draft`` are read once by the
        caller (a batch of a thousand certificates shares them)."""
        request = repo.request_of(session, document)
        template = self.templates[request.service_code]
        values = self._values(request)
        issued_on = office_date(document.created_at)
        return CertificateData(
            template=template.code,
            title=template.title,
            title_en=template.title_en,
            header=fill_lines(template.header, values),
            number_phrase=template.number_phrase,
            number_phrase_en=template.number_phrase_en,
            number=document.number,
            lines=fill_lines(template.lines, values),
            place=settings.place_of_issue,
            issued_on=issued_on,
            signer=_signer(template, settings),
            regency=settings.regency,
            verification=_verification(document),
            draft=draft,
            reprint_count=document.reprint_count,
            show_nationality=template.show_nationality,
            letterhead=self._letterhead(session, request.location_code, settings)
            if template.agency_header
            else None,
        )

    def _values(self, request: ServiceRequest) -> dict[str, str]:
        wilayah = self._ctx.reference.wilayah
        values = {k: "" if v is None else str(v) for k, v in _payload(request).items()}
        desa = wilayah.desa(request.kode_desa) if request.kode_desa else None
        kecamatan = wilayah.kecamatan(request.kecamatan_code or "")
        values["_desa"] = desa.name if desa else ""
        values["_kecamatan"] = kecamatan.name if kecamatan else ""
        values["_kabupaten"] = wilayah.kabupaten_name
        return values


def _payload(request: ServiceRequest) -> dict[str, object]:
    value = json.loads(request.payload)
    return value if isinstance(value, dict) else {}


def _receipt_parties(service: Service, request: ServiceRequest) -> dict[str, str]:
    """The receipt's subject fields: empty when the applicant applies for themself."""
    if same_person(
        (request.applicant_name, request.nik), (request.subject_name, request.subject_nik)
    ):
        return {}
    return {
        "applicant_label": service.applicant.label,
        "subject_name": request.subject_name,
        "subject_label": service.subject_party.label,
        "subject_nik_masked": mask_number(request.subject_nik),
    }


def _receipt_fields(request: ServiceRequest) -> dict[str, str]:
    return {
        "service": request.service_code,
        "applicant": request.applicant_name,
        "received_at": request.received_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "location": request.location_code,
    }


def _is_late(service: Service, request: ServiceRequest) -> bool:
    if service.event_date_field is None or service.report_deadline_days is None:
        return False
    raw = str(_payload(request).get(service.event_date_field, ""))
    try:
        event = dt.date.fromisoformat(raw)
    except ValueError:
        return False
    return (office_date(request.received_at) - event).days > service.report_deadline_days


def _verification(document: IssuedDocument) -> Verification:
    return Verification(
        DocumentKind(document.kind),
        document.number,
        document.verification_code,
        json.loads(document.fields),
    )


def _signer(template: CertificateTemplate, settings: OfficeSettings) -> Signer:
    if template.signer == "head":
        return Signer(
            f"Kepala Dinas Kependudukan dan Pencatatan Sipil {settings.regency}",
            "Head of the Population and Civil Registration Agency",
            settings.head_name,
            settings.head_nip,
        )
    return Signer(
        f"Pejabat Pencatatan Sipil {settings.regency}",
        "Registrar",
        settings.registrar_name,
        settings.registrar_nip,
    )


def _printed_code_matches(item: Verification, printed: str) -> bool:
    """Whether the code printed on the paper is the beginning of the document's code."""
    return len(printed) >= DISPLAY_CODE_LENGTH and item.code.startswith(printed)


_INTERNAL_LABELS = {
    "_issued_on": "Tanggal terbit",
    "_desa": "Desa/kelurahan",
    "_kecamatan": "Kecamatan",
    "_kabupaten": "Kabupaten",
}


def _as_paper_date(value: object) -> str:
    """An ISO date as the paper prints it (dd-mm-yyyy); anything else unchanged."""
    text = str(value)
    try:
        return dt.date.fromisoformat(text).strftime("%d-%m-%Y") if len(text) == 10 else text
    except ValueError:
        return text


def _scan_result(check: DocumentCheck, fields: dict[str, str]) -> ScanResult:
    message = (
        f"{check.number}: SAH — cocokkan data di bawah dengan dokumen."
        if check.ok
        else f"{check.number}: TIDAK SAH."
    )
    return ScanResult(check, fields, message)


def _check(
    public: Ed25519PublicKey, item: Verification, stored: IssuedDocument | None
) -> DocumentCheck:
    valid = code_is_valid(public, item.kind, item.number, item.fields, item.code)
    if stored is None:
        return DocumentCheck(item.kind, item.number, False, valid, False)
    return DocumentCheck(
        item.kind,
        item.number,
        registered=True,
        code_valid=valid and item.code == stored.verification_code,
        fields_match=json.loads(stored.fields) == dict(item.fields),
        voided=stored.voided_at is not None,
    )


def _file_report(
    pdf: bytes,
    digest: str,
    public: Ed25519PublicKey,
    checks: tuple[DocumentCheck, ...],
    registered: bool | None,
    trust_roots_der: tuple[bytes, ...] | None,
) -> VerifyReport:
    sealed = seal_state(pdf, public)
    return VerifyReport(
        sha256=digest,
        seal_valid=sealed.valid,
        file_registered=registered,
        documents=checks,
        signature=check_signature(pdf, trust_roots_der),
        appended=sealed.valid is True and sealed.sealed_length < len(pdf),
        key_fingerprint=key_fingerprint(public),
    )


def verify_offline(
    pdf: bytes, public_key: bytes, trust_roots_der: tuple[bytes, ...] | None = None
) -> VerifyReport:
    """Verify a PDF without the database: the seal, the codes and any signature.

    Args:
        pdf: the file.
        public_key: the office's published public key (PEM).
        trust_roots_der: certificates (DER) to trust for the PAdES signature; None: not judged.

    Raises:
        DeskError: the public key file is not one.
    """
    try:
        public = load_public_key(public_key)
    except ValueError as exc:
        raise DeskError("Berkas kunci publik tidak dapat dibaca") from exc
    checks = tuple(
        DocumentCheck(
            item.kind,
            item.number,
            registered=None,
            code_valid=code_is_valid(public, item.kind, item.number, item.fields, item.code),
            fields_match=None,
            voided=None,
        )
        for item in embedded_documents(pdf)
    )
    return _file_report(pdf, sha256_hex(pdf), public, checks, None, trust_roots_der)
