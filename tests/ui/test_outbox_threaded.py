"""The conversation view and the office's undelivered messages, on a window whose database work
runs on the real threaded runner: open with Ctrl+M, see the states as words, resend a failed
message, correct one, open the request from the list.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from disdukcapil_desk.db.models import OutgoingMessage
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Action
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.ui.main_window import PAGE_QUEUE, PAGE_VERIFY, MainWindow
from disdukcapil_desk.ui.outbox.conversation_dialog import ConversationDialog
from disdukcapil_desk.ui.outbox.undelivered_dialog import UndeliveredDialog
from disdukcapil_desk.ui.tasks import TaskRunner
from tests.integration.test_intake import ingest_rows, request_of, sample_row
from tests.ui.conftest import OpenThreaded

WAIT = 10_000
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def runner(threaded_runner: TaskRunner) -> TaskRunner:  # type: ignore[override]
    return threaded_runner


@pytest.fixture
def request_id(ctx: DeskContext, users: dict[str, Actor]) -> int:
    """A request sent back for revision; the revision message failed (number not on WA)."""
    ingest_rows(ctx, sample_row("wa-1002", location_code="DINAS"))
    found = request_of(ctx, "wa-1002").id
    officer = users["loket.dinas"]
    QueueOps(ctx).claim(officer, found)
    QueueOps(ctx).decide(
        officer, found, Action.REQUEST_REVISION, citizen_message="Mohon foto ulang KTP Anda."
    )
    with ctx.unit_of_work() as session:
        session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.service_request_id == found)
            .where(OutgoingMessage.kind == "needs_revision")
            .values(
                attempts=5,
                failed_at=dt.datetime(2026, 11, 2, 4, 0, tzinfo=dt.UTC),
                fail_reason="nomor tidak terdaftar di WhatsApp",
            )
        )
        session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.service_request_id == found)
            .where(OutgoingMessage.kind == "received")
            .values(
                attempts=1,
                sent_at=dt.datetime(2026, 11, 2, 2, 1, tzinfo=dt.UTC),
                delivered_at=dt.datetime(2026, 11, 2, 2, 2, tzinfo=dt.UTC),
            )
        )
    return found


@pytest.fixture
def window(
    qtbot: QtBot, open_threaded: OpenThreaded, runner: TaskRunner, request_id: int
) -> MainWindow:
    win = open_threaded("loket.dinas", active=True)
    qtbot.waitUntil(lambda: win.queue.model.rowCount() > 0, timeout=WAIT)
    runner.wait_idle()
    return win


def outgoing(ctx: DeskContext, request_id: int) -> list[OutgoingMessage]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(OutgoingMessage)
                .where(OutgoingMessage.service_request_id == request_id)
                .order_by(OutgoingMessage.id)
            )
        )


def open_dialog(qtbot: QtBot, window: MainWindow) -> ConversationDialog:
    window.queue.table.selectRow(0)
    window.queue.table.setFocus()
    qtbot.keyClick(window.queue.table, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: _dialog(ConversationDialog) is not None, timeout=WAIT)
    dialog = _dialog(ConversationDialog)
    assert isinstance(dialog, ConversationDialog)
    qtbot.waitUntil(lambda: dialog.conversation is not None, timeout=WAIT)
    return dialog


def _dialog(kind: type) -> object | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return found[-1] if found else None


def badges(dialog: ConversationDialog) -> list[str]:
    return [b.text() for b in dialog.findChildren(QLabel, "deliveryBadge")]


def test_ctrl_m_shows_the_conversation_with_states_in_words_and_resends(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext, request_id: int
) -> None:
    assert window.undelivered_action.text() == "Pesan gagal (1)"
    dialog = open_dialog(qtbot, window)
    assert dialog.request_id == request_id
    assert badges(dialog) == ["Diterima", "Gagal"], "received: delivered; revision: failed"
    assert "1 pesan gagal" in dialog.header.text()
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "nomor tidak terdaftar di WhatsApp" in texts and "Mohon foto ulang KTP" in texts
    assert "Permohonan masuk" in texts

    failed_id = outgoing(ctx, request_id)[-1].id
    resend = dialog.findChild(QPushButton, f"resend-{failed_id}")
    assert resend is not None
    qtbot.mouseClick(resend, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: badges(dialog) == ["Diterima", "Gagal", "Menunggu"], timeout=WAIT)
    old, new = outgoing(ctx, request_id)[-2:]
    assert old.replaced_by == new.id and new.kind == "needs_revision"
    assert dialog.findChild(QPushButton, f"resend-{failed_id}") is None, "resent once only"
    qtbot.waitUntil(lambda: window.undelivered_action.text() == "Pesan gagal (0)", timeout=WAIT)
    dialog.close()


def test_a_corrected_message_goes_to_the_corrected_number(
    qtbot: QtBot,
    window: MainWindow,
    ctx: DeskContext,
    request_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog(qtbot, window)
    failed = outgoing(ctx, request_id)[-1]
    monkeypatch.setattr(
        dialog,
        "ask_message",
        lambda _t, _i, body, recipient: (body + " Terima kasih.", "081299998888"),
    )
    fix = dialog.findChild(QPushButton, f"correct-{failed.id}")
    assert fix is not None
    qtbot.mouseClick(fix, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(badges(dialog)) == 3, timeout=WAIT)
    new = outgoing(ctx, request_id)[-1]
    assert (new.kind, new.recipient) == ("correction", "081299998888")
    assert new.body == failed.body + " Terima kasih."
    dialog.close()


def test_the_office_list_opens_the_request_and_resends(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext, request_id: int
) -> None:
    window.activateWindow()
    qtbot.keyClick(window.queue.table, Qt.Key.Key_M, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: _dialog(UndeliveredDialog) is not None, timeout=WAIT)
    listing = _dialog(UndeliveredDialog)
    assert isinstance(listing, UndeliveredDialog)
    qtbot.waitUntil(lambda: len(listing.rows) == 1, timeout=WAIT)
    assert listing.table.item(0, 1).text() == request_of(ctx, "wa-1002").number
    assert "Mohon foto ulang" in listing.detail.text()
    qtbot.mouseClick(listing.buttons["resend"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: listing.rows == [], timeout=WAIT)
    assert "Tidak ada pesan" in listing.summary.text()
    assert outgoing(ctx, request_id)[-2].replaced_by is not None
    listing.close()

    with ctx.unit_of_work() as session:  # the resent one failed too
        session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.replaced_by.is_(None), OutgoingMessage.kind != "received")
            .values(failed_at=dt.datetime(2026, 11, 2, 5, 0, tzinfo=dt.UTC), fail_reason="x")
        )
    again = window.open_undelivered()
    qtbot.waitUntil(lambda: len(again.rows) == 1, timeout=WAIT)
    qtbot.mouseClick(again.buttons["open"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == PAGE_VERIFY, timeout=WAIT)
    qtbot.waitUntil(lambda: window.verification.detail is not None, timeout=WAIT)
    assert window.verification.detail is not None
    assert window.verification.detail.row.id == request_id
    conversation = window.open_conversation()
    assert conversation is not None and conversation.request_id == request_id
    qtbot.waitUntil(lambda: conversation.conversation is not None, timeout=WAIT)
    conversation.close()
    window.verification.close_request()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == PAGE_QUEUE, timeout=WAIT)


def test_the_queue_context_menu_offers_the_conversation(window: MainWindow) -> None:
    assert window.conversation_action in window.queue.table.actions()
    assert window.queue.table.contextMenuPolicy() is Qt.ContextMenuPolicy.ActionsContextMenu


def test_the_lock_screen_closes_the_conversation_and_the_list(
    qtbot: QtBot, window: MainWindow, runner: TaskRunner
) -> None:
    """Closed before its answer came (the list was still loading): the answer is dropped."""
    conversation = open_dialog(qtbot, window)
    listing = window.open_undelivered()
    window.lock()
    assert not conversation.isVisible() and not listing.isVisible()
    runner.wait_idle()
    qtbot.wait(50)  # the deferred deletes, then nothing reaches a deleted table
    assert not window.conversation_action.isEnabled()
    assert not window.undelivered_action.isEnabled()
    assert not window.undelivered_button.isVisible()
    window.unlock()
    assert window.conversation_action.isEnabled() and window.undelivered_button.isVisible()
