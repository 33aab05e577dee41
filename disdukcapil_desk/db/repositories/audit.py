"""Appending to and verifying the hash-chained audit log (db layer; no commits here)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import AppUser, AuditHead, AuditLog
from disdukcapil_desk.db.schema import GENESIS_HASH
from disdukcapil_desk.domain.audit import AuditEntry, entry_hash


def append(session: Session, entry: AuditEntry) -> AuditLog:
    """Append ``entry`` to the chain (see ``append_many``)."""
    return append_many(session, [entry])[-1]


def append_many(session: Session, entries: list[AuditEntry]) -> list[AuditLog]:
    """Append entries in order under one lock of the chain's head.

    The single ``audit_head`` row is locked for update, so concurrent appenders on PostgreSQL
    queue there and each chains to the hash its predecessor committed. Call it as the last write
    of a transaction to keep that lock short.
    """
    if not entries:
        return []
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    previous = head.last_hash
    rows = []
    for entry in entries:
        digest = entry_hash(previous, entry)
        rows.append(
            AuditLog(
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                entity=entry.entity,
                entity_key=entry.entity_key,
                before=entry.before,
                after=entry.after,
                detail=entry.detail,
                prev_hash=previous,
                hash=digest,
            )
        )
        previous = digest
    session.add_all(rows)
    session.flush()
    head.last_hash = previous
    head.last_id = rows[-1].id
    return rows


def iter_entries(session: Session, batch: int = 2000) -> Iterator[AuditLog]:
    """Yield every entry in chain order, in batches."""
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.id > last_id).order_by(AuditLog.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def find_break(session: Session) -> int | None:
    """Return the id of the first entry whose hash or link does not verify, or None if intact."""
    expected_prev = GENESIS_HASH
    for row in iter_entries(session):
        entry = AuditEntry(
            row.at,
            row.actor,
            row.action,
            row.entity,
            row.entity_key,
            row.before,
            row.after,
            row.detail,
        )
        if row.prev_hash != expected_prev or entry_hash(row.prev_hash, entry) != row.hash:
            return row.id
        expected_prev = row.hash
    head = session.get(AuditHead, 1)
    if head is not None and head.last_hash != expected_prev:
        return head.last_id or -1
    return None


def entries_with_names(
    session: Session, entity: str, key: str
) -> list[tuple[AuditLog, str | None]]:
    """Return the audit entries of one entity, oldest first, each with its actor's full name
    (None for the system or a login no longer known)."""
    rows = session.execute(
        select(AuditLog, AppUser.full_name)
        .outerjoin(AppUser, AppUser.login == AuditLog.actor)
        .where(AuditLog.entity == entity, AuditLog.entity_key == key)
        .order_by(AuditLog.id)
    )
    return [(entry, name) for entry, name in rows]


def entries_for(session: Session, entity: str, key: str) -> list[AuditLog]:
    """Return the audit entries of one entity, oldest first."""
    return list(
        session.scalars(
            select(AuditLog)
            .where(AuditLog.entity == entity, AuditLog.entity_key == key)
            .order_by(AuditLog.id)
        )
    )
