"""Void a wrong certificate, or void it and issue a new one (the section head's door)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMargins, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.document_records import DocumentSummary, IssueResult, RegisterEntry
from disdukcapil_desk.domain.workflow import Permission
from disdukcapil_desk.ui.geometry import fit_to_screen
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.messages import ask_yes_no, show_error
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner

TITLE = QT_TRANSLATE_NOOP("VoidDialog", "Batalkan / terbitkan ulang dokumen")
HINT = QT_TRANSLATE_NOOP("VoidDialog", "Ketik nomor akta / SKPWNI yang salah, lalu tekan Enter.")
Confirm = Callable[[str, str], bool]


class VoidDialog(QDialog):
    """Find a certificate by its number, see what it is, give the reason, void or reissue.

    Every database call goes through the task runner; the operations check the permission
    (VOID; reissuing also ISSUE) and audit the change; the register lines of the number are
    shown afterwards.
    """

    def __init__(
        self, session: DeskSession, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        """Build the form; nothing is loaded until a number is looked up."""
        super().__init__(parent)
        self.setWindowTitle(self.tr(TITLE))
        self._session, self._runner = session, runner
        self._summary: DocumentSummary | None = None
        self.confirm: Confirm = lambda title, question: ask_yes_no(
            self, title, question, yes=self.tr("Ya, lanjutkan"), no=self.tr("Batal")
        )
        self.number = QLineEdit()
        self.number.setPlaceholderText(self.tr("mis. 3604-KM-02112026-0001"))
        self.number.returnPressed.connect(self.look_up)
        self.number.textEdited.connect(lambda _text: self._show(None))
        self.find_button = QPushButton(self.tr("&Cari"))
        self.find_button.setAutoDefault(False)
        self.find_button.clicked.connect(self.look_up)
        self.details = QLabel(self.tr(HINT))
        self.details.setObjectName("documentDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("wajib: mis. salah ketik nama ayah"))
        self.reason.textChanged.connect(lambda _text: self._update_buttons())
        self.void_button = QPushButton(self.tr("Batal&kan dokumen"))
        self.void_button.clicked.connect(self.void)
        self.reissue_button = QPushButton(self.tr("Batalkan && &terbitkan ulang"))
        self.reissue_button.clicked.connect(self.reissue)
        self.reissue_button.setVisible(session.can(Permission.ISSUE))
        self.state = QLabel("")
        self.state.setObjectName("voidState")
        self.state.setWordWrap(True)
        self.register = QLabel("")
        self.register.setObjectName("registerLines")
        self.register.setWordWrap(True)
        close = QPushButton(self.tr("Tutup"))
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        self._layout(close)
        self._update_buttons()
        fit_to_screen(self, self.sizeHint().expandedTo(self.minimumSizeHint()).grownBy(_MARGIN))

    def _layout(self, close: QPushButton) -> None:
        find_row = QHBoxLayout()
        find_row.addWidget(self.number, 1)
        find_row.addWidget(self.find_button)
        number_label = QLabel(self.tr("&Nomor dokumen"))
        number_label.setBuddy(self.number)
        form = QFormLayout()
        form.addRow(number_label, find_row)
        form.addRow("", self.details)
        form.addRow(self.tr("&Alasan"), self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.void_button, self.reissue_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.state)
        layout.addWidget(self.register)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)

    # -- actions -------------------------------------------------------------------------------

    def look_up(self) -> None:
        """Show what the typed number is (request, name, date) and its register lines."""
        number = self.number.text().strip()
        if not number:
            return
        self.state.setText("")
        self._runner.run(lambda: self._session.document_summary(number), self._show, self._failed)
        self._load_register(number)

    def void(self) -> None:
        """Void the certificate shown, after a confirmation."""
        summary, reason = self._summary, self.reason.text().strip()
        if (
            summary is None
            or not reason
            or not self._confirmed(self.tr("Batalkan"), summary, reason)
        ):
            return
        number = summary.number
        self._runner.run(
            lambda: self._session.void_document(number, reason),
            lambda _none: self._done(number, self.tr("Dokumen {0} dibatalkan.").format(number)),
            self._failed,
        )

    def reissue(self) -> None:
        """Void the certificate shown and issue its request a new one, after a confirmation."""
        summary, reason = self._summary, self.reason.text().strip()
        if summary is None or not reason:
            return
        if not self._confirmed(self.tr("Batalkan dan terbitkan ulang"), summary, reason):
            return
        number = summary.number

        def reissued(result: IssueResult) -> None:
            self._done(
                number,
                self.tr(
                    "Dokumen {0} dibatalkan; terbit ulang dengan nomor {1}. "
                    "Cetak dari antrean ({2})."
                ).format(number, result.certificate_number, result.request_number),
            )

        self._runner.run(
            lambda: self._session.reissue_document(number, reason), reissued, self._failed
        )

    # -- showing -------------------------------------------------------------------------------

    def _confirmed(self, verb: str, summary: DocumentSummary, reason: str) -> bool:
        return self.confirm(
            self.tr(TITLE),
            self.tr(
                "{verb} {title} {number} atas nama {name}?\nAlasan: {reason}\n\n"
                "Nomor ini tetap tercatat di register dan tidak dipakai lagi."
            ).format(
                verb=verb,
                title=summary.title,
                number=summary.number,
                name=summary.subject_name,
                reason=reason,
            ),
        )

    def _done(self, number: str, message: str) -> None:
        self.state.setText(message)
        self.reason.clear()
        self._runner.run(lambda: self._session.document_summary(number), self._show, self._failed)
        self._load_register(number)

    def _load_register(self, number: str) -> None:
        self._runner.run(
            lambda: self._session.number_register(number), self._show_register, self._failed
        )

    def _show(self, summary: DocumentSummary | None) -> None:
        self._summary = summary
        if summary is None:
            self.details.setText(self.tr(HINT))
        else:
            self.details.setText(self._describe(summary))
            if not summary.voided:
                self.reason.setFocus()
        self._update_buttons()

    def _show_register(self, entries: list[RegisterEntry]) -> None:
        lines = [
            f"{e.at.astimezone():%d-%m-%Y %H:%M} · {e.event.label} · {e.actor} · {e.reason}"
            for e in entries
        ]
        self.register.setText(
            (self.tr("Register nomor:") + "\n" + "\n".join(lines)) if lines else ""
        )

    def _update_buttons(self) -> None:
        ready = self._summary is not None and not self._summary.voided
        may = ready and bool(self.reason.text().strip())
        self.void_button.setEnabled(may)
        self.reissue_button.setEnabled(may)

    def _failed(self, error: BaseException) -> None:
        show_error(self, error)

    def _describe(self, summary: DocumentSummary) -> str:
        if summary.voided_at is not None:
            state = self.tr("SUDAH DIBATALKAN {at}: {reason}").format(
                at=f"{summary.voided_at.astimezone():%d-%m-%Y %H:%M}", reason=summary.void_reason
            )
        else:
            state = self.tr("Berlaku · dicetak {0} kali").format(summary.print_count)
        return self.tr(
            "{title} {number}\nPermohonan {request} · {service}\nAtas nama: {name}\n"
            "Terbit: {at} · {state}"
        ).format(
            title=summary.title,
            number=summary.number,
            request=summary.request_number,
            service=summary.service_name,
            name=summary.subject_name,
            at=f"{summary.issued_at.astimezone():%d-%m-%Y %H:%M}",
            state=state,
        )


_MARGIN = QMargins(0, 0, 120, 60)
