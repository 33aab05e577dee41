"""Konflik sinkronisasi: what was done offline on requests someone changed meanwhile (ui layer).

One row per journal entry in conflict. For the selected one the officer chooses:
"Pakai versi saya" (the offline change is applied on top of the server's version),
"Pakai versi server" (the offline change is dropped, and recorded as such), or
"Buka keduanya" (the request opens as the server has it; the offline change stays shown here
and waits). Each answer goes to the server on the worker; a refusal is said in the dialog.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.offline import Resolution, SyncConflict
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.ui.geometry import fit_to_screen
from disdukcapil_desk.ui.offline import clock
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner

COLUMNS = ("No. permohonan", "Tindakan luring", "Waktu", "Diubah di server oleh", "Keputusan")
PAYLOAD_SHOWN = 6
"""How many of the offline change's fields the detail line names."""


class ConflictDialog(QDialog):
    """The journal's conflicts, one per row, each decided by the officer."""

    def __init__(
        self,
        conflicts: Sequence[SyncConflict],
        session: DeskSession,
        runner: TaskRunner,
        *,
        open_request: Callable[[str], object],
        parent: QWidget | None = None,
    ) -> None:
        """Show ``conflicts``; answers go through ``session`` on ``runner``."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Konflik sinkronisasi"))
        self.setObjectName("conflictDialog")
        self.conflicts = list(conflicts)
        self.session, self.runner, self._open_request = session, runner, open_request
        self.decided: dict[int, Resolution] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Permohonan berikut diubah di server selagi komputer ini luring. Pilih untuk "
                "setiap baris versi mana yang berlaku."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(self.conflicts), len(COLUMNS), self)
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for row, conflict in enumerate(self.conflicts):
            self._fill(row, conflict)
        self.table.currentCellChanged.connect(lambda *_a: self._show_current())
        layout.addWidget(self.table, 1)
        self.detail = QLabel("", self)
        self.detail.setObjectName("conflictDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addLayout(self._buttons())
        self.setMinimumWidth(760)
        if self.conflicts:
            self.table.selectRow(0)
        self._show_current()
        fit_to_screen(self, QSize(960, 520))

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.keep_mine = QPushButton(self.tr("Pakai versi &saya"), self)
        self.keep_mine.setObjectName("keepMine")
        self.keep_mine.setToolTip(
            self.tr("Tindakan luring diterapkan di atas versi server sekarang.")
        )
        self.keep_theirs = QPushButton(self.tr("Pakai versi &server"), self)
        self.keep_theirs.setObjectName("keepTheirs")
        self.keep_theirs.setToolTip(
            self.tr("Tindakan luring tidak diterapkan (dicatat di log audit).")
        )
        self.open_both = QPushButton(self.tr("&Buka keduanya"), self)
        self.open_both.setObjectName("openBoth")
        self.open_both.setToolTip(
            self.tr("Buka permohonan versi server; tindakan luring tetap tampil di sini.")
        )
        self.close_button = QPushButton(self.tr("&Tutup"), self)
        self.keep_mine.clicked.connect(lambda: self.decide(Resolution.KEEP_MINE))
        self.keep_theirs.clicked.connect(lambda: self.decide(Resolution.KEEP_THEIRS))
        self.open_both.clicked.connect(lambda: self.decide(Resolution.OPEN_BOTH))
        self.close_button.clicked.connect(self.accept)
        for button in (self.keep_mine, self.keep_theirs, self.open_both):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        return row

    def _fill(self, row: int, conflict: SyncConflict) -> None:
        entry = conflict.entry
        values = (
            entry.request_number,
            entry.kind.label,
            clock(entry.made_at),
            conflict.changed_by or "-",
            self.tr("Belum diputuskan"),
        )
        for column, value in enumerate(values):
            self.table.setItem(row, column, QTableWidgetItem(value))

    @property
    def all_resolved(self) -> bool:
        """Whether every conflict was answered with "saya" or "server"."""
        return all(self._settled(c) for c in self.conflicts)

    def _settled(self, conflict: SyncConflict) -> bool:
        return self.decided.get(conflict.entry.seq) in (
            Resolution.KEEP_MINE,
            Resolution.KEEP_THEIRS,
        )

    def current(self) -> SyncConflict | None:
        """The conflict of the selected row."""
        row = self.table.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def _show_current(self) -> None:
        conflict = self.current()
        settled = conflict is not None and self._settled(conflict)
        for button in (self.keep_mine, self.keep_theirs):
            button.setEnabled(conflict is not None and not settled)
        self.open_both.setEnabled(conflict is not None)
        self.detail.setText("" if conflict is None else describe(conflict))

    def decide(self, resolution: Resolution) -> None:
        """Send the officer's answer for the selected conflict (on the worker)."""
        conflict = self.current()
        if conflict is None:
            return
        seq, row = conflict.entry.seq, self.table.currentRow()
        if resolution is Resolution.OPEN_BOTH:
            self.decided.setdefault(seq, resolution)
            self._open_request(conflict.entry.request_number)
            self._mark(row, self.tr("Dibuka"))
            return
        for button in (self.keep_mine, self.keep_theirs, self.open_both):
            button.setEnabled(False)
        self.runner.run(
            lambda: self.session.resolve_conflict(seq, resolution),
            lambda _none: self._resolved(row, seq, resolution),
            self._refused,
        )

    def _resolved(self, row: int, seq: int, resolution: Resolution) -> None:
        self.decided[seq] = resolution
        label = (
            self.tr("Versi saya dipakai")
            if resolution is Resolution.KEEP_MINE
            else self.tr("Versi server dipakai")
        )
        self._mark(row, label)
        self.message.setText("")
        open_rows = [i for i, c in enumerate(self.conflicts) if not self._settled(c)]
        following = open_rows[0] if open_rows else None
        if following is not None:
            self.table.selectRow(following)
        self._show_current()

    def _refused(self, error: BaseException) -> None:
        self.message.setText(str(error))
        set_tone(self.message, "error")
        self._show_current()

    def _mark(self, row: int, text: str) -> None:
        item = self.table.item(row, len(COLUMNS) - 1)
        if item is not None:
            item.setText(text)


def describe(conflict: SyncConflict) -> str:
    """The detail line of a conflict: what the server has, what was done offline."""
    entry = conflict.entry
    try:
        status = Status(conflict.server_status).label
    except ValueError:
        status = conflict.server_status or "-"
    tr = QCoreApplication.translate
    server = tr("ConflictDialog", "Di server: status {0}, versi {1}.").format(
        status, conflict.server_version
    )
    done = tr("ConflictDialog", "Luring: {0} oleh {1} pukul {2}{3}.").format(
        entry.kind.label, entry.actor_login, clock(entry.made_at), _payload_summary(entry.payload)
    )
    reason = f" {conflict.reason}" if conflict.reason else ""
    return f"{server}{reason}\n{done}"


def _payload_summary(payload: str) -> str:
    """A few of the offline change's fields (" — nama: …, alasan: …")."""
    try:
        data = json.loads(payload) if payload else {}
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    flat = {**{k: v for k, v in data.items() if isinstance(v, str) and v}, **(fields or {})}
    shown = [f"{k}: {v}" for k, v in list(flat.items())[:PAYLOAD_SHOWN] if isinstance(v, str)]
    return f" — {', '.join(shown)}" if shown else ""
