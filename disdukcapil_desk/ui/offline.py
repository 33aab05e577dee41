"""Working offline in the window: the banner that says where the desk stands, and the
controller that switches to the local copy, probes the server and syncs back (ui layer).

When the queue's load fails because the server is out of reach (``ConnectionLost``) and this
workstation is offline-capable with a local copy, the desk works on the copy
(``DeskSession.start_offline``). Every ``PROBE_MS`` the worker asks whether the server answers
again; once it does, the journal is synced with progress, the conflicts (if any) are shown
for the officer to decide, and the copy is refreshed. ``docs/offline.md`` tells the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import Changes
from disdukcapil_desk.domain.errors import ConnectionLost, DatabaseError
from disdukcapil_desk.domain.offline import (
    ConnectionMode,
    OfflineStatus,
    SyncConflict,
    SyncReport,
)
from disdukcapil_desk.ui.palette import set_tone

if TYPE_CHECKING:
    from disdukcapil_desk.ui.main_window import MainWindow

log = logging.getLogger("disdukcapil_desk.ui.offline")
PROBE_MS = 30_000
"""How often the desk asks, while offline, whether the server answers again."""
CONFLICTS_LINK = "konflik"


def _tr(text: str) -> str:
    return QCoreApplication.translate("offline", text)


def clock(moment: dt.datetime | None) -> str:
    """A time of the office's day as officers write it: ``10.42``."""
    if moment is None:
        return "-"
    if moment.tzinfo is not None:
        moment = moment.astimezone(WIB)
    return f"{moment:%H.%M}"


def status_text(status: OfflineStatus) -> str:
    """What the banner says: "Luring sejak 10.42 · 3 tindakan menunggu · sinkron terakhir 09.15"."""
    parts: list[str] = []
    if status.mode is ConnectionMode.OFFLINE:
        parts.append(_tr("Luring sejak {0}").format(clock(status.offline_since)))
    elif status.mode is ConnectionMode.SYNCING:
        parts.append(_tr("Menyinkronkan ke server…"))
    else:
        parts.append(_tr("Daring"))
    if status.waiting:
        parts.append(_tr("{0} tindakan menunggu").format(status.waiting))
    if status.numbers_left == 0:
        parts.append(_tr("nomor luring hari ini habis"))
    elif status.numbers_left is not None:
        parts.append(_tr("{0} nomor tersisa hari ini").format(status.numbers_left))
    if status.last_sync is not None:
        parts.append(_tr("sinkron terakhir {0}").format(clock(status.last_sync)))
    text = " · ".join(parts)
    if status.conflicts:
        text += " · " + _tr('<a href="{1}">{0} konflik menunggu keputusan</a>').format(
            status.conflicts, CONFLICTS_LINK
        )
    return text


def state_text(status: OfflineStatus) -> str:
    """The status bar's word: "Daring · sinkron terakhir 09.15", "Luring sejak 10.42"."""
    short = OfflineStatus(
        status.mode, status.offline_since, status.waiting, 0, status.last_sync
    )  # without the numbers left and the conflicts' link (the banner says those)
    return status_text(short)


class OfflineBanner(QLabel):
    """The line under the toolbar while the desk is offline, syncing, or has conflicts.

    Hidden when the desk is online with nothing waiting: the window then looks as before.
    """

    conflicts_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Hidden until the desk is offline or has something waiting."""
        super().__init__("", parent)
        self.setObjectName("offlineBanner")
        self.setWordWrap(True)
        self.setOpenExternalLinks(False)
        self.linkActivated.connect(lambda _link: self.conflicts_requested.emit())
        self.status = OfflineStatus(ConnectionMode.ONLINE, None, 0, 0, None)
        self.state = QLabel("")
        """The status bar's short word on where an offline-capable desk stands, always shown
        ("Daring · sinkron terakhir 09.15"); the banner says the rest when there is more.
        """
        self.state.setObjectName("offlineState")
        self.state.hide()
        self.hide()

    def show_status(self, status: OfflineStatus) -> None:
        """Say where the desk stands (offline: amber; conflicts: red)."""
        self.status = status
        quiet = status.mode is ConnectionMode.ONLINE and not (status.waiting or status.conflicts)
        mark = "⇅ " if status.mode is ConnectionMode.SYNCING else "⚡ "
        self.setText("" if quiet else mark + status_text(status))
        set_tone(self, "error" if status.conflicts else "warning")
        self.setVisible(not quiet)
        self.state.setText(state_text(status))


class OfflineController(QObject):
    """Switches the window's session to the local copy and back (every database call on the
    runner's worker).
    """

    mode_changed = Signal(object)
    """The desk's :class:`ConnectionMode` changed (after the switch is done)."""

    def __init__(self, window: MainWindow) -> None:
        """Belongs to ``window``; idle until the server is lost."""
        super().__init__(window)
        self.window = window
        self.session, self.runner = window.session, window.runner
        self.banner = OfflineBanner(window)
        self.banner.conflicts_requested.connect(self.show_conflicts)
        window.statusBar().addPermanentWidget(self.banner.state)
        self.probe_timer = QTimer(self)
        self.probe_timer.setObjectName("offlineProbeTimer")
        self.probe_timer.setInterval(PROBE_MS)
        self.probe_timer.timeout.connect(self.probe)
        self._switching = False
        self._syncing = False
        self._resume = False
        self.last_report: SyncReport | None = None
        self.runner.changes.changed.connect(self._after_change)
        # Whatever call finds the server gone (a save, a claim), the switch is made at once.
        self.runner.changes.failed.connect(self.server_lost)

    # -- going offline --------------------------------------------------------------------

    def server_lost(self, error: BaseException) -> bool:
        """The server is out of reach: work on the copy when this desk may (True), else the
        window shows its red banner (False).
        """
        if self.session.offline:
            return True
        if not isinstance(error, ConnectionLost) or not self.session.may_work_offline():
            return False
        if not self._switching:
            self._switching = True
            self.runner.run(self.session.start_offline, self.began_offline, self._switch_failed)
        return True

    def began_offline(self, status: OfflineStatus | None = None) -> None:
        """The session works on the copy now: say so, and probe the server from now on."""
        self._switching = False
        log.info("working offline on the local copy")
        self.window.connection_banner.hide()
        if status is None:
            self.refresh_status()
        else:
            self._show(status)
        self.probe_timer.start()
        self.mode_changed.emit(ConnectionMode.OFFLINE)

    def _switch_failed(self, error: BaseException) -> None:
        self._switching = False
        log.warning("the local copy could not be opened: %s", error)
        self.window.show_connection_lost(
            _tr("Server tidak terjangkau dan salinan lokal tidak dapat dibuka ({0}).").format(error)
        )

    # -- coming back ----------------------------------------------------------------------

    def probe(self) -> None:
        """Ask (on the worker) whether the server answers again; sync when it does."""
        if not self.session.offline or self._syncing:
            return
        self.runner.run(self.session.server_reachable, self._probed, lambda _e: None)

    def _probed(self, reachable: bool) -> None:
        if reachable and self.session.offline and not self._syncing:
            self.sync()

    def sync(self) -> None:
        """Replay the journal on the server with progress; then the conflicts, the refresh."""
        self._syncing = True
        self.probe_timer.stop()
        self._show(
            OfflineStatus(
                ConnectionMode.SYNCING,
                self.banner.status.offline_since,
                self.banner.status.waiting,
                self.banner.status.conflicts,
                self.banner.status.last_sync,
            )
        )
        self.window.run_with_progress(
            _tr("Menyinkronkan tindakan luring ke server…"),
            self.session.sync_back,
            self._synced,
            failed=self._sync_failed,
        )

    def _synced(self, report: SyncReport) -> None:
        self._syncing = False
        self.last_report = report
        self.refresh_status()
        if report.remaining:  # the server went away again, or the officer cancelled
            self.probe_timer.start()
            return
        self.mode_changed.emit(ConnectionMode.ONLINE)
        self.window.statusBar().showMessage(
            _tr("Tersinkron: {0} tindakan diterapkan, {1} konflik, {2} ditolak.").format(
                report.applied, len(report.conflicts), len(report.refused)
            ),
            15000,
        )
        if report.conflicts:
            self.show_conflicts()
        else:
            self.refresh_copy()

    def _sync_failed(self, error: BaseException) -> None:
        self._syncing = False
        self.refresh_status()
        if self.session.offline:
            self.probe_timer.start()
        if not isinstance(error, DatabaseError):
            from disdukcapil_desk.ui.messages import show_error

            show_error(self.window, error)

    def show_conflicts(self) -> None:
        """Open the conflict dialog over the journal's conflicts (read on the worker)."""
        self.runner.run(self.session.offline_conflicts, self._open_conflicts, self._failed)

    def _open_conflicts(self, conflicts: list[SyncConflict]) -> None:
        from disdukcapil_desk.ui.dialogs.conflicts import ConflictDialog

        if not conflicts:
            self.refresh_status()
            return
        dialog = ConflictDialog(
            conflicts,
            self.session,
            self.runner,
            open_request=self._open_request,
            parent=self.window,
        )
        dialog.finished.connect(lambda _r: self._conflicts_closed(dialog))
        self.conflict_dialog = dialog
        # Not modal: "Buka keduanya" opens the request in the window beside the dialog.
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.show()

    def _conflicts_closed(self, dialog: QObject) -> None:
        dialog.deleteLater()
        self.refresh_status()
        if getattr(dialog, "all_resolved", False):
            self.refresh_copy()

    def _open_request(self, number: str) -> None:
        self.runner.run(
            lambda: self.session.detail(number),
            lambda detail: self.window.open_request(detail.row.id),
            self._failed,
        )

    def refresh_copy(self) -> None:
        """Bring the local copy up to date (after a sync, when nothing is in conflict)."""
        if not self.session.may_work_offline():
            self.refresh_status()
            return
        size = self.window.settings.offline_block_size
        self.window.run_with_progress(
            _tr("Memperbarui salinan lokal…"),
            lambda progress, cancelled: self.session.refresh_copy(size, progress, cancelled),
            self._copy_refreshed,
        )

    def _copy_refreshed(self, summary: str) -> None:
        self.window.statusBar().showMessage(summary, 30000)
        self.refresh_status()

    # -- the banner -----------------------------------------------------------------------

    def refresh_status(self) -> None:
        """Read where the desk stands (on the worker) and show it."""
        self.runner.run(self.session.offline_status, self._status_read, self._failed)

    def check_left_over(self) -> None:
        """At the window's start: show conflicts left from an earlier session, and sync what
        an earlier session journaled offline and never sent (the desk was closed offline).
        """
        self._resume = True
        self.refresh_status()

    def _show(self, status: OfflineStatus) -> None:
        self.banner.show_status(status)
        self.banner.state.setVisible(self.session.offline or self.session.may_work_offline())

    def _status_read(self, status: OfflineStatus) -> None:
        self._show(status)
        resume, self._resume = self._resume, False
        online = not self.session.offline and status.mode is ConnectionMode.ONLINE
        if resume and online and status.waiting and not self._syncing:
            self.sync()

    def _after_change(self, changes: Changes) -> None:
        """An action while offline adds a journal entry: the count on the banner follows."""
        if self.session.offline and changes and not self._syncing:
            self.refresh_status()

    def _failed(self, error: BaseException) -> None:
        log.warning("offline status: %s", error)

    def stop(self) -> None:
        """The window closes: no more probes."""
        self.probe_timer.stop()
