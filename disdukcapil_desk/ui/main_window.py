"""The desk's main window: the queue, the verification screen, the idle lock (ui layer)."""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk import APP_NAME, __version__
from disdukcapil_desk.domain.clock import office_date, utc_now
from disdukcapil_desk.domain.document_records import IssueResult, ReadyBatch
from disdukcapil_desk.domain.documents import DocumentKind, PrintPurpose, ScanResult
from disdukcapil_desk.domain.dto import (
    QUEUE_CHANGED_ELSEWHERE,
    IngestReport,
    Lease,
    QueueFilter,
    RequestRow,
)
from disdukcapil_desk.domain.errors import DatabaseError
from disdukcapil_desk.domain.recap import RecapResult
from disdukcapil_desk.domain.workflow import Permission, Status
from disdukcapil_desk.ui.account import add_account_button
from disdukcapil_desk.ui.dialogs.about_dialog import AboutDialog
from disdukcapil_desk.ui.dialogs.message_dialog import ReasonDialog
from disdukcapil_desk.ui.dialogs.password_dialog import PasswordDialog
from disdukcapil_desk.ui.geometry import apply_text_scale, fit_to_screen
from disdukcapil_desk.ui.messages import ask_yes_no, show_error
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.printing import page_count, print_pdf
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.updates import UpdatePlace, default_place, update_action
from disdukcapil_desk.ui.workstation import TEXT_SCALES, WorkstationSettings

if TYPE_CHECKING:  # the screens and dialogs below are imported when the window first uses them
    from PySide6.QtPrintSupport import QPrinter

    from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
    from disdukcapil_desk.ui.dialogs.document_preview import DocumentPreviewDialog
    from disdukcapil_desk.ui.dialogs.pickup_dialog import PickupDialog
    from disdukcapil_desk.ui.dialogs.recap_dialog import RecapDialog
    from disdukcapil_desk.ui.dialogs.void_dialog import VoidDialog
    from disdukcapil_desk.ui.dialogs.walk_in import WalkInDialog
    from disdukcapil_desk.ui.outbox.conversation_dialog import ConversationDialog
    from disdukcapil_desk.ui.outbox.undelivered_dialog import UndeliveredDialog
    from disdukcapil_desk.ui.queue.queue_view import QueueView
    from disdukcapil_desk.ui.verification.page import VerificationPage

Printed = tuple[DocumentKind, tuple[str, ...]]
"""Documents a preview holds, to count as printed once the printer took them."""
T = TypeVar("T")
Progress = Callable[[int, int], None]
"""Told (done, total) by background work."""
Cancelled = Callable[[], bool]
"""Asked by background work whether the officer pressed "Batal"."""

log = logging.getLogger("disdukcapil_desk.ui")
REFRESH_MS = 20_000
LISTENING_REFRESH_MS = 120_000
"""With PostgreSQL pushing changes, polling is only a safety net."""
DEBOUNCE_MS = 400
RETRY_MS = 10_000
PICKUP_SWEEP_S = 300.0
"""How often a workstation's poll also sweeps the pickups (no-shows, reminders)."""
LEASE_SWEEP_S = 60.0
"""How often a workstation's poll also returns lapsed leases to the queue."""
PAGE_QUEUE, PAGE_VERIFY, PAGE_LOCKED = range(3)


class ActivityWatcher(QObject):
    """Remembers when the officer last typed or used the mouse (for the idle lock)."""

    def __init__(self) -> None:
        """Start counting now."""
        super().__init__()
        self.last_input = time.monotonic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note input events; never consume them."""
        if event.type() in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
        ):
            self.last_input = time.monotonic()
        return False


class LockScreen(QWidget):
    """Covers the window after idle time: no personal data until the password is typed."""

    unlocked = Signal()

    def __init__(
        self, session: DeskSession, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        """A centred password box; the password is checked in ``runner`` (scrypt is slow)."""
        super().__init__(parent)
        self._session, self._runner = session, runner
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel(
            self.tr(
                "<h2>Layar terkunci</h2><p>{0}: masukkan kata sandi untuk melanjutkan.</p>"
            ).format(session.actor.full_name or session.actor.login),
            self,
        )
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        self.password = QLineEdit(self)
        self.password.setObjectName("unlockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaximumWidth(280)
        self.password.returnPressed.connect(self.try_unlock)
        layout.addWidget(self.password, 0, Qt.AlignmentFlag.AlignHCenter)
        self.message = QLabel("", self)
        set_tone(self.message, "error")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        button = QPushButton(self.tr("Buka kunci"), self)
        button.clicked.connect(self.try_unlock)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def try_unlock(self) -> None:
        """Unlock when the password is right."""
        password = self.password.text()
        self.password.setEnabled(False)
        self._runner.run(
            lambda: self._session.verify_password(password),
            self._checked,
            lambda error: self._checked(False, str(error)),
        )

    def _checked(self, right: bool, why: str = "") -> None:
        self.password.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        if right:
            self.message.clear()
            self.unlocked.emit()
        else:
            self.message.setText(why or self.tr("Kata sandi salah"))


class _Progress(QObject):
    changed = Signal(int, int)


class AfterPaint(QObject):
    """Calls ``then`` once, just after ``widget``'s next paint, or after ``FALLBACK_MS`` should
    no paint come (a hidden or covered window).
    """

    FALLBACK_MS = 300

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        """Watch ``widget`` from now on."""
        super().__init__(widget)
        self._widget, self._then, self._done = widget, then, False
        widget.installEventFilter(self)
        QTimer.singleShot(self.FALLBACK_MS, self, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On the paint: call once that paint is done (queued behind it)."""
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self, self._call)
        return False

    def _call(self) -> None:
        if not self._done:
            self._done = True
            self._widget.removeEventFilter(self)
            self._then()


class MainWindow(QMainWindow):
    """Queue, verification and lock screens in one window, keyboard first."""

    queue_changed_elsewhere = Signal(str)
    logged_out = Signal()
    """The officer logged out (shift change): the window closes, the login comes back."""

    def __init__(
        self,
        session: DeskSession,
        runner: TaskRunner,
        settings: WorkstationSettings,
        *,
        database_label: str,
        watcher: ActivityWatcher | None = None,
        documents_dir: Path | None = None,
    ) -> None:
        """Build the screens and restore this user's layout and filters."""
        super().__init__()
        self.session, self.runner, self.settings = session, runner, settings
        self.watcher = watcher or ActivityWatcher()
        self.documents_dir = documents_dir or settings.documents_dir
        self.update_place: UpdatePlace = default_place()
        self.last_update_result: object = None
        self.setWindowTitle(
            f"{APP_NAME} — {session.actor.full_name or session.actor.login} @ {session.location}"
        )
        self.connection_banner = QLabel("", self)
        self.connection_banner.setObjectName("connectionBanner")
        self.connection_banner.hide()
        self.clock_banner = QLabel("", self)  # this PC's clock is off the server's
        self.clock_banner.setObjectName("clockBanner")
        self.clock_banner.setWordWrap(True)
        self.clock_banner.hide()
        from disdukcapil_desk.ui.offline import OfflineController

        self.offline = OfflineController(self)  # its banner: online, offline, conflicts
        self.stack = QStackedWidget(self)
        self.queue = self._make_queue()
        # The verification screen is built when a request is first opened (the window paints
        # its queue sooner); until then its place in the stack holds an empty host for it.
        self._verification: VerificationPage | None = None
        self.verification_host = QWidget(self.stack)
        self.verification_host.setObjectName("verificationHost")
        QVBoxLayout(self.verification_host).setContentsMargins(0, 0, 0, 0)
        self.lock_screen = LockScreen(session, runner, self.stack)
        self.lock_screen.unlocked.connect(self.unlock)
        self.may_view_queue = session.can(Permission.VIEW_QUEUE)
        home = self.queue if self.may_view_queue else self._administrator_home()
        for page in (home, self.verification_host, self.lock_screen):
            self.stack.addWidget(page)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.connection_banner)
        layout.addWidget(self.offline.banner)
        layout.addWidget(self.clock_banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._make_toolbar()
        self._make_outbox_actions()
        self.statusBar().showMessage(f"{database_label} · {APP_NAME} {__version__}")
        self._page_before_lock = PAGE_QUEUE
        self._timers()
        self.started = False
        """Whether the whole start (after the first page: counts, offices…) has been asked."""
        self._listen()
        self._restore_layout()

    # -- building ----------------------------------------------------------------------------

    @property
    def verification(self) -> VerificationPage:
        """The verification screen, built on first use inside its host in the stack."""
        if self._verification is None:
            from disdukcapil_desk.ui.verification.page import VerificationPage

            page = VerificationPage(self.session, self.runner, self.verification_host)
            page.closed.connect(self.show_queue)
            page.request_changed.connect(self._on_request_changed)
            layout = self.verification_host.layout()
            assert layout is not None
            layout.addWidget(page)
            self._verification = page
        return self._verification

    def _administrator_home(self) -> QLabel:
        """What an administrator sees instead of the queue (no citizens' data: not their task)."""
        self.queue.hide()
        home = QLabel(
            self.tr(
                "{0}: antrean permohonan (berisi data pribadi) hanya untuk petugas "
                "layanan.\n\nAdministrasi: kop surat dan pejabat penanda tangan, "
                "sertifikat tanda tangan digital, kunci publik verifikasi, nomor awal "
                "akta dan register nomor.\nPengguna (kata sandi, kunci, peran, lokasi): "
                "tab Pengguna di Administrasi."
            ).format(self.session.actor.role.label if self.session.actor.role else ""),
            self,
        )
        home.setObjectName("administratorHome")
        home.setWordWrap(True)
        home.setAlignment(Qt.AlignmentFlag.AlignCenter)
        home.setMargin(48)
        return home

    def _make_queue(self) -> QueueView:
        from disdukcapil_desk.ui.queue.queue_view import QueueView

        services = [(s.code, s.name) for s in self.session.catalogue]
        queue = QueueView(
            lambda flt, cursor, size: self.session.page(flt, cursor, size),
            lambda: self.session.counts(),
            services=services,
            locations=[],
            fixed_location=self.session.location if self.session.is_upt_officer else None,
            runner=self.runner,
            parent=self,
        )
        queue.loaded.connect(self._connection_ok)
        queue.load_failed.connect(self._load_failed)
        queue.request_opened.connect(lambda row: self.open_request(row.id))
        queue.filters_changed.connect(self._save_filters)
        return queue

    def _make_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Aksi"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        specs = [
            ("take_next", self.tr("Ambil berikutnya"), "F2", self.take_next),
            ("open", self.tr("Buka"), "Return", self.open_selected),
            ("refresh", self.tr("Segarkan"), "F5", self.refresh),
            ("ingest", self.tr("Proses masuk"), "Ctrl+I", self.run_ingest),
            ("receipt", self.tr("Tanda terima"), "Ctrl+P", self.print_receipt),
            ("issue", self.tr("Terbitkan"), "Ctrl+Shift+I", self.issue_selected),
            ("print_ready", self.tr("Cetak yang siap"), "", self.print_all_ready),
            ("void", self.tr("Batalkan"), "", self.open_void),
            ("verify", self.tr("Periksa QR"), "Ctrl+K", self.verify_document),
            ("recap", self.tr("Rekap"), "Ctrl+E", self.export_recap),
            ("admin", self.tr("Administrasi"), "", self.open_admin),
            ("lock", self.tr("Kunci"), "Ctrl+L", self.lock),
        ]
        self.toolbar_actions: dict[str, QAction] = {}
        for name, text, keys, slot in specs:
            action = QAction(text, self)
            action.setObjectName(f"{name}Action")
            # The key is in the tooltip, so the toolbar fits a 1366-pixel screen.
            if keys and keys != "Return":
                action.setShortcut(QKeySequence(keys))
            action.setToolTip(f"{text} ({'Enter' if keys == 'Return' else keys})" if keys else text)
            action.triggered.connect(slot)
            toolbar.addAction(action)
            self.toolbar_actions[name] = action
        may_work = self.session.can(Permission.EDIT_REQUEST)
        self.toolbar_actions["take_next"].setEnabled(may_work)
        for name in ("open", "refresh"):
            self.toolbar_actions[name].setEnabled(self.may_view_queue)
        self.toolbar_actions["ingest"].setEnabled(self.session.can(Permission.RUN_INGEST))
        may_issue = self.session.can(Permission.ISSUE)
        self.toolbar_actions["issue"].setEnabled(may_issue)
        self.toolbar_actions["recap"].setEnabled(self.session.can(Permission.EXPORT_RECAP))
        for name in ("receipt", "print_ready"):
            self.toolbar_actions[name].setEnabled(self.session.can(Permission.PRINT))
        # Only section heads void: the toolbar of everyone else stays as short as it was.
        self.toolbar_actions["void"].setVisible(self.session.can(Permission.VOID))
        from disdukcapil_desk.ui.dialogs.void_dialog import TITLE as VOID_TITLE

        self.toolbar_actions["void"].setToolTip(self.tr(VOID_TITLE))
        # Only administrators see it: the toolbar of everyone else stays as short as it was.
        self.toolbar_actions["admin"].setVisible(self.session.can(Permission.MANAGE_LOCATIONS))
        pages = [self.stack.widget(PAGE_QUEUE), self.verification_host]
        about = QAction(self.tr("Tentang Disdukcapil Desk"), self)
        about.setObjectName("aboutAction")
        about.setShortcut(QKeySequence("F1"))
        about.triggered.connect(self.show_about)
        for page in pages:
            if page is not None:
                page.addAction(about)
        self.toolbar_actions["about"] = about
        # In the account menu, with its key on every page: the toolbar is full at 125 %.
        pickup = QAction(self.tr("Pengambilan hari ini (Ctrl+J)"), self)
        pickup.setObjectName("pickupAction")
        pickup.setShortcut(QKeySequence("Ctrl+J"))
        pickup.setEnabled(self.may_view_queue)
        pickup.triggered.connect(self.open_pickup)
        for page in pages:
            if page is not None:
                page.addAction(pickup)
        self.toolbar_actions["pickup"] = pickup
        walk_in = QAction(self.tr("Permohonan datang langsung (Ctrl+N)"), self)
        walk_in.setObjectName("walkInAction")
        walk_in.setShortcut(QKeySequence("Ctrl+N"))
        walk_in.setEnabled(self.may_view_queue and self.session.can(Permission.EDIT_REQUEST))
        walk_in.triggered.connect(self.open_walk_in)
        for page in pages:
            if page is not None:
                page.addAction(walk_in)
        self.toolbar_actions["walk_in"] = walk_in
        self.account_actions = add_account_button(
            toolbar,
            self.session.actor,
            self.change_password,
            self.log_out,
            pages=pages,
            extras=[
                self._make_view_menu(),
                about,
                walk_in,
                pickup,
                self._offline_setup_action(),
                update_action(self),
            ],
        )

    def _offline_setup_action(self) -> QAction:
        """The account menu's "Siapkan kerja luring…" (officers who work on requests)."""
        action = QAction(self.tr("Siapkan kerja luring…"), self)
        action.setObjectName("offlineSetupAction")
        action.setEnabled(self.session.offline_parts is not None and self.may_view_queue)
        action.triggered.connect(self.prepare_offline)
        self.toolbar_actions["offline_setup"] = action
        return action

    def prepare_offline(self) -> None:
        """Ask for the day(s), then reserve the number blocks and refresh the local copy."""
        # The office's date is the server's (the desk keeps the server's time).
        self.runner.run(self.session.pickup_today, self._ask_offline_days, self._failed_here)

    def _ask_offline_days(self, today: dt.date) -> None:
        from disdukcapil_desk.ui.dialogs.offline_setup import OfflineSetupDialog

        dialog = OfflineSetupDialog(self.settings, today, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        days, size = dialog.days, dialog.block_size
        self.run_with_progress(
            self.tr("Memesan nomor dan menyalin permohonan ke komputer ini…"),
            lambda progress, cancelled: self.session.prepare_offline(
                days, size, progress, cancelled
            ),
            self._offline_prepared,
        )

    def _failed_here(self, error: BaseException) -> None:
        show_error(self, error)

    def _offline_prepared(self, summary: str) -> None:
        self.statusBar().showMessage(summary, 30000)
        self.offline.refresh_status()

    def _make_view_menu(self) -> QMenu:
        """Build the text-size menu of this workstation (the layout follows at once)."""
        menu = QMenu(self.tr("Ukuran teks"), self)
        menu.setObjectName("viewMenu")
        group = QActionGroup(menu)
        self.text_size_actions: dict[int, QAction] = {}
        for percent in TEXT_SCALES:
            action = menu.addAction(self.tr("Ukuran teks {percent} %").format(percent=percent))
            action.setCheckable(True)
            action.setChecked(percent == self.settings.text_scale)
            action.triggered.connect(lambda _=False, p=percent: self.set_text_scale(p))
            group.addAction(action)
            self.text_size_actions[percent] = action
        return menu

    def set_text_scale(self, percent: int) -> None:
        """Save this workstation's text size and apply it now."""
        self.settings.set_text_scale(percent)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_text_scale(app, percent)
        self.text_size_actions[percent].setChecked(True)
        self.statusBar().showMessage(
            self.tr("Ukuran teks {percent} %").format(percent=percent), 5000
        )

    def _listen(self) -> None:
        # Called from the listener thread: only emit; the queued signal reaches the GUI thread.
        self.listener = self.session.queue_watcher(self.queue_changed_elsewhere.emit)
        self.debounce_timer = QTimer(self)
        self.debounce_timer.setObjectName("queueChangedDebounce")
        self.debounce_timer.setSingleShot(True)
        self.debounce_timer.setInterval(DEBOUNCE_MS)
        self.debounce_timer.timeout.connect(self._on_refresh_timer)
        self.queue_changed_elsewhere.connect(lambda _location: self.debounce_timer.start())

    def _timers(self) -> None:
        self._swept_at = self._leases_expired_at = -math.inf  # the poll's sweeps: never yet
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setObjectName("queueRefreshTimer")
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self._on_refresh_timer)
        self.refresh_timer.start()
        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("idleLockTimer")
        self.idle_timer.setInterval(15_000)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()

    # -- queue ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Load the queue (after the window is shown) and listen for changes elsewhere.

        The first page is the worker's first task; the clock check, the offices, the counts,
        the undelivered messages and the listener (its own connection: on PostgreSQL a
        connection's set-up would compete with the first page) come once its answer is in
        (the officer sees the queue without waiting for them).
        """
        if not self.may_view_queue:
            self._start_the_rest()
            return
        self._rest_started = False
        self.queue.loaded.connect(self._first_page_shown)
        self.queue.load_failed.connect(self._first_page_shown)
        self.queue.reload(counts=False)

    def _first_page_shown(self, *_failure: object) -> None:
        """After the first page's answer (or its failure): the rest of the start."""
        if self._rest_started:
            return
        self._rest_started = True
        self.queue.loaded.disconnect(self._first_page_shown)
        self.queue.load_failed.disconnect(self._first_page_shown)
        # Once the page is painted: the worker's next calls would otherwise take turns with
        # that paint (the model answers every cell in Python).
        self._after_paint = AfterPaint(self.queue.table.viewport(), self._start_the_rest)

    def _start_the_rest(self) -> None:
        """The clock check; for the queue's readers the offices, the counts, undelivered."""
        self.started = True
        self.runner.run(self.session.clock_warning, self.show_clock_warning, lambda _e: None)
        if self.session.may_work_offline() or self.session.offline:
            self.offline.check_left_over()  # conflicts, or a journal never sent, if any
        if not self.may_view_queue:
            return
        self.runner.run(self.session.locations, self.queue.set_locations, self._load_failed)
        self.queue.refresh_counts()
        self.refresh_undelivered()
        if self.listener.start():
            self.refresh_timer.setInterval(LISTENING_REFRESH_MS)

    def refresh(self) -> None:
        """Re-read the queue and counts without losing the selection."""
        if self.may_view_queue:
            self.queue.refresh()

    def _on_refresh_timer(self) -> None:
        # Another workstation's notice, or the poll standing in for it: on the one broadcast.
        self.runner.changes.publish(QUEUE_CHANGED_ELSEWHERE)
        self.sweep_pickups()
        self.expire_leases()

    def expire_leases(self) -> None:
        """Return the requests whose lease lapsed to the queue, at most every minute: the queue
        shows them free, and a claim reads only the few lapsed since (each claim weighs the
        office's lapsed leases to find the oldest).
        """
        now = time.monotonic()
        if self.session.offline or not self.may_view_queue:
            return
        if now - self._leases_expired_at < LEASE_SWEEP_S:
            return
        self._leases_expired_at = now
        self.runner.run(
            self.session.expire_leases,
            lambda _count: None,
            lambda e: log.warning("lease sweep failed: %s", type(e).__name__),
        )

    def sweep_pickups(self) -> None:
        """No-shows and tomorrow's reminders, at most every few minutes (idempotent)."""
        now = time.monotonic()
        if self.session.offline:
            return  # the server's work: it waits
        if self.may_view_queue and now - self._swept_at >= PICKUP_SWEEP_S:
            self._swept_at = now
            self.runner.run(
                self.session.pickup_sweep,
                lambda _report: None,
                lambda e: log.warning("pickup sweep failed: %s", type(e).__name__),
            )

    def _connection_ok(self) -> None:
        self.connection_banner.hide()
        if self.session.offline:
            return
        listening = self.listener.available and self.listener.listening.is_set()
        self.refresh_timer.setInterval(LISTENING_REFRESH_MS if listening else REFRESH_MS)

    def _load_failed(self, error: BaseException) -> None:
        if isinstance(error, DatabaseError):  # unreachable, locked, missing, read-only…
            if not self.offline.server_lost(error):  # offline-capable: on the local copy
                self.show_connection_lost(str(error))
        else:
            show_error(self, error)

    def show_clock_warning(self, text: str | None) -> None:
        """Warn that this PC's clock is off the server's (the desk keeps the server's time)."""
        self.clock_banner.setText(f"⏰ {text}" if text else "")
        self.clock_banner.setVisible(bool(text))

    def show_connection_lost(self, text: str) -> None:
        """Show the red banner and retry sooner; what is on screen stays."""
        self.connection_banner.setText(
            self.tr("⚠ {text} Mencoba lagi setiap {0} detik…").format(RETRY_MS // 1000, text=text)
        )
        self.connection_banner.show()
        self.refresh_timer.setInterval(RETRY_MS)

    def open_selected(self) -> None:
        """Open the request under the cursor."""
        row = self.queue.selected_row()
        if row is not None:
            self.open_request(row.id)

    def open_request(self, request_id: int) -> None:
        """Show the verification screen of a request (claiming it if possible)."""
        page = self.verification  # built before it shows
        self.stack.setCurrentIndex(PAGE_VERIFY)
        page.open_request(request_id)

    def take_next(self) -> None:
        """Claim the oldest waiting request of this location and open it."""

        def opened(lease: Lease | None) -> None:
            if lease is None:
                self.statusBar().showMessage(self.tr("Tidak ada permohonan yang menunggu."), 5000)
                return
            self.open_request(lease.request_id)

        self.runner.run(self.session.claim_next, opened, lambda e: show_error(self, e))

    def show_queue(self) -> None:
        """Back to the queue (it re-reads itself if anything changed meanwhile)."""
        self.stack.setCurrentIndex(PAGE_QUEUE)
        self.queue.table.setFocus()

    def _on_request_changed(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # -- outbox: the conversation with the citizen, the office's undelivered messages --------

    def _make_outbox_actions(self) -> None:
        """Ctrl+M: the conversation of the request on screen (also in the queue's context
        menu); Ctrl+Shift+M and the status bar's "Pesan gagal (n)": the office's undelivered
        messages. The count follows every change the window hears of.
        """
        self.conversation_action = QAction(self.tr("Percakapan dengan pemohon"), self)
        self.conversation_action.setObjectName("conversationAction")
        self.conversation_action.setShortcut(QKeySequence("Ctrl+M"))
        self.conversation_action.triggered.connect(self.open_conversation)
        self.undelivered_action = QAction(self.tr("Pesan gagal terkirim"), self)
        self.undelivered_action.setObjectName("undeliveredAction")
        self.undelivered_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.undelivered_action.triggered.connect(self.open_undelivered)
        for action in (self.conversation_action, self.undelivered_action):
            action.setToolTip(f"{action.text()} ({action.shortcut().toString()})")
            action.setEnabled(self.may_view_queue)
            self.addAction(action)
        self.queue.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.queue.table.addAction(self.conversation_action)
        self.undelivered_button = QToolButton(self)
        self.undelivered_button.setObjectName("undeliveredButton")
        self.undelivered_button.setDefaultAction(self.undelivered_action)
        self.undelivered_button.setAutoRaise(True)
        self.undelivered_button.setVisible(self.may_view_queue)
        self.statusBar().addPermanentWidget(self.undelivered_button)
        self.runner.changes.changed.connect(
            lambda changes: self.refresh_undelivered() if changes.touches_queue else None
        )
        self.stack.currentChanged.connect(self._outbox_follows_lock)

    def _outbox_follows_lock(self, page: int) -> None:
        """The lock screen hides citizens' data: the conversations and the list close, and
        their keys and button rest until the officer is back.
        """
        locked = page == PAGE_LOCKED
        if locked:
            for dialog in self.findChildren(QDialog):
                if dialog.objectName() in ("conversationDialog", "undeliveredDialog"):
                    dialog.close()
        for action in (self.conversation_action, self.undelivered_action):
            action.setEnabled(self.may_view_queue and not locked)
        self.undelivered_button.setVisible(self.may_view_queue and not locked)

    def refresh_undelivered(self) -> None:
        """Count the office's undelivered messages again (in the background)."""
        if self.may_view_queue:
            self.runner.run(
                self.session.undelivered_count, self.show_undelivered_count, lambda _e: None
            )

    def show_undelivered_count(self, count: int) -> None:
        """Show "Pesan gagal (n)", red while any wait."""
        self.undelivered_action.setText(self.tr("Pesan gagal ({n})").format(n=count))
        set_tone(self.undelivered_button, "error" if count else "")

    def _request_on_screen(self) -> int | None:
        detail = self._verification.detail if self._verification is not None else None
        if self.stack.currentIndex() == PAGE_VERIFY and detail is not None:
            return detail.row.id
        row = self.queue.selected_row() if self.stack.currentIndex() == PAGE_QUEUE else None
        return row.id if row is not None else None

    def open_conversation(self, request_id: int | None = None) -> ConversationDialog | None:
        """The conversation of a request (the one on screen by default)."""
        from disdukcapil_desk.ui.outbox.conversation_dialog import ConversationDialog

        request_id = request_id or self._request_on_screen()
        if request_id is None:
            self.statusBar().showMessage(self.tr("Pilih permohonan dahulu."), 5000)
            return None
        dialog = ConversationDialog(self.session, self.runner, request_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_undelivered(self) -> UndeliveredDialog:
        """The office's undelivered messages; a request opened from it shows on screen."""
        from disdukcapil_desk.ui.outbox.undelivered_dialog import UndeliveredDialog

        dialog = UndeliveredDialog(self.session, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_request.connect(self.open_request)
        dialog.show()
        return dialog

    # -- ingest ----------------------------------------------------------------------------------

    def run_ingest(self) -> None:
        """Ingest waiting intake rows in the background, with progress and cancel."""
        self.run_with_progress(
            "Memproses permohonan masuk…", self.session.ingest, self.ingest_finished
        )

    def ingest_finished(self, report: IngestReport) -> None:
        """Say what ingest did (the queue refreshes itself from the change it made)."""
        note = self.tr(" (dibatalkan)") if report.cancelled else ""
        self.statusBar().showMessage(
            self.tr(
                "Masuk{note}: {report.created} permohonan baru, {report.resubmissions} "
                "perbaikan, {report.quarantined} dikarantina"
            ).format(note=note, report=report),
            15000,
        )

    # -- documents -------------------------------------------------------------------------------

    def print_receipt(self) -> None:
        """Show the receipt of the selected request in the print preview.

        A receipt printed before is a reprint: it needs a reason and is counted on the paper.
        """
        row = self.queue.selected_row()
        if row is None:
            return
        self.runner.run(
            lambda: self.session.receipt_print_count(row.number),
            lambda count: self._print_receipt(row, count),
            lambda e: show_error(self, e),
        )

    def _print_receipt(self, row: RequestRow, printed_before: int) -> None:
        # A first print counts once the printer took it; a reprint carries its stamp and reason.
        purpose, reason = PrintPurpose.SAVE, ""
        printed: Printed | None = (DocumentKind.RECEIPT, (row.number,))
        if printed_before:
            reason = self.ask_reason(
                self.tr("Cetak ulang tanda terima"),
                self.tr(
                    "Tanda terima {row.number} sudah pernah dicetak. Alasan cetak ulang:"
                ).format(row=row),
            )
            if not reason:
                return
            purpose, printed = PrintPurpose.REPRINT, None
        slip = self.settings.receipt_profile == "slip"
        self.runner.run(
            lambda: self.session.receipt_pdf(row.number, slip=slip, purpose=purpose, reason=reason),
            lambda pdf: self.open_pdf(f"tanda-terima-{row.number}", pdf, printed),
            lambda e: show_error(self, e),
        )

    def issue_selected(self) -> None:
        """Issue the selected approved request and open its certificate."""
        row = self.queue.selected_row()
        if row is None:
            return

        def issued(result: IssueResult) -> None:
            number = result.certificate_number
            if number:
                # A preview to check; printed from it, it leaves "Cetak semua yang siap".
                self.runner.run(
                    lambda: self.session.certificate_pdf(row.number, purpose=PrintPurpose.SAVE),
                    lambda pdf: self.open_pdf(number, pdf, (DocumentKind.CERTIFICATE, (number,))),
                    lambda e: show_error(self, e),
                )
            said = self.tr("{number} diterbitkan").format(number=row.number)
            if result.certificate_number:
                said += f": {result.certificate_number}"
            self.statusBar().showMessage(said, 10000)

        self.runner.run(lambda: self.session.issue(row.id), issued, lambda e: show_error(self, e))

    def print_all_ready(self) -> None:
        """One PDF of every issued, never-printed certificate of this location."""

        def done(batch: ReadyBatch | None) -> None:
            if batch is None:
                self.statusBar().showMessage(
                    self.tr("Tidak ada dokumen yang menunggu dicetak."), 8000
                )
            else:
                self.open_pdf(
                    f"siap-cetak-{self.session.location}",
                    batch.pdf,
                    (DocumentKind.CERTIFICATE, batch.numbers),
                )

        self.run_with_progress("Menyusun dokumen…", self.session.print_ready, done)

    def export_recap(self) -> None:
        """Ask for a period and an office; write the recap in the background; open it."""
        self.runner.run(self.session.locations, self._ask_recap, lambda e: show_error(self, e))

    def _ask_recap(self, locations: list[tuple[str, str]]) -> None:
        from disdukcapil_desk.ui.dialogs.recap_dialog import RecapDialog

        dialog = RecapDialog(
            locations,
            today=office_date(utc_now()),
            default_dir=self.documents_dir,
            may_show_full_nik=self.session.can(Permission.VIEW_FULL_NIK),
            parent=self,
        )
        if not self.accept_recap_dialog(dialog):
            return
        (first, last), location = dialog.dates(), dialog.location_code()
        path, full_nik = dialog.output(), dialog.full_nik.isChecked()
        register = dialog.with_register()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.remember_documents_dir(path.parent)
        self.run_with_progress(
            "Menyusun rekap…",
            lambda progress, cancelled: self.session.build_recap(
                first,
                last,
                location,
                path,
                full_nik=full_nik,
                progress=progress,
                cancelled=cancelled,
                register=register,
            ),
            self._recap_done,
        )

    def remember_documents_dir(self, folder: Path) -> None:
        """The officer saved elsewhere: that folder is this workstation's from now on."""
        if folder.absolute() != self.documents_dir.absolute():
            self.documents_dir = folder
            self.settings.set_documents_dir(folder)

    def _recap_done(self, result: RecapResult) -> None:
        self.statusBar().showMessage(result.describe(), 15000)
        if not result.cancelled:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path)))

    def accept_recap_dialog(self, dialog: RecapDialog) -> bool:
        """Show the recap dialog (tests answer it directly)."""
        return bool(dialog.exec())

    def run_with_progress(
        self,
        label: str,
        work: Callable[[Progress, Cancelled], T],
        done: Callable[[T], object],
        *,
        failed: Callable[[BaseException], object] | None = None,
        runner: TaskRunner | None = None,
    ) -> None:
        """Run ``work(progress, cancelled)`` in the background with a cancellable dialog (on
        ``runner``, by default the database's; a failure is shown, or handed to ``failed``).
        """
        dialog = QProgressDialog(label, self.tr("Batal"), 0, 0, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        cancel = threading.Event()
        dialog.canceled.connect(cancel.set)
        relay = _Progress(dialog)
        relay.changed.connect(lambda finished, total: _show_progress(dialog, finished, total))

        def succeeded(result: T) -> None:
            dialog.reset()
            done(result)

        def went_wrong(error: BaseException) -> None:
            dialog.reset()
            if failed is not None:
                failed(error)
            else:
                show_error(self, error)

        self.progress_dialog = dialog
        (runner or self.runner).run(
            lambda: work(relay.changed.emit, cancel.is_set), succeeded, went_wrong
        )

    def verify_document(self) -> None:
        """Check a document's QR typed by a scanner, or its number and printed code."""
        text = self.ask_scan_text()
        if not text:
            return
        self.runner.run(
            lambda: self.session.verify_scan(text),
            self._show_scan_result,
            lambda e: show_error(self, e),
        )

    def _show_scan_result(self, result: ScanResult) -> None:
        details = "\n".join(f"{label}: {value}" for label, value in result.fields.items())
        QMessageBox.information(self, self.tr("Periksa dokumen"), f"{result.message}\n\n{details}")

    def open_pdf(self, name: str, pdf: bytes, printed: Printed | None = None) -> Path:
        """Write a PDF to the documents folder and show its print preview.

        ``printed`` names the documents to count as printed once the printer took every page.
        """
        self.documents_dir.mkdir(parents=True, exist_ok=True)
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)
        path = self.documents_dir / f"{safe}.pdf"
        path.write_bytes(pdf)
        self.preview(name, pdf, path, printed)
        self.statusBar().showMessage(self.tr("Dokumen: {path}").format(path=path), 10000)
        return path

    def preview(
        self, name: str, pdf: bytes, path: Path, printed: Printed | None = None
    ) -> DocumentPreviewDialog:
        """Show the print preview of a document (not modal: the queue stays usable)."""
        from disdukcapil_desk.ui.dialogs.document_preview import DocumentPreviewDialog

        dialog = DocumentPreviewDialog(
            name, pdf, path, lambda printer, data: self.print_on(printer, data, printed), self
        )
        dialog.show()
        return dialog

    def print_on(self, printer: QPrinter, pdf: bytes, printed: Printed | None = None) -> None:
        """Print ``pdf`` in the background with progress and cancel; a complete job counts
        the ``printed`` documents (a cancelled one counts nothing).
        """
        total = page_count(pdf)

        def done(pages: int) -> None:
            if pages < total:
                self.statusBar().showMessage(
                    self.tr("Dibatalkan setelah {pages} halaman.").format(pages=pages), 10000
                )
                return
            self.statusBar().showMessage(
                self.tr("{pages} halaman dikirim ke printer.").format(pages=pages), 10000
            )
            if printed is not None:
                kind, numbers = printed
                self.runner.run(
                    lambda: self.session.record_print(kind, numbers),
                    lambda _: None,
                    lambda e: show_error(self, e),
                )

        self.run_with_progress(
            "Mencetak…",
            lambda progress, cancelled: print_pdf(printer, pdf, progress, cancelled),
            done,
        )

    def ask_reason(self, title: str, prompt: str) -> str:
        """Ask for a required reason ("" when cancelled)."""
        dialog = ReasonDialog(title, prompt, confirm_label=self.tr("Lanjutkan"), parent=self)
        return dialog.text if dialog.exec() else ""

    def ask_scan_text(self) -> str:
        """Ask for the text of a scanned QR code."""
        text, ok = QInputDialog.getText(
            self,
            self.tr("Periksa dokumen"),
            self.tr(
                "Pindai kode QR dokumen, atau ketik nomornya lalu kode verifikasi yang tercetak\n"
                "(mis. 3604-LU-02112026-0001 ABCD-EFGH-JKLM-NPQR):"
            ),
        )
        return text.strip() if ok else ""

    def open_admin(self) -> AdminDialog:
        """Letterhead and signers, the signing certificate and akta numbers (administrators)."""
        from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog

        dialog = AdminDialog(self.session, self.runner, self)
        dialog.open()
        return dialog

    def open_pickup(self) -> PickupDialog:
        """Today's pickup list: check-in by scanning the receipt, booking, the printed list."""
        from disdukcapil_desk.ui.dialogs.pickup_dialog import PickupDialog

        dialog = PickupDialog(
            self.session, self.runner, lambda name, pdf: self.open_pdf(name, pdf), self
        )
        dialog.open()
        return dialog

    def open_walk_in(self) -> WalkInDialog:
        """A citizen at the counter: register the request, print its receipt, verify it."""
        from disdukcapil_desk.ui.dialogs.walk_in import WalkInDialog

        dialog = WalkInDialog(self.session, self.runner, self.settings, self.open_pdf, self)
        dialog.registered.connect(lambda result: self.open_request(result.request_id))
        dialog.open()
        return dialog

    def open_void(self) -> VoidDialog:
        """Void a wrong certificate, or void and reissue it (section heads)."""
        from disdukcapil_desk.ui.dialogs.void_dialog import VoidDialog

        dialog = VoidDialog(self.session, self.runner, self)
        dialog.open()
        return dialog

    def change_password(self) -> PasswordDialog:
        """The officer's own password (the old one asked again)."""
        actor = self.session.actor
        dialog = PasswordDialog(
            self.session.change_password,
            user=f"{actor.full_name} ({actor.login})",
            runner=self.runner,
            parent=self,
        )
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage(self.tr("Kata sandi diganti."), 8000)
        )
        dialog.open()
        return dialog

    def log_out(self) -> None:
        """Shift change: give the open request back, close this window, show the login again."""
        page = self._verification
        if self.stack.currentIndex() == PAGE_VERIFY and page is not None:
            if (
                page.dirty
                and not page.read_only
                and not ask_yes_no(
                    self,
                    self.tr("Perubahan belum disimpan"),
                    self.tr("Keluar akun tanpa menyimpan?"),
                    yes=self.tr("Keluar tanpa menyimpan"),
                    no=self.tr("Kembali"),
                )
            ):
                return
            page.dirty = False
            page.close_request()  # releases the lease in the worker
        self.logged_out.emit()
        self.close()

    def show_about(self) -> None:
        """Version, database, schema version and where the log is."""
        self.runner.run(
            self.session.schema_version,
            lambda version: AboutDialog(
                database_label=self.session.ctx.database_label,
                schema_version=version,
                parent=self,
            ).exec(),
            lambda e: show_error(self, e),
        )

    # -- idle lock ---------------------------------------------------------------------------------

    def check_idle(self) -> None:
        """Lock the screen after the workstation's idle minutes without input."""
        idle = time.monotonic() - self.watcher.last_input
        if idle >= self.settings.idle_minutes * 60 and self.stack.currentIndex() != PAGE_LOCKED:
            self.lock()

    def lock(self) -> None:
        """Hide everything personal until the password is entered again."""
        if self.stack.currentIndex() != PAGE_LOCKED:
            self._page_before_lock = self.stack.currentIndex()
        self.stack.setCurrentIndex(PAGE_LOCKED)
        # The toolbar goes as a whole (its shortcuts with it); each action keeps its own
        # visibility, which says what the officer's role may see.
        self.toolbar.hide()
        self.lock_screen.password.setFocus()

    def unlock(self) -> None:
        """Back to where the officer was; their input is untouched."""
        self.toolbar.show()
        self.stack.setCurrentIndex(self._page_before_lock)
        self.watcher.last_input = time.monotonic()

    # -- layout memory ---------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        login = self.session.actor.login
        geometry = self.settings.user_bytes(login, "geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            # First start: the whole screen (a laptop's 1366x768 has no pixel to spare).
            fit_to_screen(self, QSize(1366, 768))
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        elif not self.isMaximized():
            fit_to_screen(self)  # saved on a bigger screen, or with a bigger text size
        header = self.settings.user_bytes(login, "queue_header")
        if header is not None:
            self.queue.table.horizontalHeader().restoreState(header)
        saved = self.settings.user_value(login, "filters")
        if isinstance(saved, dict):  # the page of these filters is read by start()
            self.queue.set_filter(_filter_from(saved), reload=False)

    def _save_filters(self) -> None:
        flt = self.queue.current_filter
        self.settings.set_user_value(
            self.session.actor.login,
            "filters",
            {
                "status": _status_key(flt),
                "service": flt.service_code or "",
                "location": flt.location_code or "",
                "overdue": flt.overdue_only,
                "mine": flt.mine_only,
            },
        )

    def save_layout(self) -> None:
        """Remember window and column layout for this user."""
        login = self.session.actor.login
        self.settings.set_user_value(login, "geometry", self.saveGeometry())
        self.settings.set_user_value(
            login, "queue_header", self.queue.table.horizontalHeader().saveState()
        )
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the layout; warn about unsaved input on the verification screen."""
        page = self._verification
        unsaved = self.stack.currentIndex() == PAGE_VERIFY and page is not None and page.dirty
        if unsaved and not ask_yes_no(
            self,
            self.tr("Perubahan belum disimpan"),
            self.tr("Tutup aplikasi tanpa menyimpan?"),
            yes=self.tr("Tutup tanpa menyimpan"),
            no=self.tr("Kembali"),
        ):
            event.ignore()
            return
        self.save_layout()
        if page is not None:
            page.release_held()  # the runner finishes it before the desk exits
        self.refresh_timer.stop()
        self.idle_timer.stop()
        self.listener.stop()
        self.offline.stop()
        self.runner.run(self.session.close_offline, lambda _none: None, lambda _e: None)
        super().closeEvent(event)


def _status_key(flt: QueueFilter) -> str:
    """Key of the status filter as it shows: "open", "all" or one status value."""
    if len(flt.statuses) == 1:
        return next(iter(flt.statuses)).value
    return "open" if flt.statuses else "all"


def _statuses_of(key: str) -> frozenset[Status]:
    if key in {s.value for s in Status}:
        return frozenset({Status(key)})
    return frozenset() if key == "all" else frozenset(s for s in Status if s.is_open)


def _filter_from(saved: dict[str, object]) -> QueueFilter:
    return QueueFilter(
        statuses=_statuses_of(str(saved.get("status") or "open")),
        service_code=str(saved.get("service") or "") or None,
        location_code=str(saved.get("location") or "") or None,
        overdue_only=str(saved.get("overdue")).lower() == "true",
        mine_only=str(saved.get("mine")).lower() == "true",
    )


def _show_progress(dialog: QProgressDialog, done: int, total: int) -> None:
    dialog.setMaximum(total)
    dialog.setValue(done)


def install_watcher(app: QApplication) -> ActivityWatcher:
    """Create the activity watcher and let it see every input event of the application."""
    watcher = ActivityWatcher()
    app.installEventFilter(watcher)
    return watcher
