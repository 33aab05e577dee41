"""Documents from the window: receipt, issue with the ready message, batch print, QR check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from disdukcapil_desk.domain.delivery import MessageKind
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.after_approval import AfterApprovalOps
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.outbox import OutboxOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.integration.test_intake import ingest_rows, request_of, sample_row
from tests.ui.conftest import OpenWindow


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """PDFs the window showed in its print preview, each printed at once (the preview and the
    printing have their own tests)."""
    paths: list[Path] = []

    def preview(window: MainWindow, _name: str, _pdf: bytes, path: Path, printed: Any) -> None:
        paths.append(path)
        if printed is not None:  # as the real preview does: through the window's runner
            window.runner.run(lambda: window.session.record_print(*printed), lambda _: None)

    monkeypatch.setattr(MainWindow, "preview", preview)
    return paths


def select(window: MainWindow, request_id: int) -> None:
    window.queue.status.setCurrentIndex(window.queue.status.findData(None))
    window.queue.table.selectRow(window.queue.model.row_of_id(request_id))


def test_receipt_opens_a_pdf_without_full_nik(
    open_window: OpenWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    opened: list[Path],
) -> None:
    ingest_rows(ctx, sample_row("wa-1002"))
    window = open_window(users["loket.dinas"])
    select(window, request_of(ctx, "wa-1002").id)
    window.print_receipt()
    (path,) = opened
    content = path.read_bytes()
    assert content.startswith(b"%PDF") and b"3604156107950009" not in content


def test_issue_opens_certificate_and_asks_for_no_message_from_the_officers_phone(
    open_window: OpenWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    opened: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issuing opens the certificate; the citizen hears of it through the outbox (written by
    the steps after issuing), never from a text the officer copies to their own phone."""
    ingest_rows(ctx, sample_row("wa-1004"))
    request_id = request_of(ctx, "wa-1004").id
    queue = QueueOps(ctx)
    queue.claim(users["loket.dinas"], request_id)
    queue.decide(users["loket.dinas"], request_id, Action.APPROVE)
    # Input SIAK first: the certificate carries SIAK's number (the desk invents none).
    AfterApprovalOps(ctx).record_siak(
        users["loket.dinas"], request_id, {"no_akta": "3604-KM-03112026-0007"}
    )
    window = open_window(users["operator.dinas"])
    assert not hasattr(window, "confirm_message") and not hasattr(window.session, "ready_draft")
    select(window, request_id)
    window.issue_selected()
    detail = queue.detail(users["operator.dinas"], request_id)
    assert detail.row.status is Status.ISSUED
    assert len(opened) == 1 and opened[0].name.startswith("3604-KM-03112026-0007")
    assert detail.citizen_message is None
    talk = OutboxOps(ctx).conversation(users["operator.dinas"], request_id)
    sent = [getattr(e, "kind", None) for e in talk.entries if not e.incoming]
    assert sent == [MessageKind.RECEIVED, MessageKind.APPROVED], "nothing more from issuing"

    assert opened[0].read_bytes().startswith(b"%PDF")
    window.print_all_ready()
    assert len(opened) == 1, "printed from the issue preview: not in the ready batch again"
    assert "Tidak ada dokumen" in window.statusBar().currentMessage()

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    monkeypatch.setattr(window, "ask_scan_text", lambda: "bukan kode desk")
    window.verify_document()
    assert "bukan dari Disdukcapil Desk" in shown[-1]


def test_counter_officer_cannot_issue(
    open_window: OpenWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
) -> None:
    window = open_window(users["loket.dinas"])
    assert not window.toolbar_actions["issue"].isEnabled()
    assert window.toolbar_actions["receipt"].isEnabled()


def test_second_receipt_is_a_reprint_with_reason_on_the_slip_profile(
    open_window: OpenWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    opened: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from disdukcapil_desk.operations.documents import DocumentOps

    settings.set_receipt_profile("slip")
    ingest_rows(ctx, sample_row("wa-1003"))
    number = request_of(ctx, "wa-1003").number
    window = open_window(users["loket.dinas"])
    select(window, request_of(ctx, "wa-1003").id)
    asked: list[str] = []
    monkeypatch.setattr(window, "ask_reason", lambda _t, prompt: asked.append(prompt) or "")
    window.print_receipt()
    assert asked == [] and len(opened) == 1
    window.print_receipt()
    assert len(asked) == 1 and len(opened) == 1, "cancelled reprint: nothing printed"
    monkeypatch.setattr(window, "ask_reason", lambda *_: "kertas macet")
    window.print_receipt()
    assert len(opened) == 2
    assert DocumentOps(ctx).receipt_print_count(SYSTEM_ACTOR, number) == 2
    register = DocumentOps(ctx).register(SYSTEM_ACTOR, number)
    assert [(event, reason, who) for _, event, reason, who, _ in register] == [
        ("reprint", "kertas macet", "loket.dinas")
    ]
