"""The start paints the login at once and checks the database on the worker meanwhile.

"Masuk" waits for the check: no password is checked before the schema and the catalogue are in
step; a database the desk cannot use is refused with the login shown and never enabled. Run
with the real threaded task runner, through ``run_desk`` as the desk starts.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.database import DatabaseConfig
from disdukcapil_desk.paths import UserDirs, user_dirs
from disdukcapil_desk.ui import desk_app
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UserDirs:
    monkeypatch.setattr(desk_app, "install_gui_excepthook", lambda _log: None)
    dirs = user_dirs(tmp_path / "desk").ensure()
    settings = WorkstationSettings(dirs.config / "workstation.ini")
    settings.set_database(DatabaseConfig())
    settings.set_location("DINAS")
    settings.sync()
    return dirs


def _shown(kind: type) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def _every(ms: int, step: Callable[[QTimer], None]) -> QTimer:
    """Call ``step(timer)`` every ``ms`` (inside the desk's own waiting) until it stops it."""
    timer = QTimer()
    timer.setInterval(ms)
    timer.timeout.connect(lambda: step(timer))
    timer.start()
    return timer


def _held_check(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[str]]:
    """Hold the start-up check until the event is set; the threads it ran on."""
    release = threading.Event()
    threads: list[str] = []
    real = desk_app.check_database

    def held(url: str, create: bool, location: str) -> desk_app.Checked:
        threads.append(threading.current_thread().name)
        assert release.wait(60), "the test never let the check go on"
        return real(url, create, location)

    monkeypatch.setattr(desk_app, "check_database", held)
    return release, threads


def test_login_is_shown_while_the_database_is_checked_and_waits_for_it(
    qtbot: QtBot, dirs: UserDirs, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(sqlite_template, dirs.default_database)
    release, threads = _held_check(monkeypatch)
    seen: dict[str, object] = {}
    fitted_after: list[list[bool]] = []  # the login's state when the screen fit came
    install = desk_app.install_screen_fit

    def recorded(app: QApplication) -> object:
        fitted_after.append([dialog.painted for dialog in _shown(LoginDialog)])
        return install(app)

    monkeypatch.setattr(desk_app, "install_screen_fit", recorded)

    def step(timer: QTimer) -> None:
        dialogs = _shown(LoginDialog)
        if "checking" not in seen:
            if not dialogs:
                return
            dialog = dialogs[0]
            seen["checking"] = (
                dialog.waiting,
                dialog.buttons.accept_button.isEnabled(),
                dialog.message.text(),
            )
            dialog.login.setText("loket.dinas")
            dialog.password.setText(TEST_PASSWORD)
            dialog.try_login()  # too early: nothing is checked, nothing accepted
            seen["early"] = (dialog.actor, dialog.isVisible(), dialog.password.text())
            release.set()
        elif "ready" not in seen:
            dialog = dialogs[0]
            if dialog.waiting:
                return
            seen["ready"] = (dialog.buttons.accept_button.isEnabled(), dialog.message.text())
            seen["office"] = dialog.header.text()
            dialog.try_login()  # the password typed during the check
        elif windows := _shown(MainWindow):
            timer.stop()
            seen["window"] = windows[0].session.actor.login
            windows[0].close()  # the officer closes the desk: the last window ends it

    timer = _every(20, step)
    assert desk_app.run_desk(dirs, None) == 0
    timer.stop()
    assert seen["checking"] == (True, False, "Memeriksa basis data…")
    assert seen["early"] == (None, True, TEST_PASSWORD)
    assert threads and all(name.startswith("desk-db") for name in threads), threads
    assert seen["ready"] == (True, "")
    assert "Dinas" in str(seen["office"]) and "DINAS" not in str(seen["office"])
    assert seen["window"] == "loket.dinas"
    assert fitted_after == [[True]], "every later dialog is fitted, once the login is painted"


def test_a_database_that_cannot_be_used_is_refused_with_the_login_never_enabled(
    qtbot: QtBot, dirs: UserDirs, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(sqlite_template, dirs.default_database)
    real = desk_app.check_database

    def newer(url: str, create: bool, location: str) -> desk_app.Checked:
        checked = real(url, create, location)  # on the worker, as at every start
        return desk_app.Checked(
            checked.ctx, refusal=desk_app.SchemaVersionError("versi 99 lebih baru")
        )

    refused: list[tuple[str, str, list[bool]]] = []

    def say(_parent: object, title: str, text: str) -> None:
        shown = [d.buttons.accept_button.isEnabled() for d in _shown(LoginDialog)]
        refused.append((title, text, shown))

    monkeypatch.setattr(desk_app, "check_database", newer)
    monkeypatch.setattr(desk_app.QMessageBox, "critical", say)
    assert desk_app.run_desk(dirs, None) == 1
    assert refused == [("Versi basis data", "versi 99 lebih baru", [False])]
    assert not _shown(LoginDialog)
