"""The attachments a citizen sent: images with zoom, rotate, fit, next/previous (ui layer)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.dto import AttachmentRow
from disdukcapil_desk.ui.pdf_pages import render_pages

Shown = Callable[[tuple[str, bytes]], None]
Loader = Callable[[int, Shown], None]
"""``load(attachment_id, show)`` fetches (media type, bytes) in the background, then calls
``show`` with them on the GUI thread."""
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class AttachmentViewer(QWidget):
    """A list of the request's attachments and a zoomable view of the selected one."""

    def __init__(self, load: Loader, parent: QWidget | None = None) -> None:
        """``load(attachment_id, show)`` fetches an attachment in the window's worker."""
        super().__init__(parent)
        self._load = load
        self._rotation = 0
        self._pixmap = QPixmap()
        self._current: tuple[str, bytes] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(self)
        self.list.setObjectName("attachments")
        self.list.setMaximumHeight(110)
        self.list.currentItemChanged.connect(self._on_selected)
        layout.addWidget(self.list)
        self.scene = QGraphicsScene(self)
        self.view = QGraphicsView(self.scene, self)
        self.view.setObjectName("attachmentView")
        self.view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.view.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        layout.addWidget(self.view, 1)
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        layout.addLayout(self._buttons())

    def _buttons(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        actions = (
            ("◀", "Lampiran sebelumnya (PgUp)", "PgUp", self.previous),
            ("▶", "Lampiran berikutnya (PgDown)", "PgDown", self.next),
            ("+", "Perbesar (Ctrl++)", "Ctrl++", lambda: self.zoom(1.25)),
            ("−", "Perkecil (Ctrl+-)", "Ctrl+-", lambda: self.zoom(0.8)),
            ("Pas", "Sesuaikan dengan layar (Ctrl+0)", "Ctrl+0", self.fit),
            ("⟳", "Putar 90° (Ctrl+R)", "Ctrl+R", self.rotate),
            ("Buka", "Buka di aplikasi lain", "", self.open_external),
        )
        for text, tip, keys, slot in actions:
            button = QPushButton(text, self)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            bar.addWidget(button)
            if keys:
                QShortcut(QKeySequence(keys), self, slot)
        bar.addStretch(1)
        return bar

    def load(self, attachments: tuple[AttachmentRow, ...], labels: dict[str, str]) -> None:
        """Show the list; the first attachment opens."""
        self.list.clear()
        self.scene.clear()
        self._current = None
        for attachment in attachments:
            answers = labels.get(attachment.requirement_code or "", "persyaratan belum ditandai")
            item = QListWidgetItem(f"{attachment.filename} — {answers}")
            item.setData(ID_ROLE, attachment.id)
            item.setToolTip(f"{attachment.media_type}, {attachment.size / 1024:.0f} KB")
            self.list.addItem(item)
        if attachments:
            self.list.setCurrentRow(0)
        else:
            self.note.setText("Pemohon tidak mengirim lampiran.")

    def _on_selected(self, item: QListWidgetItem | None) -> None:
        self.scene.clear()
        if item is None:
            return
        attachment_id = int(item.data(ID_ROLE))
        self._load(attachment_id, lambda loaded: self._show_loaded(attachment_id, loaded))

    def _show_loaded(self, attachment_id: int, loaded: tuple[str, bytes]) -> None:
        item = self.list.currentItem()
        if item is None or int(item.data(ID_ROLE)) != attachment_id:
            return  # the officer moved on while it loaded
        self.scene.clear()
        media_type, content = loaded
        self._current = (media_type, content)
        self._rotation = 0
        pixmap = QPixmap()
        if media_type.startswith("image/") and pixmap.loadFromData(content):
            self._show_images([pixmap.toImage()])
            self.note.setText(f"{pixmap.width()}×{pixmap.height()} piksel")
        elif media_type == "application/pdf" or content.startswith(b"%PDF"):
            self._show_pdf(content)
        else:
            self._pixmap = QPixmap()
            self.note.setText(f"Berkas {media_type}: klik 'Buka' untuk melihatnya.")

    def _show_pdf(self, content: bytes) -> None:
        try:
            images, count = render_pages(content)
        except ValueError as exc:
            self._pixmap = QPixmap()
            self.note.setText(f"{exc}. Klik 'Buka' untuk mencoba aplikasi lain.")
            return
        self._show_images(images)
        more = f" (ditampilkan {len(images)})" if len(images) < count else ""
        self.note.setText(f"PDF, {count} halaman{more}")

    def _show_images(self, images: list[QImage]) -> None:
        """Stack pages one under the other, with a gap, and fit the first one."""
        top = 0.0
        for image in images:
            item = QGraphicsPixmapItem(QPixmap.fromImage(image))
            item.setPos(0, top)
            self.scene.addItem(item)
            top += image.height() + 16
        self._pixmap = QPixmap.fromImage(images[0]) if images else QPixmap()
        self.fit()

    def next(self) -> None:
        """Show the next attachment."""
        self.list.setCurrentRow(min(self.list.currentRow() + 1, self.list.count() - 1))

    def previous(self) -> None:
        """Show the previous attachment."""
        self.list.setCurrentRow(max(self.list.currentRow() - 1, 0))

    def zoom(self, factor: float) -> None:
        """Zoom in or out."""
        self.view.scale(factor, factor)

    def rotate(self) -> None:
        """Turn the image a quarter to the right (photos sent sideways)."""
        self._rotation = (self._rotation + 90) % 360
        self.view.setTransform(QTransform().rotate(self._rotation))
        self.fit()

    def fit(self) -> None:
        """Fit the (first) page in the view."""
        if not self._pixmap.isNull():
            first = QRectF(0, 0, self._pixmap.width(), self._pixmap.height())
            self.view.fitInView(first, Qt.AspectRatioMode.KeepAspectRatio)

    def open_external(self) -> None:
        """Open the attachment in the workstation's own viewer (PDFs, odd formats)."""
        item = self.list.currentItem()
        if item is None or self._current is None:
            return
        suffix = Path(item.text().split(" — ")[0]).suffix or ".bin"
        with tempfile.NamedTemporaryFile(prefix="lampiran-", suffix=suffix, delete=False) as tmp:
            tmp.write(self._current[1])
        QDesktopServices.openUrl(QUrl.fromLocalFile(tmp.name))
