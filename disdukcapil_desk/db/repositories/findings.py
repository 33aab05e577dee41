"""Storing the findings of a request (db layer; no commits here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import RequestFinding
from disdukcapil_desk.domain.findings import Finding


def add(session: Session, request_id: int, findings: Iterable[Finding], now: dt.datetime) -> None:
    """Store automatic findings of a request, unresolved."""
    for finding in findings:
        session.add(
            RequestFinding(
                service_request_id=request_id,
                code=finding.code,
                severity=finding.severity.value,
                field=finding.field,
                message=finding.message,
                source="auto",
                resolved=False,
                created_at=now,
            )
        )


def delete_automatic(session: Session, request_id: int, *, keep: Collection[str]) -> None:
    """Delete a request's automatic findings except those whose code is in ``keep``."""
    stale = session.scalars(
        select(RequestFinding).where(
            RequestFinding.service_request_id == request_id,
            RequestFinding.source == "auto",
            RequestFinding.code.not_in(tuple(keep)),
        )
    )
    for finding in stale:
        session.delete(finding)
