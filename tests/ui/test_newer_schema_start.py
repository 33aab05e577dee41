"""The window refuses a newer schema at its start, as every command does: one message, no login,
nothing written."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.models import SCHEMA_VERSION, SchemaVersion
from disdukcapil_desk.paths import UserDirs, user_dirs
from disdukcapil_desk.ui import desk_app
from disdukcapil_desk.ui.shell import DeskShell
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.integration.cli_harness import fingerprint


def test_the_window_refuses_a_newer_schema_before_the_login(
    qtbot: QtBot, tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(desk_app, "install_gui_excepthook", lambda _log: None)
    dirs: UserDirs = user_dirs(tmp_path / "desk").ensure()
    settings = WorkstationSettings(dirs.config / "workstation.ini")
    settings.set_location("DINAS")
    settings.sync()
    database = tmp_path / "newer.sqlite3"
    shutil.copy(sqlite_template, database)
    url = sqlite_url(database)
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
    before = fingerprint(url)
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(
        desk_app.QMessageBox, "critical", lambda _p, title, text: said.append((title, text))
    )
    monkeypatch.setattr(DeskShell, "show_login", lambda _shell: said.append(("login", "")))

    assert desk_app.run_desk(dirs, url) == 1

    assert len(said) == 1 and said[0][0] == "Versi basis data", said
    assert f"versi {SCHEMA_VERSION + 1} lebih baru" in said[0][1]
    assert fingerprint(url) == before
