"""The desk's colours: one palette, and the style sheet that uses it (ui layer).

Widgets are styled by ``resources/ui/desk.qss`` (found through ``paths.resource_path()`` in
the source tree, an installed package and the bundle alike), loaded once at start by
:func:`install_stylesheet`. The style sheet names colours as ``@name``; they are the
:data:`COLOURS` below, which code that paints (table rows, rich text) uses directly. A label
says what it is with a *tone* (:func:`set_tone`): ``error``, ``warning``, ``hint``, ``ok``…
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from disdukcapil_desk.paths import resource_path

STYLESHEET = "ui/desk.qss"
COLOURS: dict[str, str] = {
    "error": "#b71c1c",  # Errors and refusals: red text, the lost-connection banner.
    "warning": "#8a5a00",  # Warnings: dark amber text.
    "info": "#1f4e79",  # Information and messages for the citizen: dark blue.
    "ok": "#1b5e20",  # Success: dark green text.
    "neutral": "#37474f",  # A state that is neither good nor bad (testing…).
    "hint": "#555555",  # Explanations under a form.
    "inactive": "#8a8a8a",  # Users that may no longer log in.
    "on_error": "#ffffff",  # Text on an error background.
    "attention_bg": "#fff4d6",  # Due today; the holder banner of a request.
    "attention_border": "#e0c080",
    "problem_bg": "#fde0dc",  # Overdue; a requirement that does not pass.
    "passed_bg": "#e3f1e4",  # A requirement that passes.
    "message_bg": "#f3f6fa",  # A stored message for the citizen, in the history.
    "incoming_bg": "#ffffff",  # What the citizen sent, in the conversation.
    "outgoing_border": "#c5d3e3",  # What went to the citizen, in the conversation.
    "paper_surround": "#808080",  # Around the pages of a document preview.
    "text": "#000000",
}
_TOKEN = re.compile(r"@([a-z_]+)")


def colour(name: str) -> QColor:
    """A palette colour for code that paints."""
    return QColor(COLOURS[name])


def stylesheet() -> str:
    """The desk's style sheet with the palette's colours filled in.

    Raises:
        KeyError: the style sheet names a colour the palette does not have.
    """
    text = resource_path(STYLESHEET).read_text(encoding="utf-8")
    return _TOKEN.sub(lambda match: COLOURS[match.group(1)], text)


def install_stylesheet(app: QApplication) -> None:
    """Style the whole application (at start; :func:`restyle` after a font change).

    A sheet already in place is not set again: setting it repolishes every widget of the
    process, and a desk started again in one process (the tests) would pay for nothing.
    """
    sheet = stylesheet()
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)


def restyle(app: QApplication) -> None:
    """Polish every widget again: once a style sheet is set, a new application font only
    reaches the widgets that exist when they are polished again.

    The same sheet is set again, which repolishes in place. Removing it first (``""`` then
    the sheet) would delete Qt's style-sheet style and its caches; widgets styled before are
    then unknown to the new caches, and once one of them is destroyed a later repolish reads
    freed memory and the process crashes (seen as a crash in ``setStyleSheet`` after a text
    size change).
    """
    sheet = app.styleSheet()
    if sheet:
        app.setStyleSheet(sheet)


def set_tone(widget: QWidget, tone: str) -> None:
    """Give ``widget`` the style sheet's look for ``tone`` (``""``: plain)."""
    if widget.property("tone") == tone:
        return
    widget.setProperty("tone", tone)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
