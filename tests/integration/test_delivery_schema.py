"""Version 5 of the schema: the statuses after approval and their tables, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from disdukcapil_desk.db.migrations.v5_delivery import status_check_sql
from disdukcapil_desk.db.models import SCHEMA_VERSION, ServiceRequest
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.setup import SetupOps
from tests.factories import make_request
from tests.integration.version_1 import undo_version_6

_OLD_CHECK = status_check_sql().split(" CHECK ")[0] + (
    " CHECK (status IN ('new', 'in_review', 'needs_revision', 'approved', 'issued', 'done', "
    "'rejected', 'cancelled'))"
)
_NEW_TABLES = (
    "pickup_booking",
    "pickup_slot",
    "outgoing_attachment",
    "outgoing_message",
    "signed_document",
    "siak_number",
)


def _back_to_version_4(ctx: DeskContext) -> None:
    """What version 4 left: no delivery tables, a status CHECK of the eight old statuses (and
    nothing of version 6)."""
    with ctx.engine.begin() as conn:
        undo_version_6(conn)
        for table in _NEW_TABLES:
            conn.exec_driver_sql(f"DROP TABLE {table}")
        if ctx.postgresql:
            conn.exec_driver_sql(
                "ALTER TABLE service_request DROP CONSTRAINT ck_service_request_status"
            )
            conn.exec_driver_sql(f"ALTER TABLE service_request ADD {_OLD_CHECK}")
        else:
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'service_request'"
            ).scalar_one()
            version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
            conn.exec_driver_sql("PRAGMA writable_schema = ON")
            conn.exec_driver_sql(
                "UPDATE sqlite_master SET sql = ? WHERE name = 'service_request'",
                (sql.replace(status_check_sql(), _OLD_CHECK),),
            )
            conn.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
            conn.exec_driver_sql("PRAGMA writable_schema = OFF")
        conn.execute(text("UPDATE schema_version SET version = 4"))
    ctx.engine.dispose()


def _set_status(ctx: DeskContext, status: str) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(update(ServiceRequest).values(status=status))


def test_upgrade_to_version_5_allows_the_new_statuses_and_keeps_rows(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    intake = IntakeOps(ctx)
    for n in range(3):
        intake.submit_row(make_request(external_ref=f"v5-{n}"))
    intake.ingest()
    _back_to_version_4(ctx)
    with pytest.raises(IntegrityError):
        _set_status(ctx, Status.SENT.value)
    assert SetupOps(ctx).upgrade() == [5, 6, 7, 8, 9]
    for status in (Status.SIAK_RECORDED, Status.READY_FOR_PICKUP, Status.COLLECTED):
        _set_status(ctx, status.value)
    with pytest.raises(IntegrityError):
        _set_status(ctx, "terkirim")
    with ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM service_request")).scalar_one() == 3
        assert conn.execute(text("SELECT count(*) FROM outgoing_message")).scalar_one() == 0
        newest = conn.execute(text("SELECT max(version) FROM schema_version")).scalar_one()
        assert newest == SCHEMA_VERSION
