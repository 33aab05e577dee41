"""Ingest on SQLite and PostgreSQL: requests, routing, findings, quarantine, resubmissions."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from disdukcapil_desk.db.models import IncomingRequest, RequestAttachment, ServiceRequest
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from tests.factories import GOOD_PAYLOAD, SAMPLES, make_request, sample_row

__all__ = ["GOOD_PAYLOAD", "ingest_rows", "request_of", "sample_row"]  # used by other tests


def row(ref: str, service: str = "ktpel_penggantian", **payload_changes: object) -> IncomingRow:
    return make_request(external_ref=ref, service_code=service, fields=payload_changes)


def ingest_rows(ctx: DeskContext, *rows: IncomingRow):
    ops = IntakeOps(ctx)
    for r in rows:
        ops.submit_row(r)
    return ops.ingest()


def request_of(ctx: DeskContext, external_ref: str) -> ServiceRequest:
    with ctx.sessions() as session:
        incoming = session.scalar(
            select(IncomingRequest).where(IncomingRequest.external_ref == external_ref)
        )
        assert incoming is not None and incoming.service_request_id is not None
        found = session.get(ServiceRequest, incoming.service_request_id)
        assert found is not None
        return found


def incoming_of(ctx: DeskContext, external_ref: str) -> IncomingRequest:
    with ctx.sessions() as session:
        found = session.scalar(
            select(IncomingRequest).where(IncomingRequest.external_ref == external_ref)
        )
        assert found is not None
        return found


def test_shared_samples_are_ingested_as_their_notes_say(ctx: DeskContext) -> None:
    rows = [sample_row(r["external_ref"]) for r in SAMPLES["rows"][:7]]
    report = ingest_rows(ctx, *rows)

    assert (report.rows, report.created, report.quarantined) == (7, 5, 2)
    assert "bukan JSON" in incoming_of(ctx, "wa-1006").ingest_error
    assert "surat_sakti" in incoming_of(ctx, "wa-1007").ingest_error
    birth = request_of(ctx, "wa-1001")
    assert birth.status == "new" and birth.number.endswith("/20261102/0001")
    assert birth.applicant_name == "Rudi Hartono"
    death = request_of(ctx, "wa-1004")
    assert death.location_code == "DINAS", "akta kematian is handled at the dinas only"
    assert request_of(ctx, "wa-1003").location_code == "UPT-15", "KIA goes to the applicant's UPT"


def test_nik_findings_warn_but_never_reject(ctx: DeskContext) -> None:
    ingest_rows(ctx, sample_row("wa-1002"), sample_row("wa-1005"))
    detail_ok = QueueOps(ctx).detail(_reader(), request_of(ctx, "wa-1002").number)
    detail_bad = QueueOps(ctx).detail(_reader(), request_of(ctx, "wa-1005").number)

    assert not any(f.code.startswith("nik_") and f.severity == "error" for f in detail_ok.findings)
    codes = {f.code for f in detail_bad.findings}
    assert "nik_sex_mismatch" in codes
    assert all(f.severity != "error" for f in detail_bad.findings if f.code.startswith("nik"))


@pytest.mark.parametrize(
    ("payload", "sender", "service", "reason"),
    [
        ('{"nama": "Bagas"', "+628123456789", "kia", "bukan JSON"),
        ('["a", "list"]', "+628123456789", "kia", "objek JSON"),
        (json.dumps(GOOD_PAYLOAD), "+628123456789", "surat_sakti", "tidak dikenal"),
        (json.dumps(dict(GOOD_PAYLOAD, no_hp="")), "", "kia", "kontak"),
    ],
)
def test_rows_that_cannot_become_requests_are_quarantined_with_reason(
    ctx: DeskContext, payload: str, sender: str, service: str, reason: str
) -> None:
    bad = make_request(
        channel="web", external_ref="bad-1", service_code=service, payload=payload, sender=sender
    )
    report = ingest_rows(ctx, bad, row("good-1"))

    assert (report.created, report.quarantined) == (1, 1)
    kept = incoming_of(ctx, "bad-1")
    assert reason in (kept.ingest_error or "")
    assert kept.ingested_at is not None and kept.service_request_id is None
    assert kept.payload == payload, "the row stays as it came"


def test_data_problems_become_findings_on_a_request(ctx: DeskContext) -> None:
    report = ingest_rows(
        ctx,
        row("letters", nik="36041561O7950009"),
        row("huge-name", nama="A" * 1_500),  # within the payload limits (those: hostile tests)
        row("bad-date", tanggal_lahir="31-02-1995"),
        row("unknown-field", warna_favorit="biru"),
    )
    assert (report.created, report.quarantined) == (4, 0)
    reader = _reader()
    letters = QueueOps(ctx).detail(reader, request_of(ctx, "letters").number)
    assert {"nik_not_digits"} <= {f.code for f in letters.findings}
    huge = request_of(ctx, "huge-name")
    assert len(huge.applicant_name) <= 151
    assert len(json.loads(huge.payload)["nama"]) == 1_500, "the payload is kept whole"
    huge_codes = {f.code for f in QueueOps(ctx).detail(reader, huge.number).findings}
    assert "field_too_long" in huge_codes
    bad_date = QueueOps(ctx).detail(reader, request_of(ctx, "bad-date").number)
    assert "field_invalid_date" in {f.code for f in bad_date.findings}
    assert json.loads(request_of(ctx, "unknown-field").payload)["warna_favorit"] == "biru"


def test_duplicate_external_ref_is_refused_by_the_contract(ctx: DeskContext) -> None:
    ops = IntakeOps(ctx)
    assert ops.submit_row(row("same")) is not None
    assert ops.submit_row(row("same")) is None, "a resend is idempotent"
    with pytest.raises(IntegrityError), ctx.unit_of_work() as session:
        session.add(
            IncomingRequest(
                channel="whatsapp",
                external_ref="same",
                received_at=ctx.clock(),
                sender="x",
                service_code="kia",
                payload="{}",
            )
        )
    assert ops.ingest().created == 1


def test_resubmission_joins_its_request_and_returns_it_to_the_queue(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ingest_rows(ctx, sample_row("wa-1001"))
    original = request_of(ctx, "wa-1001")
    queue = QueueOps(ctx)
    officer = users["loket.dinas"]
    queue.claim(officer, original.id)
    queue.decide(
        officer,
        original.id,
        Action.REQUEST_REVISION,
        citizen_message="Mohon kirim surat keterangan lahir",
    )
    fix = sample_row(
        "wa-1008",
        reply_to_number=original.number.lower(),
        payload=json.dumps({"anak_tempat_lahir": "RSUD Serang"}),
    )
    skl = ("surat_keterangan_lahir", "skl.jpg", "image/jpeg", b"\xff\xd8jpeg")
    IntakeOps(ctx).submit_row(replace(fix, attachments=(skl,)))
    report = IntakeOps(ctx).ingest()

    assert (report.resubmissions, report.created) == (1, 0)
    again = request_of(ctx, "wa-1008")
    assert again.id == original.id
    assert again.status == Status.NEW.value and again.resubmission_count == 1
    payload = json.loads(again.payload)
    assert payload["anak_tempat_lahir"] == "RSUD Serang" and payload["nama"] == "Rudi Hartono"
    with ctx.sessions() as session:
        links = session.scalar(
            select(func.count()).where(RequestAttachment.service_request_id == original.id)
        )
    assert links == 1


def test_an_answer_after_approval_cannot_change_the_checked_data(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ingest_rows(ctx, sample_row("wa-1001"))
    original = request_of(ctx, "wa-1001")
    queue = QueueOps(ctx)
    officer = users["loket.dinas"]
    queue.claim(officer, original.id)
    queue.decide(officer, original.id, Action.APPROVE)
    late = sample_row(
        "wa-1008",
        reply_to_number=original.number,
        payload=json.dumps({"anak_tempat_lahir": "RSUD Banten"}),
    )
    report = ingest_rows(ctx, late)

    assert (report.quarantined, report.resubmissions) == (1, 0)
    assert "tidak dapat diubah" in (incoming_of(ctx, "wa-1008").ingest_error or "")
    kept = request_of(ctx, "wa-1001")
    assert kept.status == Status.APPROVED.value and kept.resubmission_count == 0
    assert json.loads(kept.payload).get("anak_tempat_lahir") != "RSUD Banten"


def test_resubmission_for_unknown_number_is_quarantined(ctx: DeskContext) -> None:
    fix = sample_row("wa-1008", reply_to_number="DINAS/20990101/0001")
    report = ingest_rows(ctx, fix)
    assert report.quarantined == 1
    assert "tidak dikenal" in (incoming_of(ctx, "wa-1008").ingest_error or "")


def test_open_request_with_same_nik_and_service_is_flagged(ctx: DeskContext) -> None:
    report = ingest_rows(ctx, row("first"), row("second"), row("other", service="kia"))
    assert report.duplicates_flagged == 1
    second = request_of(ctx, "second")
    assert second.possible_duplicate_of == request_of(ctx, "first").id
    assert request_of(ctx, "other").possible_duplicate_of is None


def test_ingest_twice_creates_nothing_twice(ctx: DeskContext) -> None:
    rows = [row(f"r{i}") for i in range(5)]
    first = ingest_rows(ctx, *rows)
    second = ingest_rows(ctx, *rows)
    assert (first.created, second.rows) == (5, 0)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ServiceRequest)) == 5


def test_counts_add_up_for_a_mixed_batch(ctx: DeskContext) -> None:
    good = [row(f"g{i}") for i in range(7)]
    bad = [
        make_request(channel="web", external_ref=f"b{i}", service_code="kia", payload="not json")
        for i in range(3)
    ]
    report = ingest_rows(ctx, *good, *bad)
    assert report.rows == report.created + report.resubmissions + report.quarantined == 10
    assert IntakeOps(ctx).pending_count() == 0


def test_routing_prefers_the_wished_office_when_it_serves_the_service(ctx: DeskContext) -> None:
    ingest_rows(
        ctx,
        sample_row("wa-1003", location_code="UPT-33"),
        sample_row("wa-1004", location_code="UPT-33", external_ref="death-upt"),
    )
    assert request_of(ctx, "wa-1003").location_code == "UPT-33"
    assert request_of(ctx, "death-upt").location_code == "DINAS"


def test_sla_due_counts_working_days(ctx: DeskContext) -> None:
    # Friday 2026-11-06 with a 3-day SLA (biodata_wni) is due Wednesday 2026-11-11.
    friday = make_request(
        channel="web",
        external_ref="fri",
        service_code="biodata_wni",
        received_at=dt.datetime(2026, 11, 6, 3, 0, tzinfo=dt.UTC),
    )
    ingest_rows(ctx, friday)
    assert request_of(ctx, "fri").sla_due == dt.date(2026, 11, 11)


def test_progress_is_reported_and_cancel_stops_between_batches(ctx: DeskContext) -> None:
    for i in range(12):
        IntakeOps(ctx).submit_row(row(f"p{i}"))
    seen: list[tuple[int, int]] = []
    report = IntakeOps(ctx).ingest(
        progress=lambda done, total: seen.append((done, total)),
        cancelled=lambda: len(seen) >= 1,
        batch_size=5,
    )
    assert report.cancelled and report.rows == 5 and seen == [(5, 12)]
    assert IntakeOps(ctx).pending_count() == 7


def _reader() -> Actor:
    from disdukcapil_desk.domain.workflow import Role

    return Actor("reader", Role.SECTION_HEAD)
