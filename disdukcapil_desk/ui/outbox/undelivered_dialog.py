"""The office's undelivered messages: what the channels gave up on, oldest first, as the
office's task list (resend, correct, or call the citizen) (ui layer).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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

from disdukcapil_desk.domain.conversation import UndeliveredMessage
from disdukcapil_desk.domain.workflow import Permission
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.messages import channel_label, show_error
from disdukcapil_desk.ui.outbox.conversation_dialog import (
    TIME_FORMAT,
    ConversationDialog,
    MessageEditDialog,
    while_open,
)
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner

COLUMNS = tuple(
    QT_TRANSLATE_NOOP("UndeliveredDialog", header)
    for header in (
        "Gagal sejak",
        "Nomor permohonan",
        "Pemohon",
        "Kontak",
        "Kanal",
        "Pesan",
        "Alasan gagal",
        "Dicoba",
    )
)


class UndeliveredDialog(QDialog):
    """The failed messages of the office nobody resent yet; open the request, its
    conversation, or resend from here.
    """

    open_request = Signal(int)
    """The officer wants to work on this request (its id)."""
    changed = Signal()
    """A message was resent: the count in the window changes."""

    def __init__(
        self, session: DeskSession, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        """Build the list and load it in the background."""
        super().__init__(parent)
        self._session, self._runner = session, runner
        self.rows: list[UndeliveredMessage] = []
        self.setObjectName("undeliveredDialog")
        self.setWindowTitle(self.tr("Pesan gagal terkirim"))
        layout = QVBoxLayout(self)
        self.summary = QLabel(self.tr("Memuat…"), self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("undeliveredTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.activated.connect(lambda _index: self.show_conversation())
        layout.addWidget(self.table, 1)
        self.detail = QLabel("", self)
        self.detail.setObjectName("undeliveredDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setMaximumHeight(120)
        layout.addWidget(self.detail)
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        specs = (
            ("open", self.tr("&Buka permohonan"), self.open_selected),
            ("conversation", self.tr("&Percakapan…"), self.show_conversation),
            ("resend", self.tr("&Kirim ulang"), self.resend_selected),
            ("correct", self.tr("Perbaiki && &kirim…"), self.correct_selected),
        )
        for name, text, slot in specs:
            button = QPushButton(text, self)
            button.setObjectName(f"{name}Button")
            button.clicked.connect(lambda _checked=False, act=slot: act())
            bar.addWidget(button)
            self.buttons[name] = button
        bar.addStretch(1)
        close = QPushButton(self.tr("&Tutup"), self)
        close.clicked.connect(self.accept)
        bar.addWidget(close)
        layout.addLayout(bar)
        self._may_write = session.can(Permission.EDIT_REQUEST)
        self._selection_changed()
        self.resize(1100, 520)
        self.reload()

    def reload(self) -> None:
        """Read the list again."""
        self._runner.run(
            self._session.undelivered,
            while_open(self, self.show_rows),
            while_open(self, self._failed),
        )

    def show_rows(self, rows: list[UndeliveredMessage]) -> None:
        """Fill the table, oldest failure first, and select the first row."""
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = (
                row.failed_at.astimezone().strftime(TIME_FORMAT),
                row.number,
                row.applicant_name,
                row.recipient,
                channel_label(row.channel),
                row.kind.label,
                row.fail_reason,
                str(row.attempts),
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.summary.setText(
            self.tr(
                "{n} pesan tidak sampai ke pemohon. Kirim ulang bila gangguannya sudah lewat, "
                "perbaiki nomor atau isinya, atau telepon pemohon."
            ).format(n=len(rows))
            if rows
            else self.tr("Tidak ada pesan yang gagal terkirim.")
        )
        set_tone(self.summary, "error" if rows else "ok")
        if rows:
            self.table.selectRow(0)
        self._selection_changed()

    def selected(self) -> UndeliveredMessage | None:
        """The message under the cursor."""
        indexes = self.table.selectionModel().selectedRows()
        if not indexes or indexes[0].row() >= len(self.rows):
            return None
        return self.rows[indexes[0].row()]

    def _selection_changed(self) -> None:
        row = self.selected()
        for name, button in self.buttons.items():
            button.setEnabled(row is not None and (self._may_write or name == "conversation"))
        self.detail.setText(row.body if row else "")

    def _failed(self, error: BaseException) -> None:
        self.summary.setText(self.tr("Daftar tidak dapat dimuat."))
        show_error(self, error)

    # -- actions -----------------------------------------------------------------------------

    def open_selected(self) -> None:
        """Open the request on the verification screen (the dialog closes)."""
        row = self.selected()
        if row is not None:
            self.open_request.emit(row.request_id)
            self.accept()

    def show_conversation(self) -> ConversationDialog | None:
        """The request's whole conversation."""
        row = self.selected()
        if row is None:
            return None
        dialog = ConversationDialog(self._session, self._runner, row.request_id, self)
        dialog.changed.connect(self._resent)
        dialog.show()
        return dialog

    def resend_selected(self, body: str | None = None, recipient: str | None = None) -> None:
        """Send the selected message again (corrected when given)."""
        row = self.selected()
        if row is None:
            return
        self._runner.run(
            lambda: self._session.resend_message(row.request_id, row.message_id, body, recipient),
            while_open(self, lambda _id: self._resent()),
            while_open(self, lambda error: show_error(self, error)),
        )

    def correct_selected(self) -> None:
        """Correct the selected message's text or recipient, then send it."""
        row = self.selected()
        if row is None:
            return
        dialog = MessageEditDialog(
            self.tr("Perbaiki & kirim"),
            self.tr("Pesan ke {number} gagal terkirim ({reason}).").format(
                number=row.number, reason=row.fail_reason or "-"
            ),
            row.body,
            recipient=row.recipient,
            parent=self,
        )
        if not dialog.exec():
            return
        recipient = dialog.recipient_text
        self.resend_selected(
            None if dialog.text == row.body else dialog.text,
            None if recipient in (None, row.recipient) else recipient,
        )

    def _resent(self) -> None:
        self.changed.emit()
        self.reload()
