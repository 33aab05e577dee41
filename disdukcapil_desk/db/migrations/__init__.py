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
from disdukcapil_desk.db.migrations.v3_audit_mac import add_audit_mac
from disdukcapil_desk.db.migrations.v4_key_custody import move_keys_out
from disdukcapil_desk.db.migrations.v4_queue_index import add_status_index
from disdukcapil_desk.db.migrations.v5_delivery import add_delivery
from disdukcapil_desk.db.migrations.v6_audit_chains import add_audit_chains
from disdukcapil_desk.db.migrations.v6_recap import add_recap_index
from disdukcapil_desk.db.migrations.v7_walkin import widen_channel_checks
from disdukcapil_desk.db.migrations.v8_offline import add_offline_tables
from disdukcapil_desk.db.migrations.v9_recap import add_issued_at


@dataclass(frozen=True)
class Migration:
    """One step of the schema's history."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _add_user_password_change(conn: Connection) -> None:
    """``app_user.must_change_password``: an administrator's reset forces a new password."""
    conn.exec_driver_sql(
        "ALTER TABLE app_user ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE"
    )
    if conn.dialect.name == "postgresql":
        # The models (and schema.sql) have no server default; existing rows are filled.
        conn.exec_driver_sql("ALTER TABLE app_user ALTER COLUMN must_change_password DROP DEFAULT")


def _version_2(conn: Connection) -> None:
    _add_user_password_change(conn)
    add_request_parties(conn)


def _version_4(conn: Connection) -> None:
    move_keys_out(conn)
    add_status_index(conn)


def _version_6(conn: Connection) -> None:
    add_audit_chains(conn)
    add_recap_index(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        2,
        "app_user.must_change_password; the applicant and the subject of a request",
        _version_2,
    ),
    Migration(3, "audit_log.mac: the keyed audit chain", add_audit_mac),
    Migration(
        4,
        "seal_key, signing_job: keys out of the shared database; the queue's status index",
        _version_4,
    ),
    Migration(
        5,
        "siak_number, signed_document, outgoing_message/attachment, pickup_slot/booking; "
        "the statuses after approval",
        add_delivery,
    ),
    Migration(
        6,
        "audit_log.chain: audit chains written in parallel; the recap's covering index",
        _version_6,
    ),
    Migration(
        7, "the channel 'loket': walk-in requests registered at the counter", widen_channel_checks
    ),
    Migration(
        8,
        "number_block, offline_applied: offline workstations and their journals",
        add_offline_tables,
    ),
    Migration(
        9,
        "service_request.issued_at: the recap's issue time kept on the request",
        add_issued_at,
    ),
)
