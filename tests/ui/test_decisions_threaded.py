"""Decisions on the verification page with the desk's real threaded runner, keys only.

An inline runner hides the race in which the revision message was composed from the detail
loaded before the save (it listed nothing on the first press). These tests press keys as an
officer does, on a window whose database work runs on the worker thread.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QBuffer, QIODevice, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Actor, CheckRow
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.ui.main_window import PAGE_QUEUE, PAGE_VERIFY, MainWindow
from disdukcapil_desk.ui.tasks import TaskRunner
from tests.integration.test_intake import ingest_rows, request_of, sample_row
from tests.ui.conftest import OpenThreaded

REAL_DIALOG_EXEC = QDialog.exec  # before the autouse fixture forbids modal dialogs
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
IMPOSSIBLE_NIK = "3604159913900001"  # day 99, month 13


class Keys:
    """Presses keys on the active window and counts them."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot, self.count = qtbot, 0

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):
        target = QApplication.activeModalWidget() or QApplication.focusWidget()
        assert target is not None, "no widget has the keyboard"
        self.qtbot.keyClick(target, key, modifier)
        self.count += 1


@pytest.fixture
def runner(threaded_runner: TaskRunner) -> TaskRunner:  # type: ignore[override]
    return threaded_runner


@pytest.fixture
def window(open_threaded: OpenThreaded) -> MainWindow:
    return open_threaded("loket.dinas", active=True)


@pytest.fixture
def errors_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *_: shown.append(text))
    return shown


def death_registration(ctx: DeskContext, ref: str = "wa-1004", **changes: object) -> int:
    """A complete akta kematian: every requirement attached, the data without errors."""
    service = ctx.reference.catalogue.get("akta_kematian")
    payload = json.loads(sample_row("wa-1004").payload)
    payload.update({"pelapor_nama": "Siti Aminah", **changes})
    attachments = tuple(
        (r.code, f"{r.code}.png", "image/png", tiny_png()) for r in service.requirements
    )
    ingest_rows(
        ctx,
        sample_row(
            "wa-1004", external_ref=ref, payload=json.dumps(payload), attachments=attachments
        ),
    )
    return request_of(ctx, ref).id


def tiny_png() -> bytes:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def open_and_wait(qtbot: QtBot, window: MainWindow, request_id: int) -> None:
    window.open_request(request_id)
    page = window.verification
    qtbot.waitUntil(lambda: page.detail is not None and not page.read_only, timeout=5000)
    window.runner.wait_idle()
    page.checklist.setFocus()


def checks_of(window: MainWindow) -> tuple[CheckRow, ...]:
    detail = window.verification.detail
    assert detail is not None
    return detail.checks


def status_of(ctx: DeskContext, actor: Actor, request_id: int) -> Status:
    return QueueOps(ctx).detail(actor, request_id).row.status


def answer_next_dialog(keys: Keys, *presses: tuple[Qt.Key, Qt.KeyboardModifier]) -> list[str]:
    """Press keys in the next modal dialog once it is up and has the keyboard; returns the
    texts it showed. A dialog that never gets the keyboard is closed after 5 s (no hang)."""
    seen: list[str] = []
    tries = [0]

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or QApplication.activeWindow() is not dialog:
            tries[0] += 1
            if dialog is not None:
                dialog.activateWindow()
                if tries[0] > 250:
                    dialog.close()
                    return
            QTimer.singleShot(20, answer)
            return
        editor = dialog.findChild(QPlainTextEdit)
        seen.append(editor.toPlainText() if editor is not None else "")
        for key, modifier in presses:
            keys.press(key, modifier)

    QTimer.singleShot(20, answer)
    return seen


@pytest.fixture
def real_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QDialog, "exec", REAL_DIALOG_EXEC)


@pytest.mark.parametrize(
    ("enter", "modifiers"),
    [(Qt.Key.Key_Return, CTRL), (Qt.Key.Key_Enter, CTRL | Qt.KeyboardModifier.KeypadModifier)],
    ids=["ctrl-enter", "ctrl-keypad-enter"],
)
def test_a_complete_request_is_approved_in_four_keys(
    qtbot: QtBot,
    window: MainWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    enter: Qt.Key,
    modifiers: Qt.KeyboardModifier,
) -> None:
    request_id = death_registration(ctx)
    open_and_wait(qtbot, window, request_id)
    keys = Keys(qtbot)
    required = sum(1 for c in checks_of(window) if c.required)
    for _ in range(required):
        keys.press(Qt.Key.Key_1, ALT)
    keys.press(enter, modifiers)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == PAGE_QUEUE, timeout=5000)
    assert status_of(ctx, users["loket.dinas"], request_id) is Status.APPROVED
    assert keys.count == required + 1 <= 5


def test_the_revision_lists_the_problems_marked_just_before_on_the_first_press(
    qtbot: QtBot,
    window: MainWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    real_dialogs: None,
) -> None:
    request_id = death_registration(ctx)
    open_and_wait(qtbot, window, request_id)
    keys = Keys(qtbot)
    keys.press(Qt.Key.Key_2, ALT)  # tidak ada
    keys.press(Qt.Key.Key_3, ALT)  # tidak terbaca
    keys.press(Qt.Key.Key_4, ALT)  # tidak sesuai
    labels = [c.label for c in checks_of(window)[:3]]
    shown = answer_next_dialog(keys, (Qt.Key.Key_Return, CTRL))
    keys.press(Qt.Key.Key_P, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == PAGE_QUEUE, timeout=5000)
    (message,) = shown
    for label in labels:
        assert label in message, f"{label!r} missing from the first message"
    assert "1. " in message and "3. " in message
    detail = QueueOps(ctx).detail(users["loket.dinas"], request_id)
    assert detail.row.status is Status.NEEDS_REVISION
    assert detail.citizen_message == message.strip()
    assert keys.count <= 6


def test_a_revision_that_lists_nothing_is_refused(
    qtbot: QtBot,
    window: MainWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    errors_shown: list[str],
) -> None:
    request_id = death_registration(ctx)
    open_and_wait(qtbot, window, request_id)
    window.verification.ask_revision()
    qtbot.waitUntil(lambda: bool(errors_shown), timeout=5000)
    assert "Belum ada kekurangan" in errors_shown[0]
    assert window.stack.currentIndex() == PAGE_VERIFY
    assert status_of(ctx, users["loket.dinas"], request_id) is Status.IN_REVIEW


def test_approving_over_a_typed_nik_error_asks_a_reason_and_keeps_the_change_visible(
    qtbot: QtBot,
    window: MainWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request_id = death_registration(ctx)
    open_and_wait(qtbot, window, request_id)
    page = window.verification
    assert page.form is not None
    page.form.editors["nik"].input.setText(IMPOSSIBLE_NIK)
    asked: list[str] = []
    answers: list[str | None] = [None, "NIK sesuai KTP-el asli yang diperlihatkan"]

    def ask_reason(_title: str, prompt: str, _confirm: str) -> str | None:
        asked.append(prompt)
        return answers[len(asked) - 1]

    monkeypatch.setattr(page, "ask_reason", ask_reason)
    keys = Keys(qtbot)
    for _ in range(sum(1 for c in checks_of(window) if c.required)):
        keys.press(Qt.Key.Key_1, ALT)
    keys.press(Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
    window.runner.wait_idle()
    assert "NIK" in asked[0], "the officer sees which error stands against approval"
    officer = users["loket.dinas"]
    detail = QueueOps(ctx).detail(officer, request_id)
    assert detail.row.status is Status.IN_REVIEW, "cancelled: nothing approved"
    assert detail.payload["nik"] != IMPOSSIBLE_NIK, "cancelled: nothing saved either"
    keys.press(Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == PAGE_QUEUE, timeout=5000)
    detail = QueueOps(ctx).detail(officer, request_id)
    assert detail.row.status is Status.APPROVED
    assert detail.payload["nik"] == IMPOSSIBLE_NIK
    codes = {f.code for f in detail.findings}
    assert "changed_by_officer" in codes
    assert any(f.severity == "error" and f.field == "nik" for f in detail.findings)
    approval = [h for h in detail.history if h.action == "approve"]
    assert approval and "KTP-el asli" in (approval[-1].detail or "")


def test_closing_the_desk_gives_the_open_request_back(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext, users: dict[str, Actor]
) -> None:
    request_id = death_registration(ctx)
    open_and_wait(qtbot, window, request_id)
    window.close()
    window.runner.wait_idle()
    detail = QueueOps(ctx).detail(users["loket.dinas"], request_id)
    assert detail.row.holder is None and detail.row.status is Status.NEW
