"""Number counters: gap-free, duplicate-free allocation inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import NumberCounter


def allocate(session: Session, kind: str, scope: str, period: str) -> int:
    """Return the next number of the counter (opening offset included).

    The counter row is created if missing, then incremented with one ``UPDATE … RETURNING``,
    which holds its row lock until the caller's transaction ends: two workstations never get
    the same number, and a rolled-back transaction gives its number back.
    """
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert_fn(NumberCounter)
        .values(kind=kind, scope=scope, period=period, last_value=0, opening_offset=0)
        .on_conflict_do_nothing()
    )
    value = session.execute(
        update(NumberCounter)
        .where(
            NumberCounter.kind == kind,
            NumberCounter.scope == scope,
            NumberCounter.period == period,
        )
        .values(last_value=NumberCounter.last_value + 1)
        .returning(NumberCounter.last_value + NumberCounter.opening_offset)
    ).scalar_one()
    return int(value)


def set_opening_offset(session: Session, kind: str, scope: str, period: str, offset: int) -> bool:
    """Start a counter after ``offset`` (the last number used on paper).

    Returns False, changing nothing, when the series has already handed out numbers: moving its
    start then would re-use numbers already on paper or leave unexplained gaps.
    """
    used = session.execute(
        select(NumberCounter.last_value)
        .where(
            NumberCounter.kind == kind,
            NumberCounter.scope == scope,
            NumberCounter.period == period,
        )
        .with_for_update()
    ).scalar_one_or_none()
    if used:
        return False
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert_fn(NumberCounter).values(
        kind=kind, scope=scope, period=period, last_value=0, opening_offset=offset
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["kind", "scope", "period"], set_={"opening_offset": offset}
        )
    )
    return True


def current(session: Session, kind: str, scope: str, period: str) -> int:
    """Return the last number handed out (0 when none)."""
    row = session.execute(
        select(NumberCounter.last_value + NumberCounter.opening_offset).where(
            NumberCounter.kind == kind,
            NumberCounter.scope == scope,
            NumberCounter.period == period,
        )
    ).scalar_one_or_none()
    return int(row or 0)
