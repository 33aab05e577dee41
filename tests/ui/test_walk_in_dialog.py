"""A KIA walk-in typed at the counter by keyboard only, on the real threaded task runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from disdukcapil_desk.db.models import RequestAttachment, ServiceRequest
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.ui.dialogs.walk_in import SCANNER_KEY, WalkInDialog
from disdukcapil_desk.ui.main_window import PAGE_VERIFY, MainWindow
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.ui.conftest import OpenThreaded

WAIT = 15_000
TYPED = {  # what the officer types into each field the Tab key reaches (the rest stay empty)
    "nik": "3604150501140003",
    "no_kk": "3604151203180007",
    "nama": "Bagas Saputra",
    "tanggal_lahir": "05-01-2014",
    "jenis_kelamin": "L",
    "alamat": "Kp. Cikande Permai",
    "kode_desa": "3604152003",
    "no_hp": "085712345678",
    "nik_orang_tua_wali": "3604156107950009",
    "nama_orang_tua_wali": "Dewi Lestari",
}


@pytest.fixture
def runner(threaded_runner: TaskRunner) -> TaskRunner:  # type: ignore[override]
    return threaded_runner


class Keys:
    """Presses keys where the dialog's focus is, and counts them."""

    def __init__(self, qtbot: QtBot, dialog: WalkInDialog) -> None:
        self.qtbot, self.dialog, self.count = qtbot, dialog, 0

    @property
    def focus(self) -> QWidget:
        widget = self.dialog.focusWidget()
        assert widget is not None
        return widget

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focus, text)
        self.count += len(text)

    def press(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        self.qtbot.keyClick(self.focus, key, modifier)
        self.count += 1


def scans(folder: Path) -> None:
    """Two pages the counter's scanner just saved (the KK last), and an older one."""
    folder.mkdir()
    for age, name in ((300, "scan_0007.pdf"), (20, "scan_0008.pdf"), (10, "scan_0009.jpg")):
        path = folder / name
        path.write_bytes(b"%PDF-1.4 " + name.encode())
        os.utime(path, (1_800_000_000 - age, 1_800_000_000 - age))


def test_a_kia_walk_in_with_two_scans_by_keyboard_is_registered_and_its_receipt_made(
    qtbot: QtBot,
    ctx: DeskContext,
    open_threaded: OpenThreaded,
    threaded_runner: TaskRunner,
    settings: WorkstationSettings,
    tmp_path: Path,
) -> None:
    scans(tmp_path / "pindai")
    settings.set_user_value("loket.upt05", SCANNER_KEY, str(tmp_path / "pindai"))
    window: MainWindow = open_threaded("loket.upt05", "UPT-05", active=True)
    action = window.toolbar_actions["walk_in"]
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+N"
    qtbot.keyClick(window.queue.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(WalkInDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT)
    assert QApplication.focusWidget() is dialog.services, "the service first"
    keys = Keys(qtbot, dialog)
    keys.count = 1  # Ctrl+N

    keys.type("KIA")
    assert dialog.services.currentData() == "kia"
    keys.press(Qt.Key.Key_Tab)
    assert dialog.form is not None
    typed: set[str] = set()
    for _step in range(40):
        if not dialog.form.isAncestorOf(keys.focus):
            break
        name = keys.focus.objectName().removeprefix("field_")
        value = TYPED.get(name, "")
        if isinstance(keys.focus, (QLineEdit, QComboBox)) and value:
            keys.type(value)
            typed.add(name)
        keys.press(Qt.Key.Key_Tab)
    assert typed == set(TYPED), "Tab reaches every field"

    keys.press(Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is dialog.scans
    assert dialog.scans.currentItem().text() == "scan_0009.jpg", "the newest scan first"
    keys.press(Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    keys.press(Qt.Key.Key_Return)
    assert [(a.path.name, a.requirement_code) for a in dialog.attached] == [
        ("scan_0008.pdf", "akta_kelahiran"),
        ("scan_0009.jpg", "kk"),
    ], "in the order they were scanned, each for the next required document"
    keys.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(
        lambda: dialog.save_button.isEnabled() or dialog.saved is not None, timeout=WAIT
    )
    qtbot.waitUntil(lambda: window.stack.currentIndex() == PAGE_VERIFY, timeout=WAIT)
    threaded_runner.wait_idle()
    assert not dialog.isVisible()
    saved = dialog.saved
    assert saved is not None and saved.number == "UPT-05/20261102/0001"
    receipt = settings.documents_dir / "tanda-terima-UPT-05-20261102-0001.pdf"
    assert receipt.read_bytes().startswith(b"%PDF"), "the receipt, ready to print"
    with ctx.sessions() as session:
        request = session.scalars(select(ServiceRequest)).one()
        codes = session.scalars(
            select(RequestAttachment.requirement_code).where(
                RequestAttachment.service_request_id == request.id
            )
        ).all()
    assert (request.channel, request.status, request.subject_name) == (
        "loket",
        "in_review",
        "Bagas Saputra",
    )
    assert sorted(c or "" for c in codes) == ["akta_kelahiran", "kk"]
    data = sum(len(v) for v in TYPED.values())
    assert (data, keys.count - data) == (124, 23), "124 characters of data, 23 other keys"


def test_a_refused_walk_in_keeps_what_was_typed_and_says_why(
    qtbot: QtBot, open_threaded: OpenThreaded, threaded_runner: TaskRunner
) -> None:
    window = open_threaded("loket.upt05", "UPT-05")
    dialog = window.open_walk_in()
    dialog.services.setCurrentIndex(dialog.services.findData("kia"))
    assert dialog.form is not None
    dialog.form.editors["nama"].input.setText("Bagas Saputra")  # type: ignore[union-attr]
    dialog.save()
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=WAIT)
    threaded_runner.wait_idle()
    assert "belum dapat didaftarkan" in dialog.message.text()
    assert "NIK anak belum diisi" in dialog.message.text()
    assert dialog.isVisible() and dialog.form.values()["nama"] == "Bagas Saputra"
