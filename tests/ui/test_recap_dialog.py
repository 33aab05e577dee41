"""The recap from the window: presets, a background export, the file opens."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.recap import PeriodPreset
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.ui.dialogs.recap_dialog import RecapDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.integration.test_intake import ingest_rows, sample_row


def test_presets_fill_the_dates(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = RecapDialog(
        [("DINAS", "Dinas")],
        today=dt.date(2026, 11, 28),
        default_dir=tmp_path,
        may_show_full_nik=False,
    )
    qtbot.addWidget(dialog)
    assert dialog.dates() == (dt.date(2026, 11, 1), dt.date(2026, 11, 28))
    dialog.preset.setCurrentIndex(dialog.preset.findData(PeriodPreset.LAST_MONTH.value))
    assert dialog.dates() == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert dialog.output().name == "rekap-20261001-20261031.xlsx"
    dialog.format.setCurrentIndex(1)
    assert dialog.output().suffix == ".pdf"
    assert not dialog.full_nik.isVisibleTo(dialog)


def test_section_head_exports_and_the_file_opens(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest_rows(ctx, sample_row("wa-1001"), sample_row("wa-1004"))
    window = MainWindow(
        DeskSession(ctx, users["kasi.dinas"], "DINAS"),
        InlineTaskRunner(),
        settings,
        database_label="test",
        documents_dir=tmp_path,
    )
    qtbot.addWidget(window)
    opened: list[Path] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(Path(url.toLocalFile())) or True
    )

    def answer(dialog: RecapDialog) -> bool:
        dialog.preset.setCurrentIndex(dialog.preset.findData(None))
        dialog.date_from.setDate(dt.date(2026, 11, 1))
        dialog.date_to.setDate(dt.date(2026, 11, 30))
        return True

    monkeypatch.setattr(window, "accept_recap_dialog", answer)
    window.export_recap()
    (path,) = opened
    assert path.name == "rekap-20261101-20261130.xlsx"
    workbook = load_workbook(path, read_only=True)
    assert len(workbook.sheetnames) >= 7
    workbook.close()


def test_counter_officer_has_no_recap(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
) -> None:
    window = MainWindow(
        DeskSession(ctx, users["loket.dinas"], "DINAS"),
        InlineTaskRunner(),
        settings,
        database_label="test",
    )
    qtbot.addWidget(window)
    assert not window.toolbar_actions["recap"].isEnabled()


def test_the_register_is_a_checkbox_on_the_keyboard(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = RecapDialog(
        [("DINAS", "Dinas")],
        today=dt.date(2026, 11, 28),
        default_dir=tmp_path,
        may_show_full_nik=True,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.with_register() and dialog.register.isChecked()
    assert "register" in dialog.register.text().lower() and "&" in dialog.register.text()
    assert dialog.register.focusPolicy() & Qt.FocusPolicy.TabFocus
    chain, widget = [], dialog.preset.nextInFocusChain()
    while widget is not dialog.preset and len(chain) < 50:  # Tab from the period reaches it
        chain.append(widget)
        widget = widget.nextInFocusChain()
    assert dialog.register in chain
    dialog.full_nik.setChecked(True)
    dialog.register.setFocus()
    qtbot.keyClick(dialog.register, Qt.Key.Key_Space)
    assert not dialog.with_register()
    assert not dialog.full_nik.isChecked() and not dialog.full_nik.isEnabled()
    qtbot.keyClick(dialog.register, Qt.Key.Key_Space)
    assert dialog.with_register() and dialog.full_nik.isEnabled()


def test_recap_without_the_register_runs_in_the_background(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    threaded_runner: TaskRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest_rows(ctx, sample_row("wa-1001"), sample_row("wa-1004"))
    window = MainWindow(
        DeskSession(ctx, users["kasi.dinas"], "DINAS"),
        threaded_runner,
        settings,
        database_label="test",
        documents_dir=tmp_path,
    )
    qtbot.addWidget(window)
    opened: list[Path] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(Path(url.toLocalFile())) or True
    )

    def answer(dialog: RecapDialog) -> bool:
        dialog.preset.setCurrentIndex(dialog.preset.findData(None))
        dialog.date_from.setDate(dt.date(2026, 11, 1))
        dialog.date_to.setDate(dt.date(2026, 11, 30))
        dialog.register.setChecked(False)
        return True

    monkeypatch.setattr(window, "accept_recap_dialog", answer)
    window.export_recap()
    qtbot.waitUntil(lambda: bool(opened), timeout=60_000)
    (path,) = opened
    workbook = load_workbook(path, read_only=True)
    assert "Register" not in workbook.sheetnames and "Rekap per layanan" in workbook.sheetnames
    workbook.close()
    assert "2 permohonan" in window.statusBar().currentMessage()
