"""Issued documents, their files, the number register and the office secret (no commits)."""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import (
    DocumentFile,
    IssuedDocument,
    NumberRegister,
    OfficeSetting,
    RequirementCheck,
    ServiceRequest,
)

SECRET_KEY = "_document_secret"
"""The ``office_setting`` key of the verification secret (not one of the editable settings)."""
SIGNING_PKCS12_KEY = "_signing_pkcs12"
SIGNING_PASSPHRASE_KEY = "_signing_passphrase"


def document_secret(session: Session, at: object, by: str) -> bytes:
    """Return the database's verification secret, creating a random one at first need.

    Two workstations asking at once both end up with the one that was inserted first.
    """
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert_fn(OfficeSetting)
        .values(key=SECRET_KEY, value=secrets.token_hex(32), updated_at=at, updated_by=by)
        .on_conflict_do_nothing()
    )
    value = session.scalar(select(OfficeSetting.value).where(OfficeSetting.key == SECRET_KEY))
    assert value is not None
    return bytes.fromhex(value)


def signing_material(session: Session) -> tuple[bytes, str] | None:
    """Return the office's PKCS#12 and its passphrase, or None when none is configured."""
    stored = session.execute(
        select(OfficeSetting.key, OfficeSetting.value).where(
            OfficeSetting.key.in_((SIGNING_PKCS12_KEY, SIGNING_PASSPHRASE_KEY))
        )
    )
    rows = {key: value for key, value in stored}
    if not rows.get(SIGNING_PKCS12_KEY):
        return None
    return base64.b64decode(rows[SIGNING_PKCS12_KEY]), rows.get(SIGNING_PASSPHRASE_KEY, "")


def store_signing_material(
    session: Session, material: tuple[bytes, str] | None, at: dt.datetime, by: str
) -> None:
    """Store (or with None remove) the office's PKCS#12 and its passphrase."""
    values = (
        {
            SIGNING_PKCS12_KEY: base64.b64encode(material[0]).decode(),
            SIGNING_PASSPHRASE_KEY: material[1],
        }
        if material is not None
        else {SIGNING_PKCS12_KEY: "", SIGNING_PASSPHRASE_KEY: ""}
    )
    for key, value in values.items():
        row = session.get(OfficeSetting, key)
        if row is None:
            row = OfficeSetting(key=key)
            session.add(row)
        row.value = value
        row.updated_at = at
        row.updated_by = by


def find(session: Session, kind: str, number: str) -> IssuedDocument | None:
    """Return the document of ``kind`` with ``number``, or None."""
    return session.scalar(
        select(IssuedDocument).where(IssuedDocument.kind == kind, IssuedDocument.number == number)
    )


def current_for_request(session: Session, request_id: int, kind: str) -> IssuedDocument | None:
    """Return the newest document of ``kind`` of a request that is not voided, or None."""
    return session.scalar(
        select(IssuedDocument)
        .where(
            IssuedDocument.service_request_id == request_id,
            IssuedDocument.kind == kind,
            IssuedDocument.voided_at.is_(None),
        )
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    )


def unprinted(session: Session, location_code: str, kind: str) -> list[IssuedDocument]:
    """Return the never-printed, not voided documents of a location, oldest first, locked."""
    stmt = (
        select(IssuedDocument)
        .where(
            IssuedDocument.location_code == location_code,
            IssuedDocument.kind == kind,
            IssuedDocument.print_count == 0,
            IssuedDocument.voided_at.is_(None),
        )
        .order_by(IssuedDocument.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def request_of(session: Session, document: IssuedDocument) -> ServiceRequest:
    """Return the request a document belongs to."""
    request = session.get(ServiceRequest, document.service_request_id)
    assert request is not None
    return request


def files_with_hash(session: Session, sha256: str) -> list[DocumentFile]:
    """Return the stored files with this SHA-256 (one PDF may hold several documents)."""
    return list(session.scalars(select(DocumentFile).where(DocumentFile.sha256 == sha256)))


def register_entries(
    session: Session, number: str | None = None, limit: int | None = None
) -> list[NumberRegister]:
    """Return the register of voided and reprinted numbers, newest first (one number's)."""
    stmt = select(NumberRegister).order_by(NumberRegister.id.desc()).limit(limit)
    if number is not None:
        stmt = stmt.where(NumberRegister.number == number)
    return list(session.scalars(stmt))


def requirement_states(session: Session, request_id: int) -> dict[str, str]:
    """Return the officer's verdict per requirement code of a request."""
    rows = session.execute(
        select(RequirementCheck.requirement_code, RequirementCheck.state).where(
            RequirementCheck.service_request_id == request_id
        )
    )
    return {code: state for code, state in rows}
