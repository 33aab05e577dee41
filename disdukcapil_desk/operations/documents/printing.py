"""Printing: receipts, certificates, the print-ready batch, and counting what was printed.

Every PDF handed out is sealed (and signed with a configured certificate), its SHA-256 stored,
and a print or reprint counted and audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import documents as repo
from disdukcapil_desk.db.repositories import setup as setup_repo
from disdukcapil_desk.domain.catalogue import Service
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.document_records import (
    Cancelled,
    DocumentRequest,
    Progress,
    ReadyBatch,
    StoredDocument,
)
from disdukcapil_desk.domain.documents import (
    CHANNEL_NAMES,
    CHECK_STATE_LABELS,
    AlreadyPrinted,
    CertificateData,
    CertificateTemplate,
    ChecklistItem,
    DocumentKind,
    DocumentSeal,
    Letterhead,
    PrintPurpose,
    ReceiptData,
    Signer,
    fill_lines,
    maker_key_id,
    require_signer,
)
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import NotFound
from disdukcapil_desk.domain.intake import same_person
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.office import OfficeSettings
from disdukcapil_desk.domain.workflow import Permission, Status, require
from disdukcapil_desk.operations.boundaries import check_office
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents.records import DocumentRecords
from disdukcapil_desk.operations.documents.signing import DocumentSigning, office_settings
from disdukcapil_desk.reports.certificate import render_batch
from disdukcapil_desk.reports.receipt import render_receipt as draw_receipt_pdf

_DEFAULTS = OfficeSettings()
_NOTHING_TO_COLLECT = (Status.REJECTED, Status.CANCELLED)
"""A receipt of a request in these states promises no date and no pickup."""


class DocumentPrinting:
    """Render, seal, record and count receipts and certificates."""

    def __init__(
        self, ctx: DeskContext, records: DocumentRecords, signing: DocumentSigning
    ) -> None:
        """Bind to the desk context, the records and the office's keys."""
        self._ctx = ctx
        self._records = records
        self._signing = signing

    def render_receipt(
        self,
        actor: Actor,
        request_number: str,
        *,
        slip: bool = False,
        purpose: PrintPurpose | str = PrintPurpose.PRINT,
        reason: str = "",
    ) -> bytes:
        """Return the sealed receipt PDF of a request and record it (print, save or reprint).

        Raises:
            NotFound: no such request.
            WorkflowError: a reprint without a reason; ``AlreadyPrinted``: a print of a receipt
                printed before (that is a reprint, with its reason).
        """
        require(actor, Permission.PRINT)
        purpose = PrintPurpose(purpose)
        with self._ctx.unit_of_work() as session:
            request = self._records.request(session, actor, request_number)
            document = repo.find(session, DocumentKind.RECEIPT, request.number)
            if document is None:
                document = self._records.add(
                    session,
                    actor,
                    request,
                    DocumentKind.RECEIPT,
                    "receipt",
                    request.number,
                    _receipt_fields(request),
                )
            _refuse_second_print(document, purpose, "Tanda terima")
            document = self._records.count(session, actor, document, purpose, reason)
            data = self._receipt_data(session, actor, request, document)
            pdf = self._signing.sealed(session, actor, draw_receipt_pdf(data, slip=slip))
            self._records.store_file(session, actor, [document], pdf, purpose)
            return pdf

    def render_certificate(
        self,
        actor: Actor,
        number: str,
        *,
        purpose: PrintPurpose | str = PrintPurpose.PRINT,
        reason: str = "",
    ) -> bytes:
        """Return the sealed certificate PDF (by certificate or request number) and record it.

        Raises:
            NotFound: no certificate for that number.
            WorkflowError: a reprint without a reason, or a voided certificate;
                ``AlreadyPrinted``: a print of a certificate printed before.
            DeskError: a signing certificate is installed but the signer is not named.
        """
        require(actor, Permission.PRINT)
        purpose = PrintPurpose(purpose)
        with self._ctx.unit_of_work() as session:
            document = self._records.certificate(session, actor, number)
            _refuse_second_print(document, purpose, "Sertifikat")
            document = self._records.count(session, actor, document, purpose, reason)
            draft = not self._signing.signs(session)
            data = self.certificate_data(session, document, office_settings(session), draft=draft)
            pdf = self._signing.sealed(session, actor, render_batch([data]))
            self._records.store_file(session, actor, [document], pdf, purpose)
            return pdf

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

        Raises:
            NotFound: no office has the code ``location_code``.
        """
        require(actor, Permission.PRINT)
        check_office(actor, location_code)
        with self._ctx.unit_of_work() as session:
            if setup_repo.location_kind(session, location_code) is None:
                raise NotFound(f"Lokasi '{location_code}' tidak dikenal")
            documents = repo.unprinted(session, location_code, DocumentKind.CERTIFICATE)
            if not documents:
                return None
            settings = office_settings(session)
            draft = not self._signing.signs(session)
            keys = self._signing.verification_keys(session)
            data = [
                self.certificate_data(session, d, settings, draft=draft, keys=keys)
                for d in documents
            ]
            pdf = render_batch(data, progress, cancelled)
            if cancelled is not None and cancelled():
                session.rollback()
                return None
            for document in documents if count else ():
                self._records.count(session, actor, document, PrintPurpose.PRINT, "")
            pdf = self._signing.sealed(session, actor, pdf)
            self._records.store_file(session, actor, documents, pdf, PrintPurpose.BATCH)
            return ReadyBatch(pdf, tuple(d.number for d in documents))

    def record_print(self, actor: Actor, kind: DocumentKind, numbers: Sequence[str]) -> None:
        """Count documents as printed (and audit it) once the printer took them."""
        require(actor, Permission.PRINT)
        with self._ctx.unit_of_work() as session:
            for number in numbers:
                document = repo.find(session, kind, number)
                if document is None:
                    raise NotFound(f"Dokumen {number} tidak ditemukan")
                self._records.document_request(session, actor, document)
                self._records.count(session, actor, document, PrintPurpose.PRINT, "")

    # -- the plain data the reports draw -------------------------------------------------------

    def certificate_data(
        self,
        session: Session,
        document: StoredDocument,
        settings: OfficeSettings,
        *,
        draft: bool,
        keys: Mapping[str, Ed25519PublicKey] | None = None,
    ) -> CertificateData:
        """The plain data of a certificate; ``settings``, ``draft`` and the office's
        verification ``keys`` are read once by the caller (a batch of a thousand certificates
        shares them; without ``keys`` they are read here).

        Raises:
            DeskError: a final (signed, not ``draft``) certificate whose signer the office has
                not named: no signed document says "(nama pejabat belum diatur)".
        """
        if keys is None:
            keys = self._signing.verification_keys(session)
        request = repo.request(session, document.request_id)
        template = self._ctx.reference.certificates[request.service_code]
        values = self._values(request)
        signed_by = signer(template, settings)
        if not draft:
            require_signer(signed_by)
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
            issued_on=office_date(document.created_at),
            signer=signed_by,
            regency=settings.regency,
            verification=_verification(document, keys),
            draft=draft,
            reprint_count=document.reprint_count,
            show_nationality=template.show_nationality,
            letterhead=self._letterhead(session, request.location_code, settings)
            if template.agency_header
            else None,
            created_at=self._ctx.now(session),
        )

    def _receipt_data(
        self,
        session: Session,
        actor: Actor,
        request: DocumentRequest,
        document: StoredDocument,
    ) -> ReceiptData:
        reference = self._ctx.reference
        service = reference.catalogue.get(request.service_code)
        settings = office_settings(session)
        desa = reference.wilayah.desa(request.kode_desa) if request.kode_desa else None
        kecamatan = reference.wilayah.kecamatan(request.kecamatan_code)
        officer = repo.officer(session, actor.user_id) if actor.user_id else None
        states = repo.requirement_states(session, request.id)
        closed = request.status in _NOTHING_TO_COLLECT
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
            status=request.status.label,
            due_date=None if closed else request.sla_due,
            delivery="" if closed else self._delivery(session, request),
            officer_name=_officer_name(actor, officer.full_name if officer else ""),
            officer_nip=officer.nip if officer else "",
            place=settings.place_of_issue,
            printed_at=self._ctx.now(session),
            call_centre=settings.call_centre,
            verification=_verification(document, self._signing.verification_keys(session)),
            reprint_count=document.reprint_count,
            **_receipt_parties(service, request),
        )

    def _letterhead(
        self, session: Session, location_code: str, settings: OfficeSettings
    ) -> Letterhead:
        place = repo.place(session, location_code)
        unit = place.name if place is not None and place.kind == "upt" else ""
        address = (place.address if place is not None else "") or settings.address
        return Letterhead(settings.government, settings.agency, unit, address, settings.phone)

    def _delivery(self, session: Session, request: DocumentRequest) -> str:
        wish = str(request.payload.get("pengambilan", "")).lower()
        if wish in ("whatsapp", "wa", "pdf") and request.contact:
            return f"PDF dikirim melalui WhatsApp ke {mask_number(request.contact)}"
        place = repo.place(session, request.location_code)
        name = place.name if place else request.location_code
        return f"Diambil di {name} dengan menunjukkan tanda terima ini"

    def _values(self, request: DocumentRequest) -> dict[str, str]:
        wilayah = self._ctx.reference.wilayah
        values = {k: "" if v is None else str(v) for k, v in request.payload.items()}
        desa = wilayah.desa(request.kode_desa) if request.kode_desa else None
        kecamatan = wilayah.kecamatan(request.kecamatan_code)
        values["_desa"] = desa.name if desa else ""
        values["_kecamatan"] = kecamatan.name if kecamatan else ""
        values["_kabupaten"] = wilayah.kabupaten_name
        return values


def signer(template: CertificateTemplate, settings: OfficeSettings) -> Signer:
    """Who signs a certificate: the head of the dinas or the registrar, as the office set them
    (a title left empty prints the default).
    """
    if template.signer == "head":
        return Signer(
            settings.title(settings.head_title or _DEFAULTS.head_title),
            settings.head_title_en or _DEFAULTS.head_title_en,
            settings.head_name,
            settings.head_nip,
        )
    return Signer(
        settings.title(settings.registrar_title or _DEFAULTS.registrar_title),
        settings.registrar_title_en or _DEFAULTS.registrar_title_en,
        settings.registrar_name,
        settings.registrar_nip,
    )


def _refuse_second_print(document: StoredDocument, purpose: PrintPurpose, what: str) -> None:
    """A print of a document printed before is a reprint: it needs its reason and stamp.

    Raises:
        AlreadyPrinted: ``purpose`` is a first print and the document was printed already.
    """
    if purpose is PrintPurpose.PRINT and document.print_count > 0:
        raise AlreadyPrinted(
            f"{what} {document.number} sudah pernah dicetak ({document.print_count} kali): "
            "mencetak lagi adalah cetak ulang dan wajib dengan alasan"
        )


def _officer_name(actor: Actor, full_name: str) -> str:
    """The officer a receipt names: a desk user's name, never a technical login (``db:…``,
    the system); ``""`` when there is no person to name.
    """
    name = full_name.strip() or actor.full_name.strip()
    if name and not actor.is_system:
        return name
    if actor.user_id is None or actor.is_system or ":" in actor.login:
        return ""
    return actor.login


def _receipt_parties(service: Service, request: DocumentRequest) -> dict[str, str]:
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


def _receipt_fields(request: DocumentRequest) -> dict[str, str]:
    return {
        "service": request.service_code,
        "applicant": request.applicant_name,
        "received_at": request.received_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "location": request.location_code,
    }


def _verification(document: StoredDocument, keys: Mapping[str, Ed25519PublicKey]) -> DocumentSeal:
    fields = dict(document.fields)
    code = document.verification_code
    key = maker_key_id(keys, document.kind, document.number, fields, code)
    return DocumentSeal(document.kind, document.number, code, fields, key)
