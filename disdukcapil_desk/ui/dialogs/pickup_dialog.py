"""Pengambilan hari ini: the office's pickup list, check-in by scanning the receipt's QR,
booking or moving an appointment, and the printed list.

The check-in field has the focus: a scanner types the receipt's QR text (or the officer types
the request number) and Enter records the collection. Every database call goes through the
task runner; the list refreshes itself after each change and on the window's change bus.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QMargins, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.delivery import PickupState
from disdukcapil_desk.domain.dto import Changes
from disdukcapil_desk.domain.pickup import Booked, PickupRow, SlotRow
from disdukcapil_desk.ui.geometry import fit_to_screen
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.messages import show_error
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner

TITLE = QT_TRANSLATE_NOOP("PickupDialog", "Pengambilan hari ini")
COLUMNS = (
    QT_TRANSLATE_NOOP("PickupDialog", "Jam (WIB)"),
    QT_TRANSLATE_NOOP("PickupDialog", "Nomor permohonan"),
    QT_TRANSLATE_NOOP("PickupDialog", "Pemohon"),
    QT_TRANSLATE_NOOP("PickupDialog", "NIK"),
    QT_TRANSLATE_NOOP("PickupDialog", "Dokumen"),
    QT_TRANSLATE_NOOP("PickupDialog", "Status"),
)
OpenPdf = Callable[[str, bytes], object]
_STATE_MARKS = {
    PickupState.CHECKED_IN: "\u2713 ",
    PickupState.MISSED: "\u2717 ",
}


class PickupDialog(QDialog):
    """The counter's pickup screen of one office and day."""

    def __init__(
        self,
        session: DeskSession,
        runner: TaskRunner,
        open_pdf: OpenPdf | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Build the screen and load today's list."""
        super().__init__(parent)
        self.setObjectName("pickupDialog")
        self.setWindowTitle(f"{self.tr(TITLE)} \u2014 {session.location}")
        self._session, self._runner, self._open_pdf = session, runner, open_pdf
        self.rows: list[PickupRow] = []
        self.check_in_field = QLineEdit()
        self.check_in_field.setObjectName("pickupCheckIn")
        self.check_in_field.setPlaceholderText(
            self.tr("Pindai QR bukti pendaftaran atau ketik nomor permohonan, lalu Enter")
        )
        self.check_in_field.returnPressed.connect(self.check_in)
        self.check_in_button = QPushButton(self.tr("Catat &diambil"))
        self.check_in_button.setAutoDefault(False)
        self.check_in_button.clicked.connect(self.check_in)
        self.day = QDateEdit(QDate.currentDate())
        self.day.setObjectName("pickupDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd-MM-yyyy")
        self.day.dateChanged.connect(lambda _d: self.reload())
        self.table = self._make_table()
        self.book_number = QLineEdit()
        self.book_number.setObjectName("pickupBookNumber")
        self.book_number.setPlaceholderText(self.tr("nomor permohonan yang sudah terbit"))
        self.book_number.returnPressed.connect(self.book)
        self.window_choice = QComboBox()
        self.window_choice.setObjectName("pickupWindowChoice")
        self.book_button = QPushButton(self.tr("&Jadwalkan"))
        self.book_button.setAutoDefault(False)
        self.book_button.clicked.connect(self.book)
        self.message = QLabel("")
        self.message.setObjectName("pickupMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout()
        runner.changes.changed.connect(self._on_changes)
        fit_to_screen(self, self.sizeHint().expandedTo(self.minimumSizeHint()).grownBy(_MARGIN))
        self.check_in_field.setFocus()
        runner.run(session.pickup_today, self.show_day, self._failed)

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setObjectName("pickupTable")
        table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        table.itemSelectionChanged.connect(self._selected)
        return table

    def _layout(self) -> None:
        scan_label = QLabel(self.tr("&Pindai / nomor:"))
        scan_label.setBuddy(self.check_in_field)
        day_label = QLabel(self.tr("&Tanggal:"))
        day_label.setBuddy(self.day)
        grid = QGridLayout()
        grid.addWidget(scan_label, 0, 0)
        grid.addWidget(self.check_in_field, 0, 1)
        grid.addWidget(self.check_in_button, 0, 2)
        book_label = QLabel(self.tr("Ja&dwal untuk:"))
        book_label.setBuddy(self.book_number)
        book_row = QHBoxLayout()
        book_row.addWidget(self.book_number, 2)
        book_row.addWidget(self.window_choice, 2)
        grid.addWidget(book_label, 1, 0)
        grid.addLayout(book_row, 1, 1)
        grid.addWidget(self.book_button, 1, 2)
        grid.setColumnStretch(1, 1)
        top = QHBoxLayout()
        top.addWidget(day_label)
        top.addWidget(self.day)
        top.addStretch(1)
        refresh = QPushButton(self.tr("&Segarkan"))
        refresh.setAutoDefault(False)
        refresh.clicked.connect(self.reload)
        self.print_button = QPushButton(self.tr("&Cetak daftar"))
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_list)
        close = QPushButton(self.tr("Tutup"))
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        for button in (refresh, self.print_button, close):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.setMinimumSize(760, 420)

    # -- loading -------------------------------------------------------------------------------

    @property
    def chosen_day(self) -> dt.date:
        """The day shown."""
        shown = self.day.date()
        return dt.date(shown.year(), shown.month(), shown.day())

    def show_day(self, day: dt.date) -> None:
        """Show the list of ``day``."""
        self.day.blockSignals(True)
        self.day.setDate(QDate(day.year, day.month, day.day))
        self.day.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        """Read the day's list and its windows again."""
        day = self.chosen_day
        self._runner.run(lambda: self._session.pickup_list(day), self._show, self._failed)
        self._runner.run(
            lambda: self._session.pickup_windows(day), self._show_windows, self._failed
        )

    def _on_changes(self, changes: Changes) -> None:
        if changes.queue or changes.requests:
            self.reload()

    def _show(self, rows: list[PickupRow]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            mark = _STATE_MARKS.get(row.state, "") if row.state else ""
            values = (
                row.time_text,
                row.number,
                row.applicant_name,
                row.nik_masked,
                row.document,
                mark + self.tr(row.state_text),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 5 and row.state is not PickupState.BOOKED:
                    item.setToolTip(self.tr(row.state_text))
                self.table.setItem(index, column, item)
        booked = sum(1 for r in rows if r.state is PickupState.BOOKED)
        done = sum(1 for r in rows if r.state is PickupState.CHECKED_IN)
        waiting = sum(1 for r in rows if r.window is None)
        self.table.setToolTip(
            self.tr("Terjadwal {0} · diambil {1} · menunggu pemohon {2}").format(
                booked, done, waiting
            )
        )

    def _show_windows(self, windows: list[SlotRow]) -> None:
        self.window_choice.clear()
        self.window_choice.addItem(self.tr("Jadwal kosong paling awal"), None)
        for slot in windows:
            text = self.tr("{time} (sisa {free})").format(
                time=slot.window.time_text, free=slot.free
            )
            self.window_choice.addItem(f"{slot.window.day:%d-%m} {text}", slot.window.starts_at)

    def _selected(self) -> None:
        index = self.table.currentRow()
        if 0 <= index < len(self.rows):
            self.book_number.setText(self.rows[index].number)

    # -- actions -------------------------------------------------------------------------------

    def check_in(self) -> None:
        """Record the collection of the scanned or typed request."""
        text = self.check_in_field.text().strip()
        if not text:
            return
        self.check_in_field.clear()

        def done(row: PickupRow) -> None:
            self.message.setText(
                self.tr("\u2713 Diambil: {number} \u2014 {name} ({document})").format(
                    number=row.number, name=row.applicant_name, document=row.document
                )
            )
            self.check_in_field.setFocus()

        self._runner.run(lambda: self._session.pickup_check_in(text), done, self._failed)

    def book(self) -> None:
        """Book (or move) the pickup of the request typed, in the chosen window or the first."""
        number = self.book_number.text().strip()
        if not number:
            return
        slot = self.window_choice.currentData()

        def done(booked: Booked) -> None:
            self.message.setText(
                self.tr("Terjadwal {0}; pesan untuk pemohon sudah dibuat.").format(
                    booked.describe()
                )
            )
            self.book_number.clear()
            self.check_in_field.setFocus()

        self._runner.run(lambda: self._session.pickup_book(number, slot), done, self._failed)

    def print_list(self) -> None:
        """Make the printable list of the day and show its preview."""
        day = self.chosen_day

        def made(pdf: bytes) -> None:
            if self._open_pdf is not None:
                self._open_pdf(f"daftar-pengambilan-{self._session.location}-{day:%Y%m%d}", pdf)

        self._runner.run(lambda: self._session.pickup_list_pdf(day), made, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.message.setText("")
        show_error(self, error)
        self.check_in_field.setFocus()


_MARGIN = QMargins(0, 0, 200, 260)
