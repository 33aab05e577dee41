"""Versioned schema migrations, registered explicitly (db layer).

Each migration moves the schema from ``version - 1`` to ``version``; it runs inside one
transaction together with the row that records it. Add new ones to ``MIGRATIONS`` in order and
raise ``SCHEMA_VERSION`` in ``models.py``. Version 1 is the schema created from the models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from disdukcapil_desk.db.migrations.v2_parties import add_request_parties


@dataclass(frozen=True)
class Migration:
    """One step of the schema's history."""

    version: int
    description: str
    apply: Callable[[Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "the applicant and the subject of a request", add_request_parties),
)
