"""The history of a request (who did what, when, what the citizen was told) and the finding
for a required document the citizen did not send."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import PermissionDenied
from disdukcapil_desk.domain.findings import ATTACHMENT_MISSING
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.outbox import OutboxOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.verification import VerificationOps
from tests.integration.test_intake import ingest_rows, request_of, sample_row

NIK = "3604150311920014"


def required_codes(ctx: DeskContext, service_code: str) -> list[str]:
    service = ctx.reference.catalogue.get(service_code)
    return [r.code for r in service.requirements if r.required]


def with_attachments(ref: str, codes: list[str], **overrides: object):
    row = sample_row(ref, **overrides)
    files = tuple((code, f"{code}.png", "image/png", b"\x89PNG fake") for code in codes)
    return dataclasses.replace(row, attachments=files)


def missing_of(ctx: DeskContext, actor: Actor, request_id: int) -> set[str]:
    detail = QueueOps(ctx).detail(actor, request_id)
    return {f.field for f in detail.findings if f.code == ATTACHMENT_MISSING}


def test_a_required_document_not_sent_is_found_at_ingest_and_cleared_by_a_resubmission(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.dinas"]
    required = required_codes(ctx, "akta_kelahiran")
    assert len(required) >= 2
    ingest_rows(ctx, with_attachments("wa-1001", required[:1]))
    request = request_of(ctx, "wa-1001")
    assert missing_of(ctx, officer, request.id) == set(required[1:])
    # The citizen sends what was missing as a reply to the same request.
    reply = with_attachments(
        "wa-1001",
        required[1:],
        external_ref="wa-1001-reply",
        reply_to_number=request.number,
        received_at=dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC),
    )
    ingest_rows(ctx, reply)
    assert missing_of(ctx, officer, request.id) == set()


def test_the_finding_stays_through_a_saved_edit(ctx: DeskContext, users: dict[str, Actor]) -> None:
    officer = users["loket.dinas"]
    ingest_rows(ctx, sample_row("wa-1001"))
    request_id = request_of(ctx, "wa-1001").id
    everything = set(required_codes(ctx, "akta_kelahiran"))
    assert missing_of(ctx, officer, request_id) == everything
    lease = QueueOps(ctx).claim(officer, request_id)
    VerificationOps(ctx).save_draft(officer, request_id, lease.version, {"anak_ke": "3"}, {})
    assert missing_of(ctx, officer, request_id) == everything


def test_history_lists_each_step_and_every_message_with_numbers_masked(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.dinas"]
    ingest_rows(ctx, sample_row("wa-1002"))
    request_id = request_of(ctx, "wa-1002").id
    queue, verification = QueueOps(ctx), VerificationOps(ctx)
    lease = queue.claim(officer, request_id)
    version = verification.save_draft(officer, request_id, lease.version, {"rt": "009"}, {})
    message = f"Mohon kirim ulang foto KK; NIK {NIK} tidak terbaca."
    verification.request_revision(officer, request_id, version, message)

    history = queue.history(officer, request_id)
    assert [e.action for e in history] == ["intake", "claim", "save", "request_revision"]
    assert history[0].actor == "system"
    revision = history[-1]
    assert revision.label == "Dikembalikan untuk perbaikan"
    assert revision.actor == "loket.dinas" and revision.actor_name != ""
    assert revision.message == "Mohon kirim ulang foto KK; NIK 3604********0014 tidak terbaca."
    assert all(NIK not in f"{e.detail} {e.message}" for e in history)
    assert [e.at for e in history] == sorted(e.at for e in history)


def test_an_officers_own_message_joins_the_history(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.dinas"]
    ingest_rows(ctx, sample_row("wa-1002"))
    request_id = request_of(ctx, "wa-1002").id
    OutboxOps(ctx).write_correction(officer, request_id, "Dokumen siap diambil.")
    history = QueueOps(ctx).history(officer, request_id)
    assert history[-1].action == "correction" and history[-1].message == "Dokumen siap diambil."


def test_history_is_only_for_those_who_may_see_the_request(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ingest_rows(ctx, sample_row("wa-1002", location_code="DINAS"))
    request_id = request_of(ctx, "wa-1002").id
    with pytest.raises(PermissionDenied):
        QueueOps(ctx).history(users["admin"], request_id)
    with pytest.raises(PermissionDenied):
        QueueOps(ctx).history(users["loket.upt05"], request_id)
