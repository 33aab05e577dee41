"""The 'Tentang' dialog and the window's crash message (QMessageBox replaced by a recorder)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from disdukcapil_desk import __version__
from disdukcapil_desk.crash import install_excepthook
from disdukcapil_desk.log import setup_logging
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.ui import crash_dialog
from disdukcapil_desk.ui.crash_dialog import CRASH_TITLE, install_gui_excepthook
from disdukcapil_desk.ui.dialogs.about_dialog import AboutDialog, current_log_file

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


@pytest.fixture
def desk_log(tmp_path: Path) -> Iterator[Path]:
    """The desk's rotating log in tmp_path; the logger's handlers are put back afterwards."""
    logger = logging.getLogger("disdukcapil_desk")
    saved, level = list(logger.handlers), logger.level
    path = setup_logging(tmp_path / "log")
    yield path
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    for handler in saved:
        logger.addHandler(handler)
    logger.setLevel(level)


@pytest.fixture
def previous_hook(monkeypatch: pytest.MonkeyPatch) -> list[ExcInfo]:
    """Stand in for the hook installed before the GUI one; records what reaches it."""
    seen: list[ExcInfo] = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: seen.append(info))
    monkeypatch.setattr(threading, "excepthook", threading.__excepthook__)
    return seen


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, str, str]]:
    """Message boxes the crash hook would have shown: (parent, title, text)."""
    shown: list[tuple[Any, str, str]] = []

    def critical(parent: Any, title: str, text: str, *args: Any) -> None:
        shown.append((parent, title, text))

    monkeypatch.setattr(crash_dialog.QMessageBox, "critical", critical)
    return shown


def _raise_and_report(exc: BaseException) -> None:
    try:
        raise exc
    except BaseException as caught:
        sys.excepthook(type(caught), caught, caught.__traceback__)


# -- Tentang ---------------------------------------------------------------------------------


def test_about_shows_version_database_schema_and_log(
    qtbot: QtBot, ctx: DeskContext, tmp_path: Path
) -> None:
    log_file = tmp_path / "desk.log"
    dialog = AboutDialog(
        database_label=ctx.database_label,
        schema_version=SetupOps(ctx).check(),
        log_file=log_file,
    )
    qtbot.addWidget(dialog)
    values = {label: field.text() for label, field in dialog.values.items()}
    assert values["Versi aplikasi"] == __version__
    assert values["Basis data"] == ctx.database_label
    assert values["Versi skema"] == str(SetupOps(ctx).check())
    assert values["Berkas log"] == str(log_file)
    assert values["Qt / PySide6"] and values["Python"]
    assert dialog.windowTitle().startswith("Tentang")
    assert dialog.log_button.isEnabled()


def test_about_copies_its_facts_to_the_clipboard(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(database_label="sqlite:///x.db", schema_version=None, log_file=None)
    qtbot.addWidget(dialog)
    dialog.copy_button.click()
    text = QGuiApplication.clipboard().text()
    assert f"Versi aplikasi: {__version__}" in text
    assert "Versi skema: tidak diketahui" in text
    assert "Basis data: sqlite:///x.db" in text


def test_about_finds_the_log_file_of_the_desk(qtbot: QtBot, desk_log: Path) -> None:
    assert current_log_file() == desk_log
    dialog = AboutDialog(database_label="db", schema_version=3)
    qtbot.addWidget(dialog)
    assert dialog.values["Berkas log"].text() == str(desk_log)


# -- crash message ---------------------------------------------------------------------------


def test_crash_is_logged_then_explained_in_indonesian(
    qapp: QApplication,
    desk_log: Path,
    boxes: list[tuple[Any, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    monkeypatch.setattr(threading, "excepthook", threading.__excepthook__)
    install_excepthook()
    install_gui_excepthook(desk_log)
    _raise_and_report(ZeroDivisionError("bagi nol"))
    assert "ZeroDivisionError: bagi nol" in desk_log.read_text(encoding="utf-8")
    ((_, title, text),) = boxes
    assert title == CRASH_TITLE
    assert "ZeroDivisionError" in text
    assert "Isian yang belum disimpan masih ada di layar" in text
    assert "hubungi administrator" in text
    assert str(desk_log) in text


def test_hook_chains_to_the_previous_one(
    qapp: QApplication, previous_hook: list[ExcInfo], boxes: list[tuple[Any, str, str]]
) -> None:
    install_gui_excepthook(Path("desk.log"))
    _raise_and_report(ValueError("x"))
    assert [info[0] for info in previous_hook] == [ValueError]
    assert len(boxes) == 1


def test_no_second_box_while_one_is_open(
    qapp: QApplication, previous_hook: list[ExcInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    def critical(parent: Any, title: str, text: str, *args: Any) -> None:
        shown.append(text)
        # An error while the box is open (e.g. in a paint event) must not open another.
        _raise_and_report(RuntimeError("lagi"))

    monkeypatch.setattr(crash_dialog.QMessageBox, "critical", critical)
    install_gui_excepthook(None)
    _raise_and_report(KeyError("pertama"))
    assert len(shown) == 1
    assert [info[0] for info in previous_hook] == [KeyError, RuntimeError]
    _raise_and_report(KeyError("sesudahnya"))
    assert len(shown) == 2


def test_a_broken_box_does_not_raise_from_the_hook(
    qapp: QApplication, previous_hook: list[ExcInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    def critical(*args: Any) -> None:
        raise RuntimeError("kotak pesan rusak")

    monkeypatch.setattr(crash_dialog.QMessageBox, "critical", critical)
    install_gui_excepthook(None)
    _raise_and_report(ValueError("x"))
    assert [info[0] for info in previous_hook] == [ValueError]


def test_worker_thread_errors_are_logged_not_shown(
    qapp: QApplication, previous_hook: list[ExcInfo], boxes: list[tuple[Any, str, str]]
) -> None:
    install_gui_excepthook(None)

    def work() -> None:
        raise OSError("disk penuh")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert [info[0] for info in previous_hook] == [OSError]
    assert boxes == []


def test_keyboard_interrupt_shows_nothing(
    qapp: QApplication, previous_hook: list[ExcInfo], boxes: list[tuple[Any, str, str]]
) -> None:
    install_gui_excepthook(None)
    _raise_and_report(KeyboardInterrupt())
    assert len(previous_hook) == 1
    assert boxes == []


def test_installing_twice_shows_one_box(
    qapp: QApplication, previous_hook: list[ExcInfo], boxes: list[tuple[Any, str, str]]
) -> None:
    install_gui_excepthook(None)
    install_gui_excepthook(None)
    _raise_and_report(ValueError("x"))
    assert len(previous_hook) == 1
    assert len(boxes) == 1


def test_box_still_shown_when_the_previous_hook_fails(
    qapp: QApplication,
    desk_log: Path,
    boxes: list[tuple[Any, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A windowed Windows program has sys.stderr = None: the first hook's write fails.
    def failing(*info: Any) -> None:
        raise AttributeError("'NoneType' object has no attribute 'write'")

    monkeypatch.setattr(sys, "excepthook", failing)
    monkeypatch.setattr(threading, "excepthook", threading.__excepthook__)
    install_gui_excepthook(desk_log)
    _raise_and_report(LookupError("hilang"))
    assert "LookupError: hilang" in desk_log.read_text(encoding="utf-8")
    assert len(boxes) == 1
