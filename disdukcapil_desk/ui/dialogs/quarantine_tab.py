"""The administrator's "Karantina masuk" tab: intake rows that did not become requests (ui layer).

A row is quarantined with its reason (a payload that is not a form, an unknown service, no
contact, too large or too deep…). Once its cause is fixed (the catalogue updated, the channel's
row corrected), the administrator selects it and sends it back to the intake queue with a note;
the next "Proses masuk" ingests it again. Permission and audit are in ``operations/``; every
call runs in the task runner.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import QuarantinedRow
from disdukcapil_desk.ui.dialogs.admin_tab import AdminTab
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.messages import channel_label

CONTEXT = "QuarantineTab"
COLUMNS = tuple(
    QT_TRANSLATE_NOOP(CONTEXT, header)
    for header in ("No.", "Diterima", "Kanal", "Ref", "Layanan", "Alasan")
)
REASON_COLUMN = len(COLUMNS) - 1
EMPTY = QT_TRANSLATE_NOOP(CONTEXT, "Tidak ada baris masuk yang dikarantina.")


class QuarantineTab(AdminTab):
    """The quarantined intake rows, and "Kirim ulang ke antrean" for the selected ones."""

    OBJECT_NAME = "quarantineTab"

    def _build(self) -> None:
        """Build the table, the note and the buttons; ``load`` fills the table."""
        self.rows: list[QuarantinedRow] = []
        self.table = _table(self)
        self.table.itemSelectionChanged.connect(self._update_button)
        self.note = QLineEdit(self)
        self.note.setObjectName("requeueNote")
        self.note.setPlaceholderText(
            self.tr("wajib: apa yang sudah diperbaiki, mis. katalog diperbarui")
        )
        self.note.textChanged.connect(self._update_button)
        note_label = QLabel(self.tr("&Catatan:"), self)
        note_label.setBuddy(self.note)
        self.reload_button = QPushButton(self.tr("&Muat ulang"), self)
        self.reload_button.clicked.connect(lambda: self.load())
        self.requeue_button = QPushButton(self.tr("&Kirim ulang ke antrean"), self)
        self.requeue_button.clicked.connect(self.requeue)
        self.state = QLabel("", self)
        self.state.setObjectName("quarantineState")
        self.state.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(note_label)
        actions.addWidget(self.note, 1)
        actions.addWidget(self.requeue_button)
        actions.addWidget(self.reload_button)
        hint = QLabel(
            self.tr(
                "Baris yang gagal diproses masuk, dengan alasannya. Perbaiki penyebabnya dahulu, "
                "lalu pilih barisnya (Ctrl/Shift untuk beberapa) dan kirim ulang: baris itu "
                "diproses lagi pada \u201cProses masuk\u201d berikutnya."
            ),
            self,
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.state)
        self._update_button()

    def load(self, said: str = "") -> None:
        """Read the quarantined rows in the worker; ``said`` is shown with the new list."""
        self._runner.run(
            self._session.quarantined_intake,
            lambda rows: self._show(rows, said),
            self._show_error,
        )

    def _show(self, rows: list[QuarantinedRow], said: str) -> None:
        self.rows = list(rows)
        self.table.clearSelection()
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            for column, text in enumerate(_cells(row)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.row_id)
                if column == REASON_COLUMN:
                    item.setToolTip(row.reason)
                self.table.setItem(index, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(
            REASON_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        self.state.setText(said or ("" if rows else self.tr(EMPTY)))
        self._update_button()

    def selected_ids(self) -> list[int]:
        """The intake row numbers of the selected rows."""
        picked = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.rows[i].row_id for i in picked if i < len(self.rows)]

    def _update_button(self) -> None:
        self.requeue_button.setEnabled(bool(self.selected_ids() and self.note.text().strip()))

    def requeue(self) -> None:
        """Send the selected rows back to the intake queue with the note (required)."""
        ids, note = self.selected_ids(), self.note.text().strip()
        if not ids or not note:
            self.state.setText(self.tr("Pilih baris dan isi catatan dahulu."))
            return
        self.requeue_button.setEnabled(False)

        def sent(count: int) -> None:
            skipped = len(ids) - count
            said = self.tr("{0} baris dikirim ulang ke antrean masuk.").format(count)
            if skipped:
                said += " " + self.tr("{0} baris dilewati (tidak dikarantina lagi).").format(
                    skipped
                )
            self.note.clear()
            self.load(said)

        def failed(error: BaseException) -> None:
            self._update_button()
            self._show_error(error)

        self._runner.run(lambda: self._session.requeue_intake(ids, note), sent, failed)


def _table(parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(COLUMNS), parent)
    table.setObjectName("quarantineTable")
    table.setHorizontalHeaderLabels([QCoreApplication.translate(CONTEXT, c) for c in COLUMNS])
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    return table


def _cells(row: QuarantinedRow) -> tuple[str, ...]:
    reason = row.reason.splitlines()[0] if row.reason else ""
    return (
        str(row.row_id),
        f"{row.received_at.astimezone(WIB):%d-%m-%Y %H:%M}",
        channel_label(row.channel),
        row.external_ref,
        row.service_code,
        reason,
    )
