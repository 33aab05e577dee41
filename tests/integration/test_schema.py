"""schema.sql against the models on a real PostgreSQL; versions and migrations on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text, update
from sqlalchemy.engine import make_url

from disdukcapil_desk.db import schema
from disdukcapil_desk.db.base import Base
from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.migrations import Migration
from disdukcapil_desk.db.models import SCHEMA_VERSION, SchemaVersion
from disdukcapil_desk.domain.errors import SchemaVersionError
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.setup import SetupOps, postgresql_ddl
from tests.conftest import postgres_url

SCHEMA_SQL = Path(__file__).resolve().parents[2] / "schema.sql"


@pytest.fixture
def pg_admin() -> Iterator[Engine]:
    url = postgres_url()
    if not url:
        pytest.skip("no PostgreSQL server for this run")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _new_pg_database(admin: Engine, request: pytest.FixtureRequest) -> str:
    name = f"desk_s_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    request.addfinalizer(drop)
    return (
        make_url(str(admin.url.render_as_string(False))).set(database=name).render_as_string(False)
    )


def _describe(engine: Engine) -> dict[str, object]:
    """Everything that must agree: columns (type, nullability), keys, uniques, indexes, checks."""
    insp = inspect(engine)
    described: dict[str, object] = {}
    for table in sorted(insp.get_table_names()):
        described[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)
            ],
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                )
                for fk in insp.get_foreign_keys(table)
            ),
            "uniques": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in insp.get_indexes(table)
            ),
            "checks": sorted(c["name"] for c in insp.get_check_constraints(table)),
        }
    return described


def test_schema_sql_builds_the_same_database_as_the_models(
    pg_admin: Engine, request: pytest.FixtureRequest
) -> None:
    from_file = create_engine(_new_pg_database(pg_admin, request))
    from_models = create_engine(_new_pg_database(pg_admin, request))
    with from_file.begin() as conn:
        conn.exec_driver_sql(SCHEMA_SQL.read_text(encoding="utf-8"))
    Base.metadata.create_all(from_models)
    try:
        described = _describe(from_file)
        assert described == _describe(from_models)
        contract = described["incoming_request"]["columns"]  # type: ignore[index]
        assert [c[0] for c in contract] == [
            "id",
            "channel",
            "external_ref",
            "received_at",
            "sender",
            "service_code",
            "location_code",
            "payload",
            "reply_to_number",
            "ingested_at",
            "ingest_error",
            "service_request_id",
        ]
    finally:
        from_file.dispose()
        from_models.dispose()


def test_schema_sql_is_the_rendering_of_the_models() -> None:
    assert SCHEMA_SQL.read_text(encoding="utf-8") == postgresql_ddl(), (
        "regenerate with: disdukcapil-desk db schema-sql > schema.sql"
    )


def test_init_is_safe_twice_and_checks_version(ctx: DeskContext) -> None:
    report = SetupOps(ctx).init()
    assert (report.schema_created, report.services_added, report.locations_added) == (False, 0, 0)
    assert SetupOps(ctx).check() == SCHEMA_VERSION


def test_a_newer_database_is_refused(ctx: DeskContext) -> None:
    with ctx.unit_of_work() as session:
        session.execute(update(SchemaVersion).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(SchemaVersionError, match="lebih baru"):
        SetupOps(ctx).check()
    with pytest.raises(SchemaVersionError):
        SetupOps(ctx).upgrade()


def test_an_older_database_is_upgraded_only_when_asked(
    tmp_path: Path, reference: ReferenceData
) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(sqlite_url(path))
    schema.create_schema(engine)

    def add_column(conn: object) -> None:
        from sqlalchemy import Connection

        assert isinstance(conn, Connection)
        conn.exec_driver_sql("ALTER TABLE location ADD COLUMN phone VARCHAR(30)")

    step = Migration(SCHEMA_VERSION + 1, "add location.phone", add_column)
    with pytest.raises(SchemaVersionError, match="perlu ditingkatkan"):
        schema.check_schema(engine, known=SCHEMA_VERSION + 1)
    assert schema.upgrade_schema(engine, [step], target=SCHEMA_VERSION + 1) == [SCHEMA_VERSION + 1]
    assert schema.check_schema(engine, known=SCHEMA_VERSION + 1) == SCHEMA_VERSION + 1
    assert "phone" in {c["name"] for c in inspect(engine).get_columns("location")}
    assert list(tmp_path.glob(f"old.sqlite3.v{SCHEMA_VERSION}-*.bak")), "backed up first"
    assert schema.upgrade_schema(engine, [step], target=SCHEMA_VERSION + 1) == []
    with pytest.raises(SchemaVersionError, match="tidak tersedia"):
        schema.upgrade_schema(engine, [], target=SCHEMA_VERSION + 2)
    engine.dispose()


def test_an_empty_database_is_not_silently_used(tmp_path: Path, reference: ReferenceData) -> None:
    ctx = DeskContext(make_engine(sqlite_url(tmp_path / "empty.sqlite3")), reference)
    with pytest.raises(SchemaVersionError, match="db init"):
        SetupOps(ctx).check()
    ctx.close()
