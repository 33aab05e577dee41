"""Number counters: gap-free, duplicate-free allocation inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import select, text, update
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


def reserve(
    session: Session, kind: str, wants: Mapping[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    """Reserve ``n`` consecutive numbers of each (scope, period) counter of ``kind`` at once;
    return the first number of each block (opening offset included).

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` for every counter of the batch (the
    blocks passed as arrays on PostgreSQL, as JSON on SQLite, so the statement is always the
    same): a missing counter row is created holding its block, an existing one is moved on by
    its block. Each counter row stays locked until the caller's transaction ends, so two
    workstations never get the same numbers, and a rolled-back transaction (or savepoint) gives
    its block back.
    """
    wanted = sorted((key, n) for key, n in wants.items() if n > 0)
    if not wanted:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            _RESERVE_PG,
            {
                "kind": kind,
                "scopes": [scope for (scope, _), _ in wanted],
                "periods": [period for (_, period), _ in wanted],
                "counts": [n for _, n in wanted],
            },
        )
    else:
        blocks = json.dumps([[scope, period, n] for (scope, period), n in wanted])
        rows = session.execute(_RESERVE_SQLITE, {"kind": kind, "blocks": blocks})
    last = {(row.scope, row.period): int(row.last) for row in rows}
    return {key: last[key] - n + 1 for key, n in wanted}


_UPSERT_BLOCKS = (
    " ON CONFLICT (kind, scope, period) DO UPDATE"
    " SET last_value = number_counter.last_value + excluded.last_value"
    " RETURNING scope, period, last_value + opening_offset AS last"
)
_RESERVE_PG = text(
    "INSERT INTO number_counter (kind, scope, period, last_value, opening_offset)"
    " SELECT :kind, v.scope, v.period, v.n, 0 FROM unnest(CAST(:scopes AS text[]),"
    " CAST(:periods AS text[]), CAST(:counts AS integer[])) AS v(scope, period, n)"
    " ORDER BY v.scope, v.period" + _UPSERT_BLOCKS
)
_RESERVE_SQLITE = text(
    "INSERT INTO number_counter (kind, scope, period, last_value, opening_offset)"
    " SELECT :kind, json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
    " json_extract(value, '$[2]'), 0 FROM json_each(:blocks)"
    " WHERE true ORDER BY key" + _UPSERT_BLOCKS
)


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
