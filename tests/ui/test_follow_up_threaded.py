"""The "Tindak lanjut" panel with the desk's real threaded runner, by keyboard: Input SIAK with
its warning shown as typed, the signed PDF chosen and then dropped (a correction), and sending.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.delivery import SiakNumberKind
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.verification.follow_up import FollowUpPanel
from tests.integration.test_after_approval import approved_request, signed_pdf
from tests.integration.test_document_signing import make_pkcs12
from tests.ui.conftest import OpenThreaded

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
AKTA_NO = "3604-KM-03112026-0007"


@pytest.fixture
def runner(threaded_runner: TaskRunner) -> TaskRunner:  # type: ignore[override]
    return threaded_runner


@pytest.fixture
def window(open_threaded: OpenThreaded) -> MainWindow:
    return open_threaded("operator.dinas", active=True)


def drop_file(target: FollowUpPanel, path: Path) -> None:
    """Drag a file from the file manager onto the panel's drop zone and let it go."""
    zone = target.drop_zone
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    point = QPointF(zone.rect().center())
    enter = QDragEnterEvent(
        QPoint(int(point.x()), int(point.y())),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(zone, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        point,
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(zone, drop)


def test_record_attach_replace_and_send_by_keyboard(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    window: MainWindow,
    runner: TaskRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request_id = approved_request(ctx, "akta_kematian", "ui-follow")
    pkcs12, _ = make_pkcs12("Dr. H. Kepala Dinas, M.Si.")
    first, second = tmp_path / "akta.pdf", tmp_path / "akta-perbaikan.pdf"
    first.write_bytes(signed_pdf(pkcs12, f"Nomor: {AKTA_NO}"))
    second.write_bytes(signed_pdf(pkcs12, f"Nomor: {AKTA_NO}", "perbaikan"))
    window.open_request(request_id)
    panel = window.verification.follow_up
    qtbot.waitUntil(lambda: panel.follow is not None and panel.isVisible(), timeout=5000)
    runner.wait_idle()

    # Input SIAK: a legacy number is flagged under the field as it is typed, then corrected.
    field = panel.fields[SiakNumberKind.AKTA]
    field.setFocus()
    qtbot.keyClicks(field, "3604.KM.0311200-0168")
    note = panel.notes[SiakNumberKind.AKTA]
    assert note.isVisible() and "nomor lama" in note.text()
    field.selectAll()
    qtbot.keyClicks(field, AKTA_NO.lower())
    assert not note.isVisible()
    qtbot.keyClick(field, Qt.Key.Key_S, CTRL_SHIFT)
    qtbot.waitUntil(
        lambda: panel.follow is not None and panel.follow.status is Status.SIAK_RECORDED,
        timeout=5000,
    )
    assert field.text() == AKTA_NO

    # TTE: the file chooser (Ctrl+Shift+A), then a corrected PDF dropped onto the panel.
    monkeypatch.setattr(panel, "choose_file", lambda: first)
    qtbot.keyClick(field, Qt.Key.Key_A, CTRL_SHIFT)
    qtbot.waitUntil(
        lambda: panel.follow is not None and panel.follow.status is Status.ISSUED, timeout=10000
    )
    assert "Dr. H. Kepala Dinas, M.Si." in panel.document_label.text()
    assert "akta.pdf" in panel.document_label.text()
    drop_file(panel, second)
    assert not panel.send_button.isEnabled()  # no step on the version being replaced
    qtbot.waitUntil(
        lambda: (
            panel.follow is not None
            and panel.follow.document is not None
            and panel.follow.document.filename == "akta-perbaikan.pdf"
        ),
        timeout=10000,
    )
    assert "Dr. H. Kepala Dinas" in panel.document_label.text()

    # Kirim ke pemohon (Ctrl+Shift+K), confirmed.
    asked: list[str] = []
    monkeypatch.setattr(panel, "confirm_send", lambda follow: asked.append(follow.number) or True)
    assert panel.send_button.isEnabled()
    qtbot.keyClick(panel.send_button, Qt.Key.Key_K, CTRL_SHIFT)
    qtbot.waitUntil(
        lambda: panel.follow is not None and panel.follow.status is Status.SENT, timeout=10000
    )
    runner.wait_idle()
    assert asked and not panel.send_button.isEnabled()
    assert "Terkirim" in panel.send_label.text()
    row = QueueOps(ctx).detail(users["operator.dinas"], request_id).row
    assert row.status is Status.SENT


def test_a_refused_pdf_is_said_and_nothing_changes(
    qtbot: QtBot,
    ctx: DeskContext,
    window: MainWindow,
    runner: TaskRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request_id = approved_request(ctx, "akta_kematian", "ui-refused")
    window.open_request(request_id)
    panel = window.verification.follow_up
    qtbot.waitUntil(lambda: panel.follow is not None, timeout=5000)
    runner.wait_idle()
    panel.fields[SiakNumberKind.AKTA].setText(AKTA_NO)
    panel.record()
    qtbot.waitUntil(
        lambda: panel.follow is not None and panel.follow.status is Status.SIAK_RECORDED,
        timeout=5000,
    )
    shown: list[str] = []
    monkeypatch.setattr(panel, "report_error", lambda error: shown.append(str(error)))
    unsigned = tmp_path / "belum-ttd.pdf"
    unsigned.write_bytes(b"%PDF-1.7 bukan pdf yang utuh")
    drop_file(panel, unsigned)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    runner.wait_idle()
    assert "tidak terbaca" in shown[0]
    assert panel.follow is not None and panel.follow.document is None
    assert panel.follow.status is Status.SIAK_RECORDED
