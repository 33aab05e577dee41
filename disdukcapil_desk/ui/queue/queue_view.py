"""The queue screen: filters, search/scan box, the table and the counts per status (ui layer)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.dto import Changes, Cursor, Page, QueueFilter, RequestRow
from disdukcapil_desk.domain.numbering import looks_like_request_number
from disdukcapil_desk.domain.workflow import CLOSED_STATUSES, Status
from disdukcapil_desk.ui.models.request_table_model import (
    COL_APPLICANT,
    COL_CHANNEL,
    COL_DUE,
    COL_HOLDER,
    COL_NIK,
    COL_NUMBER,
    COL_RECEIVED,
    COL_SERVICE,
    COL_STATUS,
    ROW_ROLE,
    RequestTableModel,
)
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner

# Widths that fit "UPT-05/20261102/0001", a date and time, a masked NIK at the default font.
COLUMN_WIDTHS = {
    COL_NUMBER: 175,
    COL_RECEIVED: 120,
    COL_APPLICANT: 190,
    COL_NIK: 135,
    COL_CHANNEL: 80,
    COL_STATUS: 115,
    COL_HOLDER: 100,
    COL_DUE: 95,
}
OPEN_STATUSES = frozenset(s for s in Status if s.is_open)
PageFn = Callable[[QueueFilter, Cursor | None, int], Page]
CountsFn = Callable[[], dict[Status, int]]


class QueueView(QWidget):
    """Everything on the queue screen; emits ``request_opened`` with the chosen row.

    It refreshes itself from the runner's change bus: at once when shown, else when it is
    shown again (a hidden queue asks the database nothing).
    """

    request_opened = Signal(object)
    filters_changed = Signal()
    loaded = Signal()
    load_failed = Signal(object)

    def __init__(
        self,
        page: PageFn,
        counts: CountsFn,
        *,
        services: list[tuple[str, str]],
        locations: list[tuple[str, str]],
        fixed_location: str | None,
        runner: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Build the screen; ``fixed_location`` locks the location filter (UPT officers).

        ``page`` and ``counts`` run in ``runner`` (the window's database worker).
        """
        super().__init__(parent)
        self._page, self._counts = page, counts
        self._runner = runner or InlineTaskRunner()
        self._filter = QueueFilter(statuses=OPEN_STATUSES, location_code=fixed_location)
        # What to do when the table's next answer arrives: select the first row (a reload),
        # restore the selected request and scroll position (a refresh), open a scanned number.
        self._restore: tuple[int | None, int] | None = None
        self._open_single = False
        self._stale = False
        self._runner.changes.changed.connect(self._on_changes)
        self.model = RequestTableModel(
            lambda cursor, size: self._page(self._filter, cursor, size), runner=self._runner
        )
        self.model.loaded.connect(self._on_loaded)
        self.model.load_failed.connect(self.load_failed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._filter_bar(services, locations, fixed_location))
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._table())
        splitter.addWidget(self._counts_panel())
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([900, 180])
        layout.addWidget(splitter, 1)
        self.summary = QLabel("", self)
        layout.addWidget(self.summary)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search.setFocus)

    # -- building ---------------------------------------------------------------------------

    def _filter_bar(
        self,
        services: list[tuple[str, str]],
        locations: list[tuple[str, str]],
        fixed_location: str | None,
    ) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            self.tr("Cari nomor, nama, NIK, atau pindai tanda terima (Ctrl+F)")
        )
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._on_search_entered)
        self.status = QComboBox(self)
        self.status.setObjectName("statusFilter")
        self.status.addItem(self.tr("Masih berjalan"), "open")
        self.status.addItem(self.tr("Semua status"), None)
        for status in Status:
            self.status.addItem(status.label, status.value)
        self.service = QComboBox(self)
        self.service.setObjectName("serviceFilter")
        self.service.addItem(self.tr("Semua layanan"), None)
        for code, name in services:
            self.service.addItem(name, code)
        self.service.setMaximumWidth(320)
        self.location = QComboBox(self)
        self.location.setObjectName("locationFilter")
        self._fixed_location = fixed_location
        self.set_locations(locations)
        self.overdue = QCheckBox(self.tr("&Terlambat"), self)
        self.mine = QCheckBox(self.tr("&Milik saya"), self)
        for combo in (self.status, self.service, self.location):
            combo.currentIndexChanged.connect(self._on_filters_changed)
            _fit_names(combo)
        for box in (self.overdue, self.mine):
            box.toggled.connect(self._on_filters_changed)
        bar.addWidget(self.search, 2)
        for widget in (self.status, self.service, self.location, self.overdue, self.mine):
            bar.addWidget(widget)
        return bar

    def set_locations(self, locations: list[tuple[str, str]]) -> None:
        """Fill the location filter (the window loads the offices in its worker, then calls
        this); the chosen location is kept.
        """
        chosen = self._fixed_location or self._filter.location_code
        self.location.blockSignals(True)
        self.location.clear()
        self.location.addItem(self.tr("Semua lokasi"), None)
        for code, name in locations:
            self.location.addItem(name, code)
        if chosen and self.location.findData(chosen) < 0:
            self.location.addItem(chosen, chosen)
        self.location.setCurrentIndex(max(self.location.findData(chosen), 0) if chosen else 0)
        self.location.setEnabled(not self._fixed_location)
        self.location.blockSignals(False)

    def _table(self) -> QTableView:
        self.table = QTableView(self)
        self.table.setObjectName("queueTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row height: resize-to-contents is O(rows) and freezes a long queue.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_SERVICE, QHeaderView.ResizeMode.Stretch)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        self.table.activated.connect(self._on_activated)
        return self.table

    def _counts_panel(self) -> QWidget:
        panel = QWidget(self)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.counts_title = QLabel(self.tr("<b>Jumlah per status</b>"), panel)
        layout.addWidget(self.counts_title)
        self.counts_list = QListWidget(panel)
        self.counts_list.setObjectName("statusCounts")
        self.counts_list.itemActivated.connect(self._on_count_activated)
        layout.addWidget(self.counts_list)
        return panel

    # -- behaviour --------------------------------------------------------------------------

    @property
    def current_filter(self) -> QueueFilter:
        """The filter the table shows."""
        return self._filter

    def reload(self, *, counts: bool = True) -> None:
        """Apply the filters: reload the table from its first page (and the counts)."""
        self._restore = None
        self._stale = False
        self.model.reload()
        if counts:
            self._show_counts()

    def refresh(self) -> None:
        """Re-read what is shown, keeping the selected request and the scroll position."""
        selected = self.selected_row()
        scroll = self.table.verticalScrollBar().value()
        self._restore = (selected.id if selected else None, scroll)
        self._stale = False
        self.model.refresh()
        self._show_counts()

    def _on_changes(self, changes: Changes) -> None:
        if not changes.touches_queue:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again after a change while hidden: re-read what changed."""
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_loaded(self) -> None:
        restore, self._restore = self._restore, None
        if restore is None:
            if self.model.rowCount():
                self.table.selectRow(0)
        else:
            self._reselect(*restore)
        self._show_summary()
        if self._open_single:
            self._open_single = False
            if self.model.rowCount() == 1:
                self.request_opened.emit(self.model.row_at(0))
        self.loaded.emit()

    def _reselect(self, request_id: int | None, scroll: int) -> None:
        row = self.model.row_of_id(request_id) if request_id is not None else -1
        if row >= 0:
            self.table.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.verticalScrollBar().setValue(scroll)

    def selected_row(self) -> RequestRow | None:
        """The request under the cursor."""
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def set_filter(self, flt: QueueFilter, *, reload: bool = True) -> None:
        """Show ``flt`` in the widgets and reload (used to restore a user's last filters).

        With ``reload=False`` the table waits for the next :meth:`reload` (the window's start).
        """
        widgets = (self.status, self.service, self.location, self.overdue, self.mine)
        for widget in widgets:
            widget.blockSignals(True)
        status: str | None = None
        if len(flt.statuses) == 1:
            status = next(iter(flt.statuses)).value
        elif flt.statuses:
            status = "open"
        self.status.setCurrentIndex(max(self.status.findData(status), 0))
        self.service.setCurrentIndex(max(self.service.findData(flt.service_code), 0))
        if self.location.isEnabled():
            if flt.location_code and self.location.findData(flt.location_code) < 0:
                self.location.addItem(flt.location_code, flt.location_code)  # named once loaded
            self.location.setCurrentIndex(max(self.location.findData(flt.location_code), 0))
        self.overdue.setChecked(flt.overdue_only)
        self.mine.setChecked(flt.mine_only)
        for widget in widgets:
            widget.blockSignals(False)
        if reload:
            self._on_filters_changed()
        else:
            self._filter = self._read_filter()
            self.filters_changed.emit()

    def _read_filter(self) -> QueueFilter:
        status = self.status.currentData()
        statuses: frozenset[Status] = frozenset()
        if status == "open":
            statuses = frozenset(s for s in Status if s.is_open)
        elif status:
            statuses = frozenset({Status(status)})
        return QueueFilter(
            statuses=statuses,
            service_code=self.service.currentData(),
            location_code=self.location.currentData(),
            overdue_only=self.overdue.isChecked(),
            mine_only=self.mine.isChecked(),
            search=self.search.text().strip(),
        )

    def _on_filters_changed(self) -> None:
        self._filter = self._read_filter()
        # The counts are of this desk's office whatever the filter: no need to recount.
        self.reload(counts=False)
        self.filters_changed.emit()

    def _on_search_entered(self) -> None:
        # A scanned receipt number opens its request as soon as it is found.
        self._open_single = looks_like_request_number(self.search.text().strip())
        self._on_filters_changed()

    def _on_activated(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.request_opened.emit(row)

    def _on_count_activated(self, item: QListWidgetItem) -> None:
        self.status.setCurrentIndex(max(self.status.findData(item.data(ROW_ROLE)), 0))

    def refresh_counts(self) -> None:
        """Count the requests per status again (in the worker)."""
        self._show_counts()

    def _show_counts(self) -> None:
        self._runner.run(self._counts, self._fill_counts, self.load_failed.emit)

    def _fill_counts(self, counts: dict[Status, int]) -> None:
        self.counts_list.clear()
        for status in Status:
            item = QListWidgetItem(f"{status.label}: {counts.get(status, 0):,}".replace(",", "."))
            item.setData(ROW_ROLE, status.value)
            if status in CLOSED_STATUSES:
                item.setToolTip(self.tr("Seluruh riwayat lokasi ini; dihitung ulang tiap 5 menit"))
            self.counts_list.addItem(item)

    def _show_summary(self) -> None:
        more = self.tr(" (gulir untuk memuat lebih banyak)") if self.model.canFetchMore() else ""
        count = f"{self.model.rowCount():,}".replace(",", ".")
        self.summary.setText(
            self.tr("{count} permohonan dimuat{more}").format(count=count, more=more)
        )


def _fit_names(combo: QComboBox) -> None:
    """A long office or service name must not widen the window past a laptop's screen: the
    box is as narrow as the screen needs, its open list as wide as the longest name.
    """
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(14)
    combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
