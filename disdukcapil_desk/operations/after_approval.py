"""After Setujui: Input SIAK, the signed PDF (TTE), and sending it to the citizen (operations).

The office's real flow (DESIGN.md, "The real flow after approval"): the approved data is
entered in SIAK, which gives the official numbers; the officer records them here. The Kepala
Dinas signs in SIAK (TTE); the signed PDF is attached here, checked, and sent to the citizen
through the outbox, in the transaction that moves the request. Every step is one transaction,
audited; office, lease and version are checked like every other change
(:meth:`QueueOps.request_for_change`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import documents as documents_repo
from disdukcapil_desk.db.repositories import office as office_repo
from disdukcapil_desk.db.repositories import siak as repo
from disdukcapil_desk.db.repositories.requests import RequestRecord
from disdukcapil_desk.db.repositories.siak import NumberTaken
from disdukcapil_desk.domain.catalogue import Service
from disdukcapil_desk.domain.citizen_messages import NoticeValues
from disdukcapil_desk.domain.delivery import (
    MessageKind,
    OutputKind,
    SiakNumber,
    SiakNumberError,
    SiakNumberKind,
    TteSource,
)
from disdukcapil_desk.domain.documents import DocumentKind, PrintPurpose
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import NotFound, WorkflowError
from disdukcapil_desk.domain.siak import (
    DocumentSent,
    FollowUp,
    SiakRecorded,
    SignedPdf,
    TteAttached,
    TteCheck,
    check_number,
    masked,
    numbers_for_message,
    tte_sources,
)
from disdukcapil_desk.domain.workflow import Action, Permission, Status, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.boundaries import check_office
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.outbox import NewAttachment, write_message
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import LocationOps

SiakNumbersInput = Mapping[SiakNumberKind, str] | Mapping[str, str]
"""The numbers typed, by kind (the enum or its value)."""
PDF_MEDIA_TYPE = "application/pdf"
NO_SIAK_NUMBERS = "data sudah di SIAK"
"""The audit note of Input SIAK for a service that gets no number from SIAK."""


class AfterApprovalOps:
    """Input SIAK, attach the signed PDF, send it: the steps between Setujui and the citizen."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx
        self._queue = QueueOps(ctx)

    # -- reading -----------------------------------------------------------------------------

    def follow_up(self, actor: Actor, request_id: int) -> FollowUp:
        """What the "Tindak lanjut" panel shows for a request.

        Raises:
            NotFound: no such request.
            PermissionDenied: a request of another office.
        """
        require(actor, Permission.VIEW_QUEUE)
        with self._ctx.reading() as session:
            request = self._visible(session, actor, request_id)
            return self._follow_up_in(session, request)

    def check_number(self, kind: SiakNumberKind | str, raw: str) -> SiakNumber:
        """Check one number as the officer types it (no database): the value as it will be
        stored and its warnings.

        Raises:
            SiakNumberError: it cannot be right.
        """
        return check_number(self._ctx.reference.nik_rules, SiakNumberKind(kind), raw)

    def signed_pdf(self, actor: Actor, request_id: int) -> tuple[str, bytes]:
        """(file name, bytes) of the request's signed PDF in force, to look at or save.

        Raises:
            NotFound: no such request, or no signed PDF attached.
            PermissionDenied: a request of another office.
        """
        require(actor, Permission.VIEW_QUEUE)
        with self._ctx.reading() as session:
            request = self._visible(session, actor, request_id)
            current = repo.current_document(session, request.id)
            if current is None:
                raise NotFound(f"Permohonan {request.number} belum punya PDF bertanda tangan")
            return current.filename, repo.document_content(session, current.id)

    # -- Input SIAK --------------------------------------------------------------------------

    def record_siak(
        self,
        actor: Actor,
        request_id: int,
        numbers: SiakNumbersInput,
        *,
        expected_version: int | None = None,
    ) -> SiakRecorded:
        """Record what SIAK produced for an approved request (or correct it before the TTE).

        Every number the service's catalogue entry names (``siak_numbers``) must be given and
        right; a service without any only notes that its data is in SIAK. The numbers, the
        status (``siak_recorded``) and the audit line (before/after, a NIK or KK masked) commit
        together.

        Raises:
            SiakNumberError: a number missing, not of the service, or malformed.
            NumberTaken: a number already recorded on another request (named).
            WorkflowError: the request is not approved (or was signed already).
            PermissionDenied / ClaimError / StaleVersionError: the usual boundaries.
        """
        with self._ctx.unit_of_work() as session:
            request = self._queue.request_for_change(session, actor, request_id, expected_version)
            service = self._service(request)
            checked = self._checked_numbers(service, numbers)
            before = {n.kind: n.value for n in repo.numbers_of(session, request.id)}
            for number in checked:
                found = repo.holder(session, number.kind, number.value)
                if found is not None and found[0] != request.id:
                    raise NumberTaken(number.kind, number.value, found[1])
            self._queue.transition_in(session, actor, request.id, Action.RECORD_SIAK)
            now = self._ctx.now(session)
            for number in checked:
                repo.put_number(
                    session, request.id, number.kind, number.value, at=now, by=actor.login
                )
            record(
                self._ctx,
                session,
                actor,
                "siak_numbers",
                "service_request",
                request.number,
                before={k.value: masked(k, v) for k, v in before.items()},
                after={n.kind.value: masked(n.kind, n.value) for n in checked},
                detail="" if checked else NO_SIAK_NUMBERS,
            )
            warnings = tuple(f"{n.kind.label}: {w}" for n in checked for w in n.warnings)
            return SiakRecorded(self._follow_up_in(session, request), warnings)

    def _checked_numbers(self, service: Service, numbers: SiakNumbersInput) -> list[SiakNumber]:
        given: dict[SiakNumberKind, str] = {}
        for raw_kind, value in numbers.items():
            try:
                kind = SiakNumberKind(raw_kind)
            except ValueError:
                raise SiakNumberError(f"Jenis nomor SIAK tidak dikenal: {raw_kind}") from None
            if kind not in service.siak_numbers:
                if not value.strip():
                    continue
                raise SiakNumberError(
                    f"Layanan {service.name} tidak mendapat {kind.label} dari SIAK"
                )
            given[kind] = value
        return [self.check_number(kind, given.get(kind, "")) for kind in service.siak_numbers]

    # -- TTE ---------------------------------------------------------------------------------

    def attach_signed_pdf(
        self,
        actor: Actor,
        request_id: int,
        filename: str,
        content: bytes,
        *,
        expected_version: int | None = None,
    ) -> TteAttached:
        """Attach the PDF signed in SIAK (TTE): checked, recorded (SHA-256, signer, time), and
        the request moves to ``issued``; on an issued request not yet sent, a corrected PDF
        replaces the one in force (kept, marked replaced) and the change is audited.

        A recorded SIAK number that does not appear in the PDF's text is a warning, not a
        refusal: a signed PDF may draw its text with subset fonts or in images, where no
        reader finds it; the exact same file on another request is refused.

        Raises:
            TteRefused: not a PDF, too big, unsigned, a broken signature, something appended.
            WorkflowError: the service sends no document or is set to the desk's own
                certificate; Input SIAK not done; the document was sent already; the same file
                is attached to another request or already in force.
            PermissionDenied / ClaimError / StaleVersionError: the usual boundaries.
        """
        from disdukcapil_desk.reports.tte import check_signed_pdf, pdf_mentions

        require(actor, Permission.ISSUE)
        roots = self._trust_roots(actor, request_id)
        check = check_signed_pdf(content, roots)
        name = PurePath(filename).name or "dokumen-tte.pdf"
        with self._ctx.unit_of_work() as session:
            request = self._queue.request_for_change(session, actor, request_id, expected_version)
            service = self._service(request)
            self._check_attachable(session, request, service, TteSource.SIAK)
            self._check_file_is_new(session, request, check)
            numbers = repo.numbers_of(session, request.id)
            warnings = tuple(
                f"{n.kind.label} {masked(n.kind, n.value)} tidak ditemukan dalam teks PDF: "
                f"pastikan PDF ini untuk permohonan {request.number}"
                for n in numbers
                if not pdf_mentions(content, n.value)
            )
            document = self._attach_in(session, actor, request, name, content, check, warnings)
            return TteAttached(self._follow_up_in(session, request), document, warnings)

    def _trust_roots(self, actor: Actor, request_id: int) -> tuple[bytes, ...]:
        """The certificates the desk trusts, once the request is seen to take a PDF at all
        (refused early, before the file is read; checked again in the write).
        """
        with self._ctx.reading() as session:
            request = self._visible(session, actor, request_id)
            self._check_attachable(session, request, self._service(request), TteSource.SIAK)
            return DocumentOps(self._ctx).signing.trust_roots(session) or ()

    def _check_attachable(
        self, session: Session, request: RequestRecord, service: Service, source: TteSource
    ) -> None:
        if not service.outputs.sends_document:
            raise WorkflowError(_card_only(service))
        chosen = tte_sources(office_repo.stored_settings(session), [service.code])[service.code]
        if chosen is not source:
            raise WorkflowError(
                f"Layanan {service.name} memakai sertifikat desk yang ditandatangani sertifikat "
                "kantor (setelan Administrasi), bukan PDF TTE dari SIAK"
                if chosen is TteSource.DESK
                else f"Layanan {service.name} memakai PDF TTE dari SIAK: lampirkan PDF-nya"
            )
        status = Status(request.status)
        if status is Status.APPROVED and service.siak_numbers:
            labels = ", ".join(k.label for k in service.siak_numbers)
            raise WorkflowError(
                f"Isi Input SIAK dahulu ({labels}) sebelum melampirkan PDF TTE untuk "
                f"permohonan {request.number}"
            )
        if status not in (Status.APPROVED, Status.SIAK_RECORDED, Status.ISSUED):
            raise WorkflowError(
                f"Permohonan {request.number} berstatus '{status.label}': PDF TTE tidak dapat "
                "dilampirkan atau diganti lagi"
            )

    def _check_file_is_new(self, session: Session, request: RequestRecord, check: TteCheck) -> None:
        other = repo.request_with_file(session, check.sha256, request.id)
        if other is not None:
            raise WorkflowError(
                f"PDF yang sama sudah dilampirkan pada permohonan {other}: berkas ini bukan "
                f"untuk permohonan {request.number}"
            )
        current = repo.current_document(session, request.id)
        if current is not None and current.sha256 == check.sha256:
            raise WorkflowError(f"PDF ini sudah terlampir pada permohonan {request.number}")

    def _attach_in(
        self,
        session: Session,
        actor: Actor,
        request: RequestRecord,
        filename: str,
        content: bytes,
        check: TteCheck,
        warnings: tuple[str, ...],
        source: TteSource = TteSource.SIAK,
    ) -> SignedPdf:
        previous = repo.current_document(session, request.id)
        if Status(request.status) is Status.ISSUED:
            self._touch(session, actor, request)
        else:
            self._queue.transition_in(session, actor, request.id, Action.ISSUE)
        document = repo.add_document(
            session,
            request.id,
            filename=filename,
            sha256=check.sha256,
            signer=check.signer,
            signed_at=check.signed_at,
            source=source,
            content=content,
            at=self._ctx.now(session),
            by=actor.login,
        )
        record(
            self._ctx,
            session,
            actor,
            "tte_replace" if previous else "tte_attach",
            "service_request",
            request.number,
            before=None
            if previous is None
            else {"sha256": previous.sha256, "file": previous.filename},
            after={
                "sha256": check.sha256,
                "file": filename,
                "signer": check.signer,
                "trusted": check.trusted,
                "source": source.value,
                "warnings": len(warnings),
            },
        )
        return SignedPdf(
            document.id,
            document.filename,
            document.sha256,
            document.signer,
            document.signed_at,
            document.source,
            document.attached_at,
            document.attached_by,
            document.size,
            trusted=check.trusted,
        )

    # -- sending -----------------------------------------------------------------------------

    def send_document(self, actor: Actor, request_id: int, version: int | None) -> DocumentSent:
        """Send the signed PDF to the applicant: the DOCUMENT_SENT notice with the PDF as its
        attachment goes into the outbox in the transaction that moves the request (``sent``,
        closed, for a document-only service; a service with a card too stays ``issued`` for
        its pickup).

        For a service set to the desk's own certificate, the issued certificate is made and
        signed with the office's certificate first and kept as the signed PDF.

        Raises:
            WorkflowError: a card-only service; not issued; no signed PDF; the desk's
                certificate unsigned (no office certificate); no contact to write to.
            PermissionDenied / ClaimError / StaleVersionError: the usual boundaries.
        """
        require(actor, Permission.EDIT_REQUEST)
        desk_pdf = self._desk_pdf_if_needed(actor, request_id)
        office, location = self._office_words(actor, request_id)
        with self._ctx.unit_of_work() as session:
            request = self._queue.request_for_change(session, actor, request_id, version)
            service = self._service(request)
            if not service.outputs.sends_document:
                raise WorkflowError(_card_only(service))
            if Status(request.status) is not Status.ISSUED:
                raise WorkflowError(
                    f"Permohonan {request.number} berstatus '{Status(request.status).label}': "
                    "hanya dokumen yang sudah di-TTE (Diterbitkan) yang dapat dikirim"
                )
            if not request.contact.strip():
                raise WorkflowError(f"Permohonan {request.number} tidak punya kontak pemohon")
            document = repo.current_document(session, request.id)
            if document is None and desk_pdf is not None:
                document = self._attach_in(
                    session, actor, request, *desk_pdf, (), source=TteSource.DESK
                )
            if document is None:
                raise WorkflowError(
                    f"Permohonan {request.number} belum punya PDF bertanda tangan (TTE): "
                    "lampirkan PDF dari SIAK dahulu"
                )
            numbers = [(n.kind, n.value) for n in repo.numbers_of(session, request.id)]
            body = self._ctx.reference.messages.notice(
                MessageKind.DOCUMENT_SENT,
                NoticeValues(
                    name=request.applicant_name,
                    service=service.name,
                    number=request.number,
                    office=office,
                    location=location,
                    subject=request.subject_name,
                    document=_document_name(service.output_document),
                    siak_numbers=numbers_for_message(numbers),
                ),
            )
            content = repo.document_content(session, document.id)
            message_id = write_message(
                self._ctx,
                session,
                actor,
                request,
                MessageKind.DOCUMENT_SENT,
                body,
                attachments=[NewAttachment(document.filename, PDF_MEDIA_TYPE, content)],
            )
            if service.outputs is OutputKind.DOCUMENT:
                self._queue.transition_in(session, actor, request.id, Action.SEND)
            else:
                self._touch(session, actor, request)
            record(
                self._ctx,
                session,
                actor,
                "send_document",
                "service_request",
                request.number,
                after={
                    "message": message_id,
                    "sha256": document.sha256,
                    "status": request.status,
                },
            )
            follow = self._follow_up_in(session, request)
            return DocumentSent(follow, message_id, request.contact.strip(), request.channel)

    def _desk_pdf_if_needed(
        self, actor: Actor, request_id: int
    ) -> tuple[str, bytes, TteCheck] | None:
        """For a service set to the desk's own certificate with none kept yet: the issued
        certificate, sealed and signed with the office's certificate (refused unsigned).
        """
        from disdukcapil_desk.reports.tte import TteRefused, check_signed_pdf

        with self._ctx.reading() as session:
            request = self._visible(session, actor, request_id)
            service = self._service(request)
            stored = office_repo.stored_settings(session)
            if tte_sources(stored, [service.code])[service.code] is not TteSource.DESK:
                return None
            if repo.current_document(session, request.id) is not None:
                return None
            certificate = documents_repo.current_for_request(
                session, request.id, DocumentKind.CERTIFICATE
            )
            roots = DocumentOps(self._ctx).signing.trust_roots(session) or ()
        if certificate is None:
            raise WorkflowError(
                f"Permohonan {request.number} belum punya sertifikat desk: terbitkan dahulu"
            )
        documents = DocumentOps(self._ctx)
        pdf = documents.render_certificate(actor, certificate.number, purpose=PrintPurpose.SAVE)
        try:
            check = check_signed_pdf(pdf, roots)
        except TteRefused:
            raise WorkflowError(
                "Sertifikat desk belum ditandatangani: kantor belum memasang sertifikat tanda "
                "tangan digital (Administrasi → Tanda tangan digital)"
            ) from None
        return f"{certificate.number}.pdf", pdf, check

    # -- helpers -----------------------------------------------------------------------------

    def _visible(self, session: Session, actor: Actor, request_id: int) -> RequestRecord:
        request = self._queue_by_id(session, request_id)
        check_office(actor, request.location_code)
        return request

    def _queue_by_id(self, session: Session, request_id: int) -> RequestRecord:
        from disdukcapil_desk.db.repositories import requests

        request = requests.by_id(session, request_id)
        if request is None:
            raise NotFound(f"Permohonan {request_id} tidak ditemukan")
        return request

    def _service(self, request: RequestRecord) -> Service:
        return self._ctx.reference.catalogue.get(request.service_code)

    def _touch(self, session: Session, actor: Actor, request: RequestRecord) -> None:
        request.version += 1
        request.updated_at = self._ctx.now(session)
        request.updated_by = actor.login

    def _office_words(self, actor: Actor, request_id: int) -> tuple[str, str]:
        settings = OfficeOps(self._ctx).get()
        with self._ctx.reading() as session:
            code = self._visible(session, actor, request_id).location_code
        names = {loc.code: loc.name for loc in LocationOps(self._ctx).list()}
        return f"{settings.agency.title()} {settings.regency}", names.get(code, code)

    def _follow_up_in(self, session: Session, request: RequestRecord) -> FollowUp:
        service = self._service(request)
        stored = office_repo.stored_settings(session)
        return FollowUp(
            request_id=request.id,
            number=request.number,
            status=Status(request.status),
            version=request.version,
            service_code=service.code,
            service_name=service.name,
            outputs=service.outputs,
            siak_kinds=service.siak_numbers,
            numbers=repo.numbers_of(session, request.id),
            document=repo.current_document(session, request.id),
            tte_source=tte_sources(stored, [service.code])[service.code],
            sent_at=repo.last_sent(session, request.id),
        )


def _card_only(service: Service) -> str:
    return (
        f"Layanan {service.name} menghasilkan kartu yang diambil di kantor: tidak ada dokumen "
        "elektronik untuk di-TTE atau dikirim. Buat jadwal pengambilan."
    )


def _document_name(output_document: str) -> str:
    """Name the document: "Kartu Keluarga (KK), cetak A4 …" becomes "Kartu Keluarga"."""
    return output_document.split("(")[0].split("\u2013")[0].strip()
