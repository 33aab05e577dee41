"""The command line as an administrator uses it: real processes, real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD, fresh_database_url

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
ENV.pop("DISDUKCAPIL_DB", None)
ENV.pop("DISDUKCAPIL_LOGIN", None)


def desk(
    *args: str,
    stdin: str = "",
    basedir: Path,
    login: str | None = None,
    password: str = TEST_PASSWORD,
) -> subprocess.CompletedProcess[str]:
    """Run the desk; with ``login`` as that desk user (its password the first line of stdin)."""
    door = ["--login", login] if login else []
    return subprocess.run(
        [sys.executable, "-m", "disdukcapil_desk", "--basedir", str(basedir), *door, *args],
        input=f"{password}\n{stdin}" if login else stdin,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error of a failed command: one ``galat:`` line after the line naming the database,
    nothing else (no traceback)."""
    assert result.returncode != 0
    named, error = result.stderr.splitlines()
    assert named.startswith("Basis data: ") and error.startswith("galat: ")
    assert result.stderr.endswith("\n")
    return error


def test_fresh_sqlite_init_demo_ingest_show(tmp_path: Path) -> None:
    first = desk("db", "init", "--admin", "admin", stdin="rahasia123\n", basedir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Administrator dibuat: admin" in first.stdout
    assert "Layanan ditambahkan: 34" in first.stdout
    again = desk("db", "init", "--admin", "admin", stdin="lain12345\n", basedir=tmp_path)
    assert again.returncode == 0 and "Administrator dibuat" not in again.stdout
    assert (tmp_path / "data" / "disdukcapil-desk.sqlite3").exists()

    demo = desk("demo", "--requests", "40", "--seed", "3", basedir=tmp_path, login="admin")
    assert demo.returncode == 0, demo.stderr
    assert "kata sandi 'demo12345'" in demo.stdout and "dikarantina" in demo.stdout

    ingest = desk("ingest", basedir=tmp_path, login="loket.dinas", password="demo12345")
    assert ingest.returncode == 0 and "Baris diproses: 0" in ingest.stdout

    users = desk("user", "list", basedir=tmp_path, login="admin")
    assert "loket.dinas" in users.stdout and "admin" in users.stdout


def test_show_json_masks_nik_unless_asked(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = fresh_database_url("sqlite", request, tmp_path)
    demo = desk("--db", url, "demo", "--requests", "5", basedir=tmp_path, login="admin")
    assert demo.returncode == 0, demo.stderr
    listing = desk("--db", url, "show", "DINAS/00000000/0000", basedir=tmp_path, login="kasi.dinas")
    assert listing.returncode == 1
    one_line_error(listing)
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        number, nik = conn.execute(
            text("SELECT number, nik FROM service_request WHERE nik <> '' ORDER BY id LIMIT 1")
        ).one()
    engine.dispose()
    shown = desk("--db", url, "show", number, "--json", basedir=tmp_path, login="kasi.dinas")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["row"]["number"] == number and nik not in shown.stdout
    full = desk(
        "--db", url, "show", number, "--json", "--full-nik", basedir=tmp_path, login="kasi.dinas"
    )
    assert json.loads(full.stdout)["nik"] == nik
    text_view = desk("--db", url, "show", number, basedir=tmp_path, login="kasi.dinas")
    assert "Riwayat:" in text_view.stdout and "intake" in text_view.stdout


def test_user_add_reads_password_from_stdin(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = fresh_database_url("sqlite", request, tmp_path)
    added = desk(
        "--db",
        url,
        "user",
        "add",
        "petugas.baru",
        "--role",
        "petugas_loket",
        "--location",
        "UPT-05",
        stdin="sandi-baru-1\n",
        basedir=tmp_path,
        login="admin",
    )
    assert added.returncode == 0, added.stderr
    short = desk(
        "--db",
        url,
        "user",
        "add",
        "x",
        "--role",
        "admin",
        stdin="123\n",
        basedir=tmp_path,
        login="admin",
    )
    assert short.returncode == 1 and "minimal 8" in short.stderr
    unknown = desk(
        "--db",
        url,
        "user",
        "add",
        "y",
        "--role",
        "admin",
        "--location",
        "NOWHERE",
        stdin="sandi-baru-1\n",
        basedir=tmp_path,
        login="admin",
    )
    assert unknown.returncode == 1 and "tidak dikenal" in unknown.stderr


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    not_init = desk("ingest", basedir=tmp_path, login="admin")
    assert not_init.returncode == 1 and "db init" in not_init.stderr
    bad_url = desk("--db", "postgresql://nobody@127.0.0.1:1/none", "db", "check", basedir=tmp_path)
    assert bad_url.returncode == 1
    assert "PostgreSQL 127.0.0.1:1/none (opsi --db)" in bad_url.stderr
    one_line_error(bad_url)


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["db", "init"],
        ["db", "upgrade"],
        ["demo"],
        ["ingest"],
        ["show"],
        ["user", "add"],
        ["audit", "verify"],
    ],
)
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = desk(*command, "--help", basedir=tmp_path)
    assert result.returncode == 0 and "penggunaan:" in result.stdout
