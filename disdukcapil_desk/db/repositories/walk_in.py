"""The one statement of a walk-in the intake repositories lack (db layer; no commits here)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import IncomingRequest


def mark_registered(session: Session, incoming_id: int, request_id: int, at: dt.datetime) -> None:
    """Mark the intake row of a walk-in as handled: it became ``request_id`` at ``at``."""
    session.execute(
        update(IncomingRequest)
        .where(IncomingRequest.id == incoming_id)
        .values(ingested_at=at, ingest_error=None, service_request_id=request_id)
        .execution_options(synchronize_session=False)
    )
