"""``service_request.issued_at``: the recap's issue time, kept by the write that issues and
filled in by the upgrade to version 9 from the audit log (which it must equal).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from disdukcapil_desk.db.models import ServiceRequest
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps
from disdukcapil_desk.operations.setup import SetupOps
from tests.integration.test_recaps import issue_times
from tests.integration.version_1 import undo_version_9

SR = ServiceRequest


@pytest.fixture
def seeded(ctx: DeskContext) -> DeskContext:
    DemoOps(ctx).generate(45, seed=5, days=25)
    return ctx


def _issued_at(ctx: DeskContext) -> dict[str, dt.datetime]:
    with ctx.sessions() as s:
        rows = s.execute(select(SR.number, SR.issued_at).where(SR.issued_at.is_not(None)))
        return {number: at for number, at in rows}


def test_issuing_keeps_the_time_of_its_audit_entry(seeded: DeskContext) -> None:
    audited = issue_times(seeded)
    assert len(audited) > 10, "the demo issues documents"
    assert _issued_at(seeded) == audited


def test_the_upgrade_to_9_fills_issued_at_from_the_audit_log(seeded: DeskContext) -> None:
    audited = issue_times(seeded)
    with seeded.engine.begin() as conn:
        undo_version_9(conn)
        conn.execute(text("UPDATE schema_version SET version = 8"))
    seeded.engine.dispose()
    assert SetupOps(seeded).upgrade() == [9]
    assert _issued_at(seeded) == audited
    with seeded.engine.connect() as conn:
        if seeded.postgresql:
            found = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                {"n": "ix_service_request_recap"},
            ).scalar_one()
        else:
            found = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = :n"),
                {"n": "ix_service_request_recap"},
            ).scalar_one()
    assert "issued_at" in found
