"""What a decision on a request is judged on: its checklist, open errors, the citizen's data
(db layer; no commits here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import IncomingRequest, RequestFinding, RequirementCheck
from disdukcapil_desk.domain.vocabulary import CheckState


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


def add_pending(session: Session, request_id: int, requirement_codes: Iterable[str]) -> None:
    """Start a new request's checklist: every requirement not yet checked."""
    for code in requirement_codes:
        session.add(
            RequirementCheck(
                service_request_id=request_id,
                requirement_code=code,
                state=CheckState.PENDING.value,
                note="",
            )
        )


def save_verdicts(
    session: Session,
    request_id: int,
    verdicts: Mapping[str, tuple[str, str]],
    *,
    by: str,
    at: dt.datetime,
) -> dict[str, str]:
    """Store (state, note) per requirement code; return the state of each one that changed."""
    stored = {
        c.requirement_code: c
        for c in session.scalars(
            select(RequirementCheck).where(RequirementCheck.service_request_id == request_id)
        )
    }
    judged: dict[str, str] = {}
    for code, (state, note) in verdicts.items():
        check = stored.get(code)
        if check is None:
            check = RequirementCheck(service_request_id=request_id, requirement_code=code)
            session.add(check)
        elif (check.state, check.note) == (state, note):
            continue
        check.state, check.note = state, note
        check.checked_by, check.checked_at = by, at
        judged[code] = state
    return judged
