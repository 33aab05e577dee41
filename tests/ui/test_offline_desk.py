"""Working offline in the window, with the real local copy, journal and sync on the threaded
runner: the server goes out of reach (its pool refuses the worker's connections), the desk
switches to its copy, a citizen is registered at the counter, the server comes back, the
journal is synced, a conflict is decided in the dialog, the copy is refreshed; and the login
on the copy at start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from disdukcapil_desk.db.models import ServiceRequest
from disdukcapil_desk.domain.dto import Actor, QueueFilter
from disdukcapil_desk.domain.errors import ConnectionLost
from disdukcapil_desk.domain.offline import ConnectionMode
from disdukcapil_desk.domain.walk_in import WalkInResult
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import ADMIN_SETUP_ACTOR
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.ui.dialogs.conflicts import ConflictDialog
from disdukcapil_desk.ui.dialogs.offline_setup import OfflineSetupDialog
from disdukcapil_desk.ui.main_window import PAGE_VERIFY, MainWindow
from disdukcapil_desk.ui.offline_parts import WorkstationOffline
from disdukcapil_desk.ui.session import DeskSession, OfflineUnavailable
from disdukcapil_desk.ui.shell import DeskShell
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import bulk_requests

WAIT = 20_000
OFFICE = "UPT-05"
KIA = {
    "nik": "3604150501140003",
    "nama": "Bagas Saputra",
    "tanggal_lahir": "05-01-2014",
    "no_kk": "3604151203180007",
    "alamat": "Kp. Cikande Permai",
    "kode_desa": "3604152003",
    "no_hp": "085712345678",
    "nik_orang_tua_wali": "3604156107950009",
    "nama_orang_tua_wali": "Sri Wahyuni",
}


class ServerSwitch:
    """The server out of reach for the window's worker (its connections refused as a dead
    network refuses them); the test's own thread still reaches it, as another office would.
    """

    def __init__(self) -> None:
        self.down = False

    def __call__(self) -> None:
        if self.down and threading.current_thread().name.startswith("desk-db"):
            raise ConnectionLost("Server basis data tidak terjangkau (uji).")


@pytest.fixture
def server(ctx: DeskContext) -> Iterator[ServerSwitch]:
    switch = ServerSwitch()
    remove = ctx.add_checkout_guard(switch)
    yield switch
    remove()


@pytest.fixture
def offline_settings(settings: WorkstationSettings) -> WorkstationSettings:
    settings.set_location(OFFICE)
    settings.set_offline_capable(True)
    settings.set_offline_block_size(50)
    return settings


@pytest.fixture
def parts(
    ctx: DeskContext, offline_settings: WorkstationSettings, tmp_path: Path
) -> WorkstationOffline:
    return WorkstationOffline(
        ctx,
        tmp_path / "data",
        offline_settings.workstation_id(),
        OFFICE,
        capable=lambda: offline_settings.offline_capable,
    )


OpenOffline = Callable[[str], MainWindow]


@pytest.fixture
def open_offline_capable(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    threaded_runner: TaskRunner,
    offline_settings: WorkstationSettings,
    parts: WorkstationOffline,
    tmp_path: Path,
) -> Iterator[OpenOffline]:
    opened: list[MainWindow] = []

    def open_for(login: str) -> MainWindow:
        session = DeskSession(ctx, users[login], OFFICE, offline=parts)
        window = MainWindow(
            session,
            threaded_runner,
            offline_settings,
            database_label="test",
            documents_dir=tmp_path / "dokumen",
        )
        qtbot.addWidget(window)
        window.show()
        window.start()
        threaded_runner.wait_idle()
        opened.append(window)
        return window

    yield open_for
    for window in opened:
        window.close()
    threaded_runner.wait_idle()


def prepare(window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """ "Siapkan kerja luring…" for today, as the officer does it before leaving."""

    def accept(dialog: OfflineSetupDialog) -> int:
        dialog.buttons.accept_button.click()
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(OfflineSetupDialog, "exec", accept)
    window.prepare_offline()
    qtbot.waitUntil(
        lambda: "Siap bekerja luring" in window.statusBar().currentMessage(), timeout=WAIT
    )
    assert window.session.may_work_offline()


def lose_server(window: MainWindow, server: ServerSwitch, qtbot: QtBot) -> None:
    server.down = True
    window.refresh()  # the poll does it within 20 seconds
    qtbot.waitUntil(lambda: window.session.offline, timeout=WAIT)
    window.runner.wait_idle()
    qtbot.waitUntil(lambda: "Luring sejak" in window.offline.banner.text(), timeout=WAIT)


def come_back(window: MainWindow, server: ServerSwitch, qtbot: QtBot) -> None:
    server.down = False
    window.offline.probe()  # the probe's timer does it within 30 seconds


def register_kia(window: MainWindow, qtbot: QtBot) -> WalkInResult:
    dialog = window.open_walk_in()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    dialog.services.setCurrentIndex(dialog.services.findData("kia"))
    assert dialog.form is not None
    for name, value in KIA.items():
        dialog.form.editors[name].set_value(value)
    dialog.form.editors["jenis_kelamin"].set_value("L")
    dialog.save()
    qtbot.waitUntil(
        lambda: dialog.saved is not None or dialog.save_button.isEnabled(), timeout=WAIT
    )
    assert dialog.saved is not None, dialog.message.text()
    window.runner.wait_idle()
    assert dialog.saved is not None
    return dialog.saved


def test_a_save_that_finds_the_server_gone_switches_to_the_copy_at_once(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    server: ServerSwitch,
    open_offline_capable: OpenOffline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not at the next poll of the queue: the very call that found the server gone."""
    bulk_requests(ctx, 1, location=OFFICE)
    window = open_offline_capable("loket.upt05")
    prepare(window, qtbot, monkeypatch)
    window.refresh_timer.stop()
    request = QueueOps(ctx).page(users["loket.upt05"], QueueFilter(), None, 10).rows[0]
    server.down = True
    failures: list[BaseException] = []
    window.runner.run(lambda: window.session.detail(request.id), print, failures.append)
    qtbot.waitUntil(lambda: window.session.offline, timeout=WAIT)
    assert isinstance(failures[0], ConnectionLost)
    assert window.connection_banner.isHidden()


def test_a_walk_in_made_offline_gets_a_block_number_and_reaches_the_server_on_return(
    qtbot: QtBot,
    ctx: DeskContext,
    server: ServerSwitch,
    open_offline_capable: OpenOffline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bulk_requests(ctx, 3, location=OFFICE)
    window = open_offline_capable("loket.upt05")
    assert window.offline.banner.isHidden(), "online, nothing waiting: no banner"
    prepare(window, qtbot, monkeypatch)
    state = window.offline.banner.state  # the status bar always says where the desk stands
    qtbot.waitUntil(lambda: state.isVisible() and state.text() == "Daring", timeout=WAIT)

    lose_server(window, server, qtbot)
    assert window.connection_banner.isHidden(), "not the red banner: the desk works on"
    assert state.text().startswith("Luring sejak")
    assert window.offline.probe_timer.isActive()
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 3, timeout=WAIT)

    saved = register_kia(window, qtbot)
    assert saved.number.startswith(f"{OFFICE}/20261102/")
    qtbot.waitUntil(lambda: "tindakan menunggu" in window.offline.banner.text(), timeout=WAIT)
    assert "49 nomor tersisa hari ini" in window.offline.banner.text(), "a block of 50, one used"
    with ctx.sessions() as session:  # nothing reached the server yet
        numbers = set(session.scalars(select(ServiceRequest.number)))
    assert saved.number not in numbers

    with pytest.raises(OfflineUnavailable, match="saat luring"):
        window.session.ingest(lambda _d, _t: None, lambda: False)

    come_back(window, server, qtbot)
    qtbot.waitUntil(lambda: not window.session.offline, timeout=WAIT)
    qtbot.waitUntil(
        lambda: "Siap bekerja luring" in window.statusBar().currentMessage(), timeout=WAIT
    )
    window.runner.wait_idle()
    qtbot.waitUntil(window.offline.banner.isHidden, timeout=WAIT)
    assert window.session.mode is ConnectionMode.ONLINE
    qtbot.waitUntil(lambda: state.text().startswith("Daring · sinkron terakhir"), timeout=WAIT)
    with ctx.sessions() as session:
        row = session.scalars(
            select(ServiceRequest).where(ServiceRequest.number == saved.number)
        ).one()
    assert (row.channel, row.subject_name) == ("loket", "Bagas Saputra")


def test_a_claim_taken_meanwhile_on_the_server_is_a_conflict_the_officer_decides(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    server: ServerSwitch,
    open_offline_capable: OpenOffline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bulk_requests(ctx, 2, location=OFFICE)
    UserOps(ctx).add(
        ADMIN_SETUP_ACTOR,
        "verif.upt05",
        TEST_PASSWORD,
        Role.VERIFIER,
        full_name="Verifikator UPT",
        location_code=OFFICE,
    )
    colleague = UserOps(ctx).actor("verif.upt05")
    window = open_offline_capable("loket.upt05")
    prepare(window, qtbot, monkeypatch)
    first = QueueOps(ctx).page(users["loket.upt05"], QueueFilter(), None, 10).rows[0]

    lose_server(window, server, qtbot)
    window.open_request(first.id)  # the verification screen claims it, on the copy
    qtbot.waitUntil(lambda: "1 tindakan menunggu" in window.offline.banner.text(), timeout=WAIT)
    QueueOps(ctx).claim(colleague, first.id)  # meanwhile, at the office

    come_back(window, server, qtbot)
    qtbot.waitUntil(
        lambda: (
            getattr(window.offline, "conflict_dialog", None) is not None
            and window.offline.conflict_dialog.isVisible()
        ),
        timeout=WAIT,
    )
    dialog: ConflictDialog = window.offline.conflict_dialog
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == first.number
    assert dialog.table.item(0, 1).text() == "Ambil permohonan"
    assert not window.session.offline
    assert "1 konflik" in window.offline.banner.text()

    qtbot.mouseClick(dialog.open_both, Qt.MouseButton.LeftButton)  # the server's version
    qtbot.waitUntil(lambda: window.stack.currentIndex() == PAGE_VERIFY, timeout=WAIT)
    window.runner.wait_idle()
    assert dialog.isVisible() and not dialog.all_resolved, "the entry still waits"
    assert dialog.table.item(0, 4).text() == "Dibuka"

    qtbot.mouseClick(dialog.keep_theirs, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.all_resolved, timeout=WAIT)
    assert dialog.table.item(0, 4).text() == "Versi server dipakai"
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "Siap bekerja luring" in window.statusBar().currentMessage(), timeout=WAIT
    )
    window.runner.wait_idle()
    qtbot.waitUntil(window.offline.banner.isHidden, timeout=WAIT)
    held = QueueOps(ctx).detail(colleague, first.id).row
    assert held.holder == "verif.upt05", "the server's version stands"


def test_the_desk_started_without_its_server_logs_in_on_the_copy(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    threaded_runner: TaskRunner,
    offline_settings: WorkstationSettings,
    parts: WorkstationOffline,
    server: ServerSwitch,
) -> None:
    bulk_requests(ctx, 2, location=OFFICE)
    prepared: list[str] = []
    threaded_runner.run(
        lambda: parts.prepare(users["loket.upt05"], [], 50, lambda _d, _t: None, lambda: False),
        prepared.append,
    )
    threaded_runner.wait_idle()
    assert prepared and parts.has_copy()
    server.down = True
    shell = DeskShell(
        ctx, offline_settings, threaded_runner, offline=lambda: parts, offline_start=True
    )
    login = shell.show_login()

    assert "LURING" in login.header.text()
    login.login.setText("loket.upt05")
    login.password.setText("salah-sekali")
    login.try_login()
    qtbot.waitUntil(lambda: bool(login.message.text()), timeout=WAIT)
    assert shell.window is None
    login.password.setText(TEST_PASSWORD)
    login.try_login()
    qtbot.waitUntil(lambda: shell.window is not None, timeout=WAIT)
    window = shell.window
    assert window is not None
    qtbot.addWidget(window)
    assert window.session.offline
    threaded_runner.wait_idle()
    qtbot.waitUntil(lambda: "Luring sejak" in window.offline.banner.text(), timeout=WAIT)
    assert "1 tindakan menunggu" in window.offline.banner.text(), "the failed login, journaled"
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 2, timeout=WAIT)
    window.close()
    threaded_runner.wait_idle()


def test_a_journal_left_by_a_desk_closed_offline_is_synced_at_the_next_start(
    qtbot: QtBot,
    ctx: DeskContext,
    server: ServerSwitch,
    open_offline_capable: OpenOffline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_offline_capable("loket.upt05")
    prepare(window, qtbot, monkeypatch)
    lose_server(window, server, qtbot)
    saved = register_kia(window, qtbot)
    window.close()  # the laptop is shut down at the village hall
    window.runner.wait_idle()

    server.down = False
    again = open_offline_capable("loket.upt05")  # back at the office, the next morning
    qtbot.waitUntil(
        lambda: "Siap bekerja luring" in again.statusBar().currentMessage(), timeout=WAIT
    )
    again.runner.wait_idle()
    assert not again.session.offline
    with ctx.sessions() as session:
        numbers = set(session.scalars(select(ServiceRequest.number)))
    assert saved.number in numbers
