"""The administrator's new tabs and the refusal at "Terbitkan", with the real threaded runner.

"Karantina masuk" lists quarantined intake rows and sends the selected ones back with a required
note (issue 17, point 1, desk side); "Pemisahan tugas" stores the office's choice per service;
the officer who approved an akta and presses Terbitkan is told who approved (point 10).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from disdukcapil_desk.db.models import AuditLog
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.integration.test_intake import incoming_of, ingest_rows, request_of, row, sample_row

WAIT = 15000


@pytest.fixture
def runner(threaded_runner: TaskRunner) -> TaskRunner:  # type: ignore[override]
    return threaded_runner


@pytest.fixture
def errors_shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _p, title, text, *_: shown.append((title, text))
    )
    return shown


def _dialog(qtbot: QtBot, ctx: DeskContext, actor: Actor, runner: TaskRunner) -> AdminDialog:
    dialog = AdminDialog(DeskSession(ctx, actor, "DINAS"), runner)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _quarantine(ctx: DeskContext, *refs: str) -> None:
    ops = IntakeOps(ctx)
    for ref in refs:
        ops.submit_row(row(ref, service="layanan_baru"))
    ops.submit_row(row("baik"))
    ops.ingest()


def test_an_administrator_requeues_quarantined_rows_with_a_note(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    runner: TaskRunner,
    errors_shown: list[tuple[str, str]],
) -> None:
    _quarantine(ctx, "q-1", "q-2", "q-3")
    dialog = _dialog(qtbot, ctx, users["admin"], runner)
    tab = dialog.quarantine_tab
    dialog.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 3, timeout=WAIT)
    headers = [tab.table.horizontalHeaderItem(c).text() for c in range(tab.table.columnCount())]
    assert headers == ["No.", "Diterima", "Kanal", "Ref", "Layanan", "Alasan"]
    refs = [tab.table.item(r, 3).text() for r in range(3)]
    assert sorted(refs) == ["q-1", "q-2", "q-3"]
    assert "kode layanan tidak dikenal" in tab.table.item(0, 5).text()
    assert tab.table.item(0, 4).text() == "layanan_baru"
    assert not tab.requeue_button.isEnabled()

    wanted = {str(incoming_of(ctx, ref).id) for ref in ("q-1", "q-3")}
    selection = tab.table.selectionModel()
    for r in range(3):
        if tab.table.item(r, 0).text() in wanted:
            selection.select(
                tab.table.model().index(r, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
    assert sorted(map(str, tab.selected_ids())) == sorted(wanted)
    assert not tab.requeue_button.isEnabled(), "the note is required"
    qtbot.keyClicks(tab.note, "katalog diperbarui")
    assert tab.requeue_button.isEnabled()
    qtbot.mouseClick(tab.requeue_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "2 baris dikirim ulang" in tab.state.text(), timeout=WAIT)
    assert tab.table.rowCount() == 1 and tab.table.item(0, 3).text() == "q-2"
    assert tab.note.text() == "" and not tab.requeue_button.isEnabled()
    assert incoming_of(ctx, "q-1").ingest_error is None
    assert incoming_of(ctx, "q-2").ingest_error
    with ctx.sessions() as session:
        entries = list(session.scalars(select(AuditLog).where(AuditLog.action == "requeue_intake")))
    assert {(e.actor, e.detail) for e in entries} == {("admin", "katalog diperbarui")}
    assert {e.entity_key for e in entries} == wanted
    assert errors_shown == []
    dialog.close()


def test_the_office_chooses_separation_of_duties_in_the_dialog(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], runner: TaskRunner
) -> None:
    dialog = _dialog(qtbot, ctx, users["admin"], runner)
    tab = dialog.duties_tab
    dialog.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.table.rowCount() > 0, timeout=WAIT)
    chosen = tab.chosen()
    assert chosen["akta_kematian"] and not chosen["pembetulan_akta"]
    codes = [
        tab.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(tab.table.rowCount())
    ]
    tab.table.item(codes.index("akta_kematian"), 0).setCheckState(Qt.CheckState.Unchecked)
    tab.table.item(codes.index("pembetulan_akta"), 0).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.state.text() == "2 layanan diubah.", timeout=WAIT)
    stored = {code: on for code, _, on in OfficeOps(ctx).separation_of_duties()}
    assert not stored["akta_kematian"] and stored["pembetulan_akta"]
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.state.text() == "Tidak ada perubahan."
    dialog.close()


def test_terbitkan_by_the_approver_says_who_approved(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    runner: TaskRunner,
    settings: WorkstationSettings,
    errors_shown: list[tuple[str, str]],
) -> None:
    operator = users["operator.dinas"]
    ingest_rows(ctx, sample_row("wa-1004"))
    request_id = request_of(ctx, "wa-1004").id
    queue = QueueOps(ctx)
    queue.claim(operator, request_id)
    queue.decide(operator, request_id, Action.APPROVE)
    window = MainWindow(DeskSession(ctx, operator, "DINAS"), runner, settings, database_label="t")
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.queue.model.row_of_id(request_id) >= 0, timeout=WAIT)
    window.queue.status.setCurrentIndex(window.queue.status.findData(None))
    qtbot.waitUntil(lambda: window.queue.model.row_of_id(request_id) >= 0, timeout=WAIT)
    window.queue.table.selectRow(window.queue.model.row_of_id(request_id))
    window.toolbar_actions["issue"].trigger()
    qtbot.waitUntil(lambda: bool(errors_shown), timeout=WAIT)
    ((title, text),) = errors_shown
    assert title == "Tidak diizinkan"
    assert "disetujui oleh Operator Dinas (operator.dinas)" in text and "petugas lain" in text
    assert queue.detail(users["kasi.dinas"], request_id).row.status is Status.APPROVED
    runner.wait_idle()
    window.close()
