"""Fixtures for the window tests: a session for an officer, inline tasks, a settings file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from disdukcapil_desk.db.models import ServiceRequest
from disdukcapil_desk.domain.demo_data import make_nik
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.ui import desk_app
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner, guard_database_access
from disdukcapil_desk.ui.translation import IndonesianQtTranslator, install_indonesian
from disdukcapil_desk.ui.workstation import WorkstationSettings


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal dialog nobody answers would hang the test run: make it fail the test instead.

    Tests that expect a dialog replace the method they expect (or the page's ``ask_*`` hook).
    """

    def unexpected(*args: object, **_kwargs: object) -> None:
        texts = [a for a in args if isinstance(a, str)]
        raise AssertionError(f"unexpected modal dialog: {texts}")

    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, unexpected)
    monkeypatch.setattr(QDialog, "exec", unexpected)
    monkeypatch.setattr(QMessageBox, "exec", unexpected)


@pytest.fixture(autouse=True)
def no_translator_left_behind(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test that starts the whole desk installs Qt's Indonesian words: take them away after."""
    installed: list[IndonesianQtTranslator] = []

    def install(app: QCoreApplication) -> IndonesianQtTranslator:
        installed.append(install_indonesian(app))
        return installed[-1]

    monkeypatch.setattr(desk_app, "install_indonesian", install)
    yield
    for translator in installed:
        QCoreApplication.removeTranslator(translator)


@pytest.fixture(autouse=True)
def database_only_through_runner(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail any test in which the window reaches the database outside its task runner."""
    if "ctx" not in request.fixturenames:
        yield
        return
    ctx: DeskContext = request.getfixturevalue("ctx")
    remove = ctx.add_checkout_guard(guard_database_access)
    yield
    remove()


@pytest.fixture
def runner() -> InlineTaskRunner:
    return InlineTaskRunner()


@pytest.fixture
def threaded_runner() -> Iterator[TaskRunner]:
    """The real runner of a workstation: one worker thread, callbacks on the GUI thread."""
    threaded = TaskRunner()
    yield threaded
    threaded.wait_idle()
    threaded.shutdown()


@pytest.fixture
def settings(tmp_path: Path) -> WorkstationSettings:
    ws = WorkstationSettings(tmp_path / "workstation.ini")
    ws.set_location("DINAS")
    ws.set_documents_dir(tmp_path / "Dokumen")  # never the tester's own documents folder
    return ws


@pytest.fixture
def officer_session(ctx: DeskContext, users: dict[str, Actor]) -> DeskSession:
    return DeskSession(ctx, users["loket.dinas"], "DINAS")


def bulk_requests(
    ctx: DeskContext, count: int, *, location: str = "DINAS", status: str = "new"
) -> None:
    """Insert ``count`` plain requests directly (fast), one minute apart, for queue tests."""
    start = dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.UTC)
    rows = []
    for i in range(count):
        received = start + dt.timedelta(minutes=i)
        rows.append(
            {
                "number": f"{location}/{received:%Y%m%d}/{i + 1:05d}",
                "service_code": "ktpel_penggantian" if i % 3 else "akta_kematian",
                "location_code": location,
                "channel": "whatsapp",
                "received_at": received,
                "contact": "+628123",
                "nik": make_nik("360415", dt.date(1990, 1, 1 + i % 28), "L", i % 9999 + 1),
                "no_kk": "",
                "applicant_name": f"Warga Nomor {i:05d}",
                "birth_date": None,
                "sex": "L",
                "kode_desa": "",
                "kecamatan_code": "360415",
                "payload": json.dumps({"nama": f"Warga Nomor {i:05d}"}),
                "status": status,
                "version": 1,
                "sla_due": (received + dt.timedelta(days=3)).date(),
                "resubmission_count": 0,
                "created_at": received,
                "updated_at": received,
                "updated_by": "system",
            }
        )
    with ctx.unit_of_work() as session:
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(ServiceRequest), rows[chunk : chunk + 5000])


OpenWindow = Callable[[Actor], MainWindow]


@pytest.fixture
def open_window(
    qtbot: object, ctx: DeskContext, settings: WorkstationSettings, tmp_path: Path
) -> OpenWindow:
    """Open, show and start the main window for an officer (inline tasks, temp documents)."""

    def open_for(actor: Actor) -> MainWindow:
        window = MainWindow(
            DeskSession(ctx, actor, "DINAS"),
            InlineTaskRunner(),
            settings,
            database_label="test",
            documents_dir=tmp_path / "dokumen",
        )
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.show()
        window.start()
        return window

    return open_for


OpenThreaded = Callable[..., MainWindow]


@pytest.fixture
def open_threaded(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    threaded_runner: TaskRunner,
    settings: WorkstationSettings,
) -> Iterator[OpenThreaded]:
    """Open, show and start the main window of an officer on the real threaded runner.

    ``open_threaded(login, location="DINAS", active=False)``; ``active`` waits until the window
    has the keyboard (for tests that press keys). The windows are closed before the runner
    stops (their refresh timer would still ask it).
    """
    opened: list[MainWindow] = []

    def open_for(login: str, location: str = "DINAS", *, active: bool = False) -> MainWindow:
        window = MainWindow(
            DeskSession(ctx, users[login], location),
            threaded_runner,
            settings,
            database_label="test",
        )
        qtbot.addWidget(window)
        if active:
            with qtbot.waitActive(window):
                window.show()
                window.activateWindow()
        else:
            window.show()
        window.start()
        qtbot.waitUntil(lambda: window.started, timeout=10_000)
        threaded_runner.wait_idle()
        opened.append(window)
        return window

    yield open_for
    for window in opened:
        window.close()
