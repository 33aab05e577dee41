"""Floors measured in the same run: bare SQLAlchemy / driver work on scratch tables.

The same four tasks as the floors of the team's TOOLCHAIN notes, on the same database and
engine settings as the desk, so that the desk's figures can be read against them:

- Core insert of narrow rows (PostgreSQL: also ``COPY``);
- a page deep in the table: ``OFFSET`` against keyset (row value, and the ``OR`` form the
  desk's queue uses);
- substring search over names: ``lower(name) LIKE '%…%'`` (a full scan), and with a trigram
  index (PostgreSQL ``pg_trgm`` GIN, SQLite FTS5 ``trigram``);
- a bare claim: select the oldest ``new`` row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and
  update it, one transaction per claim.

Scratch tables are named ``bench_floor_*`` and dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from bench.timing import Sample, clock, repeat
from disdukcapil_desk.domain.demo_data import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES

BATCH = 10_000
PAGE = 200
NEEDLE = "kartini wijaya"

_meta = MetaData()
narrow = Table(
    "bench_floor_insert",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(200)),
    Column("n", Integer),
    Column("at", DateTime),
)
paged = Table(
    "bench_floor_page",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("received_at", DateTime),
    Column("name", String(200)),
    Index("ix_bench_floor_page_received", "received_at", "id"),
)
claims = Table(
    "bench_floor_queue",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("status", String(20)),
    Column("received_at", DateTime),
    Index("ix_bench_floor_queue_status", "status", "received_at", "id"),
)


def names(rng: random.Random, count: int) -> list[str]:
    """Return ``count`` names combined like ``demo_data.random_person`` does."""
    result = []
    for _ in range(count):
        first = rng.choice(MALE_NAMES if rng.random() < 0.5 else FEMALE_NAMES)
        result.append(f"{first} {rng.choice(FAMILY_NAMES)}")
    return result


def moments(rng: random.Random, count: int) -> list[dt.datetime]:
    """Return ``count`` increasing timestamps, a few minutes apart (naive UTC)."""
    at = dt.datetime(2022, 11, 28, 1, 0)
    result = []
    for _ in range(count):
        at += dt.timedelta(seconds=rng.randint(1, 240))
        result.append(at)
    return result


@contextmanager
def scratch(engine: Engine, table: Table) -> Iterator[Table]:
    """Create a scratch table for the block and drop it afterwards."""
    table.drop(engine, checkfirst=True)
    table.create(engine)
    try:
        yield table
    finally:
        table.drop(engine, checkfirst=True)


def _fill(engine: Engine, table: Table, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start : start + BATCH])


def _copy(engine: Engine, table: Table, rows: list[dict[str, Any]]) -> None:
    columns = [c.name for c in table.columns if c.name in rows[0]]
    with engine.begin() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])


def insert_floor(engine: Engine, rng: random.Random, count: int, reps: int) -> list[Sample]:
    """Time a Core insert of ``count`` narrow rows (and COPY on PostgreSQL)."""
    at = moments(rng, count)
    rows = [{"name": name, "n": i, "at": at[i]} for i, name in enumerate(names(rng, count))]
    methods: list[tuple[str, str, Callable[[Engine, Table, list[dict[str, Any]]], None]]] = [
        ("floor.insert", f"Core insert {count:,} narrow rows", _fill)
    ]
    if engine.dialect.name == "postgresql":
        methods.append(("floor.copy", f"COPY {count:,} narrow rows", _copy))
    samples = []
    for key, label, method in methods:
        sample = Sample(key, label, rows=count)
        for _ in range(reps):
            with scratch(engine, narrow):
                sample.times.append(clock(partial(method, engine, narrow, rows))[0])
        samples.append(sample)
    return samples


def paging_floor(engine: Engine, rng: random.Random, count: int, reps: int) -> list[Sample]:
    """Time a page of 200 at half depth: OFFSET, keyset (row value) and keyset (OR form).

    Also times substring search over the same names (full scan, then trigram index).
    """
    at = moments(rng, count)
    rows = [{"received_at": at[i], "name": n} for i, n in enumerate(names(rng, count))]
    with scratch(engine, paged):
        _fill(engine, paged, rows)
        _analyze(engine, paged.name)
        offset = count // 2
        with engine.connect() as conn:
            mark = conn.execute(
                select(paged.c.received_at, paged.c.id)
                .order_by(paged.c.received_at, paged.c.id)
                .offset(offset - 1)
                .limit(1)
            ).one()
        ordered = select(paged.c.id, paged.c.name).order_by(paged.c.received_at, paged.c.id)
        row_value = tuple_(paged.c.received_at, paged.c.id) > tuple_(mark[0], mark[1])
        or_form = or_(
            paged.c.received_at > mark[0],
            and_(paged.c.received_at == mark[0], paged.c.id > mark[1]),
        )
        samples = [
            _query(
                engine,
                "floor.offset",
                f"OFFSET {offset:,} LIMIT {PAGE}",
                ordered.offset(offset).limit(PAGE),
                reps,
            ),
            _query(
                engine,
                "floor.keyset",
                "keyset (row value) LIMIT 200",
                ordered.where(row_value).limit(PAGE),
                reps,
            ),
            _query(
                engine,
                "floor.keyset_or",
                "keyset (OR form, as the queue) LIMIT 200",
                ordered.where(or_form).limit(PAGE),
                reps,
            ),
        ]
        samples += like_floor(engine, count, reps)
    return samples


def _query(engine: Engine, key: str, label: str, stmt: Any, reps: int) -> Sample:
    def run() -> list[Any]:
        with engine.connect() as conn:
            result = list(conn.execute(stmt).all())
            conn.rollback()
        return result

    return repeat(key, label, run, reps)


def _analyze(engine: Engine, table: str) -> None:
    """Give PostgreSQL statistics, as autovacuum would (SQLite: left without, as a new desk)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(f"ANALYZE {table}")


def like_floor(engine: Engine, count: int, reps: int) -> list[Sample]:
    """Substring search over the names of ``bench_floor_page``: full scan, then trigram."""
    pattern = f"%{NEEDLE}%"
    scan = select(paged.c.id, paged.c.name).where(func.lower(paged.c.name).like(pattern))
    samples = [_query(engine, "floor.like", f"LIKE '%{NEEDLE}%' over {count:,} names", scan, reps)]
    try:
        indexed = _trigram(engine)
    except SQLAlchemyError as exc:  # no pg_trgm / FTS5 here: keep the other floors
        samples.append(Sample("floor.trigram", "trigram index", note=f"unavailable: {exc}"))
        return samples
    label = "pg_trgm GIN" if engine.dialect.name == "postgresql" else "FTS5 trigram"
    samples.append(_query(engine, "floor.trigram", f"{label}, same search", indexed, reps))
    return samples


def _trigram(engine: Engine) -> Any:
    """Build the trigram index and return the indexed form of the same search."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.exec_driver_sql(
                "CREATE INDEX ix_bench_floor_page_trgm ON bench_floor_page "
                "USING gin (lower(name) gin_trgm_ops)"
            )
            conn.exec_driver_sql("ANALYZE bench_floor_page")
        return select(paged.c.id, paged.c.name).where(func.lower(paged.c.name).like(f"%{NEEDLE}%"))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_floor_fts")
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE bench_floor_fts USING fts5(name, tokenize='trigram')"
        )
        conn.exec_driver_sql(
            "INSERT INTO bench_floor_fts(rowid, name) SELECT id, name FROM bench_floor_page"
        )
    return text("SELECT rowid, name FROM bench_floor_fts WHERE name LIKE :p").bindparams(
        p=f"%{NEEDLE}%"
    )


def drop_fts(engine: Engine) -> None:
    """Drop the FTS5 scratch table (SQLite)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS bench_floor_fts")


def claim_floor(engine: Engine, rng: random.Random, count: int, claims_n: int) -> Sample:
    """Time a bare claim (oldest new row, locked, updated; one transaction) ``claims_n`` x."""
    at = moments(rng, count)
    with scratch(engine, claims):
        _fill(engine, claims, [{"status": "new", "received_at": a} for a in at])
        _analyze(engine, claims.name)
        candidate = (
            select(claims.c.id)
            .where(claims.c.status == "new")
            .order_by(claims.c.received_at, claims.c.id)
            .limit(1)
        )
        if engine.dialect.name == "postgresql":
            candidate = candidate.with_for_update(skip_locked=True)

        def claim() -> int:
            with engine.begin() as conn:
                found = conn.scalar(candidate)
                conn.execute(
                    update(claims)
                    .where(claims.c.id == found, claims.c.status == "new")
                    .values(status="taken")
                )
            if found is None:
                raise RuntimeError("the scratch queue ran empty")
            return int(found)

        sample = Sample("floor.claim", f"bare claim (select oldest + update), {count:,} rows")
        for _ in range(claims_n):
            sample.times.append(clock(claim)[0])
    return sample


def floors(engine: Engine, count: int, reps: int, claims_n: int, seed: int) -> list[Sample]:
    """Run every floor on ``engine`` and return the samples."""
    rng = random.Random(seed)
    try:
        samples = insert_floor(engine, rng, count, min(reps, 3))
        samples += paging_floor(engine, rng, count, reps)
        samples.append(claim_floor(engine, rng, count, claims_n))
    finally:
        drop_fts(engine)
    return samples
