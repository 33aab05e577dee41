"""The "Tindak lanjut" panel of an approved request: Input SIAK, the signed PDF (TTE) and
sending it to the citizen (ui layer).

Every call goes through the task runner; the numbers are checked as they are typed (no
database: :meth:`DeskSession.check_siak_number`), so a warning shows under its field before
anything is saved. The signed PDF comes by the file chooser or dropped onto the panel.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.delivery import SiakNumberError, SiakNumberKind, TteSource
from disdukcapil_desk.domain.errors import StaleVersionError
from disdukcapil_desk.domain.siak import (
    DocumentSent,
    FollowUp,
    SiakRecorded,
    SignedPdf,
    TteAttached,
)
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.ui.messages import show_error
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner

log = logging.getLogger("disdukcapil_desk.ui.follow_up")
RECORD_KEYS, ATTACH_KEYS, SEND_KEYS = "Ctrl+Shift+S", "Ctrl+Shift+A", "Ctrl+Shift+K"
BOX_MARGINS = (8, 4, 8, 4)
"""Tight boxes: the three steps fit a 1366x768 screen at 125 % without scrolling."""
FOLLOW_UP_STATUSES = frozenset(
    {
        Status.APPROVED,
        Status.SIAK_RECORDED,
        Status.ISSUED,
        Status.SENT,
        Status.READY_FOR_PICKUP,
        Status.COLLECTED,
    }
)
"""Where the page shows the "Tindak lanjut" tab (acting in the first three)."""


class PdfDropZone(QFrame):
    """A frame that takes one PDF dropped from the file manager."""

    dropped = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty zone with its hint."""
        super().__init__(parent)
        self.setObjectName("tteDropZone")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFrameShadow(QFrame.Shadow.Sunken)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a drag that carries exactly one local file."""
        if _one_local_file(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Hand the dropped file on."""
        path = _one_local_file(event.mimeData().urls())
        if path is not None:
            event.acceptProposedAction()
            self.dropped.emit(path)


def _one_local_file(urls: list) -> Path | None:  # type: ignore[type-arg]
    local = [u.toLocalFile() for u in urls if u.isLocalFile()]
    return Path(local[0]) if len(local) == 1 else None


class FollowUpPanel(QScrollArea):
    """Input SIAK, TTE and "Kirim ke pemohon" for the open request."""

    changed = Signal(str)
    """A step was done: what to say in the status bar."""

    def __init__(self, session: DeskSession, runner: TaskRunner, parent: QWidget | None = None):
        """Build the three steps; :meth:`load` fills them for a request."""
        super().__init__(parent)
        self._session, self._runner = session, runner
        self.follow: FollowUp | None = None
        self.busy = False
        """A step runs in the worker: the others wait (they would act on its old version)."""
        self.fields: dict[SiakNumberKind, QLineEdit] = {}
        self.notes: dict[SiakNumberKind, QLabel] = {}
        self.setObjectName("followUpPanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        self.status_label = QLabel("", body)
        self.status_label.setObjectName("followUpStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        layout.addWidget(self._siak_box(body))
        layout.addWidget(self._tte_box(body))
        layout.addWidget(self._send_box(body))
        layout.addStretch(1)
        self.setWidget(body)
        for keys, slot in (
            (RECORD_KEYS, self.record),
            (ATTACH_KEYS, self.choose_and_attach),
            (SEND_KEYS, self.send),
        ):
            QShortcut(QKeySequence(keys), self, slot)

    # -- layout ----------------------------------------------------------------------------

    def _siak_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("1. Input SIAK"), parent)
        outer = QVBoxLayout(box)
        outer.setContentsMargins(*BOX_MARGINS)
        self.siak_hint = QLabel("", box)
        self.siak_hint.setWordWrap(True)
        set_tone(self.siak_hint, "hint")
        self.siak_form = QFormLayout()
        outer.addLayout(self.siak_form)
        self.record_button = QPushButton(self.tr("Simpan input SIAK (Ctrl+Shift+S)"), box)
        self.record_button.setObjectName("recordSiakButton")
        self.record_button.clicked.connect(self.record)
        row = QHBoxLayout()
        row.addWidget(self.siak_hint, 1)
        row.addWidget(self.record_button)
        outer.addLayout(row)
        return box

    def _tte_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("2. TTE — PDF bertanda tangan elektronik"), parent)
        outer = QVBoxLayout(box)
        outer.setContentsMargins(*BOX_MARGINS)
        outer.setSpacing(3)
        self.drop_zone = PdfDropZone(box)
        self.drop_zone.dropped.connect(self.attach)
        zone = QHBoxLayout(self.drop_zone)
        zone.setContentsMargins(8, 3, 3, 3)
        self.drop_hint = QLabel(self.tr("Seret PDF hasil TTE dari SIAK ke sini, atau"), box)
        self.drop_hint.setWordWrap(True)
        zone.addWidget(self.drop_hint, 1)
        self.attach_button = QPushButton(self.tr("Pilih PDF… (Ctrl+Shift+A)"), box)
        self.attach_button.setObjectName("attachTteButton")
        self.attach_button.clicked.connect(self.choose_and_attach)
        zone.addWidget(self.attach_button)
        outer.addWidget(self.drop_zone)
        self.document_label = QLabel("", box)
        self.document_label.setObjectName("tteDocument")
        self.document_label.setWordWrap(True)
        self.document_label.setTextFormat(Qt.TextFormat.RichText)
        self.document_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.document_label)
        self.tte_warnings = QLabel("", box)
        self.tte_warnings.setObjectName("tteWarnings")
        self.tte_warnings.setWordWrap(True)
        set_tone(self.tte_warnings, "warning")
        outer.addWidget(self.tte_warnings)
        return box

    def _send_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("3. Kirim ke pemohon"), parent)
        row = QHBoxLayout(box)
        row.setContentsMargins(*BOX_MARGINS)
        self.send_label = QLabel("", box)
        self.send_label.setObjectName("sendState")
        self.send_label.setWordWrap(True)
        row.addWidget(self.send_label, 1)
        self.send_button = QPushButton(self.tr("Kirim ke pemohon (Ctrl+Shift+K)"), box)
        self.send_button.setObjectName("sendDocumentButton")
        self.send_button.clicked.connect(self.send)
        row.addWidget(self.send_button)
        return box

    # -- loading -----------------------------------------------------------------------------

    def load(self, request_id: int) -> None:
        """Read the request's follow-up state in the background and show it."""
        self._runner.run(
            lambda: self._session.follow_up(request_id), self.show_follow_up, self.report_error
        )

    def show_follow_up(self, follow: FollowUp) -> None:
        """Show a request's state: the fields of its SIAK numbers, the PDF, what was sent."""
        rebuilt = self.follow is None or self.follow.request_id != follow.request_id
        self.follow = follow
        if rebuilt:
            self._build_fields(follow)
        for kind, field in self.fields.items():
            if not field.isModified() or rebuilt:
                field.setText(follow.value(kind))
                field.setModified(False)
            field.setReadOnly(not follow.can_record)
        self.status_label.setText(
            self.tr("<b>Status: {status}</b> · hasil: {outputs}").format(
                status=escape(follow.status.label), outputs=escape(follow.outputs.label)
            )
        )
        self.siak_hint.setText(self._siak_hint(follow))
        self.record_button.setEnabled(follow.can_record and not self.busy)
        self._show_document(follow.document, warnings=())
        self._show_tte_state(follow)
        self._show_send_state(follow)

    def _build_fields(self, follow: FollowUp) -> None:
        while self.siak_form.rowCount():
            self.siak_form.removeRow(0)
        self.fields.clear()
        self.notes.clear()
        for kind in follow.siak_kinds:
            field = QLineEdit(self)
            field.setObjectName(f"siak_{kind.value}")
            field.setPlaceholderText(_PLACEHOLDERS[kind])
            note = QLabel("", self)
            note.setObjectName(f"siakNote_{kind.value}")
            note.setWordWrap(True)
            note.hide()
            field.textEdited.connect(lambda _text, k=kind: self._check_typed(k))
            column = QVBoxLayout()
            column.setSpacing(1)
            column.addWidget(field)
            column.addWidget(note)
            self.siak_form.addRow(kind.label, column)
            self.fields[kind], self.notes[kind] = field, note

    def _siak_hint(self, follow: FollowUp) -> str:
        if not follow.siak_kinds:
            return self.tr(
                "Layanan ini tidak mendapat nomor dari SIAK: simpan untuk mencatat bahwa datanya "
                "sudah dimasukkan ke SIAK."
            )
        if follow.can_record:
            return self.tr("Ketik nomor persis seperti di SIAK.")
        return self.tr("Sudah dicatat.")

    def _check_typed(self, kind: SiakNumberKind) -> None:
        """Say under the field what is wrong or odd with the number as typed."""
        text, note = self.fields[kind].text(), self.notes[kind]
        if not text.strip():
            note.hide()
            return
        try:
            checked = self._session.check_siak_number(kind, text)
        except SiakNumberError as error:
            note.setText(f"✖ {error}")
            set_tone(note, "error")
            note.show()
            return
        note.setText("\n".join(f"⚠ {w}" for w in checked.warnings))
        set_tone(note, "warning")
        note.setVisible(bool(checked.warnings))

    def _show_document(self, document: SignedPdf | None, warnings: tuple[str, ...]) -> None:
        if document is None:
            self.document_label.setText(self.tr("Belum ada PDF bertanda tangan."))
        else:
            self.document_label.setText(_document_text(document))
        self.tte_warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.tte_warnings.setVisible(bool(warnings))

    def _show_tte_state(self, follow: FollowUp) -> None:
        desk = follow.tte_source is TteSource.DESK
        self.drop_zone.setEnabled(follow.can_attach and not desk)
        self.attach_button.setEnabled(follow.can_attach and not desk and not self.busy)
        if not follow.outputs.sends_document:
            self.drop_hint.setText(self.tr("Layanan ini menghasilkan kartu: tidak ada PDF TTE."))
        elif desk:
            self.drop_hint.setText(
                self.tr(
                    "Layanan ini memakai sertifikat desk yang ditandatangani sertifikat kantor: "
                    "terbitkan, lalu kirim (dibuat dan ditandatangani saat dikirim)."
                )
            )
        elif follow.document is not None and follow.can_attach:
            self.drop_hint.setText(self.tr("Ganti dengan PDF perbaikan: seret ke sini, atau"))
        else:
            self.drop_hint.setText(self.tr("Seret PDF hasil TTE dari SIAK ke sini, atau"))

    def _show_send_state(self, follow: FollowUp) -> None:
        self.send_button.setEnabled(follow.can_send and not self.busy)
        if follow.sent_at is not None:
            sent = follow.sent_at.astimezone(WIB)
            text = self.tr("Terkirim ke kotak keluar {when} WIB.").format(
                when=f"{sent:%d-%m-%Y %H:%M}"
            )
            if follow.status is Status.ISSUED and follow.outputs.needs_pickup:
                text += " " + self.tr("Kartu menunggu jadwal pengambilan.")
        elif not follow.outputs.sends_document:
            text = self.tr("Tidak ada dokumen untuk dikirim; kartu diambil di kantor.")
        elif follow.can_send:
            text = self.tr("PDF siap dikirim ke pemohon melalui kanal permohonannya.")
        else:
            text = self.tr("Dapat dikirim setelah PDF bertanda tangan terlampir.")
        self.send_label.setText(text)

    # -- the steps ---------------------------------------------------------------------------

    def _start(self) -> bool:
        """Mark a step as running (its buttons off); False when one runs already."""
        if self.busy:
            return False
        self.busy = True
        for button in (self.record_button, self.attach_button, self.send_button):
            button.setEnabled(False)
        return True

    def _finish(self, follow: FollowUp | None) -> None:
        """The step ended: show the state it left (or the one before, when refused)."""
        self.busy = False
        if follow is not None:
            self.show_follow_up(follow)

    def _refused(self, error: BaseException) -> None:
        self._finish(self.follow)
        self.report_error(error)

    def record(self) -> None:
        """Save the numbers typed from SIAK."""
        follow = self.follow
        if follow is None or not follow.can_record or not self._start():
            return
        numbers = {kind: field.text() for kind, field in self.fields.items()}
        request_id, version = follow.request_id, follow.version

        def done(result: SiakRecorded) -> None:
            for field in self.fields.values():
                field.setModified(False)
            self._finish(result.follow_up)
            for kind in self.fields:
                self._check_typed(kind)
            self.changed.emit(f"Input SIAK {result.follow_up.number} tersimpan")

        self._runner.run(
            lambda: self._session.record_siak(request_id, version, numbers), done, self._refused
        )

    def choose_and_attach(self) -> None:
        """Pick the signed PDF with the file chooser and attach it."""
        if self.follow is None or not self.attach_button.isEnabled():
            return
        path = self.choose_file()
        if path is not None:
            self.attach(path)

    def attach(self, path: Path) -> None:
        """Check and attach the signed PDF at ``path`` (a drop or the chooser)."""
        follow = self.follow
        if follow is None or not self.attach_button.isEnabled() or not self._start():
            return
        request_id, version = follow.request_id, follow.version
        self.document_label.setText(self.tr("Memeriksa {name}…").format(name=escape(path.name)))

        def done(result: TteAttached) -> None:
            self._finish(result.follow_up)
            self._show_document(result.document, result.warnings)
            self.changed.emit(f"PDF TTE {result.follow_up.number} terlampir")

        def refused(error: BaseException) -> None:
            self._refused(error)

        self._runner.run(
            lambda: self._session.attach_signed_pdf(request_id, version, path), done, refused
        )

    def send(self) -> None:
        """Send the signed PDF to the applicant, after the officer confirms."""
        follow = self.follow
        if follow is None or not follow.can_send or self.busy or not self.confirm_send(follow):
            return
        self._start()
        request_id, version = follow.request_id, follow.version

        def done(result: DocumentSent) -> None:
            self._finish(result.follow_up)
            self.changed.emit(
                f"PDF {result.follow_up.number} dikirim ke pemohon ({result.recipient})"
            )

        self._runner.run(
            lambda: self._session.send_document(request_id, version), done, self._refused
        )

    # -- dialogs (overridable in tests) ----------------------------------------------------------

    def choose_file(self) -> Path | None:
        """Ask for the signed PDF; None when cancelled."""
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("PDF bertanda tangan dari SIAK"), "", self.tr("PDF (*.pdf)")
        )
        return Path(name) if name else None

    def confirm_send(self, follow: FollowUp) -> bool:
        """Ask before the PDF goes to the citizen."""
        answer = QMessageBox.question(
            self,
            self.tr("Kirim ke pemohon"),
            self.tr(
                "Kirim PDF bertanda tangan permohonan {number} ke pemohon melalui kotak keluar?"
            ).format(number=follow.number),
        )
        return answer == QMessageBox.StandardButton.Yes

    def report_error(self, error: BaseException) -> None:
        """Tell the officer what went wrong; the typed numbers stay on screen."""
        if not isinstance(error, StaleVersionError):
            log.info("follow-up step refused: %s", error)
        show_error(self, error)


_PLACEHOLDERS = {
    SiakNumberKind.AKTA: "3604-LU-02112026-0001",
    SiakNumberKind.NIK: "16 angka",
    SiakNumberKind.KK: "16 angka",
    SiakNumberKind.SKPWNI: "nomor SKPWNI dari SIAK",
}


def _document_text(document: SignedPdf) -> str:
    if document.trusted is None:
        trust = ""
    elif document.trusted:
        trust = " (sertifikat dikenal desk)"
    else:
        trust = " (akar BSrE tidak terpasang di desk)"
    signed = (
        f" · ditandatangani {document.signed_at.astimezone(WIB):%d-%m-%Y %H:%M} WIB"
        if document.signed_at
        else ""
    )
    return (
        f"<b>{escape(document.filename)}</b> · {document.size / 1024:.0f} KB{signed}<br>"
        f"Penanda tangan: <b>{escape(document.signer)}</b>{escape(trust)}<br>"
        f"Utuh, mencakup seluruh berkas · SHA-256 "
        f"<span style='font-family:monospace'>{document.sha256}</span>"
    )
