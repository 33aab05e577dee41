"""Updates in the window with the desk's real threaded runner: the account menu's "Periksa
pembaruan" and the check at start run off the GUI thread, a verified release is staged and
offered ("Mulai ulang sekarang": the officer's claims go back to the queue, audited, the window
ends and the desk asks for its restart; only the process restart itself is not run), a refusal
is a warning that changes nothing, and the workstation remembers when it checked."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select

from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.models import SCHEMA_VERSION, AuditLog, SchemaVersion, ServiceRequest
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.paths import user_dirs
from disdukcapil_desk.ui import desk_app
from disdukcapil_desk.ui import updates as ui_updates
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.updates import OFFER_NAME, StartCheck, UpdatePlace
from disdukcapil_desk.ui.workstation import WorkstationSettings
from disdukcapil_desk.updates import APP_NAME, ROOT_FILE_NAME, install
from disdukcapil_desk.updates.client import Outcome
from disdukcapil_desk.updates.publish import targets_dir
from tests.factories import make_request
from tests.integration.cli_harness import fingerprint
from tests.integration.test_intake import ingest_rows
from tests.integration.test_updates import NEW, Office, _QuietHandler, _tamper, office
from tests.ui import test_decisions_threaded as decisions

WAIT = 20_000
runner = decisions.runner  # the desk's threaded runner
window = decisions.window  # the officer's window on it
__all__ = ["office"]


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    said: list[tuple[str, str]] = []
    for kind in ("information", "warning"):

        def box(parent: Any, title: str, text: str, *args: Any, kind: str = kind) -> None:
            said.append((kind, text))

        monkeypatch.setattr(QMessageBox, kind, box)
    return said


@pytest.fixture(autouse=True)
def no_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    """No restart asked before a test; none left asked after it."""
    monkeypatch.setitem(install._state, "restart", False)


def _offer(window: MainWindow) -> QMessageBox | None:
    box = window.findChild(QMessageBox, OFFER_NAME)
    return box if box is not None and box.isVisible() else None


def _ready(window: MainWindow, office: Office) -> QAction:
    shutil.copyfile(office.old_metadata / "root.json", office.install / ROOT_FILE_NAME)
    window.settings.shared.set_update_url(office.url)
    window.update_place = UpdatePlace(office.install, office.cache)
    action = window.findChild(QAction, "checkUpdateAction")
    assert action is not None and action.text() == "Periksa pembaruan…"
    return action


def test_the_officer_checks_and_a_verified_release_waits_for_the_next_start(
    qtbot: QtBot,
    window: MainWindow,
    runner: TaskRunner,
    office: Office,
    boxes: list[tuple[str, str]],
) -> None:
    action = _ready(window, office)
    assert window.settings.shared.update_checked is None

    action.trigger()
    qtbot.waitUntil(lambda: _offer(window) is not None, timeout=WAIT)

    offer = _offer(window)
    assert offer is not None and f"Versi {NEW} sudah diunduh dan diperiksa" in offer.text()
    assert "Mulai ulang sekarang" in [b.text() for b in offer.buttons()]
    assert not boxes
    result = window.last_update_result
    assert result.outcome is Outcome.READY and result.downloaded > 0
    assert (office.cache / "staged" / NEW).is_dir()
    checked = window.settings.shared.update_checked
    assert checked is not None and checked[1] == "ready"
    assert action.toolTip().startswith("Terakhir berhasil diperiksa:")
    offer.reject()  # "Nanti": installed at the next start
    assert not install.restart_requested()


def test_a_tampered_release_is_a_warning_and_nothing_is_staged(
    qtbot: QtBot,
    window: MainWindow,
    runner: TaskRunner,
    office: Office,
    boxes: list[tuple[str, str]],
) -> None:
    action = _ready(window, office)
    _tamper(targets_dir(office.repo) / f"{APP_NAME}-{NEW}.tar.gz")

    action.trigger()
    qtbot.waitUntil(lambda: bool(boxes), timeout=WAIT)

    kind, text = boxes[0]
    assert kind == "warning" and "tidak cocok dengan hash" in text
    assert not (office.cache / "staged").exists()


def test_an_unreachable_repository_says_when_it_last_answered(
    qtbot: QtBot,
    window: MainWindow,
    runner: TaskRunner,
    office: Office,
    boxes: list[tuple[str, str]],
) -> None:
    action = _ready(window, office)
    window.settings.shared.set_update_url("http://127.0.0.1:9/")

    action.trigger()
    qtbot.waitUntil(lambda: bool(boxes), timeout=WAIT)

    kind, text = boxes[0]
    assert kind == "warning" and "tidak dapat dihubungi" in text
    assert "belum pernah berhasil diperiksa" in text
    assert window.settings.shared.update_checked is None


def test_the_download_leaves_the_database_runner_free(
    qtbot: QtBot,
    window: MainWindow,
    runner: TaskRunner,
    office: Office,
    boxes: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the release downloads, the officer's database work goes on."""
    action = _ready(window, office)
    downloading, go_on = threading.Event(), threading.Event()
    serve = _QuietHandler.do_GET

    def slow_archive(handler: _QuietHandler) -> None:
        if handler.path.endswith(".tar.gz"):
            downloading.set()
            go_on.wait(WAIT / 1000)
        serve(handler)

    monkeypatch.setattr(_QuietHandler, "do_GET", slow_archive)
    action.trigger()
    try:
        qtbot.waitUntil(downloading.is_set, timeout=WAIT)
        counted: list[object] = []
        runner.run(window.session.counts, counted.append)
        qtbot.waitUntil(lambda: bool(counted), timeout=5_000)
    finally:
        go_on.set()
    qtbot.waitUntil(lambda: _offer(window) is not None, timeout=WAIT)
    assert window.last_update_result.outcome is Outcome.READY
    _offer(window).reject()  # type: ignore[union-attr]


def _claimed(ctx: DeskContext, officer: Actor, count: int) -> list[int]:
    """``count`` new requests, each claimed by ``officer``."""
    ingest_rows(ctx, *(make_request(external_ref=f"upd-{n}") for n in range(count)))
    queue = QueueOps(ctx)
    with ctx.sessions() as session:
        ids = list(session.scalars(select(ServiceRequest.id).order_by(ServiceRequest.id)))
    for request_id in ids:
        queue.claim(officer, request_id)
    return ids


def test_the_check_at_start_offers_the_release_and_restart_now_gives_the_claims_back(
    qtbot: QtBot,
    window: MainWindow,
    runner: TaskRunner,
    office: Office,
    ctx: DeskContext,
    boxes: list[tuple[str, str]],
) -> None:
    """At start the check runs on its own runner while the window works; the offer comes in the
    officer's window; "Mulai ulang sekarang" releases every claim through the queue (audited),
    closes the window and asks for the restart that installs the release."""
    officer = window.session.actor
    held = _claimed(ctx, officer, 2)
    _ready(window, office)
    window.open_request(held[0])  # one of them open on the verification page
    qtbot.waitUntil(lambda: window.verification.detail is not None, timeout=WAIT)

    check = StartCheck(ctx, window.settings, runner, UpdatePlace(office.install, office.cache))
    assert check.start()
    qtbot.waitUntil(lambda: _offer(window) is not None, timeout=WAIT)

    assert check.result is not None and check.result.outcome is Outcome.READY
    assert (office.cache / "staged" / NEW).is_dir()
    assert window.settings.shared.update_checked is not None
    offer = _offer(window)
    assert offer is not None
    now = offer.findChild(QPushButton, "restartNowButton")
    assert now is not None and now.text() == "Mulai ulang sekarang"
    now.click()
    qtbot.waitUntil(install.restart_requested, timeout=WAIT)
    runner.wait_idle()

    assert not window.isVisible()
    with ctx.sessions() as session:
        rows = session.execute(
            select(ServiceRequest.status, ServiceRequest.claimed_by).where(
                ServiceRequest.id.in_(held)
            )
        ).all()
        released = session.scalars(
            select(AuditLog.entity_key).where(
                AuditLog.action == "release", AuditLog.actor == officer.login
            )
        ).all()
    assert rows == [(Status.NEW.value, None)] * 2
    assert len(released) == 2
    assert not boxes, boxes
    check.stop()


def test_an_unreachable_repository_at_start_leaves_the_window_working(
    qtbot: QtBot,
    window: MainWindow,
    runner: TaskRunner,
    office: Office,
    ctx: DeskContext,
    boxes: list[tuple[str, str]],
) -> None:
    """No repository at start: no dialog at all, the status bar says it, nothing remembered."""
    _ready(window, office)
    window.settings.shared.set_update_url("http://127.0.0.1:9/")
    check = StartCheck(ctx, window.settings, runner, UpdatePlace(office.install, office.cache))
    assert check.start()
    qtbot.waitUntil(lambda: check.result is not None, timeout=WAIT)

    assert check.result is not None and check.result.outcome is Outcome.UNREACHABLE
    assert "tidak dapat dihubungi" in window.statusBar().currentMessage()
    assert window.settings.shared.update_checked is None
    assert not boxes and _offer(window) is None
    assert window.isVisible() and not install.restart_requested()
    check.stop()


def test_a_desk_without_a_repository_does_not_check_at_start(
    window: MainWindow, ctx: DeskContext, runner: TaskRunner, office: Office
) -> None:
    place = UpdatePlace(office.install, office.cache)
    assert not StartCheck(ctx, window.settings, runner, place).start()
    assert not StartCheck(ctx, window.settings, runner, UpdatePlace(None, office.cache)).start()
    assert ui_updates._running == []


def test_the_refusal_of_a_newer_schema_offers_to_check_and_restart(
    qtbot: QtBot,
    tmp_path: Path,
    sqlite_template: Path,
    office: Office,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At start, a database newer than this desk: the refusal offers "Periksa pembaruan"; the
    check runs on the start's runner, stages the release and offers the restart; the database
    is not touched."""
    monkeypatch.setattr(desk_app, "install_gui_excepthook", lambda _log: None)
    dirs = user_dirs(tmp_path / "desk").ensure()
    settings = WorkstationSettings(dirs.config / "workstation.ini")
    settings.set_location("DINAS")
    settings.shared.set_update_url(office.url)
    settings.sync()
    shutil.copyfile(office.old_metadata / "root.json", office.install / ROOT_FILE_NAME)
    monkeypatch.setattr(ui_updates, "installation", lambda: office.install)
    monkeypatch.setitem(install._state, "cache", office.cache.parent)
    monkeypatch.setattr(install, "CACHE_FOLDER", office.cache.name)
    url = _newer_database(tmp_path, sqlite_template)
    before = fingerprint(url)
    answers = ["Periksa pembaruan", "Mulai ulang sekarang"]
    shown: list[str] = []

    def answer(box: QMessageBox) -> int:
        shown.append(box.text())
        wanted = answers.pop(0)
        button = next(b for b in box.buttons() if b.text() == wanted)
        button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    monkeypatch.setattr(desk_app.QMessageBox, "critical", lambda *a: shown.append("critical"))

    assert desk_app.run_desk(dirs, url) == 1

    assert not answers and "lebih baru" in shown[0] and f"Versi {NEW}" in shown[1], shown
    assert install.restart_requested()
    assert (office.cache / "staged" / NEW).is_dir()
    assert fingerprint(url) == before


def _newer_database(tmp_path: Path, template: Path) -> str:
    database = tmp_path / "newer.sqlite3"
    shutil.copy(template, database)
    url = sqlite_url(database)
    engine = make_engine(url, create=False)
    with engine.begin() as conn:
        conn.execute(
            insert(SchemaVersion).values(
                version=SCHEMA_VERSION + 1,
                applied_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
                description="a later desk",
            )
        )
    engine.dispose()
    return url


def test_the_offer_waits_while_the_window_is_locked(
    qtbot: QtBot,
    window: MainWindow,
    runner: TaskRunner,
    office: Office,
    ctx: DeskContext,
) -> None:
    """Behind the idle lock nobody is offered a restart (it would release the officer's
    claims): the offer comes once the officer unlocked."""
    _ready(window, office)
    window.lock()
    check = StartCheck(ctx, window.settings, runner, UpdatePlace(office.install, office.cache))
    assert check.start()
    qtbot.waitUntil(lambda: check.result is not None, timeout=WAIT)
    qtbot.wait(1500)  # the offer looks for an unlocked window every second

    assert _offer(window) is None
    window.unlock()
    qtbot.waitUntil(lambda: _offer(window) is not None, timeout=WAIT)
    check.stop()


def test_an_installation_the_officer_cannot_write_is_not_offered_a_restart(
    qtbot: QtBot,
    window: MainWindow,
    runner: TaskRunner,
    office: Office,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under Program Files (here the probe says so): staged, but the officer is told to ask
    the administrator; no "Mulai ulang sekarang"."""
    action = _ready(window, office)
    monkeypatch.setattr(ui_updates, "writable", lambda folder: folder != office.install)

    action.trigger()
    qtbot.waitUntil(lambda: _offer(window) is not None, timeout=WAIT)

    offer = _offer(window)
    assert offer is not None and "Minta administrator memasangnya" in offer.text()
    assert offer.findChild(QPushButton, "restartNowButton") is None
    assert (office.cache / "staged" / NEW).is_dir()
