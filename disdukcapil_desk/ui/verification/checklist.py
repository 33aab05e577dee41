"""The requirement checklist: each item sesuai / tidak ada / tidak terbaca / tidak sesuai."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from disdukcapil_desk.domain.dto import CheckRow
from disdukcapil_desk.operations.verification import CHECK_LABELS, CHECK_STATES, CheckInput

# Alt+1…4 tick the item under focus (0 puts it back to "not checked").
STATE_KEYS = {
    "1": "sesuai",
    "2": "tidak_ada",
    "3": "tidak_terbaca",
    "4": "tidak_sesuai",
    "0": "pending",
}
_STATE_COLOURS = {
    "sesuai": "#e3f1e4",
    "tidak_ada": "#fde0dc",
    "tidak_terbaca": "#fde0dc",
    "tidak_sesuai": "#fde0dc",
}


class ChecklistTable(QTableWidget):
    """One row per requirement of the service: label, state, note."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """Three columns; keyboard shortcuts for the state of the focused row."""
        super().__init__(0, 3, parent)
        self.setObjectName("checklist")
        self.setHorizontalHeaderLabels(["Persyaratan", "Hasil periksa", "Catatan"])
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(2, 180)
        self._codes: list[str] = []
        self._required: list[bool] = []
        for key, state in STATE_KEYS.items():
            QShortcut(QKeySequence(f"Alt+{key}"), self, lambda s=state: self.set_current_state(s))

    def load(self, checks: tuple[CheckRow, ...]) -> None:
        """Show the requirement states of a request."""
        self.blockSignals(True)
        self._drop_rows()
        self.setRowCount(len(checks))
        self._codes = [c.requirement_code for c in checks]
        self._required = [c.required for c in checks]
        for row, check in enumerate(checks):
            self.setItem(row, 0, self._label_item(check))
            combo = QComboBox(self)
            for state in CHECK_STATES:
                combo.addItem(CHECK_LABELS[state], state)
            combo.setCurrentIndex(max(combo.findData(check.state), 0))
            combo.currentIndexChanged.connect(lambda _i, r=row: self._on_state_changed(r))
            self.setCellWidget(row, 1, combo)
            note = QLineEdit(check.note, self)
            note.setPlaceholderText("catatan")
            note.textEdited.connect(self.changed)
            self.setCellWidget(row, 2, note)
            self._colour(row)
        self.resizeRowsToContents()
        self.blockSignals(False)
        if checks:
            self.setCurrentCell(0, 0)

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

    def _label_item(self, check: CheckRow) -> QTableWidgetItem:
        text = check.label if check.required else f"{check.label}\n(khusus: {check.condition})"
        item = QTableWidgetItem(("● " if check.required else "○ ") + text)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        item.setToolTip("Wajib" if check.required else f"Khusus: {check.condition}")
        return item

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
            if required and self.state_of(row) != "sesuai"
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
            item.setBackground(QBrush() if colour is None else QBrush(QColor(colour)))
