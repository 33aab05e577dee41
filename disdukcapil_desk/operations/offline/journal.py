"""The offline journal: every change made on the local copy, in order, written in the
transaction of the change (operations layer).

:class:`Journal` puts a hook on the local context's ``before_commit``; an action wrapped in
:meth:`Journal.recording` has its entry written by that hook, inside the action's own
transaction: a change rolled back leaves no entry, an entry never exists without its change.
Entries name the request by its NUMBER (the same on the server and in the copy) and carry the
server version the copy holds of it (``offline_base``); the sync replays them in order.

The payload codecs below turn what the officer typed (fields, the checklist, a walk-in with
its documents) into JSON and back.
"""

from __future__ import annotations

import base64
import contextvars
import datetime as dt
import json
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import offline_journal as repo
from disdukcapil_desk.domain.dto import Actor, CheckInput
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.offline import EntryState, JournalEntry, JournalKind
from disdukcapil_desk.domain.walk_in import WalkIn, WalkInAttachment
from disdukcapil_desk.operations.context import DeskContext

NumberOf = Any
"""A callable ``(session) -> str`` giving the request number once the action made it."""


@dataclass
class _Pending:
    """The entry an action inside :meth:`Journal.recording` is about to write."""

    kind: JournalKind
    request_number: str
    base_version: int | None
    actor_login: str
    payload: dict[str, object]
    number_of: NumberOf = None
    claim_first: bool = False
    written: list[int] = field(default_factory=list)


class Journal:
    """The journal of one local copy."""

    def __init__(self, local_ctx: DeskContext) -> None:
        """Hook onto ``local_ctx``: from now on an action in :meth:`recording` is journaled."""
        self._ctx = local_ctx
        self._pending: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar(
            f"offline_journal_{id(self)}", default=None
        )
        local_ctx.before_commit.append(self._write)

    @property
    def ctx(self) -> DeskContext:
        """The local copy's context."""
        return self._ctx

    def close(self) -> None:
        """Take the journal's hook off the copy's context."""
        if self._write in self._ctx.before_commit:
            self._ctx.before_commit.remove(self._write)

    @contextmanager
    def recording(
        self,
        kind: JournalKind,
        request_number: str,
        base_version: int | None,
        actor: Actor,
        payload: Mapping[str, object],
        *,
        number_of: NumberOf = None,
        claim_first: bool = False,
    ) -> Iterator[list[int]]:
        """Journal the change made inside this block, in its own transaction.

        ``base_version`` None: the copy's ``offline_base`` of the request is used (the server
        version the change is made against). ``number_of(session)`` names the request when
        the action makes it (a walk-in's number is drawn inside the action). ``claim_first``
        writes a claim of the request before the entry (the sync then takes the lease on the
        server before it replays the change). Yields a list
        that holds the new entry's number once it is written.
        """
        pending = _Pending(
            kind, request_number, base_version, actor.login, dict(payload), number_of, claim_first
        )
        token = self._pending.set(pending)
        try:
            yield pending.written
        finally:
            self._pending.reset(token)

    def write_now(
        self,
        kind: JournalKind,
        request_number: str,
        actor_login: str,
        payload: Mapping[str, object],
    ) -> int:
        """Journal something that changes nothing else in the copy (a failed login)."""
        with self._ctx.unit_of_work() as session:
            return repo.add_entry(
                session,
                kind,
                request_number,
                repo.base_version(session, request_number) if request_number else None,
                actor_login,
                self._ctx.now(session),
                encode(payload),
            )

    def _write(self, session: Session) -> None:
        """The ``before_commit`` hook: write the pending entry (once) in this transaction."""
        pending = self._pending.get()
        if pending is None or pending.written:
            return
        number = pending.request_number
        if pending.number_of is not None:
            number = pending.number_of(session)
        base = pending.base_version
        if base is None and number:
            base = repo.base_version(session, number)
        made_at = self._ctx.now(session)
        if pending.claim_first:
            pending.written.append(
                repo.add_entry(
                    session,
                    JournalKind.CLAIM,
                    number,
                    base,
                    pending.actor_login,
                    made_at,
                    encode({"before": pending.kind.value}),
                )
            )
        seq = repo.add_entry(
            session,
            pending.kind,
            number,
            base,
            pending.actor_login,
            made_at,
            encode(pending.payload),
        )
        pending.written.append(seq)
        pending.request_number = number

    # -- reading and marking -------------------------------------------------------------------

    def entries(self, states: Collection[EntryState] | None = None) -> list[JournalEntry]:
        """The journal in order (of ``states`` only, when given)."""
        with self._ctx.reading() as session:
            return repo.entries(session, states)

    def entry(self, seq: int) -> JournalEntry:
        """One entry.

        Raises:
            DeskError: no entry with that number.
        """
        with self._ctx.reading() as session:
            found = repo.entry(session, seq)
        if found is None:
            raise DeskError(f"Catatan luring #{seq} tidak ditemukan")
        return found

    def waiting(self) -> list[JournalEntry]:
        """The entries not yet sent to the server, in order."""
        return self.entries([EntryState.WAITING])

    def conflicts(self) -> list[JournalEntry]:
        """The entries the officer must decide on."""
        return self.entries([EntryState.CONFLICT])

    def count(self, state: EntryState) -> int:
        """How many entries are in ``state``."""
        with self._ctx.reading() as session:
            return repo.count(session, state)

    def mark(
        self,
        seq: int,
        state: EntryState,
        detail: str = "",
        *,
        request_number: str = "",
        server_version: int | None = None,
    ) -> None:
        """Set where an entry stands; with ``server_version``, the request's next offline
        change is replayed against that version.
        """
        with self._ctx.unit_of_work() as session:
            at = None if state is EntryState.WAITING else self._ctx.now(session)
            repo.mark(session, seq, state, detail, at)
            if request_number and server_version is not None:
                repo.set_base_version(session, request_number, server_version)

    def fact(self, key: str) -> str | None:
        """A fact of the copy (``offline_since``, ``last_sync``...)."""
        with self._ctx.reading() as session:
            return repo.fact(session, key)

    def set_fact(self, key: str, value: str) -> None:
        """Write a fact of the copy."""
        with self._ctx.unit_of_work() as session:
            repo.set_fact(session, key, value)

    def renumber_after(self, highest_settled: int) -> None:
        """Number every entry after ``highest_settled`` (and after each other, in order): the
        entries of a copy made anew started from 1 again, numbers the server settled already.
        """
        with self._ctx.unit_of_work() as session:
            entries = repo.entries(session)
            if entries:
                repo.renumber(session, max(highest_settled, entries[-1].seq))
            current = int(repo.fact(session, repo.SEQ_FLOOR_FACT) or 0)
            if highest_settled > current:
                repo.set_fact(session, repo.SEQ_FLOOR_FACT, str(highest_settled))

    def set_seq_floor(self, highest_settled: int) -> None:
        """Number the next entries after ``highest_settled`` (the server's highest settled
        entry of this workstation): a refreshed copy must never reuse an entry's number.
        """
        with self._ctx.unit_of_work() as session:
            current = int(repo.fact(session, repo.SEQ_FLOOR_FACT) or 0)
            if highest_settled > current:
                repo.set_fact(session, repo.SEQ_FLOOR_FACT, str(highest_settled))


# -- payload codecs -----------------------------------------------------------------------------


def encode(payload: Mapping[str, object]) -> str:
    """A payload as JSON (dates as ISO text)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=_plain)


def decode(text: str) -> dict[str, Any]:
    """A payload back from JSON."""
    value = json.loads(text or "{}")
    return value if isinstance(value, dict) else {}


def _plain(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"tidak dapat dicatat: {type(value).__name__}")


def checks_payload(checks: Mapping[str, CheckInput] | None) -> dict[str, object] | None:
    """The checklist as the journal keeps it."""
    if checks is None:
        return None
    return {code: {"state": str(c.state), "note": c.note} for code, c in checks.items()}


def checks_from(value: object) -> dict[str, CheckInput] | None:
    """The checklist back from a payload."""
    if not isinstance(value, dict):
        return None
    return {
        str(code): CheckInput(str(item.get("state", "")), str(item.get("note", "")))
        for code, item in value.items()
        if isinstance(item, dict)
    }


def walk_in_payload(walk_in: WalkIn) -> dict[str, object]:
    """A walk-in with its documents (their bytes base64)."""
    return {
        "service_code": walk_in.service_code,
        "fields": dict(walk_in.fields),
        "attachments": [
            {
                "requirement_code": a.requirement_code,
                "filename": a.filename,
                "media_type": a.media_type,
                "content": base64.b64encode(a.content).decode("ascii"),
            }
            for a in walk_in.attachments
        ],
    }


def walk_in_from(payload: Mapping[str, Any]) -> WalkIn:
    """The walk-in back from a payload."""
    return WalkIn(
        service_code=str(payload["service_code"]),
        fields=dict(payload.get("fields") or {}),
        attachments=tuple(
            WalkInAttachment(
                a.get("requirement_code"),
                str(a["filename"]),
                str(a["media_type"]),
                base64.b64decode(a["content"]),
            )
            for a in payload.get("attachments") or ()
        ),
    )
