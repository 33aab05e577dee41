"""Key custody vocabulary: the signing queue's states, and a seal key as published (pure).

The private halves of the office's keys never reach the shared database: the in-process
custody keeps them in the OS user's data folder (one workstation, SQLite), the signing service
on the office server (PostgreSQL). The database holds only public material: every seal key's
public half with its id (current and retired), the signing certificate's chain, and the queue
of documents waiting for the service.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class SigningJobKind(enum.StrEnum):
    """What a workstation asks the signing service for."""

    CODE = "code"
    """The verification code of a document's key fields (the QR's signature)."""
    SEAL = "seal"
    """The seal of a whole PDF, then the PAdES signature when a certificate is held."""


class SigningJobState(enum.StrEnum):
    """Where a queued job stands."""

    WAITING = "waiting"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PublishedKey:
    """The public half of one seal key, as the database publishes it."""

    key_id: str
    pem: bytes
    created_at: dt.datetime
    retired_at: dt.datetime | None

    @property
    def current(self) -> bool:
        """Whether documents are still sealed with this key."""
        return self.retired_at is None


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """The public side of the signing certificate the custodian holds."""

    subject: str
    not_after: dt.datetime
    chain_der: tuple[bytes, ...]
