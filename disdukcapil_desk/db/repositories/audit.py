"""Appending to and verifying the hash-chained audit log (db layer; no commits here).

The log is several chains, one ``audit_head`` row each. A transaction appends to one chain,
the first one no other transaction is writing to (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite's writers take turns anyway, so there it is always the first chain); when every chain is
busy it adds one. Each entry links to the previous entry of its chain; ``check_chain`` walks
them all in id order. The published head is the digest of every chain's last entry up to the
newest entry (``domain.audit.heads_digest``), read while no chain is being written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Insert,
    Row,
    Select,
    SmallInteger,
    String,
    Table,
    TextClause,
    Update,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import AppUser, AuditHead, AuditLog
from disdukcapil_desk.db.repositories import bulk
from disdukcapil_desk.domain.audit import (
    HEAD_MISMATCH,
    HEAD_MISSING,
    AuditEntry,
    ChainHead,
    ChainReport,
    PublishedHead,
    chain_genesis,
    entry_hash,
    entry_mac,
    heads_digest,
    mac_matches,
)
from disdukcapil_desk.domain.errors import AuditChainBroken, AuditKeyMissing

MAX_CHAINS = 64
"""Chains added when every one is busy, up to this many; beyond, a writer waits for chain 1."""
CHAINS_LOCK_KEY = 0x4B544C5F41554443
"""PostgreSQL advisory lock: adding a chain (exclusive) against reading the heads (shared)."""
_CHAIN_OF_SESSION = "audit_chain"
"""``session.info`` key: the chain this transaction appends to (it keeps to one)."""
_LAST_OF_SESSION = "audit_chain_last"
"""``session.info`` key (SQLite): that head row and its chain's last entry, read by a statement
of this transaction (``took_first_chain``), for the next append.
"""
_TIP_OF_SESSION = "audit_chain_tip"
"""``session.info`` key: the head row of that chain as a statement of this transaction locked
and read it (``took_chain``), for the next append (which then need not read it again).
"""

_HEAD = cast(Table, AuditHead.__table__)
_LOG = cast(Table, AuditLog.__table__)


class _Last(NamedTuple):
    """A chain's last entry: what a writer links to and checks its key against."""

    id: int
    hash: str
    mac: str | None


class _Tip(NamedTuple):
    """A chain's head row, locked for this transaction."""

    chain: int
    last_id: int
    last_hash: str


def _tip(row: Row[int, int, str]) -> _Tip:
    return _Tip(row[0], row[1], row[2])


def append(session: Session, entry: AuditEntry, key: bytes | None = None) -> int:
    """Append ``entry`` to a chain (see ``append_many``); returns its id."""
    return append_many(session, [entry], key)


def append_many(session: Session, entries: list[AuditEntry], key: bytes | None = None) -> int:
    """Append entries in order to one chain, under the lock of its head row; return the last
    entry's id (0 when there is nothing to append).

    The chain is one no other transaction is writing to, so workstations do not queue behind
    each other; within a chain, appenders still take turns and each links to the hash its
    predecessor committed. Call it as the last write of a transaction to keep the lock short.
    With ``key`` (the office's audit key) each entry also carries the MAC of its hash.

    On PostgreSQL the entries, the head row and the read of the chain's previous last entry
    are one statement; when that entry is not the one the head row named, or the key does not
    fit it, the error raised rolls the transaction back with them.

    Raises:
        AuditChainBroken: there is no head row, or the chain's head row does not name its last
            entry, or ``key`` is not the key the log's entries were written with.
        AuditKeyMissing: the log is keyed and ``key`` is None.
    """
    if not entries:
        return 0
    if _postgresql(session):
        tip = _take_chain(session)
        values, last_hash = _rows(tip, entries, key)
        prior, last_id = _write_pg(session, tip.chain, values, last_hash)
        _check_prior(session, tip, prior, key)
        return last_id
    tip, prior = _take_chain_sqlite(session)
    _check_prior(session, tip, prior, key)
    values, last_hash = _rows(tip, entries, key)
    if len(values) == 1:
        last_id = session.connection().execute(_ONE_ENTRY, values[0]).scalar_one()
    else:  # a batch (ingest): one multi-row INSERT; ids follow the order
        last_id = max(row.id for row in bulk.insert_values(session, _LOG, values, ("id",)))
    session.connection().execute(
        _MOVE_HEAD, {"head_chain": tip.chain, "head_id": last_id, "head_hash": last_hash}
    )
    return int(last_id)


def _take_chain_sqlite(session: Session) -> tuple[_Tip, _Last | None]:
    """SQLite: the chain this transaction appends to (its writers take turns, so the first,
    or the one it took already) and that chain's last entry, read in one statement.
    """
    held = session.info.get(_CHAIN_OF_SESSION)
    if held is not None:
        taken: tuple[_Tip, _Last | None] | None = session.info.pop(_LAST_OF_SESSION, None)
        if taken is not None:
            session.info.pop(_TIP_OF_SESSION, None)
            return taken
        tip = _take_chain(session)
        return tip, _last_of(session, tip.chain)
    row = session.connection().execute(_FIRST_WITH_LAST).first()
    if row is None:
        raise AuditChainBroken(f"{HEAD_MISSING.capitalize()}. {_NOT_SAVED}")
    tip, last = _tip_and_last(row)
    session.info[_CHAIN_OF_SESSION] = tip.chain
    return tip, last


def _tip_and_last(row: Sequence[object]) -> tuple[_Tip, _Last | None]:
    """A row of ``first_chain_with_last``: the head row, and its chain's last entry (None: the
    chain is empty).
    """
    tip = _Tip(cast(int, row[0]), cast(int, row[1]), cast(str, row[2]))
    if row[3] is None:
        return tip, None
    return tip, _Last(cast(int, row[3]), cast(str, row[4]), cast("str | None", row[5]))


_ONE_ENTRY = (
    insert(_LOG)
    .values({c.key: bindparam(c.key, type_=c.type) for c in _LOG.columns if c.key != "id"})
    .returning(_LOG.c.id)
)
"""One entry (SQLite), its values as parameters: built and compiled once."""
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == bindparam("head_chain", type_=SmallInteger))
    .values(last_id=bindparam("head_id"), last_hash=bindparam("head_hash", type_=String))
)
"""A chain's head row moved on to its new last entry (SQLite)."""


def _rows(
    tip: _Tip, entries: list[AuditEntry], key: bytes | None
) -> tuple[list[dict[str, object]], str]:
    """The rows of ``entries`` chained from ``tip``, and the last one's hash."""
    previous = tip.last_hash
    values: list[dict[str, object]] = []
    for entry in entries:
        digest = entry_hash(previous, entry)
        values.append(
            {
                "at": entry.at,
                "actor": entry.actor,
                "action": entry.action,
                "entity": entry.entity,
                "entity_key": entry.entity_key,
                "before": entry.before,
                "after": entry.after,
                "detail": entry.detail,
                "prev_hash": previous,
                "hash": digest,
                "mac": entry_mac(key, digest) if key is not None else None,
                "chain": tip.chain,
            }
        )
        previous = digest
    return values, previous


def _write_pg(
    session: Session, chain: int, values: list[dict[str, object]], last_hash: str
) -> tuple[_Last | None, int]:
    """One statement: read the chain's last entry, insert ``values``, move the head row on.

    Its snapshot is taken after the head row was locked, so the entry read is the last one
    committed. Returns that entry (None: the chain was empty) and the new last id.
    """
    params: dict[str, object] = {"head_chain": chain, "head_hash": last_hash}
    stmt: Update | TextClause
    if len(values) == 1:  # one statement the cache keeps; its values as parameters
        stmt = _ONE_ENTRY_PG
        params.update(values[0])
    else:  # a batch: the entries as one array a column, so the statement is always the same
        stmt = _MANY_ENTRIES_PG
        at = _LOG.c.at.type.bind_processor(session.get_bind().dialect)
        assert at is not None
        for name in _ARRAY_COLUMNS:
            params[name] = [at(v[name]) if name == "at" else v[name] for v in values]
    row = session.connection().execute(stmt, params).one()
    prior = None if row[0] is None else _Last(row[0], row[1], row[2])
    return prior, row[3]


def _write_statement(added: Insert) -> Update:
    """The statement of ``_write_pg`` around the INSERT ``added`` (parameters ``head_chain``,
    ``head_hash``).
    """
    chain = bindparam("head_chain", type_=SmallInteger)
    prior = (
        select(_LOG.c.id, _LOG.c.hash, _LOG.c.mac)
        .where(_LOG.c.chain == chain)
        .order_by(_LOG.c.id.desc())
        .limit(1)
        .cte("prior")
    )
    inserted = added.returning(_LOG.c.id).cte("added")
    return (
        update(_HEAD)
        .where(_HEAD.c.id == chain)
        .values(
            last_id=select(func.max(inserted.c.id)).scalar_subquery(),
            last_hash=bindparam("head_hash", type_=String),
        )
        .returning(
            select(prior.c.id).scalar_subquery(),
            select(prior.c.hash).scalar_subquery(),
            select(prior.c.mac).scalar_subquery(),
            _HEAD.c.last_id,
        )
    )


_ONE_ENTRY_PG = _write_statement(
    insert(_LOG).values(
        {c.key: bindparam(c.key, type_=c.type) for c in _LOG.columns if c.key != "id"}
    )
)


_ARRAY_COLUMNS = tuple(c.key for c in _LOG.columns if c.key not in ("id", "chain"))
_MANY_ENTRIES_PG = text(
    "WITH prior AS (SELECT id, hash, mac FROM audit_log WHERE chain = :head_chain"
    " ORDER BY id DESC LIMIT 1),"
    " added AS (INSERT INTO audit_log (" + ", ".join(_ARRAY_COLUMNS) + ", chain)"
    " SELECT " + ", ".join(f"v.{c}" for c in _ARRAY_COLUMNS) + ", :head_chain"
    " FROM unnest(CAST(:at AS timestamptz[]), "
    + ", ".join(f"CAST(:{c} AS text[])" for c in _ARRAY_COLUMNS[1:])
    + ") WITH ORDINALITY AS v("
    + ", ".join(_ARRAY_COLUMNS)
    + ", ord)"
    " ORDER BY v.ord RETURNING id)"
    " UPDATE audit_head SET last_id = (SELECT max(id) FROM added), last_hash = :head_hash"
    " WHERE id = :head_chain RETURNING (SELECT id FROM prior), (SELECT hash FROM prior),"
    " (SELECT mac FROM prior), audit_head.last_id"
)
"""``_write_statement`` for several entries (PostgreSQL), each column's values one array
parameter, inserted in the arrays' order (so the ids follow the chain).
"""


def _check_prior(session: Session, tip: _Tip, prior: _Last | None, key: bytes | None) -> None:
    """Refuse the append when the chain's last entry is not the one its head row names, or
    this workstation's key does not fit the log.
    """
    expected = (prior.id, prior.hash) if prior is not None else (0, chain_genesis(tip.chain))
    if expected != (tip.last_id, tip.last_hash):
        raise AuditChainBroken(f"{HEAD_MISMATCH.capitalize()}. {_NOT_SAVED}")
    reference = prior if prior is not None else _newest_head_entry(session, tip.chain)
    if reference is not None and reference.mac is not None:
        _check_writer_key(key, reference.hash, reference.mac)


_NOT_SAVED = (
    "Perubahan tidak disimpan. Minta administrator menjalankan 'disdukcapil-desk audit verify'."
)


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _take_chain(session: Session) -> _Tip:
    """Lock the head row of the chain this transaction appends to.

    The chain already taken by this transaction, else the first free one; when every chain is
    busy (PostgreSQL), a new one under the advisory lock that readers of the heads share.
    """
    held = session.info.get(_CHAIN_OF_SESSION)
    if held is not None:
        taken: _Tip | None = session.info.pop(_TIP_OF_SESSION, None)
        if taken is not None:
            return taken
        row = session.execute(_head_rows().where(_HEAD.c.id == held).with_for_update()).first()
        if row is None:
            raise AuditChainBroken(f"{HEAD_MISSING.capitalize()}. {_NOT_SAVED}")
        return _tip(row)
    postgresql = _postgresql(session)
    row = session.execute(_FIRST_FREE if postgresql else _FIRST).first()
    if row is None and postgresql:
        row = _add_chain(session)
    if row is None:
        raise AuditChainBroken(f"{HEAD_MISSING.capitalize()}. {_NOT_SAVED}")
    tip = _tip(row)
    session.info[_CHAIN_OF_SESSION] = tip.chain
    return tip


def _head_rows() -> Select[int, int, str]:
    return select(_HEAD.c.id, _HEAD.c.last_id, _HEAD.c.last_hash)


_FIRST = _head_rows().order_by(_HEAD.c.id).limit(1)
_FIRST_FREE = _FIRST.with_for_update(skip_locked=True)


def free_chain_head() -> CTE:
    """PostgreSQL: the head row of the first chain no other transaction is writing to, locked
    (``SKIP LOCKED``; no row when every chain is busy), as a CTE for a statement that takes a
    chain along with its own change (a claim); hand what it read to ``took_chain``.
    """
    return _FIRST_FREE.cte("audit_chain_head")


def took_chain(
    session: Session, chain: int | None, last_id: int | None, last_hash: str | None
) -> None:
    """Record that a statement of this transaction locked the head row of ``chain`` (read by
    ``free_chain_head``) with ``last_id`` and ``last_hash``: the next append goes to that chain
    without reading its head row again. Nothing is recorded when no chain was free (None) or
    the transaction keeps to a chain already.
    """
    if chain is None or last_id is None or last_hash is None:
        return
    if session.info.get(_CHAIN_OF_SESSION) is not None:
        return
    session.info[_CHAIN_OF_SESSION] = chain
    session.info[_TIP_OF_SESSION] = _Tip(chain, last_id, last_hash)


def _add_chain(session: Session) -> Row[int, int, str] | None:
    """Every chain is busy: add one (or take one that came free meanwhile). None when there is
    no head row at all (the log is broken; nothing is written).
    """
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAINS_LOCK_KEY})
    stmt = _head_rows().order_by(_HEAD.c.id).limit(1)
    row = session.execute(stmt.with_for_update(skip_locked=True)).first()
    if row is not None:
        return row
    highest = session.scalar(select(func.max(_HEAD.c.id)))
    if highest is None:
        return None
    if highest >= MAX_CHAINS:
        return session.execute(stmt.with_for_update()).first()
    chain = highest + 1
    session.execute(insert(_HEAD).values(id=chain, last_id=0, last_hash=chain_genesis(chain)))
    return session.execute(_head_rows().where(_HEAD.c.id == chain)).first()


def _last_of(session: Session, chain: int) -> _Last | None:
    row = session.execute(_LAST_OF, {"last_chain": chain}).first()
    return None if row is None else _Last(row[0], row[1], row[2])


def _last_entry(chain: ColumnElement[int]) -> Select[int, str, str | None]:
    """The last entry of ``chain`` (id, hash, MAC)."""
    return (
        select(_LOG.c.id, _LOG.c.hash, _LOG.c.mac)
        .where(_LOG.c.chain == chain)
        .order_by(_LOG.c.id.desc())
        .limit(1)
    )


_LAST_OF = _last_entry(bindparam("last_chain", type_=SmallInteger))


def _first_with_last() -> Select[int, int, str, int | None, str | None, str | None]:
    """The first chain's head row and that chain's last entry (none: the chain is empty)."""
    last = _LOG.alias("last_entry")
    newest = select(func.max(_LOG.c.id)).where(_LOG.c.chain == _HEAD.c.id).scalar_subquery()
    return (
        select(_HEAD.c.id, _HEAD.c.last_id, _HEAD.c.last_hash, last.c.id, last.c.hash, last.c.mac)
        .select_from(_HEAD.outerjoin(last, last.c.id == newest))
        .order_by(_HEAD.c.id)
        .limit(1)
    )


_FIRST_WITH_LAST = _first_with_last()


def first_chain_with_last() -> CTE:
    """SQLite: the first chain's head row and its chain's last entry (what an append reads
    first), as a CTE for a statement that reads them along with its own change (a claim); hand
    its row to ``took_first_chain``. SQLite's writers take turns, so nothing changes them
    before this transaction's append.
    """
    return _FIRST_WITH_LAST.cte("audit_chain_tip").prefix_with("MATERIALIZED")


def took_first_chain(session: Session, row: Sequence[object]) -> None:
    """Record what ``first_chain_with_last`` read in this transaction (SQLite): the next
    append goes to that chain without reading it again. Nothing is recorded when there is no
    head row (the append then finds the log broken) or the transaction keeps to a chain
    already.
    """
    if row[0] is None or session.info.get(_CHAIN_OF_SESSION) is not None:
        return
    tip, last = _tip_and_last(row)
    session.info[_CHAIN_OF_SESSION] = tip.chain
    session.info[_LAST_OF_SESSION] = (tip, last)


def _newest_head_entry(session: Session, besides: int = 0) -> _Last | None:
    """The newest entry a head row (but chain ``besides``) names: what a new chain's first
    writer checks its key against (once the office keys the log, every chain ends keyed).
    """
    newest = select(func.max(_HEAD.c.last_id)).where(_HEAD.c.id != besides).scalar_subquery()
    row = session.execute(
        select(AuditLog.id, AuditLog.hash, AuditLog.mac).where(AuditLog.id == newest)
    ).first()
    return None if row is None else _Last(row[0], row[1], row[2])


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


def lock_every_chain(session: Session) -> list[int]:
    """Lock every chain's head row (waiting for their writers); return the chain numbers.

    For an entry every chain must carry (the office keying the log).
    """
    return list(session.scalars(select(_HEAD.c.id).order_by(_HEAD.c.id).with_for_update()))


def append_to_chain(
    session: Session, chain: int, entries: list[AuditEntry], key: bytes | None
) -> int:
    """Append to ``chain`` (its head row locked by this transaction) as ``append_many``."""
    session.info[_CHAIN_OF_SESSION] = chain
    try:
        return append_many(session, entries, key)
    finally:
        session.info.pop(_CHAIN_OF_SESSION, None)


def _heads(session: Session) -> list[_Tip]:
    """Every head row, read while no chain is being written on PostgreSQL: the shared advisory
    lock keeps chains from being added, ``FOR SHARE`` waits for the appenders in progress and
    holds new ones off until this transaction ends. So every entry with an id below the newest
    head's was committed already: the cut a published head names.
    """
    stmt = _head_rows().order_by(_HEAD.c.id)
    if _postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": CHAINS_LOCK_KEY})
        stmt = stmt.with_for_update(read=True)
    return [_tip(row) for row in session.execute(stmt)]


def _combined(tips: Sequence[_Tip]) -> tuple[int, str]:
    live = {t.chain: t.last_hash for t in tips if t.last_id}
    return max((t.last_id for t in tips), default=0), heads_digest(live)


def head(session: Session) -> ChainHead | None:
    """The log's head as the ``audit_head`` rows give it: the newest entry's id and time, the
    digest of every chain's last entry; None when there is no head row. On PostgreSQL hold the
    session only briefly afterwards: appends wait until its transaction ends.
    """
    tips = _heads(session)
    if not tips:
        return None
    seq, digest = _combined(tips)
    at = session.scalar(select(AuditLog.at).where(AuditLog.id == seq)) if seq else None
    return ChainHead(seq, digest, at)


def head_problem(session: Session) -> str | None:
    """Why the log cannot be appended to (no head row, or a head row not naming its chain's
    last entry), or None.
    """
    tips = [_tip(row) for row in session.execute(_head_rows().order_by(_HEAD.c.id))]
    if not tips:
        return HEAD_MISSING
    for tip in tips:
        last = _last_of(session, tip.chain)
        expected = (last.id, last.hash) if last is not None else (0, chain_genesis(tip.chain))
        if expected != (tip.last_id, tip.last_hash):
            return f"{HEAD_MISMATCH} (rantai {tip.chain})" if tip.chain != 1 else HEAD_MISMATCH
    return None


def is_keyed(session: Session) -> bool:
    """Whether the log's entries carry a MAC (the office has an audit key): the newest entry a
    head row names has one.
    """
    newest = _newest_head_entry(session)
    return newest is not None and newest.mac is not None


def iter_entries(session: Session, after: int = 0, batch: int = 2000) -> Iterator[AuditLog]:
    """Yield every entry with an id above ``after`` in id order, in batches."""
    yield from _batches(session, select(AuditLog), after, batch)


def _chain_entries(
    session: Session, chain: int, after: int, before: int | None = None
) -> Iterator[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.chain == chain)
    if before is not None:
        stmt = stmt.where(AuditLog.id < before)
    return _batches(session, stmt, after, 2000)


def _batches(
    session: Session, stmt: Select[AuditLog], after: int, batch: int
) -> Iterator[AuditLog]:
    last_id = after
    while True:
        rows = session.scalars(
            stmt.where(AuditLog.id > last_id).order_by(AuditLog.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def check_chain(
    session: Session, key: bytes | None = None, expected: Sequence[PublishedHead] = ()
) -> ChainReport:
    """Verify every chain: every link and hash; with ``key`` every MAC; the head rows; and that
    each published head in ``expected`` is still the digest of the chains up to its entry.

    Entries without a MAC are accepted only before the first entry of their chain that has one
    (they were written before the office had a key); with a key every chain must end with a
    keyed entry. On PostgreSQL, entries committed while we read are read on, chain by chain,
    once the heads are read (appends wait for that until this session ends).
    """
    walk = _Walk(
        key,
        {p.seq: p for p in expected},
        lambda chain, after, before: _chain_entries(session, chain, after, before),
    )
    walk.run(iter_entries(session))
    tips = _heads(session)
    for tip in tips:
        if walk.problem is None and tip.last_id > walk.tip(tip.chain)[0]:
            walk.run(_chain_entries(session, tip.chain, walk.tip(tip.chain)[0]))
    walk.finish(tips)
    report_head = None
    if tips:
        seq, digest = _combined(tips)
        at = session.scalar(select(AuditLog.at).where(AuditLog.id == seq)) if seq else None
        report_head = ChainHead(seq, digest, at)
    return walk.report(report_head)


class _Walk:
    """The state of verifying the chains entry by entry (in id order)."""

    def __init__(
        self,
        key: bytes | None,
        expected: dict[int, PublishedHead],
        late: Callable[[int, int, int], Iterator[AuditLog]],
    ) -> None:
        self.key = key
        self.expected = expected
        self.late = late
        self.seen_expected: set[int] = set()
        self.chains: dict[int, tuple[int, str, bool]] = {}
        """chain → (last id, last hash, whether that entry has a MAC)."""
        self.entries = self.keyed = 0
        self.problem: str | None = None
        self.broken_at = 0

    def tip(self, chain: int) -> tuple[int, str, bool]:
        """The last entry verified of ``chain`` (0 and its genesis before any)."""
        return self.chains.get(chain, (0, chain_genesis(chain), False))

    def run(self, rows: Iterator[AuditLog]) -> None:
        for row in rows:
            if self.problem is not None:
                return
            self._step(row)

    def _fail(self, entry_id: int, problem: str) -> None:
        self.problem, self.broken_at = problem, entry_id

    def _step(self, row: AuditLog) -> None:
        last_id, last_hash, last_keyed = self.tip(row.chain)
        if row.prev_hash != last_hash:
            # PostgreSQL: an entry of this chain with a lower id may have been committed after
            # the walk passed its id; read those first.
            late = list(self.late(row.chain, last_id, row.id))
            if late:
                self.run(iter(late))
                if self.problem is not None:
                    return
                last_id, last_hash, last_keyed = self.tip(row.chain)
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
        if row.prev_hash != last_hash or entry_hash(row.prev_hash, entry) != row.hash:
            self._fail(row.id, f"entri #{row.id} diubah, dihapus atau disisipkan (hash salah)")
            return
        if row.mac is None and last_keyed:
            self._fail(row.id, f"entri #{row.id} tanpa MAC sesudah entri ber-MAC")
            return
        if row.mac is not None:
            self.keyed += 1
            if self.key is not None and not mac_matches(self.key, row.hash, row.mac):
                self._fail(row.id, f"MAC entri #{row.id} tidak cocok: entri ditulis ulang")
                return
        self.chains[row.chain] = (row.id, row.hash, row.mac is not None)
        published = self.expected.get(row.id)
        if published is not None:
            digest = heads_digest({c: h for c, (_, h, _) in self.chains.items()})
            if not published.matches(digest):
                self._fail(
                    row.id, f"log sampai entri #{row.id} berbeda dari kepala terbit {published}"
                )
                return
            self.seen_expected.add(row.id)

    def finish(self, tips: Sequence[_Tip]) -> None:
        if self.problem is not None:
            return
        if not tips:
            self._fail(0, HEAD_MISSING)
            return
        rows = {tip.chain: tip for tip in tips}
        for chain in sorted(set(self.chains) - set(rows)):
            self._fail(self.tip(chain)[0], f"{HEAD_MISSING} (rantai {chain})")
            return
        for tip in tips:
            last_id, last_hash, _ = self.tip(tip.chain)
            if (tip.last_id, tip.last_hash) != (last_id, last_hash):
                where = f", rantai {tip.chain}" if tip.chain != 1 else ""
                self._fail(tip.last_id, f"{HEAD_MISMATCH} (#{last_id}{where})")
                return
        if self.key is not None:
            for chain in sorted(self.chains):
                last_id, _, last_keyed = self.chains[chain]
                if not last_keyed:
                    self._fail(last_id, "rantai audit tidak berkunci: entri terakhir tanpa MAC")
                    return
        for published in sorted(self.expected.values(), key=lambda p: p.seq):
            if published.seq and published.seq not in self.seen_expected:
                self._fail(published.seq, f"kepala terbit {published} tidak ada lagi di rantai")
                return

    def report(self, head: ChainHead | None) -> ChainReport:
        return ChainReport(
            entries=self.entries,
            keyed=self.keyed,
            hash_only=self.entries - self.keyed,
            mac_checked=self.key is not None,
            expected_checked=len(self.expected),
            head=head,
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
