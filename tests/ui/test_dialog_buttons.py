"""The dialogs' button row: Indonesian labels, the confirming one default, wired to the dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.connection import ProbeResult
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog
from disdukcapil_desk.ui.dialogs.message_dialog import ReasonDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.workstation import WorkstationSettings

ButtonRole = QDialogButtonBox.ButtonRole


def test_actions_then_confirm_then_cancel(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    copy = QPushButton("&Salin", dialog)
    confirmed: list[bool] = []
    finished: list[int] = []
    dialog.finished.connect(finished.append)
    box = DialogButtons(dialog, "Kirim", on_accept=lambda: confirmed.append(True), actions=[copy])
    assert {b.text(): box.buttonRole(b) for b in box.buttons()} == {
        "&Salin": ButtonRole.ActionRole,
        "&Kirim": ButtonRole.AcceptRole,
        "&Batal": ButtonRole.RejectRole,
    }
    assert box.accept_button.isDefault() and box.parent() is dialog
    qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    assert confirmed == [True] and finished == [], "the handler decides whether to close"
    qtbot.mouseClick(box.reject_button, Qt.MouseButton.LeftButton)
    assert finished == [QDialog.DialogCode.Rejected.value]


def test_without_a_handler_the_confirming_button_accepts(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    box = DialogButtons(dialog, "Buat rekap", reject_label="Tutup")
    assert box.reject_button.text() == "&Tutup"
    qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted.value


def test_login_dialog_buttons(qtbot: QtBot) -> None:
    tried: list[tuple[str, str]] = []

    def authenticate(login: str, password: str) -> Actor:
        tried.append((login, password))
        return Actor(login=login, role=Role.COUNTER, user_id=1, location_code="DINAS")

    dialog = LoginDialog(authenticate, office="Dinas", login="loket.dinas")
    qtbot.addWidget(dialog)
    box = dialog.findChild(DialogButtons)
    assert box is not None
    assert (box.accept_button.text(), box.reject_button.text()) == ("&Masuk", "&Keluar")
    dialog.password.setText("rahasia")
    qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    assert tried == [("loket.dinas", "rahasia")]
    assert dialog.result() == QDialog.DialogCode.Accepted.value


def test_settings_dialog_buttons(qtbot: QtBot, tmp_path: Path) -> None:
    settings = WorkstationSettings(tmp_path / "ws.ini")
    dialog = SettingsDialog(
        settings,
        sqlite_file=tmp_path / "local.sqlite3",
        probe=lambda _url, _password: ProbeResult("SQLite", 1),
        locations_for=lambda _url, _password: [("DINAS", "Dinas")],
        store_password=lambda _config, _password: None,
    )
    qtbot.addWidget(dialog)
    box = dialog.findChild(DialogButtons)
    assert box is not None
    assert (box.accept_button.text(), box.reject_button.text()) == ("&Simpan", "&Batal")
    qtbot.mouseClick(box.accept_button, Qt.MouseButton.LeftButton)
    assert settings.configured and settings.location == "DINAS"
    assert dialog.result() == QDialog.DialogCode.Accepted.value


@pytest.mark.parametrize("enter", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_is_a_new_line_and_ctrl_enter_confirms(qtbot: QtBot, enter: Qt.Key) -> None:
    dialog = ReasonDialog("Tolak permohonan", "Alasan:", confirm_label="Tolak")
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    dialog.editor.setFocus()
    qtbot.keyClicks(dialog.editor, "baris satu")
    qtbot.keyClick(dialog.editor, enter)
    qtbot.keyClicks(dialog.editor, "baris dua")
    assert dialog.result() == 0 and dialog.isVisible(), "Enter must not confirm"
    qtbot.keyClick(dialog.editor, enter, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted.value
    assert dialog.text == "baris satu\nbaris dua"


def test_ctrl_enter_does_nothing_while_the_confirm_button_is_disabled(qtbot: QtBot) -> None:
    dialog = ReasonDialog("Tolak permohonan", "Alasan:", confirm_label="Tolak")
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.result() == 0
