"""A request's conversation with the citizen, like a chat: what came in on the left, what went
out on the right with its delivery state; a failed message is resent or corrected here (ui
layer). Every call goes through the task runner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from disdukcapil_desk.domain.conversation import (
    Conversation,
    ConversationEntry,
    IncomingEntry,
    OutgoingEntry,
)
from disdukcapil_desk.domain.delivery import DeliveryState
from disdukcapil_desk.domain.workflow import Permission
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.messages import channel_label, show_error
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner

TIME_FORMAT = "%d-%m-%Y %H:%M"
V = TypeVar("V")


def while_open(widget: QWidget, callback: Callable[[V], object]) -> Callable[[V], None]:
    """``callback`` for the runner, skipped when ``widget`` was closed and deleted meanwhile
    (the officer closed the dialog, or the lock screen did, before the answer came).
    """

    def call(value: V) -> None:
        if isValid(widget):
            callback(value)

    return call


def state_badge(state: DeliveryState, parent: QWidget) -> QLabel:
    """The state as a badge: its word and its colour (``desk.qss``: ``QLabel[badge=…]``)."""
    badge = QLabel(state.label, parent)
    badge.setObjectName("deliveryBadge")
    badge.setProperty("badge", state.value)
    badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return badge


class MessageEditDialog(QDialog):
    """Edit a message and, for a resend, its recipient, before it is sent."""

    def __init__(
        self,
        title: str,
        intro: str,
        body: str,
        *,
        recipient: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``recipient`` None: no recipient to correct (the request's contact is used)."""
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(intro, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.recipient: QLineEdit | None = None
        if recipient is not None:
            row = QHBoxLayout()
            row.addWidget(QLabel(self.tr("Kirim ke (nomor WA/telepon atau e-mail):"), self))
            self.recipient = QLineEdit(recipient, self)
            self.recipient.setObjectName("recipient")
            row.addWidget(self.recipient, 1)
            layout.addLayout(row)
        self.editor = QPlainTextEdit(body, self)
        self.editor.setObjectName("messageBody")
        self.editor.setMinimumSize(520, 240)
        layout.addWidget(self.editor, 1)
        self.buttons = DialogButtons(self, self.tr("Kirim"))
        layout.addWidget(self.buttons)
        self.editor.textChanged.connect(
            lambda: self.buttons.accept_button.setEnabled(bool(self.text))
        )
        self.buttons.accept_button.setEnabled(bool(self.text))

    @property
    def text(self) -> str:
        """The message as edited."""
        return self.editor.toPlainText().strip()

    @property
    def recipient_text(self) -> str | None:
        """The recipient as edited (None when the dialog has none)."""
        return self.recipient.text().strip() if self.recipient is not None else None


class ConversationDialog(QDialog):
    """What came in and what went out for one request; resend or correct what failed."""

    changed = Signal()
    """A message was resent or written (the office's list of failures may be shorter)."""

    def __init__(
        self,
        session: DeskSession,
        runner: TaskRunner,
        request_id: int,
        parent: QWidget | None = None,
    ) -> None:
        """Build the empty view and load the conversation in the background."""
        super().__init__(parent)
        self._session, self._runner, self.request_id = session, runner, request_id
        self.conversation: Conversation | None = None
        self.setObjectName("conversationDialog")
        self.setWindowTitle(self.tr("Percakapan dengan pemohon"))
        layout = QVBoxLayout(self)
        self.header = QLabel(self.tr("Memuat…"), self)
        self.header.setObjectName("conversationHeader")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.chat_area = QScrollArea(self)
        self.chat_area.setWidgetResizable(True)
        self.chat_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chat = QWidget(self.chat_area)
        self.chat.setObjectName("conversationChat")
        self.chat_layout = QVBoxLayout(self.chat)
        self.chat_layout.addStretch(1)
        self.chat_area.setWidget(self.chat)
        layout.addWidget(self.chat_area, 1)
        self.write_button = QPushButton(self.tr("&Tulis pesan ke pemohon…"), self)
        self.write_button.setObjectName("writeButton")
        self.write_button.clicked.connect(self.write)
        self.write_button.setEnabled(False)
        close = QPushButton(self.tr("&Tutup"), self)
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addWidget(self.write_button)
        bar.addStretch(1)
        bar.addWidget(close)
        layout.addLayout(bar)
        self._may_write = session.can(Permission.EDIT_REQUEST)
        self.chat_area.verticalScrollBar().rangeChanged.connect(self._to_newest)
        self.bubbles: dict[int, QFrame] = {}
        """The outgoing messages' bubbles by message id."""
        self.resize(760, 560)
        self.reload()

    # -- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the conversation again."""
        request_id = self.request_id
        self._runner.run(
            lambda: self._session.conversation(request_id),
            while_open(self, self.show_conversation),
            while_open(self, self._failed),
        )

    def show_conversation(self, conversation: Conversation) -> None:
        """Lay the messages out, oldest at the top; scroll to the newest."""
        self.conversation = conversation
        failed = len(conversation.failed)
        self.header.setText(
            self.tr("<b>{number}</b> · {name} · {contact}").format(
                number=conversation.number,
                name=conversation.applicant_name or "-",
                contact=conversation.contact,
            )
            + (
                self.tr(
                    " · <b>{n} pesan gagal</b>: kirim ulang, perbaiki, atau telepon pemohon"
                ).format(n=failed)
                if failed
                else ""
            )
        )
        self.setWindowTitle(
            self.tr("Percakapan dengan pemohon — {number}").format(number=conversation.number)
        )
        self._clear()
        for entry in conversation.entries:
            self.chat_layout.insertWidget(self.chat_layout.count() - 1, self._bubble(entry))
        self.write_button.setEnabled(self._may_write)

    def _to_newest(self, _low: int, high: int) -> None:
        self.chat_area.verticalScrollBar().setValue(high)

    def _clear(self) -> None:
        self.bubbles.clear()
        while self.chat_layout.count() > 1:
            item = self.chat_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _failed(self, error: BaseException) -> None:
        self.header.setText(self.tr("Percakapan tidak dapat dimuat."))
        show_error(self, error)

    # -- one message -------------------------------------------------------------------------

    def _bubble(self, entry: ConversationEntry) -> QWidget:
        row = QWidget(self.chat)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        bubble = QFrame(row)
        bubble.setObjectName("incomingBubble" if entry.incoming else "outgoingBubble")
        bubble.setMaximumWidth(560)
        box = QVBoxLayout(bubble)
        box.setContentsMargins(8, 6, 8, 6)
        box.setSpacing(3)
        if isinstance(entry, IncomingEntry):
            self._incoming(box, bubble, entry)
            line.addWidget(bubble, 5)
            line.addStretch(1)
        else:
            self._outgoing(box, bubble, entry)
            self.bubbles[entry.id] = bubble
            line.addStretch(1)
            line.addWidget(bubble, 5)
        return row

    def _incoming(self, box: QVBoxLayout, bubble: QFrame, entry: IncomingEntry) -> None:
        head = QLabel(
            self.tr("⬅ <b>{label}</b> · {channel} · {at}").format(
                label=entry.label,
                channel=channel_label(entry.channel),
                at=entry.at.astimezone().strftime(TIME_FORMAT),
            ),
            bubble,
        )
        box.addWidget(head)
        files = ", ".join(entry.attachments) or self.tr("tanpa lampiran")
        detail = QLabel(
            self.tr("Dari {sender} · Lampiran: {files}").format(sender=entry.sender, files=files),
            bubble,
        )
        detail.setWordWrap(True)
        set_tone(detail, "hint")
        box.addWidget(detail)

    def _outgoing(self, box: QVBoxLayout, bubble: QFrame, entry: OutgoingEntry) -> None:
        head_row = QHBoxLayout()
        head = QLabel(
            self.tr("➡ <b>{label}</b> · {channel} · {at}").format(
                label=entry.label,
                channel=channel_label(entry.channel),
                at=entry.at.astimezone().strftime(TIME_FORMAT),
            ),
            bubble,
        )
        head_row.addWidget(head, 1)
        head_row.addWidget(state_badge(entry.state, bubble))
        box.addLayout(head_row)
        body = QLabel(entry.body, bubble)
        body.setObjectName("messageText")
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.PlainText)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(body)
        facts = [self.tr("ke {recipient}").format(recipient=entry.recipient)]
        if entry.attempts:
            facts.append(self.tr("{n} kali dicoba").format(n=entry.attempts))
        if entry.attachments:
            facts.append(self.tr("lampiran: {files}").format(files=", ".join(entry.attachments)))
        if entry.replaced_by is not None:
            facts.append(self.tr("sudah dikirim ulang"))
        note = QLabel(" · ".join(facts), bubble)
        note.setWordWrap(True)
        set_tone(note, "hint")
        box.addWidget(note)
        if entry.state is DeliveryState.FAILED:
            reason = QLabel(
                self.tr("Gagal: {reason}").format(
                    reason=entry.fail_reason or self.tr("(tanpa alasan)")
                ),
                bubble,
            )
            reason.setWordWrap(True)
            set_tone(reason, "error")
            box.addWidget(reason)
        if entry.may_resend and self._may_write:
            box.addLayout(self._resend_buttons(bubble, entry))

    def _resend_buttons(self, bubble: QFrame, entry: OutgoingEntry) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        again = QPushButton(self.tr("Kirim ulang"), bubble)
        again.setObjectName(f"resend-{entry.id}")
        again.clicked.connect(lambda: self.resend(entry.id))
        fix = QPushButton(self.tr("Perbaiki && kirim…"), bubble)
        fix.setObjectName(f"correct-{entry.id}")
        fix.clicked.connect(lambda: self.correct(entry))
        row.addWidget(again)
        row.addWidget(fix)
        return row

    # -- actions -----------------------------------------------------------------------------

    def resend(
        self, message_id: int, body: str | None = None, recipient: str | None = None
    ) -> None:
        """Send a failed message again (with a corrected text or recipient when given)."""
        request_id = self.request_id
        self._runner.run(
            lambda: self._session.resend_message(request_id, message_id, body, recipient),
            while_open(self, self._sent),
            while_open(self, lambda error: show_error(self, error)),
        )

    def correct(self, entry: OutgoingEntry) -> None:
        """Let the officer correct a failed message and its recipient, then send it."""
        edited = self.ask_message(
            self.tr("Perbaiki & kirim"),
            self.tr(
                "Pesan ini gagal terkirim ({reason}). Perbaiki isi atau penerimanya; pesan "
                "baru dikirim lewat kanal permohonan."
            ).format(reason=entry.fail_reason or "-"),
            entry.body,
            entry.recipient,
        )
        if edited is None:
            return
        body, recipient = edited
        self.resend(
            entry.id,
            None if body == entry.body else body,
            None if recipient in (None, entry.recipient) else recipient,
        )

    def write(self) -> None:
        """The officer's own message to the citizen (a follow-up after a call, a correction)."""
        edited = self.ask_message(
            self.tr("Tulis pesan ke pemohon"),
            self.tr("Pesan dikirim ke pemohon lewat kanal permohonan dan dicatat di riwayat."),
            "",
            None,
        )
        if edited is None:
            return
        body, _ = edited
        request_id = self.request_id
        self._runner.run(
            lambda: self._session.write_to_citizen(request_id, body),
            while_open(self, self._sent),
            while_open(self, lambda error: show_error(self, error)),
        )

    def ask_message(
        self, title: str, intro: str, body: str, recipient: str | None
    ) -> tuple[str, str | None] | None:
        """Ask for the text (and recipient); None when cancelled."""
        dialog = MessageEditDialog(title, intro, body, recipient=recipient, parent=self)
        if not dialog.exec():
            return None
        return dialog.text, dialog.recipient_text

    def _sent(self, _message_id: int) -> None:
        self.changed.emit()
        self.reload()
