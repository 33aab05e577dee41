"""Which database a command opens: ``--db`` > ``$DISDUKCAPIL_DB`` > the workstation settings the
window saved > the local SQLite file — and the command says which one on stderr."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import ServiceRequest
from disdukcapil_desk.domain.database import POSTGRESQL, DatabaseConfig
from disdukcapil_desk.operations.connection import store_password
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.settings import WorkstationFile
from tests.conftest import TEST_PASSWORD, fresh_database_url
from tests.integration.test_intake import row

BASE_ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
BASE_ENV.pop("DISDUKCAPIL_DB", None)
BASE_ENV.pop("DISDUKCAPIL_LOGIN", None)


def desk(
    basedir: Path, *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "disdukcapil_desk", "--basedir", str(basedir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**BASE_ENV, **(env or {})},
        timeout=300,
        check=False,
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _first_line(done: subprocess.CompletedProcess[str]) -> str:
    return done.stderr.splitlines()[0] if done.stderr else ""


def test_option_beats_environment_beats_workstation_beats_default(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    (tmp_path / "option").mkdir()
    (tmp_path / "env").mkdir()
    option_url = fresh_database_url("sqlite", request, tmp_path / "option")
    env_url = fresh_database_url("sqlite", request, tmp_path / "env")
    basedir = tmp_path / "desk"
    default_file = basedir / "data" / "disdukcapil-desk.sqlite3"

    alone = desk(basedir, "db", "check")  # nothing chosen: the local file, which is missing
    assert _first_line(alone) == f"Basis data: SQLite {default_file} (berkas lokal bawaan)"
    assert alone.returncode == 1 and "db init" in alone.stderr

    # The window saved an office server that cannot be reached: a command must try it.
    port = _closed_port()
    WorkstationFile(basedir / "config" / "workstation.ini").set_database(
        DatabaseConfig(POSTGRESQL, "127.0.0.1", port, "disdukcapil", "desk")
    )
    saved = desk(basedir, "db", "check")
    assert _first_line(saved) == (
        f"Basis data: PostgreSQL 127.0.0.1:{port}/disdukcapil (setelan workstation)"
    )
    assert saved.returncode == 1 and "Traceback" not in saved.stderr

    by_env = desk(basedir, "db", "check", env={"DISDUKCAPIL_DB": env_url})
    assert by_env.returncode == 0, by_env.stderr
    env_file = make_url(env_url).database
    assert _first_line(by_env) == f"Basis data: SQLite {env_file} (variabel DISDUKCAPIL_DB)"

    by_option = desk(basedir, "--db", option_url, "db", "check", env={"DISDUKCAPIL_DB": env_url})
    assert by_option.returncode == 0, by_option.stderr
    option_file = make_url(option_url).database
    assert by_option.stderr == f"Basis data: SQLite {option_file} (opsi --db)\n"


def test_ingest_uses_the_workstations_postgresql(
    tmp_path: Path, request: pytest.FixtureRequest, reference: ReferenceData
) -> None:
    """A workstation set up for the office server: ``ingest`` works there, not in a new
    local file; the password stays in the libpq file and never reaches the screen."""
    url = fresh_database_url(POSTGRESQL, request, tmp_path)
    ctx = DeskContext(make_engine(url), reference)
    IntakeOps(ctx).submit_row(row("ws-pg-1"))
    parsed = make_url(url)
    config = DatabaseConfig(
        POSTGRESQL,
        parsed.host or "127.0.0.1",
        parsed.port or 5432,
        parsed.database or "",
        parsed.username or "",
    )
    basedir = tmp_path / "desk"
    WorkstationFile(basedir / "config" / "workstation.ini").set_database(config)
    env = {}
    if parsed.password:
        env["PGPASSFILE"] = str(store_password(config, parsed.password, tmp_path / "pgpass"))

    env["DISDUKCAPIL_LOGIN"] = "loket.dinas"
    done = desk(basedir, "ingest", env=env, stdin=f"{TEST_PASSWORD}\n")

    assert done.returncode == 0, done.stderr
    where = f"{config.host}:{config.port}/{config.name}"
    assert done.stderr == f"Basis data: PostgreSQL {where} (setelan workstation)\n"
    assert "Menjadi permohonan: 1" in done.stdout
    assert not (basedir / "data" / "disdukcapil-desk.sqlite3").exists()
    with ctx.reading() as session:
        assert session.scalar(select(func.count()).select_from(ServiceRequest)) >= 1
    ctx.close()
