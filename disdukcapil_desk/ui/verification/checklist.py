"""The requirement checklist: each item sesuai / tidak ada / tidak terbaca / tidak sesuai.

Each row names the file the citizen sent for it; moving to a row (click, arrows, Enter, or the
Alt+digit that ticks the row above) shows that file in the attachment viewer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from disdukcapil_desk.domain.dto import CheckInput, CheckRow
from disdukcapil_desk.domain.vocabulary import CheckState
from disdukcapil_desk.ui import palette
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP

# Alt+1…4 tick the item under focus (0 puts it back to "not checked").
STATE_KEYS = {
    "1": CheckState.SESUAI.value,
    "2": CheckState.TIDAK_ADA.value,
    "3": CheckState.TIDAK_TERBACA.value,
    "4": CheckState.TIDAK_SESUAI.value,
    "0": CheckState.PENDING.value,
}
_STATE_KEYS_TIP = QT_TRANSLATE_NOOP(
    "ChecklistTable", "Alt+1 sesuai, Alt+2 tidak ada, Alt+3 tidak terbaca, Alt+4 tidak sesuai"
)
_STATE_COLOURS = {
    CheckState.SESUAI.value: "passed_bg",
    CheckState.TIDAK_ADA.value: "problem_bg",
    CheckState.TIDAK_TERBACA.value: "problem_bg",
    CheckState.TIDAK_SESUAI.value: "problem_bg",
}
"""The palette's background of a requirement's row, by its state."""


class ChecklistTable(QTableWidget):
    """One row per requirement of the service: label (with its file), state, note."""

    changed = Signal()
    requirement_shown = Signal(str, str)
    """(requirement code, label): the officer moved to this row or pressed Enter on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Three columns; keyboard shortcuts for the state of the focused row."""
        super().__init__(0, 3, parent)
        self.setObjectName("checklist")
        self.setHorizontalHeaderLabels(
            [self.tr("Persyaratan"), self.tr("Hasil periksa"), self.tr("Catatan")]
        )
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 150)
        # Wrapped labels need their rows re-measured whenever the label column changes width.
        header.sectionResized.connect(lambda *_: self.resizeRowsToContents())
        self._codes: list[str] = []
        self._labels: list[str] = []
        self._required: list[bool] = []
        self.currentCellChanged.connect(self._on_current_changed)
        for key, state in STATE_KEYS.items():
            QShortcut(QKeySequence(f"Alt+{key}"), self, lambda s=state: self.set_current_state(s))

    def load(self, checks: tuple[CheckRow, ...], files: dict[str, list[str]] | None = None) -> None:
        """Show the requirement states of a request; ``files`` names the attachments sent for
        each requirement code.
        """
        self.blockSignals(True)
        self._drop_rows()
        self.setRowCount(len(checks))
        self._codes = [c.requirement_code for c in checks]
        self._labels = [c.label for c in checks]
        self._required = [c.required for c in checks]
        widest = 0
        for row, check in enumerate(checks):
            self.setItem(row, 0, self._label_item(check, (files or {}).get(check.requirement_code)))
            combo = QComboBox(self)
            for state in CheckState:
                combo.addItem(state.label, state.value)
            combo.setCurrentIndex(max(combo.findData(check.state), 0))
            combo.currentIndexChanged.connect(lambda _i, r=row: self._on_state_changed(r))
            combo.setToolTip(self.tr(_STATE_KEYS_TIP))
            widest = max(widest, combo.sizeHint().width())
            self.setCellWidget(row, 1, combo)
            note = QLineEdit(check.note, self)
            note.setPlaceholderText(self.tr("catatan"))
            note.textEdited.connect(self.changed)
            self.setCellWidget(row, 2, note)
            self._colour(row)
        # The state column is as wide as its longest word: "Belum diperiksa" is never cut.
        self.horizontalHeader().resizeSection(1, max(widest, 60))
        self.resizeRowsToContents()
        if checks:
            # Opening a request shows its first attachment; moving to a row shows the row's.
            self.setCurrentCell(0, 0)
        self.blockSignals(False)

    def _drop_rows(self) -> None:
        """Remove the previous request's rows and their editors at once (not later)."""
        for row in range(self.rowCount()):
            for column in (1, 2):
                widget = self.cellWidget(row, column)
                if widget is not None:
                    self.removeCellWidget(row, column)
                    widget.hide()
                    widget.deleteLater()
        self.setRowCount(0)

    def _label_item(self, check: CheckRow, files: list[str] | None) -> QTableWidgetItem:
        text = check.label
        if not check.required:
            text += self.tr("\n(khusus: {0})").format(check.condition)
        sent = f"↳ {', '.join(files)}" if files else self.tr("↳ tidak ada lampiran")
        item = QTableWidgetItem(("● " if check.required else "○ ") + f"{text}\n{sent}")
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        kind = (
            self.tr("Wajib") if check.required else self.tr("Khusus: {0}").format(check.condition)
        )
        item.setToolTip(
            self.tr("{kind}\nLampiran: {0}").format(
                ", ".join(files) if files else self.tr("tidak ada"), kind=kind
            )
        )
        return item

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Wrap the labels again for the new width."""
        super().resizeEvent(event)
        self.resizeRowsToContents()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter on a row shows its attachment (again)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self._show_requirement(self.currentRow())
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_current_changed(self, row: int, _column: int, previous: int, _pc: int) -> None:
        if row >= 0 and row != previous:
            self._show_requirement(row)

    def _show_requirement(self, row: int) -> None:
        if 0 <= row < len(self._codes):
            self.requirement_shown.emit(self._codes[row], self._labels[row])

    def state_of(self, row: int) -> str:
        """The state chosen in ``row``."""
        combo = self.cellWidget(row, 1)
        assert isinstance(combo, QComboBox)
        return str(combo.currentData())

    def set_current_state(self, state: str) -> None:
        """Set the state of the focused row (keyboard ticking)."""
        row = self.currentRow()
        if row < 0:
            return
        combo = self.cellWidget(row, 1)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(state))
        if row + 1 < self.rowCount():
            self.setCurrentCell(row + 1, 0)

    def values(self) -> dict[str, CheckInput]:
        """Every requirement's state and note."""
        result = {}
        for row, code in enumerate(self._codes):
            note = self.cellWidget(row, 2)
            assert isinstance(note, QLineEdit)
            result[code] = CheckInput(self.state_of(row), note.text().strip())
        return result

    def unpassed_required(self) -> int:
        """How many required items are not (yet) ``sesuai``."""
        return sum(
            1
            for row, required in enumerate(self._required)
            if required and self.state_of(row) != CheckState.SESUAI
        )

    def set_read_only(self, read_only: bool) -> None:
        """Lock or unlock the states and notes."""
        for row in range(self.rowCount()):
            for column in (1, 2):
                widget = self.cellWidget(row, column)
                if widget is not None:
                    widget.setEnabled(not read_only)

    def _on_state_changed(self, row: int) -> None:
        self._colour(row)
        self.changed.emit()

    def _colour(self, row: int) -> None:
        item = self.item(row, 0)
        colour = _STATE_COLOURS.get(self.state_of(row))
        if item is not None:
            item.setBackground(QBrush() if colour is None else QBrush(palette.colour(colour)))
