"""Appending to and verifying the hash-chained audit log (db layer; no commits here)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast

from sqlalchemy import Row, Table, insert, select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import AppUser, AuditHead, AuditLog
from disdukcapil_desk.db.schema import GENESIS_HASH
from disdukcapil_desk.domain.audit import (
    HEAD_MISMATCH,
    HEAD_MISSING,
    AuditEntry,
    ChainHead,
    ChainReport,
    PublishedHead,
    entry_hash,
    entry_mac,
    mac_matches,
)
from disdukcapil_desk.domain.errors import AuditChainBroken, AuditKeyMissing


def append(session: Session, entry: AuditEntry, key: bytes | None = None) -> AuditLog:
    """Append ``entry`` to the chain (see ``append_many``)."""
    return append_many(session, [entry], key)[-1]


def append_many(
    session: Session, entries: list[AuditEntry], key: bytes | None = None
) -> list[AuditLog]:
    """Append entries in order under one lock of the chain's head.

    The single ``audit_head`` row is locked for update, so concurrent appenders on PostgreSQL
    queue there and each chains to the hash its predecessor committed. Call it as the last write
    of a transaction to keep that lock short. With ``key`` (the office's audit key) each entry
    also carries the MAC of its hash.

    Raises:
        AuditChainBroken: the head row is missing or does not name the last entry, or ``key``
            is not the key the chain's last entry was written with.
        AuditKeyMissing: the chain is keyed and ``key`` is None.
    """
    if not entries:
        return []
    head = _locked_head(session)
    last = _last(session)
    tip = (last.id, last.hash) if last is not None else (0, GENESIS_HASH)
    if tip != (head.last_id, head.last_hash):
        raise AuditChainBroken(f"{HEAD_MISMATCH.capitalize()}. {_NOT_SAVED}")
    if last is not None and last.mac is not None:
        _check_writer_key(key, last.hash, last.mac)
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
                mac=entry_mac(key, digest) if key is not None else None,
            )
        )
        previous = digest
    if len(rows) == 1:
        session.add_all(rows)
        session.flush()
    else:  # a batch (ingest): one multi-row INSERT, not one per entry; ids follow the order
        table = cast(Table, AuditLog.__table__)
        stmt = insert(table).returning(table.c.id)
        values = [{c.key: getattr(r, c.key) for c in table.columns if c.key != "id"} for r in rows]
        for row, row_id in zip(rows, sorted(session.scalars(stmt, values)), strict=True):
            row.id = row_id
    head.last_hash = previous
    head.last_id = rows[-1].id
    return rows


_NOT_SAVED = (
    "Perubahan tidak disimpan. Minta administrator menjalankan 'disdukcapil-desk audit verify'."
)


def _locked_head(session: Session) -> AuditHead:
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        raise AuditChainBroken(f"{HEAD_MISSING.capitalize()}. {_NOT_SAVED}")
    return head


def _check_writer_key(key: bytes | None, last_hash: str, last_mac: str) -> None:
    if key is None:
        raise AuditKeyMissing(
            "Kunci log audit tidak ada di komputer ini, padahal log audit kantor sudah berkunci. "
            "Perubahan tidak disimpan. Salin berkas kunci audit dari server kantor ke folder data "
            "aplikasi komputer ini (lihat README, 'Kunci log audit')."
        )
    if not mac_matches(key, last_hash, last_mac):
        raise AuditChainBroken(
            "Kunci log audit di komputer ini tidak cocok dengan entri terakhir log audit "
            "(kunci dari kantor lain, atau log diubah). Perubahan tidak disimpan. "
            "Salin kunci yang benar dari server kantor, lalu jalankan 'audit verify'."
        )


def head(session: Session) -> ChainHead | None:
    """The chain's head as the ``audit_head`` row gives it, with its entry's time; None when
    the row is missing.
    """
    row = session.get(AuditHead, 1, populate_existing=True)
    if row is None:
        return None
    at = session.scalar(select(AuditLog.at).where(AuditLog.id == row.last_id))
    return ChainHead(row.last_id, row.last_hash, at)


def head_problem(session: Session) -> str | None:
    """Why the chain cannot be appended to (head row missing, or not naming the last entry),
    or None.
    """
    row = session.get(AuditHead, 1, populate_existing=True)
    if row is None:
        return HEAD_MISSING
    last = _last(session)
    tip = (last.id, last.hash) if last is not None else (0, GENESIS_HASH)
    return None if tip == (row.last_id, row.last_hash) else HEAD_MISMATCH


def is_keyed(session: Session) -> bool:
    """Whether the chain's last entry carries a MAC (the office has an audit key)."""
    last = _last(session)
    return last is not None and last.mac is not None


def _last(session: Session) -> Row[int, str, str | None] | None:
    return session.execute(
        select(AuditLog.id, AuditLog.hash, AuditLog.mac).order_by(AuditLog.id.desc()).limit(1)
    ).first()


def iter_entries(session: Session, after: int = 0, batch: int = 2000) -> Iterator[AuditLog]:
    """Yield every entry with an id above ``after`` in chain order, in batches."""
    last_id = after
    while True:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.id > last_id).order_by(AuditLog.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def check_chain(
    session: Session, key: bytes | None = None, expected: Sequence[PublishedHead] = ()
) -> ChainReport:
    """Verify the whole chain: every link and hash; with ``key`` every MAC; the head row; and
    that each published head in ``expected`` is still an entry of the chain.

    Entries without a MAC are accepted only before the first entry that has one (they were
    written before the office had a key); with a key the chain must end with a keyed entry.
    """
    walk = _Walk(key, {p.seq: p for p in expected})
    row_head = head(session)
    walk.run(iter_entries(session))
    while row_head is not None and walk.problem is None and row_head.seq > walk.last_id:
        # PostgreSQL: entries committed while we read; read on up to the head we see now.
        before = walk.last_id
        walk.run(iter_entries(session, after=before))
        row_head = head(session)
        if walk.last_id == before:
            break
    walk.finish(row_head)
    return walk.report(row_head)


class _Walk:
    """The state of verifying the chain entry by entry."""

    def __init__(self, key: bytes | None, expected: dict[int, PublishedHead]) -> None:
        self.key = key
        self.expected = expected
        self.seen_expected: set[int] = set()
        self.last_id = 0
        self.last_hash = GENESIS_HASH
        self.last_keyed = False
        self.entries = self.keyed = 0
        self.problem: str | None = None
        self.broken_at = 0

    def run(self, rows: Iterator[AuditLog]) -> None:
        for row in rows:
            if self.problem is not None:
                return
            self._step(row)

    def _fail(self, entry_id: int, problem: str) -> None:
        self.problem, self.broken_at = problem, entry_id

    def _step(self, row: AuditLog) -> None:
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
        self.entries += 1
        if row.prev_hash != self.last_hash or entry_hash(row.prev_hash, entry) != row.hash:
            self._fail(row.id, f"entri #{row.id} diubah, dihapus atau disisipkan (hash salah)")
            return
        if row.mac is None and self.last_keyed:
            self._fail(row.id, f"entri #{row.id} tanpa MAC sesudah entri ber-MAC")
            return
        if row.mac is not None:
            self.keyed += 1
            if self.key is not None and not mac_matches(self.key, row.hash, row.mac):
                self._fail(row.id, f"MAC entri #{row.id} tidak cocok: entri ditulis ulang")
                return
        published = self.expected.get(row.id)
        if published is not None:
            if not published.matches(row.hash):
                self._fail(row.id, f"entri #{row.id} berbeda dari kepala terbit {published}")
                return
            self.seen_expected.add(row.id)
        self.last_id, self.last_hash, self.last_keyed = row.id, row.hash, row.mac is not None

    def finish(self, row_head: ChainHead | None) -> None:
        if self.problem is not None:
            return
        if row_head is None:
            self._fail(0, HEAD_MISSING)
        elif (row_head.seq, row_head.hash) != (self.last_id, self.last_hash):
            self._fail(row_head.seq, f"{HEAD_MISMATCH} (#{self.last_id})")
        elif self.key is not None and self.entries and not self.last_keyed:
            self._fail(self.last_id, "rantai audit tidak berkunci: entri terakhir tanpa MAC")
        else:
            for published in sorted(self.expected.values(), key=lambda p: p.seq):
                if published.seq and published.seq not in self.seen_expected:
                    self._fail(published.seq, f"kepala terbit {published} tidak ada lagi di rantai")
                    return

    def report(self, row_head: ChainHead | None) -> ChainReport:
        return ChainReport(
            entries=self.entries,
            keyed=self.keyed,
            hash_only=self.entries - self.keyed,
            mac_checked=self.key is not None,
            expected_checked=len(self.expected),
            head=row_head,
            problem=self.problem,
            broken_at=self.broken_at,
        )


def entries_with_names(
    session: Session, entity: str, key: str
) -> list[tuple[AuditLog, str | None]]:
    """Return the audit entries of one entity, oldest first, each with its actor's full name
    (None for the system or a login no longer known).
    """
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
