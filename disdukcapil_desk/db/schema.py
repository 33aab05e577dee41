"""Create, check and upgrade the database schema; render the PostgreSQL DDL (db layer)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from disdukcapil_desk.db import search_index
from disdukcapil_desk.db.base import Base
from disdukcapil_desk.db.migrations import MIGRATIONS, Migration
from disdukcapil_desk.db.models import SCHEMA_VERSION, AuditHead, SchemaVersion
from disdukcapil_desk.domain.audit import GENESIS_HASH as AUDIT_GENESIS
from disdukcapil_desk.domain.errors import SchemaVersionError

GENESIS_HASH = AUDIT_GENESIS
"""The ``prev_hash`` of the first audit entry (of chain 1)."""


def database_version(engine: Engine) -> int | None:
    """Return the schema version of the database, or ``None`` if it has no desk schema."""
    if not inspect(engine).has_table(SchemaVersion.__tablename__):
        return None
    with engine.connect() as conn:
        version = conn.scalar(select(SchemaVersion.version).order_by(SchemaVersion.version.desc()))
    return int(version) if version is not None else None


def create_schema(engine: Engine) -> bool:
    """Create every table at the current version if the database is empty.

    Returns:
        True when the schema was created, False when it already existed.
    """
    if database_version(engine) is not None:
        return False
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        conn.execute(
            insert(SchemaVersion).values(
                version=SCHEMA_VERSION,
                applied_at=dt.datetime.now(dt.UTC),
                description="schema created",
            )
        )
        conn.execute(insert(AuditHead).values(id=1, last_id=0, last_hash=GENESIS_HASH))
    return True


def check_schema(engine: Engine, known: int = SCHEMA_VERSION) -> int:
    """Return the database's version if this desk can work with it, else raise.

    Raises:
        SchemaVersionError: no schema, a newer schema than this desk knows, or an older one
            that must be upgraded first (``db upgrade``).
    """
    version = database_version(engine)
    if version is None:
        raise SchemaVersionError("Basis data belum disiapkan. Jalankan 'disdukcapil-desk db init'.")
    if version > known:
        raise SchemaVersionError(
            f"Basis data versi {version} lebih baru dari aplikasi ini (versi {known}). "
            "Perbarui aplikasi di komputer ini."
        )
    if version < known:
        raise SchemaVersionError(
            f"Basis data versi {version} perlu ditingkatkan ke versi {known}. "
            "Minta administrator menjalankan 'disdukcapil-desk db upgrade'."
        )
    return version


def upgrade_schema(
    engine: Engine,
    migrations: Sequence[Migration] = MIGRATIONS,
    target: int = SCHEMA_VERSION,
) -> list[int]:
    """Apply the migrations between the database's version and ``target``, each in a transaction.

    An SQLite file is copied next to itself before the first step.

    Returns:
        The versions applied, in order (empty when already current).

    Raises:
        SchemaVersionError: no schema, a newer one, or a missing step in ``migrations``.
    """
    current = database_version(engine)
    if current is None:
        raise SchemaVersionError("Basis data belum disiapkan; jalankan 'db init' dahulu.")
    if current > target:
        raise SchemaVersionError(
            f"Basis data versi {current} lebih baru dari aplikasi ini (versi {target})."
        )
    steps = {m.version: m for m in migrations}
    pending = list(range(current + 1, target + 1))
    missing = [v for v in pending if v not in steps]
    if missing:
        raise SchemaVersionError(f"Langkah migrasi tidak tersedia untuk versi {missing}")
    if pending:
        _backup_sqlite(engine, current)
    for version in pending:
        with engine.begin() as conn:
            steps[version].apply(conn)
            conn.execute(
                insert(SchemaVersion).values(
                    version=version,
                    applied_at=dt.datetime.now(dt.UTC),
                    description=steps[version].description,
                )
            )
    return pending


def _backup_sqlite(engine: Engine, version: int) -> Path | None:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return None
    source = Path(database)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    target = source.with_name(f"{source.name}.v{version}-{stamp}.bak")
    # The backup API copies a consistent snapshot, WAL content included.
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
    return target


def postgresql_ddl() -> str:
    """Render the PostgreSQL DDL of every table and index, as kept in ``schema.sql``."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    parts: list[str] = []
    for table in Base.metadata.sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";")
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            parts.append(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";")
        if table.name == "service_request":
            parts += [f"{statement};" for statement in search_index.POSTGRESQL_DDL]
    return "\n\n".join(parts) + "\n"
