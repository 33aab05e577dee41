"""Pengambilan hari ini, with the desk's real threaded runner and keys only: Ctrl+J opens it
with the check-in field focused; a number typed and Enter books the earliest window; the
scanner's QR text and Enter records the collection; the list follows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from disdukcapil_desk.db.models import ServiceRequest
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.ui.dialogs.pickup_dialog import PickupDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner
from tests.conftest import FakeClock
from tests.integration.test_documents import qr_texts
from tests.integration.test_pickup import issued_cards, status
from tests.ui.conftest import OpenThreaded


@pytest.fixture
def runner(threaded_runner: TaskRunner) -> TaskRunner:  # type: ignore[override]
    return threaded_runner


@pytest.fixture
def counter_window(open_threaded: OpenThreaded) -> MainWindow:
    return open_threaded("loket.upt05", "UPT-05")


def test_book_then_check_in_by_scanning_the_receipt(
    qtbot: QtBot,
    ctx: DeskContext,
    counter_window: MainWindow,
    runner: TaskRunner,
    tmp_path: Path,
) -> None:
    first, _second = issued_cards(ctx, 2)
    action = counter_window.toolbar_actions["pickup"]
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+J"
    counter_window.queue.table.setFocus()
    qtbot.keyClick(counter_window.queue.table, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    dialog = counter_window.findChild(PickupDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.day.date() == QDate(2026, 11, 2), timeout=10000)
    assert QApplication.focusWidget() is dialog.check_in_field, "ready for the scanner"
    runner.wait_idle()
    number = _number(ctx, first)
    qtbot.keyClicks(dialog.book_number, number)
    qtbot.keyClick(dialog.book_number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Terjadwal" in dialog.message.text(), timeout=10000)
    assert "Selasa, 3 November 2026 08.00" in dialog.message.text()
    dialog.show_day(dialog.day.date().addDays(1).toPython())
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10000)
    assert dialog.table.item(0, 1).text() == number
    assert dialog.table.item(0, 5).text() == "Terjadwal"
    assert "********" in dialog.table.item(0, 3).text()
    receipt = DocumentOps(ctx).render_receipt(counter_window.session.actor, number)
    (scanned,) = qr_texts(receipt, tmp_path)  # the printed receipt's QR, as the scanner types it
    qtbot.keyClicks(dialog.check_in_field, scanned)
    qtbot.keyClick(dialog.check_in_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Diambil" in dialog.message.text(), timeout=10000)
    qtbot.waitUntil(lambda: "Diambil" in dialog.table.item(0, 5).text(), timeout=10000)
    runner.wait_idle()
    assert status(ctx, first) == Status.COLLECTED.value
    assert dialog.check_in_field.text() == "" and dialog.check_in_field.hasFocus()
    dialog.accept()


def _number(ctx: DeskContext, request_id: int) -> str:
    with ctx.reading() as session:
        found = session.get(ServiceRequest, request_id)
        assert found is not None
        return found.number


def test_the_administrator_sets_an_offices_pickup_hours(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], runner: TaskRunner
) -> None:
    from disdukcapil_desk.operations.pickup import PickupOps
    from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog

    session = DeskSession(ctx, users["admin"], "DINAS")
    dialog = AdminDialog(session, runner)
    qtbot.addWidget(dialog)
    tab = dialog.pickup_tab
    dialog.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.office.count() > 1 and "08:00" in tab.state.text(), timeout=10000)
    tab.office.setCurrentIndex(tab.office.findData("UPT-05"))
    runner.wait_idle()
    tab.capacity.setValue(4)
    tab.end.setTime(QTime(12, 0))
    qtbot.keyClick(tab.save_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Tersimpan" in tab.state.text(), timeout=10000)
    runner.wait_idle()
    hours = PickupOps(ctx).hours("UPT-05")
    assert (hours.capacity, hours.end.hour, PickupOps(ctx).hours("DINAS").capacity) == (4, 12, 10)
    dialog.close()


def test_the_administrator_sets_the_rests_and_the_counter_offers_none_in_them(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], runner: TaskRunner
) -> None:
    from disdukcapil_desk.operations.pickup import PickupOps
    from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog

    dialog = AdminDialog(DeskSession(ctx, users["admin"], "DINAS"), runner)
    qtbot.addWidget(dialog)
    tab = dialog.pickup_tab
    dialog.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.office.count() > 1 and "08:00" in tab.state.text(), timeout=10000)
    tab.office.setCurrentIndex(tab.office.findData("UPT-05"))
    runner.wait_idle()
    assert not tab.rest.on.isChecked() and not tab.rest.start.isEnabled()
    tab.rest.on.setChecked(True)  # shows 12:00-13:00
    tab.friday_rest.on.setChecked(True)  # shows 11:30-13:00
    assert tab.rest.start.isEnabled()
    qtbot.keyClick(tab.save_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Tersimpan" in tab.state.text(), timeout=10000)
    runner.wait_idle()
    assert "istirahat Jumat 11.30" in tab.state.text()
    hours = PickupOps(ctx).hours("UPT-05")
    assert (hours.rest and hours.rest.text(), hours.friday_rest and hours.friday_rest.text()) == (
        "12.00\u201313.00",
        "11.30\u201313.00",
    )
    friday = dt.date(2026, 11, 6)
    rows = PickupOps(ctx).windows(users["loket.upt05"], "UPT-05", friday)
    starts = {row.window.time_text[:5] for row in rows}
    assert {"11.00", "13.00"} <= starts and not {"11.30", "12.00", "12.30"} & starts
    tab.rest.on.setChecked(False)
    tab.friday_rest.on.setChecked(False)
    qtbot.keyClick(tab.save_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "istirahat" not in tab.state.text(), timeout=10000)
    runner.wait_idle()
    assert PickupOps(ctx).hours("UPT-05").rest is None
    dialog.close()


def test_the_windows_poll_sweeps_the_pickups(
    qtbot: QtBot,
    ctx: DeskContext,
    counter_window: MainWindow,
    users: dict[str, Actor],
    clock: FakeClock,
) -> None:
    from disdukcapil_desk.operations.pickup import PickupOps
    from tests.integration.test_pickup import bookings

    [request_id] = issued_cards(ctx, 1)
    PickupOps(ctx).book(users["loket.upt05"], request_id, None)
    clock.advance(days=1, hours=2)  # Tuesday 11:00 WIB: the 08:00 window has passed
    counter_window.refresh_timer.timeout.emit()
    qtbot.waitUntil(lambda: len(bookings(ctx, request_id)) == 2, timeout=10000)
    assert [s for s, _ in bookings(ctx, request_id)] == ["missed", "booked"]
    counter_window.refresh_timer.timeout.emit()  # within five minutes: no second sweep
    counter_window.runner.wait_idle()
    assert len(bookings(ctx, request_id)) == 2
