"""Kerja luring: this workstation's offline setting, and "Siapkan kerja luring…" for a
jemput-bola day (ui layer; ``docs/offline.md``).

:class:`OfflineSettingsBox` is the group "Kerja luring" of the settings dialog and of the setup
dialog: whether this computer may work offline, and how many request numbers it reserves per
day. :class:`OfflineSetupDialog` asks for the day(s) to prepare; the window then reserves the
number blocks on the server and refreshes the local copy on the worker, with progress and
"Batal".
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.offline import MAX_BLOCK_SIZE
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.workstation import WorkstationSettings

MAX_DAYS = 7
"""The most days one preparation reserves numbers for."""


class OfflineSettingsBox(QGroupBox):
    """Whether this computer may work offline, and its block of numbers per day."""

    def __init__(self, settings: WorkstationSettings, parent: QWidget | None = None) -> None:
        """Filled from this workstation's settings; :meth:`save` writes them back."""
        super().__init__(self.tr("Kerja luring"), parent)
        self.setObjectName("offlineSettings")
        self._settings = settings
        form = QFormLayout(self)
        self.capable = QCheckBox(self.tr("Komputer ini dapat bekerja luring"), self)
        self.capable.setObjectName("offlineCapable")
        self.capable.setToolTip(
            self.tr(
                "Menyimpan salinan lokal permohonan kantor ini; bila server tidak terjangkau, "
                "petugas tetap bekerja dan tindakannya disinkronkan kemudian."
            )
        )
        self.capable.setChecked(settings.offline_capable)
        self.block_size = QSpinBox(self)
        self.block_size.setObjectName("offlineBlockSize")
        self.block_size.setRange(1, MAX_BLOCK_SIZE)
        self.block_size.setSingleStep(50)
        self.block_size.setValue(settings.offline_block_size)
        self.block_size.setSuffix(self.tr(" nomor per hari"))
        self.capable.toggled.connect(self.block_size.setEnabled)
        self.block_size.setEnabled(self.capable.isChecked())
        form.addRow(self.capable, self.block_size)

    def save(self) -> None:
        """Write the choice to this workstation's settings file."""
        self._settings.set_offline_capable(self.capable.isChecked())
        self._settings.set_offline_block_size(self.block_size.value())


class OfflineSetupDialog(QDialog):
    """Siapkan kerja luring: the days to reserve numbers for, then "Siapkan"."""

    def __init__(
        self,
        settings: WorkstationSettings,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        """Start from ``today``, one day, this workstation's block size."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Siapkan kerja luring"))
        self.setObjectName("offlineSetupDialog")
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Untuk hari jemput bola atau bila jaringan kantor diperkirakan putus: komputer "
                "ini memesan satu blok nomor permohonan per hari di server, lalu menyalin "
                "permohonan terbuka kantor ini ke salinan lokal. Lakukan selagi tersambung, "
                "sebelum berangkat."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.settings_box = OfflineSettingsBox(settings, self)
        layout.addWidget(self.settings_box)
        days = QGroupBox(self.tr("Hari kerja luring"), self)
        form = QFormLayout(days)
        self.first_day = QDateEdit(QDate(today.year, today.month, today.day), days)
        self.first_day.setObjectName("offlineFirstDay")
        self.first_day.setCalendarPopup(True)
        self.first_day.setDisplayFormat("dd-MM-yyyy")
        self.first_day.setMinimumDate(QDate(today.year, today.month, today.day))
        form.addRow(self.tr("Mulai tanggal"), self.first_day)
        self.day_count = QSpinBox(days)
        self.day_count.setObjectName("offlineDayCount")
        self.day_count.setRange(1, MAX_DAYS)
        self.day_count.setSuffix(self.tr(" hari"))
        form.addRow(self.tr("Lamanya"), self.day_count)
        layout.addWidget(days)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.buttons = DialogButtons(self, self.tr("Siapkan"), on_accept=self._on_accept)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    @property
    def days(self) -> list[dt.date]:
        """The days chosen, in order."""
        first = self.first_day.date().toPython()
        assert isinstance(first, dt.date)
        return [first + dt.timedelta(days=i) for i in range(self.day_count.value())]

    @property
    def block_size(self) -> int:
        """Numbers to reserve per day."""
        return self.settings_box.block_size.value()

    def _on_accept(self) -> None:
        if not self.settings_box.capable.isChecked():
            self.message.setText(self.tr('Centang "Komputer ini dapat bekerja luring" dahulu.'))
            set_tone(self.message, "error")
            return
        self.settings_box.save()
        self.accept()
