"""Starting the desk when the database cannot be used, and "Uji koneksi" in the settings dialog.

The start shows a dialog (a windowed build has no console) with Coba lagi / Pengaturan / Keluar;
a configured SQLite file that vanished is such an error, never a new empty database. The
connection test runs in the real worker thread with a time limit.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from disdukcapil_desk.operations.connection import (
    POSTGRESQL,
    DatabaseConfig,
    ProbeResult,
    probe_database,
)
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.paths import UserDirs, user_dirs
from disdukcapil_desk.ui import desk_app
from disdukcapil_desk.ui.dialogs.database_error_dialog import DatabaseErrorDialog
from disdukcapil_desk.ui.dialogs.first_admin_dialog import FirstAdminDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.shell import DeskShell
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings


@dataclass
class Shown:
    """What one database error dialog said."""

    heading: str
    message: str
    where: str
    details: str
    buttons: list[str] = field(default_factory=list)


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UserDirs:
    monkeypatch.setattr(desk_app, "install_gui_excepthook", lambda _log: None)
    return user_dirs(tmp_path / "desk").ensure()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answer_error_dialogs(
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, answers: list[str], before: Callable[[], None]
) -> list[Shown]:
    """Answer each start-up error dialog by clicking the next button of ``answers``."""
    shown: list[Shown] = []

    def fake_exec(dialog: DatabaseErrorDialog) -> int:
        shown.append(
            Shown(
                dialog.heading.text(),
                dialog.message.text(),
                dialog.where.text(),
                dialog.details.text.toPlainText(),
                [
                    b.text()
                    for b in (dialog.retry_button, dialog.settings_button, dialog.quit_button)
                ],
            )
        )
        before()
        button = {
            "retry": dialog.retry_button,
            "settings": dialog.settings_button,
            "quit": dialog.quit_button,
        }[answers[len(shown) - 1]]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(DatabaseErrorDialog, "exec", fake_exec)
    return shown


def test_unreachable_postgresql_at_start_shows_the_dialog_and_retries(
    qtbot: QtBot, dirs: UserDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql+psycopg://desk@127.0.0.1:{_closed_port()}/disdukcapil"
    shown = answer_error_dialogs(monkeypatch, qtbot, ["retry", "quit"], lambda: None)
    assert desk_app.run_desk(dirs, url) == 1
    assert len(shown) == 2, "Coba lagi connects again (and fails again here)"
    first = shown[0]
    assert first.heading == "<b>Server basis data tidak dapat dihubungi</b>"
    assert "menolak koneksi" in first.message and "127.0.0.1" in first.where
    assert first.buttons == ["&Coba lagi", "&Pengaturan…", "&Keluar"]
    assert "Connection refused" in first.details  # the driver's words, behind "Rincian"


def _configured(dirs: UserDirs) -> WorkstationSettings:
    settings = WorkstationSettings(dirs.config / "workstation.ini")
    settings.set_database(DatabaseConfig())
    settings.set_location("DINAS")
    settings.sync()
    return settings


def test_a_vanished_local_file_is_an_error_not_a_new_database(
    qtbot: QtBot, dirs: UserDirs, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configured(dirs)
    database = dirs.default_database
    logins: list[str] = []

    def show_login(shell: DeskShell) -> None:  # the officer closes the login: the desk ends
        logins.append("asked")
        QTimer.singleShot(0, shell.finished.emit)

    monkeypatch.setattr(DeskShell, "show_login", show_login)

    def restore() -> None:  # the officer finds the file and puts it back, then Coba lagi
        assert not database.exists(), "nothing may be created in the vanished file's place"
        shutil.copy(sqlite_template, database)

    shown = answer_error_dialogs(monkeypatch, qtbot, ["retry"], restore)
    assert desk_app.run_desk(dirs, None) == 0
    assert len(shown) == 1 and shown[0].heading == "<b>Basis data tidak ditemukan</b>"
    assert str(database) in shown[0].message and str(database) in shown[0].where
    assert logins == ["asked"], "after Coba lagi the desk goes on to the login"


def test_a_new_local_database_only_when_chosen_in_settings(
    qtbot: QtBot, dirs: UserDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configured(dirs)
    database = dirs.default_database
    prepared: list[str] = []
    monkeypatch.setattr(FirstAdminDialog, "exec", lambda self: prepared.append("asked") or 0)

    def choose_new(dialog: SettingsDialog) -> int:
        assert dialog.create_choice.isVisibleTo(dialog) and not dialog.create_choice.isChecked()
        dialog._on_save()  # Simpan without ticking: refused, nothing created
        assert dialog.result() != QDialog.DialogCode.Accepted.value and not database.exists()
        assert "tidak ditemukan" in dialog._status.text()
        dialog.create_choice.setChecked(True)
        qtbot.waitUntil(lambda: not dialog.testing)
        dialog._on_save()
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted.value)
        return dialog.result()

    monkeypatch.setattr(SettingsDialog, "exec", choose_new)
    shown = answer_error_dialogs(monkeypatch, qtbot, ["settings"], lambda: None)
    assert desk_app.run_desk(dirs, None) == 1  # the officer then cancelled the first admin
    assert len(shown) == 1
    assert database.exists() and prepared == ["asked"], "created on the officer's word"


# -- Uji koneksi -------------------------------------------------------------------------------


@pytest.fixture
def threaded_runner() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def _server_dialog(
    qtbot: QtBot, tmp_path: Path, runner: TaskRunner, port: int, threads: list[str]
) -> SettingsDialog:
    settings = WorkstationSettings(tmp_path / "ws.ini")
    settings.set_database(DatabaseConfig(kind=POSTGRESQL, host="127.0.0.1", port=port))

    def probe(url: str, password: str | None) -> ProbeResult:
        threads.append(threading.current_thread().name)
        return probe_database(url, password, timeout_s=2)

    dialog = SettingsDialog(
        settings,
        sqlite_file=tmp_path / "local.sqlite3",
        probe=probe,
        locations_for=lambda *_: [("DINAS", "Dinas")],
        store_password=lambda *_: None,
        runner=runner,
        timeout_s=2,
    )
    qtbot.addWidget(dialog)
    return dialog


def test_uji_koneksi_runs_in_the_worker_and_times_out(
    qtbot: QtBot, tmp_path: Path, silent_server: int, threaded_runner: TaskRunner
) -> None:
    threads: list[str] = []
    started = time.monotonic()
    dialog = _server_dialog(qtbot, tmp_path, threaded_runner, silent_server, threads)
    assert time.monotonic() - started < 1, "the window does not wait for the server"
    status = dialog._status
    assert status.text().startswith("Menghubungkan…") and "127.0.0.1" in status.text()
    assert dialog.testing and not dialog.test_button.isEnabled()
    assert not dialog.buttons.accept_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.testing, timeout=15_000)
    assert status.text().startswith("Tidak dapat terhubung: Server basis data 127.0.0.1 tidak")
    assert "tidak menjawab dalam 2 detik" in status.text()
    assert threads and all(name.startswith("desk-db") for name in threads)
    assert dialog.test_button.isEnabled()
    assert dialog.details.isVisibleTo(dialog) and "timeout" in dialog.details.text.toPlainText()
    assert not dialog.details.text.isVisibleTo(dialog), "the raw text waits behind Rincian"
    qtbot.mouseClick(dialog.details.toggle, Qt.MouseButton.LeftButton)
    assert dialog.details.text.isVisibleTo(dialog)


def test_uji_koneksi_says_what_failed_in_indonesian(
    qtbot: QtBot, tmp_path: Path, threaded_runner: TaskRunner
) -> None:
    dialog = _server_dialog(qtbot, tmp_path, threaded_runner, _closed_port(), [])
    qtbot.waitUntil(lambda: not dialog.testing, timeout=10_000)
    text = dialog._status.text()
    assert "menolak koneksi" in text and "Connection refused" not in text
    assert "Connection refused" in dialog.details.text.toPlainText()
    dialog.host.setText("tidak-ada.invalid")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog._status.text().startswith("Menghubungkan…")
    qtbot.waitUntil(lambda: not dialog.testing, timeout=10_000)
    assert "tidak dikenal" in dialog._status.text()


def test_the_dialog_stops_waiting_when_the_driver_does_not(
    qtbot: QtBot, tmp_path: Path, threaded_runner: TaskRunner
) -> None:
    release = threading.Event()
    settings = WorkstationSettings(tmp_path / "ws.ini")
    settings.set_database(DatabaseConfig(kind=POSTGRESQL, host="10.255.255.1"))

    def hanging(_url: str, _password: str | None) -> ProbeResult:
        release.wait(10)
        raise AssertionError("a late answer must be dropped")

    dialog = SettingsDialog(
        settings,
        sqlite_file=tmp_path / "local.sqlite3",
        probe=hanging,
        locations_for=lambda *_: [],
        store_password=lambda *_: None,
        runner=threaded_runner,
        timeout_s=0.5,
    )
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.testing, timeout=10_000)
    assert "tidak ada jawaban" in dialog._status.text()
    release.set()


def test_local_file_probe_on_an_existing_database(
    qtbot: QtBot, tmp_path: Path, sqlite_template: Path, threaded_runner: TaskRunner
) -> None:
    local = tmp_path / "local.sqlite3"
    shutil.copy(sqlite_template, local)
    settings = WorkstationSettings(tmp_path / "ws.ini")
    ctx = DeskContext.open(f"sqlite+pysqlite:///{local}")
    dialog = SettingsDialog(
        settings,
        sqlite_file=local,
        probe=probe_database,
        locations_for=lambda *_: SetupOps(ctx).planned_locations(),
        store_password=lambda *_: None,
        runner=threaded_runner,
    )
    qtbot.addWidget(dialog)
    assert not dialog.create_choice.isVisibleTo(dialog)
    qtbot.waitUntil(lambda: not dialog.testing, timeout=10_000)
    assert dialog._status.text().startswith("Terhubung: SQLite")
    ctx.close()


def test_a_file_vanishing_under_the_open_window_is_shown_with_its_path(
    qtbot: QtBot, tmp_path: Path, sqlite_template: Path, threaded_runner: TaskRunner
) -> None:
    database = tmp_path / "desk.sqlite3"
    shutil.copy(sqlite_template, database)
    ctx = DeskContext.open(f"sqlite+pysqlite:///{database}")
    settings = WorkstationSettings(tmp_path / "ws.ini")
    settings.set_documents_dir(tmp_path / "Dokumen")
    actor = UserOps(ctx).actor("loket.dinas")
    window = MainWindow(
        DeskSession(ctx, actor, "DINAS"), threaded_runner, settings, database_label="test"
    )
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: not window.connection_banner.isVisible(), timeout=10_000)
    database.rename(tmp_path / "dipindah.sqlite3")
    window.refresh()
    qtbot.waitUntil(window.connection_banner.isVisible, timeout=10_000)
    banner = window.connection_banner.text()
    assert "tidak ditemukan" in banner and str(database) in banner
    assert not database.exists()
    threaded_runner.shutdown()
    ctx.close()
