"""Issuing: the registration number, the certificate record, opening offsets, void, reissue.

Issuing moves an approved request (or one whose SIAK numbers are recorded) to ``issued`` with
the certificate record and the audit line in one transaction. Its registration number is the
one recorded from SIAK: the desk never invents an official number. Only an office that runs its
own series (office setting ``desk_number_series``) has it drawn from a counter row locked for
update, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import counters
from disdukcapil_desk.db.repositories import documents as repo
from disdukcapil_desk.db.repositories import siak as siak_repo
from disdukcapil_desk.domain.akta_number import (
    CounterKey,
    akta_counter,
    format_akta_number,
    format_skpwni_number,
    skpwni_counter,
)
from disdukcapil_desk.domain.catalogue import NumberSeries, Service
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.document_records import (
    DocumentRequest,
    DocumentSummary,
    IssueResult,
    StoredDocument,
)
from disdukcapil_desk.domain.documents import DocumentKind, RegisterEvent
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError, NotFound, PermissionDenied, WorkflowError
from disdukcapil_desk.domain.office import separation_of_duties
from disdukcapil_desk.domain.siak import certificate_number_kind, desk_number_series
from disdukcapil_desk.domain.workflow import Action, Permission, require
from disdukcapil_desk.domain.years import office_year_problem
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents.records import DocumentRecords
from disdukcapil_desk.operations.queue import QueueOps

Formatter = Callable[[int], str]


class DocumentIssuing:
    """Issue certificates with their numbers; void and reissue them (section heads)."""

    def __init__(self, ctx: DeskContext, records: DocumentRecords) -> None:
        """Bind to the desk context and the document records."""
        self._ctx = ctx
        self._records = records
        self._queue = QueueOps(ctx)

    def issue(
        self, actor: Actor, request_id: int, *, expected_version: int | None = None
    ) -> IssueResult:
        """Issue an approved request: status, number, document record and audit in one go.

        Raises:
            PermissionDenied / WorkflowError: the actor may not issue (their role, or they
                approved it and the office separates the duties for its service), or the
                request is not approved.
        """
        with self._ctx.unit_of_work() as session:
            changed = self._queue.transition_in(
                session, actor, request_id, Action.ISSUE, expected_version=expected_version
            )
            request = repo.request(session, changed.id)
            self._check_separation(session, actor, request)
            document = self._new_certificate(session, actor, request)
            return _result(request, document)

    def reissue(self, actor: Actor, number: str, reason: str) -> IssueResult:
        """Void a certificate and issue its request a new one with a new number.

        Raises:
            PermissionDenied: the actor may not void (section heads) or may not issue.
            NotFound / WorkflowError: no such certificate, voided already, or no reason.
        """
        require(actor, Permission.ISSUE)
        with self._ctx.unit_of_work() as session:
            old = self._void_in(session, actor, number, reason)
            request = self._records.document_request(session, actor, old)
            self._check_separation(session, actor, request)
            document = self._new_certificate(session, actor, request)
            if document is None:
                raise WorkflowError(f"Layanan {request.service_code} tidak punya sertifikat")
            return _result(request, document)

    def void(self, actor: Actor, number: str, reason: str) -> None:
        """Void a certificate (section heads only); the number stays in the register.

        Raises:
            PermissionDenied: the actor may not void.
            NotFound / WorkflowError: no such certificate, voided already, or no reason.
        """
        with self._ctx.unit_of_work() as session:
            self._void_in(session, actor, number, reason)

    def summary(self, actor: Actor, number: str) -> DocumentSummary:
        """What a certificate is (by akta/SKPWNI number), before voiding or reissuing it.

        Raises:
            PermissionDenied: the actor may not void.
            NotFound: no certificate with that number.
        """
        require(actor, Permission.VOID)
        with self._ctx.reading() as session:
            document = repo.find(session, DocumentKind.CERTIFICATE, number.strip())
            if document is None:
                raise NotFound(f"Sertifikat {number.strip()} tidak ditemukan")
            request = self._records.document_request(session, actor, document)
        catalogue = self._ctx.reference.catalogue
        template = self._ctx.reference.certificates.get(request.service_code)
        return DocumentSummary(
            number=document.number,
            template=document.template,
            title=template.title if template else document.template,
            request_number=request.number,
            service_name=catalogue.get(request.service_code).name,
            subject_name=request.subject_name or request.applicant_name,
            issued_at=document.created_at,
            print_count=document.print_count,
            voided_at=document.voided_at,
            void_reason=document.void_reason,
        )

    def set_opening_offset(
        self, actor: Actor, service_code: str, year: int, offset: int, *, late: bool = False
    ) -> None:
        """Start an akta (or SKPWNI) series of a year after the last number used on paper.

        Raises:
            PermissionDenied: the actor is not an administrator.
            NotFound: an unknown service.
            DeskError: a service without akta numbers, or a year outside the office's years.
            WorkflowError: the series has handed out numbers already, or the offset is negative.
        """
        require(actor, Permission.MANAGE_OFFICE)
        if offset < 0:
            raise WorkflowError("Nomor terakhir tidak boleh negatif")
        if service_code not in self._ctx.reference.catalogue:
            raise NotFound(f"Layanan '{service_code}' tidak dikenal")
        year_problem = office_year_problem(year)
        if year_problem:
            raise DeskError(f"Nomor awal: {year_problem}")
        service = self._ctx.reference.catalogue.get(service_code)
        if service.number_series is None:
            raise DeskError(f"Layanan {service_code} tidak punya nomor akta")
        key, _ = self._series(service, dt.date(year, 1, 1), late=late)
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

    def numbered_services(self) -> list[tuple[str, str]]:
        """The services whose certificates carry a registration number: (code, name)."""
        catalogue = self._ctx.reference.catalogue
        return [
            (code, catalogue.get(code).name) for code in sorted(self._ctx.reference.certificates)
        ]

    def _check_separation(self, session: Session, actor: Actor, request: DocumentRequest) -> None:
        """Refuse the officer who approved the request when its service separates the duties.

        Raises:
            PermissionDenied: the office's setting for the service is on and ``actor`` approved.
        """
        catalogue = self._ctx.reference.catalogue
        if not separation_of_duties(repo.office_values(session), catalogue).get(
            request.service_code, False
        ):
            return
        approved_by = repo.approver(session, request.number)
        if approved_by is None or approved_by[0] != actor.login:
            return
        login, name = approved_by
        who = name if name == login else f"{name} ({login})"
        raise PermissionDenied(
            f"Permohonan {request.number} disetujui oleh {who}. Untuk layanan "
            f"{catalogue.get(request.service_code).name}, petugas yang menyetujui tidak boleh "
            "juga menerbitkannya (pemisahan tugas): minta petugas lain untuk menerbitkan."
        )

    def _new_certificate(
        self, session: Session, actor: Actor, request: DocumentRequest
    ) -> StoredDocument | None:
        template = self._ctx.reference.certificates.get(request.service_code)
        if template is None:
            return None
        today = office_date(self._ctx.now(session))
        service = self._ctx.reference.catalogue.get(request.service_code)
        number = self._number(session, request, service, today)
        fields = {name: str(request.payload.get(name) or "") for name in template.key_fields}
        fields["_issued_on"] = today.isoformat()
        document = self._records.add(
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

    def _number(
        self, session: Session, request: DocumentRequest, service: Service, today: dt.date
    ) -> str:
        """The certificate's registration number: the one recorded from SIAK, or, only where
        the office runs its own series (``desk_number_series``), the next of that series.

        Raises:
            WorkflowError: no number from SIAK recorded yet, or it is the number of a voided
                certificate (a reissue needs SIAK's corrected number first).
        """
        if desk_number_series(repo.office_values(session)):
            key, formatter = self._series(service, today, late=_is_late(service, request))
            return formatter(counters.allocate(session, key.kind, key.scope, key.period))
        kind = certificate_number_kind(service.number_series or NumberSeries.AKTA)
        recorded = {n.kind: n.value for n in siak_repo.numbers_of(session, request.id)}
        number = recorded.get(kind)
        if number is None:
            raise WorkflowError(
                f"{kind.label} permohonan {request.number} belum dicatat: isi Input SIAK dahulu "
                "(nomor resmi berasal dari SIAK; seri nomor desk hanya bila kantor "
                "mengaktifkannya di Administrasi)"
            )
        if repo.find(session, DocumentKind.CERTIFICATE, number) is not None:
            raise WorkflowError(
                f"{kind.label} {number} sudah dipakai sertifikat lain (yang dibatalkan): catat "
                "nomor perbaikan dari SIAK pada Input SIAK sebelum menerbitkan ulang"
            )
        return number

    def _series(
        self, service: Service, day: dt.date, *, late: bool
    ) -> tuple[CounterKey, Formatter]:
        """The counter and the number format of a service's series in ``day``'s year."""
        regency = self._ctx.reference.wilayah.kabupaten_code
        if service.number_series is NumberSeries.SKPWNI:
            return skpwni_counter(regency, day), lambda n: format_skpwni_number(regency, day, n)
        type_code = service.akta_type_for(late=late)
        if type_code is None:
            raise WorkflowError(f"Layanan {service.name} tidak punya kode jenis akta")
        return akta_counter(regency, type_code, day), lambda n: format_akta_number(
            regency, type_code, day, n
        )

    def _void_in(self, session: Session, actor: Actor, number: str, reason: str) -> StoredDocument:
        require(actor, Permission.VOID)
        if not reason.strip():
            raise WorkflowError("Alasan pembatalan wajib diisi")
        document = repo.find(session, DocumentKind.CERTIFICATE, number.strip())
        if document is None:
            raise NotFound(f"Dokumen {number} tidak ditemukan")
        self._records.document_request(session, actor, document)
        if document.voided:
            raise WorkflowError(f"Dokumen {number} sudah dibatalkan")
        document = repo.mark_voided(
            session, document, self._ctx.now(session), actor.login, reason.strip()
        )
        self._records.add_register_entry(session, actor, document, RegisterEvent.VOID, reason)
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


def _result(request: DocumentRequest, document: StoredDocument | None) -> IssueResult:
    return IssueResult(
        request.id,
        request.number,
        request.status,
        document.number if document else None,
        document.verification_code if document else None,
    )


def _is_late(service: Service, request: DocumentRequest) -> bool:
    if service.event_date_field is None or service.report_deadline_days is None:
        return False
    raw = str(request.payload.get(service.event_date_field, ""))
    try:
        event = dt.date.fromisoformat(raw)
    except ValueError:
        return False
    return (office_date(request.received_at) - event).days > service.report_deadline_days
