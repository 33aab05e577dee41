"""Documents and recaps go to the user's documents folder, remembered per workstation."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.ui.dialogs.recap_dialog import RecapDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings


def _window(
    qtbot: QtBot, ctx: DeskContext, actor: Actor, settings: WorkstationSettings
) -> MainWindow:
    window = MainWindow(
        DeskSession(ctx, actor, "DINAS"), InlineTaskRunner(), settings, database_label="test"
    )
    qtbot.addWidget(window)
    return window


def test_the_default_is_the_users_documents_folder(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    settings = WorkstationSettings(tmp_path / "ws.ini")
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    expected = Path(documents) / "Disdukcapil Desk"
    assert settings.documents_dir == expected
    window = _window(qtbot, ctx, users["loket.dinas"], settings)
    assert window.documents_dir == expected
    assert not window.documents_dir.is_relative_to(tempfile.gettempdir())


def test_documents_are_written_to_the_remembered_folder(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = WorkstationSettings(tmp_path / "ws.ini")
    settings.set_documents_dir(tmp_path / "Arsip loket")
    window = _window(qtbot, ctx, users["kasi.dinas"], settings)
    monkeypatch.setattr(window, "preview", lambda *args: None)
    written = window.open_pdf("tanda-terima-1", b"%PDF-1.4\n")
    assert written.parent == tmp_path / "Arsip loket" and written.exists()

    # The section head saves a recap to another folder: from now on that is the folder.
    elsewhere = tmp_path / "Rekap bulanan"
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: True)

    def answer(dialog: RecapDialog) -> bool:
        assert dialog.output().parent == tmp_path / "Arsip loket"
        dialog.date_from.setDate(dt.date(2026, 11, 1))
        dialog.path.setText(str(elsewhere / "rekap.xlsx"))
        return True

    monkeypatch.setattr(window, "accept_recap_dialog", answer)
    window.export_recap()
    assert (elsewhere / "rekap.xlsx").exists()
    assert window.documents_dir == elsewhere
    settings.sync()
    assert WorkstationSettings(tmp_path / "ws.ini").documents_dir == elsewhere
