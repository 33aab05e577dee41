"""Writing and checking the audit log from operations (operations layer)."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import audit as audit_repo
from disdukcapil_desk.domain.audit import (
    AuditEntry,
    ChainHead,
    ChainReport,
    PublishedHead,
    key_fingerprint,
    snapshot,
)
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.operations.audit_key import create_key_file
from disdukcapil_desk.operations.context import DeskContext


@dataclass(frozen=True, slots=True)
class OfflineOrigin:
    """Where and when a change replayed from an offline journal was really made."""

    made_at: dt.datetime
    """When the officer acted, offline (the workstation's clock)."""
    workstation: str
    synced_at: dt.datetime
    """When the server applied it."""
    resolution: str = ""
    """How the officer settled a conflict over it ("konflik luring: versi petugas dipakai")."""

    def note(self) -> str:
        """The line appended to every audit entry the replay writes."""
        made, synced = self.made_at.astimezone(WIB), self.synced_at.astimezone(WIB)
        note = (
            f"luring {made:%Y-%m-%d %H:%M} di {self.workstation}; "
            f"disinkronkan {synced:%Y-%m-%d %H:%M}"
        )
        return f"{note}; {self.resolution}" if self.resolution else note


_OFFLINE_ORIGIN: contextvars.ContextVar[OfflineOrigin | None] = contextvars.ContextVar(
    "offline_origin", default=None
)


@contextmanager
def offline_origin(origin: OfflineOrigin) -> Iterator[None]:
    """Inside this block every audit entry says it replays a change made offline (when, on
    which workstation, and when it was synced): the sync wraps each replayed operation in it.
    """
    token = _OFFLINE_ORIGIN.set(origin)
    try:
        yield
    finally:
        _OFFLINE_ORIGIN.reset(token)


def _with_origin(detail: str) -> str:
    origin = _OFFLINE_ORIGIN.get()
    if origin is None:
        return detail
    return f"{detail} ({origin.note()})" if detail else origin.note()


def record(
    ctx: DeskContext,
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    key: str,
    *,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    detail: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Append one entry (who, when, what, before and after) inside the caller's transaction.

    ``at``: the time of the change when the caller has it already (the transaction's
    ``ctx.now``, as a claim reads it); by default ``ctx.now(session)``.
    Personal numbers must not be put in ``detail``; pass masked values in before/after.
    """
    when = ctx.now(session) if at is None else at
    entry = _entry(ctx, actor, action, entity, key, before, after, detail, at=when)
    audit_repo.append(session, entry, ctx.audit_key())


def _entry(
    ctx: DeskContext,
    actor: Actor,
    action: str,
    entity: str,
    key: str,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
    detail: str,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """An entry at ``at`` (by default this workstation's clock, now)."""
    return AuditEntry(
        at=ctx.clock() if at is None else at,
        actor=actor.login,
        action=action,
        entity=entity,
        entity_key=key,
        before=snapshot(before),
        after=snapshot(after),
        detail=_with_origin(detail),
    )


class AuditBuffer:
    """Entries collected during a batch and appended together at its end (one chain's lock).

    ``mark``/``rollback_to`` drop the entries of a row whose savepoint was rolled back.
    """

    def __init__(self, ctx: DeskContext) -> None:
        """Start empty."""
        self._ctx = ctx
        self._entries: list[AuditEntry] = []

    def add(
        self,
        actor: Actor,
        action: str,
        entity: str,
        key: str,
        *,
        before: dict[str, object] | None = None,
        after: dict[str, object] | None = None,
        detail: str = "",
    ) -> None:
        """Collect one entry (timestamped now)."""
        self._entries.append(_entry(self._ctx, actor, action, entity, key, before, after, detail))

    def mark(self) -> int:
        """A position to roll back to."""
        return len(self._entries)

    def rollback_to(self, mark: int) -> None:
        """Forget the entries added since ``mark``."""
        del self._entries[mark:]

    def write(self, session: Session) -> None:
        """Append everything collected to the chain, in order, and start over."""
        at = self._ctx.now(session)  # the server's time on PostgreSQL
        entries = [replace(e, at=at) for e in self._entries]
        audit_repo.append_many(session, entries, self._ctx.audit_key())
        self._entries = []


def verify_chain(ctx: DeskContext) -> int | None:
    """Return the id of the first tampered entry (0 or -1 for a missing or wrong head row),
    or None when every chain verifies; MACs are checked with this workstation's key.
    """
    report = check_chain(ctx, ctx.audit_key())
    return None if report.intact else (report.broken_at or -1)


def check_chain(
    ctx: DeskContext, key: bytes | None = None, expected: Sequence[PublishedHead] = ()
) -> ChainReport:
    """Verify every chain's links and hashes, the head rows, with ``key`` every MAC, and that
    every published head in ``expected`` is still what the chains give (see ``audit verify``).
    """
    with ctx.reading() as session:
        return audit_repo.check_chain(session, key, expected)


def chain_head(ctx: DeskContext) -> ChainHead | None:
    """The log's current head, the digest of every chain's last entry (what ``audit head``
    and the recaps publish); None when there is no head row. Read in a short transaction of
    its own: on PostgreSQL appends wait while the heads are read.
    """
    with ctx.reading() as session:
        return audit_repo.head(session)


def head_problem(ctx: DeskContext) -> str | None:
    """Why the log cannot be written to (no head row, or one not naming its chain's last
    entry), or None; cheap (for ``db check``).
    """
    with ctx.reading() as session:
        return audit_repo.head_problem(session)


def init_key(ctx: DeskContext, actor: Actor, path: Path) -> bytes:
    """Create the office's audit key at ``path`` and key the chain from now on: one audited
    entry, with a MAC, marks the change (its hash covers every earlier entry).

    Raises:
        DeskError: a key file exists at ``path``, or the chain is keyed already (copy the
            office's key instead of making another).
    """
    with ctx.reading() as session:
        if audit_repo.is_keyed(session):
            raise DeskError(
                "Log audit sudah berkunci. Jangan membuat kunci baru: salin berkas kunci dari "
                "server kantor (atau komputer yang menjalankan 'db init') ke folder data ini."
            )
    key = create_key_file(path)
    try:
        with ctx.unit_of_work() as session:
            # Every chain gets the entry, so every chain ends keyed from now on and a
            # workstation without the key can write to none of them.
            for chain in audit_repo.lock_every_chain(session):
                entry = _entry(
                    ctx,
                    actor,
                    "audit_key_init",
                    "audit_log",
                    "key",
                    None,
                    {"fingerprint": key_fingerprint(key)},
                    "Log audit berkunci mulai entri ini",
                )
                audit_repo.append_to_chain(session, chain, [entry], key)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return key
