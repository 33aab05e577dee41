"""The request workflow: statuses, roles and who may move a request where (domain layer)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from disdukcapil_desk.domain.errors import PermissionDenied, WorkflowError

if TYPE_CHECKING:
    from disdukcapil_desk.domain.dto import Actor


class Status(enum.StrEnum):
    """Status of a service request; the values are part of the channels' contract."""

    NEW = "new"
    IN_REVIEW = "in_review"
    NEEDS_REVISION = "needs_revision"
    APPROVED = "approved"
    SIAK_RECORDED = "siak_recorded"
    """SIAK has the data: its numbers are recorded; the signed document (TTE) is awaited."""
    ISSUED = "issued"
    """The signed document exists (attached from SIAK, or the desk's own, signed)."""
    SENT = "sent"
    """The signed PDF went to the citizen through the channel: no visit (closed)."""
    READY_FOR_PICKUP = "ready_for_pickup"
    """A card or paper document waits at the office, with a pickup appointment."""
    COLLECTED = "collected"
    """The citizen collected it at the counter (closed)."""
    DONE = "done"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """Indonesian label for screens and recaps."""
        return _STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Whether work on the request is still pending at the office or the citizen."""
        return self not in CLOSED_STATUSES


_STATUS_LABELS = {
    Status.NEW: "Baru",
    Status.IN_REVIEW: "Diperiksa",
    Status.NEEDS_REVISION: "Perlu perbaikan",
    Status.APPROVED: "Disetujui",
    Status.SIAK_RECORDED: "Sudah input SIAK",
    Status.ISSUED: "Diterbitkan (TTE)",
    Status.SENT: "Terkirim",
    Status.READY_FOR_PICKUP: "Siap diambil",
    Status.COLLECTED: "Diambil",
    Status.DONE: "Selesai",
    Status.REJECTED: "Ditolak",
    Status.CANCELLED: "Dibatalkan",
}

CLOSED_STATUSES = frozenset(
    {Status.DONE, Status.SENT, Status.COLLECTED, Status.REJECTED, Status.CANCELLED}
)
OFFICE_PENDING = frozenset({Status.NEW, Status.IN_REVIEW, Status.APPROVED, Status.SIAK_RECORDED})
"""Statuses where the office owes work: the SLA clock runs (not while the citizen revises,
and not once the document is issued: delivery and pickup are measured on their own)."""
FINISHED_STATUSES = frozenset({Status.DONE, Status.SENT, Status.COLLECTED})
"""Closed with the citizen served (not rejected or cancelled)."""


class Role(enum.StrEnum):
    """What a desk user is: decides what they see and may do."""

    COUNTER = "petugas_loket"
    VERIFIER = "operator"
    SECTION_HEAD = "kepala_seksi"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """Indonesian label."""
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.COUNTER: "Petugas loket",
    Role.VERIFIER: "Operator / verifikator",
    Role.SECTION_HEAD: "Kepala seksi / kabid",
    Role.ADMIN: "Administrator",
}

SYSTEM = "system"
"""The actor name used for transitions the desk makes by itself (lease expiry, resubmission)."""


class Action(enum.StrEnum):
    """A named transition of the workflow."""

    CLAIM = "claim"
    RELEASE = "release"
    EXPIRE = "expire"
    TAKE_BACK = "take_back"
    APPROVE = "approve"
    REQUEST_REVISION = "request_revision"
    REJECT = "reject"
    RESUBMIT = "resubmit"
    RECORD_SIAK = "record_siak"
    ISSUE = "issue"
    SEND = "send"
    BOOK_PICKUP = "book_pickup"
    CHECK_IN = "check_in"
    FINISH = "finish"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed move: from which statuses, to which status, by which roles."""

    action: Action
    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]
    system: bool = False
    """Whether the desk itself may make it (no user)."""


_WORKERS = frozenset({Role.COUNTER, Role.VERIFIER, Role.SECTION_HEAD})
_ISSUERS = frozenset({Role.VERIFIER, Role.SECTION_HEAD})

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(Action.CLAIM, frozenset({Status.NEW}), Status.IN_REVIEW, _WORKERS),
        Transition(Action.RELEASE, frozenset({Status.IN_REVIEW}), Status.NEW, _WORKERS),
        Transition(
            Action.EXPIRE, frozenset({Status.IN_REVIEW}), Status.NEW, frozenset(), system=True
        ),
        Transition(
            Action.TAKE_BACK,
            frozenset({Status.IN_REVIEW}),
            Status.NEW,
            frozenset({Role.SECTION_HEAD}),
        ),
        Transition(Action.APPROVE, frozenset({Status.IN_REVIEW}), Status.APPROVED, _WORKERS),
        Transition(
            Action.REQUEST_REVISION,
            frozenset({Status.IN_REVIEW}),
            Status.NEEDS_REVISION,
            _WORKERS,
        ),
        Transition(Action.REJECT, frozenset({Status.IN_REVIEW}), Status.REJECTED, _WORKERS),
        Transition(
            Action.RESUBMIT,
            frozenset({Status.NEEDS_REVISION}),
            Status.NEW,
            frozenset(),
            system=True,
        ),
        Transition(
            Action.RECORD_SIAK,
            frozenset({Status.APPROVED, Status.SIAK_RECORDED}),
            Status.SIAK_RECORDED,
            _WORKERS,
        ),
        Transition(
            Action.ISSUE,
            frozenset({Status.APPROVED, Status.SIAK_RECORDED}),
            Status.ISSUED,
            _ISSUERS,
        ),
        Transition(Action.SEND, frozenset({Status.ISSUED}), Status.SENT, _WORKERS),
        Transition(
            Action.BOOK_PICKUP, frozenset({Status.ISSUED}), Status.READY_FOR_PICKUP, _WORKERS
        ),
        Transition(
            Action.CHECK_IN, frozenset({Status.READY_FOR_PICKUP}), Status.COLLECTED, _WORKERS
        ),
        Transition(Action.FINISH, frozenset({Status.ISSUED}), Status.DONE, _WORKERS),
        Transition(
            Action.CANCEL,
            frozenset(
                {
                    Status.NEW,
                    Status.IN_REVIEW,
                    Status.NEEDS_REVISION,
                    Status.APPROVED,
                    Status.SIAK_RECORDED,
                }
            ),
            Status.CANCELLED,
            frozenset({Role.SECTION_HEAD}),
        ),
    )
}


def check_transition(action: Action, current: Status, actor: Actor) -> Status:
    """Return the target status of ``action`` from ``current``, or raise.

    Args:
        action: the transition wanted.
        current: the request's status now.
        actor: who acts: an officer, or the explicit system actor when the desk itself acts.

    Raises:
        PermissionDenied: the role may not make this transition.
        WorkflowError: the transition is not allowed from ``current``.
    """
    transition = TRANSITIONS[action]
    role = actor.role
    if actor.is_system:
        if not transition.system:
            raise PermissionDenied(f"'{action}' hanya dapat dilakukan oleh petugas")
    elif role is None:
        raise PermissionDenied(f"'{action}' memerlukan petugas dengan peran")
    elif role not in transition.roles:
        raise PermissionDenied(f"Peran {role.label} tidak boleh melakukan '{action}'")
    if current not in transition.sources:
        raise WorkflowError(
            f"Permohonan berstatus '{current.label}' tidak dapat di-'{action}' "
            f"(hanya dari: {', '.join(s.label for s in sorted(transition.sources))})"
        )
    return transition.target


def allowed_actions(current: Status, role: Role) -> list[Action]:
    """Return the actions ``role`` may take on a request in ``current``, in workflow order."""
    return [t.action for t in TRANSITIONS.values() if current in t.sources and role in t.roles]


def may(role: Role, permission: Permission) -> bool:
    """Return whether ``role`` holds ``permission``."""
    return role in PERMISSIONS[permission]


class Permission(enum.StrEnum):
    """Non-transition rights of a role."""

    VIEW_QUEUE = "view_queue"
    EDIT_REQUEST = "edit_request"
    RUN_INGEST = "run_ingest"
    VIEW_FULL_NIK = "view_full_nik"
    MANAGE_USERS = "manage_users"
    MANAGE_LOCATIONS = "manage_locations"
    EXPORT_RECAP = "export_recap"
    PRINT = "print"
    VIEW_AUDIT = "view_audit"
    ISSUE = "issue"
    VOID = "void"
    MANAGE_OFFICE = "manage_office"
    TAKE_BACK = "take_back"
    REQUEUE_INTAKE = "requeue_intake"

    @property
    def label(self) -> str:
        """What the right lets a person do, in the words of a refusal message."""
        return _PERMISSION_LABELS[self]


_PERMISSION_LABELS = {
    Permission.VIEW_QUEUE: "melihat antrean",
    Permission.EDIT_REQUEST: "mengubah permohonan",
    Permission.RUN_INGEST: "memproses permohonan masuk",
    Permission.VIEW_FULL_NIK: "melihat NIK lengkap",
    Permission.MANAGE_USERS: "mengelola pengguna",
    Permission.MANAGE_LOCATIONS: "mengelola lokasi layanan",
    Permission.EXPORT_RECAP: "mengekspor rekap",
    Permission.PRINT: "mencetak dokumen",
    Permission.VIEW_AUDIT: "melihat log audit",
    Permission.ISSUE: "menerbitkan dokumen",
    Permission.VOID: "membatalkan dokumen",
    Permission.MANAGE_OFFICE: "mengatur kantor (kop, pejabat, sertifikat)",
    Permission.TAKE_BACK: "mengambil alih permohonan",
    Permission.REQUEUE_INTAKE: "mengembalikan baris karantina ke antrean",
}


PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_QUEUE: _WORKERS,
    Permission.EDIT_REQUEST: _WORKERS,
    Permission.RUN_INGEST: frozenset(Role),
    Permission.VIEW_FULL_NIK: _WORKERS,
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    Permission.MANAGE_LOCATIONS: frozenset({Role.ADMIN}),
    Permission.EXPORT_RECAP: frozenset({Role.SECTION_HEAD, Role.ADMIN}),
    Permission.PRINT: _WORKERS,
    Permission.VIEW_AUDIT: frozenset({Role.SECTION_HEAD, Role.ADMIN}),
    Permission.ISSUE: TRANSITIONS[Action.ISSUE].roles,
    Permission.VOID: frozenset({Role.SECTION_HEAD}),
    Permission.MANAGE_OFFICE: frozenset({Role.ADMIN}),
    Permission.TAKE_BACK: TRANSITIONS[Action.TAKE_BACK].roles,
    Permission.REQUEUE_INTAKE: frozenset({Role.ADMIN, Role.SECTION_HEAD}),
}


def holds(actor: Actor, permission: Permission) -> bool:
    """Whether ``actor`` holds ``permission``: the system actor holds all, no role holds none."""
    if actor.is_system:
        return True
    return actor.role is not None and may(actor.role, permission)


def require(actor: Actor, permission: Permission) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` holds ``permission``.

    Only the explicit system actor (``SYSTEM_ACTOR``, ``Actor.system``) passes without a role;
    an actor without a role is refused.
    """
    if holds(actor, permission):
        return
    who = actor.role.label if actor.role is not None else "tanpa peran"
    raise PermissionDenied(f"Peran {who} tidak memiliki hak {permission.label}")
