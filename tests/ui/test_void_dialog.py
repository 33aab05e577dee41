"""The section head's door to void a wrong certificate, or void and reissue it.

With the desk's real threaded runner and keys only: the number typed, Enter, the reason typed,
the button pressed with the space bar; the register and the audit log show the change.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from disdukcapil_desk.db.models import AuditLog
from disdukcapil_desk.domain.documents import RegisterEvent
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.ui.dialogs.void_dialog import VoidDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.tasks import TaskRunner
from tests.integration.test_documents import approved
from tests.ui.conftest import OpenThreaded, OpenWindow


@pytest.fixture
def runner(threaded_runner: TaskRunner) -> TaskRunner:  # type: ignore[override]
    return threaded_runner


@pytest.fixture
def head_window(open_threaded: OpenThreaded) -> MainWindow:
    return open_threaded("kasi.dinas")


def _find(qtbot: QtBot, dialog: VoidDialog, number: str, name: str) -> None:
    qtbot.keyClicks(dialog.number, number)
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: name in dialog.details.text(), timeout=10000)
    assert number in dialog.details.text() and "DINAS/20261102/" in dialog.details.text()
    assert not dialog.void_button.isEnabled(), "no reason yet"


def _audit(ctx: DeskContext, action: str) -> list[str]:
    with ctx.reading() as session:
        return list(
            session.scalars(
                select(AuditLog.entity_key).where(AuditLog.action == action).order_by(AuditLog.id)
            )
        )


def test_the_section_head_voids_and_reissues_a_wrong_certificate(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], head_window: MainWindow
) -> None:
    operator = users["operator.dinas"]
    ops = DocumentOps(ctx)
    first, second = (
        ops.issue(operator, request_id).certificate_number for request_id in approved(ctx, 2)
    )
    assert first is not None and second is not None
    action = head_window.toolbar_actions["void"]
    assert action.isVisible() and action.isEnabled()
    action.trigger()
    dialog = head_window.findChild(VoidDialog)
    assert isinstance(dialog, VoidDialog) and dialog.isVisible()
    asked: list[str] = []
    dialog.confirm = lambda _title, question: asked.append(question) or True

    _find(qtbot, dialog, first, "Atas nama:")
    qtbot.keyClicks(dialog.reason, "salah ketik nama ayah")
    assert dialog.void_button.isEnabled()
    qtbot.keyClick(dialog.void_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "dibatalkan." in dialog.state.text(), timeout=10000)
    qtbot.waitUntil(lambda: "Dibatalkan" in dialog.register.text(), timeout=10000)
    qtbot.waitUntil(lambda: "SUDAH DIBATALKAN" in dialog.details.text(), timeout=10000)
    assert "salah ketik nama ayah" in asked[0] and first in asked[0]
    assert not dialog.void_button.isEnabled(), "a voided certificate cannot be voided again"
    [entry] = ops.register(SYSTEM_ACTOR, first)
    assert entry.event is RegisterEvent.VOID and entry.actor == "kasi.dinas"
    assert _audit(ctx, "void") == [first]

    dialog.number.clear()
    _find(qtbot, dialog, second, "Atas nama:")
    qtbot.keyClicks(dialog.reason, "tanggal kematian keliru")
    qtbot.keyClick(dialog.reissue_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "terbit ulang dengan nomor" in dialog.state.text(), timeout=10000)
    new_number = dialog.state.text().split("nomor ")[1].split(".")[0]
    assert new_number not in (first, second) and new_number.startswith("3604-KM-")
    qtbot.waitUntil(lambda: "SUDAH DIBATALKAN" in dialog.details.text(), timeout=10000)
    assert [e.event for e in ops.register(SYSTEM_ACTOR, second)] == [RegisterEvent.VOID]
    assert _audit(ctx, "void") == [first, second]
    assert _audit(ctx, "issue_document")[-1] == new_number
    renewed = ops.summary(users["kasi.dinas"], new_number)
    assert not renewed.voided and renewed.request_number in dialog.state.text()


def test_a_counter_officer_and_a_verifier_do_not_see_the_door(
    open_window: OpenWindow, users: dict[str, Actor]
) -> None:
    for login in ("loket.dinas", "operator.dinas"):
        window = open_window(users[login])
        assert not window.toolbar_actions["void"].isVisible(), login
