"""The account menu's "Periksa pembaruan" with the desk's real threaded runner: the check (and
the schema read it needs) runs off the GUI thread, a verified release is staged and said so, a
refusal is a warning that changes nothing, and the workstation remembers when it checked."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.updates import UpdatePlace
from disdukcapil_desk.updates import APP_NAME, ROOT_FILE_NAME
from disdukcapil_desk.updates.client import Outcome
from disdukcapil_desk.updates.publish import targets_dir
from tests.integration.test_updates import NEW, Office, _tamper, office
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
    qtbot.waitUntil(lambda: bool(boxes), timeout=WAIT)

    kind, text = boxes[0]
    assert kind == "information" and f"Versi {NEW} sudah diunduh dan diperiksa" in text
    result = window.last_update_result
    assert result.outcome is Outcome.READY and result.downloaded > 0
    assert (office.cache / "staged" / NEW).is_dir()
    checked = window.settings.shared.update_checked
    assert checked is not None and checked[1] == "ready"


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
