"""Tables only the local copy of an offline-capable workstation has (db layer).

The local copy is a desk database of the same schema as the server's (``models.py``), holding
what the office needs to keep working; these tables sit beside it: the journal of what was
done offline, the server version each copied request was made against, the numbers of the
workstation's blocks still free, and a few facts about the copy. They are never created in
the shared database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from disdukcapil_desk.db.base import NAMING_CONVENTION, UtcDateTime
from disdukcapil_desk.db.models import one_of
from disdukcapil_desk.domain.offline import EntryState, JournalKind


class LocalBase(DeclarativeBase):
    """The local copy's own tables (a metadata apart from the shared schema)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OfflineJournal(LocalBase):
    """One change made while the server was out of reach, in the order it was made."""

    __tablename__ = "offline_journal"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))
    request_number: Mapped[str] = mapped_column(String(40), default="")
    base_version: Mapped[int | None] = mapped_column(Integer)
    actor_login: Mapped[str] = mapped_column(String(60))
    made_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=EntryState.WAITING.value)
    outcome_detail: Mapped[str] = mapped_column(Text, default="")
    settled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (one_of("kind", JournalKind), one_of("state", EntryState))


class OfflineBase(LocalBase):
    """The server's version of a copied request: what the next offline change is made against."""

    __tablename__ = "offline_base"

    request_number: Mapped[str] = mapped_column(String(40), primary_key=True)
    server_version: Mapped[int] = mapped_column(Integer)


class OfflineNumbers(LocalBase):
    """A block of request numbers this workstation reserved on the server, and how far the
    offline walk-ins used it.
    """

    __tablename__ = "offline_numbers"

    location_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    first_value: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)
    next_value: Mapped[int] = mapped_column(Integer)


class OfflineFact(LocalBase):
    """Facts about the copy: which server, copied when, offline since, last sync."""

    __tablename__ = "offline_fact"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
