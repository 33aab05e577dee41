"""One guard at the door: every command that opens a database refuses a schema newer than this
desk knows, in one line, before it reads a password or writes anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import insert

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import SCHEMA_VERSION, SchemaVersion
from tests.conftest import TEST_PASSWORD
from tests.integration.cli_harness import (
    Desk,
    fingerprint,
    leaf_commands,
    one_error_line,
    sample_arguments,
)

NO_DATABASE = {
    ("db", "schema-sql"),
    ("release", "init-repo"),
    ("release", "publish"),
    ("release", "refresh"),
    ("release", "rotate-key"),
    ("update", "set-url"),
}
"""Commands that never open a database (``verify --public-key`` is another form of ``verify``)."""
WAY_OUT = {("update", "check")}
"""Fetching the newer desk is what "perbarui aplikasi" asks for: it must work on a newer schema
(tests/integration/test_updates.py shows it does, and writes nothing to the database)."""


def _newer(url: str) -> None:
    engine = make_engine(url, create=False)
    with engine.begin() as conn:
        conn.execute(
            insert(SchemaVersion).values(
                version=SCHEMA_VERSION + 1,
                applied_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
                description="a later desk",
            )
        )
    engine.dispose()


def test_every_command_refuses_a_newer_schema_and_changes_nothing(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = Desk(db_url, tmp_path / "desk", capsys, monkeypatch)
    samples = sample_arguments(tmp_path)
    assert set(samples) == set(leaf_commands())
    _newer(db_url)
    before = fingerprint(db_url)
    for words in samples:
        if words in NO_DATABASE or words in WAY_OUT:
            continue
        done = desk(
            *words, *samples[words], login="admin", password=TEST_PASSWORD, stdin="sandi-2-lagi\n"
        )
        error = one_error_line(done)
        assert f"versi {SCHEMA_VERSION + 1} lebih baru" in error, (words, error)
        assert done.out == "", (words, done.out)
    assert fingerprint(db_url) == before, "a command wrote to a newer schema"
    assert list(tmp_path.joinpath("out").iterdir()) == [], "a command wrote its file anyway"
