"""Updates in the window (the window's side of :mod:`disdukcapil_desk.updates.client`).

- **At start** (:func:`check_at_start`): once the database passed its check, the configured
  repository is asked in the background, on a task runner of its own (a download never makes
  the officer's database work wait, nor the login); a workstation that cannot reach it keeps
  working, and the account menu's "Periksa pembaruan" says when the repository last answered.
- **On demand**: the account menu's "Periksa pembaruan…", with progress.
- **A staged release** is offered: "Mulai ulang sekarang" gives the officer's claimed requests
  back to the queue (the queue's audited release), ends the window and restarts the desk,
  which installs the release before its window loads (:mod:`disdukcapil_desk.updates.install`);
  "Nanti" leaves it for the next start.
- **A database newer than this desk** at start: the refusal offers "Periksa pembaruan" right
  there (:func:`offer_at_newer_schema`).

tufup (with tuf and requests) is imported only on the worker, when a check runs: the window
opens no slower for it. The shared database's schema version is read on the database's runner,
so a release that needs a newer schema waits for the administrator's ``db upgrade``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from disdukcapil_desk import __version__
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.updates import trusted_root_of
from disdukcapil_desk.updates.install import (
    CACHE_FOLDER,
    installation,
    pending_update,
    request_restart,
    user_update_cache,
    writable,
)

if TYPE_CHECKING:
    from disdukcapil_desk.operations.context import DeskContext
    from disdukcapil_desk.settings import WorkstationFile
    from disdukcapil_desk.ui.main_window import MainWindow
    from disdukcapil_desk.ui.session import DeskSession
    from disdukcapil_desk.ui.tasks import TaskRunner
    from disdukcapil_desk.ui.workstation import WorkstationSettings
    from disdukcapil_desk.updates.client import Progress, UpdateResult

log = logging.getLogger(__name__)
__all__ = ["CACHE_FOLDER", "UpdatePlace", "check_at_start", "default_place", "update_action"]
OFFER_NAME = "updateOffer"
"""The object name of the "Mulai ulang sekarang" offer (a non-modal message box)."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("updates", text)


@dataclass(frozen=True)
class UpdatePlace:
    """Where this desk is installed and where its updates wait (None: not an installed bundle)."""

    install_dir: Path | None
    cache_dir: Path

    @property
    def trusted_root(self) -> Path | None:
        """The root metadata the bundle carries."""
        return trusted_root_of(self.install_dir) if self.install_dir else None


def default_place() -> UpdatePlace:
    """The running bundle's folder (a source checkout has none) and the update cache of this
    start (below ``--basedir`` when given, as the command line's ``update check`` uses).
    """
    return UpdatePlace(installation(), user_update_cache())


def update_action(window: MainWindow) -> QAction:
    """The "Periksa pembaruan…" action of the account menu; its tip says when the repository
    last answered this workstation.
    """
    from disdukcapil_desk.updates.install import last_checked

    action = QAction(_tr("Periksa pembaruan…"), window)
    action.setObjectName("checkUpdateAction")
    tip = last_checked(window.settings.shared.update_checked)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda: check_for_updates(window))
    return action


def check_for_updates(window: MainWindow) -> None:
    """Ask the repository set for this workstation; tell the officer the outcome. A release
    already staged is offered at once ("Mulai ulang sekarang").
    """
    shared = window.settings.shared
    place: UpdatePlace = window.update_place
    title = _tr("Periksa pembaruan")
    staged = pending_update(place.cache_dir, __version__)
    if staged is not None and place.install_dir is not None:
        offer_restart(window, staged[0])
        return
    if not shared.update_url:
        QMessageBox.information(
            window,
            title,
            _tr(
                "Alamat repositori pembaruan belum diatur di komputer ini. Administrator "
                "mengaturnya dengan perintah 'disdukcapil-desk update set-url URL'."
            ),
        )
        return
    if place.install_dir is None or place.trusted_root is None:
        QMessageBox.information(
            window, title, _tr("Pembaruan hanya untuk aplikasi yang dipasang dari bundel.")
        )
        return
    url, install, root = shared.update_url, place.install_dir, place.trusted_root
    session = window.session

    def ask(schema: int | None) -> None:
        def work(progress: Progress, cancelled: Callable[[], bool]) -> UpdateResult:
            def step(done: int, total: int) -> None:
                if cancelled():
                    raise DeskError(_tr("Pemeriksaan pembaruan dibatalkan"))
                progress(done, total)

            return _check(url, install, place.cache_dir, root, schema, step)

        window.run_with_progress(
            _tr("Memeriksa pembaruan…"),
            work,
            lambda result: show_update_result(window, result),
            runner=network_runner(),
        )

    # The schema on the database's runner; the download on a runner of its own, so the
    # officer's work goes on while it runs.
    window.runner.run(session.schema_version, ask, lambda _e: ask(None))


def network_runner() -> TaskRunner:
    """The task runner of the update checks the officer asks for (made once, ended with the
    application): a download never holds up the database's runner.
    """
    from disdukcapil_desk.ui.tasks import TaskRunner

    if not _network:
        made = TaskRunner()
        _network.append(made)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(made.shutdown)
    return _network[0]


_network: list[TaskRunner] = []


def _check(
    url: str,
    install: Path,
    cache_dir: Path,
    root: Path,
    schema: int | None,
    progress: Progress | None,
) -> UpdateResult:
    """One check (on a worker: tufup is imported here)."""
    from disdukcapil_desk.updates.client import check_for_update

    return check_for_update(
        url,
        install,
        __version__,
        cache_dir=cache_dir,
        trusted_root=root,
        database_schema=schema,
        progress=progress,
    )


def remember_check(shared: WorkstationFile, result: UpdateResult) -> str:
    """Remember the check when the repository answered; return what to tell the officer."""
    from disdukcapil_desk.updates.client import Outcome
    from disdukcapil_desk.updates.install import last_checked

    if result.outcome is Outcome.UNREACHABLE:
        return result.message + "\n\n" + last_checked(shared.update_checked)
    shared.set_update_checked(dt.datetime.now(dt.UTC), result.outcome.value)
    return result.message


def show_update_result(window: MainWindow, result: UpdateResult) -> None:
    """Remember the check (when the repository answered) and say its outcome; a staged
    release is offered ("Mulai ulang sekarang").
    """
    from disdukcapil_desk.updates.client import Outcome

    text = remember_check(window.settings.shared, result)
    window.last_update_result = result
    _say_last_check(window)
    title = _tr("Periksa pembaruan")
    if result.outcome is Outcome.READY and result.version is not None:
        offer_restart(window, result.version)
    elif result.outcome is Outcome.UP_TO_DATE:
        QMessageBox.information(window, title, text)
    else:
        QMessageBox.warning(window, title, text)


def _say_last_check(window: MainWindow) -> None:
    """The account menu's tip: when the repository last answered."""
    from disdukcapil_desk.updates.install import last_checked

    action = window.findChild(QAction, "checkUpdateAction")
    if action is not None:
        tip = last_checked(window.settings.shared.update_checked)
        action.setToolTip(tip)
        action.setStatusTip(tip)


# -- the offer: restart now, or at the next start ----------------------------------------------


def offer_restart(window: MainWindow, version: str) -> QMessageBox:
    """Offer to restart into the staged ``version`` now (non-modal; the window stays usable).

    An installation this user cannot write (``Program Files``) cannot take it: then the
    officer is only told, and the administrator installs the new setup.
    """
    for old in window.findChildren(QMessageBox, OFFER_NAME):
        old.close()
        old.deleteLater()
    install = window.update_place.install_dir
    if install is not None and not writable(install):
        box = QMessageBox(
            QMessageBox.Icon.Information,
            _tr("Pembaruan siap"),
            _tr(
                "Versi {version} sudah diunduh dan diperiksa, tetapi folder aplikasi di "
                "komputer ini tidak dapat diubah oleh akun ini. Minta administrator "
                "memasangnya."
            ).format(version=version),
            parent=window,
        )
        box.setObjectName(OFFER_NAME)
        box.open()
        return box
    box = QMessageBox(
        QMessageBox.Icon.Information,
        _tr("Pembaruan siap"),
        _tr(
            "Versi {version} sudah diunduh dan diperiksa.\n\nMulai ulang sekarang? Permohonan "
            "yang sedang Anda pegang dikembalikan ke antrean lebih dahulu. Bila nanti, versi "
            "baru dipasang saat aplikasi dibuka lagi."
        ).format(version=version),
        parent=window,
    )
    box.setObjectName(OFFER_NAME)
    now = box.addButton(_tr("Mulai ulang sekarang"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_tr("Nanti"), QMessageBox.ButtonRole.RejectRole)
    now.setObjectName("restartNowButton")
    now.clicked.connect(lambda: restart_now(window))
    box.open()
    return box


def restart_now(window: MainWindow) -> None:
    """Give the officer's claims back (audited, on the database's runner), end the window and
    restart: the new start installs the staged release before its window loads.
    """
    from disdukcapil_desk.ui.main_window import PAGE_VERIFY
    from disdukcapil_desk.ui.messages import ask_yes_no, show_error

    if _locked(window):  # the offer stayed up while the idle lock came: not for a passer-by
        return
    page = window.verification
    if (
        window.stack.currentIndex() == PAGE_VERIFY
        and page.dirty
        and not page.read_only
        and not ask_yes_no(
            window,
            _tr("Perubahan belum disimpan"),
            _tr("Mulai ulang tanpa menyimpan?"),
            yes=_tr("Mulai ulang tanpa menyimpan"),
            no=_tr("Kembali"),
        )
    ):
        return
    page.dirty = False
    page.release_held()  # the open request first: the runner keeps the order
    session = window.session

    def released(count: int) -> None:
        log.info("restart for the update: %d claimed requests given back", count)
        request_restart()
        window.close()
        QTimer.singleShot(0, QCoreApplication.quit)

    window.runner.run(lambda: release_claims(session), released, lambda e: show_error(window, e))


def release_claims(session: DeskSession) -> int:
    """Give every request the officer holds back to the queue (each release audited by the
    queue); return how many. A claim whose lease already ran out is left to the queue's sweep.
    """
    from disdukcapil_desk.domain.dto import Cursor, QueueFilter
    from disdukcapil_desk.domain.errors import ClaimError
    from disdukcapil_desk.domain.workflow import Permission, Status

    if not (session.can(Permission.EDIT_REQUEST) and session.can(Permission.VIEW_QUEUE)):
        return 0
    mine = QueueFilter(statuses=frozenset({Status.IN_REVIEW}), mine_only=True)
    released, cursor = 0, None
    while True:
        page = session.page(mine, cursor, 200)
        for row in page.rows:
            try:
                session.release(row.id)
                released += 1
            except ClaimError:
                log.info("claim of %s had expired; the queue takes it back", row.number)
        cursor_next: Cursor | None = page.next_cursor
        if cursor_next is None:
            return released
        cursor = cursor_next


# -- at start --------------------------------------------------------------------------------


class StartCheck(QObject):
    """The check of the repository at start, on a task runner of its own (a download never
    holds up the database's runner). The outcome is remembered in the settings; a staged
    release is offered in the officer's window once there is one.
    """

    def __init__(
        self,
        ctx: DeskContext,
        settings: WorkstationSettings,
        runner: TaskRunner,
        place: UpdatePlace,
    ) -> None:
        """Nothing starts before :meth:`start`."""
        super().__init__(QApplication.instance())
        from disdukcapil_desk.ui.tasks import TaskRunner

        self._ctx, self._settings, self._runner, self._place = ctx, settings, runner, place
        self._network = TaskRunner()
        self._stopped = threading.Event()
        self._waiting = QTimer(self)
        self._waiting.setInterval(1000)
        self._waiting.timeout.connect(self._offer_when_window)
        self.result: UpdateResult | None = None
        """The outcome, once the check ended."""
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def start(self) -> bool:
        """Begin (the schema read first, on the database's runner); False when this desk has
        no repository set or is not an installed bundle.
        """
        url, root = self._settings.shared.update_url, self._place.trusted_root
        if not url or self._place.install_dir is None or root is None:
            return False
        ctx = self._ctx
        self._runner.run(lambda: _schema_of(ctx), self._ask, lambda _e: self._ask(None))
        return True

    def _ask(self, schema: int | None) -> None:
        url, install = self._settings.shared.update_url, self._place.install_dir
        root = self._place.trusted_root
        assert install is not None
        assert root is not None
        stopped, cache = self._stopped, self._place.cache_dir

        def progress(done: int, total: int) -> None:
            if stopped.is_set():
                raise _Stopped

        self._network.run(
            lambda: _check(url, install, cache, root, schema, progress),
            self._answered,
            lambda e: log.warning("update check at start failed: %s", e),
        )

    def _answered(self, result: UpdateResult) -> None:
        from disdukcapil_desk.updates.client import Outcome

        self.result = result
        remember_check(self._settings.shared, result)
        log.info("update check at start: %s", result.outcome.value)
        window = _officer_window()
        if window is not None:
            _say_last_check(window)
            window.statusBar().showMessage(result.message, 15_000)
        if result.outcome is Outcome.READY:
            self._offer_when_window()

    def _offer_when_window(self) -> None:
        """Offer the staged release in the officer's window (waiting for the login, or for
        the idle lock to be lifted).
        """
        window = _officer_window()
        if window is None:
            self._waiting.start()
            return
        self._waiting.stop()
        if self.result is not None and self.result.version is not None:
            offer_restart(window, self.result.version)

    def stop(self) -> None:
        """The desk ends: a download stops at its next piece (a patch being applied ends)."""
        if self in _running:
            _running.remove(self)
        self._waiting.stop()
        self._stopped.set()
        self._network.shutdown()


_running: list[StartCheck] = []


class _Stopped(Exception):
    """The desk ended during the check."""


def _schema_of(ctx: DeskContext) -> int | None:
    """The shared database's schema version (None when it cannot be read)."""
    from disdukcapil_desk.operations.setup import SetupOps

    try:
        return SetupOps(ctx).check()
    except Exception:  # the check is only a hint for the update; the start already passed
        return None


def _officer_window() -> MainWindow | None:
    """The officer's visible main window, if one is open and not behind the idle lock."""
    from disdukcapil_desk.ui.main_window import MainWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible() and not _locked(widget):
            return widget
    return None


def _locked(window: MainWindow) -> bool:
    from disdukcapil_desk.ui.main_window import PAGE_LOCKED

    return window.stack.currentIndex() == PAGE_LOCKED


def check_at_start(
    ctx: DeskContext, settings: WorkstationSettings, runner: TaskRunner
) -> StartCheck:
    """Ask the repository in the background as the desk starts (see :class:`StartCheck`)."""
    check = StartCheck(ctx, settings, runner, default_place())
    if check.start():
        _running.append(check)  # kept until the desk ends
    return check


# -- a database newer than this desk -----------------------------------------------------------


def offer_at_newer_schema(
    parent: QWidget | None,
    title: str,
    refusal: str,
    ctx: DeskContext,
    settings: WorkstationSettings,
    runner: TaskRunner,
) -> bool:
    """Say the start-up refusal of a newer database with "Periksa pembaruan" beside "Keluar";
    False when it cannot be offered here (no repository set, not an installed bundle: the
    caller says the refusal as before).

    "Periksa pembaruan" checks with progress; a release verified and staged is installed by
    restarting at once ("Mulai ulang sekarang": no officer is logged in, nothing is held).
    """
    place = default_place()
    url, root = settings.shared.update_url, place.trusted_root
    if not url or place.install_dir is None or root is None:
        return False
    box = QMessageBox(QMessageBox.Icon.Critical, title, refusal, parent=parent)
    box.setObjectName("newerSchemaRefusal")
    check = box.addButton(_tr("Periksa pembaruan"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_tr("Keluar"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not check:
        return True
    from disdukcapil_desk.ui.desk_app import in_background
    from disdukcapil_desk.updates.client import Outcome

    install = place.install_dir
    waiting = QProgressDialog(_tr("Memeriksa pembaruan…"), "", 0, 0, parent)
    waiting.setCancelButton(None)
    waiting.setMinimumDuration(0)
    waiting.show()
    try:
        schema = in_background(runner, lambda: _schema_of(ctx))
        result = in_background(
            runner, lambda: _check(url, install, place.cache_dir, root, schema, None)
        )
    finally:
        waiting.reset()
        waiting.deleteLater()
    text = remember_check(settings.shared, result)
    if result.outcome is not Outcome.READY:
        QMessageBox.warning(parent, _tr("Periksa pembaruan"), text)
        return True
    box = QMessageBox(QMessageBox.Icon.Information, _tr("Pembaruan siap"), text, parent=parent)
    now = box.addButton(_tr("Mulai ulang sekarang"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_tr("Nanti"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is now:
        request_restart()
    return True
