"""The offline journal of the local copy and the server's record of settled entries (db layer;
no commits here).

Local side (``db/offline_models.py``, only in the copy): the journal rows, the server version
each copied request was made against, and the copy's facts. Server side (``models.py``):
``offline_applied``, one row per settled journal entry, and the few request columns the sync
compares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import OfflineApplied, ServiceRequest
from disdukcapil_desk.db.offline_models import OfflineBase, OfflineFact, OfflineJournal
from disdukcapil_desk.domain.offline import EntryState, JournalEntry, JournalKind

SEQ_FLOOR_FACT = "journal_seq_floor"
"""The highest journal number this workstation ever used before this copy (a refreshed copy
numbers on after it, so the server's record of settled entries never sees a number twice).
"""


class AppliedRow(NamedTuple):
    """The server's record of one settled journal entry."""

    outcome: str
    result_version: int | None
    detail: str


class ServerState(NamedTuple):
    """What the sync compares of a request on the server."""

    id: int
    version: int
    status: str
    updated_by: str | None
    updated_at: dt.datetime | None
    claimed_by: int | None
    lease_expires_at: dt.datetime | None
    location_code: str


# -- the local copy ---------------------------------------------------------------------------


def add_entry(
    session: Session,
    kind: JournalKind,
    request_number: str,
    base_version: int | None,
    actor_login: str,
    made_at: dt.datetime,
    payload: str,
) -> int:
    """Append one entry after every number used before (this copy's or an earlier one's);
    returns its number.
    """
    highest = session.scalar(select(func.max(OfflineJournal.seq))) or 0
    floor = int(fact(session, SEQ_FLOOR_FACT) or 0)
    seq = max(highest, floor) + 1
    session.add(
        OfflineJournal(
            seq=seq,
            kind=kind.value,
            request_number=request_number,
            base_version=base_version,
            actor_login=actor_login,
            made_at=made_at,
            payload=payload,
            state=EntryState.WAITING.value,
            outcome_detail="",
        )
    )
    session.flush()
    return seq


def entries(session: Session, states: Collection[EntryState] | None = None) -> list[JournalEntry]:
    """The journal in order, of ``states`` only when given."""
    stmt = select(OfflineJournal).order_by(OfflineJournal.seq)
    if states is not None:
        stmt = stmt.where(OfflineJournal.state.in_([s.value for s in states]))
    return [_entry(row) for row in session.scalars(stmt)]


def entry(session: Session, seq: int) -> JournalEntry | None:
    """One entry by its number."""
    row = session.get(OfflineJournal, seq)
    return _entry(row) if row is not None else None


def count(session: Session, state: EntryState) -> int:
    """How many entries are in ``state``."""
    stmt = select(func.count()).select_from(OfflineJournal)
    return int(session.scalar(stmt.where(OfflineJournal.state == state.value)) or 0)


def mark(
    session: Session, seq: int, state: EntryState, detail: str, at: dt.datetime | None
) -> None:
    """Set where an entry stands (and when it was settled)."""
    session.execute(
        update(OfflineJournal)
        .where(OfflineJournal.seq == seq)
        .values(state=state.value, outcome_detail=detail, settled_at=at)
        .execution_options(synchronize_session=False)
    )


def base_version(session: Session, request_number: str) -> int | None:
    """The server version the copy's request stands on (None: made offline or not copied)."""
    row = session.get(OfflineBase, request_number)
    return row.server_version if row is not None else None


def set_base_version(session: Session, request_number: str, version: int) -> None:
    """Note the server version the next change of the request is made against."""
    row = session.get(OfflineBase, request_number)
    if row is None:
        session.add(OfflineBase(request_number=request_number, server_version=version))
    else:
        row.server_version = version


def fact(session: Session, key: str) -> str | None:
    """One fact of the copy."""
    row = session.get(OfflineFact, key)
    return row.value if row is not None else None


def set_fact(session: Session, key: str, value: str) -> None:
    """Write one fact of the copy."""
    row = session.get(OfflineFact, key)
    if row is None:
        session.add(OfflineFact(key=key, value=value))
    else:
        row.value = value


def _entry(row: OfflineJournal) -> JournalEntry:
    return JournalEntry(
        seq=row.seq,
        kind=JournalKind(row.kind),
        request_number=row.request_number,
        base_version=row.base_version,
        actor_login=row.actor_login,
        made_at=row.made_at,
        payload=row.payload,
        state=EntryState(row.state),
        outcome_detail=row.outcome_detail or "",
    )


# -- the server --------------------------------------------------------------------------------


def applied(session: Session, workstation: str, seq: int) -> AppliedRow | None:
    """The server's record of an entry, if it was settled."""
    row = session.get(OfflineApplied, (workstation, seq))
    if row is None:
        return None
    return AppliedRow(row.outcome, row.result_version, row.detail or "")


def highest_settled(session: Session, workstation: str) -> int:
    """The highest journal number of ``workstation`` the server settled (0: none)."""
    stmt = select(func.max(OfflineApplied.seq)).where(OfflineApplied.workstation == workstation)
    return int(session.scalar(stmt) or 0)


def add_applied(
    session: Session,
    workstation: str,
    entry: JournalEntry,
    outcome: str,
    result_version: int | None,
    applied_at: dt.datetime,
    detail: str,
) -> None:
    """Record one settled entry (the primary key refuses a second record of it)."""
    session.add(
        OfflineApplied(
            workstation=workstation,
            seq=entry.seq,
            outcome=outcome,
            kind=entry.kind.value,
            request_number=entry.request_number,
            result_version=result_version,
            actor_login=entry.actor_login,
            made_at=entry.made_at,
            applied_at=applied_at,
            detail=detail,
        )
    )
    session.flush()


def request_state(session: Session, number: str) -> ServerState | None:
    """The columns of a request the sync compares (None: no request with that number)."""
    SR = ServiceRequest
    row = session.execute(
        select(
            SR.id,
            SR.version,
            SR.status,
            SR.updated_by,
            SR.updated_at,
            SR.claimed_by,
            SR.lease_expires_at,
            SR.location_code,
        ).where(SR.number == number)
    ).first()
    return ServerState(*row) if row is not None else None


def newest_request_number(session: Session) -> str:
    """The number of the request written last (in the copy, which has one writer: the one a
    walk-in just made in this transaction).
    """
    SR = ServiceRequest
    return session.scalar(select(SR.number).order_by(SR.id.desc()).limit(1)) or ""


def renumber(session: Session, offset: int) -> None:
    """Move every entry's number up by ``offset`` (at least the highest number in use, so no
    new number meets an old one on the way).
    """
    session.execute(
        update(OfflineJournal)
        .values(seq=OfflineJournal.seq + offset)
        .execution_options(synchronize_session=False)
    )


def applied_entry(session: Session, workstation: str, seq: int) -> JournalEntry | None:
    """The entry the server settled under ``seq`` of ``workstation``, as it was made."""
    row = session.get(OfflineApplied, (workstation, seq))
    if row is None:
        return None
    return JournalEntry(
        seq=row.seq,
        kind=JournalKind(row.kind),
        request_number=row.request_number,
        base_version=None,
        actor_login=row.actor_login,
        made_at=row.made_at,
        payload="",
    )
