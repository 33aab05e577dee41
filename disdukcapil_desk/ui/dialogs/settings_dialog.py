"""First start of a workstation: which database, and which office this desk belongs to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.operations.connection import (
    POSTGRESQL,
    SQLITE,
    DatabaseConfig,
    ProbeResult,
)
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.workstation import RECEIPT_PROFILES, WorkstationSettings

Probe = Callable[[str, str | None], ProbeResult]
LocationsFor = Callable[[str, str | None], list[tuple[str, str]]]
StorePassword = Callable[[DatabaseConfig, str], object]


class SettingsDialog(QDialog):
    """Choose the database (local SQLite or the office's PostgreSQL) and this desk's office."""

    def __init__(
        self,
        settings: WorkstationSettings,
        *,
        sqlite_file: Path,
        probe: Probe,
        locations_for: LocationsFor,
        store_password: StorePassword,
        parent: QWidget | None = None,
    ) -> None:
        """Build the form from the saved settings."""
        super().__init__(parent)
        self.setWindowTitle("Pengaturan komputer ini")
        self._settings, self._sqlite_file = settings, sqlite_file
        self._probe, self._locations_for, self._store_password = (
            probe,
            locations_for,
            store_password,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self._database_box(settings.database()))
        layout.addWidget(self._location_box())
        self._status = QLabel("", self)
        self._status.setObjectName("connectionStatus")
        self._status.setWordWrap(True)
        layout.addWidget(self._status)
        layout.addWidget(DialogButtons(self, "Simpan", on_accept=self._on_save))
        self._sync_enabled()
        self.setMinimumWidth(640)
        self._on_test()

    def _database_box(self, config: DatabaseConfig) -> QGroupBox:
        box = QGroupBox("Basis data", self)
        form = QFormLayout(box)
        self.local_choice = QRadioButton("Berkas lokal di komputer ini (SQLite)", box)
        self.server_choice = QRadioButton("Server kantor (PostgreSQL, dipakai bersama)", box)
        (self.server_choice if config.kind == POSTGRESQL else self.local_choice).setChecked(True)
        self.local_choice.toggled.connect(self._sync_enabled)
        form.addRow(self.local_choice)
        form.addRow(QLabel(f"<small>{self._sqlite_file}</small>", box))
        form.addRow(self.server_choice)
        self.host = QLineEdit(config.host, box)
        self.host.setPlaceholderText("mis. 10.10.1.5 atau db.disdukcapil.local")
        self.port = QSpinBox(box)
        self.port.setRange(1, 65535)
        self.port.setValue(config.port)
        self.database_name = QLineEdit(config.name, box)
        self.user = QLineEdit(config.user, box)
        self.password = QLineEdit(box)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("disimpan di berkas sandi PostgreSQL pengguna ini")
        for label, widget in (
            ("Server", self.host),
            ("Port", self.port),
            ("Nama basis data", self.database_name),
            ("Pengguna", self.user),
            ("Kata sandi", self.password),
        ):
            form.addRow(label, widget)
        self.test_button = QPushButton("&Uji koneksi", box)
        self.test_button.clicked.connect(self._on_test)
        form.addRow(self.test_button)
        return box

    def _location_box(self) -> QGroupBox:
        box = QGroupBox("Lokasi layanan komputer ini", self)
        form = QFormLayout(box)
        self.location = QComboBox(box)
        self.location.setMinimumContentsLength(40)
        form.addRow("Kantor", self.location)
        self.receipt_profile = QComboBox(box)
        self.receipt_profile.setObjectName("receiptProfile")
        for code, label in RECEIPT_PROFILES.items():
            self.receipt_profile.addItem(label, code)
        self.receipt_profile.setCurrentIndex(
            max(self.receipt_profile.findData(self._settings.receipt_profile), 0)
        )
        form.addRow("Cetak tanda terima", self.receipt_profile)
        return box

    def config(self) -> DatabaseConfig:
        """Return the database choice as entered."""
        return DatabaseConfig(
            kind=SQLITE if self.local_choice.isChecked() else POSTGRESQL,
            host=self.host.text().strip(),
            port=self.port.value(),
            name=self.database_name.text().strip(),
            user=self.user.text().strip(),
        )

    def _sync_enabled(self) -> None:
        server = self.server_choice.isChecked()
        for widget in (self.host, self.port, self.database_name, self.user, self.password):
            widget.setEnabled(server)

    def _on_test(self) -> bool:
        config = self.config()
        problem = config.problem()
        if problem:
            return self._say(problem, ok=False)
        url = config.url(self._sqlite_file)
        password = self.password.text() or None
        try:
            result = self._probe(url, password)
            locations = self._locations_for(url, password)
        except DeskError as exc:
            return self._say(str(exc), ok=False)
        self._fill_locations(locations)
        schema = (
            f"skema versi {result.schema_version}"
            if result.schema_version is not None
            else "basis data masih kosong (akan disiapkan)"
        )
        return self._say(f"Terhubung: {result.server}; {schema}.", ok=True)

    def _fill_locations(self, locations: list[tuple[str, str]]) -> None:
        current = self.location.currentData() or self._settings.location
        self.location.clear()
        for code, name in locations:
            self.location.addItem(f"{name} ({code})", code)
        index = self.location.findData(current)
        self.location.setCurrentIndex(max(index, 0))

    def _say(self, text: str, *, ok: bool) -> bool:
        self._status.setText(text)
        self._status.setStyleSheet("color: #1b5e20;" if ok else "color: #b71c1c;")
        return ok

    def _on_save(self) -> None:
        if not self._on_test():
            return
        if not self.location.currentData():
            self._say("Pilih lokasi layanan komputer ini.", ok=False)
            return
        config = self.config()
        if config.kind == POSTGRESQL and self.password.text():
            self._store_password(config, self.password.text())
        self._settings.set_database(config)
        self._settings.set_location(str(self.location.currentData()))
        self._settings.set_receipt_profile(str(self.receipt_profile.currentData()))
        self._settings.sync()
        self.accept()
