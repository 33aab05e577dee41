"""Administrasi: users, letterhead and signers, the signing certificate, akta numbers, separation
of duties, quarantined intake (ui layer).

Only administrators open it. Every change goes through ``operations/`` (permission and audit
there); the database work runs in the task runner like every other call of the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.document_records import RegisterEntry, SigningInfo
from disdukcapil_desk.domain.documents import RegisterEvent, key_fingerprint, load_public_key
from disdukcapil_desk.domain.dto import Changes
from disdukcapil_desk.domain.office import SETTING_LABELS, OfficeSettings
from disdukcapil_desk.ui.dialogs.duties_tab import DutiesTab
from disdukcapil_desk.ui.dialogs.pickup_hours_tab import PickupHoursTab
from disdukcapil_desk.ui.dialogs.quarantine_tab import QuarantineTab
from disdukcapil_desk.ui.dialogs.tte_tab import TteTab
from disdukcapil_desk.ui.dialogs.users_tab import UsersTab
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.messages import ask_yes_no, show_error
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner

T = TypeVar("T")

REGISTER_EVENTS = {event.value: event.label for event in RegisterEvent}
NO_CERTIFICATE = QT_TRANSLATE_NOOP(
    "AdminDialog",
    "Belum ada sertifikat tanda tangan digital: sertifikat dan kutipan dicetak dengan tanda "
    "DRAF untuk diperiksa pemohon.",
)
LEVEL_B_B = QT_TRANSLATE_NOOP(
    "AdminDialog",
    "Tingkat PAdES: B-B (tanpa server cap waktu): tanda tangan dapat diperiksa selama "
    "sertifikat berlaku.",
)
LEVEL_B_T = QT_TRANSLATE_NOOP(
    "AdminDialog",
    "Tingkat PAdES: B-T, dengan cap waktu dari {url}; B-LT (data validasi tertanam) bila rantai "
    "sertifikat tersedia tanpa jaringan.",
)


class AdminDialog(QDialog):
    """Six tabs: Pengguna, Kop & pejabat, Tanda tangan digital, Nomor akta, Pemisahan tugas,
    Karantina masuk.

    Each tab re-reads what it shows when the change bus says it changed.
    """

    def __init__(
        self, session: DeskSession, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        """Load the current values through ``runner``."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Administrasi"))
        self._session, self._runner = session, runner
        self.setting_edits: dict[str, QLineEdit] = {}
        self.users_tab = UsersTab(session, runner, lambda error: show_error(self, error))
        self.tabs = tabs = QTabWidget()
        tabs.addTab(self.users_tab, self.tr("&Pengguna"))
        tabs.addTab(self._office_tab(), self.tr("Kop && pejabat"))
        tabs.addTab(self._signing_tab(), self.tr("Tanda tangan digital"))
        tabs.addTab(self._numbers_tab(), self.tr("Nomor akta"))
        self.duties_tab = DutiesTab(session, runner, lambda error: show_error(self, error))
        tabs.addTab(self.duties_tab, self.tr("Pemisahan tugas"))
        self.tte_tab = TteTab(session, runner, lambda error: show_error(self, error))
        tabs.addTab(self.tte_tab, self.tr("TTE && nomor SIAK"))
        self.quarantine_tab = QuarantineTab(session, runner, lambda error: show_error(self, error))
        tabs.addTab(self.quarantine_tab, self.tr("Karantina masuk"))
        self.pickup_tab = PickupHoursTab(session, runner, lambda error: show_error(self, error))
        tabs.addTab(self.pickup_tab, self.tr("Jadwal ambil"))
        close = QPushButton(self.tr("Tutup"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addLayout(row)
        _fit_to_screen(self, 980, 620)
        self.users_tab.load()
        self.duties_tab.load()
        self.tte_tab.load()
        self.quarantine_tab.load()
        self.pickup_tab.load()
        self._load_settings()
        self._load_signing()
        self._load_register()
        runner.changes.changed.connect(self._on_changes)

    def _run(self, work: Callable[[], T], done: Callable[[T], object]) -> None:
        self._runner.run(work, done, lambda error: show_error(self, error))

    def _load_settings(self) -> None:
        self._run(self._session.office_settings, self._show_settings)

    def _load_signing(self) -> None:
        self._run(self._session.signing_info, self._show_signing)
        self._run(self._session.timestamp_server, self._show_timestamp)

    def _load_register(self) -> None:
        self._run(lambda: self._session.number_register(), self._show_register)

    def _on_changes(self, changes: Changes) -> None:
        """Re-read the tabs whose data changed (the users tab follows the bus itself)."""
        if changes.settings & set(SETTING_LABELS):
            self._load_settings()
        if "signing" in changes.settings:
            self._load_signing()
        if changes.documents:
            self._load_register()

    # -- Kop & pejabat ---------------------------------------------------------------------------

    def _office_tab(self) -> QWidget:
        form = QFormLayout()
        for key, label in SETTING_LABELS.items():
            edit = QLineEdit()
            edit.setObjectName(key)
            self.setting_edits[key] = edit
            form.addRow(label, edit)
        holder = QWidget()
        holder.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        self.save_settings_button = QPushButton(self.tr("Simpan kop && pejabat"))
        self.save_settings_button.clicked.connect(self.save_settings)
        self.settings_state = QLabel("")
        return _tab(scroll, _row(self.settings_state, self.save_settings_button))

    def _show_settings(self, settings: OfficeSettings) -> None:
        self._loaded = settings
        for key, edit in self.setting_edits.items():
            edit.setText(getattr(settings, key))

    def save_settings(self) -> None:
        """Store the changed fields (each change is audited)."""
        changes = {
            key: edit.text().strip()
            for key, edit in self.setting_edits.items()
            if edit.text().strip() != getattr(self._loaded, key)
        }
        if not changes:
            self.settings_state.setText(self.tr("Tidak ada perubahan."))
            return

        def saved(_settings: OfficeSettings) -> None:
            self.settings_state.setText(self.tr("{0} setelan disimpan.").format(len(changes)))

        self._run(lambda: self._session.update_office_settings(changes), saved)

    # -- Tanda tangan digital --------------------------------------------------------------------

    def _signing_tab(self) -> QWidget:
        self.signing_state = QLabel(self.tr(NO_CERTIFICATE))
        self.signing_state.setWordWrap(True)
        self.install_button = QPushButton(self.tr("Pasang sertifikat (.p12/.pfx)…"))
        self.install_button.clicked.connect(self.install_certificate)
        self.remove_button = QPushButton(self.tr("Lepas sertifikat"))
        self.remove_button.clicked.connect(self.remove_certificate)
        self.export_button = QPushButton(self.tr("Simpan kunci publik…"))
        self.export_button.clicked.connect(self.export_public_key)
        self.key_state = QLabel(
            self.tr(
                "Kunci publik dinas memeriksa kode QR dan segel dokumen tanpa basis data "
                "(perintah 'disdukcapil-desk verify --public-key'). Umumkan sidik jarinya."
            )
        )
        self.key_state.setWordWrap(True)
        self.timestamp_edit = QLineEdit()
        self.timestamp_edit.setPlaceholderText(
            self.tr("mis. http://tsa.contoh.go.id (kosong: tanpa)")
        )
        self.timestamp_edit.setMinimumWidth(
            self.timestamp_edit.fontMetrics().horizontalAdvance("x" * 48)
        )
        self.timestamp_button = QPushButton(self.tr("Simpan server cap waktu"))
        self.timestamp_button.clicked.connect(self.save_timestamp_server)
        self.level_state = QLabel(self.tr(LEVEL_B_B))
        self.level_state.setWordWrap(True)
        return _tab(
            self.signing_state,
            _row(self.install_button, self.remove_button),
            QLabel(self.tr("Server cap waktu (RFC 3161):")),
            _row(self.timestamp_edit, self.timestamp_button),
            self.level_state,
            self.key_state,
            _row(self.export_button),
        )

    def _show_timestamp(self, url: str) -> None:
        self.timestamp_edit.setText(url)
        self.level_state.setText(self.tr(LEVEL_B_T).format(url=url) if url else self.tr(LEVEL_B_B))

    def save_timestamp_server(self) -> None:
        """Store the timestamp server typed (empty: none)."""
        url = self.timestamp_edit.text()
        self._run(lambda: self._session.configure_timestamp_server(url), _shown_by_the_bus)

    def _show_signing(self, info: SigningInfo | None) -> None:
        self.remove_button.setEnabled(info is not None)
        if info is None:
            self.signing_state.setText(self.tr(NO_CERTIFICATE))
            return
        self.signing_state.setText(
            self.tr(
                "Dokumen ditandatangani secara digital (PAdES) oleh: "
                "{info.subject}\nSertifikat berlaku sampai {0:%d-%m-%Y}."
            ).format(info.valid_until.astimezone(), info=info)
        )

    def install_certificate(self) -> None:
        """Pick a PKCS#12 file, ask its passphrase, install it."""
        path = self.choose_pkcs12_file()
        if path is None:
            return
        passphrase = self.ask_passphrase(path.name)
        if passphrase is None:
            return
        data = path.read_bytes()
        self._run(lambda: self._session.configure_signing(data, passphrase), _shown_by_the_bus)

    def remove_certificate(self) -> None:
        """Remove the certificate after a confirmation."""
        if self.confirm_removal():
            self._run(lambda: self._session.configure_signing(None), _shown_by_the_bus)

    def export_public_key(self) -> None:
        """Save the public key (PEM) and show its fingerprint."""
        path = self.choose_public_key_path()
        if path is None:
            return

        def written(pem: bytes) -> None:
            path.write_bytes(pem)
            fingerprint = key_fingerprint(load_public_key(pem))
            self.key_state.setText(
                self.tr("Kunci publik disimpan di {path}\nSidik jari: {fingerprint}").format(
                    path=path, fingerprint=fingerprint
                )
            )

        self._run(self._session.public_key, written)

    # hooks (replaced in tests) ---------------------------------------------------------------

    def choose_pkcs12_file(self) -> Path | None:
        """Ask for the certificate file; None when cancelled."""
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Sertifikat tanda tangan"),
            "",
            self.tr("Sertifikat PKCS#12 (*.p12 *.pfx)"),
        )
        return Path(name) if name else None

    def ask_passphrase(self, file_name: str) -> str | None:
        """Ask the file's passphrase; None when cancelled."""
        text, ok = QInputDialog.getText(
            self,
            self.tr("Kata sandi sertifikat"),
            self.tr("Kata sandi {file_name}:").format(file_name=file_name),
            QLineEdit.EchoMode.Password,
        )
        return text if ok else None

    def confirm_removal(self) -> bool:
        """Ask before certificates go back to drafts."""
        return ask_yes_no(
            self,
            self.tr("Lepas sertifikat"),
            self.tr("Sertifikat berikutnya akan dicetak sebagai DRAF. Lanjutkan?"),
            yes=self.tr("Lepas"),
            no=self.tr("Batal"),
        )

    def choose_public_key_path(self) -> Path | None:
        """Ask where to save the public key; None when cancelled."""
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Simpan kunci publik"),
            self.tr("kunci-publik-dinas.pem"),
            self.tr("Kunci PEM (*.pem)"),
        )
        return Path(name) if name else None

    # -- Nomor akta ------------------------------------------------------------------------------

    def _numbers_tab(self) -> QWidget:
        self.service = QComboBox()
        for code, name in self._session.numbered_services():
            self.service.addItem(name, code)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(dt.date.today().year)
        self.last_paper_number = QSpinBox()
        self.last_paper_number.setRange(0, 9999)
        self.late = QCheckBox(self.tr("Seri pencatatan terlambat (LT)"))
        self.offset_button = QPushButton(self.tr("Simpan nomor awal"))
        self.offset_button.clicked.connect(self.save_offset)
        self.offset_state = QLabel("")
        form = QFormLayout()
        form.addRow(self.tr("Layanan"), self.service)
        form.addRow(self.tr("Tahun"), self.year)
        form.addRow(self.tr("Nomor terakhir di register kertas"), self.last_paper_number)
        form.addRow("", self.late)
        self.register_table = QTableWidget(0, 5)
        self.register_table.setHorizontalHeaderLabels(
            [
                self.tr("Waktu"),
                self.tr("Nomor"),
                self.tr("Kejadian"),
                self.tr("Oleh"),
                self.tr("Alasan"),
            ]
        )
        self.register_table.horizontalHeader().setSectionResizeMode(
            4, QHeaderView.ResizeMode.Stretch
        )
        self.register_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        return _tab(
            _form_widget(form),
            _row(self.offset_state, self.offset_button),
            QLabel(self.tr("Register nomor yang dibatalkan dan dicetak ulang (terbaru di atas):")),
            self.register_table,
        )

    def save_offset(self) -> None:
        """Continue the chosen series after the last paper number."""
        service, year = self.service.currentData(), self.year.value()
        offset, late = self.last_paper_number.value(), self.late.isChecked()

        def saved(_: object) -> None:
            self.offset_state.setText(
                self.tr("{0} {year}: nomor berikutnya {1:04d}").format(
                    self.service.currentText(), offset + 1, year=year
                )
            )

        self._run(lambda: self._session.set_opening_offset(service, year, offset, late), saved)

    def _show_register(self, entries: list[RegisterEntry]) -> None:
        self.register_table.setRowCount(len(entries))
        for row, (number, event, reason, who, at) in enumerate(entries):
            cells = (
                f"{at.astimezone():%d-%m-%Y %H:%M}",
                number,
                self.tr(REGISTER_EVENTS[event]) if event in REGISTER_EVENTS else event,
                who,
                reason,
            )
            for column, text in enumerate(cells):
                self.register_table.setItem(row, column, QTableWidgetItem(text))
        self.register_table.resizeColumnsToContents()


def _shown_by_the_bus(_result: object) -> None:
    """The tab re-reads what changed when the change bus says so."""


def _fit_to_screen(dialog: QDialog, width: int, height: int) -> None:
    """Open at ``width`` x ``height``, or smaller on a small (or scaled) screen."""
    screen = dialog.screen().availableGeometry()
    dialog.resize(min(width, screen.width() - 40), min(height, screen.height() - 60))


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addStretch(1)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def _form_widget(form: QFormLayout) -> QWidget:
    holder = QWidget()
    holder.setLayout(form)
    return holder


def _tab(*widgets: QWidget) -> QWidget:
    """A tab with ``widgets`` stacked; a table or scroll area takes the spare height."""
    page = QWidget()
    layout = QVBoxLayout(page)
    growing = [w for w in widgets if isinstance(w, QTableWidget | QScrollArea)]
    for widget in widgets:
        layout.addWidget(widget, 1 if widget in growing else 0)
    if not growing:
        layout.addStretch(1)
    return page
