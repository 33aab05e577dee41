"""Keeping the desk inside the screen a workstation really has, and its text size (ui layer).

The common office laptop is 1366x768 with a 40-pixel taskbar, at 100 % or 125 % scaling: at
125 % the desk has about 1093x582 logical pixels. Every window goes through ``fit_to_screen``:
the main window opens maximised, dialogs are clamped to the free area and moved inside it
(``ScreenFit`` does it for every dialog the application shows, Qt's own included).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from disdukcapil_desk.ui.palette import restyle

FRAME_ALLOWANCE = QSize(16, 40)
"""Room for a window's frame and title bar before it is shown (the system draws them)."""

_BASE_FONT = "deskBaseFont"


def available_area(widget: QWidget | None = None) -> QRect:
    """The part of ``widget``'s screen windows may use (without the taskbar), logical pixels."""
    screen = widget.screen() if widget is not None else None
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def frame_allowance(window: QWidget) -> QSize:
    """The size of a window's frame: measured once shown, estimated before."""
    if window.isVisible():
        frame, inner = window.frameGeometry(), window.geometry()
        if frame.size() != inner.size():
            return QSize(frame.width() - inner.width(), frame.height() - inner.height())
    return FRAME_ALLOWANCE


def fit_to_screen(window: QWidget, preferred: QSize | None = None) -> QSize:
    """Size ``window`` as ``preferred`` (its size when None) but within the available area,
    frame included, and move it inside that area; returns the size given.
    """
    area = available_area(window)
    frame = frame_allowance(window)
    wanted = preferred if preferred is not None else window.size()
    size = QSize(
        max(1, min(wanted.width(), area.width() - frame.width())),
        max(1, min(wanted.height(), area.height() - frame.height())),
    )
    if size != window.size():
        window.resize(size)
    move_inside(window, area)
    return size


def move_inside(window: QWidget, area: QRect | None = None) -> None:
    """Move a top-level window so that its frame lies within ``area`` (the available one)."""
    area = area if area is not None else available_area(window)
    frame = frame_allowance(window)
    width, height = window.width() + frame.width(), window.height() + frame.height()
    x = min(max(window.x(), area.left()), max(area.left(), area.right() + 1 - width))
    y = min(max(window.y(), area.top()), max(area.top(), area.bottom() + 1 - height))
    if (x, y) != (window.x(), window.y()):
        window.move(x, y)


def fits_on_screen(window: QWidget) -> bool:
    """Whether the window, frame included, lies within the available area."""
    area = available_area(window)
    frame = frame_allowance(window)
    outer = QRect(window.pos(), window.size() + frame)
    return area.contains(outer)


class ScreenFit(QObject):
    """Clamps every dialog the application shows to the available screen area."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On a dialog's first show, fit it; never consume the event."""
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QDialog)
            and watched.isWindow()
            and not fits_on_screen(watched)
        ):
            fit_to_screen(watched)
        return False


def install_screen_fit(app: QApplication) -> ScreenFit:
    """Fit every dialog of ``app`` to the screen from now on."""
    fitter = ScreenFit(app)
    app.installEventFilter(fitter)
    return fitter


def apply_text_scale(app: QApplication, percent: int) -> None:
    """Scale the application's font to ``percent`` of the system's (the layout follows)."""
    base = app.property(_BASE_FONT)
    if not isinstance(base, QFont):
        base = QFont(app.font())
        app.setProperty(_BASE_FONT, base)
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * percent / 100)
    else:
        font.setPixelSize(max(1, round(base.pixelSize() * percent / 100)))
    app.setFont(font)
    restyle(app)  # with a style sheet, the new font reaches open windows only so
