"""Coming back: the offline journal replayed under the server's rules (operations layer).

:class:`Sync` takes the waiting entries in order and replays each with the server's own
operation, as the officer who made it, in ONE server transaction that also writes the entry's
``offline_applied`` row (a ``before_commit`` hook on the server's context): a sync killed
anywhere applies nothing twice, since an entry whose row exists is only marked locally.

- The request must still be at the version the copy holds of it (``offline_base``; after each
  applied entry the copy notes the server's new version), else the entry is a CONFLICT naming
  who changed it; a claim refused because a colleague holds the request is a conflict too.
- A rule of the server (a permission, the workflow, a missing reason) REFUSES the entry, with
  its reason (recorded on the server as well).
- A later entry of a request whose earlier entry conflicted waits as a conflict too ("menunggu
  konflik #n"); one whose earlier entry was refused is refused.
- A lost connection (or any database failure) stops the sync; what is left stays WAITING.

Every audit entry the replay writes says when and where the change was really made and when
it was synced (``audit.offline_origin``). :meth:`Sync.resolve` settles a conflict as the
officer chose.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import offline_journal as repo
from disdukcapil_desk.db.repositories import requests as requests_repo
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import Actor, CancelFn, ProgressFn
from disdukcapil_desk.domain.errors import (
    ClaimError,
    DatabaseError,
    DeskError,
    PermissionDenied,
    StaleVersionError,
)
from disdukcapil_desk.domain.offline import (
    ConnectionMode,
    EntryState,
    JournalEntry,
    JournalKind,
    OfflineStatus,
    Resolution,
    SyncConflict,
    SyncOutcome,
    SyncReport,
)
from disdukcapil_desk.domain.workflow import Permission, holds
from disdukcapil_desk.operations.audit import OfflineOrigin, offline_origin, record
from disdukcapil_desk.operations.boundaries import check_office
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.offline.desk import LAST_SYNC, OFFLINE_SINCE
from disdukcapil_desk.operations.offline.journal import (
    Journal,
    checks_from,
    decode,
    walk_in_from,
)
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.operations.verification import VerificationOps
from disdukcapil_desk.operations.walk_in import WalkInOps

_UNCHANGING = {JournalKind.WALK_IN, JournalKind.LOGIN_FAILED, JournalKind.RECEIPT_PRINTED}
"""Kinds replayed whatever the request's version: a walk-in makes its request, a failed login
names none, a printed receipt changes nothing a colleague could have changed too.
"""
_NO_BASE = {JournalKind.LOGIN_FAILED, JournalKind.RECEIPT_PRINTED}
"""Kinds after which the copy keeps the server version it had: the request's next change is
still compared with what the copy was made from.
"""
_ONE_STEP = {JournalKind.CLAIM, JournalKind.RELEASE}
"""Kinds whose operation takes no version: the settling hook checks the request moved by
exactly one version in the transaction (nobody slipped in between the check and the change).
"""


@dataclass
class _Settling:
    """The entry the current server transaction applies."""

    entry: JournalEntry
    expected: int | None
    outcome: SyncOutcome = SyncOutcome.APPLIED
    detail: str = ""
    result_version: int | None = None
    written: bool = False


class _Stop(Exception):
    """The server went away (or failed): stop, leave the rest waiting."""


class Sync:
    """Replays one workstation's journal on the server."""

    def __init__(
        self,
        server_ctx: DeskContext,
        local_ctx: DeskContext,
        workstation: str,
        journal: Journal | None = None,
    ) -> None:
        """Sync the journal of ``local_ctx`` (the copy) made on ``workstation`` to
        ``server_ctx``; ``journal`` is the copy's journal when the desk already made one.
        """
        self._server = server_ctx
        self._journal = journal if journal is not None else Journal(local_ctx)
        self.workstation = workstation
        self._settling: contextvars.ContextVar[_Settling | None] = contextvars.ContextVar(
            f"offline_settling_{id(self)}", default=None
        )
        self._running = False
        self._officers: dict[str, Actor] = {}
        server_ctx.before_commit.append(self._settle)

    @property
    def journal(self) -> Journal:
        """The copy's journal."""
        return self._journal

    @property
    def server(self) -> DeskContext:
        """The server's context."""
        return self._server

    def close(self) -> None:
        """Take the sync's hook off the server's context (a desk that syncs again makes a new
        :class:`Sync` after going offline once more).
        """
        if self._settle in self._server.before_commit:
            self._server.before_commit.remove(self._settle)

    # -- the run ------------------------------------------------------------------------------

    def run(
        self,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> SyncReport:
        """Replay every waiting entry in order; see the module's rules.

        Raises:
            DatabaseError: the server could not be reached at all (nothing was replayed).
        """
        self._running = True
        self._officers.clear()
        try:
            return self._run(progress, cancelled)
        finally:
            self._running = False

    def _run(self, progress: ProgressFn | None, cancelled: CancelFn | None) -> SyncReport:
        self._check_numbering()
        waiting = self._journal.waiting()
        blocked = {
            e.request_number: (e.seq, EntryState.CONFLICT)
            for e in self._journal.conflicts()
            if e.request_number
        }
        applied = 0
        conflicts: list[SyncConflict] = []
        refused: list[JournalEntry] = []
        done = 0
        for entry in waiting:
            if cancelled is not None and cancelled():
                break
            try:
                state, conflict = self._one(entry, blocked)
            except _Stop:
                break
            done += 1
            if progress is not None:
                progress(done, len(waiting))
            if state is EntryState.APPLIED and conflict is None:
                applied += 1
            elif isinstance(conflict, SyncConflict):
                conflicts.append(conflict)
            elif state is EntryState.REFUSED and conflict is None:
                refused.append(self._journal.entry(entry.seq))
        remaining = len(waiting) - done
        self._after_run(remaining)
        return SyncReport(applied, tuple(conflicts), tuple(refused), remaining)

    def _check_numbering(self) -> None:
        """Make sure the journal's numbers are not ones the server settled for another entry:
        a copy made anew numbers its journal from 1 again; its entries are then renumbered
        after the server's highest (the server's record of an entry is its number).
        """
        entries = self._journal.entries()
        with self._server.reading() as session:
            highest = repo.highest_settled(session, self.workstation)
            first = entries[0] if entries else None
            known = (
                repo.applied_entry(session, self.workstation, first.seq)
                if first is not None and first.seq <= highest
                else None
            )
        if first is not None and first.seq <= highest and not _same(known, first):
            self._journal.renumber_after(highest)
        else:
            self._journal.set_seq_floor(highest)

    def _after_run(self, remaining: int) -> None:
        now = self._server.clock()
        self._journal.set_fact(LAST_SYNC, now.isoformat())
        if remaining == 0 and self._journal.count(EntryState.CONFLICT) == 0:
            self._journal.set_fact(OFFLINE_SINCE, "")

    def _one(
        self, entry: JournalEntry, blocked: dict[str, tuple[int, EntryState]]
    ) -> tuple[EntryState, object]:
        """Settle one entry; returns its state and the conflict if it is one
        (``_SETTLED_BEFORE``: the server had settled it already, the copy only learnt it).
        """
        try:
            with self._server.reading() as session:
                known = repo.applied(session, self.workstation, entry.seq)
                server = repo.request_state(session, entry.request_number)
        except DatabaseError as exc:
            raise _Stop from exc
        if known is not None:  # applied before a crash: only the copy learns of it
            state = EntryState(known.outcome)
            self._mark(entry, state, known.detail, _base(entry, known.result_version))
            if state is not EntryState.APPLIED and entry.request_number:
                blocked.setdefault(entry.request_number, (entry.seq, state))
            return state, _SETTLED_BEFORE
        if entry.request_number in blocked:
            return self._behind(entry, blocked[entry.request_number], server)
        expected = self._expected(entry)
        if entry.kind not in _UNCHANGING:
            if server is None:
                return self._refuse(entry, f"Permohonan {entry.request_number} tidak ada di server")
            if expected is None or server.version != expected:
                return self._conflict(entry, blocked, server, _changed_by(entry, server))
        return self._apply(entry, expected, blocked, server)

    def _expected(self, entry: JournalEntry) -> int | None:
        with self._journal.ctx.reading() as session:
            base = repo.base_version(session, entry.request_number)
        return base if base is not None else entry.base_version

    def _apply(
        self,
        entry: JournalEntry,
        expected: int | None,
        blocked: dict[str, tuple[int, EntryState]],
        server: repo.ServerState | None,
    ) -> tuple[EntryState, SyncConflict | None]:
        settling = _Settling(entry, expected)
        try:
            self._replay(entry, settling, server)
        except (StaleVersionError, ClaimError) as exc:
            return self._conflict(entry, blocked, self._state(entry), str(exc))
        except DatabaseError as exc:
            raise _Stop from exc
        except DeskError as exc:
            if entry.request_number:
                blocked.setdefault(entry.request_number, (entry.seq, EntryState.REFUSED))
            return self._refuse(entry, str(exc))
        self._mark(
            entry, EntryState.APPLIED, settling.detail, _base(entry, settling.result_version)
        )
        return EntryState.APPLIED, None

    def _replay(
        self,
        entry: JournalEntry,
        settling: _Settling,
        server: repo.ServerState | None,
        *,
        resolution: str = "",
    ) -> None:
        """Run the entry's server operation as its officer, its row written in its transaction."""
        actor = (
            Actor(entry.actor_login, None)
            if entry.kind is JournalKind.LOGIN_FAILED
            else self._officer(entry.actor_login)
        )
        origin = OfflineOrigin(entry.made_at, self.workstation, self._server.clock(), resolution)
        token = self._settling.set(settling)
        try:
            with offline_origin(origin):
                _REPLAY[entry.kind](self, actor, entry, settling, server)
            if not settling.written:  # an operation that wrote nothing (a renewal, say)
                self._record(entry, SyncOutcome.APPLIED, settling.detail, settling.expected)
                settling.result_version = settling.expected
        finally:
            self._settling.reset(token)

    def _officer(self, login: str) -> Actor:
        """The server's account of ``login`` (read once a run: its role and office as now)."""
        found = self._officers.get(login)
        if found is None:
            found = self._officers[login] = UserOps(self._server).actor(login)
        return found

    def _settle(self, session: Session) -> None:
        """The server's ``before_commit`` hook: the applied entry's row, in its transaction."""
        settling = self._settling.get()
        if settling is None or settling.written:
            return
        entry = settling.entry
        version = None
        if entry.request_number:
            requests_repo.flush(session)
            state = repo.request_state(session, entry.request_number)
            version = state.version if state is not None else None
            if (
                entry.kind in _ONE_STEP
                and settling.expected is not None
                and version != settling.expected + 1
                and state is not None
            ):
                raise StaleVersionError(
                    f"Permohonan {entry.request_number} diubah {state.updated_by} saat sinkron",
                    changed_by=state.updated_by,
                    changed_at=None,
                )
        repo.add_applied(
            session,
            self.workstation,
            entry,
            settling.outcome.value,
            version,
            self._server.now(session),
            settling.detail,
        )
        settling.result_version = version
        settling.written = True

    # -- outcomes -----------------------------------------------------------------------------

    def _behind(
        self,
        entry: JournalEntry,
        blocker: tuple[int, EntryState],
        server: repo.ServerState | None,
    ) -> tuple[EntryState, SyncConflict | None]:
        seq, state = blocker
        if state is EntryState.REFUSED:
            return self._refuse(entry, f"tindakan sebelumnya #{seq} ditolak server")
        return self._conflict(entry, {}, server, f"menunggu konflik #{seq}")

    def _conflict(
        self,
        entry: JournalEntry,
        blocked: dict[str, tuple[int, EntryState]],
        server: repo.ServerState | None,
        reason: str,
    ) -> tuple[EntryState, SyncConflict]:
        if entry.request_number:
            blocked.setdefault(entry.request_number, (entry.seq, EntryState.CONFLICT))
        self._journal.mark(entry.seq, EntryState.CONFLICT, reason)
        conflict = SyncConflict(
            entry=self._journal.entry(entry.seq),
            server_version=server.version if server is not None else 0,
            changed_by=(server.updated_by or "") if server is not None else "",
            server_status=server.status if server is not None else "",
            reason=reason,
        )
        return EntryState.CONFLICT, conflict

    def _refuse(self, entry: JournalEntry, reason: str) -> tuple[EntryState, None]:
        try:
            self._record(entry, SyncOutcome.REFUSED, reason, None)
        except DatabaseError as exc:
            raise _Stop from exc
        self._mark(entry, EntryState.REFUSED, reason, None)
        return EntryState.REFUSED, None

    def _record(
        self, entry: JournalEntry, outcome: SyncOutcome, detail: str, version: int | None
    ) -> None:
        """Write an entry's row in a transaction of its own (nothing else changes)."""
        with self._server.unit_of_work() as session:
            if repo.applied(session, self.workstation, entry.seq) is None:
                repo.add_applied(
                    session,
                    self.workstation,
                    entry,
                    outcome.value,
                    version,
                    self._server.now(session),
                    detail,
                )

    def _mark(
        self, entry: JournalEntry, state: EntryState, detail: str, version: int | None
    ) -> None:
        self._journal.mark(
            entry.seq,
            state,
            detail,
            request_number=entry.request_number,
            server_version=version,
        )

    def _state(self, entry: JournalEntry) -> repo.ServerState | None:
        with self._server.reading() as session:
            return repo.request_state(session, entry.request_number)

    # -- conflicts ----------------------------------------------------------------------------

    def conflicts(self) -> list[SyncConflict]:
        """The entries waiting for the officer's decision, with the server's side of each."""
        found = []
        for entry in self._journal.conflicts():
            server = self._state(entry) if entry.request_number else None
            found.append(
                SyncConflict(
                    entry,
                    server.version if server is not None else 0,
                    (server.updated_by or "") if server is not None else "",
                    server.status if server is not None else "",
                    entry.outcome_detail,
                )
            )
        return found

    def resolve(self, seq: int, resolution: Resolution, actor: Actor) -> EntryState:
        """Settle a conflict as the officer chose; returns the entry's new state.

        KEEP_MINE replays the change on the server's current version (claiming the request
        first where the change needs it), audited "konflik luring: versi petugas dipakai"; the
        entries that waited on it are replayed after it. KEEP_THEIRS keeps the server's version:
        the entry is DISCARDED, recorded on the server with an audit line. OPEN_BOTH changes
        nothing (the window opens the request beside what was done offline).

        Raises:
            DeskError: no such entry, or it is not a conflict; a rule of the server refusing it.
            DatabaseError: the server could not be reached.
        """
        entry = self._journal.entry(seq)
        if entry.state is not EntryState.CONFLICT:
            raise DeskError(f"Catatan luring #{seq} bukan konflik")
        self._may_resolve(entry, actor)
        if resolution is Resolution.OPEN_BOTH:
            return EntryState.CONFLICT
        if resolution is Resolution.KEEP_THEIRS:
            self._discard(entry, actor)
            self._release_waiting(seq, f"konflik #{seq}: versi server dipakai")
            return EntryState.DISCARDED
        state = self._keep_mine(entry, actor)
        if state is EntryState.APPLIED:
            self._release_waiting(seq, None)
            self.run()
        return state

    def _may_resolve(self, entry: JournalEntry, actor: Actor) -> None:
        """The officer who made the change decides, or a section head of the request's office.

        Raises:
            PermissionDenied: anyone else, or an officer of another office.
        """
        if actor.login != entry.actor_login and not holds(actor, Permission.TAKE_BACK):
            raise PermissionDenied(
                f"Konflik #{entry.seq} diputuskan oleh {entry.actor_login} atau kepala seksi"
            )
        server = self._state(entry) if entry.request_number else None
        if server is not None:
            check_office(actor, server.location_code)

    def _discard(self, entry: JournalEntry, actor: Actor) -> None:
        with self._server.unit_of_work() as session:
            server = repo.request_state(session, entry.request_number)
            if repo.applied(session, self.workstation, entry.seq) is None:
                repo.add_applied(
                    session,
                    self.workstation,
                    entry,
                    SyncOutcome.DISCARDED.value,
                    server.version if server is not None else None,
                    self._server.now(session),
                    "versi server dipakai",
                )
            record(
                self._server,
                session,
                actor,
                "offline_discarded",
                "service_request",
                entry.request_number,
                detail=(
                    f"konflik luring: versi server dipakai; {entry.kind.label} oleh "
                    f"{entry.actor_login} di {self.workstation} tidak diterapkan"
                ),
            )
        self._mark(
            entry,
            EntryState.DISCARDED,
            "versi server dipakai",
            server.version if server is not None else None,
        )

    def _keep_mine(self, entry: JournalEntry, actor: Actor) -> EntryState:
        server = self._state(entry) if entry.request_number else None
        if entry.request_number and server is None:
            raise DeskError(f"Permohonan {entry.request_number} tidak ada di server")
        note = _KEPT_MINE if actor.login == entry.actor_login else f"{_KEPT_MINE} ({actor.login})"
        version = server.version if server is not None else None
        self._officers.clear()
        officer = self._officer(entry.actor_login)
        if server is not None and entry.kind not in (JournalKind.CLAIM, *_UNCHANGING):
            origin = OfflineOrigin(entry.made_at, self.workstation, self._server.clock(), note)
            with offline_origin(origin):
                version = QueueOps(self._server).claim(officer, server.id).version
        settling = _Settling(entry, version)
        self._replay(entry, settling, server, resolution=note)
        self._mark(entry, EntryState.APPLIED, note, _base(entry, settling.result_version))
        return EntryState.APPLIED

    def _release_waiting(self, seq: int, rewrite: str | None) -> None:
        """The entries that waited on conflict ``seq``: back to WAITING (``rewrite`` None) or
        kept as conflicts of their own with ``rewrite`` as the reason.
        """
        marker = f"menunggu konflik #{seq}"
        for entry in self._journal.conflicts():
            if entry.outcome_detail == marker:
                if rewrite is None:
                    self._journal.mark(entry.seq, EntryState.WAITING, "")
                else:
                    self._journal.mark(entry.seq, EntryState.CONFLICT, rewrite)

    # -- status -------------------------------------------------------------------------------

    def status(self) -> OfflineStatus:
        """Where the desk stands: offline since when, entries waiting, conflicts, last sync."""
        since = _moment(self._journal.fact(OFFLINE_SINCE))
        if self._running:
            mode = ConnectionMode.SYNCING
        else:
            mode = ConnectionMode.OFFLINE if since is not None else ConnectionMode.ONLINE
        return OfflineStatus(
            mode=mode,
            offline_since=since,
            waiting=self._journal.count(EntryState.WAITING),
            conflicts=self._journal.count(EntryState.CONFLICT),
            last_sync=_moment(self._journal.fact(LAST_SYNC)),
        )


_SETTLED_BEFORE = object()
_KEPT_MINE = "konflik luring: versi petugas dipakai"


def _base(entry: JournalEntry, result_version: int | None) -> int | None:
    """The server version the copy notes after ``entry`` was applied (None: keep its own)."""
    return None if entry.kind in _NO_BASE else result_version


def _same(settled: JournalEntry | None, entry: JournalEntry) -> bool:
    """Whether the server's record names this very entry (not one of an earlier copy)."""
    return settled is not None and (
        settled.kind,
        settled.request_number,
        settled.actor_login,
        settled.made_at,
    ) == (entry.kind, entry.request_number, entry.actor_login, entry.made_at)


def _moment(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _changed_by(entry: JournalEntry, server: repo.ServerState) -> str:
    when = server.updated_at.astimezone(WIB) if server.updated_at else None
    at = f" pada {when:%d-%m-%Y %H.%M} WIB" if when else ""
    return (
        f"Permohonan {entry.request_number} sudah diubah oleh {server.updated_by or '?'}{at} "
        "selama komputer ini luring"
    )


# -- the replay of each kind ------------------------------------------------------------------


def _claim(sync: Sync, actor: Actor, entry: JournalEntry, _s: _Settling, server: Any) -> None:
    QueueOps(sync.server).claim(actor, server.id)


def _release(sync: Sync, actor: Actor, entry: JournalEntry, _s: _Settling, server: Any) -> None:
    QueueOps(sync.server).release(actor, server.id)


def _save(sync: Sync, actor: Actor, entry: JournalEntry, s: _Settling, server: Any) -> None:
    payload = decode(entry.payload)
    VerificationOps(sync.server).save_draft(
        actor,
        server.id,
        _version(s),
        payload.get("fields") or {},
        checks_from(payload.get("checks")) or {},
    )


def _approve(sync: Sync, actor: Actor, entry: JournalEntry, s: _Settling, server: Any) -> None:
    payload = decode(entry.payload)
    VerificationOps(sync.server).approve(
        actor,
        server.id,
        _version(s),
        str(payload.get("reason") or ""),
        fields=payload.get("fields"),
        checks=checks_from(payload.get("checks")),
    )


def _reject(sync: Sync, actor: Actor, entry: JournalEntry, s: _Settling, server: Any) -> None:
    payload = decode(entry.payload)
    VerificationOps(sync.server).reject(
        actor,
        server.id,
        _version(s),
        str(payload.get("reason") or ""),
        fields=payload.get("fields"),
        checks=checks_from(payload.get("checks")),
    )


def _revise(sync: Sync, actor: Actor, entry: JournalEntry, s: _Settling, server: Any) -> None:
    payload = decode(entry.payload)
    VerificationOps(sync.server).request_revision(
        actor, server.id, _version(s), str(payload.get("message") or "")
    )


def _walk_in(sync: Sync, actor: Actor, entry: JournalEntry, _s: _Settling, _server: Any) -> None:
    payload = decode(entry.payload)
    WalkInOps(sync.server).register_synced(
        actor,
        str(payload["location"]),
        walk_in_from(payload["walk_in"]),
        entry.request_number,
        entry.made_at,
        sync.workstation,
    )


def _receipt(sync: Sync, actor: Actor, entry: JournalEntry, _s: _Settling, _server: Any) -> None:
    from disdukcapil_desk.operations.documents import DocumentOps

    payload = decode(entry.payload)
    DocumentOps(sync.server).render_receipt(
        actor,
        entry.request_number,
        slip=bool(payload.get("slip")),
        purpose=str(payload.get("purpose") or "print"),
        reason=str(payload.get("reason") or ""),
    )


def _login_failed(
    sync: Sync, actor: Actor, entry: JournalEntry, s: _Settling, _server: Any
) -> None:
    with sync.server.unit_of_work() as session:
        record(
            sync.server,
            session,
            actor,
            "login_failed_offline",
            "app_user",
            entry.actor_login,
            detail=str(decode(entry.payload).get("reason") or "kata sandi salah"),
        )


def _version(settling: _Settling) -> int:
    assert settling.expected is not None
    return settling.expected


_REPLAY: dict[JournalKind, Callable[[Sync, Actor, JournalEntry, _Settling, Any], None]] = {
    JournalKind.CLAIM: _claim,
    JournalKind.RELEASE: _release,
    JournalKind.SAVE_DRAFT: _save,
    JournalKind.APPROVE: _approve,
    JournalKind.REJECT: _reject,
    JournalKind.REQUEST_REVISION: _revise,
    JournalKind.WALK_IN: _walk_in,
    JournalKind.RECEIPT_PRINTED: _receipt,
    JournalKind.LOGIN_FAILED: _login_failed,
}
