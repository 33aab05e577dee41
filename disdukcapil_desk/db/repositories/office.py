"""The office-wide settings as stored, key by key (db layer; no commits here)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import OfficeSetting


def stored_settings(session: Session) -> dict[str, str]:
    """Every stored setting by key (the domain fills in defaults for the rest)."""
    return {s.key: s.value for s in session.scalars(select(OfficeSetting))}


def put_setting(session: Session, key: str, value: str, *, by: str, at: dt.datetime) -> None:
    """Store one setting, adding its row when it is new."""
    row = session.get(OfficeSetting, key)
    if row is None:
        row = OfficeSetting(key=key)
        session.add(row)
    row.value = value
    row.updated_at = at
    row.updated_by = by
