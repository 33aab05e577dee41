"""The administrator's "TTE & nomor" tab: where each service's signed PDF comes from, and
whether the desk numbers akta itself (ui layer).

By default a signed PDF comes from SIAK (the Kepala Dinas signs there, BSrE) and the number on
a desk certificate is the one recorded from SIAK. An office with its own signing certificate may
set a service to the desk's own certificate; an office that keeps its own register may turn on
the desk's number series. Stored and audited in ``operations/``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from disdukcapil_desk.domain.delivery import TteSource
from disdukcapil_desk.ui.dialogs.admin_tab import AdminTab

Sources = list[tuple[str, str, TteSource]]


class TteTab(AdminTab):
    """Per service a tick "sertifikat desk", the number-series switch, and "Simpan"."""

    OBJECT_NAME = "tteTab"

    def _build(self) -> None:
        """Build the tab; ``load`` fills it."""
        self.loaded: dict[str, TteSource] = {}
        self.loaded_series = False
        hint = QLabel(
            self.tr(
                "Bawaan: PDF bertanda tangan (TTE) dilampirkan dari SIAK. Centang layanan yang "
                "memakai sertifikat desk, ditandatangani sertifikat tanda tangan kantor. "
                "Nomor akta resmi berasal dari SIAK; seri nomor desk hanya untuk kantor yang "
                "memakainya sendiri."
            ),
            self,
        )
        hint.setWordWrap(True)
        self.table = QTableWidget(0, 1, self)
        self.table.setObjectName("tteTable")
        self.table.setHorizontalHeaderLabels([self.tr("Memakai sertifikat desk (bukan PDF SIAK)")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.series = QCheckBox(self.tr("Desk menomori akta dengan seri sendiri (seri nomor desk)"))
        self.series.setObjectName("deskSeries")
        self.save_button = QPushButton(self.tr("Simpan setelan &TTE"), self)
        self.save_button.clicked.connect(self.save)
        self.state = QLabel("", self)
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.series)
        layout.addLayout(row)

    def load(self, said: str = "") -> None:
        """Read the office's choices in the worker."""
        self._runner.run(
            lambda: (self._session.tte_sources(), self._session.desk_number_series()),
            lambda found: self._show(*found, said),
            self._show_error,
        )

    def _show(self, sources: Sources, series: bool, said: str) -> None:
        self.loaded = {code: source for code, _, source in sources}
        self.loaded_series = series
        self.table.setRowCount(len(sources))
        for index, (code, name, source) in enumerate(sources):
            item = QTableWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            desk = source is TteSource.DESK
            item.setCheckState(Qt.CheckState.Checked if desk else Qt.CheckState.Unchecked)
            self.table.setItem(index, 0, item)
        self.series.setChecked(series)
        self.state.setText(said)

    def chosen(self) -> dict[str, TteSource]:
        """What the list shows now, per service code."""
        found = {}
        for index in range(self.table.rowCount()):
            item = self.table.item(index, 0)
            if item is not None:
                desk = item.checkState() == Qt.CheckState.Checked
                code = str(item.data(Qt.ItemDataRole.UserRole))
                found[code] = TteSource.DESK if desk else TteSource.SIAK
        return found

    def save(self) -> None:
        """Store what changed (each change audited)."""
        changes = {c: s for c, s in self.chosen().items() if self.loaded.get(c) is not s}
        series = self.series.isChecked()
        if not changes and series == self.loaded_series:
            self.state.setText(self.tr("Tidak ada perubahan."))
            return

        def store() -> int:
            count = self._session.set_tte_sources(changes) if changes else 0
            if series != self.loaded_series:
                count += int(self._session.set_desk_number_series(series))
            return count

        self._runner.run(
            store,
            lambda count: self.load(self.tr("{0} setelan diubah.").format(count)),
            self._show_error,
        )
