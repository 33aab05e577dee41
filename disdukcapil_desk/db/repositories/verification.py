"""What a decision on a request is judged on: its checklist, open errors, the citizen's data
(db layer; no commits here)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import IncomingRequest, RequestFinding, RequirementCheck


class StoredCheck(NamedTuple):
    """The officer's verdict on one requirement as stored."""

    state: str
    note: str
    checked_by: str | None


def checks(session: Session, request_id: int) -> dict[str, StoredCheck]:
    """The stored verdict per requirement code of a request."""
    rows = session.scalars(
        select(RequirementCheck).where(RequirementCheck.service_request_id == request_id)
    )
    return {c.requirement_code: StoredCheck(c.state, c.note, c.checked_by) for c in rows}


def check_states(session: Session, request_id: int) -> dict[str, str]:
    """The officer's verdict per requirement code."""
    rows = session.execute(
        select(RequirementCheck.requirement_code, RequirementCheck.state).where(
            RequirementCheck.service_request_id == request_id
        )
    )
    return {code: state for code, state in rows}


def open_errors(session: Session, request_id: int) -> list[tuple[str, str]]:
    """(field, message) of every unresolved error finding, in the order they were found."""
    rows = session.execute(
        select(RequestFinding.field, RequestFinding.message)
        .where(
            RequestFinding.service_request_id == request_id,
            RequestFinding.severity == "error",
            RequestFinding.resolved.is_(False),
        )
        .order_by(RequestFinding.id)
    )
    return [(field or "", message) for field, message in rows]


def citizen_payload(session: Session, request_id: int) -> str | None:
    """The payload of the citizen's latest submission of a request (what they sent)."""
    return session.scalar(
        select(IncomingRequest.payload)
        .where(IncomingRequest.service_request_id == request_id)
        .order_by(IncomingRequest.received_at.desc(), IncomingRequest.id.desc())
        .limit(1)
    )
