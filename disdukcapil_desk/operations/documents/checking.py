"""Checking documents: a PDF (with the register, or offline with the public key), a scanned QR
or a number and code typed from the paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import documents as repo
from disdukcapil_desk.domain.document_records import StoredDocument
from disdukcapil_desk.domain.documents import (
    DISPLAY_CODE_LENGTH,
    DocumentCheck,
    DocumentKind,
    DocumentSeal,
    ScanResult,
    VerifyReport,
    code_matches,
    embedded_documents,
    key_fingerprint,
    load_public_keys,
    parse_qr_payload,
    parse_typed_code,
    seal_state,
    sha256_hex,
)
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents.signing import DocumentSigning
from disdukcapil_desk.reports.signing import check_signature, verification_metadata

_INTERNAL_LABELS = {
    "_issued_on": "Tanggal terbit",
    "_desa": "Desa/kelurahan",
    "_kecamatan": "Kecamatan",
    "_kabupaten": "Kabupaten",
}
_NOT_OURS = (
    "Kode QR ini bukan dari Disdukcapil Desk (atau ketik nomor lalu kode verifikasi yang "
    "tercetak, mis. 3604-LU-02112026-0001 ABCD-EFGH-JKLM-NPQR)."
)


class DocumentChecks:
    """Tell a genuine document from an altered one, with the database."""

    def __init__(self, ctx: DeskContext, signing: DocumentSigning) -> None:
        """Bind to the desk context and the office's keys."""
        self._ctx = ctx
        self._signing = signing

    def verify_pdf(self, pdf: bytes) -> VerifyReport:
        """Verify a PDF: seal, signature, its SHA-256 in the register and each document it names."""
        digest = sha256_hex(pdf)
        with self._ctx.unit_of_work() as session:
            keys = self._signing.verification_keys(session)
            embedded = _embedded(pdf, keys)
            roots = self._signing.trust_roots(session)
            files = repo.documents_in_file(session, digest)
            checks = []
            for item in embedded:
                stored = repo.find(session, item.kind, item.number)
                checks.append(_check(keys, item, stored))
                if stored is None or stored.id not in files:
                    files.clear()
            registered = bool(embedded) and bool(files)
        return _file_report(pdf, digest, keys, tuple(checks), registered, roots)

    def verify_scan(self, text: str) -> ScanResult:
        """Check a scanned QR text, or a number and printed code typed from the paper; returns
        the stored key fields to compare with the paper.
        """
        content = parse_qr_payload(text)
        if content is None:
            return self._verify_typed(text)
        with self._ctx.unit_of_work() as session:
            keys = self._signing.verification_keys(session)
            stored = repo.find(session, content.kind, content.number)
            draft = self._draft(session, content.kind)
        fields = dict(stored.fields) if stored else {}
        item = DocumentSeal(content.kind, content.number, content.code, fields, content.key_id)
        return _scan_result(_check(keys, item, stored), self._labelled(fields), draft=draft)

    def _verify_typed(self, text: str) -> ScanResult:
        typed = parse_typed_code(text)
        if typed is None:
            return ScanResult(None, {}, _NOT_OURS)
        number, printed = typed
        with self._ctx.unit_of_work() as session:
            keys = self._signing.verification_keys(session)
            stored = repo.find_any(session, number)
            draft = stored is not None and self._draft(session, stored.kind)
        if stored is None:
            return _scan_result(
                DocumentCheck(DocumentKind.CERTIFICATE, number, False, False, False), {}
            )
        fields = dict(stored.fields)
        item = DocumentSeal(stored.kind, number, stored.verification_code, fields)
        check = _check(keys, item, stored)
        # The printed part of the code must match; the stored code must still be the office's.
        check = replace(check, code_valid=check.code_valid and _printed_code_matches(item, printed))
        return _scan_result(check, self._labelled(fields), draft=draft)

    def _draft(self, session: Session, kind: DocumentKind) -> bool:
        """Whether a certificate printed now is a DRAF (the office has no signing certificate)."""
        return kind is DocumentKind.CERTIFICATE and not self._signing.signs(session)

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


def verify_offline(
    pdf: bytes, public_key: bytes, trust_roots_der: tuple[bytes, ...] | None = None
) -> VerifyReport:
    """Verify a PDF without the database: the seal, the codes and any signature.

    The office's seal pins its signer, so no trust anchor is needed for a file sealed with a
    pin; a file of the first seal form with a signature needs ``trust_roots_der``.

    Args:
        pdf: the file.
        public_key: the office's published public keys (one or more PEM blocks: the current
            key and retired ones).
        trust_roots_der: certificates (DER) to trust for the PAdES signature; None: not judged.

    Raises:
        DeskError: the public key file is not one.
    """
    try:
        keys = load_public_keys(public_key)
    except ValueError as exc:
        raise DeskError("Berkas kunci publik tidak dapat dibaca") from exc
    checks = tuple(
        DocumentCheck(
            item.kind,
            item.number,
            registered=None,
            code_valid=code_matches(keys, item),
            fields_match=None,
            voided=None,
        )
        for item in _embedded(pdf, keys)
    )
    return _file_report(pdf, sha256_hex(pdf), keys, checks, None, trust_roots_der)


def _embedded(pdf: bytes, keys: Mapping[str, Ed25519PublicKey]) -> tuple[DocumentSeal, ...]:
    """The documents a file names, read from its sealed part when the seal holds."""
    sealed = seal_state(pdf, keys)
    return embedded_documents(pdf[: sealed.sealed_length] if sealed.valid else pdf)


def _printed_code_matches(item: DocumentSeal, printed: str) -> bool:
    """Whether the code printed on the paper is the beginning of the document's code."""
    return len(printed) >= DISPLAY_CODE_LENGTH and item.code.startswith(printed)


def _as_paper_date(value: object) -> str:
    """An ISO date as the paper prints it (dd-mm-yyyy); anything else unchanged."""
    text = str(value)
    try:
        return dt.date.fromisoformat(text).strftime("%d-%m-%Y") if len(text) == 10 else text
    except ValueError:
        return text


def _scan_result(
    check: DocumentCheck, fields: dict[str, str], *, draft: bool = False
) -> ScanResult:
    if not check.ok:
        message = f"{check.number}: TIDAK SAH."
    elif draft:
        message = (
            f"{check.number}: kode sah, tetapi dinas belum menandatangani secara digital: "
            "kertas ini DRAF, bukan dokumen resmi. Cocokkan data di bawah dengan dokumen."
        )
    else:
        message = f"{check.number}: SAH — cocokkan data di bawah dengan dokumen."
    return ScanResult(check, fields, message)


def _check(
    keys: Mapping[str, Ed25519PublicKey], item: DocumentSeal, stored: StoredDocument | None
) -> DocumentCheck:
    valid = code_matches(keys, item)
    if stored is None:
        return DocumentCheck(item.kind, item.number, False, valid, False)
    return DocumentCheck(
        item.kind,
        item.number,
        registered=True,
        code_valid=valid and item.code == stored.verification_code,
        fields_match=dict(stored.fields) == dict(item.fields),
        voided=stored.voided,
    )


def _file_report(
    pdf: bytes,
    digest: str,
    keys: Mapping[str, Ed25519PublicKey],
    checks: tuple[DocumentCheck, ...],
    registered: bool | None,
    trust_roots_der: tuple[bytes, ...] | None,
) -> VerifyReport:
    sealed = seal_state(pdf, keys)
    key = keys.get(sealed.key_id) or next(iter(keys.values()))
    appended = sealed.valid is True and sealed.sealed_length < len(pdf)
    # pyHanko lets document-info changes pass after a signature; the desk's entries may not.
    metadata_changed = appended and verification_metadata(pdf) != verification_metadata(
        pdf[: sealed.sealed_length]
    )
    return VerifyReport(
        sha256=digest,
        seal_valid=sealed.valid,
        file_registered=registered,
        documents=checks,
        signature=check_signature(pdf, trust_roots_der),
        appended=appended,
        metadata_changed=metadata_changed,
        key_fingerprint=key_fingerprint(key),
        pinned_signer=sealed.pinned_signer,
    )
