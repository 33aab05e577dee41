"""Writing many rows of one table at once (db layer; no commits here).

``insert_values``: multi-row ``INSERT … VALUES`` statements, rendered once per size and run by
the driver with the values after the columns' own bind processing (what SQLAlchemy's
"insertmanyvalues" does, without building its parameters row by row). ``copy_rows``
(PostgreSQL): ``COPY … FROM STDIN``, no statement of thousands of parameters for the server to
parse and the driver to bind.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

MAX_PARAMETERS = 30_000
"""Values in one statement: under SQLite's limit (32,766) and PostgreSQL's (65,535)."""

_Processors = tuple[Callable[[Any], Any] | None, ...]
_PROCESSORS: dict[tuple[str, str, tuple[str, ...]], _Processors] = {}


def insert_values(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    returning: tuple[str, ...] = (),
) -> list[Any]:
    """Insert ``rows`` (dicts with the same keys) with multi-row ``INSERT … VALUES`` statements
    (a page of rows each, whatever their count); return the rows' ``returning`` columns in
    the rows' order (nothing when none is named).
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect
    names = tuple(rows[0])
    processors = _processors(dialect, table, names)
    page = max(1, MAX_PARAMETERS // len(names))
    found: list[Any] = []
    connection = session.connection()
    for start in range(0, len(rows), page):
        chunk = rows[start : start + page]
        flat = [
            p(row[name]) if p else row[name]
            for row in chunk
            for name, p in zip(names, processors, strict=True)
        ]
        sql = _values_sql(dialect, table.name, names, len(chunk), returning)
        result = connection.exec_driver_sql(sql, tuple(flat))
        if returning:
            found += result.all()
    return found


def copy_rows(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    returning: tuple[str, ...] = (),
) -> list[Any]:
    """PostgreSQL: ``COPY`` ``rows`` (dicts with the same keys) into ``table``; return the rows'
    ``returning`` columns (objects with those attributes, in the rows' order).

    When ``id`` is asked for, the ids are drawn from the table's sequence first, in the rows'
    order, in one statement, and written with the rows. A driver error is raised as
    SQLAlchemy's (as any statement's would be).
    """
    if not rows:
        return []
    connection = session.connection()
    names = tuple(rows[0])
    processors = _processors(connection.dialect, table, names)
    ids = next_ids(session, table, len(rows)) if "id" in returning and "id" not in names else []
    sql = _copy_sql(connection.dialect, table.name, ("id", *names) if ids else names)
    error = connection.dialect.loaded_dbapi.Error
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(sql) as copy:
            for n, row in enumerate(rows):
                values = [
                    p(row[name]) if p else row[name]
                    for name, p in zip(names, processors, strict=True)
                ]
                copy.write_row([ids[n], *values] if ids else values)
    except error as exc:
        raise DBAPIError.instance(sql, None, exc, error) from exc
    finally:
        cursor.close()
    return [
        SimpleNamespace(**{k: row[k] if k in row else ids[n] for k in returning})
        for n, row in enumerate(rows)
    ]


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new ids of ``table``, ascending, for rows about to be written with them.

    PostgreSQL: drawn from the table's sequence in one statement. SQLite: the ids after the
    largest one (what SQLite itself would give the rows), which only the writer may do: the
    transaction holds the database's write lock from its ``BEGIN IMMEDIATE``.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        drawn = connection.execute(_NEXT_IDS, {"table": table.name, "n": count})
        return [int(i) for i in drawn.scalars()]
    last = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(int(last) + 1, int(last) + 1 + count))


_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n) ORDER BY 1"
)


def _processors(dialect: Dialect, table: Table, names: tuple[str, ...]) -> _Processors:
    """The bind processing of the columns ``names`` of ``table`` on ``dialect``, found once."""
    key = (dialect.name, table.name, names)
    found = _PROCESSORS.get(key)
    if found is None:
        found = _PROCESSORS[key] = tuple(
            table.c[name].type.bind_processor(dialect) for name in names
        )
    return found


@functools.lru_cache(maxsize=256)
def _values_sql(
    dialect: Dialect, table: str, names: tuple[str, ...], count: int, returning: tuple[str, ...]
) -> str:
    """``INSERT INTO table (names) VALUES (…), (…) [RETURNING …]`` for ``count`` rows, in the
    driver's own placeholders.
    """
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    one = "(" + ", ".join(mark for _ in names) + ")"
    sql = f"INSERT INTO {quote(table)} ({', '.join(quote(n) for n in names)}) VALUES " + ", ".join(
        one for _ in range(count)
    )
    if returning:
        sql += " RETURNING " + ", ".join(quote(n) for n in returning)
    return sql


@functools.lru_cache(maxsize=64)
def _copy_sql(dialect: Dialect, table: str, names: tuple[str, ...]) -> str:
    """``COPY table (names) FROM STDIN``."""
    quote = dialect.identifier_preparer.quote
    return f"COPY {quote(table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
