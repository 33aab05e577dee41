"""The account menu's "Periksa pembaruan": ask the office's update repository in the
background, with progress, and say what came of it (the window's side of
:mod:`disdukcapil_desk.updates.client`).

tufup (with tuf, requests and setuptools) is imported only when the officer asks: the window
opens no slower for it. The check runs through the task runner (the shared database's schema
version is read there too, so a release that needs a newer schema waits for the
administrator's ``db upgrade``); a verified newer release is staged and installed when the desk
is opened again.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from disdukcapil_desk import __version__
from disdukcapil_desk.updates import trusted_root_of

if TYPE_CHECKING:
    from disdukcapil_desk.ui.main_window import MainWindow
    from disdukcapil_desk.updates.client import Progress, UpdateResult

CACHE_FOLDER = "pembaruan"
"""The update cache below the user's cache folder (the CLI's ``update check`` uses it too)."""


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
    """The running bundle's folder (a source checkout has none) and this user's update cache."""
    from disdukcapil_desk.paths import user_dirs

    frozen = getattr(sys, "frozen", False)
    install = Path(sys.executable).resolve().parent if frozen else None
    return UpdatePlace(install, user_dirs().cache / CACHE_FOLDER)


def update_action(window: MainWindow) -> QAction:
    """The "Periksa pembaruan…" action of the account menu."""
    action = QAction(_tr("Periksa pembaruan…"), window)
    action.setObjectName("checkUpdateAction")
    action.triggered.connect(lambda: check_for_updates(window))
    return action


def check_for_updates(window: MainWindow) -> None:
    """Ask the repository set for this workstation; tell the officer the outcome."""
    shared = window.settings.shared
    place: UpdatePlace = window.update_place
    title = _tr("Periksa pembaruan")
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

    def work(progress: Progress, cancelled: Callable[[], bool]) -> UpdateResult:
        from disdukcapil_desk.updates.client import check_for_update

        return check_for_update(
            url,
            install,
            __version__,
            cache_dir=place.cache_dir,
            trusted_root=root,
            database_schema=session.schema_version(),
            progress=progress,
        )

    window.run_with_progress(
        _tr("Memeriksa pembaruan…"), work, lambda result: show_update_result(window, result)
    )


def show_update_result(window: MainWindow, result: UpdateResult) -> None:
    """Remember the check (when the repository answered) and say its outcome."""
    from disdukcapil_desk.updates.client import Outcome, last_checked

    shared = window.settings.shared
    text = result.message
    if result.outcome is Outcome.UNREACHABLE:
        text += "\n\n" + last_checked(shared.update_checked)
    else:
        shared.set_update_checked(dt.datetime.now(dt.UTC), result.outcome.value)
    window.last_update_result = result
    title = _tr("Periksa pembaruan")
    if result.outcome in (Outcome.READY, Outcome.UP_TO_DATE):
        QMessageBox.information(window, title, text)
    else:
        QMessageBox.warning(window, title, text)
