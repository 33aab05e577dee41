"""One broadcast of what changed: the screens refresh themselves after an action, with the
desk's real threaded runner and no refresh call by hand."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Actor, Changes, RequestRow
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.ui.changes import note
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.main_window import PAGE_QUEUE, MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner
from tests.ui import test_decisions_threaded as decisions
from tests.ui.test_decisions_threaded import ALT, CTRL, checks_of, death_registration, open_and_wait

WAIT = 10_000
runner = decisions.runner  # the desk's threaded runner
window = decisions.window  # the officer's window on it


def queue_row(window: MainWindow, request_id: int) -> RequestRow | None:
    model = window.queue.model
    index = model.row_of_id(request_id)
    return model.row_at(index) if index >= 0 else None


def status_in_queue(window: MainWindow, request_id: int) -> Status | None:
    row = queue_row(window, request_id)
    return row.status if row is not None else None


@pytest.fixture
def request_id(qtbot: QtBot, window: MainWindow, ctx: DeskContext) -> int:
    """A complete request, shown in a queue that lists every status."""
    made = death_registration(ctx)
    window.queue.status.setCurrentIndex(window.queue.status.findData(None))  # Semua status
    qtbot.waitUntil(lambda: status_in_queue(window, made) is Status.NEW, timeout=WAIT)
    window.runner.wait_idle()
    return made


def tick_required(qtbot: QtBot, window: MainWindow) -> None:
    for _ in range(sum(1 for c in checks_of(window) if c.required)):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1, ALT)


def test_a_claim_made_anywhere_on_the_desk_shows_in_the_visible_queue(
    qtbot: QtBot, window: MainWindow, request_id: int
) -> None:
    window.runner.run(lambda: window.session.claim(request_id), lambda _lease: None)
    qtbot.waitUntil(lambda: status_in_queue(window, request_id) is Status.IN_REVIEW, timeout=WAIT)
    row = queue_row(window, request_id)
    assert row is not None and row.holder == "loket.dinas"


def test_approving_updates_the_queue_row(qtbot: QtBot, window: MainWindow, request_id: int) -> None:
    open_and_wait(qtbot, window, request_id)
    tick_required(qtbot, window)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == PAGE_QUEUE, timeout=WAIT)
    qtbot.waitUntil(lambda: status_in_queue(window, request_id) is Status.APPROVED, timeout=WAIT)


def test_rejecting_updates_the_queue_row(
    qtbot: QtBot, window: MainWindow, request_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_and_wait(qtbot, window, request_id)
    page = window.verification
    monkeypatch.setattr(page, "ask_reason", lambda *_: "Bukan layanan yang dimaksud")
    page.reject()
    qtbot.waitUntil(lambda: status_in_queue(window, request_id) is Status.REJECTED, timeout=WAIT)
    assert window.stack.currentIndex() == PAGE_QUEUE


def test_a_revision_updates_the_queue_row(
    qtbot: QtBot, window: MainWindow, request_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_and_wait(qtbot, window, request_id)
    page = window.verification
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, ALT)  # tidak ada
    monkeypatch.setattr(page, "confirm_message", lambda _t, _i, text: text)
    page.ask_revision()
    qtbot.waitUntil(
        lambda: status_in_queue(window, request_id) is Status.NEEDS_REVISION, timeout=WAIT
    )


def test_a_hidden_queue_asks_nothing_and_reads_again_when_shown(
    qtbot: QtBot, window: MainWindow, request_id: int
) -> None:
    open_and_wait(qtbot, window, request_id)
    reads: list[int] = []
    page_of = window.queue._page
    window.queue._page = lambda *args: (reads.append(1), page_of(*args))[1]  # type: ignore[method-assign]
    window.runner.changes.publish(Changes(queue=True))  # another workstation, say
    window.runner.wait_idle()
    assert reads == [], "the queue behind the verification page is not read"
    window.show_queue()  # Esc without a release: nothing of this desk changed
    qtbot.waitUntil(lambda: len(reads) == 1, timeout=WAIT)


def test_the_page_shows_the_findings_saved_with_a_draft(
    qtbot: QtBot, window: MainWindow, request_id: int
) -> None:
    open_and_wait(qtbot, window, request_id)
    page = window.verification
    assert page.form is not None
    page.form.editors["nik"].input.setText("3604159913900001")  # day 99, month 13
    page.save()
    qtbot.waitUntil(
        lambda: (
            page.detail is not None
            and any(f.field == "nik" and f.severity == "error" for f in page.detail.findings)
        ),
        timeout=WAIT,
    )


def test_the_runner_publishes_what_the_work_noted_after_its_callback_on_the_gui_thread(
    qtbot: QtBot,
) -> None:
    threaded = TaskRunner()
    seen: list[tuple[str, object, bool]] = []
    gui = threading.current_thread()
    threaded.changes.changed.connect(
        lambda changes: seen.append(("bus", changes, threading.current_thread() is gui))
    )

    def work() -> int:
        note(Changes(requests=frozenset({1})))
        note(Changes(users=frozenset({"a"})))
        return 7

    def failing() -> int:
        note(Changes(requests=frozenset({2})))
        raise RuntimeError("after a change")

    try:
        threaded.run(work, lambda value: seen.append(("done", value, True)))
        threaded.run(failing, lambda _v: None, lambda e: seen.append(("failed", str(e), True)))
        threaded.run(lambda: 0, lambda value: seen.append(("quiet", value, True)))
        assert threaded.wait_idle()
    finally:
        threaded.shutdown()
    assert seen == [
        ("done", 7, True),
        ("bus", Changes(requests=frozenset({1}), users=frozenset({"a"})), True),
        ("failed", "after a change", True),
        ("bus", Changes(requests=frozenset({2})), True),
        ("quiet", 0, True),
    ]


@pytest.fixture
def threaded() -> Iterator[TaskRunner]:
    worker = TaskRunner()
    yield worker
    worker.wait_idle()
    worker.shutdown()


def active_in_table(dialog: AdminDialog, login: str) -> str | None:
    table = dialog.users_tab.table
    for row in range(table.rowCount()):
        item = table.item(row, 0)
        if item is not None and item.text() == login:
            active = table.item(row, 4)
            return active.text() if active is not None else None
    return None


def test_a_user_changed_anywhere_on_the_desk_refreshes_the_users_tab(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], threaded: TaskRunner
) -> None:
    session = DeskSession(ctx, users["admin"], "DINAS")
    dialog = AdminDialog(session, threaded)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: active_in_table(dialog, "loket2.dinas") == "Ya", timeout=WAIT)
    threaded.run(lambda: session.deactivate_user("loket2.dinas"), lambda _change: None)
    qtbot.waitUntil(lambda: active_in_table(dialog, "loket2.dinas") == "Tidak", timeout=WAIT)


def test_the_users_tab_says_what_its_own_change_did_once_the_list_shows_it(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], threaded: TaskRunner
) -> None:
    session = DeskSession(ctx, users["admin"], "DINAS")
    dialog = AdminDialog(session, threaded)
    qtbot.addWidget(dialog)
    tab = dialog.users_tab
    qtbot.waitUntil(lambda: active_in_table(dialog, "loket2.dinas") == "Ya", timeout=WAIT)
    tab.load(select="loket2.dinas")
    qtbot.waitUntil(lambda: (u := tab.selected()) is not None and u.login == "loket2.dinas")
    tab.confirm_deactivate = lambda _user: True  # type: ignore[method-assign]
    tab.toggle_active()
    qtbot.waitUntil(lambda: active_in_table(dialog, "loket2.dinas") == "Tidak", timeout=WAIT)
    qtbot.waitUntil(lambda: "dinonaktifkan" in tab.state.text(), timeout=WAIT)
    selected = tab.selected()
    assert selected is not None and selected.login == "loket2.dinas"
