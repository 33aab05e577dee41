"""Who applies and whom the document is about, on SQLite and PostgreSQL: stored at ingest, kept
in step with the officer's edits, addressed in messages, printed on the receipt, re-read after
the upgrade that introduced them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from disdukcapil_desk.db.models import OutgoingMessage, ServiceRequest
from disdukcapil_desk.domain.dto import Actor, CheckInput, QueueFilter
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IncomingRow
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.verification import VerificationOps
from tests.factories import GOOD_PAYLOAD, make_request
from tests.integration.test_documents import pdf_text
from tests.integration.test_intake import ingest_rows, request_of
from tests.integration.version_1 import back_to_version_1

RECEIVED = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC)
DECEASED = {
    "nik": "3604131704480002",
    "nama": "Sarmadi",
    "tanggal_lahir": "1948-04-17",
    "jenis_kelamin": "L",
    "tanggal_kematian": "2026-10-31",
    "tempat_kematian": "Tirtayasa",
    "pelapor_nik": "3604135008750006",
    "pelapor_nama": "Siti Aminah",
    "hubungan_pelapor": "anak",
}
BIRTH = {
    "nama": "Rudi Hartono",
    "nik": "3604150311920014",
    "tanggal_lahir": "1992-11-03",
    "jenis_kelamin": "L",
    "anak_nama": "Aisyah Putri",
    "anak_jenis_kelamin": "P",
    "anak_tanggal_lahir": "2026-10-28",
    "anak_tempat_lahir": "Serang",
    "ibu_nik": "3604155505950003",
    "ibu_nama": "Dewi Lestari",
}
CHILD_CARD = {
    "nik": "3604150501140003",
    "nama": "Bagas Saputra",
    "tanggal_lahir": "2014-01-05",
    "jenis_kelamin": "L",
    "nik_orang_tua_wali": "3604156107950009",
    "nama_orang_tua_wali": "Dewi Lestari",
}


def incoming(ref: str, service: str, fields: dict[str, str]) -> IncomingRow:
    return make_request(external_ref=ref, service_code=service, fields=fields, received_at=RECEIVED)


def parties(request: ServiceRequest) -> tuple[str, str, str, str]:
    return (request.applicant_name, request.nik, request.subject_name, request.subject_nik)


def test_ingest_stores_the_applicant_apart_from_the_subject(ctx: DeskContext) -> None:
    report = ingest_rows(
        ctx,
        incoming("death", "akta_kematian", DECEASED),
        incoming("birth", "akta_kelahiran", BIRTH),
        incoming("kia", "kia", CHILD_CARD),
        incoming("self", "ktpel_penggantian", {}),
    )
    assert report.created == 4
    assert parties(request_of(ctx, "death")) == (
        "Siti Aminah",
        "3604135008750006",
        "Sarmadi",
        "3604131704480002",
    )
    assert parties(request_of(ctx, "birth")) == (
        "Rudi Hartono",
        "3604150311920014",
        "Aisyah Putri",
        "",
    )
    assert parties(request_of(ctx, "kia")) == (
        "Dewi Lestari",
        "3604156107950009",
        "Bagas Saputra",
        "3604150501140003",
    )
    own = request_of(ctx, "self")
    assert (own.subject_name, own.subject_nik) == (own.applicant_name, own.nik)
    death = request_of(ctx, "death")
    assert death.kode_desa == GOOD_PAYLOAD["kode_desa"], "the common fields stay the deceased's"


def test_the_queue_shows_both_and_search_finds_either(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ingest_rows(ctx, incoming("death", "akta_kematian", DECEASED), incoming("self", "kia", {}))
    queue = QueueOps(ctx)
    head = users["kasi.dinas"]
    for needle in ("sarmadi", "AMINAH", "3604131704480002", "3604-1350-0875-0006"):
        rows = queue.page(head, QueueFilter(search=needle)).rows
        assert [(r.applicant_name, r.subject_name) for r in rows] == [("Siti Aminah", "Sarmadi")], (
            needle
        )
    row = queue.page(head, QueueFilter(search="sarmadi")).rows[0]
    assert (row.subject_label, row.service_label) == ("Yang meninggal dunia", "Akta Kematian")


def test_an_edited_pelapor_follows_into_the_columns(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ingest_rows(ctx, incoming("death", "akta_kematian", DECEASED))
    request_id = request_of(ctx, "death").id
    officer = users["loket.dinas"]
    version = QueueOps(ctx).claim(officer, request_id).version
    VerificationOps(ctx).save_draft(
        officer,
        request_id,
        version,
        {"pelapor_nama": "Siti Aminah Rahayu", "nama": "Sarmadi bin Kasim"},
        {},
    )
    assert parties(request_of(ctx, "death"))[::2] == ("Siti Aminah Rahayu", "Sarmadi bin Kasim")
    found = QueueOps(ctx).page(officer, QueueFilter(search="bin kasim")).rows
    assert [r.id for r in found] == [request_id], "the search index follows the edit"


def test_revision_and_outbox_messages_address_the_pelapor(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ingest_rows(ctx, incoming("death", "akta_kematian", DECEASED))
    request_id = request_of(ctx, "death").id
    officer = users["loket.dinas"]
    version = QueueOps(ctx).claim(officer, request_id).version
    verification = VerificationOps(ctx)
    verification.save_draft(
        officer, request_id, version, {}, {"surat_kematian": CheckInput("tidak_ada")}
    )
    detail = QueueOps(ctx).detail(officer, request_id)
    revision = verification.revision_message(detail)
    assert revision.startswith("Yth. Bapak/Ibu Siti Aminah,")
    assert "atas nama Sarmadi dengan nomor" in revision
    verification.approve(officer, request_id, detail.row.version, "diperiksa aslinya")
    with ctx.sessions() as session:
        approved = session.scalars(
            select(OutgoingMessage.body).where(OutgoingMessage.kind == "approved")
        ).one()
    assert approved.startswith("Yth. Bapak/Ibu Siti Aminah,") and "atas nama Sarmadi" in approved


def test_a_message_for_oneself_names_nobody_else(ctx: DeskContext, users: dict[str, Actor]) -> None:
    ingest_rows(ctx, incoming("self", "ktpel_penggantian", {}))
    detail = QueueOps(ctx).detail(users["loket.dinas"], request_of(ctx, "self").id)
    text_ = VerificationOps(ctx).revision_message(detail)
    assert text_.startswith(f"Yth. Bapak/Ibu {GOOD_PAYLOAD['nama']},")
    assert "atas nama" not in text_


def test_the_receipt_names_the_applicant_and_the_subject(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ingest_rows(
        ctx,
        incoming("death", "akta_kematian", DECEASED),
        incoming("self", "ktpel_penggantian", {}),
    )
    documents = DocumentOps(ctx)
    officer = users["loket.dinas"]
    death = " ".join(
        pdf_text(documents.render_receipt(officer, request_of(ctx, "death").number)).split()
    )
    assert "Nama Pemohon : Siti Aminah (pelapor)" in death
    assert "NIK Pemohon : 3604********0006" in death
    assert "Atas Nama : Sarmadi (yang meninggal dunia)" in death
    assert "NIK Atas Nama : 3604********0002" in death
    slip = " ".join(
        pdf_text(
            documents.render_receipt(
                officer, request_of(ctx, "death").number, slip=True, purpose="save"
            )
        ).split()
    )
    assert "Siti Aminah (pelapor)" in slip and "Sarmadi (yang meninggal dunia)" in slip
    own = " ".join(
        pdf_text(documents.render_receipt(officer, request_of(ctx, "self").number)).split()
    )
    assert f"Nama Pemohon : {GOOD_PAYLOAD['nama']}" in own and "Atas Nama" not in own


def test_upgrade_reads_the_parties_of_existing_requests(ctx: DeskContext) -> None:
    ingest_rows(
        ctx,
        incoming("death", "akta_kematian", DECEASED),
        incoming("self", "ktpel_penggantian", {}),
    )
    back_to_version_1(ctx)
    assert SetupOps(ctx).upgrade() == [2, 3, 4, 5, 6, 7, 8, 9]
    assert parties(request_of(ctx, "death")) == (
        "Siti Aminah",
        "3604135008750006",
        "Sarmadi",
        "3604131704480002",
    )
    own = request_of(ctx, "self")
    assert (own.subject_name, own.subject_nik) == (GOOD_PAYLOAD["nama"], GOOD_PAYLOAD["nik"])
    head = Actor("kasi", Role.SECTION_HEAD, location_code="DINAS")
    for needle in ("sarmad", "aminah"):  # the rebuilt index knows both names
        rows = QueueOps(ctx).page(head, QueueFilter(search=needle)).rows
        assert [r.subject_name for r in rows] == ["Sarmadi"], needle
