"""The records of documents: lookups, new documents, print counts, the register, stored files.

The other document modules build on these; each call works inside the caller's session, so an
issue, a print or a void stays one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import documents as repo
from disdukcapil_desk.domain.document_records import (
    DocumentRequest,
    RegisterEntry,
    StoredDocument,
)
from disdukcapil_desk.domain.documents import (
    DocumentKind,
    PrintPurpose,
    RegisterEvent,
    sha256_hex,
)
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import NotFound, WorkflowError
from disdukcapil_desk.domain.numbering import normalize_request_number
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.boundaries import check_office, listing_office
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents.signing import DocumentSigning


class DocumentRecords:
    """Find, add and count documents; keep the number register and the files handed out."""

    def __init__(self, ctx: DeskContext, signing: DocumentSigning) -> None:
        """Bind to the desk context and the office's keys (a new document's code)."""
        self._ctx = ctx
        self._signing = signing

    # -- lookups -----------------------------------------------------------------------------

    def request(self, session: Session, actor: Actor, number: str) -> DocumentRequest:
        """The request with ``number`` (typed or scanned), if the actor may print for it.

        Raises:
            NotFound: no such request.
            PermissionDenied: a UPT officer asking for another office's request.
        """
        request = repo.request_by_number(session, normalize_request_number(number))
        if request is None:
            raise NotFound(f"Permohonan {number} tidak ditemukan")
        check_office(actor, request.location_code)
        return request

    def document_request(
        self, session: Session, actor: Actor, document: StoredDocument
    ) -> DocumentRequest:
        """The request of a document, if the actor may act on it.

        Raises:
            PermissionDenied: a UPT officer asking for another office's document.
        """
        request = repo.request(session, document.request_id)
        check_office(actor, request.location_code)
        return request

    def certificate(self, session: Session, actor: Actor, number: str) -> StoredDocument:
        """The certificate with an akta/SKPWNI ``number``, or the current one of a request.

        Raises:
            NotFound: no certificate for that number.
            PermissionDenied: a UPT officer asking for another office's certificate.
        """
        document = repo.find(session, DocumentKind.CERTIFICATE, number.strip())
        if document is None:
            request = repo.request_by_number(session, normalize_request_number(number))
            if request is not None:
                document = repo.current_for_request(session, request.id, DocumentKind.CERTIFICATE)
        if document is None:
            raise NotFound(f"Sertifikat untuk {number} tidak ditemukan")
        self.document_request(session, actor, document)
        return document

    def receipt_print_count(self, actor: Actor, request_number: str) -> int:
        """How often a request's receipt was printed (a further print is a reprint).

        Raises:
            NotFound / PermissionDenied: no such request, or one of another office.
        """
        with self._ctx.reading() as session:
            request = self.request(session, actor, request_number)
            document = repo.find(session, DocumentKind.RECEIPT, request.number)
            return document.print_count if document is not None else 0

    def register(
        self, actor: Actor, number: str | None = None, *, limit: int = 500
    ) -> list[RegisterEntry]:
        """Return the register of voided/reprinted numbers, newest first: (number, event,
        reason, who, when); at most ``limit`` entries. A UPT officer sees their UPT's only.
        """
        office = listing_office(actor, None)
        with self._ctx.reading() as session:
            return repo.register_entries(session, number, limit, location_code=office)

    # -- changes inside the caller's transaction ---------------------------------------------

    def add(
        self,
        session: Session,
        actor: Actor,
        request: DocumentRequest,
        kind: DocumentKind,
        template: str,
        number: str,
        fields: dict[str, str],
    ) -> StoredDocument:
        """Record a new document with its verification code over ``fields``."""
        code = self._signing.verification_code(session, actor, kind, number, fields)
        return repo.add(
            session,
            request,
            kind,
            template,
            number,
            code,
            fields,
            self._ctx.now(session),
            actor.login,
        )

    def count(
        self,
        session: Session,
        actor: Actor,
        document: StoredDocument,
        purpose: PrintPurpose,
        reason: str,
    ) -> StoredDocument:
        """Count a print or a reprint (with its reason, in the register) and audit it; a saved
        file is not counted. Returns the document with its new counts.

        Raises:
            WorkflowError: a voided document, or a reprint without a reason.
        """
        if purpose not in (PrintPurpose.PRINT, PrintPurpose.SAVE, PrintPurpose.REPRINT):
            raise ValueError(f"unknown purpose: {purpose}")
        if document.voided:
            raise WorkflowError(f"Dokumen {document.number} sudah dibatalkan")
        if not purpose.counts_as_printed:
            return document
        reprint = purpose is PrintPurpose.REPRINT
        if reprint and not reason.strip():
            raise WorkflowError("Alasan cetak ulang wajib diisi")
        document = repo.count_print(session, document, reprint=reprint)
        if reprint:
            self.add_register_entry(session, actor, document, RegisterEvent.REPRINT, reason)
        record(
            self._ctx,
            session,
            actor,
            purpose.value,
            "issued_document",
            document.number,
            after={"print_count": document.print_count},
            detail=reason.strip(),
        )
        return document

    def add_register_entry(
        self,
        session: Session,
        actor: Actor,
        document: StoredDocument,
        event: RegisterEvent,
        reason: str,
    ) -> None:
        """Write the number register's line for a void or a reprint."""
        repo.add_register_entry(
            session, document, event, reason.strip(), actor.login, self._ctx.now(session)
        )

    def store_file(
        self,
        session: Session,
        actor: Actor,
        documents: Sequence[StoredDocument],
        pdf: bytes,
        purpose: PrintPurpose,
    ) -> None:
        """Record the SHA-256 of a PDF handed out, for each document in it."""
        repo.add_files(
            session,
            documents,
            sha256_hex(pdf),
            purpose,
            len(documents),
            self._ctx.now(session),
            actor.login,
        )
