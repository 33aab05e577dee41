"""A document photographed with the workstation's camera (only where Qt Multimedia exists).

Imported by the walk-in dialog only when ``camera_available()``: a workstation without Qt
Multimedia (or without a camera) attaches files from the scanner folder or the file chooser.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

from disdukcapil_desk.ui.messages import show_error

CAPTURE_TIMEOUT_MS = 10_000


def capture_photo(parent: QWidget, folder: Path) -> Path | None:
    """Take one photo with the default camera into ``folder``; None when there is no camera
    or it failed (the officer is told why).
    """
    from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession, QMediaDevices

    if not QMediaDevices.videoInputs():
        show_error(parent, RuntimeError(parent.tr("Tidak ada kamera di komputer ini")))
        return None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"foto-{dt.datetime.now():%Y%m%d-%H%M%S}.jpg"
    camera = QCamera(QMediaDevices.defaultVideoInput(), parent)
    capture = QImageCapture(parent)
    session = QMediaCaptureSession(parent)
    session.setCamera(camera)
    session.setImageCapture(capture)
    loop = QEventLoop(parent)
    saved: list[str] = []

    def on_saved(_id: int, name: str) -> None:
        saved.append(name)
        loop.quit()

    capture.imageSaved.connect(on_saved)
    capture.errorOccurred.connect(lambda *_args: loop.quit())
    capture.readyForCaptureChanged.connect(
        lambda ready: capture.captureToFile(str(target)) if ready else None
    )
    QTimer.singleShot(CAPTURE_TIMEOUT_MS, loop.quit)
    camera.start()
    loop.exec()
    camera.stop()
    if not saved:
        show_error(parent, RuntimeError(parent.tr("Foto gagal diambil; lampirkan berkas")))
        return None
    return Path(saved[0])
