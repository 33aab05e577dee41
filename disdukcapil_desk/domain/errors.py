"""Typed domain errors; the UI and the CLI map them to Indonesian text (domain layer)."""

from __future__ import annotations


class DeskError(Exception):
    """Base of every error the desk expects and explains to the user."""


class CatalogueError(DeskError):
    """The service catalogue (or another resource) is malformed; the message names the entry."""


class WorkflowError(DeskError):
    """A status transition that the workflow does not allow."""


class ReasonRequired(WorkflowError):
    """A decision that needs the officer's written reason: it lists what does not pass."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        """Keep the problems, so the window can show them when it asks for the reason."""
        super().__init__(
            "Tulis alasan untuk tetap menyetujui: " + "; ".join(problems)
            if problems
            else "Tulis alasan untuk tetap menyetujui."
        )
        self.problems = problems


class NothingToRevise(WorkflowError):
    """A revision was asked for, but nothing is marked as failing: the citizen would get an
    empty list.
    """


class PermissionDenied(DeskError):
    """The user's role may not perform the action."""


class NotFound(DeskError):
    """A request, user or location that does not exist."""


class ClaimError(DeskError):
    """A request could not be claimed, renewed or released (held by someone else, lease lost)."""


class StaleVersionError(DeskError):
    """A save against an outdated version of a request; someone else changed it first."""

    def __init__(self, message: str, *, changed_by: str | None, changed_at: str | None) -> None:
        """Keep who changed the row and when, so the UI can say so."""
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class SchemaVersionError(DeskError):
    """The database schema is newer than this desk knows, or older and not upgraded."""


class AuditChainBroken(DeskError):
    """The audit chain cannot be appended to: its head row is missing or does not match the
    last entry, or this workstation's audit key does not fit the chain (nothing was saved).
    """


class AuditKeyMissing(AuditChainBroken):
    """The chain is keyed (its entries carry a MAC) and this workstation has no audit key."""


class AuthError(DeskError):
    """Login failed: wrong password, unknown or locked account."""


class DatabaseError(DeskError):
    """The database cannot be used; the message says why in Indonesian.

    ``detail`` keeps the driver's own text (shown behind "Rincian" and logged), ``where`` the
    file or server concerned. ``retryable``: the same action may succeed a moment later.
    """

    retryable = False

    def __init__(self, message: str, *, detail: str = "", where: str = "") -> None:
        """Keep the driver's text and the place next to the Indonesian message."""
        super().__init__(message)
        self.detail = detail
        self.where = where


class ConnectionLost(DatabaseError):
    """The database cannot be reached (network, server down); the action can be retried."""

    retryable = True


class DatabaseLocked(DatabaseError):
    """SQLite: another program holds the file's write lock longer than the desk waits."""

    retryable = True


class DatabaseReadOnly(DatabaseError):
    """The file or the server accepts no changes (file permissions, read-only medium, role)."""


class DatabaseIOError(DatabaseError):
    """The disk failed to read or write the database file (full disk, failing medium)."""


class DatabaseMissing(DatabaseError):
    """The configured database is not there: the SQLite file vanished, the server has no such
    database. Nothing is created in its place.
    """


class DatabaseLoginFailed(DatabaseError):
    """The server refused the user name or password."""
