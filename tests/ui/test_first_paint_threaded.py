"""The window shows its queue first: on the real threaded runner the first page is the worker's
first task, the rest of the start (clock, offices, counts, undelivered messages) comes after its
answer, and the verification screen is built only when a request is first opened.
"""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.ui.main_window import PAGE_VERIFY, MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.integration.test_intake import ingest_rows, request_of, sample_row

WAIT = 10_000
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
    for name in STARTING:
        original = getattr(DeskSession, name)

        def noted(
            self: DeskSession, *args: object, _n: str = name, _f: object = original
        ) -> object:
            calls.append(_n)
            return _f(self, *args)  # type: ignore[operator]

        monkeypatch.setattr(DeskSession, name, noted)
    window = MainWindow(
        DeskSession(ctx, users["loket.dinas"], "DINAS"),
        threaded_runner,
        settings,
        database_label="test",
    )
    qtbot.addWidget(window)
    window.show()
    window.start()
    assert window._verification is None, "built only when a request is opened"
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 2, timeout=WAIT)
    assert threaded_runner.wait_idle()
    assert calls[0] == "page" and sorted(calls) == sorted(STARTING), calls
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
