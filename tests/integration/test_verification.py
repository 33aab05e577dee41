"""Verification: drafts with re-checked findings, approval rules, one revision message."""

from __future__ import annotations

import json

import pytest

from disdukcapil_desk.domain.dto import Actor, CheckInput
from disdukcapil_desk.domain.errors import ClaimError, StaleVersionError, WorkflowError
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.verification import VerificationOps
from tests.integration.test_intake import ingest_rows, request_of, sample_row


@pytest.fixture
def birth(ctx: DeskContext, users: dict[str, Actor]) -> tuple[int, int]:
    """A birth registration claimed by loket.dinas: (request id, version)."""
    ingest_rows(ctx, sample_row("wa-1001"))
    request_id = request_of(ctx, "wa-1001").id
    lease = QueueOps(ctx).claim(users["loket.dinas"], request_id)
    return request_id, lease.version


def test_draft_saves_fields_and_checks_and_rechecks_findings(
    ctx: DeskContext, users: dict[str, Actor], birth: tuple[int, int]
) -> None:
    request_id, version = birth
    verification = VerificationOps(ctx)
    officer = users["loket.dinas"]
    new_version = verification.save_draft(
        officer,
        request_id,
        version,
        {"ibu_nik": "123"},
        {
            "surat_keterangan_lahir": CheckInput("sesuai"),
            "buku_nikah": CheckInput("tidak_terbaca", "foto buram"),
        },
    )
    detail = QueueOps(ctx).detail(officer, request_id)
    assert detail.row.version == new_version == version + 1
    assert detail.payload["ibu_nik"] == "123"
    assert ("nik_length", "ibu_nik") in {(f.code, f.field) for f in detail.findings}
    states = {c.requirement_code: (c.state, c.note, c.checked_by) for c in detail.checks}
    assert states["buku_nikah"] == ("tidak_terbaca", "foto buram", "loket.dinas")
    with pytest.raises(StaleVersionError):
        verification.save_draft(officer, request_id, version, {}, {})
    with pytest.raises(ClaimError):
        verification.save_draft(users["loket2.dinas"], request_id, new_version, {}, {})


def test_approve_needs_every_required_item_or_a_reason(
    ctx: DeskContext, users: dict[str, Actor], birth: tuple[int, int]
) -> None:
    request_id, version = birth
    verification = VerificationOps(ctx)
    officer = users["loket.dinas"]
    with pytest.raises(WorkflowError, match="alasan"):
        verification.approve(officer, request_id, version)
    service = ctx.reference.catalogue.get("akta_kelahiran")
    all_pass = {r.code: CheckInput("sesuai") for r in service.requirements if r.required}
    version = verification.save_draft(officer, request_id, version, {}, all_pass)
    assert verification.approve(officer, request_id, version).status is Status.APPROVED


def test_approve_with_written_reason(
    ctx: DeskContext, users: dict[str, Actor], birth: tuple[int, int]
) -> None:
    request_id, version = birth
    row = VerificationOps(ctx).approve(
        users["loket.dinas"], request_id, version, "buku nikah diperiksa aslinya di loket"
    )
    assert row.status is Status.APPROVED


def test_revision_message_lists_everything_once(
    ctx: DeskContext, users: dict[str, Actor], birth: tuple[int, int]
) -> None:
    request_id, version = birth
    verification = VerificationOps(ctx)
    officer = users["loket.dinas"]
    version = verification.save_draft(
        officer,
        request_id,
        version,
        {"ibu_nik": "12345"},
        {
            "buku_nikah": CheckInput("tidak_ada"),
            "surat_keterangan_lahir": CheckInput("tidak_terbaca", "stempel tidak terlihat"),
            "kk": CheckInput("sesuai"),
        },
    )
    detail = QueueOps(ctx).detail(officer, request_id)
    text = verification.revision_message(detail)
    assert detail.row.number in text and "Rudi Hartono" in text
    assert "1. " in text and "2. " in text and "3. " in text
    assert "stempel tidak terlihat" in text and "NIK ibu" in text
    assert text.count("Buku nikah") == 1, "each problem is listed once"
    assert "KK tempat anak terdaftar" not in text, "items that pass are not mentioned"
    row = verification.request_revision(officer, request_id, version, text)
    assert row.status is Status.NEEDS_REVISION
    stored = QueueOps(ctx).detail(officer, request_id)
    assert stored.citizen_message == text and stored.row.holder is None


def test_reject_needs_reason_and_tells_the_citizen(
    ctx: DeskContext, users: dict[str, Actor], birth: tuple[int, int]
) -> None:
    request_id, version = birth
    verification = VerificationOps(ctx)
    with pytest.raises(WorkflowError):
        verification.reject(users["loket.dinas"], request_id, version, "  ")
    verification.reject(users["loket.dinas"], request_id, version, "Bukan penduduk Kab. Serang")
    detail = QueueOps(ctx).detail(users["loket.dinas"], request_id)
    assert detail.row.status is Status.REJECTED
    assert detail.citizen_message == "Bukan penduduk Kab. Serang"


def test_attachment_bytes_come_back(ctx: DeskContext, users: dict[str, Actor]) -> None:
    from disdukcapil_desk.operations.intake import IntakeOps

    attachment = ("ktp_el", "ktp.png", "image/png", b"\x89PNG-bytes")
    IntakeOps(ctx).submit_row(sample_row("wa-1002", attachments=(attachment,)))
    IntakeOps(ctx).ingest()
    detail = QueueOps(ctx).detail(users["loket.dinas"], request_of(ctx, "wa-1002").number)
    (attachment,) = detail.attachments
    assert attachment.size == len(b"\x89PNG-bytes")
    media, content = VerificationOps(ctx).attachment_content(users["loket.dinas"], attachment.id)
    assert (media, content) == ("image/png", b"\x89PNG-bytes")
    payload = json.loads(json.dumps(detail.payload))
    assert payload["nama"] == "Dewi Lestari"
