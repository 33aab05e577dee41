"""What a walk-in at the counter is made of, as the window hands it over and gets it back
(plain values; ``operations/walk_in.py`` checks and stores them).
"""

from __future__ import annotations

from dataclasses import dataclass

from disdukcapil_desk.domain.dto import Lease


@dataclass(frozen=True, slots=True)
class WalkInAttachment:
    """A document the citizen brought, scanned or photographed at the counter."""

    requirement_code: str | None
    """Which requirement of the service it shows (None: not one of them)."""
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class WalkIn:
    """What the officer typed: the service, the catalogue form's values and the documents."""

    service_code: str
    fields: dict[str, object]
    attachments: tuple[WalkInAttachment, ...] = ()


@dataclass(frozen=True, slots=True)
class WalkInResult:
    """The registered request, held by the officer for verification."""

    lease: Lease
    duplicate_of: str | None
    """The number of an open request of the same service for the same person, if any."""
    warnings: tuple[str, ...]
    """What the officer should still look at (a late report, a missing document)."""

    @property
    def request_id(self) -> int:
        """The new request's id."""
        return self.lease.request_id

    @property
    def number(self) -> str:
        """The new request's number (also the receipt's)."""
        return self.lease.number
