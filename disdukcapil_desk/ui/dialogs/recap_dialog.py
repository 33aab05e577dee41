"""The recap dialog: a period (presets or dates), an office, Excel or PDF (ui layer)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from disdukcapil_desk.domain.recap import PeriodPreset, preset_period
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons


class RecapDialog(QDialog):
    """Choose what to export; ``request()`` returns the choice after ``exec()``."""

    def __init__(
        self,
        locations: list[tuple[str, str]],
        *,
        today: dt.date,
        default_dir: Path,
        may_show_full_nik: bool,
        parent: QWidget | None = None,
    ) -> None:
        """Build the form; the first preset is "this month"."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Rekapitulasi pelayanan"))
        self._today, self._default_dir = today, default_dir
        self._chosen_path = False
        form = QFormLayout(self)
        self.preset = QComboBox(self)
        for preset in PeriodPreset:
            self.preset.addItem(preset.label, preset.value)
        self.preset.addItem(self.tr("Tanggal tertentu"), None)
        self.preset.currentIndexChanged.connect(self._on_preset)
        form.addRow(self.tr("&Periode"), self.preset)
        dates = QHBoxLayout()
        self.date_from, self.date_to = QDateEdit(self), QDateEdit(self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel(self.tr("s.d."), self))
        dates.addWidget(self.date_to)
        form.addRow(self.tr("Tanggal"), dates)
        self.location = QComboBox(self)
        self.location.addItem(self.tr("Semua lokasi (dinas dan UPT)"), None)
        for code, name in locations:
            self.location.addItem(name, code)
        form.addRow(self.tr("&Lokasi"), self.location)
        self.format = QComboBox(self)
        self.format.addItem(self.tr("Excel (.xlsx)"), ".xlsx")
        self.format.addItem(self.tr("PDF siap cetak (.pdf)"), ".pdf")
        self.format.currentIndexChanged.connect(self._suggest_path)
        form.addRow(self.tr("&Format"), self.format)
        self.full_nik = QCheckBox(
            self.tr("Tampilkan NIK lengkap di register (tercatat di log audit)"), self
        )
        self.full_nik.setVisible(may_show_full_nik)
        form.addRow("", self.full_nik)
        self.register = QCheckBox(
            self.tr("Sertakan &register permohonan (daftar semua permohonan; lebih lama)"), self
        )
        self.register.setChecked(True)
        self.register.toggled.connect(self._on_register)
        form.addRow("", self.register)
        path_row = QHBoxLayout()
        self.path = QLineEdit(self)
        browse = QPushButton(self.tr("Pilih…"), self)
        browse.clicked.connect(self._browse)
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        save_to = QLabel(self.tr("&Simpan ke"), self)
        save_to.setBuddy(self.path)  # a row of widgets has no buddy of its own: "&" showed
        form.addRow(save_to, path_row)
        form.addRow(DialogButtons(self, self.tr("Buat rekap")))
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._suggest_path)
        self.preset.setCurrentIndex(self.preset.findData(PeriodPreset.THIS_MONTH.value))
        self._on_preset()
        self.setMinimumWidth(560)

    def _on_register(self, checked: bool) -> None:
        """Whole NIKs only appear in the register: without it there is nothing to show."""
        self.full_nik.setEnabled(checked)
        if not checked:
            self.full_nik.setChecked(False)

    def with_register(self) -> bool:
        """Whether the recap lists every request (the register sheet / attachment)."""
        return self.register.isChecked()

    def _on_preset(self) -> None:
        value = self.preset.currentData()
        custom = value is None
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if not custom:
            period = preset_period(PeriodPreset(value), self._today)
            self.date_from.setDate(QDate(period.first.year, period.first.month, period.first.day))
            self.date_to.setDate(QDate(period.last.year, period.last.month, period.last.day))
        self._suggest_path()

    def _suggest_path(self) -> None:
        if self._chosen_path:
            return
        first, last = self.dates()
        name = f"rekap-{first:%Y%m%d}-{last:%Y%m%d}{self.format.currentData()}"
        self.path.setText(str(self._default_dir / name))

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Simpan rekap"), self.path.text(), self.tr("Excel (*.xlsx);;PDF (*.pdf)")
        )
        if chosen:
            self._chosen_path = True
            self.path.setText(chosen)

    def dates(self) -> tuple[dt.date, dt.date]:
        """The period as chosen."""
        return self.date_from.date().toPython(), self.date_to.date().toPython()  # type: ignore[return-value]

    def location_code(self) -> str | None:
        """The office, or None for all."""
        value = self.location.currentData()
        return str(value) if value else None

    def output(self) -> Path:
        """Where to write (the suffix decides the format)."""
        path = Path(self.path.text().strip())
        return (
            path
            if path.suffix in (".xlsx", ".pdf")
            else path.with_suffix(str(self.format.currentData()))
        )
