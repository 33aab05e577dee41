"""Working offline and coming back (domain layer): the vocabulary of the local copy, the
journal and the sync.

An offline-capable workstation keeps a local copy of what its office needs to keep working
(``operations/offline/copy.py``). While the server is out of reach the desk works on that copy
and every change goes to a local journal, in order, with the server version it was made
against (``operations/offline/journal.py``). When the server is back the journal is replayed
under the server's rules (``operations/offline/sync.py``): each entry is settled exactly once
(the server keeps ``offline_applied``), a change on a request someone else changed meanwhile
becomes a conflict the officer resolves. ``docs/offline.md`` tells the administrator the rest.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from disdukcapil_desk.domain.errors import DeskError, WorkflowError

DEFAULT_BLOCK_SIZE = 300
"""Request numbers reserved per workstation and day (a jemput-bola day sets up to 1,000)."""
MAX_BLOCK_SIZE = 2000
DEFAULT_COPY_LIMIT = 2000
"""The most open requests a local copy holds (oldest first)."""


class JournalKind(enum.StrEnum):
    """What an officer did offline; each kind is replayed by one server operation."""

    CLAIM = "claim"
    RELEASE = "release"
    SAVE_DRAFT = "save_draft"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_REVISION = "request_revision"
    WALK_IN = "walk_in"
    RECEIPT_PRINTED = "receipt_printed"
    LOGIN_FAILED = "login_failed"

    @property
    def label(self) -> str:
        """The kind as officers read it."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    JournalKind.CLAIM: "Ambil permohonan",
    JournalKind.RELEASE: "Kembalikan ke antrean",
    JournalKind.SAVE_DRAFT: "Simpan verifikasi",
    JournalKind.APPROVE: "Setujui",
    JournalKind.REJECT: "Tolak",
    JournalKind.REQUEST_REVISION: "Minta perbaikan",
    JournalKind.WALK_IN: "Daftar di loket",
    JournalKind.RECEIPT_PRINTED: "Cetak bukti pendaftaran",
    JournalKind.LOGIN_FAILED: "Gagal masuk",
}


class EntryState(enum.StrEnum):
    """Where a journal entry stands on the workstation."""

    WAITING = "waiting"
    """Not yet sent to the server."""
    APPLIED = "applied"
    CONFLICT = "conflict"
    """Someone changed the request meanwhile: the officer decides."""
    REFUSED = "refused"
    """The server's rules refuse it (a permission, a rule of the workflow); the reason is kept."""
    DISCARDED = "discarded"
    """The officer kept the server's version ("pakai versi server")."""

    @property
    def settled(self) -> bool:
        """Whether the entry needs nothing more."""
        return self in (EntryState.APPLIED, EntryState.REFUSED, EntryState.DISCARDED)


class SyncOutcome(enum.StrEnum):
    """What the server did with one journal entry (``offline_applied.outcome``)."""

    APPLIED = "applied"
    CONFLICT = "conflict"
    REFUSED = "refused"
    DISCARDED = "discarded"


class Resolution(enum.StrEnum):
    """The officer's answer to a conflict."""

    KEEP_MINE = "keep_mine"
    """Apply the offline change on top of the server's current version."""
    KEEP_THEIRS = "keep_theirs"
    """Keep the server's version; the offline change is recorded as not applied."""
    OPEN_BOTH = "open_both"
    """Open the request as the server has it, beside what was done offline."""


class ConnectionMode(enum.StrEnum):
    """Whether the desk works on the server or on its local copy."""

    ONLINE = "online"
    OFFLINE = "offline"
    SYNCING = "syncing"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One change made offline, as the journal holds it."""

    seq: int
    kind: JournalKind
    request_number: str
    base_version: int | None
    """The server's version of the request the change was made against (None: a new request)."""
    actor_login: str
    made_at: dt.datetime
    payload: str
    """The operation's arguments as JSON."""
    state: EntryState = EntryState.WAITING
    outcome_detail: str = ""


@dataclass(frozen=True, slots=True)
class SyncConflict:
    """A journal entry the server did not apply because the request changed meanwhile."""

    entry: JournalEntry
    server_version: int
    changed_by: str
    """Who changed the request on the server."""
    server_status: str
    reason: str


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync did."""

    applied: int
    conflicts: tuple[SyncConflict, ...]
    refused: tuple[JournalEntry, ...]
    remaining: int
    """Entries still waiting (the server went away again, or the sync was cancelled)."""


@dataclass(frozen=True, slots=True)
class OfflineStatus:
    """Where the desk stands, for the banner and the status bar."""

    mode: ConnectionMode
    offline_since: dt.datetime | None
    waiting: int
    conflicts: int
    last_sync: dt.datetime | None
    numbers_left: int | None = None
    """Request numbers of today the copy can still give a walk-in (None: not asked)."""


@dataclass(frozen=True, slots=True)
class NumberBlockRow:
    """Request numbers of one office and day reserved for one workstation."""

    location_code: str
    period: str
    workstation: str
    first_value: int
    last_value: int

    @property
    def size(self) -> int:
        """How many numbers the block holds."""
        return self.last_value - self.first_value + 1


class OfflineNumbersExhausted(DeskError):
    """The local copy holds no free request number of this office and day (none reserved, or
    the day's blocks are used up): the walk-in cannot be numbered offline.
    """


class OfflineNumberRefused(WorkflowError):
    """A walk-in made offline carries a number the server does not accept: outside every block
    of that office and day reserved by that workstation, or already registered.
    """
