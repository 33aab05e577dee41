"""The administrator's "Pemisahan tugas" tab: per service, may the approver also issue (ui)?

The office's choice, per service of the catalogue: when ticked, the officer who approved a
request of that service may not also issue it; a colleague must ("Terbitkan" refuses and names
who approved). On by default for the akta series. Stored and audited in ``operations/``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from disdukcapil_desk.domain.office import SEPARATION_LABEL
from disdukcapil_desk.ui.dialogs.admin_tab import AdminTab

Choices = list[tuple[str, str, bool]]


class DutiesTab(AdminTab):
    """A ticked list of services and "Simpan pemisahan tugas"."""

    OBJECT_NAME = "dutiesTab"

    def _build(self) -> None:
        """Build the list; ``load`` fills it."""
        self.loaded: dict[str, bool] = {}
        self.table = QTableWidget(0, 1, self)
        self.table.setObjectName("dutiesTable")
        self.table.setHorizontalHeaderLabels([self.tr(SEPARATION_LABEL)])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.save_button = QPushButton(self.tr("&Simpan pemisahan tugas"), self)
        self.save_button.clicked.connect(self.save)
        self.state = QLabel("", self)
        hint = QLabel(
            self.tr(
                "Untuk layanan yang dicentang, petugas yang menyetujui permohonan tidak boleh "
                "juga menerbitkannya: petugas lain yang menerbitkan. Bawaan: dicentang untuk "
                "layanan akta."
            ),
            self,
        )
        hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

    def load(self, said: str = "") -> None:
        """Read the office's choices in the worker."""
        self._runner.run(
            self._session.separation_of_duties,
            lambda choices: self._show(choices, said),
            self._show_error,
        )

    def _show(self, choices: Choices, said: str) -> None:
        self.loaded = {code: on for code, _, on in choices}
        self.table.setRowCount(len(choices))
        for index, (code, name, on) in enumerate(choices):
            item = QTableWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.table.setItem(index, 0, item)
        self.state.setText(said)

    def chosen(self) -> dict[str, bool]:
        """What the list shows now, per service code."""
        found = {}
        for index in range(self.table.rowCount()):
            item = self.table.item(index, 0)
            if item is not None:
                checked = item.checkState() == Qt.CheckState.Checked
                found[str(item.data(Qt.ItemDataRole.UserRole))] = checked
        return found

    def save(self) -> None:
        """Store the services whose tick changed (each change audited)."""
        changes = {code: on for code, on in self.chosen().items() if self.loaded.get(code) != on}
        if not changes:
            self.state.setText(self.tr("Tidak ada perubahan."))
            return
        self._runner.run(
            lambda: self._session.set_separation_of_duties(changes),
            lambda count: self.load(self.tr("{0} layanan diubah.").format(count)),
            self._show_error,
        )
