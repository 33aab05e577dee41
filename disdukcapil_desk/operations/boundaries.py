"""Office boundaries and claims: the checks every operation makes before it touches a request.

One place decides whom a request's office lets in, so no operation carries its own copy:

- :func:`check_office` — a UPT officer acts only on their own UPT's requests; the dinas and the
  desk itself act on every office (their roles, checked with ``require``, limit what they do);
- :func:`listing_office` — the office a list (queue, print-ready batch, recap, register) covers;
- :func:`check_unrouted` — intake rows not yet a request are the dinas's;
- :func:`check_not_held_by_other` — a request in review under a live lease is changed only by
  the holder of that lease (decisions go further and need the actor to hold it:
  ``QueueOps.held_request``).

The optimistic lock (``expected_version``) is checked by ``QueueOps.check_version``.
"""

from __future__ import annotations

import datetime as dt

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import ClaimError, PermissionDenied
from disdukcapil_desk.domain.workflow import Status

OTHER_OFFICE = "Petugas UPT hanya dapat melihat dan menangani permohonan UPT-nya sendiri"


def may_act_on(actor: Actor, location_code: str | None) -> bool:
    """Whether ``actor`` may see and act on the requests of office ``location_code``."""
    if actor.is_system or not actor.is_upt_officer:
        return True
    return location_code == actor.location_code


def check_office(actor: Actor, location_code: str | None) -> None:
    """Refuse a UPT officer a request (or document, or list) of another office.

    Raises:
        PermissionDenied: the actor works at a UPT and ``location_code`` is not theirs.
    """
    if not may_act_on(actor, location_code):
        raise PermissionDenied(OTHER_OFFICE)


def check_unrouted(actor: Actor) -> None:
    """Intake rows that never became a request belong to no office yet: the dinas, which runs
    intake, handles them (quarantine, re-queue), not a UPT.

    Raises:
        PermissionDenied: the actor works at a UPT.
    """
    if not actor.is_system and actor.is_upt_officer:
        raise PermissionDenied("Baris masuk yang belum menjadi permohonan ditangani dinas")


def listing_office(actor: Actor, location_code: str | None) -> str | None:
    """The office a list covers: a UPT officer's own UPT (None, "all", means theirs too);
    for the dinas whatever was asked (None: every office).

    Raises:
        PermissionDenied: a UPT officer asked for another office.
    """
    if actor.is_system or not actor.is_upt_officer:
        return location_code
    if location_code:
        check_office(actor, location_code)
    return actor.location_code


def check_not_held_by_other(
    actor: Actor,
    number: str,
    status: str,
    claimed_by: int | None,
    lease_expires_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """Refuse a change to a request a colleague holds under a live lease.

    Raises:
        ClaimError: the request is in review and its lease, held by someone else, still runs.
    """
    held = (
        status == Status.IN_REVIEW.value
        and claimed_by is not None
        and lease_expires_at is not None
        and lease_expires_at >= now
    )
    if held and claimed_by != actor.user_id:
        raise ClaimError(f"Permohonan {number} sedang diperiksa petugas lain")
