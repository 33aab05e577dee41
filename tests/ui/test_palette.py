"""The desk's colours come from one palette and one style sheet in resources/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from disdukcapil_desk.paths import resource_path
from disdukcapil_desk.ui import palette
from disdukcapil_desk.ui.geometry import apply_text_scale

UI = Path(palette.__file__).parent
COLOUR_LITERAL = re.compile(r"#[0-9a-fA-F]{3}\b|#[0-9a-fA-F]{6}\b|QColor\(\s*['\"]|setStyleSheet\(")


@pytest.fixture
def desk_style(qapp: QApplication) -> Iterator[QApplication]:
    """The desk's style sheet on the application, as at start; the font put back after.

    The sheet stays: taking it away deletes Qt's style-sheet style with widgets of other
    tests still styled by it (``palette.restyle`` says why that crashes later).
    """
    font = QFont(qapp.font())
    palette.install_stylesheet(qapp)
    yield qapp
    qapp.setFont(font)
    palette.restyle(qapp)


def test_the_style_sheet_is_a_resource_and_names_only_palette_colours() -> None:
    source = resource_path(palette.STYLESHEET).read_text(encoding="utf-8")
    names = set(re.findall(r"@([a-z_]+)", source))
    assert names and names <= set(palette.COLOURS), names - set(palette.COLOURS)
    sheet = palette.stylesheet()
    assert "@" not in sheet and palette.COLOURS["error"] in sheet


def test_no_colour_is_written_into_the_window_code_outside_the_palette() -> None:
    found = [
        f"{path.relative_to(UI)}:{number}: {line.strip()}"
        for path in sorted(UI.rglob("*.py"))
        if path.name != "palette.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if COLOUR_LITERAL.search(line)
    ]
    assert found == []


def test_a_tone_colours_a_label_from_the_style_sheet(
    qtbot: QtBot, desk_style: QApplication
) -> None:
    label = QLabel("Kata sandi salah")
    qtbot.addWidget(label)
    label.show()
    plain = label.palette().color(label.foregroundRole()).name()
    palette.set_tone(label, "error")
    assert label.palette().color(label.foregroundRole()).name() == palette.COLOURS["error"]
    palette.set_tone(label, "")
    assert label.palette().color(label.foregroundRole()).name() == plain


def test_a_new_text_size_reaches_open_windows_under_the_style_sheet(
    qtbot: QtBot, desk_style: QApplication
) -> None:
    window = QWidget()
    layout = QVBoxLayout(window)
    plain, toned = QLabel("Antrean", window), QLabel("Terputus", window)
    palette.set_tone(toned, "error")
    layout.addWidget(plain)
    layout.addWidget(toned)
    qtbot.addWidget(window)
    window.show()
    before = plain.font().pointSizeF()
    apply_text_scale(desk_style, 150)
    for label in (plain, toned):
        assert label.font().pointSizeF() > before * 1.3, "the style sheet kept the old size"


def test_a_new_text_size_keeps_the_style_sheet_style_in_place(
    qtbot: QtBot, desk_style: QApplication
) -> None:
    """Removing the sheet to repolish deletes Qt's style-sheet style and its caches, and the
    widgets styled before are then forgotten by the new caches: once one of them is destroyed,
    the next ``setStyleSheet`` reads freed memory (the desk crashed so in the tests)."""
    window = QLabel("Antrean")
    qtbot.addWidget(window)
    window.show()
    style = shiboken6.getCppPointer(desk_style.style())
    apply_text_scale(desk_style, 130)
    apply_text_scale(desk_style, 100)
    assert shiboken6.getCppPointer(desk_style.style()) == style
