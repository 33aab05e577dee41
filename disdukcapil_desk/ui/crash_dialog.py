"""The window's part of the crash hook: a short Indonesian message after the log entry (ui layer).

``crash.install_excepthook`` (installed first, in ``__main__``) logs the traceback. Once the
QApplication exists, :func:`install_gui_excepthook` chains after it and also tells the officer,
in a message box, what happened and what to do. PySide6 keeps the event loop running after an
exception in a slot, so the window and whatever was typed into it stay; the message says so.

The box is shown only on the GUI thread (a worker's error is logged, not shown from the wrong
thread) and never while another crash box is open (an error in a paint event would otherwise
stack boxes without end).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QThread
from PySide6.QtWidgets import QApplication, QMessageBox

from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger("disdukcapil_desk.ui")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]
CRASH_TITLE = QT_TRANSLATE_NOOP("crash_dialog", "Terjadi kesalahan")
_MARKER = "_disdukcapil_gui_hook"


def crash_message(exc_type: type[BaseException], log_file: Path | None) -> str:
    """The text of the crash box: what happened, that the input is kept, what to do."""
    where = (
        QCoreApplication.translate("crash_dialog", "<br><br>Berkas log: <code>{log_file}</code>")
        if log_file
        else ""
    )
    return QCoreApplication.translate(
        "crash_dialog",
        "Aplikasi mengalami kesalahan tak terduga ({kind}).<br><br>"
        "Isian yang belum disimpan masih ada di layar. Simpan pekerjaan Anda bila bisa, lalu "
        "tutup dan buka kembali aplikasi.<br>"
        "Bila kesalahan berulang, hubungi administrator dan kirimkan berkas log berikut.",
    ).format(kind=exc_type.__name__) + where.format(log_file=log_file)


class _State:
    showing = False


def install_gui_excepthook(log_file: Path | None) -> None:
    """Chain a message box after the current ``sys.excepthook`` (idempotent).

    Also routes uncaught exceptions of plain threads through the same hook, so their
    traceback reaches the log instead of only the console.
    """
    if getattr(sys.excepthook, _MARKER, False):
        return
    previous: ExceptHook = sys.excepthook
    state = _State()

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        try:
            previous(exc_type, exc, tb)
        except Exception:  # e.g. no stderr in a windowed Windows program: still show the box
            log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        if issubclass(exc_type, KeyboardInterrupt) or state.showing or not _on_gui_thread():
            return
        state.showing = True
        try:
            app = QApplication.instance()
            parent = app.activeWindow() if isinstance(app, QApplication) else None
            QMessageBox.critical(
                parent,
                QCoreApplication.translate("crash_dialog", CRASH_TITLE),
                crash_message(exc_type, log_file),
            )
        except Exception:  # the hook must never raise: log and go on
            log.exception("could not show the crash message")
        finally:
            state.showing = False

    setattr(hook, _MARKER, True)
    sys.excepthook = hook
    threading.excepthook = _thread_hook


def _on_gui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() == app.thread()


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    sys.excepthook(args.exc_type, args.exc_value, args.exc_traceback)
