"""After Setujui: Input SIAK, the signed PDF from SIAK (TTE), and sending it to the citizen,
on SQLite and PostgreSQL (issue 11, part 1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disdukcapil_desk.db.models import (
    AuditLog,
    OutgoingAttachment,
    OutgoingMessage,
    SiakNumber,
    SignedDocument,
)
from disdukcapil_desk.db.repositories import siak as siak_repo
from disdukcapil_desk.domain.delivery import MessageKind, SiakNumberError, SiakNumberKind
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import (
    DeskError,
    PermissionDenied,
    StaleVersionError,
    WorkflowError,
)
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.after_approval import AfterApprovalOps
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.reports.signing import load_identity, sign_pdf
from disdukcapil_desk.reports.tte import TteRefused
from tests.conftest import TEST_PASSWORD
from tests.integration.cli_harness import Desk, one_error_line
from tests.integration.test_document_signing import PASSPHRASE, incremental_update, make_pkcs12
from tests.integration.test_documents import BIRTH, DEATH, configure, submit
from tests.integration.test_intake import request_of

AKTA = SiakNumberKind.AKTA
AKTA_NO = "3604-KM-03112026-0007"
OTHER_AKTA = "3604-KM-03112026-0008"
NEW_KK = "3604011511250003"


@pytest.fixture(scope="module")
def siak_certificate() -> bytes:
    """A stand-in for the Kepala Dinas's BSrE certificate (a root the desk does not know)."""
    pkcs12, _ = make_pkcs12("Dr. H. Kepala Dinas, M.Si.")
    return pkcs12


def plain_pdf(*lines: str) -> bytes:
    """A one-page PDF whose text is readable in its content stream (as SIAK's akta shows its
    registration number)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=0)
    for i, line in enumerate(("KUTIPAN AKTA KEMATIAN", *lines)):
        page.drawString(72, 760 - 18 * i, line)
    page.save()
    return out.getvalue()


def signed_pdf(pkcs12: bytes, *lines: str) -> bytes:
    """The PDF signed as SIAK's TTE signs it (PAdES, the whole file)."""
    identity = load_identity(pkcs12, PASSPHRASE)
    return sign_pdf(plain_pdf(*lines), identity, reason="TTE", location="Serang")


def approved_request(ctx: DeskContext, service: str, ref: str, **fields: str) -> int:
    """One request of ``service``, approved by the dinas counter officer."""
    extra = DEATH if service == "akta_kematian" else BIRTH if service == "akta_kelahiran" else {}
    start = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    submit(ctx, ref, service, start, **{**extra, **fields})
    IntakeOps(ctx).ingest()
    counter = UserOps(ctx).actor("loket.dinas")
    queue = QueueOps(ctx)
    request_id = request_of(ctx, ref).id
    queue.claim(counter, request_id)
    queue.decide(counter, request_id, Action.APPROVE)
    return request_id


def _audit(ctx: DeskContext, action: str) -> list[AuditLog]:
    with ctx.reading() as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.action == action)))


# -- Input SIAK --------------------------------------------------------------------------------


def test_input_siak_records_the_numbers_and_moves_the_request(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.dinas"]
    request_id = approved_request(ctx, "akta_kematian", "siak-1")
    ops = AfterApprovalOps(ctx)
    before = ops.follow_up(officer, request_id)
    assert before.status is Status.APPROVED and before.siak_kinds == (AKTA,)
    result = ops.record_siak(
        officer, request_id, {AKTA: " 3604-km-03112026-0007 "}, expected_version=before.version
    )
    assert result.follow_up.status is Status.SIAK_RECORDED
    assert result.follow_up.value(AKTA) == AKTA_NO and result.warnings == ()
    [entry] = _audit(ctx, "siak_numbers")
    assert AKTA_NO in entry.after and entry.actor == officer.login


def test_a_correction_before_the_tte_is_audited_with_before_and_after_nik_masked(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.dinas"]
    request_id = approved_request(ctx, "kk_baru", "siak-kk")
    ops = AfterApprovalOps(ctx)
    ops.record_siak(officer, request_id, {"no_kk_baru": NEW_KK})
    corrected = ops.record_siak(officer, request_id, {"no_kk_baru": "3604011511250004"})
    assert corrected.follow_up.value(SiakNumberKind.KK) == "3604011511250004"
    last = _audit(ctx, "siak_numbers")[-1]
    assert "3604********0003" in last.before and "3604********0004" in last.after
    assert NEW_KK not in last.before + last.after


def test_input_siak_refuses_missing_malformed_and_foreign_numbers(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.dinas"]
    request_id = approved_request(ctx, "akta_kematian", "siak-bad")
    ops = AfterApprovalOps(ctx)
    with pytest.raises(SiakNumberError, match="belum diisi"):
        ops.record_siak(officer, request_id, {})
    with pytest.raises(SiakNumberError, match="tanggal 31-02-2026"):
        ops.record_siak(officer, request_id, {AKTA: "3604-KM-31022026-0001"})
    with pytest.raises(SiakNumberError, match="tidak mendapat NIK baru"):
        ops.record_siak(officer, request_id, {AKTA: AKTA_NO, "nik_baru": "3604151510250001"})
    assert ops.follow_up(officer, request_id).status is Status.APPROVED


def test_legacy_akta_numbers_are_kept_with_a_warning(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    request_id = approved_request(ctx, "akta_kematian", "siak-legacy")
    result = AfterApprovalOps(ctx).record_siak(
        users["loket.dinas"], request_id, {AKTA: "3604.KM.0311200-0168"}
    )
    assert result.follow_up.value(AKTA) == "3604.KM.0311200-0168"
    assert result.warnings and "nomor lama" in result.warnings[0]


def test_a_service_without_siak_numbers_only_notes_the_data_is_in_siak(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    request_id = approved_request(ctx, "kk_hilang_rusak", "siak-none")
    result = AfterApprovalOps(ctx).record_siak(users["loket.dinas"], request_id, {})
    assert result.follow_up.status is Status.SIAK_RECORDED and result.follow_up.numbers == ()
    [entry] = _audit(ctx, "siak_numbers")
    assert entry.detail == "data sudah di SIAK"


def test_a_number_of_another_request_is_refused_naming_it(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.dinas"]
    first = approved_request(ctx, "akta_kematian", "dup-1")
    second = approved_request(ctx, "akta_kematian", "dup-2")
    ops = AfterApprovalOps(ctx)
    ops.record_siak(officer, first, {AKTA: AKTA_NO})
    first_number = ops.follow_up(officer, first).number
    with pytest.raises(DeskError, match=f"sudah dicatat pada permohonan {first_number}"):
        ops.record_siak(officer, second, {AKTA: AKTA_NO})
    assert ops.follow_up(officer, second).status is Status.APPROVED


def test_two_workstations_racing_for_one_number_meet_the_unique_key(
    ctx: DeskContext, users: dict[str, Actor], db_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A colleague's transaction has recorded the number but not committed when this one
    checks: the check finds nothing; the unique key refuses the insert once the colleague
    commits (PostgreSQL waits on the index; SQLite on the write lock), with a clean message."""
    officer = users["loket.dinas"]
    first = approved_request(ctx, "akta_kematian", "race-1")
    second = approved_request(ctx, "akta_kematian", "race-2")
    ops = AfterApprovalOps(ctx)
    first_number = ops.follow_up(officer, first).number
    outcome: list[BaseException | None] = []
    looked_up: list[tuple[int, str] | None] = []
    real_holder = siak_repo.holder

    def holder(*args: object) -> tuple[int, str] | None:
        found = real_holder(*args)  # type: ignore[arg-type]
        looked_up.append(found)
        return found

    monkeypatch.setattr(siak_repo, "holder", holder)
    with ctx.unit_of_work() as colleague:
        siak_repo.put_number(
            colleague, first, AKTA, AKTA_NO, at=dt.datetime.now(dt.UTC), by="kolega"
        )

        def record() -> None:
            try:
                ops.record_siak(officer, second, {AKTA: AKTA_NO})
                outcome.append(None)
            except BaseException as exc:  # handed to the test thread
                outcome.append(exc)

        racer = threading.Thread(target=record)
        racer.start()
        racer.join(timeout=1.5)
        assert racer.is_alive(), "it waits for the colleague's commit"
    racer.join(timeout=30)
    [error] = outcome
    assert isinstance(error, DeskError), error
    assert f"permohonan {first_number}" in str(error)
    if db_kind == "postgresql":  # the check saw nothing; the unique key refused the insert
        assert looked_up[0] is None and looked_up[-1] is not None
    with ctx.reading() as session:
        holders = session.scalars(select(SiakNumber.service_request_id)).all()
    assert holders == [first]


def test_input_siak_keeps_the_office_boundaries(ctx: DeskContext, users: dict[str, Actor]) -> None:
    request_id = approved_request(ctx, "akta_kematian", "siak-office")
    with pytest.raises(PermissionDenied):
        AfterApprovalOps(ctx).record_siak(users["loket.upt05"], request_id, {AKTA: AKTA_NO})


# -- TTE ---------------------------------------------------------------------------------------


def _recorded(ctx: DeskContext, officer: Actor, ref: str, number: str = AKTA_NO) -> int:
    request_id = approved_request(ctx, "akta_kematian", ref)
    AfterApprovalOps(ctx).record_siak(officer, request_id, {AKTA: number})
    return request_id


def test_attaching_the_signed_pdf_records_it_and_issues(
    ctx: DeskContext, users: dict[str, Actor], siak_certificate: bytes
) -> None:
    officer, operator = users["loket.dinas"], users["operator.dinas"]
    request_id = _recorded(ctx, officer, "tte-1")
    pdf = signed_pdf(siak_certificate, f"Nomor: {AKTA_NO}")
    result = AfterApprovalOps(ctx).attach_signed_pdf(operator, request_id, "/tmp/x/akta.pdf", pdf)
    document = result.document
    assert result.follow_up.status is Status.ISSUED and result.warnings == ()
    assert document.signer == "Dr. H. Kepala Dinas, M.Si." and document.trusted is False
    assert document.filename == "akta.pdf" and document.size == len(pdf)
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert AfterApprovalOps(ctx).signed_pdf(officer, request_id) == ("akta.pdf", pdf)
    [entry] = _audit(ctx, "tte_attach")
    assert document.sha256 in entry.after


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda cert: b"GIF89a bukan pdf", "bukan PDF"),
        (lambda cert: plain_pdf(f"Nomor: {AKTA_NO}"), "belum ditandatangani"),
        (lambda cert: incremental_update(signed_pdf(cert, AKTA_NO)), "tidak mencakup seluruh"),
        (
            lambda cert: signed_pdf(cert, f"Nomor: {AKTA_NO}").replace(b"KEMATIAN", b"KEMATIAM"),
            "Tanda tangan digital pada PDF rusak",
        ),
        (lambda cert: b"%PDF-1.7\n" + b"0" * 100, "tidak terbaca"),
    ],
    ids=["not-pdf", "unsigned", "appended", "tampered", "broken"],
)
def test_a_file_that_is_not_an_intact_signed_pdf_is_refused(
    ctx: DeskContext, users: dict[str, Actor], siak_certificate: bytes, make, words: str
) -> None:
    request_id = _recorded(ctx, users["loket.dinas"], "tte-bad")
    with pytest.raises(TteRefused, match=words):
        AfterApprovalOps(ctx).attach_signed_pdf(
            users["operator.dinas"], request_id, "akta.pdf", make(siak_certificate)
        )
    assert AfterApprovalOps(ctx).follow_up(users["loket.dinas"], request_id).document is None


def test_a_pdf_too_big_is_refused_before_reading_it(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    request_id = _recorded(ctx, users["loket.dinas"], "tte-big")
    with pytest.raises(TteRefused, match="terlalu besar"):
        AfterApprovalOps(ctx).attach_signed_pdf(
            users["operator.dinas"], request_id, "besar.pdf", b"%PDF-1.7\n" + b"0" * 21_000_000
        )


def test_a_pdf_of_another_request_warns_and_the_same_file_twice_is_refused(
    ctx: DeskContext, users: dict[str, Actor], siak_certificate: bytes
) -> None:
    officer, operator = users["loket.dinas"], users["operator.dinas"]
    first = _recorded(ctx, officer, "tte-a", AKTA_NO)
    second = _recorded(ctx, officer, "tte-b", OTHER_AKTA)
    pdf = signed_pdf(siak_certificate, f"Nomor: {AKTA_NO}")
    ops = AfterApprovalOps(ctx)
    ops.attach_signed_pdf(operator, first, "akta.pdf", pdf)
    first_number = ops.follow_up(officer, first).number
    with pytest.raises(WorkflowError, match=f"sudah dilampirkan pada permohonan {first_number}"):
        ops.attach_signed_pdf(operator, second, "akta.pdf", pdf)
    wrong = ops.attach_signed_pdf(
        operator, second, "akta-lain.pdf", signed_pdf(siak_certificate, f"Nomor: {AKTA_NO} ")
    )
    [warning] = wrong.warnings
    assert OTHER_AKTA in warning and "tidak ditemukan dalam teks PDF" in warning


def test_before_input_siak_the_pdf_waits(
    ctx: DeskContext, users: dict[str, Actor], siak_certificate: bytes
) -> None:
    request_id = approved_request(ctx, "akta_kematian", "tte-early")
    with pytest.raises(WorkflowError, match="Isi Input SIAK dahulu"):
        AfterApprovalOps(ctx).attach_signed_pdf(
            users["operator.dinas"], request_id, "a.pdf", signed_pdf(siak_certificate, AKTA_NO)
        )


def test_a_corrected_pdf_replaces_the_old_one_which_is_kept(
    ctx: DeskContext, users: dict[str, Actor], siak_certificate: bytes
) -> None:
    officer, operator = users["loket.dinas"], users["operator.dinas"]
    request_id = _recorded(ctx, officer, "tte-fix")
    ops = AfterApprovalOps(ctx)
    old = ops.attach_signed_pdf(
        operator, request_id, "v1.pdf", signed_pdf(siak_certificate, AKTA_NO)
    )
    new = ops.attach_signed_pdf(
        operator,
        request_id,
        "v2.pdf",
        signed_pdf(siak_certificate, AKTA_NO, "perbaikan"),
        expected_version=old.follow_up.version,
    )
    assert new.follow_up.document is not None and new.follow_up.document.filename == "v2.pdf"
    assert new.follow_up.version == old.follow_up.version + 1
    with ctx.reading() as session:
        rows = session.execute(
            select(SignedDocument.filename, SignedDocument.replaced_at).order_by(SignedDocument.id)
        ).all()
    assert [r[0] for r in rows] == ["v1.pdf", "v2.pdf"]
    assert rows[0][1] is not None and rows[1][1] is None
    [entry] = _audit(ctx, "tte_replace")
    assert old.document.sha256 in entry.before and new.document.sha256 in entry.after


def test_a_card_service_has_nothing_to_sign_or_send(
    ctx: DeskContext, users: dict[str, Actor], siak_certificate: bytes
) -> None:
    request_id = approved_request(ctx, "ktpel_penggantian", "card-1")
    ops = AfterApprovalOps(ctx)
    with pytest.raises(WorkflowError, match="kartu yang diambil"):
        ops.attach_signed_pdf(
            users["operator.dinas"], request_id, "a.pdf", signed_pdf(siak_certificate, "x")
        )
    with pytest.raises(WorkflowError, match="kartu yang diambil"):
        ops.send_document(users["loket.dinas"], request_id, None)


# -- sending -----------------------------------------------------------------------------------


def test_sending_writes_the_notice_with_the_pdf_and_closes_the_request(
    ctx: DeskContext, users: dict[str, Actor], siak_certificate: bytes
) -> None:
    officer, operator = users["loket.dinas"], users["operator.dinas"]
    request_id = _recorded(ctx, officer, "send-1")
    pdf = signed_pdf(siak_certificate, f"Nomor: {AKTA_NO}")
    ops = AfterApprovalOps(ctx)
    attached = ops.attach_signed_pdf(operator, request_id, "akta.pdf", pdf)
    with pytest.raises(StaleVersionError):
        ops.send_document(officer, request_id, attached.follow_up.version - 1)
    sent = ops.send_document(officer, request_id, attached.follow_up.version)
    assert sent.follow_up.status is Status.SENT and sent.follow_up.sent_at is not None
    with ctx.reading() as session:
        message = session.get(OutgoingMessage, sent.message_id)
        assert message is not None
        attachment = session.scalars(
            select(OutgoingAttachment).where(
                OutgoingAttachment.outgoing_message_id == sent.message_id
            )
        ).one()
        assert message.kind == MessageKind.DOCUMENT_SENT.value
        assert f"Nomor akta (registrasi SIAK): {AKTA_NO}" in message.body
        assert attachment.content == pdf and attachment.media_type == "application/pdf"
    [entry] = _audit(ctx, "send_document")
    assert str(sent.message_id) in entry.after
    with pytest.raises(WorkflowError, match="Terkirim"):
        ops.send_document(officer, request_id, None)


def test_a_service_with_a_card_too_stays_issued_for_its_pickup(
    ctx: DeskContext, users: dict[str, Actor], siak_certificate: bytes
) -> None:
    officer, operator = users["loket.dinas"], users["operator.dinas"]
    request_id = approved_request(ctx, "pindah_dalam_kabupaten", "both-1")
    ops = AfterApprovalOps(ctx)
    ops.record_siak(officer, request_id, {"no_kk_baru": NEW_KK})
    ops.attach_signed_pdf(operator, request_id, "kk.pdf", signed_pdf(siak_certificate, NEW_KK))
    sent = ops.send_document(officer, request_id, None)
    assert sent.follow_up.status is Status.ISSUED
    with ctx.reading() as session:
        assert session.scalar(select(func.count()).select_from(OutgoingMessage)) >= 1
    QueueOps(ctx).decide(officer, request_id, Action.BOOK_PICKUP)  # the pickup helper's step


def test_a_send_that_fails_leaves_no_message(
    ctx: DeskContext, users: dict[str, Actor], siak_certificate: bytes
) -> None:
    """The notice is written in the transaction of the change: refused, nothing is queued."""
    officer = users["loket.dinas"]
    request_id = _recorded(ctx, officer, "send-none")
    with ctx.reading() as session:
        before = session.scalar(select(func.count()).select_from(OutgoingMessage))
    with pytest.raises(WorkflowError, match="Sudah input SIAK"):
        AfterApprovalOps(ctx).send_document(officer, request_id, None)
    with ctx.reading() as session:
        assert session.scalar(select(func.count()).select_from(OutgoingMessage)) == before
        kinds = session.scalars(select(OutgoingMessage.kind)).all()
    assert MessageKind.DOCUMENT_SENT.value not in kinds


# -- the office's choices: the number on the desk's certificate, the desk's own TTE ------------


def test_the_desk_certificate_carries_the_siak_number_by_default(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer, operator = users["loket.dinas"], users["operator.dinas"]
    early = approved_request(ctx, "akta_kematian", "desk-0")
    with pytest.raises(WorkflowError, match="isi Input SIAK dahulu"):
        DocumentOps(ctx).issue(operator, early)
    request_id = _recorded(ctx, officer, "desk-1")
    result = DocumentOps(ctx).issue(operator, request_id)
    assert result.certificate_number == AKTA_NO
    OfficeOps(ctx).set_desk_number_series(users["admin"], True)
    assert DocumentOps(ctx).issue(operator, early).certificate_number != AKTA_NO


def test_a_service_set_to_the_desk_sends_the_desk_certificate_signed_by_the_office(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    officer, operator, admin = users["loket.dinas"], users["operator.dinas"], users["admin"]
    office = OfficeOps(ctx)
    assert office.set_tte_source(admin, "akta_kematian", "desk")
    assert {c: s.value for c, _, s in office.tte_sources()}["akta_kematian"] == "desk"
    assert not office.set_tte_source(admin, "akta_kematian", "desk")
    with pytest.raises(DeskError, match="hanya kartu"):
        office.set_tte_source(admin, "ktpel_penggantian", "desk")
    with pytest.raises(PermissionDenied):
        office.set_tte_source(officer, "akta_kematian", "siak")
    configure(ctx, admin)
    request_id = _recorded(ctx, officer, "desk-tte")
    ops = AfterApprovalOps(ctx)
    with pytest.raises(WorkflowError, match="sertifikat desk"):
        ops.attach_signed_pdf(operator, request_id, "a.pdf", b"%PDF-")
    DocumentOps(ctx).issue(operator, request_id)
    with pytest.raises(WorkflowError, match="belum ditandatangani"):
        ops.send_document(officer, request_id, None)  # no office certificate yet
    pkcs12, _ = make_pkcs12()
    DocumentOps(ctx).configure_signing(admin, pkcs12, PASSPHRASE)
    sent = ops.send_document(officer, request_id, None)
    document = sent.follow_up.document
    assert sent.follow_up.status is Status.SENT and document is not None
    assert document.source.value == "desk" and document.filename == f"{AKTA_NO}.pdf"
    assert document.signer == "Pejabat Pencatatan Sipil Kabupaten Serang"


# -- the command line --------------------------------------------------------------------------


def test_the_command_line_records_attaches_and_sends(
    ctx: DeskContext,
    users: dict[str, Actor],
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    siak_certificate: bytes,
) -> None:
    request_id = approved_request(ctx, "akta_kematian", "cli-1")
    number = AfterApprovalOps(ctx).follow_up(users["loket.dinas"], request_id).number
    desk = Desk(db_url, tmp_path / "desk", capsys, monkeypatch)
    as_officer = {"login": "operator.dinas", "password": TEST_PASSWORD}
    refused = desk("siak", "record", number, "--no-akta", "3604-KM-31022026-0001", **as_officer)
    assert "tanggal 31-02-2026 pada nomor akta tidak ada" in one_error_line(refused)
    recorded = desk("siak", "record", number, "--no-akta", AKTA_NO, **as_officer)
    assert recorded.code == 0 and f"Nomor akta (registrasi SIAK): {AKTA_NO}" in recorded.out
    pdf = tmp_path / "akta-ttd.pdf"
    pdf.write_bytes(signed_pdf(siak_certificate, f"Nomor: {AKTA_NO}"))
    attached = desk("tte", "attach", number, str(pdf), **as_officer)
    assert attached.code == 0, attached.err
    assert "Penanda tangan: Dr. H. Kepala Dinas, M.Si." in attached.out
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() in attached.out
    sent = desk("tte", "send", number, **as_officer)
    assert sent.code == 0 and "[Terkirim]" in sent.out and "kotak keluar" in sent.out
    source = desk("tte", "source", "akta_kematian", "desk", login="admin", password=TEST_PASSWORD)
    assert source.code == 0 and "akta_kematian: desk" in source.out
    series = desk("siak", "series", login="admin", password=TEST_PASSWORD)
    assert "nomor akta dari SIAK" in series.out
