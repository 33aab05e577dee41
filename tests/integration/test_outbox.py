"""The outbox, the desk's side, on SQLite and PostgreSQL: every message to the citizen is
written in the transaction of the change it tells of (a rolled-back decision leaves none), and
officers read the conversation, list the office's undelivered messages, resend and correct.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select, update

from disdukcapil_desk.db.models import AuditLog, OutgoingAttachment, OutgoingMessage
from disdukcapil_desk.domain.conversation import IncomingEntry, OutgoingEntry
from disdukcapil_desk.domain.delivery import DeliveryState, MessageKind
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import (
    ClaimError,
    DeskError,
    NotFound,
    PermissionDenied,
    StaleVersionError,
    WorkflowError,
)
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations import intake as intake_module
from disdukcapil_desk.operations import queue as queue_module
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.outbox import OutboxOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.verification import VerificationOps
from tests.factories import make_request, sample_row
from tests.integration.test_intake import ingest_rows, request_of
from tests.integration.test_intake_batches import counted, person, submit


def messages(ctx: DeskContext, request_id: int | None = None) -> list[OutgoingMessage]:
    with ctx.sessions() as session:
        stmt = select(OutgoingMessage).order_by(OutgoingMessage.id)
        if request_id is not None:
            stmt = stmt.where(OutgoingMessage.service_request_id == request_id)
        return list(session.scalars(stmt))


def kinds(ctx: DeskContext, request_id: int) -> list[str]:
    return [m.kind for m in messages(ctx, request_id)]


def fail(ctx: DeskContext, message_id: int, reason: str, at: dt.datetime) -> None:
    """What a channel reports when it gave up on a message (the channels' side is elsewhere)."""
    with ctx.unit_of_work() as session:
        session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.id == message_id)
            .values(attempts=5, sent_at=None, failed_at=at, fail_reason=reason)
        )


def claimed(ctx: DeskContext, officer: Actor, ref: str) -> tuple[int, int]:
    """A new KTP-el replacement claimed by ``officer``: (request id, version)."""
    ingest_rows(ctx, make_request(external_ref=ref))
    request_id = request_of(ctx, ref).id
    return request_id, QueueOps(ctx).claim(officer, request_id).version


# -- written with the change --------------------------------------------------------------------


def test_ingest_writes_each_new_request_its_received_message_in_one_statement(
    ctx: DeskContext,
) -> None:
    submit(ctx, *(person(i, f"r{i}") for i in range(20)))
    with counted(ctx) as sent:
        report = IntakeOps(ctx).ingest(batch_size=50)
    assert report.created == 20
    inserts = [s for s in sent if s.lstrip().upper().startswith("INSERT INTO OUTGOING_MESSAGE")]
    if ctx.postgresql:  # COPY goes past the statement events: no INSERT at all
        assert inserts == [], "PostgreSQL copies the batch's messages in (COPY)"
    else:
        assert len(inserts) == 1, "the batch's messages go in one multi-row statement"
    found = messages(ctx)
    assert len(found) == 20 and {m.kind for m in found} == {MessageKind.RECEIVED.value}
    first = request_of(ctx, "r0")
    [message] = messages(ctx, first.id)
    assert (message.channel, message.recipient) == ("whatsapp", first.contact)
    assert first.number in message.body and first.applicant_name in message.body
    assert "{" not in message.body and "Disdukcapil" not in message.body.split("\n")[0]
    assert message.sent_at is None and message.attempts == 0 and message.created_by == "system"


def test_the_row_by_row_fallback_writes_the_messages_of_the_rows_that_land(
    ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit(ctx, *(person(i, f"w{i}") for i in range(4)))
    columns = intake_module._request_columns

    def refused_for_w2(new: Any, number: str, now: dt.datetime) -> dict[str, object]:
        values = columns(new, number, now)
        return dict(values, status="bukan_status") if new.row.external_ref == "w2" else values

    monkeypatch.setattr(intake_module, "_request_columns", refused_for_w2)
    report = IntakeOps(ctx).ingest()
    assert (report.created, report.quarantined) == (3, 1)
    written = {m.service_request_id for m in messages(ctx)}
    assert written == {request_of(ctx, f"w{i}").id for i in (0, 1, 3)}
    assert len(messages(ctx)) == 3, "the refused row's message went with its savepoint"


def test_a_resubmission_writes_no_received_message(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.dinas"]
    request_id, version = claimed(ctx, officer, "rv-1")
    QueueOps(ctx).decide(
        officer,
        request_id,
        Action.REQUEST_REVISION,
        expected_version=version,
        citizen_message="Mohon kirim foto KTP",
    )
    number = request_of(ctx, "rv-1").number
    ingest_rows(ctx, make_request(external_ref="rv-2", reply_to_number=number))
    assert request_of(ctx, "rv-2").id == request_id
    assert kinds(ctx, request_id) == ["received", "needs_revision"]


def test_each_decision_writes_its_message_in_its_transaction(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer, head = users["loket.dinas"], users["kasi.dinas"]
    verification, queue = VerificationOps(ctx), QueueOps(ctx)

    approved_id, version = claimed(ctx, officer, "d-approve")
    verification.approve(officer, approved_id, version, "diperiksa aslinya")
    assert kinds(ctx, approved_id) == ["received", "approved"]
    body = messages(ctx, approved_id)[-1].body
    assert "disetujui" in body and request_of(ctx, "d-approve").number in body

    revised_id, version = claimed(ctx, officer, "d-revise")
    version = verification.save_draft(
        officer, revised_id, version, {}, {"ktp_rusak": _check("tidak_terbaca", "buram")}
    )
    text = "Yth. Ibu, mohon kirim ulang foto KTP yang rusak dengan jelas.\nTerima kasih."
    verification.request_revision(officer, revised_id, version, f"  {text}\n")
    revision = messages(ctx, revised_id)[-1]
    assert (revision.kind, revision.body) == ("needs_revision", text), "the officer's final text"

    rejected_id, version = claimed(ctx, officer, "d-reject")
    verification.reject(officer, rejected_id, version, "berkas bukan milik pemohon")
    rejection = messages(ctx, rejected_id)[-1]
    assert rejection.kind == "rejected" and "Alasan: berkas bukan milik pemohon" in rejection.body

    ingest_rows(ctx, make_request(external_ref="d-cancel"))
    cancelled_id = request_of(ctx, "d-cancel").id
    queue.decide(head, cancelled_id, Action.CANCEL, reason="atas permintaan pemohon")
    cancel = messages(ctx, cancelled_id)[-1]
    assert cancel.kind == "cancelled" and "atas permintaan pemohon" in cancel.body

    claims = [m for m in messages(ctx) if m.kind not in ("received",)]
    assert len(claims) == 4, "a claim, a save or a release writes nothing"


def _check(state: str, note: str = "") -> Any:
    from disdukcapil_desk.domain.dto import CheckInput

    return CheckInput(state, note)


DECISIONS: dict[str, Callable[[DeskContext, Actor, int, int], object]] = {
    "approve": lambda c, a, i, v: VerificationOps(c).approve(a, i, v, "alasan"),
    "revision": lambda c, a, i, v: QueueOps(c).decide(
        a, i, Action.REQUEST_REVISION, expected_version=v, citizen_message="Kirim ulang KTP"
    ),
    "reject": lambda c, a, i, v: VerificationOps(c).reject(a, i, v, "bukan warga"),
}


@pytest.mark.parametrize("decision", sorted(DECISIONS))
def test_a_decision_that_fails_after_its_message_was_written_leaves_no_message(
    ctx: DeskContext, users: dict[str, Actor], monkeypatch: pytest.MonkeyPatch, decision: str
) -> None:
    officer = users["loket.dinas"]
    request_id, version = claimed(ctx, officer, f"rb-{decision}")
    real = queue_module.write_decision_message
    written: list[int | None] = []

    def then_fail(*args: Any, **kwargs: Any) -> int | None:
        written.append(real(*args, **kwargs))
        raise RuntimeError("gagal setelah pesan ditulis")

    monkeypatch.setattr(queue_module, "write_decision_message", then_fail)
    with pytest.raises(Exception, match="gagal setelah pesan ditulis"):
        DECISIONS[decision](ctx, officer, request_id, version)
    assert written and written[0] is not None, "the message was written before the failure"
    assert kinds(ctx, request_id) == ["received"], "the rolled-back decision sent nothing"
    assert request_of(ctx, f"rb-{decision}").status == Status.IN_REVIEW.value

    monkeypatch.setattr(queue_module, "write_decision_message", real)
    with pytest.raises(StaleVersionError):
        DECISIONS[decision](ctx, officer, request_id, version - 1)
    assert kinds(ctx, request_id) == ["received"]
    DECISIONS[decision](ctx, officer, request_id, version)
    assert len(kinds(ctx, request_id)) == 2, "the committed decision has its message"


# -- the conversation -----------------------------------------------------------------------------


def test_the_conversation_shows_both_ways_in_time_order_with_states(
    ctx: DeskContext, users: dict[str, Actor], clock: Any
) -> None:
    officer = users["loket.dinas"]
    ingest_rows(ctx, sample_row("wa-1001"))
    request = request_of(ctx, "wa-1001")
    QueueOps(ctx).claim(officer, request.id)
    clock.advance(minutes=5)
    QueueOps(ctx).decide(
        officer, request.id, Action.REQUEST_REVISION, citizen_message="Kirim surat lahir"
    )
    [received, revision] = messages(ctx, request.id)
    fail(ctx, revision.id, "nomor tidak terdaftar di WhatsApp", clock.advance(minutes=1))
    with ctx.unit_of_work() as session:
        session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.id == received.id)
            .values(sent_at=clock(), delivered_at=clock(), attempts=1)
        )
        session.add(
            OutgoingAttachment(
                outgoing_message_id=revision.id,
                filename="panduan.pdf",
                media_type="application/pdf",
                content=b"%PDF",
            )
        )
    clock.advance(minutes=30)
    reply = sample_row(
        "wa-1008",
        reply_to_number=request.number,
        received_at=clock(),
        payload=json.dumps({"anak_tempat_lahir": "RSUD Serang"}),
        attachments=(("surat_keterangan_lahir", "skl.jpg", "image/jpeg", b"\xff\xd8"),),
    )
    ingest_rows(ctx, reply)

    talk = OutboxOps(ctx).conversation(officer, request.id)
    assert (talk.number, talk.contact) == (request.number, request.contact)
    shape = [
        (type(e).__name__, getattr(e, "kind", None), getattr(e, "reply", None))
        for e in talk.entries
    ]
    assert shape == [
        ("IncomingEntry", None, False),
        ("OutgoingEntry", MessageKind.RECEIVED, None),
        ("OutgoingEntry", MessageKind.NEEDS_REVISION, None),
        ("IncomingEntry", None, True),
    ]
    first_out, failed_out, answer = talk.entries[1], talk.entries[2], talk.entries[3]
    assert isinstance(first_out, OutgoingEntry) and first_out.state is DeliveryState.DELIVERED
    assert isinstance(failed_out, OutgoingEntry) and failed_out.state is DeliveryState.FAILED
    assert failed_out.fail_reason == "nomor tidak terdaftar di WhatsApp"
    assert (failed_out.attempts, failed_out.attachments) == (5, ("panduan.pdf",))
    assert failed_out.may_resend and talk.failed == (failed_out,)
    assert isinstance(answer, IncomingEntry) and answer.attachments == ("skl.jpg",)
    assert answer.label == "Perbaikan/balasan pemohon"


def test_another_office_reads_no_conversation(ctx: DeskContext, users: dict[str, Actor]) -> None:
    ingest_rows(ctx, make_request(external_ref="lain-1"))
    request = request_of(ctx, "lain-1")
    assert request.location_code != "UPT-05"
    with pytest.raises(PermissionDenied):
        OutboxOps(ctx).conversation(users["loket.upt05"], request.id)
    with pytest.raises(NotFound):
        OutboxOps(ctx).conversation(users["loket.dinas"], 987654)


# -- undelivered, resend, correct -------------------------------------------------------------


def test_undelivered_lists_the_offices_failures_oldest_first_until_resent(
    ctx: DeskContext, users: dict[str, Actor], clock: Any
) -> None:
    officer, upt = users["loket.dinas"], users["loket.upt05"]
    submit(ctx, *(person(i, f"u{i}") for i in range(3)))
    submit(ctx, replace(person(9, "u-upt"), location_code="UPT-05"))
    IntakeOps(ctx).ingest()
    ids = {ref: request_of(ctx, ref).id for ref in ("u0", "u1", "u2", "u-upt")}
    by_request = {m.service_request_id: m.id for m in messages(ctx)}
    fail(ctx, by_request[ids["u2"]], "diblokir", clock.advance(minutes=1))
    fail(ctx, by_request[ids["u0"]], "nomor salah", clock.advance(minutes=1))
    fail(ctx, by_request[ids["u-upt"]], "tidak aktif", clock.advance(minutes=1))
    outbox = OutboxOps(ctx)
    office = request_of(ctx, "u0").location_code
    assert office != "UPT-05"

    listed = outbox.undelivered(officer, office)
    assert [m.request_id for m in listed] == [ids["u2"], ids["u0"]]
    assert listed[0].number == request_of(ctx, "u2").number and listed[0].fail_reason == "diblokir"
    assert listed[0].recipient == request_of(ctx, "u2").contact
    assert outbox.undelivered_count(officer, office) == 2
    assert [m.request_id for m in outbox.undelivered(upt)] == [ids["u-upt"]]
    assert [m.request_id for m in outbox.undelivered(upt, None)] == [ids["u-upt"]]
    with pytest.raises(PermissionDenied):
        outbox.undelivered(upt, office)
    assert len(outbox.undelivered(users["kasi.dinas"])) == 3, "the dinas may see every office"

    new_id = outbox.resend(officer, listed[0].message_id)
    assert [m.request_id for m in outbox.undelivered(officer, office)] == [ids["u0"]]
    old, new = messages(ctx, ids["u2"])
    assert old.replaced_by == new_id == new.id
    assert (new.kind, new.body, new.recipient) == (old.kind, old.body, old.recipient)
    assert new.failed_at is None and new.attempts == 0 and new.created_by == officer.login
    with pytest.raises(WorkflowError, match="sudah dikirim ulang"):
        outbox.resend(officer, old.id)
    with pytest.raises(WorkflowError, match="Menunggu"):
        outbox.resend(officer, new.id)
    with pytest.raises(PermissionDenied):
        outbox.resend(upt, by_request[ids["u0"]])
    with ctx.sessions() as session:
        audited = session.scalars(
            select(AuditLog.action).where(AuditLog.entity_key == request_of(ctx, "u2").number)
        ).all()
    assert "resend_message" in audited


def test_a_corrected_resend_is_a_correction_to_a_corrected_recipient(
    ctx: DeskContext, users: dict[str, Actor], clock: Any
) -> None:
    officer = users["loket.dinas"]
    ingest_rows(ctx, make_request(external_ref="k-1"))
    request = request_of(ctx, "k-1")
    [received] = messages(ctx, request.id)
    fail(ctx, received.id, "nomor tidak terdaftar", clock.advance(minutes=1))
    outbox = OutboxOps(ctx)
    with pytest.raises(DeskError, match="bukan nomor"):
        outbox.resend(officer, received.id, recipient="tidak ada")
    with pytest.raises(DeskError, match="kosong"):
        outbox.resend(officer, received.id, corrected_body="   ")
    new_id = outbox.resend(
        officer,
        received.id,
        corrected_body="Nomor permohonan Anda sudah kami terima.",
        recipient="siti@example.org",
    )
    new = messages(ctx, request.id)[-1]
    assert new.id == new_id and new.kind == MessageKind.CORRECTION.value
    assert (new.channel, new.recipient) == ("email", "siti@example.org")
    history = QueueOps(ctx).history(officer, request.id)
    assert any(e.action == "resend_message" and "sudah kami terima" in e.message for e in history)


def test_an_officers_own_message_is_written_and_audited(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer, colleague = users["loket.dinas"], users["loket2.dinas"]
    request_id, _ = claimed(ctx, officer, "c-1")
    outbox = OutboxOps(ctx)
    with pytest.raises(ClaimError):
        outbox.write_correction(colleague, request_id, "Mohon maaf, ada kekeliruan")
    with pytest.raises(DeskError, match="kosong"):
        outbox.write_correction(officer, request_id, "  ")
    message_id = outbox.write_correction(
        officer, request_id, "  Mohon maaf, NIK 3604156107900001 tertulis salah.  "
    )
    message = messages(ctx, request_id)[-1]
    assert message.id == message_id and message.kind == "correction"
    assert message.body == "Mohon maaf, NIK 3604156107900001 tertulis salah."
    with ctx.sessions() as session:
        after = session.scalar(select(AuditLog.after).where(AuditLog.action == "correction"))
    assert after is not None and "3604156107900001" not in after and "Mohon maaf" in after
    with pytest.raises(PermissionDenied):
        outbox.write_correction(users["loket.upt05"], request_id, "x")


def test_messages_count_per_request(ctx: DeskContext) -> None:
    """A request written twice (ingest run twice) has one received message."""
    ingest_rows(ctx, make_request(external_ref="once"))
    IntakeOps(ctx).ingest()
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutgoingMessage)) == 1
