"""The attachments a citizen sent: images with zoom, rotate, fit, next/previous (ui layer).

The attachments are a strip of file names above the view; each remembers its own rotation
(a photo sent sideways is turned once, and only that photo). The bytes are fetched through
the page's task runner, never on the window's thread.
"""

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
    QAbstractItemView,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.dto import AttachmentRow
from disdukcapil_desk.ui.pdf_pages import render_pages

Content = tuple[str, bytes]
Fetch = Callable[[int, Callable[[Content], None]], None]
"""``fetch(attachment_id, shown)`` loads (media type, bytes) in the background, then calls
``shown`` on the window's thread."""
ID_ROLE = Qt.ItemDataRole.UserRole + 1
CODE_ROLE = Qt.ItemDataRole.UserRole + 2


class AttachmentViewer(QWidget):
    """A strip of the request's attachments and a zoomable view of the selected one."""

    def __init__(self, fetch: Fetch, parent: QWidget | None = None) -> None:
        """``fetch`` loads an attachment's content in the background (see ``Fetch``)."""
        super().__init__(parent)
        self._fetch = fetch
        self._rotations: dict[int, int] = {}
        self._shown_id: int | None = None
        self._pixmap = QPixmap()
        self._current: Content | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self._strip())
        self.scene = QGraphicsScene(self)
        self.view = QGraphicsView(self.scene, self)
        self.view.setObjectName("attachmentView")
        self.view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.view.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.view.setMinimumHeight(120)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._buttons())

    def _strip(self) -> QListWidget:
        self.list = QListWidget(self)
        self.list.setObjectName("attachments")
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(2)
        row = self.list.fontMetrics().height() + 10
        scroll = self.list.horizontalScrollBar().sizeHint().height()
        self.list.setFixedHeight(row + scroll + 2 * self.list.frameWidth())
        self.list.currentItemChanged.connect(self._on_selected)
        return self.list

    def _buttons(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(3)
        actions = (
            ("◀", self.tr("Lampiran sebelumnya (PgUp)"), "PgUp", self.previous),
            ("▶", self.tr("Lampiran berikutnya (PgDown)"), "PgDown", self.next),
            ("+", self.tr("Perbesar (Ctrl++)"), "Ctrl++", lambda: self.zoom(1.25)),
            ("−", self.tr("Perkecil (Ctrl+-)"), "Ctrl+-", lambda: self.zoom(0.8)),
            (self.tr("Pas"), self.tr("Sesuaikan dengan layar (Ctrl+0)"), "Ctrl+0", self.fit),
            ("⟲", self.tr("Putar 90° ke kiri (Ctrl+Shift+R)"), "Ctrl+Shift+R", self.rotate_left),
            ("⟳", self.tr("Putar 90° ke kanan (Ctrl+R)"), "Ctrl+R", self.rotate),
            (self.tr("Buka"), self.tr("Buka di aplikasi lain"), "", self.open_external),
        )
        self.action_buttons: dict[str, QPushButton] = {}
        for text, tip, keys, slot in actions:
            button = QPushButton(text, self)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            width = button.fontMetrics().horizontalAdvance(text) + 24
            button.setMaximumWidth(max(width, 34))
            bar.addWidget(button)
            self.action_buttons[text] = button
            if keys:
                QShortcut(QKeySequence(keys), self, slot)
        self.note = QLabel("", self)
        self.note.setObjectName("attachmentNote")
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.note, 1)
        return bar

    # -- the request's attachments -------------------------------------------------------------

    def load(self, attachments: tuple[AttachmentRow, ...], labels: dict[str, str]) -> None:
        """Show a request's attachments (forgetting the previous request's rotations); the first
        one opens.
        """
        self.list.blockSignals(True)
        self.list.clear()
        self.list.blockSignals(False)
        self._clear()
        self._rotations.clear()
        for attachment in attachments:
            answers = labels.get(attachment.requirement_code or "", "persyaratan belum ditandai")
            item = QListWidgetItem(attachment.filename)
            item.setData(ID_ROLE, attachment.id)
            item.setData(CODE_ROLE, attachment.requirement_code or "")
            item.setToolTip(
                self.tr("{answers}\n{attachment.media_type}, {0:.0f} KB").format(
                    attachment.size / 1024, answers=answers, attachment=attachment
                )
            )
            self.list.addItem(item)
        if attachments:
            self.list.setCurrentRow(0)
        else:
            self.note.setText(self.tr("Pemohon tidak mengirim lampiran."))

    def filenames_by_requirement(self) -> dict[str, list[str]]:
        """The file names sent for each requirement code."""
        result: dict[str, list[str]] = {}
        for row in range(self.list.count()):
            item = self.list.item(row)
            code = str(item.data(CODE_ROLE) or "")
            if code:
                result.setdefault(code, []).append(item.text())
        return result

    def show_requirement(self, code: str, label: str = "") -> bool:
        """Show the (first) attachment sent for a requirement; say so when there is none."""
        for row in range(self.list.count()):
            if self.list.item(row).data(CODE_ROLE) == code:
                if self.list.currentRow() != row:
                    self.list.setCurrentRow(row)
                return True
        self.list.setCurrentRow(-1)
        self._clear()
        self.note.setText(self.tr("Tidak ada lampiran untuk: {0}").format(label or code))
        return False

    @property
    def current_id(self) -> int | None:
        """The attachment on show, if any."""
        item = self.list.currentItem()
        return None if item is None else int(item.data(ID_ROLE))

    def rotation_of(self, attachment_id: int) -> int:
        """How far (degrees, clockwise) an attachment of this request has been turned."""
        return self._rotations.get(attachment_id, 0)

    def _clear(self) -> None:
        self.scene.clear()
        self._current = None
        self._shown_id = None
        self._pixmap = QPixmap()
        self.view.setTransform(QTransform())

    def _on_selected(self, item: QListWidgetItem | None) -> None:
        self._clear()
        if item is None:
            return
        attachment_id = int(item.data(ID_ROLE))
        self._shown_id = attachment_id
        self.note.setText(self.tr("Memuat lampiran…"))
        self._fetch(attachment_id, lambda content: self._show_content(attachment_id, content))

    def _show_content(self, attachment_id: int, content: Content) -> None:
        if attachment_id != self._shown_id:
            return  # the officer moved on while it loaded
        media_type, data = content
        self._current = content
        pixmap = QPixmap()
        if media_type.startswith("image/") and pixmap.loadFromData(data):
            self._show_images([pixmap.toImage()])
            self.note.setText(self.tr("{0}×{1} piksel").format(pixmap.width(), pixmap.height()))
        elif media_type == "application/pdf" or data.startswith(b"%PDF"):
            self._show_pdf(data)
        else:
            self._pixmap = QPixmap()
            self.note.setText(
                self.tr("Berkas {media_type}: klik 'Buka' untuk melihatnya.").format(
                    media_type=media_type
                )
            )

    def _show_pdf(self, content: bytes) -> None:
        try:
            images, count = render_pages(content)
        except ValueError as exc:
            self._pixmap = QPixmap()
            self.note.setText(
                self.tr("{exc}. Klik 'Buka' untuk mencoba aplikasi lain.").format(exc=exc)
            )
            return
        self._show_images(images)
        more = self.tr(" (ditampilkan {0})").format(len(images)) if len(images) < count else ""
        self.note.setText(self.tr("PDF, {count} halaman{more}").format(count=count, more=more))

    def _show_images(self, images: list[QImage]) -> None:
        """Stack pages one under the other, with a gap, turned as this attachment was."""
        top = 0.0
        for image in images:
            item = QGraphicsPixmapItem(QPixmap.fromImage(image))
            item.setPos(0, top)
            self.scene.addItem(item)
            top += image.height() + 16
        self._pixmap = QPixmap.fromImage(images[0]) if images else QPixmap()
        self._apply_rotation()

    # -- looking -------------------------------------------------------------------------------

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
        """Turn the attachment on show a quarter to the right (photos sent sideways)."""
        self._turn(90)

    def rotate_left(self) -> None:
        """Turn the attachment on show a quarter to the left."""
        self._turn(-90)

    def _turn(self, degrees: int) -> None:
        if self._shown_id is None:
            return
        self._rotations[self._shown_id] = (self.rotation_of(self._shown_id) + degrees) % 360
        self._apply_rotation()

    def _apply_rotation(self) -> None:
        """Show the attachment turned as the officer left it (upright when never turned)."""
        angle = self.rotation_of(self._shown_id) if self._shown_id is not None else 0
        self.view.setTransform(QTransform().rotate(angle))
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
        suffix = Path(item.text()).suffix or ".bin"
        with tempfile.NamedTemporaryFile(prefix="lampiran-", suffix=suffix, delete=False) as tmp:
            tmp.write(self._current[1])
        QDesktopServices.openUrl(QUrl.fromLocalFile(tmp.name))
