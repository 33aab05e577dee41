"""The offline banner, the conflict dialog and the offline setting as widgets alone (no
database: what they show for given values; the flows with the real copy and sync are in
``test_offline_desk.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QSpinBox
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.offline import (
    ConnectionMode,
    EntryState,
    JournalEntry,
    JournalKind,
    OfflineStatus,
    Resolution,
    SyncConflict,
)
from disdukcapil_desk.operations.connection import ProbeResult
from disdukcapil_desk.ui.dialogs.conflicts import ConflictDialog, describe
from disdukcapil_desk.ui.dialogs.offline_setup import OfflineSetupDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.offline import OfflineBanner, status_text
from disdukcapil_desk.ui.tasks import InlineTaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, 30, hour, minute, tzinfo=WIB)


def test_the_banner_says_where_the_desk_stands(qtbot: QtBot) -> None:
    banner = OfflineBanner()
    qtbot.addWidget(banner)
    banner.show_status(OfflineStatus(ConnectionMode.ONLINE, None, 0, 0, None))
    assert banner.isHidden()  # online with nothing waiting: the window looks as before

    offline = OfflineStatus(ConnectionMode.OFFLINE, at(10, 42), 3, 0, at(9, 15))
    banner.show_status(offline)
    assert not banner.isHidden()
    assert "Luring sejak 10.42 · 3 tindakan menunggu · sinkron terakhir 09.15" in banner.text()
    assert banner.property("tone") == "warning"

    numbered = OfflineStatus(ConnectionMode.OFFLINE, at(10, 42), 1, 0, None, numbers_left=287)
    assert (
        status_text(numbered)
        == "Luring sejak 10.42 · 1 tindakan menunggu · 287 nomor tersisa hari ini"
    )
    spent = OfflineStatus(ConnectionMode.OFFLINE, at(10, 42), 1, 0, None, numbers_left=0)
    assert "nomor luring hari ini habis" in status_text(spent)

    utc = dt.datetime(2026, 11, 30, 3, 42, tzinfo=dt.UTC)  # 10.42 WIB
    assert status_text(OfflineStatus(ConnectionMode.OFFLINE, utc, 0, 0, None)).startswith(
        "Luring sejak 10.42"
    )

    banner.show_status(OfflineStatus(ConnectionMode.SYNCING, at(10, 42), 3, 0, at(9, 15)))
    assert "Menyinkronkan" in banner.text()

    back = OfflineStatus(ConnectionMode.ONLINE, None, 0, 2, at(11, 5))
    banner.show_status(back)
    assert not banner.isHidden()
    assert "Daring · sinkron terakhir 11.05" in banner.text()
    assert "2 konflik menunggu keputusan" in banner.text()
    assert banner.property("tone") == "error"
    with qtbot.waitSignal(banner.conflicts_requested):
        banner.linkActivated.emit("konflik")


def conflict(seq: int, number: str, kind: JournalKind, changed_by: str) -> SyncConflict:
    entry = JournalEntry(
        seq=seq,
        kind=kind,
        request_number=number,
        base_version=2,
        actor_login="verif.upt05",
        made_at=at(10, 40 + seq),
        payload=json.dumps({"reason": "KK tidak terbaca"}),
        state=EntryState.CONFLICT,
    )
    return SyncConflict(entry, 4, changed_by, "in_verification", "Diubah oleh kepala seksi.")


class Answers:
    """Stands for the session: the dialog's answers as they would reach the server."""

    def __init__(self) -> None:
        self.resolved: list[tuple[int, Resolution]] = []

    def resolve_conflict(self, seq: int, resolution: Resolution) -> None:
        self.resolved.append((seq, resolution))


def test_the_conflict_dialog_answers_each_entry(qtbot: QtBot) -> None:
    answers, opened = Answers(), []
    conflicts = [
        conflict(1, "UPT-05/20261130/0007", JournalKind.REJECT, "kasi.upt05"),
        conflict(2, "UPT-05/20261130/0009", JournalKind.APPROVE, "verif2.upt05"),
        conflict(3, "UPT-05/20261130/0011", JournalKind.SAVE_DRAFT, "verif2.upt05"),
    ]
    dialog = ConflictDialog(
        conflicts,
        answers,  # type: ignore[arg-type]
        InlineTaskRunner(),
        open_request=opened.append,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 3
    assert dialog.table.item(0, 1).text() == "Tolak"
    assert dialog.table.item(0, 3).text() == "kasi.upt05"
    assert "Diubah oleh kepala seksi" in dialog.detail.text()
    assert "KK tidak terbaca" in dialog.detail.text()

    qtbot.mouseClick(dialog.keep_mine, Qt.MouseButton.LeftButton)
    assert answers.resolved == [(1, Resolution.KEEP_MINE)]
    assert dialog.table.item(0, 4).text() == "Versi saya dipakai"
    assert dialog.table.currentRow() == 1  # on to the next undecided entry

    qtbot.mouseClick(dialog.open_both, Qt.MouseButton.LeftButton)
    assert opened == ["UPT-05/20261130/0009"]  # nothing sent: the entry waits
    assert answers.resolved == [(1, Resolution.KEEP_MINE)]
    assert not dialog.all_resolved

    qtbot.mouseClick(dialog.keep_theirs, Qt.MouseButton.LeftButton)
    assert answers.resolved[-1] == (2, Resolution.KEEP_THEIRS)
    dialog.table.selectRow(2)
    qtbot.mouseClick(dialog.keep_theirs, Qt.MouseButton.LeftButton)
    assert dialog.all_resolved
    dialog.table.selectRow(0)
    assert not dialog.keep_mine.isEnabled()  # decided once


def test_a_refused_answer_is_said_in_the_dialog(qtbot: QtBot) -> None:
    class Refusing(Answers):
        def resolve_conflict(self, seq: int, resolution: Resolution) -> None:
            from disdukcapil_desk.domain.errors import ClaimError

            raise ClaimError("Permohonan sedang dipegang verif2.upt05.")

    dialog = ConflictDialog(
        [conflict(1, "UPT-05/20261130/0007", JournalKind.APPROVE, "verif2.upt05")],
        Refusing(),  # type: ignore[arg-type]
        InlineTaskRunner(),
        open_request=lambda _n: None,
    )
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.keep_mine, Qt.MouseButton.LeftButton)
    assert "dipegang verif2.upt05" in dialog.message.text()
    assert dialog.keep_mine.isEnabled()  # may be tried again
    assert not dialog.all_resolved
    assert "status" in describe(dialog.conflicts[0])


def test_the_setup_dialog_saves_the_setting_and_names_the_days(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = WorkstationSettings(tmp_path / "workstation.ini")
    dialog = OfflineSetupDialog(settings, dt.date(2026, 11, 30))
    qtbot.addWidget(dialog)
    capable = dialog.findChild(QCheckBox, "offlineCapable")
    size = dialog.findChild(QSpinBox, "offlineBlockSize")
    assert capable is not None and size is not None
    assert not capable.isChecked() and not size.isEnabled()
    dialog.buttons.accept_button.click()
    assert dialog.result() == 0 and "Centang" in dialog.message.text()

    capable.setChecked(True)
    size.setValue(1000)
    dialog.day_count.setValue(2)
    dialog.buttons.accept_button.click()
    assert dialog.result() == 1
    assert dialog.days == [dt.date(2026, 11, 30), dt.date(2026, 12, 1)]
    again = WorkstationSettings(tmp_path / "workstation.ini")
    assert again.offline_capable and again.offline_block_size == 1000


def test_the_settings_dialog_makes_this_computer_offline_capable(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = WorkstationSettings(tmp_path / "ws.ini")
    dialog = SettingsDialog(
        settings,
        sqlite_file=tmp_path / "local.sqlite3",
        probe=lambda _url, _password: ProbeResult("SQLite", 1),
        locations_for=lambda _url, _password: [("UPT-05", "UPT Kecamatan")],
        store_password=lambda _config, _password: None,
    )
    qtbot.addWidget(dialog)
    assert dialog.offline_box.title() == "Kerja luring"
    dialog.offline_box.capable.setChecked(True)
    dialog.offline_box.block_size.setValue(800)
    qtbot.mouseClick(dialog.buttons.accept_button, Qt.MouseButton.LeftButton)
    again = WorkstationSettings(tmp_path / "ws.ini")
    assert (again.offline_capable, again.offline_block_size) == (True, 800)
