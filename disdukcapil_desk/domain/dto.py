"""Plain data objects that cross layers and threads: rows, details, filters (domain layer)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from disdukcapil_desk.domain.findings import Severity
from disdukcapil_desk.domain.vocabulary import CheckState
from disdukcapil_desk.domain.workflow import OFFICE_PENDING, Role, Status

ProgressFn = Callable[[int, int], None]
"""Told (done, total) as a long job advances."""
CancelFn = Callable[[], bool]
"""Asked between steps of a long job whether to stop."""


@dataclass(frozen=True, slots=True)
class CheckInput:
    """The officer's verdict on one requirement, as the verification screen sends it."""

    state: CheckState | str
    note: str = ""


@dataclass(frozen=True, slots=True)
class RevisionDraft:
    """A revision message drafted from the request as just saved."""

    version: int
    detail: RequestDetail
    message: str


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a logged-in user, or the desk itself (``SYSTEM_ACTOR``, ``system=True``).

    An actor without a role that is not the system actor holds no permission at all: it only
    names who an audit line is about (a login that failed, say).
    """

    login: str
    role: Role | None
    user_id: int | None = None
    location_code: str | None = None
    full_name: str = ""
    must_change_password: bool = False
    """Set at login after an administrator's reset: choose a new password before working."""
    system: bool = False
    """The desk itself (lease expiry, intake, set-up): may make the system transitions."""

    @property
    def is_system(self) -> bool:
        """Whether this is the desk acting on its own."""
        return self.system

    @property
    def is_upt_officer(self) -> bool:
        """Whether the actor works at a UPT: they see and act on their own UPT's requests only."""
        return is_upt_location(self.location_code)


def is_upt_location(code: str | None) -> bool:
    """Whether an office code names a UPT (``UPT-05``), not the dinas."""
    return bool(code and code.startswith("UPT"))


SYSTEM_ACTOR = Actor(login="system", role=None, full_name="Sistem", system=True)


class SlaState(enum.StrEnum):
    """Where a request stands against its due date."""

    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    CLOSED = "closed"


def sla_state(status: Status, due: dt.date, today: dt.date) -> SlaState:
    """Classify a request: overdue after its due date, due soon on the due date itself.

    Only work the office owes counts (see ``OFFICE_PENDING``).
    """
    if status not in OFFICE_PENDING:
        return SlaState.CLOSED
    if today > due:
        return SlaState.OVERDUE
    if today == due:
        return SlaState.DUE_SOON
    return SlaState.ON_TIME


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One line of the queue."""

    id: int
    number: str
    received_at: dt.datetime
    service_code: str
    service_name: str
    location_code: str
    applicant_name: str
    nik_masked: str
    channel: str
    status: Status
    holder: str | None
    lease_expires_at: dt.datetime | None
    sla_due: dt.date
    resubmission_count: int
    possible_duplicate: bool
    version: int
    subject_name: str = ""
    """Whom the document is about when that is not the applicant (the deceased, the child);
    ``""`` when the applicant applies for themself."""
    subject_label: str = ""
    """The subject's role in the catalogue (``Yang meninggal dunia``, ``Anak``)."""
    service_short_name: str = ""
    """The catalogue's short name, for narrow columns."""

    @property
    def service_label(self) -> str:
        """The short service name, else the full one."""
        return self.service_short_name or self.service_name


@dataclass(frozen=True, slots=True)
class FindingRow:
    """A stored finding of a request."""

    code: str
    severity: Severity
    field: str
    message: str
    source: str
    resolved: bool


@dataclass(frozen=True, slots=True)
class CheckRow:
    """The state of one requirement of a request."""

    requirement_code: str
    label: str
    required: bool
    condition: str
    state: str
    note: str
    checked_by: str | None


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    """An attachment of a request (without its bytes)."""

    id: int
    filename: str
    media_type: str
    requirement_code: str | None
    size: int


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One audit entry of a request."""

    at: dt.datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class RequestDetail:
    """Everything the verification screen or ``show`` needs about one request."""

    row: RequestRow
    payload: dict[str, object]
    contact: str
    nik: str
    no_kk: str
    kode_desa: str
    kecamatan_code: str
    citizen_message: str | None
    findings: tuple[FindingRow, ...]
    checks: tuple[CheckRow, ...]
    attachments: tuple[AttachmentRow, ...]
    history: tuple[HistoryRow, ...]
    updated_by: str
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the queue shows; empty means everything the user may see."""

    statuses: frozenset[Status] = frozenset()
    service_code: str | None = None
    location_code: str | None = None
    overdue_only: bool = False
    mine_only: bool = False
    search: str = ""


@dataclass(frozen=True, slots=True)
class Cursor:
    """Keyset position in the queue: the last row seen (oldest first)."""

    received_at: dt.datetime
    id: int


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the queue and where the next one starts (None at the end)."""

    rows: tuple[RequestRow, ...]
    next_cursor: Cursor | None


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did; ``rows`` = created + resubmissions + quarantined."""

    rows: int = 0
    created: int = 0
    resubmissions: int = 0
    quarantined: int = 0
    duplicates_flagged: int = 0
    cancelled: bool = False
    quarantine_reasons: list[tuple[int, str]] = field(default_factory=list)
    retries: int = 0
    """Batches tried again after a transient database error (a deadlock, a busy file)."""

    def add(self, batch: IngestReport) -> None:
        """Count a committed batch's report into this run's."""
        self.rows += batch.rows
        self.created += batch.created
        self.resubmissions += batch.resubmissions
        self.quarantined += batch.quarantined
        self.duplicates_flagged += batch.duplicates_flagged
        self.quarantine_reasons.extend(batch.quarantine_reasons)


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """An intake row that did not become a request, and why (no personal data)."""

    row_id: int
    channel: str
    external_ref: str
    service_code: str
    received_at: dt.datetime
    quarantined_at: dt.datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class Lease:
    """A claim on a request: who holds it until when."""

    request_id: int
    number: str
    holder: str
    expires_at: dt.datetime
    version: int


@dataclass(frozen=True, slots=True)
class LocationRow:
    """An office and the kecamatan it covers."""

    code: str
    name: str
    kind: str
    active: bool
    kecamatan_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UserRow:
    """A desk user as shown to the administrator (no password data)."""

    id: int
    login: str
    full_name: str
    role: Role
    location_code: str | None
    active: bool
    locked_until: dt.datetime | None
    """Until when wrong passwords lock the account (None: not locked now)."""
    must_change_password: bool = False
    """The next login must choose a new password (after an administrator's reset)."""


@dataclass(frozen=True, slots=True)
class UserChange:
    """What an administrator's change to a user did."""

    user: UserRow
    changed: bool = True
    """False when the user already was as asked (nothing written, nothing audited)."""
    released: tuple[str, ...] = ()
    """Numbers of the requests the user held that went back to the queue."""


@dataclass(frozen=True, slots=True)
class Changes:
    """What one action changed, for the screens that show it to refresh themselves.

    The window's session names the changes of each call it makes; the task runner hands them
    to the screens once the call is done. ``queue`` says the queue changed in a way no id
    names (intake, another workstation, an expired lease).
    """

    requests: frozenset[int] = frozenset()
    """Ids of requests whose row or detail changed."""
    queue: bool = False
    documents: frozenset[str] = frozenset()
    """Numbers of documents issued, printed, voided or reissued."""
    settings: frozenset[str] = frozenset()
    """Office settings changed: their keys, ``"signing"``, ``"opening_offset"``."""
    users: frozenset[str] = frozenset()
    """Logins of users changed."""

    @property
    def touches_queue(self) -> bool:
        """Whether the queue (its rows or its counts) may look different now."""
        return self.queue or bool(self.requests)

    def __bool__(self) -> bool:
        """Whether anything changed at all."""
        return bool(self.queue or self.requests or self.documents or self.settings or self.users)

    def __or__(self, other: Changes) -> Changes:
        """Both changes as one."""
        return Changes(
            requests=self.requests | other.requests,
            queue=self.queue or other.queue,
            documents=self.documents | other.documents,
            settings=self.settings | other.settings,
            users=self.users | other.users,
        )


NO_CHANGES = Changes()
QUEUE_CHANGED_ELSEWHERE = Changes(queue=True)
"""Another workstation (or the poll that stands in for its notice) changed the queue."""
