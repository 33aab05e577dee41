"""The administrator's "Jadwal ambil" tab: each office's pickup hours (ui).

Per office: from when to when citizens collect cards (WIB), how long one window is, how many
people a window holds, how many working days after the message the first window is, and the
rest (istirahat; on Fridays its own, for the Friday prayer) when no window is given.
Holidays come from the calendar. Stored and audited in ``operations/`` (``PickupOps``).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.pickup import Pause, PickupError, PickupHours
from disdukcapil_desk.ui.dialogs.admin_tab import AdminTab


class PauseEditor(QWidget):
    """A tick for "there is a rest" and its two times (WIB)."""

    def __init__(self, label: str, default: Pause, parent: QWidget | None = None) -> None:
        """``default``: the times shown when the tick is set on a day that had no rest."""
        super().__init__(parent)
        self.on = QCheckBox(label, self)
        self.start, self.end = QTimeEdit(self), QTimeEdit(self)
        for edit, moment in ((self.start, default.start), (self.end, default.end)):
            edit.setDisplayFormat("HH:mm")
            edit.setTime(QTime(moment.hour, moment.minute))
            edit.setEnabled(False)
        self.on.toggled.connect(self.start.setEnabled)
        self.on.toggled.connect(self.end.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.on)
        row.addWidget(self.start)
        row.addWidget(QLabel("\u2013", self))
        row.addWidget(self.end)
        row.addStretch(1)

    def show_pause(self, pause: Pause | None) -> None:
        """Show a stored rest (or none)."""
        self.on.setChecked(pause is not None)
        if pause is not None:
            self.start.setTime(QTime(pause.start.hour, pause.start.minute))
            self.end.setTime(QTime(pause.end.hour, pause.end.minute))

    def pause(self) -> Pause | None:
        """The rest as set (None when not ticked)."""
        if not self.on.isChecked():
            return None
        return Pause(self.start.time().toPython(), self.end.time().toPython())  # type: ignore[arg-type]


class PickupHoursTab(AdminTab):
    """An office chosen, its hours shown and saved."""

    OBJECT_NAME = "pickupHoursTab"

    def _build(self) -> None:
        """Build the form; ``load`` fills it."""
        self.office = QComboBox(self)
        self.office.setObjectName("pickupOffice")
        self.office.currentIndexChanged.connect(lambda _i: self._load_hours())
        self.start = QTimeEdit(self)
        self.end = QTimeEdit(self)
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.minutes = _spin(self, 5, 240, self.tr(" menit"))
        self.capacity = _spin(self, 1, 500, self.tr(" orang"))
        self.lead = _spin(self, 0, 10, self.tr(" hari kerja"))
        self.rest = PauseEditor(self.tr("&Istirahat"), Pause(dt.time(12), dt.time(13)), self)
        self.friday_rest = PauseEditor(
            self.tr("Istirahat J&umat"), Pause(dt.time(11, 30), dt.time(13)), self
        )
        self.save_button = QPushButton(self.tr("&Simpan jadwal ambil"), self)
        self.save_button.clicked.connect(self.save)
        self.state = QLabel("", self)
        self.state.setWordWrap(True)
        hint = QLabel(
            self.tr(
                "Warga yang kartunya (atau dokumen cetaknya) siap mendapat jadwal ambil pada "
                "jam ini, pada hari kerja (hari libur dari kalender), paling awal sesudah jeda "
                "hari kerja. Kapasitas baru berlaku juga untuk jadwal yang sudah ada, tetapi "
                "janji yang sudah dibuat tetap."
            ),
            self,
        )
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&Kantor"), self.office)
        form.addRow(self.tr("Jam &mulai (WIB)"), self.start)
        form.addRow(self.tr("Jam s&elesai (WIB)"), self.end)
        form.addRow(self.tr("&Lama satu jadwal"), self.minutes)
        form.addRow(self.tr("Ka&pasitas per jadwal"), self.capacity)
        form.addRow(self.tr("&Jeda sebelum jadwal pertama"), self.lead)
        widest = max(e.on.sizeHint().width() for e in (self.rest, self.friday_rest))
        for editor in (self.rest, self.friday_rest):  # the times of both rests in one column
            editor.on.setMinimumWidth(widest)
        form.addRow(self.tr("Tanpa jadwal"), self.rest)
        form.addRow("", self.friday_rest)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.save_button)
        layout.addWidget(self.state)
        layout.addStretch(1)

    def load(self) -> None:
        """Read the offices, then the hours of the first."""
        self._runner.run(self._session.locations, self._show_offices, self._show_error)

    def _show_offices(self, offices: list[tuple[str, str]]) -> None:
        self.office.blockSignals(True)
        self.office.clear()
        for code, name in offices:
            self.office.addItem(f"{code} \u2014 {name}", code)
        self.office.blockSignals(False)
        self._load_hours()

    def _load_hours(self) -> None:
        code = self.office.currentData()
        if code:
            self._runner.run(
                lambda: self._session.pickup_hours(code), self._show_hours, self._show_error
            )

    def _show_hours(self, hours: PickupHours) -> None:
        self.start.setTime(QTime(hours.start.hour, hours.start.minute))
        self.end.setTime(QTime(hours.end.hour, hours.end.minute))
        self.minutes.setValue(hours.minutes)
        self.capacity.setValue(hours.capacity)
        self.lead.setValue(hours.lead_days)
        self.rest.show_pause(hours.rest)
        self.friday_rest.show_pause(hours.friday_rest)
        self.state.setText(hours.describe())

    def save(self) -> None:
        """Save the office's hours (checked in the domain; audited)."""
        code = self.office.currentData()
        if not code:
            return
        try:
            hours = PickupHours(
                start=self.start.time().toPython(),  # type: ignore[arg-type]
                end=self.end.time().toPython(),  # type: ignore[arg-type]
                minutes=self.minutes.value(),
                capacity=self.capacity.value(),
                lead_days=self.lead.value(),
                rest=self.rest.pause(),
                friday_rest=self.friday_rest.pause(),
            )
        except PickupError as error:  # hours that give no window
            self._show_error(error)
            return

        def saved(changed: bool) -> None:
            done = self.tr("Tersimpan") if changed else self.tr("Tidak ada perubahan")
            self.state.setText(f"{done}: {code} \u00b7 {hours.describe()}")

        self._runner.run(
            lambda: self._session.set_pickup_hours(code, hours), saved, self._show_error
        )


def _spin(parent: QWidget, low: int, high: int, suffix: str) -> QSpinBox:
    box = QSpinBox(parent)
    box.setRange(low, high)
    box.setSuffix(suffix)
    return box
