"""The plain main window opens offscreen and says which database it uses."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.ui.main_window import MainWindow, describe_schema


def test_window_shows_database_and_schema(qtbot: QtBot, ctx: DeskContext) -> None:
    window = MainWindow(ctx.database_label, describe_schema(ctx))
    qtbot.addWidget(window)
    window.show()
    status = window.findChild(QLabel, "databaseStatus")
    assert status is not None
    assert "Skema versi 1" in status.text()
    assert ctx.database_label.split("@")[-1] in status.text()
