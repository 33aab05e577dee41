"""The queue as a Qt table model: keyset pages fetched as the view scrolls (ui layer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from disdukcapil_desk.domain.clock import WIB, office_date, utc_now
from disdukcapil_desk.domain.dto import Cursor, Page, RequestRow, SlaState, sla_state
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.messages import channel_label
from disdukcapil_desk.ui.palette import colour
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner

PageLoader = Callable[[Cursor | None, int], Page]
Index = QModelIndex | QPersistentModelIndex

COL_NUMBER, COL_RECEIVED, COL_SERVICE, COL_APPLICANT, COL_NIK = range(5)
COL_CHANNEL, COL_STATUS, COL_HOLDER, COL_DUE = range(5, 9)
_HEADERS = (
    QT_TRANSLATE_NOOP("RequestTableModel", "Nomor"),
    QT_TRANSLATE_NOOP("RequestTableModel", "Diterima"),
    QT_TRANSLATE_NOOP("RequestTableModel", "Layanan"),
    QT_TRANSLATE_NOOP("RequestTableModel", "Pemohon → atas nama"),
    QT_TRANSLATE_NOOP("RequestTableModel", "NIK"),
    QT_TRANSLATE_NOOP("RequestTableModel", "Kanal"),
    QT_TRANSLATE_NOOP("RequestTableModel", "Status"),
    QT_TRANSLATE_NOOP("RequestTableModel", "Petugas"),
    QT_TRANSLATE_NOOP("RequestTableModel", "Tenggat"),
)
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SLA_ROLE = Qt.ItemDataRole.UserRole + 2
# The roles as plain ints: ``data`` is called for every role of every visible cell on each
# paint, and an enum member's lookup costs more than the comparison.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ROW = int(ROW_ROLE)
_SLA = int(SLA_ROLE)
_ANSWERED = frozenset({_DISPLAY, _BACKGROUND, _TOOLTIP, _ROW, _SLA})
_SLA_COLOURS = {
    SlaState.OVERDUE: colour("problem_bg"),
    SlaState.DUE_SOON: colour("attention_bg"),
}
_SLA_TEXT = {
    SlaState.OVERDUE: QT_TRANSLATE_NOOP("RequestTableModel", "lewat {days} hari"),
    SlaState.DUE_SOON: QT_TRANSLATE_NOOP("RequestTableModel", "hari ini"),
    SlaState.ON_TIME: "{due}",
    SlaState.CLOSED: "—",
}


def parties_text(row: RequestRow) -> str:
    """The applicant, and whom the document is about when that is someone else:
    ``"Siti Aminah → Sarmadi"`` (the pelapor and the deceased).
    """
    if not row.subject_name:
        return row.applicant_name
    return f"{row.applicant_name or '?'} → {row.subject_name}"


class RequestTableModel(QAbstractTableModel):
    """A thin adapter over ``RequestRow``s; pages arrive from ``loader`` on demand.

    The loader runs in ``runner`` (the window's database worker), never on the GUI thread: a
    reload or refresh answers with ``loaded`` or ``load_failed``. An answer that arrives after
    a newer reload was asked for is dropped.
    """

    loaded = Signal()
    load_failed = Signal(object)

    def __init__(
        self,
        loader: PageLoader,
        *,
        runner: TaskRunner | None = None,
        page_size: int = 200,
        today: Callable[[], dt.date] = lambda: office_date(utc_now()),
    ) -> None:
        """Start empty; call ``reload()`` to fetch the first page."""
        super().__init__()
        self._loader = loader
        self._runner = runner or InlineTaskRunner()
        self._generation = 0
        self._fetching = False
        self._page_size = page_size
        self._today = today
        self._rows: list[RequestRow] = []
        # Text and SLA state are computed once per row, when the row is first shown (a page
        # arrives with 200 rows, a screen shows 25), not on every paint.
        self._cells: list[tuple[str, ...] | None] = []
        self._states: list[SlaState | None] = []
        self._rows_day = dt.date.min
        self._cursor: Cursor | None = None
        self._exhausted = True

    # -- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        """Rows loaded so far."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        """The fixed queue columns."""
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_HEADERS[section])
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Cell text, SLA colours and tooltips, and the row object under ``ROW_ROLE``."""
        if role not in _ANSWERED:
            return None
        number = index.row()
        if not 0 <= number < len(self._rows) or not index.isValid():
            return None
        if role == _ROW:
            return self._rows[number]
        cells = self._cells[number]
        if cells is None:
            cells = self._shown(number)
        if role == _DISPLAY:
            return cells[index.column()]
        state = self._states[number]
        assert state is not None  # computed with the cells
        if role == _SLA:
            return state
        if role == _BACKGROUND:
            return QBrush(_SLA_COLOURS[state]) if state in _SLA_COLOURS else None
        return self._tooltip(self._rows[number], state)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt signature
        """Whether another page exists (and none is on its way)."""
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt signature
        """Ask for the next keyset page; it is appended when it arrives."""
        if parent.isValid() or self._exhausted or self._fetching:
            return
        cursor, size = self._cursor, self._page_size
        self._load(lambda: self._loader(cursor, size), self._append, new_generation=False)

    # -- loading ---------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """Whether a page is on its way."""
        return self._fetching

    def reload(self) -> None:
        """Drop everything and load the first page (after a filter change)."""
        size = self._page_size
        self._load(lambda: self._loader(None, size), self._replace, new_generation=True)

    def refresh(self) -> None:
        """Re-read the rows already shown, in place, keeping selection and scroll where possible.

        Same rows in the same order: one ``dataChanged``. Otherwise a reset (the view restores
        the selection by request id).
        """
        wanted = max(len(self._rows), self._page_size)
        self._load(lambda: self._loader(None, wanted), self._update, new_generation=True)

    def _load(
        self, work: Callable[[], Page], apply: Callable[[Page], None], *, new_generation: bool
    ) -> None:
        if new_generation:
            self._generation += 1
        generation = self._generation
        self._fetching = True

        def arrived(page: Page) -> None:
            if generation != self._generation:
                return
            self._fetching = False
            apply(page)
            if new_generation:
                self.loaded.emit()

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._fetching = False
                self.load_failed.emit(error)

        self._runner.run(work, arrived, failed)

    def _replace(self, page: Page) -> None:
        self.beginResetModel()
        self._rows, self._cursor, self._exhausted = [], None, True
        self._cells, self._states = [], []
        self.endResetModel()
        self._append(page)

    def _update(self, page: Page) -> None:
        fresh = list(page.rows)
        if [r.id for r in fresh] == [r.id for r in self._rows]:
            self._set_rows(fresh)
            if fresh:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(fresh) - 1, len(_HEADERS) - 1)
                )
            self._cursor, self._exhausted = page.next_cursor, page.next_cursor is None
            return
        self.beginResetModel()
        self._set_rows(fresh)
        self._cursor, self._exhausted = page.next_cursor, page.next_cursor is None
        self.endResetModel()

    def row_at(self, row: int) -> RequestRow | None:
        """Return the request shown in ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_id(self, request_id: int) -> int:
        """Return the model row of a request id, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == request_id), -1)

    def _append(self, page: Page) -> None:
        if page.rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
            self._set_rows(self._rows + list(page.rows), start)
            self.endInsertRows()
        self._cursor = page.next_cursor
        self._exhausted = page.next_cursor is None

    def _set_rows(self, rows: list[RequestRow], unchanged: int = 0) -> None:
        """Keep ``rows``; the first ``unchanged`` keep their cells, the others get theirs when
        first shown (:meth:`_shown`), as of the office's day now.
        """
        self._rows_day = self._today()
        fresh = len(rows) - unchanged
        self._cells = self._cells[:unchanged] + [None] * fresh
        self._states = self._states[:unchanged] + [None] * fresh
        self._rows = rows

    def _shown(self, number: int) -> tuple[str, ...]:
        """Compute and keep the cells and SLA state of row ``number``."""
        row, today = self._rows[number], self._rows_day
        cells = tuple(self._display(row, c, today) for c in range(len(_HEADERS)))
        self._cells[number] = cells
        self._states[number] = sla_state(row.status, row.sla_due, today)
        return cells

    # -- presentation ----------------------------------------------------------------------

    def _display(self, row: RequestRow, column: int, today: dt.date) -> str:
        if column == COL_NUMBER:
            return row.number
        if column == COL_RECEIVED:
            at = row.received_at.astimezone(WIB)  # fields, not strftime: it imports on each call
            return f"{at.day:02d}-{at.month:02d}-{at.year:04d} {at.hour:02d}:{at.minute:02d}"
        if column == COL_SERVICE:
            return row.service_label
        if column == COL_APPLICANT:
            flags = " ⟳" if row.resubmission_count else ""
            flags += " ⧉" if row.possible_duplicate else ""
            return parties_text(row) + flags
        if column == COL_NIK:
            return row.nik_masked
        if column == COL_CHANNEL:
            return channel_label(row.channel)
        if column == COL_STATUS:
            return row.status.label
        if column == COL_HOLDER:
            return row.holder or ""
        return self._due_text(row, today)

    def _due_text(self, row: RequestRow, today: dt.date) -> str:
        state = sla_state(row.status, row.sla_due, today)
        due = row.sla_due
        return self.tr(_SLA_TEXT[state]).format(
            days=(today - due).days, due=f"{due.day:02d}-{due.month:02d}-{due.year:04d}"
        )

    def _tooltip(self, row: RequestRow, state: SlaState) -> str:
        parts = [f"{row.number} — {row.service_name}"]
        if row.subject_name:
            parts.append(f"Pemohon: {row.applicant_name or '-'}")
            parts.append(f"Atas nama: {row.subject_name} ({row.subject_label.lower()})")
        parts.append(f"Tenggat {row.sla_due:%d-%m-%Y}")
        if state is SlaState.OVERDUE:
            parts.append("TERLAMBAT")
        if row.resubmission_count:
            parts.append(f"Perbaikan dari pemohon ({row.resubmission_count}x)")
        if row.possible_duplicate:
            parts.append("Kemungkinan permohonan ganda")
        if row.status is Status.IN_REVIEW and row.holder:
            parts.append(f"Dipegang {row.holder}")
        return "\n".join(parts)
