"""Walk-ins at the counter (channel ``loket``): registered under intake's rules, claimed by
the officer who typed them, refused whole when the data is wrong."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from disdukcapil_desk.db.models import (
    AuditLog,
    IncomingAttachment,
    IncomingRequest,
    OutgoingMessage,
    RequestAttachment,
    RequestFinding,
    RequirementCheck,
    ServiceRequest,
)
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import PermissionDenied
from disdukcapil_desk.domain.walk_in import WalkIn, WalkInAttachment
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.walk_in import WalkInOps, WalkInRefused
from tests.factories import GOOD_PAYLOAD
from tests.integration.test_documents import pdf_text
from tests.integration.version_1 import undo_version_7

KIA_FIELDS: dict[str, object] = {
    "nik": "3604150501140003",
    "nama": "Bagas Saputra",
    "tanggal_lahir": "2014-01-05",
    "jenis_kelamin": "L",
    "no_kk": GOOD_PAYLOAD["no_kk"],
    "alamat": GOOD_PAYLOAD["alamat"],
    "kode_desa": GOOD_PAYLOAD["kode_desa"],
    "no_hp": GOOD_PAYLOAD["no_hp"],
    "nik_orang_tua_wali": "3604156107950009",
    "nama_orang_tua_wali": "Dewi Lestari",
}
SCANS = (
    WalkInAttachment("akta_kelahiran", "akta.pdf", "application/pdf", b"%PDF-1.4 akta"),
    WalkInAttachment("kk", "kk.jpg", "image/jpeg", b"\xff\xd8\xff kk"),
)


def kia(**fields: object) -> WalkIn:
    return WalkIn("kia", {**KIA_FIELDS, **fields}, SCANS)


def count(ctx: DeskContext, model: type) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def written(ctx: DeskContext) -> dict[str, int]:
    """How many rows every table a walk-in writes holds."""
    tables = (
        ServiceRequest,
        IncomingRequest,
        IncomingAttachment,
        RequestAttachment,
        RequestFinding,
        RequirementCheck,
        OutgoingMessage,
        AuditLog,
    )
    return {model.__tablename__: count(ctx, model) for model in tables}


def test_a_walk_in_is_numbered_claimed_audited_and_has_its_documents(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.upt05"]
    result = WalkInOps(ctx).register(officer, "UPT-05", kia())

    assert result.number == "UPT-05/20261102/0001"
    assert result.lease.holder == "loket.upt05" and result.lease.version == 2
    with ctx.sessions() as session:
        request = session.scalars(
            select(ServiceRequest).where(ServiceRequest.number == result.number)
        ).one()
        assert (request.channel, request.status) == ("loket", Status.IN_REVIEW.value)
        assert request.claimed_by == officer.user_id
        assert (request.applicant_name, request.subject_name) == ("Dewi Lestari", "Bagas Saputra")
        assert request.contact == GOOD_PAYLOAD["no_hp"]
        incoming = session.scalars(
            select(IncomingRequest).where(IncomingRequest.service_request_id == request.id)
        ).one()
        assert incoming.channel == "loket" and incoming.ingested_at is not None
        assert incoming.ingest_error is None
        links = session.scalars(
            select(RequestAttachment.requirement_code).where(
                RequestAttachment.service_request_id == request.id
            )
        ).all()
        assert sorted(c or "" for c in links) == ["akta_kelahiran", "kk"]
        missing = session.scalars(
            select(RequestFinding.field).where(
                RequestFinding.service_request_id == request.id,
                RequestFinding.code == "attachment_missing",
            )
        ).all()
        assert missing == ["ktp_el_orang_tua"], "the parents' KTP-el was not scanned"
        checks = session.scalar(
            select(func.count()).where(RequirementCheck.service_request_id == request.id)
        )
        assert checks == 4
        audit = session.execute(
            select(AuditLog.action, AuditLog.actor, AuditLog.after)
            .where(AuditLog.entity_key == result.number)
            .order_by(AuditLog.id)
        ).all()
        message = session.scalars(
            select(OutgoingMessage).where(OutgoingMessage.service_request_id == request.id)
        ).one()
    assert [(a.action, a.actor) for a in audit] == [
        ("intake", "loket.upt05"),
        ("claim", "loket.upt05"),
    ]
    assert '"channel": "loket"' in audit[0].after
    assert "3604156107950009" not in audit[0].after, "the NIK is masked"
    assert (message.kind, message.channel) == ("received", "whatsapp"), "no bot talks at a loket"
    detail = QueueOps(ctx).detail(officer, request.id)
    assert detail.row.channel == "loket"
    receipt = DocumentOps(ctx).render_receipt(officer, result.number)
    assert "Datang langsung ke loket" in " ".join(pdf_text(receipt).split())


def test_the_next_walk_in_of_the_day_takes_the_next_number_and_sees_the_duplicate(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ops, officer = WalkInOps(ctx), users["loket.upt05"]
    first = ops.register(officer, "UPT-05", kia())
    second = ops.register(officer, "UPT-05", kia())
    assert second.number == "UPT-05/20261102/0002"
    assert second.duplicate_of == first.number
    assert any(first.number in w for w in second.warnings)


def test_a_wrong_walk_in_is_refused_in_indonesian_and_writes_nothing(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ops, officer = WalkInOps(ctx), users["loket.upt05"]
    before = written(ctx)
    with pytest.raises(WalkInRefused) as refused:
        ops.register(officer, "UPT-05", kia(nik="36041505011", nama_orang_tua_wali=""))
    said = str(refused.value)
    assert said.startswith("Permohonan belum dapat didaftarkan")
    assert "NIK" in said and "Nama orang tua/wali belum diisi" in said
    with pytest.raises(WalkInRefused, match="kode layanan tidak dikenal"):
        ops.register(officer, "UPT-05", WalkIn("kia_palsu", KIA_FIELDS))
    with pytest.raises(WalkInRefused, match="tidak dilayani di DINAS"):
        ops.register(users["loket.dinas"], "DINAS", kia())
    empty = WalkInAttachment("kk", "kosong.pdf", "application/pdf", b"")
    with pytest.raises(WalkInRefused, match="kosong"):
        ops.register(officer, "UPT-05", WalkIn("kia", KIA_FIELDS, (empty,)))
    assert written(ctx) == before
    assert ops.register(officer, "UPT-05", kia()).number.endswith("/0001"), "no number used"


@pytest.mark.parametrize("login", ["admin", "loket.upt05"])
def test_a_walk_in_needs_a_counter_officer_of_that_office(
    ctx: DeskContext, users: dict[str, Actor], login: str
) -> None:
    before = written(ctx)
    # The administrator registers nothing; a UPT officer registers at their own UPT only.
    office = "UPT-05" if login == "admin" else "DINAS"
    with pytest.raises(PermissionDenied):
        WalkInOps(ctx).register(users[login], office, kia())
    assert written(ctx) == before


def test_version_7_allows_the_loket_channel(ctx: DeskContext) -> None:
    insert = text(
        "INSERT INTO incoming_request (channel, external_ref, received_at, sender, "
        "service_code, payload) VALUES ('loket', :ref, CURRENT_TIMESTAMP, 's', 'kia', '{}')"
    )
    with ctx.engine.begin() as conn:
        undo_version_7(conn)
        conn.execute(text("UPDATE schema_version SET version = 6"))
    ctx.engine.dispose()
    with pytest.raises(IntegrityError), ctx.engine.begin() as conn:
        conn.execute(insert, {"ref": "old"})
    assert SetupOps(ctx).upgrade() == [7, 8, 9]
    with ctx.engine.begin() as conn:
        conn.execute(insert, {"ref": "new"})
        assert conn.execute(text("SELECT count(*) FROM incoming_request")).scalar_one() == 1
