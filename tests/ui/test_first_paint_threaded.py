"""The window shows its queue first: on the real threaded runner the first page is the worker's
first task, the rest of the start (clock, offices, counts, undelivered messages) is asked once
that page is painted, and the verification screen is built only when a request is first opened.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.ui.main_window import PAGE_VERIFY, MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.integration.test_intake import ingest_rows, request_of, sample_row

WAIT = 10_000


class PaintWatch(QObject):
    """Notes, at each paint of the queue table, how many rows it showed."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.rows_painted: list[int] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rows_painted.append(self.window.queue.model.rowCount())
        return False


STARTING = ("page", "clock_warning", "locations", "counts", "undelivered_count")


def test_first_page_first_then_the_rest_and_no_verification_screen_until_opened(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    threaded_runner: TaskRunner,
    settings: WorkstationSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest_rows(ctx, sample_row("wa-1001"), sample_row("wa-1002"))
    calls: list[str] = []
    painted_before: dict[str, bool] = {}
    watch: list[PaintWatch] = []
    for name in STARTING:
        original = getattr(DeskSession, name)

        def noted(
            self: DeskSession, *args: object, _n: str = name, _f: object = original
        ) -> object:
            calls.append(_n)
            painted_before[_n] = 2 in watch[0].rows_painted
            return _f(self, *args)  # type: ignore[operator]

        monkeypatch.setattr(DeskSession, name, noted)
    start_the_rest = MainWindow._start_the_rest
    painted_at_rest: list[bool] = []

    def rest_after_paint(self: MainWindow) -> None:
        painted_at_rest.append(2 in watch[0].rows_painted)
        start_the_rest(self)

    monkeypatch.setattr(MainWindow, "_start_the_rest", rest_after_paint)
    window = MainWindow(
        DeskSession(ctx, users["loket.dinas"], "DINAS"),
        threaded_runner,
        settings,
        database_label="test",
    )
    qtbot.addWidget(window)
    watch.append(PaintWatch(window))
    window.queue.table.viewport().installEventFilter(watch[0])
    at_first_page: list[list[str]] = []
    window.queue.loaded.connect(lambda *_: at_first_page.append(list(calls)))
    window.show()
    window.start()
    assert window._verification is None, "built only when a request is opened"
    qtbot.waitUntil(lambda: window.started, timeout=WAIT)
    assert threaded_runner.wait_idle()
    assert at_first_page[0] == ["page"], "nothing else asked before the first page came"
    assert calls[0] == "page" and sorted(calls) == sorted(STARTING), calls
    assert painted_at_rest == [True], "the rest of the start is asked once the page is painted"
    assert all(painted_before[n] for n in STARTING[1:]), f"asked before the paint: {painted_before}"
    assert window.queue.model.rowCount() == 2
    assert window.queue.counts_list.count() > 0
    assert window._verification is None
    request_id = request_of(ctx, "wa-1001").id
    window.open_request(request_id)
    assert window.stack.currentIndex() == PAGE_VERIFY
    qtbot.waitUntil(lambda: window.verification.detail is not None, timeout=WAIT)
    page = window.verification
    assert page.isVisible() and page.parent() is window.verification_host
    assert page.detail is not None and page.detail.row.id == request_id
    page.close_request()
    threaded_runner.wait_idle()
