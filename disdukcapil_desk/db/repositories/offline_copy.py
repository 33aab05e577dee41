"""Reading what a local copy holds from the server, and writing it into the copy (db layer;
no commits here).

The copy has the server's schema (``models.py``) plus ``offline_models.py``; rows keep their
server ids, so every link between them (a request's checks, findings, attachments) holds in
the copy as it does on the server.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from disdukcapil_desk.db.base import Base
from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.db.models import (
    AppUser,
    AuditHead,
    IncomingAttachment,
    IncomingRequest,
    IssuedDocument,
    Location,
    LocationKecamatan,
    OfficeSetting,
    RequestAttachment,
    RequestFinding,
    RequirementCheck,
    SchemaVersion,
    SealKey,
    Service,
    ServiceRequest,
)
from disdukcapil_desk.db.offline_models import LocalBase, OfflineBase, OfflineFact, OfflineJournal
from disdukcapil_desk.domain.audit import GENESIS_HASH
from disdukcapil_desk.domain.documents import DocumentKind
from disdukcapil_desk.domain.errors import DeskError

FILES_AT_ONCE = 16
"""Attachments read and written at a time: the copy never holds more files in memory."""

_REFERENCE_TABLES: tuple[type[Base], ...] = (
    SchemaVersion,
    Location,
    LocationKecamatan,
    Service,
    OfficeSetting,
    SealKey,
)
"""Copied whole: small, and the copy's operations read them."""


def build_engine(path: Path) -> Engine:
    """An engine for building a copy in a scratch file nobody else opens: no write-ahead log,
    the rollback journal in memory, no fsync per transaction and foreign keys checked once at
    the end (:func:`check_links`). A crash leaves only a scratch file the next refresh deletes;
    the caller makes the file durable (:func:`make_durable`) before renaming it into place.
    """
    engine = create_engine(sqlite_url(path), hide_parameters=True, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("PRAGMA journal_mode = MEMORY")
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.close()

    return engine


def check_links(engine: Engine) -> None:
    """Refuse a copy with a row naming one that is not there (every link dropped on purpose
    is nulled before it is written).

    Raises:
        DeskError: a broken link, naming the table.
    """
    with engine.connect() as conn:
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        raise DeskError(f"Salinan luring tidak utuh: baris {broken[0]} merujuk {broken[2]}")


def make_durable(path: Path) -> None:
    """Flush the built file to disk (it was written without fsync)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_local_schema(engine: Engine) -> None:
    """Create the shared schema and the copy's own tables in an empty file, with a fresh
    audit chain (the copy's entries link from the genesis, never into the server's chain).
    """
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        LocalBase.metadata.create_all(conn)
        conn.execute(insert(AuditHead).values(id=1, last_id=0, last_hash=GENESIS_HASH))


def _table(model: type[Base] | type[LocalBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _put(
    target: Session, model: type[Base] | type[LocalBase], rows: Sequence[dict[str, object]]
) -> int:
    if rows:
        target.execute(insert(_table(model)), list(rows))
    return len(rows)


def copy_reference(source: Session, target: Session) -> int:
    """Copy the reference tables whole; return the rows copied."""
    copied = 0
    for model in _REFERENCE_TABLES:
        rows = [dict(r) for r in source.execute(select(_table(model))).mappings()]
        copied += _put(target, model, rows)
    return copied


def dinas_codes(session: Session) -> list[str]:
    """The codes of the offices that are not a UPT (the dinas)."""
    return list(session.scalars(select(Location.code).where(Location.kind == "dinas")))


def copy_users(source: Session, target: Session, location_code: str) -> list[int]:
    """Copy the users who may log in at ``location_code``: its own, the office-less ones and
    the dinas's (who act on every office), with their hashes and lockout counters; return
    their ids.
    """
    dinas = dinas_codes(source)
    rows = [
        dict(r)
        for r in source.execute(
            select(_table(AppUser)).where(
                or_(
                    AppUser.location_code == location_code,
                    AppUser.location_code.is_(None),
                    AppUser.location_code.in_(dinas),
                )
            )
        ).mappings()
    ]
    _put(target, AppUser, rows)
    return [int(str(r["id"])) for r in rows]


def copy_stub_users(source: Session, target: Session, user_ids: Iterable[int]) -> None:
    """Copy users named by a copied request (an expired claim) who may not log in here, as
    inactive rows without a password: they keep the link, never a login.
    """
    wanted = sorted(set(user_ids))
    if not wanted:
        return
    rows = []
    for r in source.execute(select(_table(AppUser)).where(AppUser.id.in_(wanted))).mappings():
        row = dict(r)
        row.update(password_hash="", active=False, failed_logins=0, locked_until=None)
        rows.append(row)
    _put(target, AppUser, rows)


def open_request_ids(
    session: Session,
    location_code: str,
    statuses: Sequence[str],
    user_ids: Sequence[int],
    now: dt.datetime,
    limit: int,
) -> list[int]:
    """The office's requests in ``statuses`` that are unclaimed, whose lease ran out, or held
    by one of ``user_ids``: oldest first, at most ``limit``.
    """
    free = or_(
        ServiceRequest.claimed_by.is_(None),
        ServiceRequest.lease_expires_at.is_(None),
        ServiceRequest.lease_expires_at <= now,
        ServiceRequest.claimed_by.in_(list(user_ids)),
    )
    return list(
        session.scalars(
            select(ServiceRequest.id)
            .where(
                ServiceRequest.location_code == location_code,
                ServiceRequest.status.in_(list(statuses)),
                free,
            )
            .order_by(ServiceRequest.received_at, ServiceRequest.id)
            .limit(limit)
        )
    )


def count_open(session: Session, location_code: str, statuses: Sequence[str]) -> int:
    """How many requests of the office are in ``statuses``."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(ServiceRequest)
            .where(
                ServiceRequest.location_code == location_code,
                ServiceRequest.status.in_(list(statuses)),
            )
        )
        or 0
    )


def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def copy_requests(
    source: Session, target: Session, chunk: Sequence[int], kept: set[int]
) -> list[int]:
    """Copy the requests ``chunk`` with their checks and findings, write their server
    versions into ``offline_base``; return the users their claims name. ``kept``: every
    request the copy holds (a link to another one is dropped).
    """
    holders: set[int] = set()
    if chunk:
        rows = [
            dict(r)
            for r in source.execute(
                select(_table(ServiceRequest)).where(ServiceRequest.id.in_(chunk))
            ).mappings()
        ]
        for row in rows:
            if row["possible_duplicate_of"] not in kept:
                # The other request is not in the copy; the finding still names its number.
                row["possible_duplicate_of"] = None
            if row["claimed_by"] is not None:
                holders.add(int(str(row["claimed_by"])))
        _put(target, ServiceRequest, rows)
        for model in (RequirementCheck, RequestFinding):
            table = _table(model)
            children = source.execute(
                select(table).where(table.c.service_request_id.in_(chunk))
            ).mappings()
            _put(target, model, [dict(r) for r in children])
        _put(
            target,
            OfflineBase,
            [{"request_number": r["number"], "server_version": r["version"]} for r in rows],
        )
    return sorted(holders)


def copy_attachments(source: Session, target: Session, chunk: Sequence[int], kept: set[int]) -> int:
    """Copy the documents of the requests ``chunk``: their intake rows, the attachment bytes
    and the links; return the bytes copied.
    """
    size = 0
    if chunk:
        links = [
            dict(r)
            for r in source.execute(
                select(_table(RequestAttachment)).where(
                    RequestAttachment.service_request_id.in_(chunk)
                )
            ).mappings()
        ]
        attachment_ids = [int(str(link["incoming_attachment_id"])) for link in links]
        row_ids = set(
            source.scalars(
                select(IncomingAttachment.incoming_request_id).where(
                    IncomingAttachment.id.in_(attachment_ids)
                )
            )
        )
        row_ids |= set(
            source.scalars(
                select(IncomingRequest.id).where(IncomingRequest.service_request_id.in_(chunk))
            )
        )
        row_ids -= set(
            target.scalars(select(IncomingRequest.id).where(IncomingRequest.id.in_(row_ids)))
        )
        incoming = [
            dict(r)
            for r in source.execute(
                select(_table(IncomingRequest)).where(IncomingRequest.id.in_(sorted(row_ids)))
            ).mappings()
        ]
        for row in incoming:
            if row["service_request_id"] not in kept:
                row["service_request_id"] = None  # a request the copy does not hold
        _put(target, IncomingRequest, incoming)
        for part in _chunks(attachment_ids, FILES_AT_ONCE):
            files = [
                dict(r)
                for r in source.execute(
                    select(_table(IncomingAttachment)).where(IncomingAttachment.id.in_(part))
                ).mappings()
            ]
            size += sum(len(f["content"]) for f in files)
            _put(target, IncomingAttachment, files)
        _put(target, RequestAttachment, links)
    return size


def copy_receipts(source: Session, target: Session, chunk: Sequence[int]) -> None:
    """Copy the receipt records of the requests ``chunk`` (a receipt printed online is
    reprinted offline as a reprint, with its reason).
    """
    if chunk:
        rows = source.execute(
            select(_table(IssuedDocument)).where(
                IssuedDocument.service_request_id.in_(chunk),
                IssuedDocument.kind == DocumentKind.RECEIPT.value,
            )
        ).mappings()
        _put(target, IssuedDocument, [dict(r) for r in rows])


def put_facts(session: Session, facts: dict[str, str]) -> None:
    """Write (or replace) facts about the copy."""
    if not facts:
        return
    session.execute(delete(OfflineFact).where(OfflineFact.key.in_(list(facts))))
    session.execute(
        insert(OfflineFact), [{"key": key, "value": value} for key, value in facts.items()]
    )


def facts(session: Session) -> dict[str, str]:
    """Every fact about the copy."""
    return {row.key: row.value for row in session.scalars(select(OfflineFact))}


def journal_counts(session: Session, states: Sequence[str]) -> int:
    """How many journal entries are in ``states``."""
    return int(
        session.scalar(
            select(func.count()).select_from(OfflineJournal).where(OfflineJournal.state.in_(states))
        )
        or 0
    )


def used_numbers(session: Session, location_code: str, period: str) -> list[str]:
    """The request numbers of (office, day) (to know how far a block was used)."""
    return list(
        session.scalars(
            select(ServiceRequest.number).where(
                ServiceRequest.location_code == location_code,
                ServiceRequest.number.like(f"{location_code}/{period}/%"),
            )
        )
    )
