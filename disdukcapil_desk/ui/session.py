"""What the window may do for the logged-in officer: the operations, bound to their actor.

Every call that changes something notes what it changed (``ui/changes.py``); the task runner
publishes that on the window's change bus, and the screens refresh themselves from it.

An offline-capable workstation's session can work on its local copy (``docs/offline.md``):
:meth:`DeskSession.go_offline` binds the reading operations to the copy and sends the
officer's actions to the offline desk, which journals each one; :meth:`DeskSession.go_online`
binds the server again. What the copy cannot do (issuing, the outbox, pickup, users…) is
refused offline with :class:`OfflineUnavailable`.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol, TypeVar

from disdukcapil_desk.domain.catalogue import Catalogue
from disdukcapil_desk.domain.clock import skew_warning
from disdukcapil_desk.domain.conversation import Conversation, UndeliveredMessage
from disdukcapil_desk.domain.delivery import SiakNumber, SiakNumberKind, TteSource
from disdukcapil_desk.domain.document_records import (
    DocumentSummary,
    IssueResult,
    ReadyBatch,
    RegisterEntry,
    SigningInfo,
)
from disdukcapil_desk.domain.documents import DocumentKind, PrintPurpose, ScanResult
from disdukcapil_desk.domain.dto import (
    QUEUE_CHANGED_ELSEWHERE,
    Actor,
    CancelFn,
    Changes,
    CheckInput,
    Cursor,
    IngestReport,
    Lease,
    Page,
    ProgressFn,
    QuarantinedRow,
    QueueFilter,
    RequestDetail,
    RequestRow,
    RevisionDraft,
    UserChange,
    UserRow,
    is_upt_location,
)
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.findings import Finding
from disdukcapil_desk.domain.history import HistoryEntry
from disdukcapil_desk.domain.office import OfficeSettings
from disdukcapil_desk.domain.offline import (
    ConnectionMode,
    OfflineStatus,
    Resolution,
    SyncConflict,
    SyncReport,
)
from disdukcapil_desk.domain.pickup import Booked, PickupHours, PickupRow, SlotRow, SweepReport
from disdukcapil_desk.domain.recap import RecapResult
from disdukcapil_desk.domain.siak import (
    DESK_NUMBER_SERIES_KEY,
    DocumentSent,
    FollowUp,
    SiakRecorded,
    TteAttached,
    tte_source_key,
)
from disdukcapil_desk.domain.walk_in import WalkIn, WalkInResult
from disdukcapil_desk.domain.workflow import CLOSED_STATUSES, Permission, Role, Status, holds
from disdukcapil_desk.operations.clock import ClockOps
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.outbox import OutboxOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import LocationOps, SetupOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.operations.verification import VerificationOps
from disdukcapil_desk.operations.walk_in import WalkInOps
from disdukcapil_desk.ui.changes import note

if TYPE_CHECKING:  # imported on first use: documents (ReportLab, pyHanko) and the watcher
    from disdukcapil_desk.operations.after_approval import AfterApprovalOps
    from disdukcapil_desk.operations.documents import DocumentOps
    from disdukcapil_desk.operations.pickup import PickupOps
    from disdukcapil_desk.operations.watch import QueueWatcher

P = ParamSpec("P")
R = TypeVar("R")
CLOSED_COUNTS_SECONDS = 300.0
"""How long the closed statuses' counts are reused."""
OPEN_STATUSES = tuple(s for s in Status if s.is_open)


class OfflineUnavailable(DeskError):
    """An action the local copy cannot do: it waits for the server."""


class OfflineActions(Protocol):
    """The officer's actions on the local copy, each journaled (``operations/offline/desk.py``)."""

    def claim(self, actor: Actor, request_id: int) -> Lease:
        """Claim a request on the copy."""

    def renew(self, actor: Actor, request_id: int) -> Lease:
        """Extend the lease on the copy."""

    def release(self, actor: Actor, request_id: int) -> None:
        """Give a request back to the copy's queue."""

    def save_draft(
        self,
        actor: Actor,
        request_id: int,
        version: int,
        fields: Mapping[str, object],
        checks: Mapping[str, CheckInput],
    ) -> int:
        """Save fields and checklist; the new version."""

    def approve(
        self,
        actor: Actor,
        request_id: int,
        version: int,
        reason: str = "",
        *,
        fields: Mapping[str, object] | None = None,
        checks: Mapping[str, CheckInput] | None = None,
    ) -> RequestRow:
        """Approve (the screen saved with it)."""

    def reject(
        self,
        actor: Actor,
        request_id: int,
        version: int,
        reason: str,
        *,
        fields: Mapping[str, object] | None = None,
        checks: Mapping[str, CheckInput] | None = None,
    ) -> RequestRow:
        """Reject (the screen saved with it)."""

    def draft_revision(
        self,
        actor: Actor,
        request_id: int,
        version: int,
        fields: Mapping[str, object],
        checks: Mapping[str, CheckInput],
    ) -> RevisionDraft:
        """Save the screen and draft the revision message."""

    def request_revision(
        self, actor: Actor, request_id: int, version: int, message: str
    ) -> RequestRow:
        """Send the request back to the citizen."""

    def register_walk_in(self, actor: Actor, location: str, walk_in: WalkIn) -> WalkInResult:
        """Register a citizen at the counter with a number of the day's block."""

    def receipt_pdf(
        self,
        actor: Actor,
        number: str,
        *,
        slip: bool = False,
        purpose: PrintPurpose = PrintPurpose.PRINT,
        reason: str = "",
    ) -> bytes:
        """A request's receipt."""

    def record_print(self, actor: Actor, kind: DocumentKind, numbers: Sequence[str]) -> None:
        """Count receipts as printed."""

    def authenticate(self, login: str, password: str) -> Actor:
        """Check a password on the copy (a failed login is journaled)."""


class OfflineParts(Protocol):
    """Where the session finds the offline machinery (``ui/offline_parts.py`` builds the real
    one from ``operations/offline``): the copy, the desk on it, the sync back.
    """

    @property
    def offline_capable(self) -> bool:
        """Whether this workstation may work offline."""

    def has_copy(self) -> bool:
        """Whether the local copy exists (a file check)."""

    def open_local(self) -> DeskContext:
        """A context on the local copy."""

    def offline_desk(self, local_ctx: DeskContext) -> OfflineActions:
        """The journaled actions on the copy."""

    def prepare(
        self,
        actor: Actor,
        days: Sequence[dt.date],
        block_size: int,
        progress: ProgressFn,
        cancelled: CancelFn,
    ) -> str:
        """Reserve number blocks for the days and refresh the copy; what it holds."""

    def refresh(
        self, actor: Actor, block_size: int, progress: ProgressFn, cancelled: CancelFn
    ) -> str:
        """Refresh the copy after a sync; what it holds."""

    def sync(self, local_ctx: DeskContext, progress: ProgressFn, cancelled: CancelFn) -> SyncReport:
        """Replay the journal on the server."""

    def resolve(
        self, local_ctx: DeskContext, seq: int, resolution: Resolution, actor: Actor
    ) -> None:
        """Apply the officer's answer to a conflict."""

    def status(self, local_ctx: DeskContext | None, mode: ConnectionMode) -> OfflineStatus:
        """Where the desk stands."""

    def conflicts(self, local_ctx: DeskContext) -> list[SyncConflict]:
        """The journal's conflicts."""

    def server_reachable(self) -> bool:
        """Whether the server answers."""


def online_only(
    method: Callable[Concatenate[DeskSession, P], R],
) -> Callable[Concatenate[DeskSession, P], R]:
    """Refuse the call while the desk works on its local copy (the server must do it)."""

    @functools.wraps(method)
    def guarded(self: DeskSession, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if self.offline:
            raise OfflineUnavailable(
                "Tindakan ini tidak dapat dilakukan saat luring (server kantor tidak "
                "terjangkau). Lakukan lagi setelah tersambung dan tersinkron."
            )
        return method(self, *args, **kwargs)

    return guarded


class DeskSession:
    """The officer's actions; every call goes through ``operations/`` with their actor."""

    def __init__(
        self,
        ctx: DeskContext,
        actor: Actor,
        workstation_location: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        offline: OfflineParts | None = None,
    ) -> None:
        """Bind the operations to ``actor`` working at ``workstation_location``; ``offline``:
        this workstation's local copy and sync (None: it never works offline).
        """
        self.ctx, self.actor = ctx, actor
        self.server_ctx = ctx
        self._monotonic = monotonic
        self.location = actor.location_code or workstation_location
        self.offline_parts = offline
        self._offline_desk: OfflineActions | None = None
        self._local_ctx: DeskContext | None = None
        self._mode = ConnectionMode.ONLINE
        self._document_lock = threading.Lock()
        self._bind(ctx)

    def _bind(self, ctx: DeskContext) -> None:
        """Point the reading operations at ``ctx`` (the server, or the local copy)."""
        self.ctx = ctx
        self._closed_counts: dict[Status, int] | None = None
        self._closed_at = 0.0
        self._queue = QueueOps(ctx)
        self._verification = VerificationOps(ctx)
        self._intake = IntakeOps(ctx)
        with self._document_lock:
            self._document_ops: DocumentOps | None = None

    # -- working offline (docs/offline.md) ------------------------------------------------------

    @property
    def offline(self) -> bool:
        """Whether the desk works on its local copy now."""
        return self._offline_desk is not None

    @property
    def mode(self) -> ConnectionMode:
        """Online, offline, or syncing back."""
        return self._mode

    def may_work_offline(self) -> bool:
        """Whether this workstation is offline-capable and has a local copy (a file check)."""
        parts = self.offline_parts
        return parts is not None and parts.offline_capable and parts.has_copy()

    def go_offline(self, offline_desk: OfflineActions, local_ctx: DeskContext) -> None:
        """Work on the local copy: reads over ``local_ctx``, actions through ``offline_desk``."""
        self._local_ctx, self._offline_desk = local_ctx, offline_desk
        self._mode = ConnectionMode.OFFLINE
        self._bind(local_ctx)
        note(QUEUE_CHANGED_ELSEWHERE)

    def go_online(self) -> None:
        """Work on the server again (the local copy stays open until it is refreshed)."""
        self._offline_desk = None
        self._mode = ConnectionMode.ONLINE
        self._bind(self.server_ctx)
        note(QUEUE_CHANGED_ELSEWHERE)

    def start_offline(self) -> OfflineStatus:
        """Open the local copy and work on it (on the worker); where the desk stands then."""
        parts = self._parts()
        local = self._local_ctx or parts.open_local()
        self.go_offline(parts.offline_desk(local), local)
        return self.offline_status()

    def server_reachable(self) -> bool:
        """Whether the server answers again (the probe while offline)."""
        return self._parts().server_reachable()

    def sync_back(self, progress: ProgressFn, cancelled: CancelFn) -> SyncReport:
        """Replay the journal on the server; back online when nothing waits any more."""
        parts, local = self._parts(), self._local_ctx
        if local is None:
            return SyncReport(applied=0, conflicts=(), refused=(), remaining=0)
        self._mode = ConnectionMode.SYNCING
        try:
            report = parts.sync(local, progress, cancelled)
        finally:
            self._mode = ConnectionMode.OFFLINE if self.offline else ConnectionMode.ONLINE
        if report.remaining == 0:
            self.go_online()
        return report

    def offline_conflicts(self) -> list[SyncConflict]:
        """The journal's entries in conflict, for the officer to decide."""
        local = self._local()
        return [] if local is None else self._parts().conflicts(local)

    def resolve_conflict(self, seq: int, resolution: Resolution) -> None:
        """The officer's answer to one conflict (on the server)."""
        local = self._local()
        if local is None:
            raise DeskError("Tidak ada konflik luring di komputer ini.")
        self._parts().resolve(local, seq, resolution, self.actor)
        note(QUEUE_CHANGED_ELSEWHERE)

    def offline_status(self) -> OfflineStatus:
        """Where the desk stands, for the banner (the copy's journal read on the worker)."""
        if self.offline_parts is None or not self.offline_parts.offline_capable:
            return OfflineStatus(self._mode, None, 0, 0, None)
        return self.offline_parts.status(self._local(), self._mode)

    def _local(self) -> DeskContext | None:
        """The local copy's context, opened on first need (None: there is no copy)."""
        parts = self.offline_parts
        if self._local_ctx is None and parts is not None and parts.has_copy():
            self._local_ctx = parts.open_local()
        return self._local_ctx

    @online_only
    def prepare_offline(
        self, days: Sequence[dt.date], block_size: int, progress: ProgressFn, cancelled: CancelFn
    ) -> str:
        """Reserve number blocks for ``days`` and refresh the local copy (a jemput-bola day)."""
        self._close_local()
        return self._parts().prepare(self.actor, days, block_size, progress, cancelled)

    @online_only
    def refresh_copy(self, block_size: int, progress: ProgressFn, cancelled: CancelFn) -> str:
        """Bring the local copy up to date after a sync (refused while conflicts wait)."""
        self._close_local()
        return self._parts().refresh(self.actor, block_size, progress, cancelled)

    def close_offline(self) -> None:
        """Close the local copy's connections (the window closes; on the worker)."""
        self._offline_desk = None
        self._close_local()

    def _close_local(self) -> None:
        if self.offline:
            return
        local, self._local_ctx = self._local_ctx, None
        if local is not None:
            local.close()

    def _parts(self) -> OfflineParts:
        if self.offline_parts is None:
            raise DeskError("Komputer ini tidak diatur untuk bekerja luring.")
        return self.offline_parts

    @property
    def _documents(self) -> DocumentOps:
        """The document operations, built on first use: the login and the queue never load
        ReportLab or pyHanko.
        """
        with self._document_lock:
            if self._document_ops is None:
                from disdukcapil_desk.operations.documents import DocumentOps

                self._document_ops = DocumentOps(self.ctx)
            return self._document_ops

    @property
    def catalogue(self) -> Catalogue:
        """The service catalogue."""
        return self.ctx.reference.catalogue

    def can(self, permission: Permission) -> bool:
        """Whether the officer's role holds ``permission``."""
        return holds(self.actor, permission)

    @property
    def is_upt_officer(self) -> bool:
        """UPT officers only see their own UPT."""
        return is_upt_location(self.location)

    def page(self, flt: QueueFilter, cursor: Cursor | None, size: int) -> Page:
        """One keyset page of the queue."""
        return self._queue.page(self.actor, flt, cursor, size)

    def counts(self) -> dict[Status, int]:
        """Requests per status at this desk's location.

        The open statuses are counted every time; the closed ones (nearly all of an office's
        history, 0.1-0.2 s at the dinas with a million requests) at most every
        ``CLOSED_COUNTS_SECONDS``: they only grow, and the queue is about the open work.
        """
        counts = self._queue.counts(self.actor, self.location, OPEN_STATUSES)
        now = self._monotonic()
        if self._closed_counts is None or now - self._closed_at >= CLOSED_COUNTS_SECONDS:
            self._closed_counts = self._queue.counts(self.actor, self.location, CLOSED_STATUSES)
            self._closed_at = now
        return {**counts, **self._closed_counts}

    def detail(self, request_id: int | str) -> RequestDetail:
        """One request in full (by id, or by its number)."""
        return self._queue.detail(self.actor, request_id)

    def history(self, request_id: int) -> tuple[HistoryEntry, ...]:
        """Who did what to a request and when, with every message stored for the citizen."""
        return self._queue.history(self.actor, request_id)

    def describe_desa(self, code: str) -> str:
        """A desa's name and kecamatan for a code typed or sent (reference data, no database);
        ``""`` when the code is not a desa of the kabupaten.
        """
        wilayah = self.ctx.reference.wilayah
        desa = wilayah.desa(code)
        if desa is None:
            return ""
        kecamatan = wilayah.kecamatan(desa.kecamatan_code)
        return f"{desa.name}, Kec. {kecamatan.name}" if kecamatan else desa.name

    def claim(self, request_id: int) -> Lease:
        """Claim a request (or renew the officer's own lease)."""
        if self._offline_desk is not None:
            lease = self._offline_desk.claim(self.actor, request_id)
        else:
            lease = self._queue.claim(self.actor, request_id)
        note(_request(request_id))
        return lease

    def renew(self, request_id: int) -> Lease:
        """Renew the lease of the open request: the queue shows nothing new, nothing is said."""
        if self._offline_desk is not None:
            return self._offline_desk.renew(self.actor, request_id)
        return self._queue.renew(self.actor, request_id)

    def claim_next(self) -> Lease | None:
        """Claim the oldest waiting request of this location."""
        if self._offline_desk is not None:
            rows = self._queue.page(
                self.actor, QueueFilter(statuses=frozenset({Status.NEW})), None, 50
            ).rows
            waiting = next((r for r in rows if r.holder is None), None)
            lease = None if waiting is None else self._offline_desk.claim(self.actor, waiting.id)
        else:
            lease = self._queue.claim_next(self.actor, self.location)
        if lease is not None:
            note(_request(lease.request_id))
        return lease

    def release(self, request_id: int) -> None:
        """Give a request back to the queue."""
        if self._offline_desk is not None:
            self._offline_desk.release(self.actor, request_id)
        else:
            self._queue.release(self.actor, request_id)
        note(_request(request_id))

    @online_only
    def take_back(self, request_id: int, reason: str) -> None:
        """Section head: return someone else's request to the queue."""
        self._queue.take_back(self.actor, request_id, reason)
        note(_request(request_id))

    def save_draft(
        self,
        request_id: int,
        version: int,
        fields: Mapping[str, object],
        checks: Mapping[str, CheckInput],
    ) -> int:
        """Save fields and checklist; returns the new version."""
        desk = self._offline_desk or self._verification
        new_version = desk.save_draft(self.actor, request_id, version, fields, checks)
        note(_request(request_id))
        return new_version

    def approve(
        self,
        request_id: int,
        version: int,
        reason: str = "",
        *,
        fields: Mapping[str, object] | None = None,
        checks: Mapping[str, CheckInput] | None = None,
    ) -> RequestRow:
        """Approve the request as the screen shows it (saved with the decision)."""
        desk = self._offline_desk or self._verification
        row = desk.approve(self.actor, request_id, version, reason, fields=fields, checks=checks)
        note(_request(row.id))
        return row

    def draft_revision(
        self,
        request_id: int,
        version: int,
        fields: Mapping[str, object],
        checks: Mapping[str, CheckInput],
    ) -> RevisionDraft:
        """Save the screen, then draft the one message listing everything to fix."""
        desk = self._offline_desk or self._verification
        draft = desk.draft_revision(self.actor, request_id, version, fields, checks)
        note(_request(request_id))
        return draft

    def request_revision(self, request_id: int, version: int, message: str) -> RequestRow:
        """Send the request back to the citizen with ``message``."""
        desk = self._offline_desk or self._verification
        row = desk.request_revision(self.actor, request_id, version, message)
        note(_request(row.id))
        return row

    def reject(
        self,
        request_id: int,
        version: int,
        reason: str,
        *,
        fields: Mapping[str, object] | None = None,
        checks: Mapping[str, CheckInput] | None = None,
    ) -> RequestRow:
        """Reject the request (what the screen shows is saved with it)."""
        desk = self._offline_desk or self._verification
        row = desk.reject(self.actor, request_id, version, reason, fields=fields, checks=checks)
        note(_request(row.id))
        return row

    def clock_warning(self) -> str | None:
        """The warning when this workstation's clock is off the server's by over a minute."""
        offset = ClockOps(self.ctx).clock_skew()
        return None if offset is None else skew_warning(offset)

    def schema_version(self) -> int | None:
        """The database's schema version; None when it cannot be read (for "Tentang")."""
        try:
            return SetupOps(self.ctx).check()
        except Exception:  # an old schema or a lost connection must not block "Tentang"
            return None

    def receipt_pdf(
        self,
        number: str,
        *,
        slip: bool = False,
        purpose: PrintPurpose = PrintPurpose.PRINT,
        reason: str = "",
    ) -> bytes:
        """The receipt of a request (recorded as printed, or as a reprint with its reason)."""
        if self._offline_desk is not None:
            pdf = self._offline_desk.receipt_pdf(
                self.actor, number, slip=slip, purpose=purpose, reason=reason
            )
        else:
            pdf = self._documents.render_receipt(
                self.actor, number, slip=slip, purpose=purpose, reason=reason
            )
        if purpose != "save":
            note(Changes(documents=frozenset({number})))
        return pdf

    def register_walk_in(self, walk_in: WalkIn) -> WalkInResult:
        """Register a citizen's request at this desk's counter; the officer then holds it."""
        if self._offline_desk is not None:
            result = self._offline_desk.register_walk_in(self.actor, self.location, walk_in)
        else:
            result = WalkInOps(self.ctx).register(self.actor, self.location, walk_in)
        note(_request(result.request_id))
        return result

    def receipt_print_count(self, number: str) -> int:
        """How often the receipt was printed already."""
        return self._documents.receipt_print_count(self.actor, number)

    @online_only
    def certificate_pdf(self, number: str, *, purpose: PrintPurpose = PrintPurpose.PRINT) -> bytes:
        """The certificate of a request or akta number ("save" does not count as printed)."""
        pdf = self._documents.render_certificate(self.actor, number, purpose=purpose)
        if purpose != "save":
            note(Changes(documents=frozenset({number})))
        return pdf

    @online_only
    def issue(self, request_id: int) -> IssueResult:
        """Issue an approved request (number and document in one transaction)."""
        result = self._documents.issue(self.actor, request_id)
        numbers = frozenset({result.certificate_number} if result.certificate_number else ())
        note(Changes(requests=frozenset({request_id}), documents=numbers))
        return result

    @online_only
    def print_ready(self, progress: ProgressFn, cancelled: CancelFn) -> ReadyBatch | None:
        """Every issued, never-printed certificate of this location as one PDF (not counted
        as printed until :meth:`record_print`).
        """
        return self._documents.ready_batch(self.actor, self.location, progress, cancelled)

    def record_print(self, kind: DocumentKind, numbers: Sequence[str]) -> None:
        """Count documents as printed once the printer took them (offline: receipts only,
        journaled).
        """
        if self._offline_desk is not None:
            self._offline_desk.record_print(self.actor, kind, numbers)
        else:
            self._documents.record_print(self.actor, kind, numbers)
        note(Changes(documents=frozenset(numbers)))

    def office_settings(self) -> OfficeSettings:
        """The letterhead and signers every workstation prints."""
        return OfficeOps(self.ctx).get()

    @online_only
    def update_office_settings(self, changes: dict[str, str]) -> OfficeSettings:
        """Change office settings (administrators)."""
        settings = OfficeOps(self.ctx).update(self.actor, changes)
        note(Changes(settings=frozenset(changes)))
        return settings

    def separation_of_duties(self) -> list[tuple[str, str, bool]]:
        """Per service: (code, name, whether its approver may not also issue it)."""
        return OfficeOps(self.ctx).separation_of_duties()

    @online_only
    def set_separation_of_duties(self, choices: Mapping[str, bool]) -> int:
        """Store the office's choice for the given services; how many changed."""
        office = OfficeOps(self.ctx)
        return sum(
            office.set_separation_of_duties(self.actor, code, on) for code, on in choices.items()
        )

    def signing_info(self) -> SigningInfo | None:
        """The office's signing certificate, or None (certificates print as drafts)."""
        return self._documents.signing_info()

    @online_only
    def configure_signing(self, pkcs12: bytes | None, passphrase: str = "") -> SigningInfo | None:
        """Install (or with None remove) the office's PKCS#12 certificate (administrators)."""
        info = self._documents.configure_signing(self.actor, pkcs12, passphrase)
        note(Changes(settings=frozenset({"signing"})))
        return info

    def timestamp_server(self) -> str:
        """The office's RFC 3161 timestamp server, or "" (signatures are PAdES B-B)."""
        return self._documents.timestamp_server()

    @online_only
    def configure_timestamp_server(self, url: str) -> str:
        """Set or clear the timestamp server (administrators); returns the stored URL."""
        stored = self._documents.configure_timestamp_server(self.actor, url)
        note(Changes(settings=frozenset({"signing"})))
        return stored

    def public_key(self) -> bytes:
        """The office's public verification key (PEM), to publish."""
        return self._documents.public_key()

    def numbered_services(self) -> list[tuple[str, str]]:
        """Services whose certificates are numbered: (code, name)."""
        return self._documents.numbered_services()

    @online_only
    def set_opening_offset(self, service_code: str, year: int, offset: int, late: bool) -> None:
        """Continue a year's akta series after the last paper number (administrators)."""
        self._documents.set_opening_offset(self.actor, service_code, year, offset, late=late)
        note(Changes(settings=frozenset({"opening_offset"})))

    def number_register(self, number: str | None = None) -> list[RegisterEntry]:
        """Voided and reprinted numbers (or one number's lines), newest first."""
        return self._documents.register(self.actor, number)

    def document_summary(self, number: str) -> DocumentSummary:
        """What a certificate is, before voiding or reissuing it (section heads)."""
        return self._documents.summary(self.actor, number)

    @online_only
    def void_document(self, number: str, reason: str) -> None:
        """Void a wrong certificate; its number stays in the register (section heads)."""
        self._documents.void(self.actor, number, reason)
        note(Changes(documents=frozenset({number}), queue=True))

    @online_only
    def reissue_document(self, number: str, reason: str) -> IssueResult:
        """Void a certificate and issue its request a new one with a new number."""
        result = self._documents.reissue(self.actor, number, reason)
        fresh = {result.certificate_number} if result.certificate_number else set()
        note(Changes(documents=frozenset({number, *fresh}), queue=True))
        return result

    def verify_scan(self, text: str) -> ScanResult:
        """Check a scanned document QR."""
        return self._documents.verify_scan(text)

    @online_only
    def build_recap(
        self,
        first: dt.date,
        last: dt.date,
        location: str | None,
        path: Path,
        *,
        full_nik: bool,
        progress: ProgressFn,
        cancelled: CancelFn,
        register: bool = True,
    ) -> RecapResult:
        """Write the recap workbook or PDF of a period (``register``: with the register)."""
        from disdukcapil_desk.operations.recaps import Recaps  # openpyxl, ReportLab: on use

        return Recaps(self.ctx).build_recap(
            self.actor,
            first,
            last,
            location,
            path,
            full_nik=full_nik,
            register=register,
            progress=progress,
            cancelled=cancelled,
        )

    def attachment(self, attachment_id: int) -> tuple[str, bytes]:
        """(media type, bytes) of an attachment."""
        return self._verification.attachment_content(self.actor, attachment_id)

    def check_nik(self, text: str, field: str) -> list[Finding]:
        """Live NIK findings for an edited field."""
        return self.ctx.reference.nik_rules.check_nik(text, field=field)

    def check_name(self, service_code: str, field: str, text: str) -> list[Finding]:
        """Live name findings (Permendagri 73/2022) for an edited field; none for a field that
        holds no person's name.
        """
        rules = self.ctx.reference.name_rules
        if rules is None:
            return []
        return rules.check_field(self.catalogue.get(service_code), field, text)

    @online_only
    def ingest(self, progress: ProgressFn, cancelled: CancelFn) -> IngestReport:
        """Ingest pending intake rows."""
        report = self._intake.ingest(progress=progress, cancelled=cancelled)
        if report.rows:
            note(QUEUE_CHANGED_ELSEWHERE)
        return report

    def quarantined_intake(self, limit: int = 500) -> list[QuarantinedRow]:
        """Intake rows that did not become requests, newest first (with their reasons)."""
        return self._intake.quarantined(self.actor, limit)

    @online_only
    def requeue_intake(self, row_ids: Sequence[int], note: str) -> int:
        """Send quarantined rows back to the intake queue; how many were sent."""
        return self._intake.requeue(self.actor, row_ids, note)

    @online_only
    def expire_leases(self) -> int:
        """Return expired leases to the queue."""
        expired = self._queue.expire_leases()
        if expired:
            note(QUEUE_CHANGED_ELSEWHERE)
        return expired

    def queue_watcher(self, on_change: Callable[[str], None]) -> QueueWatcher:
        """A listener for queue changes made by other workstations (PostgreSQL only)."""
        from disdukcapil_desk.operations.watch import QueueWatcher

        return QueueWatcher(self.ctx, on_change)

    def locations(self) -> list[tuple[str, str]]:
        """(code, name) of every office."""
        return [(loc.code, loc.name) for loc in LocationOps(self.ctx).list()]

    def verify_password(self, password: str) -> bool:
        """Re-check the officer's password (idle lock)."""
        try:
            if self._offline_desk is not None:
                self._offline_desk.authenticate(self.actor.login, password)
            else:
                UserOps(self.ctx).authenticate(self.actor.login, password)
        except DeskError:
            return False
        return True

    @online_only
    def change_password(self, old_password: str, new_password: str) -> None:
        """Change the officer's own password (the old one is checked again)."""
        UserOps(self.ctx).change_own_password(self.actor, old_password, new_password)
        note(_user(self.actor.login))

    # -- user administration (administrators; refused for everyone else in operations) ---------

    def users(self) -> list[UserRow]:
        """Every desk user, by login."""
        return UserOps(self.ctx).list()

    @online_only
    def add_user(
        self, login: str, password: str, role: Role, *, full_name: str, location_code: str | None
    ) -> UserRow:
        """Create a user."""
        row = UserOps(self.ctx).add(
            self.actor, login, password, role, full_name=full_name, location_code=location_code
        )
        note(_user(row.login))
        return row

    @online_only
    def reset_password(self, login: str, password: str, *, force_change: bool) -> UserChange:
        """Give a user a new password (to be changed at the next login unless told otherwise)."""
        return _user_changed(
            UserOps(self.ctx).reset_password(self.actor, login, password, force_change=force_change)
        )

    @online_only
    def unlock_user(self, login: str) -> UserChange:
        """Lift the lock wrong passwords put on an account."""
        return _user_changed(UserOps(self.ctx).unlock(self.actor, login))

    @online_only
    def deactivate_user(self, login: str) -> UserChange:
        """Stop a leaver's access; the requests they held go back to the queue."""
        return _user_changed(UserOps(self.ctx).deactivate(self.actor, login))

    @online_only
    def activate_user(self, login: str) -> UserChange:
        """Let a deactivated user log in again."""
        return _user_changed(UserOps(self.ctx).activate(self.actor, login))

    @online_only
    def set_user_role(self, login: str, role: Role, location_code: str) -> UserChange:
        """Change a user's role and location (``""``: no location)."""
        return _user_changed(UserOps(self.ctx).set_role(self.actor, login, role, location_code))

    # -- pickup --

    @property
    def _pickup(self) -> PickupOps:
        from disdukcapil_desk.operations.pickup import PickupOps

        return PickupOps(self.ctx)

    def pickup_today(self) -> dt.date:
        """The office's date now (the server's on PostgreSQL)."""
        return self._pickup.today()

    def pickup_list(self, day: dt.date | None = None) -> list[PickupRow]:
        """The office's pickup list of ``day`` (today), then the documents awaiting citizens."""
        return self._pickup.day_list(self.actor, self.location, day)

    @online_only
    def pickup_check_in(self, scanned: str) -> PickupRow:
        """Record a collection from a scanned receipt QR or a typed request number."""
        row = self._pickup.check_in(self.actor, scanned)
        note(_request(row.request_id))
        return row

    @online_only
    def pickup_book(self, number: str, slot: dt.datetime | None = None) -> Booked:
        """Book (or, when it has one, change) the pickup of an issued request by its number."""
        row = self._queue.detail(self.actor, number).row
        pickup = self._pickup
        booked = (
            pickup.rebook(self.actor, row.id, row.version, slot)
            if row.status is Status.READY_FOR_PICKUP
            else pickup.book(self.actor, row.id, row.version, slot)
        )
        note(_request(row.id))
        return booked

    def pickup_windows(self, day: dt.date) -> list[SlotRow]:
        """The office's windows of ``day`` and how full they are."""
        return self._pickup.windows(self.actor, self.location, day)

    def pickup_list_pdf(self, day: dt.date | None = None) -> bytes:
        """The printable pickup list of the office's day."""
        return self._pickup.list_pdf(self.actor, self.location, day)

    @online_only
    def pickup_sweep(self) -> SweepReport:
        """Mark no-shows (rebooking once) and send tomorrow's reminders (the desk acts)."""
        report = self._pickup.sweep()
        if report.changed:
            note(QUEUE_CHANGED_ELSEWHERE)
        return report

    def pickup_hours(self, location_code: str) -> PickupHours:
        """An office's pickup hours."""
        return self._pickup.hours(location_code)

    @online_only
    def set_pickup_hours(self, location_code: str, hours: PickupHours) -> bool:
        """Set an office's pickup hours (administrators)."""
        return self._pickup.set_hours(self.actor, location_code, hours)

    # -- SIAK and TTE --------------------------------------------------------------------------

    def follow_up(self, request_id: int) -> FollowUp:
        """What the "Tindak lanjut" panel shows: SIAK numbers, the signed PDF, sending."""
        return self._after_approval.follow_up(self.actor, request_id)

    def check_siak_number(self, kind: SiakNumberKind, text: str) -> SiakNumber:
        """Check a number as typed (no database: called as the officer types).

        Raises:
            SiakNumberError: it cannot be right.
        """
        return self._after_approval.check_number(kind, text)

    @online_only
    def record_siak(
        self, request_id: int, version: int, numbers: Mapping[SiakNumberKind, str]
    ) -> SiakRecorded:
        """Record what SIAK produced for an approved request (or correct it)."""
        result = self._after_approval.record_siak(
            self.actor, request_id, numbers, expected_version=version
        )
        note(_request(request_id))
        return result

    @online_only
    def attach_signed_pdf(self, request_id: int, version: int, path: Path) -> TteAttached:
        """Read, check and attach the signed PDF from SIAK (TTE).

        Raises:
            DeskError: the file cannot be read, or is refused (the message says why).
        """
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise DeskError(f"Berkas {path} tidak dapat dibaca: {exc.strerror}") from None
        result = self._after_approval.attach_signed_pdf(
            self.actor, request_id, path.name, content, expected_version=version
        )
        note(_request(request_id))
        return result

    @online_only
    def send_document(self, request_id: int, version: int) -> DocumentSent:
        """Send the signed PDF to the applicant through the outbox."""
        result = self._after_approval.send_document(self.actor, request_id, version)
        note(_request(request_id))
        return result

    def signed_pdf(self, request_id: int) -> tuple[str, bytes]:
        """(file name, bytes) of the request's signed PDF."""
        return self._after_approval.signed_pdf(self.actor, request_id)

    def tte_sources(self) -> list[tuple[str, str, TteSource]]:
        """Per service that sends a document: (code, name, where its signed PDF comes from)."""
        return OfficeOps(self.ctx).tte_sources()

    @online_only
    def set_tte_sources(self, choices: Mapping[str, TteSource]) -> int:
        """Store the administrator's choices; how many changed."""
        office = OfficeOps(self.ctx)
        changed = sum(office.set_tte_source(self.actor, c, s) for c, s in choices.items())
        note(Changes(settings=frozenset(tte_source_key(c) for c in choices)))
        return changed

    def desk_number_series(self) -> bool:
        """Whether the office numbers akta from the desk's own series (else from SIAK)."""
        return OfficeOps(self.ctx).desk_number_series()

    @online_only
    def set_desk_number_series(self, on: bool) -> bool:
        """Turn the desk's own number series on or off (administrators)."""
        changed = OfficeOps(self.ctx).set_desk_number_series(self.actor, on)
        note(Changes(settings=frozenset({DESK_NUMBER_SERIES_KEY})))
        return changed

    @property
    def _after_approval(self) -> AfterApprovalOps:
        from disdukcapil_desk.operations.after_approval import AfterApprovalOps

        return AfterApprovalOps(self.ctx)

    # -- outbox --
    # What went to the citizen and what came back; resending what failed. Every message goes
    # out through the request's channel (the outbox), never from an officer's phone.

    def conversation(self, request_id: int) -> Conversation:
        """A request's messages both ways, oldest first, with their delivery states."""
        return OutboxOps(self.ctx).conversation(self.actor, request_id)

    def undelivered(self) -> list[UndeliveredMessage]:
        """The office's failed messages nobody resent yet, oldest first (the dinas: all)."""
        return OutboxOps(self.ctx).undelivered(self.actor, self._outbox_office)

    def undelivered_count(self) -> int:
        """How many of the office's failed messages wait for an officer."""
        return OutboxOps(self.ctx).undelivered_count(self.actor, self._outbox_office)

    @online_only
    def resend_message(
        self,
        request_id: int,
        message_id: int,
        corrected_body: str | None = None,
        recipient: str | None = None,
    ) -> int:
        """Send a failed message again (corrected, to a corrected recipient); the new id."""
        new_id = OutboxOps(self.ctx).resend(self.actor, message_id, corrected_body, recipient)
        note(_request(request_id))
        return new_id

    @online_only
    def write_to_citizen(self, request_id: int, body: str) -> int:
        """Send the citizen the officer's own message about a request; its id."""
        message_id = OutboxOps(self.ctx).write_correction(self.actor, request_id, body)
        note(_request(request_id))
        return message_id

    @property
    def _outbox_office(self) -> str | None:
        """A UPT's own list; the dinas's list holds every office's failures."""
        return self.location if self.is_upt_officer else None


def _request(request_id: int) -> Changes:
    return Changes(requests=frozenset({request_id}))


def _user(login: str) -> Changes:
    return Changes(users=frozenset({login}))


def _user_changed(change: UserChange) -> UserChange:
    """Note a user's change; the requests it gave back to the queue changed too."""
    note(Changes(users=frozenset({change.user.login}), queue=bool(change.released)))
    return change
