"""Issued documents, their files and the number register (no commits).

Every statement about documents lives here; ``operations/documents/`` receives plain values
(:mod:`disdukcapil_desk.domain.document_records`), never a model.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import (
    AppUser,
    AuditLog,
    DocumentFile,
    IssuedDocument,
    Location,
    NumberRegister,
    OfficeSetting,
    RequirementCheck,
    ServiceRequest,
)
from disdukcapil_desk.domain.document_records import (
    DocumentRequest,
    OfficerInfo,
    PlaceInfo,
    RegisterEntry,
    StoredDocument,
)
from disdukcapil_desk.domain.documents import DocumentKind, PrintPurpose, RegisterEvent
from disdukcapil_desk.domain.workflow import Action, Status


def find(session: Session, kind: DocumentKind, number: str) -> StoredDocument | None:
    """Return the document of ``kind`` with ``number``, or None."""
    row = _row(session, kind, number)
    return None if row is None else _stored(row)


def find_any(session: Session, number: str) -> StoredDocument | None:
    """Return the document with ``number`` of any kind (a receipt first), or None."""
    return next((d for kind in DocumentKind if (d := find(session, kind, number))), None)


def current_for_request(
    session: Session, request_id: int, kind: DocumentKind
) -> StoredDocument | None:
    """Return the newest document of ``kind`` of a request that is not voided, or None."""
    row = session.scalar(
        select(IssuedDocument)
        .where(
            IssuedDocument.service_request_id == request_id,
            IssuedDocument.kind == kind.value,
            IssuedDocument.voided_at.is_(None),
        )
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    )
    return None if row is None else _stored(row)


def unprinted(session: Session, location_code: str, kind: DocumentKind) -> list[StoredDocument]:
    """Return the never-printed, not voided documents of a location, oldest first, locked."""
    stmt = (
        select(IssuedDocument)
        .where(
            IssuedDocument.location_code == location_code,
            IssuedDocument.kind == kind.value,
            IssuedDocument.print_count == 0,
            IssuedDocument.voided_at.is_(None),
        )
        .order_by(IssuedDocument.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return [_stored(row) for row in session.scalars(stmt)]


def add(
    session: Session,
    request: DocumentRequest,
    kind: DocumentKind,
    template: str,
    number: str,
    code: str,
    fields: dict[str, str],
    at: dt.datetime,
    by: str,
) -> StoredDocument:
    """Record a new document of ``request`` (never printed yet) and return it."""
    row = IssuedDocument(
        service_request_id=request.id,
        kind=kind.value,
        template=template,
        number=number,
        location_code=request.location_code,
        verification_code=code,
        fields=json.dumps(fields, sort_keys=True, ensure_ascii=False),
        print_count=0,
        reprint_count=0,
        created_at=at,
        created_by=by,
    )
    session.add(row)
    session.flush()
    return _stored(row)


def count_print(session: Session, document: StoredDocument, *, reprint: bool) -> StoredDocument:
    """Count one print (and a reprint) of a document; return it with its new counts."""
    row = _by_id(session, document.id)
    row.print_count += 1
    if reprint:
        row.reprint_count += 1
    session.flush()
    return _stored(row)


def mark_voided(
    session: Session, document: StoredDocument, at: dt.datetime, by: str, reason: str
) -> StoredDocument:
    """Void a document: who, when and why (the row and its number stay)."""
    row = _by_id(session, document.id)
    row.voided_at, row.voided_by, row.void_reason = at, by, reason
    session.flush()
    return _stored(row)


def add_register_entry(
    session: Session,
    document: StoredDocument,
    event: RegisterEvent,
    reason: str,
    by: str,
    at: dt.datetime,
) -> None:
    """Write a line of the number register (a void or a reprint)."""
    session.add(
        NumberRegister(
            issued_document_id=document.id,
            kind=document.kind.value,
            number=document.number,
            event=event.value,
            reason=reason,
            actor=by,
            at=at,
        )
    )


def add_files(
    session: Session,
    documents: Iterable[StoredDocument],
    sha256: str,
    purpose: PrintPurpose,
    pages: int,
    at: dt.datetime,
    by: str,
) -> None:
    """Record one PDF handed out (its SHA-256) for each document it holds."""
    for document in documents:
        session.add(
            DocumentFile(
                issued_document_id=document.id,
                sha256=sha256,
                purpose=purpose.value,
                pages=pages,
                created_at=at,
                created_by=by,
            )
        )


def documents_in_file(session: Session, sha256: str) -> set[int]:
    """Return the ids of the documents of the stored files with this SHA-256."""
    return set(
        session.scalars(
            select(DocumentFile.issued_document_id).where(DocumentFile.sha256 == sha256)
        )
    )


def register_entries(
    session: Session,
    number: str | None = None,
    limit: int | None = None,
    *,
    location_code: str | None = None,
) -> list[RegisterEntry]:
    """Return the register of voided and reprinted numbers, newest first (one number's; one
    office's).
    """
    stmt = select(NumberRegister).order_by(NumberRegister.id.desc()).limit(limit)
    if number is not None:
        stmt = stmt.where(NumberRegister.number == number)
    if location_code is not None:
        stmt = (
            stmt.join(IssuedDocument, IssuedDocument.id == NumberRegister.issued_document_id)
            .join(ServiceRequest, ServiceRequest.id == IssuedDocument.service_request_id)
            .where(ServiceRequest.location_code == location_code)
        )
    return [
        RegisterEntry(r.number, RegisterEvent(r.event), r.reason, r.actor, r.at)
        for r in session.scalars(stmt)
    ]


def request(session: Session, request_id: int) -> DocumentRequest:
    """Return what the documents need of a request."""
    row = session.get(ServiceRequest, request_id)
    assert row is not None
    return _request(row)


def request_by_number(session: Session, number: str) -> DocumentRequest | None:
    """Return the request with ``number`` (already normalised), or None."""
    row = session.scalar(select(ServiceRequest).where(ServiceRequest.number == number))
    return None if row is None else _request(row)


def requirement_states(session: Session, request_id: int) -> dict[str, str]:
    """Return the officer's verdict per requirement code of a request."""
    rows = session.execute(
        select(RequirementCheck.requirement_code, RequirementCheck.state).where(
            RequirementCheck.service_request_id == request_id
        )
    )
    return {code: state for code, state in rows}


def office_values(session: Session) -> dict[str, str]:
    """Return the stored office settings, key by key."""
    return {
        key: value for key, value in session.execute(select(OfficeSetting.key, OfficeSetting.value))
    }


def approver(session: Session, request_number: str) -> tuple[str, str] | None:
    """Who last approved the request, from the audit log: (login, full name, or the login)."""
    row = session.execute(
        select(AuditLog.actor, AppUser.full_name)
        .outerjoin(AppUser, AppUser.login == AuditLog.actor)
        .where(
            AuditLog.entity == "service_request",
            AuditLog.entity_key == request_number,
            AuditLog.action == Action.APPROVE.value,
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1] or row[0])


def place(session: Session, location_code: str) -> PlaceInfo | None:
    """Return a location's name, kind and address, or None."""
    row = session.get(Location, location_code)
    return None if row is None else PlaceInfo(row.name, row.kind, row.address or "")


def officer(session: Session, user_id: int) -> OfficerInfo | None:
    """Return a user's name and NIP, or None."""
    row = session.get(AppUser, user_id)
    return None if row is None else OfficerInfo(row.full_name, row.nip or "")


def _row(session: Session, kind: DocumentKind, number: str) -> IssuedDocument | None:
    return session.scalar(
        select(IssuedDocument).where(
            IssuedDocument.kind == kind.value, IssuedDocument.number == number
        )
    )


def _by_id(session: Session, document_id: int) -> IssuedDocument:
    row = session.get(IssuedDocument, document_id)
    assert row is not None
    return row


def _stored(row: IssuedDocument) -> StoredDocument:
    return StoredDocument(
        id=row.id,
        request_id=row.service_request_id,
        kind=DocumentKind(row.kind),
        template=row.template,
        number=row.number,
        location_code=row.location_code,
        verification_code=row.verification_code,
        fields=json.loads(row.fields),
        print_count=row.print_count,
        reprint_count=row.reprint_count,
        created_at=row.created_at,
        voided_at=row.voided_at,
        void_reason=row.void_reason or "",
    )


def _request(row: ServiceRequest) -> DocumentRequest:
    payload = json.loads(row.payload)
    return DocumentRequest(
        id=row.id,
        number=row.number,
        service_code=row.service_code,
        location_code=row.location_code,
        status=Status(row.status),
        channel=row.channel,
        received_at=row.received_at,
        sla_due=row.sla_due,
        applicant_name=row.applicant_name,
        nik=row.nik,
        no_kk=row.no_kk,
        subject_name=row.subject_name,
        subject_nik=row.subject_nik,
        kode_desa=row.kode_desa or "",
        kecamatan_code=row.kecamatan_code or "",
        contact=row.contact,
        payload=payload if isinstance(payload, dict) else {},
    )
