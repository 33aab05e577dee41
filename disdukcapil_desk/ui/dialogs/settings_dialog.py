"""First start of a workstation: which database, which office this desk belongs to, and
whether it may work offline (``docs/offline.md``).

"Uji koneksi" runs in a worker with a time limit and shows "menghubungkan…" meanwhile; a
failure says in Indonesian what went wrong, the driver's text behind "Rincian". A local file
that does not exist is created only when the officer ticks "Buat basis data baru di …".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
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

from disdukcapil_desk.domain.database import POSTGRESQL, SQLITE, DatabaseConfig
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.operations.connection import PROBE_TIMEOUT_S, ProbeResult
from disdukcapil_desk.settings import RECEIPT_PROFILES
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.dialogs.database_error_dialog import DetailsExpander
from disdukcapil_desk.ui.dialogs.offline_setup import OfflineSettingsBox
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings

Probe = Callable[[str, str | None], ProbeResult]
LocationsFor = Callable[[str, str | None], list[tuple[str, str]]]
StorePassword = Callable[[DatabaseConfig, str], object]
Found = tuple[ProbeResult | None, list[tuple[str, str]]]
WATCHDOG_GRACE_S = 3
"""The dialog gives up this long after the driver's own connect timeout should have fired."""


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
        runner: TaskRunner | None = None,
        timeout_s: float = PROBE_TIMEOUT_S,
        parent: QWidget | None = None,
    ) -> None:
        """Build the form from the saved settings and test the saved choice at once.

        ``probe`` and ``locations_for`` run in ``runner`` (the window's worker; inline when
        none is given); after ``timeout_s`` plus a grace the dialog stops waiting.
        """
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pengaturan komputer ini"))
        self._settings, self._sqlite_file = settings, sqlite_file
        self._probe, self._locations_for, self._store_password = (
            probe,
            locations_for,
            store_password,
        )
        self._runner = runner or InlineTaskRunner()
        self._timeout_s = timeout_s
        self._attempt = 0
        self._save_after_test = False
        self.testing = False
        self._ok = False
        self.create_requested = False
        """After Simpan: the officer asked for a new local database file."""
        layout = QVBoxLayout(self)
        layout.addWidget(
            self._database_box(settings.database(), first_start=not settings.configured)
        )
        layout.addWidget(self._location_box())
        self.offline_box = OfflineSettingsBox(settings, self)
        layout.addWidget(self.offline_box)
        self._status = QLabel("", self)
        self._status.setObjectName("connectionStatus")
        self._status.setWordWrap(True)
        layout.addWidget(self._status)
        self.details = DetailsExpander(self)
        layout.addWidget(self.details)
        self.buttons = DialogButtons(self, self.tr("Simpan"), on_accept=self._on_save)
        layout.addWidget(self.buttons)
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._gave_up)
        self._sync_enabled()
        self.setMinimumWidth(640)
        self._on_test()

    def _database_box(self, config: DatabaseConfig, *, first_start: bool) -> QGroupBox:
        box = QGroupBox(self.tr("Basis data"), self)
        form = QFormLayout(box)
        self.local_choice = QRadioButton(self.tr("Berkas lokal di komputer ini (SQLite)"), box)
        self.server_choice = QRadioButton(
            self.tr("Server kantor (PostgreSQL, dipakai bersama)"), box
        )
        (self.server_choice if config.kind == POSTGRESQL else self.local_choice).setChecked(True)
        self.local_choice.toggled.connect(self._sync_enabled)
        form.addRow(self.local_choice)
        form.addRow(QLabel(self.tr("<small>{0}</small>").format(self._sqlite_file), box))
        self.create_choice = QCheckBox(
            self.tr("&Buat basis data baru di {0}").format(self._sqlite_file), box
        )
        self.create_choice.setObjectName("createDatabase")
        # A first start has nothing to lose; a configured file that vanished must be looked
        # for (or replaced knowingly), never silently swapped for an empty one.
        self.create_choice.setChecked(first_start)
        self.create_choice.toggled.connect(self._on_test)
        form.addRow(self.create_choice)
        form.addRow(self.server_choice)
        self.host = QLineEdit(config.host, box)
        self.host.setPlaceholderText(self.tr("mis. 10.10.1.5 atau db.disdukcapil.local"))
        self.port = QSpinBox(box)
        self.port.setRange(1, 65535)
        self.port.setValue(config.port)
        self.database_name = QLineEdit(config.name, box)
        self.user = QLineEdit(config.user, box)
        self.password = QLineEdit(box)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(
            self.tr("disimpan di berkas sandi PostgreSQL pengguna ini")
        )
        for label, widget in (
            (self.tr("Server"), self.host),
            (self.tr("Port"), self.port),
            (self.tr("Nama basis data"), self.database_name),
            (self.tr("Pengguna"), self.user),
            (self.tr("Kata sandi"), self.password),
        ):
            form.addRow(label, widget)
        self.test_button = QPushButton(self.tr("&Uji koneksi"), box)
        self.test_button.clicked.connect(self._on_test)
        form.addRow(self.test_button)
        return box

    def _location_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Lokasi layanan komputer ini"), self)
        form = QFormLayout(box)
        self.location = QComboBox(box)
        self.location.setMinimumContentsLength(40)
        form.addRow(self.tr("Kantor"), self.location)
        self.receipt_profile = QComboBox(box)
        self.receipt_profile.setObjectName("receiptProfile")
        for code, label in RECEIPT_PROFILES.items():
            self.receipt_profile.addItem(self.tr(label), code)
        self.receipt_profile.setCurrentIndex(
            max(self.receipt_profile.findData(self._settings.receipt_profile), 0)
        )
        form.addRow(self.tr("Cetak tanda terima"), self.receipt_profile)
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
            widget.setEnabled(server and not self.testing)
        self.create_choice.setVisible(not server and self._local_file_missing())
        for choice in (self.local_choice, self.server_choice, self.create_choice):
            choice.setEnabled(not self.testing)
        self.test_button.setEnabled(not self.testing)
        self.buttons.accept_button.setEnabled(not self.testing)

    def _local_file_missing(self) -> bool:
        return not self._sqlite_file.exists()

    def _new_file_chosen(self) -> bool:
        return self.local_choice.isChecked() and self._local_file_missing()

    def _on_test(self) -> None:
        """Test the choice as entered, in the worker; the answer arrives in ``_found``."""
        self._sync_enabled()
        config = self.config()
        problem = config.problem()
        if problem:
            self._say(problem, ok=False)
            return
        url = config.url(self._sqlite_file)
        password = self.password.text() or None
        if self._new_file_chosen() and not self.create_choice.isChecked():
            self._say(
                self.tr(
                    "Berkas basis data tidak ditemukan: {0}. Kembalikan berkasnya (lalu "
                    "Uji koneksi), atau centang “Buat basis data baru” untuk mulai dari "
                    "basis data kosong."
                ).format(self._sqlite_file),
                ok=False,
            )
            self._save_after_test = False
            return
        probe = None if self._new_file_chosen() else self._probe
        self._attempt += 1
        attempt = self._attempt
        self.testing = True
        self._sync_enabled()
        self._say(self.tr("Menghubungkan… ({0})").format(self._where(config)), ok=None)
        self._watchdog.start(int((self._timeout_s + WATCHDOG_GRACE_S) * 1000))
        self._runner.run(
            lambda: (
                probe(url, password) if probe else None,
                self._locations_for(url, password),
            ),
            lambda found: self._found(attempt, found),
            lambda error: self._failed(attempt, error),
        )

    def _where(self, config: DatabaseConfig) -> str:
        if config.kind == SQLITE:
            return str(self._sqlite_file)
        return f"{config.host}:{config.port}/{config.name}"

    def _found(self, attempt: int, found: Found) -> None:
        if attempt != self._attempt:
            return  # an answer the officer stopped waiting for
        self._finish_test()
        result, locations = found
        self._fill_locations(locations)
        if result is None:
            self._say(
                self.tr("Basis data baru akan dibuat di {0} saat Simpan.").format(
                    self._sqlite_file
                ),
                ok=True,
            )
        else:
            schema = (
                self.tr("skema versi {0}").format(result.schema_version)
                if result.schema_version is not None
                else self.tr("basis data masih kosong (akan disiapkan)")
            )
            self._say(
                self.tr("Terhubung: {result.server}; {schema}.").format(
                    result=result, schema=schema
                ),
                ok=True,
            )
        if self._save_after_test:
            self._save()

    def _failed(self, attempt: int, error: BaseException) -> None:
        if attempt != self._attempt:
            return
        self._finish_test()
        self._save_after_test = False
        if not isinstance(error, DeskError):
            raise error
        self._say(
            self.tr("Tidak dapat terhubung: {error}").format(error=error),
            ok=False,
            details=getattr(error, "detail", ""),
        )

    def _gave_up(self) -> None:
        self._attempt += 1  # the late answer, if any, is dropped
        self._finish_test()
        self._save_after_test = False
        seconds = round(self._timeout_s + WATCHDOG_GRACE_S)
        self._say(
            self.tr(
                "Tidak dapat terhubung: tidak ada jawaban dalam {seconds} detik dari "
                "{0}. Periksa alamat server dan jaringan kantor."
            ).format(self._where(self.config()), seconds=seconds),
            ok=False,
        )

    def _finish_test(self) -> None:
        self._watchdog.stop()
        self.testing = False
        self._sync_enabled()

    def _fill_locations(self, locations: list[tuple[str, str]]) -> None:
        current = self.location.currentData() or self._settings.location
        self.location.clear()
        for code, name in locations:
            self.location.addItem(f"{name} ({code})", code)
        index = self.location.findData(current)
        self.location.setCurrentIndex(max(index, 0))

    def _say(self, text: str, *, ok: bool | None, details: str = "") -> None:
        self._status.setText(text)
        set_tone(self._status, {True: "ok", False: "error", None: "neutral"}[ok])
        self.details.set_details(details)
        self._ok = bool(ok)

    def _on_save(self) -> None:
        """Simpan: test first (in the worker); save when the test passed."""
        if self.testing:
            return
        self._save_after_test = True
        self._on_test()

    def _save(self) -> None:
        self._save_after_test = False
        if not self._ok:
            return
        if not self.location.currentData():
            self._say(self.tr("Pilih lokasi layanan komputer ini."), ok=False)
            return
        config = self.config()
        if config.kind == POSTGRESQL and self.password.text():
            self._store_password(config, self.password.text())
        self.create_requested = self._new_file_chosen() and self.create_choice.isChecked()
        self._settings.set_database(config)
        self._settings.set_location(str(self.location.currentData()))
        self._settings.set_receipt_profile(str(self.receipt_profile.currentData()))
        self.offline_box.save()
        self._settings.sync()
        self.accept()

    def done(self, result: int) -> None:
        """Closing stops waiting for a test still running (its answer is dropped)."""
        self._attempt += 1
        self._watchdog.stop()
        super().done(result)
