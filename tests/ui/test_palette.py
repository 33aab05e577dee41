"""The desk's colours come from one palette and one style sheet in resources/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
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
    """The desk's style sheet on the application, as at start; taken away after."""
    before, font = qapp.styleSheet(), QFont(qapp.font())
    palette.install_stylesheet(qapp)
    yield qapp
    qapp.setStyleSheet(before)
    qapp.setFont(font)


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
