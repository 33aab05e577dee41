"""Numbers recorded from SIAK and the signed PDFs (TTE) of requests (db layer; no commits).

A number of a kind belongs to one request (unique ``(kind, value)``): :func:`put_number`
writes in a savepoint and turns the unique key's refusal, which two workstations racing for
the same number meet on either database, into :class:`NumberTaken`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import (
    OutgoingMessage,
    ServiceRequest,
    SiakNumber,
    SignedDocument,
)
from disdukcapil_desk.domain.delivery import MessageKind, SiakNumberKind, TteSource
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.siak import RecordedNumber, SignedPdf


class NumberTaken(DeskError):
    """The number is recorded on another request (found by the check or by the unique key)."""

    def __init__(self, kind: SiakNumberKind, value: str, request_number: str) -> None:
        """Name the number and the request that holds it."""
        super().__init__(
            f"{kind.label} {value} sudah dicatat pada permohonan {request_number}; satu nomor "
            "hanya untuk satu permohonan. Periksa lagi nomor dari SIAK."
        )
        self.request_number = request_number


def numbers_of(session: Session, request_id: int) -> tuple[RecordedNumber, ...]:
    """The numbers recorded for a request."""
    rows = session.scalars(
        select(SiakNumber)
        .where(SiakNumber.service_request_id == request_id)
        .order_by(SiakNumber.id)
    )
    return tuple(
        RecordedNumber(SiakNumberKind(r.kind), r.value, r.recorded_at, r.recorded_by) for r in rows
    )


def holder(session: Session, kind: SiakNumberKind, value: str) -> tuple[int, str] | None:
    """(request id, request number) of the request that holds ``value`` of ``kind``."""
    row = session.execute(
        select(ServiceRequest.id, ServiceRequest.number)
        .join(SiakNumber, SiakNumber.service_request_id == ServiceRequest.id)
        .where(SiakNumber.kind == kind.value, SiakNumber.value == value)
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def put_number(
    session: Session,
    request_id: int,
    kind: SiakNumberKind,
    value: str,
    *,
    at: dt.datetime,
    by: str,
) -> None:
    """Record (or correct) the request's number of ``kind``.

    Raises:
        NumberTaken: another request holds ``value`` (committed by a colleague meanwhile).
    """
    try:
        with session.begin_nested():
            row = session.scalars(
                select(SiakNumber).where(
                    SiakNumber.service_request_id == request_id, SiakNumber.kind == kind.value
                )
            ).first()
            if row is None:
                row = SiakNumber(service_request_id=request_id, kind=kind.value)
                session.add(row)
            row.value = value
            row.recorded_at = at
            row.recorded_by = by
            session.flush()
    except IntegrityError:
        found = holder(session, kind, value)
        raise NumberTaken(kind, value, found[1] if found else "lain") from None


def current_document(session: Session, request_id: int) -> SignedPdf | None:
    """The request's signed PDF in force (not replaced), without its bytes."""
    row = session.execute(
        select(SignedDocument, func.length(SignedDocument.content))
        .where(
            SignedDocument.service_request_id == request_id,
            SignedDocument.replaced_at.is_(None),
        )
        .order_by(SignedDocument.id.desc())
    ).first()
    return None if row is None else _pdf(row[0], int(row[1] or 0))


def document_content(session: Session, document_id: int) -> bytes:
    """The bytes of a signed PDF."""
    return bytes(
        session.scalars(
            select(SignedDocument.content).where(SignedDocument.id == document_id)
        ).one()
    )


def request_with_file(session: Session, sha256: str, other_than: int) -> str | None:
    """The number of another request that holds a PDF with this SHA-256 (in force or not)."""
    return session.scalars(
        select(ServiceRequest.number)
        .join(SignedDocument, SignedDocument.service_request_id == ServiceRequest.id)
        .where(SignedDocument.sha256 == sha256, ServiceRequest.id != other_than)
        .limit(1)
    ).first()


def add_document(
    session: Session,
    request_id: int,
    *,
    filename: str,
    sha256: str,
    signer: str,
    signed_at: dt.datetime | None,
    source: TteSource,
    content: bytes,
    at: dt.datetime,
    by: str,
) -> SignedPdf:
    """Attach a signed PDF; the one in force before it is marked replaced (kept)."""
    session.execute(
        update(SignedDocument)
        .where(
            SignedDocument.service_request_id == request_id,
            SignedDocument.replaced_at.is_(None),
        )
        .values(replaced_at=at)
    )
    row = SignedDocument(
        service_request_id=request_id,
        filename=filename,
        sha256=sha256,
        signer=signer,
        signed_at=signed_at,
        source=source.value,
        content=content,
        attached_at=at,
        attached_by=by,
    )
    session.add(row)
    session.flush()
    return _pdf(row, len(content))


def last_sent(session: Session, request_id: int) -> dt.datetime | None:
    """When the signed PDF was last written to the outbox for the request."""
    return session.scalars(
        select(OutgoingMessage.created_at)
        .where(
            OutgoingMessage.service_request_id == request_id,
            OutgoingMessage.kind == MessageKind.DOCUMENT_SENT.value,
        )
        .order_by(OutgoingMessage.id.desc())
        .limit(1)
    ).first()


def _pdf(row: SignedDocument, size: int) -> SignedPdf:
    return SignedPdf(
        id=row.id,
        filename=row.filename,
        sha256=row.sha256,
        signer=row.signer,
        signed_at=row.signed_at,
        source=TteSource(row.source),
        attached_at=row.attached_at,
        attached_by=row.attached_by,
        size=size,
    )
