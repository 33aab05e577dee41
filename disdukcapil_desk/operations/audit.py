"""Writing and checking the audit log from operations (operations layer)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import audit as audit_repo
from disdukcapil_desk.domain.audit import AuditEntry, snapshot
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext


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
) -> None:
    """Append one entry (who, when, what, before and after) inside the caller's transaction.

    Personal numbers must not be put in ``detail``; pass masked values in before/after.
    """
    entry = _entry(ctx, actor, action, entity, key, before, after, detail)
    audit_repo.append(session, replace(entry, at=ctx.now(session)))  # the server's time


def _entry(
    ctx: DeskContext,
    actor: Actor,
    action: str,
    entity: str,
    key: str,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
    detail: str,
) -> AuditEntry:
    return AuditEntry(
        at=ctx.clock(),
        actor=actor.login,
        action=action,
        entity=entity,
        entity_key=key,
        before=snapshot(before),
        after=snapshot(after),
        detail=detail,
    )


class AuditBuffer:
    """Entries collected during a batch and appended together at its end (one head lock).

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
        audit_repo.append_many(session, [replace(e, at=at) for e in self._entries])
        self._entries = []


def verify_chain(ctx: DeskContext) -> int | None:
    """Return the id of the first tampered entry, or None when the whole chain verifies."""
    with ctx.reading() as session:
        return audit_repo.find_break(session)
