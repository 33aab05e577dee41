"""The desk's screens driven like an officer would, against a real database."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.delivery import MessageKind
from disdukcapil_desk.domain.dto import Actor, QueueFilter
from disdukcapil_desk.domain.errors import ConnectionLost
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.connection import DatabaseConfig, probe_database
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.outbox import OutboxOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, UserOps
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.main_window import PAGE_LOCKED, PAGE_QUEUE, PAGE_VERIFY, MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.conftest import TEST_PASSWORD
from tests.integration.test_intake import ingest_rows, request_of, sample_row
from tests.ui.conftest import bulk_requests


@pytest.fixture
def window(
    qtbot: QtBot,
    officer_session: DeskSession,
    runner: InlineTaskRunner,
    settings: WorkstationSettings,
) -> MainWindow:
    win = MainWindow(officer_session, runner, settings, database_label="test")
    qtbot.addWidget(win)
    win.show()
    win.start()
    return win


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Capture error dialogs instead of showing them."""
    shown: list[tuple[str, str]] = []

    def fake_warning(_parent: Any, title: str, text: str, *_: Any) -> None:
        shown.append((title, text))

    monkeypatch.setattr(QMessageBox, "warning", fake_warning)
    return shown


# -- settings and login ---------------------------------------------------------------------


def test_settings_dialog_tests_connection_and_saves(
    qtbot: QtBot, tmp_path: Path, ctx: DeskContext
) -> None:
    settings = WorkstationSettings(tmp_path / "ws.ini")
    sqlite3.connect(tmp_path / "local.sqlite3").close()  # an existing (empty) local file
    stored: list[tuple[DatabaseConfig, str]] = []
    dialog = SettingsDialog(
        settings,
        sqlite_file=tmp_path / "local.sqlite3",
        probe=probe_database,
        locations_for=lambda *_: SetupOps(ctx).planned_locations(),
        store_password=lambda config, password: stored.append((config, password)),
    )
    qtbot.addWidget(dialog)
    status = dialog._status  # the label the officer reads
    assert status.text().startswith("Terhubung: SQLite")
    dialog.server_choice.setChecked(True)
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(1)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert status.text().startswith("Tidak dapat terhubung")
    dialog.local_choice.setChecked(True)
    dialog.location.setCurrentIndex(dialog.location.findData("UPT-05"))
    dialog.receipt_profile.setCurrentIndex(dialog.receipt_profile.findData("slip"))
    dialog._on_save()  # the Save button slot
    assert settings.configured and settings.location == "UPT-05"
    assert settings.receipt_profile == "slip"
    assert settings.database().kind == "sqlite" and stored == []


def test_login_wrong_password_then_lockout_then_success(qtbot: QtBot, ctx: DeskContext) -> None:
    dialog = LoginDialog(UserOps(ctx).authenticate, office="Dinas", login="loket2.dinas")
    qtbot.addWidget(dialog)
    for _ in range(MAX_FAILED_LOGINS):
        dialog.password.setText("salah-terus")
        dialog.try_login()
        assert "salah" in dialog.message.text() and dialog.password.text() == ""
    dialog.password.setText(TEST_PASSWORD)
    dialog.try_login()
    assert "terkunci" in dialog.message.text() and dialog.actor is None
    other = LoginDialog(UserOps(ctx).authenticate, office="Dinas", login="loket.dinas")
    qtbot.addWidget(other)
    other.password.setText(TEST_PASSWORD)
    other.try_login()
    assert other.actor is not None and other.actor.login == "loket.dinas"
    assert other.result() == 1


def test_login_checks_the_password_on_the_database_worker(qtbot: QtBot, ctx: DeskContext) -> None:
    threads: list[str] = []

    def authenticate(login: str, password: str) -> Actor:
        threads.append(threading.current_thread().name)
        return UserOps(ctx).authenticate(login, password)

    runner = TaskRunner()
    try:
        dialog = LoginDialog(authenticate, office="Dinas", login="loket.dinas", runner=runner)
        qtbot.addWidget(dialog)
        dialog.password.setText("salah")
        dialog.try_login()
        assert not dialog.buttons.isEnabled(), "no second click while checking"
        qtbot.waitUntil(lambda: "salah" in dialog.message.text(), timeout=5000)
        assert dialog.buttons.isEnabled() and dialog.actor is None
        dialog.password.setText(TEST_PASSWORD)
        with qtbot.waitSignal(dialog.accepted, timeout=5000):
            dialog.try_login()
        assert dialog.actor is not None and dialog.actor.login == "loket.dinas"
        assert threads and all(name.startswith("desk-db") for name in threads)
    finally:
        runner.shutdown()


# -- the queue ---------------------------------------------------------------------------


def test_queue_over_50000_requests_pages_filters_and_scans(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext
) -> None:
    bulk_requests(ctx, 50_000)
    window.queue.reload()
    model, table = window.queue.model, window.queue.table
    assert model.rowCount() == 200 and model.canFetchMore(), "one page, never the whole table"
    table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() >= 400)
    counts = [
        window.queue.counts_list.item(i).text() for i in range(window.queue.counts_list.count())
    ]
    assert "Baru: 50.000" in counts
    window.queue.overdue.setChecked(True)
    assert model.rowCount() == 200
    window.queue.overdue.setChecked(False)
    window.queue.search.setText("Warga Nomor 4999")
    window.queue.search.returnPressed.emit()
    assert [model.row_at(i).applicant_name for i in range(model.rowCount())] == [
        f"Warga Nomor {n}" for n in range(49990, 50000)
    ]
    # A barcode scanner types the receipt number and Enter: the request opens.
    number = QueueOps(ctx).page(window.session.actor, QueueFilter(), limit=1).rows[0].number
    window.queue.search.clear()
    qtbot.keyClicks(window.queue.search, number)
    qtbot.keyClick(window.queue.search, Qt.Key.Key_Return)
    assert window.stack.currentIndex() == PAGE_VERIFY
    assert window.verification.detail is not None
    assert window.verification.detail.row.number == number


def test_status_filter_and_refresh_keep_selection(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext
) -> None:
    bulk_requests(ctx, 30)
    window.queue.reload()
    window.queue.table.selectRow(5)
    chosen = window.queue.selected_row()
    bulk_requests(ctx, 1, location="UPT-05")
    window.refresh()
    assert window.queue.selected_row() == chosen
    window.queue.status.setCurrentIndex(window.queue.status.findData("done"))
    assert window.queue.model.rowCount() == 0


def test_take_next_opens_the_oldest_and_a_colleague_gets_read_only(
    qtbot: QtBot,
    window: MainWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
) -> None:
    bulk_requests(ctx, 3)
    window.take_next()
    assert window.stack.currentIndex() == PAGE_VERIFY
    held = window.verification.detail
    assert held is not None and held.row.number.endswith("/00001")
    assert not window.verification.read_only

    colleague = MainWindow(
        DeskSession(ctx, users["loket2.dinas"], "DINAS"),
        InlineTaskRunner(),
        settings,
        database_label="test",
    )
    qtbot.addWidget(colleague)
    colleague.open_request(held.row.id)
    page = colleague.verification
    assert page.read_only and "Loket Dinas" in page.banner.text()
    assert not page.buttons["approve"].isEnabled()
    assert not page.buttons["take_over"].isVisible()


def test_lost_connection_shows_banner_and_recovers(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_page = window.session.page

    def broken(*_: Any) -> Any:
        raise ConnectionLost("Koneksi ke basis data terputus.")

    monkeypatch.setattr(window.session, "page", broken)
    rows_before = window.queue.model.rowCount()
    window.refresh()
    assert window.connection_banner.isVisible()
    assert "terputus" in window.connection_banner.text()
    assert window.queue.model.rowCount() == rows_before, "what was shown stays"
    monkeypatch.setattr(window.session, "page", real_page)
    window.refresh()
    assert not window.connection_banner.isVisible()


def test_idle_lock_hides_data_until_password(qtbot: QtBot, window: MainWindow) -> None:
    window.watcher.last_input = time.monotonic() - 11 * 60
    window.check_idle()
    assert window.stack.currentIndex() == PAGE_LOCKED
    assert not window.queue.isVisible()
    window.lock_screen.password.setText("keliru")
    window.lock_screen.try_unlock()
    assert window.stack.currentIndex() == PAGE_LOCKED
    assert window.lock_screen.message.text() == "Kata sandi salah"
    window.lock_screen.password.setText(TEST_PASSWORD)
    window.lock_screen.try_unlock()
    assert window.stack.currentIndex() == PAGE_QUEUE


def test_layout_and_filters_are_remembered_per_user(
    qtbot: QtBot,
    window: MainWindow,
    officer_session: DeskSession,
    settings: WorkstationSettings,
) -> None:
    window.queue.mine.setChecked(True)
    window.queue.status.setCurrentIndex(window.queue.status.findData("in_review"))
    window.resize(700, 520)  # the offscreen screen is 800x600; the window keeps its minimum
    saved = (window.size().width(), window.size().height())
    window.save_layout()
    again = MainWindow(officer_session, InlineTaskRunner(), settings, database_label="test")
    qtbot.addWidget(again)
    flt = again.queue.current_filter
    assert flt.mine_only and flt.statuses == frozenset({Status.IN_REVIEW})
    # Widths are clamped to the 800-pixel offscreen screen and the toolbar; heights are not.
    assert again.size().height() == saved[1] == 520


def test_ingest_runs_with_progress_and_reports(window: MainWindow, ctx: DeskContext) -> None:
    from disdukcapil_desk.operations.intake import IntakeOps

    for ref in ("wa-1001", "wa-1002", "wa-1006"):
        IntakeOps(ctx).submit_row(sample_row(ref))
    window.run_ingest()
    message = window.statusBar().currentMessage()
    assert "2 permohonan baru" in message and "1 dikarantina" in message


# -- verification screens -----------------------------------------------------------------


def open_sample(window: MainWindow, ctx: DeskContext, ref: str, **overrides: Any) -> int:
    ingest_rows(ctx, sample_row(ref, **overrides))
    request_id = request_of(ctx, str(overrides.get("external_ref", ref))).id
    window.open_request(request_id)
    assert window.verification.detail is not None
    return request_id


def tick_all_required(window: MainWindow, qtbot: QtBot) -> None:
    checklist = window.verification.checklist
    for row in range(checklist.rowCount()):
        checklist.setCurrentCell(row, 0)
        if checklist.item(row, 0).text().startswith("●"):
            qtbot.keyClick(checklist, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)


def test_birth_registration_approved_after_ticking_checklist(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext
) -> None:
    request_id = open_sample(window, ctx, "wa-1001")
    page = window.verification
    assert page.form is not None and "ibu_nik" in page.form.editors
    assert "Pencatatan Kelahiran" in page.header.text()
    tick_all_required(window, qtbot)
    assert page.checklist.unpassed_required() == 0
    qtbot.mouseClick(page.buttons["approve"], Qt.MouseButton.LeftButton)
    assert window.stack.currentIndex() == PAGE_QUEUE
    assert QueueOps(ctx).detail(window.session.actor, request_id).row.status is Status.APPROVED
    assert "disetujui" in window.statusBar().currentMessage()


def test_ktp_revision_sends_one_message_with_every_problem(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id = open_sample(window, ctx, "wa-1002")
    page = window.verification
    nik = page.form.editors["nik"]  # type: ignore[union-attr]
    nik.input.setText("3604-15")
    nik.input.textEdited.emit("3604-15")
    assert nik.problem.isVisible() and "16 angka" in nik.problem.text()
    page.checklist.setCurrentCell(0, 0)
    qtbot.keyClick(page.checklist, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    drafted: list[str] = []

    def confirm(_title: str, _intro: str, text: str) -> str:
        drafted.append(text)
        return text + "\nTerima kasih."

    monkeypatch.setattr(page, "confirm_message", confirm)
    page.ask_revision()
    detail = QueueOps(ctx).detail(window.session.actor, request_id)
    assert detail.row.status is Status.NEEDS_REVISION
    assert detail.citizen_message is not None and detail.citizen_message.endswith("Terima kasih.")
    talk = OutboxOps(ctx).conversation(window.session.actor, request_id)
    sent = [e for e in talk.entries if not e.incoming][-1]
    assert getattr(sent, "kind", None) is MessageKind.NEEDS_REVISION
    assert getattr(sent, "body", "") == detail.citizen_message, "the outbox sends the final text"
    (text,) = drafted
    assert "tidak terbaca" in text and "NIK" in text and "16 angka" in text
    assert detail.payload["nik"] == "3604-15", "the edit was saved before the message"


def test_move_in_rejected_with_reason(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = json.loads(sample_row("wa-1002").payload)
    payload.update({"no_skpwni": "3601/SKPWNI/2026/1", "kabupaten_kota_asal": "Kab. Lebak"})
    request_id = open_sample(
        window,
        ctx,
        "wa-1002",
        service_code="pindah_datang_antar_kabkota",
        payload=json.dumps(payload),
        external_ref="move-1",
    )
    page = window.verification
    assert page.form is not None and "kabupaten_kota_asal" in page.form.editors
    monkeypatch.setattr(page, "ask_reason", lambda *_: "SKPWNI bukan untuk pemohon ini")
    page.reject()
    detail = QueueOps(ctx).detail(window.session.actor, request_id)
    assert detail.row.status is Status.REJECTED
    assert detail.citizen_message == "SKPWNI bukan untuk pemohon ini"


def test_approve_with_missing_items_asks_a_reason(
    window: MainWindow, ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id = open_sample(window, ctx, "wa-1004")
    page = window.verification
    monkeypatch.setattr(page, "ask_reason", lambda *_: None)
    page.approve()
    assert window.stack.currentIndex() == PAGE_VERIFY, "cancelled: nothing happens"
    monkeypatch.setattr(page, "ask_reason", lambda *_: "dokumen asli diperiksa di loket")
    page.approve()
    assert QueueOps(ctx).detail(window.session.actor, request_id).row.status is Status.APPROVED


def test_stale_version_is_refused_and_input_stays(
    qtbot: QtBot,
    window: MainWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    warnings: list[tuple[str, str]],
) -> None:
    request_id = open_sample(window, ctx, "wa-1002")
    page = window.verification
    # Someone else's change lands in between (here: the same officer on another workstation).
    other = DeskSession(ctx, users["loket.dinas"], "DINAS")
    other.save_draft(request_id, page.version, {"alamat": "Kp. Baru"}, {})
    editor = page.form.editors["alamat"]  # type: ignore[union-attr]
    editor.input.setText("Kp. Lama Sekali")
    page.save()
    assert warnings and warnings[0][0] == "Sudah diubah petugas lain"
    assert "loket.dinas" in warnings[0][1]
    assert editor.value() == "Kp. Lama Sekali" and window.stack.currentIndex() == PAGE_VERIFY


def test_leaving_releases_the_claim(window: MainWindow, ctx: DeskContext) -> None:
    request_id = open_sample(window, ctx, "wa-1003")
    window.verification.close_request()
    assert window.stack.currentIndex() == PAGE_QUEUE
    detail = QueueOps(ctx).detail(window.session.actor, request_id)
    assert detail.row.status is Status.NEW and detail.row.holder is None


def test_changes_on_another_workstation_reach_the_queue(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext
) -> None:
    if not ctx.postgresql:
        assert not window.listener.available, "SQLite: the window polls instead"
        return
    qtbot.waitUntil(lambda: window.started, timeout=10_000)  # it listens once the page is in
    assert window.listener.listening.wait(10)
    assert window.queue.model.rowCount() == 0
    ingest_rows(ctx, sample_row("wa-1004"))
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 1, timeout=10_000)


def test_pdf_attachment_is_shown_as_pages(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext
) -> None:
    from disdukcapil_desk.operations.intake import IntakeOps

    pdf = (Path(__file__).parents[2] / "docs" / "samples" / "tanda-terima-a4.pdf").read_bytes()
    IntakeOps(ctx).submit_row(
        sample_row(
            "wa-1002",
            attachments=(
                ("surat_kehilangan", "laporan.pdf", "application/pdf", pdf),
                ("ktp_el_rusak", "rusak.pdf", "application/pdf", b"%PDF-1.4 rusak"),
            ),
        )
    )
    IntakeOps(ctx).ingest()
    window.open_request(request_of(ctx, "wa-1002").id)
    viewer = window.verification.viewer
    assert viewer.note.text() == "PDF, 1 halaman"
    assert len(viewer.scene.items()) == 1
    viewer.next()
    assert "tidak dapat dibaca" in viewer.note.text()
