"""Permohonan datang langsung: the counter officer registers a citizen standing at the counter.

Keyboard first: the service is chosen by typing its short name (``KIA``), Tab walks the same
catalogue form as the verification page (empty), Ctrl+B puts the cursor in the scanner
folder's newest files (Shift+Down widens the choice, Enter attaches), Ctrl+O opens a file
chooser, Ctrl+S saves. The saved request is the officer's (claimed, in verification) and its
receipt opens at once in the print preview (Enter prints). Every database call goes through
the task runner; a refusal is shown in the dialog and the typed data stays.
"""

from __future__ import annotations

import importlib.util
import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.catalogue import Service
from disdukcapil_desk.domain.documents import DocumentKind, PrintPurpose
from disdukcapil_desk.domain.walk_in import WalkIn, WalkInAttachment, WalkInResult
from disdukcapil_desk.ui.geometry import fit_to_screen
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.verification.fields_form import FieldsForm
from disdukcapil_desk.ui.workstation import WorkstationSettings

TITLE = QT_TRANSLATE_NOOP("WalkInDialog", "Permohonan datang langsung")
SCANNER_KEY = "walk_in/scanner_dir"
"""The per-user workstation setting naming the folder the counter's scanner saves into."""
NEWEST_OFFERED = 8
"""How many of the scanner folder's newest files are offered."""
OpenPdf = Callable[[str, bytes, tuple[DocumentKind, tuple[str, ...]]], object]
"""Shows a receipt's print preview: (name, PDF, the documents to count once printed)."""


def camera_available() -> bool:
    """Whether Qt Multimedia can be imported here (the camera button is shown only then)."""
    return importlib.util.find_spec("PySide6.QtMultimedia") is not None


@dataclass(slots=True)
class Attached:
    """A file the officer attached, and the requirement it shows (None: none of them)."""

    path: Path
    requirement_code: str | None


class WalkInDialog(QDialog):
    """Register a walk-in: service, form, documents; save; the receipt follows."""

    registered = Signal(object)
    """The :class:`WalkInResult` of the saved request."""

    def __init__(
        self,
        session: DeskSession,
        runner: TaskRunner,
        settings: WorkstationSettings,
        open_pdf: OpenPdf,
        parent: QWidget | None = None,
    ) -> None:
        """Build the dialog; nothing is read from the database until Save."""
        super().__init__(parent)
        self.setWindowTitle(self.tr(TITLE))
        self.setObjectName("walkInDialog")
        self._session, self._runner, self._settings = session, runner, settings
        self._open_pdf = open_pdf
        self.attached: list[Attached] = []
        self.form: FieldsForm | None = None
        self.service: Service | None = None
        self.saved: WalkInResult | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(self._service_row())
        body = QHBoxLayout()
        self.form_area = QScrollArea(self)
        self.form_area.setWidgetResizable(True)
        self.form_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body.addWidget(self.form_area, 3)
        panel = self._documents_panel()
        # The form gets the room (two columns, as on the verification page); the documents a
        # column of about 60 characters beside it.
        panel.setMaximumWidth(self.fontMetrics().horizontalAdvance("x" * 60))
        body.addWidget(panel, 2)
        layout.addLayout(body, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("walkInMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addLayout(self._buttons())
        self._shortcuts()
        for button in self.findChildren(QPushButton):  # Enter attaches a scan; it never
            button.setAutoDefault(False)  # opens a file chooser or saves half a form
        self.services.currentIndexChanged.connect(self._show_form)
        self._show_form()
        self.refresh_scans()
        fit_to_screen(self, QSize(1180, 700))
        self.services.setFocus()

    # -- building ------------------------------------------------------------------------

    def _service_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel(self.tr("&Layanan:"), self)
        self.services = QComboBox(self)
        self.services.setObjectName("walkInService")
        for service in sorted(self._session.catalogue, key=lambda s: s.short_name.casefold()):
            self.services.addItem(f"{service.short_name} — {service.name}", service.code)
        self.services.setToolTip(self.tr("Ketik nama singkat layanan (mis. KIA), lalu Tab"))
        label.setBuddy(self.services)
        row.addWidget(label)
        row.addWidget(self.services, 1)
        return row

    def _documents_panel(self) -> QWidget:
        panel = QWidget(self)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        scans = QLabel(self.tr("Hasil pindai terbaru (Ctrl+B, Enter melampirkan):"), panel)
        column.addWidget(scans)
        self.scans = QListWidget(panel)
        self.scans.setObjectName("walkInScans")
        self.scans.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.scans.itemActivated.connect(lambda _item: self.attach_selected_scans())
        column.addWidget(self.scans, 1)
        folder_row = QHBoxLayout()
        self.folder_label = QLabel("", panel)
        self.folder_label.setWordWrap(True)
        folder_row.addWidget(self.folder_label, 1)
        folder = QPushButton(self.tr("Folder pemindai…"), panel)
        folder.setObjectName("walkInScannerFolder")
        folder.clicked.connect(self.choose_scanner_folder)
        folder_row.addWidget(folder)
        column.addLayout(folder_row)
        documents = QLabel(self.tr("La&mpiran:"), panel)
        column.addWidget(documents)
        self.documents = QListWidget(panel)
        self.documents.setObjectName("walkInDocuments")
        self.documents.currentRowChanged.connect(self._show_requirement)
        documents.setBuddy(self.documents)
        column.addWidget(self.documents, 1)
        requirement_row = QHBoxLayout()
        requirement_label = QLabel(self.tr("Persyaratan:"), panel)
        self.requirement = QComboBox(panel)
        self.requirement.setObjectName("walkInRequirement")
        self.requirement.activated.connect(self._set_requirement)
        requirement_label.setBuddy(self.requirement)
        requirement_row.addWidget(requirement_label)
        requirement_row.addWidget(self.requirement, 1)
        column.addLayout(requirement_row)
        buttons = QHBoxLayout()
        add = QPushButton(self.tr("Berkas… (Ctrl+O)"), panel)
        add.setObjectName("walkInAddFile")
        add.clicked.connect(self.add_files)
        buttons.addWidget(add)
        if camera_available():
            camera = QPushButton(self.tr("Kamera…"), panel)
            camera.setObjectName("walkInCamera")
            camera.clicked.connect(self.take_photo)
            buttons.addWidget(camera)
        remove = QPushButton(self.tr("Hapus (Del)"), panel)
        remove.clicked.connect(self.remove_document)
        buttons.addWidget(remove)
        column.addLayout(buttons)
        return panel

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_button = QPushButton(self.tr("Simpan && cetak tanda terima (Ctrl+S)"), self)
        self.save_button.setObjectName("walkInSave")
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(self.tr("Batal"), self)
        cancel.clicked.connect(self.reject)
        row.addWidget(self.save_button)
        row.addWidget(cancel)
        return row

    def _shortcuts(self) -> None:
        for keys, slot in (
            ("Ctrl+S", self.save),
            ("Ctrl+Return", self.save),
            ("Ctrl+O", self.add_files),
            ("Ctrl+B", self.focus_scans),
        ):
            QShortcut(QKeySequence(keys), self, slot)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.documents)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_document)

    def _show_form(self) -> None:
        """The chosen service's catalogue form, empty (the verification page's widget)."""
        code = self.services.currentData()
        self.service = self._session.catalogue.get(code) if code else None
        if self.service is None:
            return
        form = FieldsForm(
            self.service,
            self._session.check_nik,
            describe_desa=self._session.describe_desa,
            check_name=partial(self._session.check_name, self.service.code),
        )
        for group in form.groups:  # Tab goes from field to field, not through the headers
            group.header.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        form.load({})
        self.form = form
        self.form_area.setWidget(form)
        self._tab_order([e.input for e in form.editors.values()])
        self._fill_requirements()
        for item in self.attached:  # the documents stay; their requirements are guessed again
            item.requirement_code = self._guess(item.path)
        self._list_documents()

    def _tab_order(self, inputs: Sequence[QWidget]) -> None:
        """Tab: the service, the form's fields in order, the scans, the attachments, Save."""
        chain = [self.services, *inputs, self.scans, self.documents, self.requirement]
        for before, after in zip(chain, [*chain[1:], self.save_button], strict=True):
            QWidget.setTabOrder(before, after)

    def _fill_requirements(self) -> None:
        self.requirement.clear()
        self.requirement.addItem(self.tr("(bukan persyaratan)"), None)
        for requirement in self.service.requirements if self.service else ():
            self.requirement.addItem(requirement.label, requirement.code)

    # -- documents -------------------------------------------------------------------------

    @property
    def scanner_dir(self) -> Path | None:
        """The scanner's folder chosen on this workstation, if any."""
        value = self._settings.user_value(self._session.actor.login, SCANNER_KEY, "")
        return Path(str(value)) if value else None

    def set_scanner_dir(self, folder: Path) -> None:
        """Remember the scanner's folder and offer its newest files."""
        self._settings.set_user_value(self._session.actor.login, SCANNER_KEY, str(folder))
        self.refresh_scans()

    def choose_scanner_folder(self) -> None:
        """Ask for the folder the scanner saves into."""
        start = str(self.scanner_dir or Path.home())
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Folder pemindai"), start)
        if chosen:
            self.set_scanner_dir(Path(chosen))

    def refresh_scans(self) -> None:
        """Offer the scanner folder's newest files, newest first."""
        self.scans.clear()
        folder = self.scanner_dir
        self.folder_label.setText(
            str(folder) if folder else self.tr("Folder pemindai belum dipilih")
        )
        for path in newest_files(folder, NEWEST_OFFERED) if folder else []:
            item = QListWidgetItem(path.name, self.scans)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
        if self.scans.count():
            self.scans.setCurrentRow(0)

    def focus_scans(self) -> None:
        """Ctrl+B: the cursor on the newest scan (Shift+Down takes the one before too)."""
        self.refresh_scans()
        self.scans.setFocus()

    def attach_selected_scans(self) -> None:
        """Attach the selected scans in the order they were scanned (oldest first)."""
        chosen = self.scans.selectedItems() or [self.scans.currentItem()]
        paths = [Path(item.data(Qt.ItemDataRole.UserRole)) for item in chosen if item]
        self.attach(sorted(paths, key=_modified))
        self.scans.clearSelection()

    def choose_files(self) -> list[Path]:
        """Ask for files to attach (starting in the scanner's folder)."""
        start = str(self.scanner_dir or Path.home())
        names, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Lampirkan berkas"),
            start,
            self.tr("Dokumen (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;Semua berkas (*)"),
        )
        return [Path(name) for name in names]

    def add_files(self) -> None:
        """Ctrl+O: attach files chosen in the file chooser."""
        self.attach(self.choose_files())

    def take_photo(self) -> None:
        """Photograph a document with the workstation's camera (Qt Multimedia only)."""
        from disdukcapil_desk.ui.dialogs.walk_in_camera import capture_photo

        folder = self._settings.documents_dir / "kamera"
        photo = capture_photo(self, folder)
        if photo is not None:
            self.attach([photo])

    def attach(self, paths: Sequence[Path]) -> None:
        """Add files; each gets the requirement its name names, else the next required one
        no file shows yet (the officer changes it with the Persyaratan list).
        """
        have = {item.path for item in self.attached}
        for path in paths:
            if path in have:
                continue
            self.attached.append(Attached(path, self._guess(path)))
            have.add(path)
        self._list_documents()
        self.documents.setCurrentRow(self.documents.count() - 1)

    def _guess(self, path: Path) -> str | None:
        requirements = self.service.requirements if self.service else ()
        stem = path.stem.casefold()
        for requirement in requirements:
            if requirement.code.casefold() == stem or stem.startswith(requirement.code + "_"):
                return requirement.code
        taken = {item.requirement_code for item in self.attached if item.path != path}
        for requirement in requirements:
            if requirement.required and requirement.code not in taken:
                return requirement.code
        return None

    def remove_document(self) -> None:
        """Del: take the selected file off the request."""
        row = self.documents.currentRow()
        if 0 <= row < len(self.attached):
            del self.attached[row]
            self._list_documents()

    def _list_documents(self) -> None:
        labels = {r.code: r.label for r in (self.service.requirements if self.service else ())}
        self.documents.clear()
        for item in self.attached:
            shown = labels.get(item.requirement_code or "", self.tr("bukan persyaratan"))
            self.documents.addItem(f"{item.path.name} → {shown}")

    def _show_requirement(self, row: int) -> None:
        if 0 <= row < len(self.attached):
            index = self.requirement.findData(self.attached[row].requirement_code)
            self.requirement.setCurrentIndex(max(index, 0))

    def _set_requirement(self, index: int) -> None:
        row = self.documents.currentRow()
        if 0 <= row < len(self.attached):
            self.attached[row].requirement_code = self.requirement.itemData(index)
            self._list_documents()
            self.documents.setCurrentRow(row)

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        """Ctrl+S: register the request in the worker; the receipt follows."""
        if self.service is None or self.form is None or not self.save_button.isEnabled():
            return
        code, values, attached = self.service.code, self.form.values(), list(self.attached)
        self.save_button.setEnabled(False)
        self._say(self.tr("Menyimpan…"), "")
        self._runner.run(
            lambda: self._session.register_walk_in(
                WalkIn(code, values, tuple(read_attachment(a) for a in attached))
            ),
            self._saved,
            self._refused,
        )

    def _saved(self, result: WalkInResult) -> None:
        self.saved = result
        said = self.tr("Terdaftar: {number}. Tanda terima dibuat…").format(number=result.number)
        self._say(said, "ok")
        slip = self._settings.receipt_profile == "slip"
        number = result.number
        self._runner.run(
            lambda: self._session.receipt_pdf(number, slip=slip, purpose=PrintPurpose.SAVE),
            lambda pdf: self._receipt_ready(result, pdf),
            self._receipt_failed,
        )

    def _receipt_ready(self, result: WalkInResult, pdf: bytes) -> None:
        self._open_pdf(
            f"tanda-terima-{result.number}", pdf, (DocumentKind.RECEIPT, (result.number,))
        )
        self.registered.emit(result)
        self.accept()

    def _receipt_failed(self, error: BaseException) -> None:
        # The request is saved and held: the receipt can be printed again from the queue.
        self._say(
            self.tr("Tersimpan, tetapi tanda terima gagal dibuat: {error}").format(error=error),
            "warning",
        )
        if self.saved is not None:
            self.registered.emit(self.saved)

    def _refused(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._say(str(error), "error")

    def _say(self, text: str, tone: str) -> None:
        self.message.setText(text)
        set_tone(self.message, tone)


def newest_files(folder: Path, limit: int) -> list[Path]:
    """The ``limit`` newest files of ``folder``, newest first (none when it is unreadable)."""
    try:
        files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    except OSError:
        return []
    return sorted(files, key=_modified, reverse=True)[:limit]


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def read_attachment(item: Attached) -> WalkInAttachment:
    """A file as an attachment: its bytes, name and media type (read in the worker)."""
    media_type = mimetypes.guess_type(item.path.name)[0] or "application/octet-stream"
    return WalkInAttachment(
        item.requirement_code, item.path.name, media_type, item.path.read_bytes()
    )
