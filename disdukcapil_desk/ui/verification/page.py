"""The verification screen of one request, built from its service's definition (ui layer)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import (
    Changes,
    CheckInput,
    Lease,
    RequestDetail,
    RequestRow,
    RevisionDraft,
)
from disdukcapil_desk.domain.errors import ClaimError, ReasonRequired, StaleVersionError
from disdukcapil_desk.domain.history import HistoryEntry
from disdukcapil_desk.domain.workflow import Permission, Status
from disdukcapil_desk.ui.dialogs.message_dialog import CitizenMessageDialog, ReasonDialog
from disdukcapil_desk.ui.messages import channel_label, show_error
from disdukcapil_desk.ui.models.request_table_model import parties_text
from disdukcapil_desk.ui.palette import COLOURS
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.verification.attachment_viewer import AttachmentViewer, Content
from disdukcapil_desk.ui.verification.checklist import ChecklistTable
from disdukcapil_desk.ui.verification.fields_form import FieldsForm
from disdukcapil_desk.ui.verification.follow_up import FOLLOW_UP_STATUSES, FollowUpPanel
from disdukcapil_desk.ui.verification.panels import FindingsView, HistoryView

log = logging.getLogger("disdukcapil_desk.ui.verification")
WARNING = COLOURS["warning"]


class VerificationPage(QWidget):
    """Check one request: attachments left, data and checklist right, decisions below."""

    closed = Signal()
    request_changed = Signal(str)

    def __init__(self, session: DeskSession, runner: TaskRunner, parent: QWidget | None = None):
        """Build the fixed parts; ``open_request`` fills them for a request."""
        super().__init__(parent)
        self._session, self._runner = session, runner
        self.detail: RequestDetail | None = None
        self.version = 0
        self.read_only = True
        self.dirty = False
        self.form: FieldsForm | None = None
        self._collapsed_groups: set[str] = set()
        self._lease_timer = QTimer(self)
        self._lease_timer.setObjectName("leaseRenewalTimer")
        self._lease_timer.setInterval(int(session.ctx.lease.total_seconds() * 1000 / 3))
        self._lease_timer.timeout.connect(self._renew_lease)
        runner.changes.changed.connect(self._on_changes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.header = QLabel("", self)
        self.header.setObjectName("requestHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.banner = QLabel("", self)
        self.banner.setObjectName("holderBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        layout.addWidget(self._body(), 1)
        layout.addLayout(self._decision_bar())

    # -- layout ----------------------------------------------------------------------------

    def _body(self) -> QSplitter:
        """Documents left (attachment over checklist), data right (findings over the form and
        the history), so a 1366x768 screen shows a service's data without scrolling.
        """
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        documents = QSplitter(Qt.Orientation.Vertical, splitter)
        documents.setChildrenCollapsible(False)
        self.viewer = AttachmentViewer(self._fetch_attachment, documents)
        documents.addWidget(self.viewer)
        checks = QWidget(documents)
        checks_layout = QVBoxLayout(checks)
        checks_layout.setContentsMargins(0, 0, 0, 0)
        checks_layout.setSpacing(2)
        hint = QLabel(
            self.tr(
                "<b>Persyaratan</b> — Alt+1 sesuai, Alt+2 tidak ada, "
                "Alt+3 tidak terbaca, Alt+4 tidak sesuai"
            ),
            checks,
        )
        hint.setWordWrap(True)
        checks_layout.addWidget(hint)
        self.checklist = ChecklistTable(checks)
        self.checklist.changed.connect(self._on_edited)
        self.checklist.requirement_shown.connect(self.viewer.show_requirement)
        checks_layout.addWidget(self.checklist, 1)
        documents.addWidget(checks)
        documents.setStretchFactor(0, 3)
        documents.setStretchFactor(1, 2)
        documents.setSizes([360, 240])
        splitter.addWidget(documents)
        splitter.addWidget(self._data_side(splitter))
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([560, 780])
        return splitter

    def _data_side(self, parent: QWidget) -> QWidget:
        right = QWidget(parent)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(2)
        right_layout.addWidget(QLabel(self.tr("<b>Temuan otomatis</b>"), right))
        self.findings = FindingsView(right)
        right_layout.addWidget(self.findings)
        self.tabs = QTabWidget(right)
        self.tabs.setObjectName("dataTabs")
        self.form_area = QScrollArea(self.tabs)
        self.form_area.setWidgetResizable(True)
        self.form_area.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs.addTab(self.form_area, self.tr("&Data permohonan"))
        self.history = HistoryView(self.tabs)
        self.tabs.addTab(self.history, self.tr("Ri&wayat"))
        self.follow_up = FollowUpPanel(self._session, self._runner, self.tabs)
        self.follow_up.changed.connect(self.request_changed)
        self.tabs.addTab(self.follow_up, self.tr("Tindak &lanjut"))
        right_layout.addWidget(self.tabs, 1)
        return right

    def _fetch_attachment(self, attachment_id: int, shown: Callable[[Content], None]) -> None:
        self._runner.run(lambda: self._session.attachment(attachment_id), shown, self.report_error)

    def _decision_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        specs: list[tuple[str, str, str, Callable[[], object]]] = [
            ("back", self.tr("◀ Kembali ke antrean (Esc)"), "Esc", self.close_request),
            ("take_over", self.tr("Ambil alih"), "", self.take_over),
            ("save", self.tr("Simpan (Ctrl+S)"), "Ctrl+S", self.save),
            (
                "revise",
                self.tr("Minta perbaikan (Ctrl+Shift+P)"),
                "Ctrl+Shift+P",
                self.ask_revision,
            ),
            ("reject", self.tr("Tolak (Ctrl+Shift+T)"), "Ctrl+Shift+T", self.reject),
            ("approve", self.tr("Setujui (Ctrl+Enter)"), "Ctrl+Return", lambda: self.approve()),
        ]
        self.buttons: dict[str, QPushButton] = {}
        for name, text, keys, slot in specs:
            button = QPushButton(text, self)
            button.setObjectName(f"{name}Button")
            button.clicked.connect(slot)
            self.buttons[name] = button
            if keys:
                QShortcut(QKeySequence(keys), self, slot)
            bar.addWidget(button)
            if name == "take_over":
                bar.addStretch(1)
        self.buttons["approve"].setDefault(True)
        QShortcut(QKeySequence("Ctrl+Enter"), self, lambda: self.approve())  # keypad Enter
        return bar

    # -- opening and closing -----------------------------------------------------------------

    def open_request(self, request_id: int) -> None:
        """Claim the request (renewing the lease while open) and show it.

        Held by someone else: it opens read-only and says who holds it since when.
        """
        self._runner.run(
            lambda: self._session.claim(request_id),
            lambda lease: self._load(request_id, lease),
            lambda error: self._open_read_only(request_id, error),
        )

    def _load(self, request_id: int, lease: Lease | None) -> None:
        self._runner.run(
            lambda: self._session.detail(request_id),
            lambda detail: self._show(detail, editable=lease is not None),
            self.report_error,
        )

    def _open_read_only(self, request_id: int, error: BaseException) -> None:
        if not isinstance(error, ClaimError):
            self.report_error(error)
        # Said first: what the page shows once loaded (a status that says more) replaces it.
        self._set_banner(self.tr("{error} — hanya dapat dibaca.").format(error=error))
        self._load(request_id, None)

    def _show(self, detail: RequestDetail, *, editable: bool) -> None:
        self.detail, self.version = detail, detail.row.version
        service = self._session.catalogue.get(detail.row.service_code)
        self._show_header(detail)
        self.form = FieldsForm(
            service,
            self._session.check_nik,
            describe_desa=self._session.describe_desa,
            collapsed=self._collapsed_groups,
            check_name=partial(self._session.check_name, service.code),
        )
        self.form.load(detail.payload)
        self.form.changed.connect(self._on_edited)
        self.form_area.setWidget(self.form)
        labels = {c.requirement_code: c.label for c in detail.checks}
        self.viewer.load(detail.attachments, labels)
        self.checklist.load(detail.checks, self.viewer.filenames_by_requirement())
        self._show_findings(detail)
        self._show_history(detail.row.id)
        self._set_editable(editable and detail.row.status is Status.IN_REVIEW)
        waiting = detail.row.status is Status.NEEDS_REVISION
        if waiting:
            self._set_banner(
                self.tr(
                    "Menunggu perbaikan dari pemohon — hanya dapat dibaca. Pesan yang dikirim dan "
                    "semua langkahnya ada di tab Riwayat."
                )
            )
        elif not editable and detail.row.status is not Status.IN_REVIEW:
            self._set_banner(
                self.tr("Status: {detail.row.status.label} — hanya dapat dibaca.").format(
                    detail=detail
                )
            )
        elif editable:
            self.banner.hide()
        self.tabs.setCurrentWidget(self.history if waiting else self.form_area)
        following = detail.row.status in FOLLOW_UP_STATUSES
        self.tabs.setTabVisible(self.tabs.indexOf(self.follow_up), following)
        if following:
            self._set_banner(
                self.tr(
                    "Data permohonan hanya dapat dibaca; langkah setelah persetujuan (Input "
                    "SIAK, TTE, kirim ke pemohon) ada di tab Tindak lanjut (Alt+L)."
                )
            )
            self.follow_up.load(detail.row.id)
            self.tabs.setCurrentWidget(self.follow_up)
        self.dirty = False
        if self.read_only:
            self._lease_timer.stop()
        else:
            self._lease_timer.start()

    def _show_header(self, detail: RequestDetail) -> None:
        row = detail.row
        received = row.received_at.astimezone(WIB)
        flags = []
        if row.resubmission_count:
            flags.append(self.tr("perbaikan ke-{0}").format(row.resubmission_count))
        if row.possible_duplicate:
            flags.append(self.tr("kemungkinan ganda"))
        said = self.tr(
            "<big><b>{number}</b></big> &nbsp; {service}<br>{parties} · diterima {received} via "
            "{channel} · tenggat {due} · kontak {contact}"
        ).format(
            number=row.number,
            service=escape(row.service_name),
            parties=escape(parties_text(row)),
            received=f"{received:%d-%m-%Y %H:%M}",
            channel=channel_label(row.channel),
            due=f"{row.sla_due:%d-%m-%Y}",
            contact=escape(detail.contact),
        )
        if flags:
            said += f" · <span style='color:{WARNING}'>{', '.join(flags)}</span>"
        self.header.setText(said)

    def _show_findings(self, detail: RequestDetail) -> None:
        self.findings.show_findings(detail.findings)

    def _show_history(self, request_id: int) -> None:
        """Load the request's history in the background (read-only; for a citizen who calls)."""
        self.history.clear_entries()

        def shown(entries: tuple[HistoryEntry, ...]) -> None:
            if self.detail is not None and self.detail.row.id == request_id:
                self.history.show_entries(entries)

        self._runner.run(lambda: self._session.history(request_id), shown, self.report_error)

    def _set_editable(self, editable: bool) -> None:
        self.read_only = not editable
        if self.form is not None:
            self.form.set_read_only(not editable)
        self.checklist.set_read_only(not editable)
        for name in ("save", "revise", "reject", "approve"):
            self.buttons[name].setEnabled(editable)
        holder = self.detail.row.holder if self.detail else None
        self.buttons["take_over"].setVisible(
            self._session.can(Permission.TAKE_BACK) and not editable and bool(holder)
        )

    def _set_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def close_request(self) -> None:
        """Back to the queue; unsaved input is saved first if the officer wants it."""
        if self.detail is None:
            self.closed.emit()
            return
        if self.dirty and not self.read_only:
            answer = self.ask_save_changes()
            if answer == "cancel":
                return
            if answer == "save":
                self.save(then=self._release_and_close)
                return
        self._release_and_close()

    def _release_and_close(self) -> None:
        self.release_held()
        self.closed.emit()

    def release_held(self) -> None:
        """Give the open request back to the queue (closing the desk, logging out): a
        colleague need not wait for the lease to run out. Unsaved input is dropped.
        """
        self._lease_timer.stop()
        detail, self.detail = self.detail, None
        if detail is not None and not self.read_only:
            self._runner.run(
                lambda: self._session.release(detail.row.id),
                lambda _: None,
                lambda error: log.warning("release failed: %s", error),
            )

    # -- editing and deciding ------------------------------------------------------------------

    def _on_edited(self) -> None:
        self.dirty = True

    def save(self, *, then: Callable[[], object] | None = None) -> None:
        """Save the fields and checklist as a draft (the request stays with this officer)."""
        if self.detail is None or self.read_only or self.form is None:
            return
        request_id, version = self.detail.row.id, self.version
        fields, checks = self.form.values(), self.checklist.values()

        def saved(new_version: int) -> None:
            self.version = new_version
            self.dirty = False
            self.request_changed.emit("Draf tersimpan")
            if then is not None:
                then()

        self._runner.run(
            lambda: self._session.save_draft(request_id, version, fields, checks),
            saved,
            self.report_error,
        )

    def _on_changes(self, changes: Changes) -> None:
        """The open request changed (a draft saved, say): show the findings as now stored."""
        if self.detail is not None and self.detail.row.id in changes.requests:
            self._refresh_findings(self.detail.row.id)
            following = self.tabs.isTabVisible(self.tabs.indexOf(self.follow_up))
            if following and not self.follow_up.busy:  # a colleague's step shows here too
                self.follow_up.load(self.detail.row.id)

    def _refresh_findings(self, request_id: int) -> None:
        def shown(detail: RequestDetail) -> None:
            if self.detail is not None and self.detail.row.id == request_id:  # still open
                self.detail = detail
                self._show_findings(detail)

        self._runner.run(lambda: self._session.detail(request_id), shown, self.report_error)

    def _screen(self) -> tuple[int, int, dict[str, object], dict[str, CheckInput]]:
        """The request, the version it was loaded at, and what the screen shows now."""
        assert self.detail is not None
        assert self.form is not None
        return self.detail.row.id, self.version, self.form.values(), self.checklist.values()

    def _may_decide(self) -> bool:
        return self.detail is not None and not self.read_only and self.form is not None

    def approve(self, reason: str = "") -> None:
        """Approve what the screen shows; the operation saves it and judges it in one go.

        When a required item does not pass or the data has an error, the officer is shown what
        and must write why they approve anyway.
        """
        if not self._may_decide():
            return
        request_id, version, fields, checks = self._screen()

        def refused(error: BaseException) -> None:
            if isinstance(error, ReasonRequired) and not reason:
                given = self.ask_reason(
                    self.tr("Setujui dengan catatan"),
                    self.tr(
                        "Yang belum memenuhi:\n{problems}\n\nTulis alasan tetap menyetujui:"
                    ).format(problems="\n".join(f"• {p}" for p in error.problems)),
                    self.tr("Setujui"),
                )
                if given:
                    self.approve(given)
            else:
                self.report_error(error)

        self._runner.run(
            lambda: self._session.approve(
                request_id, version, reason, fields=fields, checks=checks
            ),
            self._decided("disetujui"),
            refused,
        )

    def ask_revision(self) -> None:
        """Save the screen, draft one message listing everything to fix from what was saved,
        let the officer edit it, then return the request to the citizen.
        """
        if not self._may_decide():
            return
        request_id, version, fields, checks = self._screen()
        self._runner.run(
            lambda: self._session.draft_revision(request_id, version, fields, checks),
            self._confirm_revision,
            self.report_error,
        )

    def _confirm_revision(self, draft: RevisionDraft) -> None:
        self.version, self.detail, self.dirty = draft.version, draft.detail, False
        self._show_findings(draft.detail)
        message = self.confirm_message(
            self.tr("Minta perbaikan"),
            self.tr(
                "Pesan berikut dikirim ke pemohon lewat kanal permohonannya (kotak keluar) "
                "bersama keputusan ini. Semua kekurangan ada dalam satu pesan; sunting bila perlu."
            ),
            draft.message,
        )
        if not message:
            return
        request_id, version = draft.detail.row.id, draft.version
        self._runner.run(
            lambda: self._session.request_revision(request_id, version, message),
            self._decided("dikembalikan untuk perbaikan"),
            self.report_error,
        )

    def reject(self) -> None:
        """Reject with a reason (required); what the screen shows is saved with it."""
        if not self._may_decide():
            return
        reason = self.ask_reason(
            self.tr("Tolak permohonan"),
            self.tr("Alasan penolakan (dikirim ke pemohon):"),
            self.tr("Tolak"),
        )
        if not reason:
            return
        request_id, version, fields, checks = self._screen()
        self._runner.run(
            lambda: self._session.reject(request_id, version, reason, fields=fields, checks=checks),
            self._decided("ditolak"),
            self.report_error,
        )

    def _decided(self, outcome: str) -> Callable[[RequestRow], None]:
        def done(row: RequestRow) -> None:
            self._lease_timer.stop()
            self.dirty = False
            self.detail = None
            self.request_changed.emit(f"Permohonan {row.number} {outcome}")
            self.closed.emit()

        return done

    def take_over(self) -> None:
        """Section head: take a request back from its holder and open it for editing."""
        if self.detail is None:
            return
        reason = self.ask_reason(
            self.tr("Ambil alih"),
            self.tr("Alasan mengambil alih permohonan ini:"),
            self.tr("Ambil alih"),
        )
        if not reason:
            return
        request_id = self.detail.row.id
        self._runner.run(
            lambda: self._take_back_and_claim(request_id, reason),
            lambda lease: self._load(request_id, lease),
            self.report_error,
        )

    def _take_back_and_claim(self, request_id: int, reason: str) -> Lease:
        self._session.take_back(request_id, reason)
        return self._session.claim(request_id)

    def _renew_lease(self) -> None:
        if self.detail is None or self.read_only:
            return
        request_id = self.detail.row.id

        def lost(error: BaseException) -> None:
            self._lease_timer.stop()
            if isinstance(error, ClaimError):
                self._set_editable(False)
                self._set_banner(
                    self.tr(
                        "{error}. Isian Anda tetap di layar tetapi tidak dapat disimpan."
                    ).format(error=error)
                )
            else:
                self.report_error(error)

        self._runner.run(lambda: self._session.renew(request_id), lambda _: None, lost)

    # -- dialogs (overridable in tests) -----------------------------------------------------------

    def report_error(self, error: BaseException) -> None:
        """Tell the officer what went wrong; the input on screen is kept."""
        if not isinstance(error, StaleVersionError | ClaimError):
            log.error("verification action failed", exc_info=error)
        show_error(self, error)

    def ask_reason(self, title: str, prompt: str, confirm: str) -> str | None:
        """Ask for a required reason; None when cancelled."""
        dialog = ReasonDialog(title, prompt, confirm_label=confirm, parent=self)
        return dialog.text if dialog.exec() else None

    def confirm_message(self, title: str, intro: str, text: str) -> str | None:
        """Let the officer read and edit the message the decision sends; None when cancelled."""
        dialog = CitizenMessageDialog(
            title, intro, text, confirm_label=self.tr("Kirim && kembalikan"), parent=self
        )
        return dialog.text if dialog.exec() else None

    def ask_save_changes(self) -> str:
        """Ask whether to save unsaved input before leaving: "save", "discard" or "cancel"."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Perubahan belum disimpan"),
            self.tr("Simpan perubahan sebelum kembali ke antrean?"),
            parent=self,
        )
        answers: dict[object, str] = {
            box.addButton(self.tr("Simpan"), QMessageBox.ButtonRole.AcceptRole): "save",
            box.addButton(
                self.tr("Buang perubahan"), QMessageBox.ButtonRole.DestructiveRole
            ): "discard",
            box.addButton(self.tr("Batal"), QMessageBox.ButtonRole.RejectRole): "cancel",
        }
        box.exec()
        return answers.get(box.clickedButton(), "cancel")  # closing the box = cancel
