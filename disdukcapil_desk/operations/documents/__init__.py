"""Documents (operations layer): receipts and certificates, by job.

- :mod:`.signing` — the office's keys: seal, PAdES identity, public key, signing certificate;
- :mod:`.records` — lookups, new documents, print counts, the number register, stored files;
- :mod:`.issuing` — issue with a registration number, opening offsets, void, reissue;
- :mod:`.printing` — receipts, certificates, the print-ready batch, counting prints;
- :mod:`.checking` — verify a PDF (with the database or offline), a scanned or typed code;
- :mod:`.timestamps` — the RFC 3161 timestamp server signatures ask (PAdES B-T).

Each imports only those above it in this list. Every user action is one transaction: issuing
moves the request to ``issued``, allocates the registration number from a counter row locked for
update, records the document and writes the audit log together. Every PDF handed out is sealed
with the office's Ed25519 key (and signed with its PKCS#12 certificate when one is configured)
and its SHA-256 is stored, so ``verify`` recognises an exact copy and refuses an altered one.
SQL lives in ``db/repositories/documents.py``; these modules see plain values only.

:class:`DocumentOps` is the one object callers hold: it wires the five parts together and hands
each call to the part that does it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from disdukcapil_desk.domain.document_records import (
    Cancelled,
    DocumentSummary,
    IssueResult,
    Progress,
    ReadyBatch,
    RegisterEntry,
    SigningInfo,
)
from disdukcapil_desk.domain.documents import (
    DocumentKind,
    PrintPurpose,
    ScanResult,
    VerifyReport,
)
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents.checking import DocumentChecks, verify_offline
from disdukcapil_desk.operations.documents.issuing import DocumentIssuing
from disdukcapil_desk.operations.documents.printing import DocumentPrinting
from disdukcapil_desk.operations.documents.records import DocumentRecords
from disdukcapil_desk.operations.documents.signing import DocumentSigning
from disdukcapil_desk.operations.documents.timestamps import TimestampServer

__all__ = [
    "DocumentOps",
    "DocumentSummary",
    "IssueResult",
    "ReadyBatch",
    "RegisterEntry",
    "SigningInfo",
    "verify_offline",
]


class DocumentOps:
    """Receipts and certificates: issue, render, print, reprint, void, verify."""

    def __init__(self, ctx: DeskContext) -> None:
        """Wire the parts on one desk context (they share the opened signing identity)."""
        self.signing = DocumentSigning(ctx)
        self.records = DocumentRecords(ctx, self.signing)
        self.issuing = DocumentIssuing(ctx, self.records)
        self.printing = DocumentPrinting(ctx, self.records, self.signing)
        self.checks = DocumentChecks(ctx, self.signing)
        self.timestamps = TimestampServer(ctx)

    # -- issuing -----------------------------------------------------------------------------

    def issue(
        self, actor: Actor, request_id: int, *, expected_version: int | None = None
    ) -> IssueResult:
        """Issue an approved request (see :meth:`DocumentIssuing.issue`)."""
        return self.issuing.issue(actor, request_id, expected_version=expected_version)

    def reissue(self, actor: Actor, number: str, reason: str) -> IssueResult:
        """Void a certificate and issue a new one (see :meth:`DocumentIssuing.reissue`)."""
        return self.issuing.reissue(actor, number, reason)

    def void(self, actor: Actor, number: str, reason: str) -> None:
        """Void a certificate (see :meth:`DocumentIssuing.void`)."""
        self.issuing.void(actor, number, reason)

    def summary(self, actor: Actor, number: str) -> DocumentSummary:
        """What a certificate is, before voiding it (see :meth:`DocumentIssuing.summary`)."""
        return self.issuing.summary(actor, number)

    def set_opening_offset(
        self, actor: Actor, service_code: str, year: int, offset: int, *, late: bool = False
    ) -> None:
        """Continue a series after the paper register (see :class:`DocumentIssuing`)."""
        self.issuing.set_opening_offset(actor, service_code, year, offset, late=late)

    def numbered_services(self) -> list[tuple[str, str]]:
        """The services whose certificates carry a registration number: (code, name)."""
        return self.issuing.numbered_services()

    # -- records -----------------------------------------------------------------------------

    def register(
        self, actor: Actor, number: str | None = None, *, limit: int = 500
    ) -> list[RegisterEntry]:
        """The register of voided and reprinted numbers, newest first (the actor's office's)."""
        return self.records.register(actor, number, limit=limit)

    def receipt_print_count(self, actor: Actor, request_number: str) -> int:
        """How often a request's receipt was printed."""
        return self.records.receipt_print_count(actor, request_number)

    # -- printing ----------------------------------------------------------------------------

    def render_receipt(
        self,
        actor: Actor,
        request_number: str,
        *,
        slip: bool = False,
        purpose: PrintPurpose | str = PrintPurpose.PRINT,
        reason: str = "",
    ) -> bytes:
        """The sealed receipt PDF of a request (see :meth:`DocumentPrinting.render_receipt`)."""
        return self.printing.render_receipt(
            actor, request_number, slip=slip, purpose=purpose, reason=reason
        )

    def render_certificate(
        self,
        actor: Actor,
        number: str,
        *,
        purpose: PrintPurpose | str = PrintPurpose.PRINT,
        reason: str = "",
    ) -> bytes:
        """The sealed certificate PDF (see :meth:`DocumentPrinting.render_certificate`)."""
        return self.printing.render_certificate(actor, number, purpose=purpose, reason=reason)

    def print_ready(
        self,
        actor: Actor,
        location_code: str,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> bytes | None:
        """The print-ready batch, counted at once (see :meth:`DocumentPrinting.print_ready`)."""
        return self.printing.print_ready(actor, location_code, progress, cancelled)

    def ready_batch(
        self,
        actor: Actor,
        location_code: str,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        *,
        count: bool = False,
    ) -> ReadyBatch | None:
        """The print-ready batch (see :meth:`DocumentPrinting.ready_batch`)."""
        return self.printing.ready_batch(actor, location_code, progress, cancelled, count=count)

    def record_print(self, actor: Actor, kind: DocumentKind, numbers: Sequence[str]) -> None:
        """Count documents as printed once the printer took them."""
        self.printing.record_print(actor, kind, numbers)

    # -- signing -----------------------------------------------------------------------------

    def public_key(self) -> bytes:
        """The office's public verification key (PEM)."""
        return self.signing.public_key()

    def signing_info(self) -> SigningInfo | None:
        """The configured signing certificate and timestamp server, or None."""
        info = self.signing.signing_info()
        return None if info is None else replace(info, timestamp_url=self.timestamps.url())

    def timestamp_server(self) -> str:
        """The office's RFC 3161 timestamp server, or "" (signatures are PAdES B-B)."""
        return self.timestamps.url()

    def configure_timestamp_server(self, actor: Actor, url: str) -> str:
        """Set or clear the timestamp server (see :meth:`TimestampServer.configure`)."""
        return self.timestamps.configure(actor, url)

    def configure_signing(
        self, actor: Actor, pkcs12: bytes | None, passphrase: str = ""
    ) -> SigningInfo | None:
        """Set or remove the office's PKCS#12 (see :meth:`DocumentSigning.configure_signing`)."""
        return self.signing.configure_signing(actor, pkcs12, passphrase)

    # -- checking ----------------------------------------------------------------------------

    def verify_pdf(self, pdf: bytes) -> VerifyReport:
        """Verify a PDF with the database (see :meth:`DocumentChecks.verify_pdf`)."""
        return self.checks.verify_pdf(pdf)

    def verify_scan(self, text: str) -> ScanResult:
        """Check a scanned or typed code (see :meth:`DocumentChecks.verify_scan`)."""
        return self.checks.verify_scan(text)
