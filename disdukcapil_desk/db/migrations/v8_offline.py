"""Version 8, working offline: ``number_block`` and ``offline_applied`` (db layer).

A workstation reserves blocks of request numbers while online (``number_block``) and, back
online, replays its journal; ``offline_applied`` records each entry as the server settled it,
in the transaction that applied it, so nothing is applied twice.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table

from disdukcapil_desk.db.models import NumberBlock, OfflineApplied


def add_offline_tables(conn: Connection) -> None:
    """Create the two tables (and their indexes)."""
    for model in (NumberBlock, OfflineApplied):
        table = model.__table__
        assert isinstance(table, Table)
        table.create(conn, checkfirst=True)
