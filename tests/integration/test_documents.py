"""Documents on SQLite and PostgreSQL: issuing, numbers, receipts, certificates, verification."""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import json
import multiprocessing
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disdukcapil_desk.cli.documents import add_commands
from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import AuditLog, DocumentFile, IssuedDocument
from disdukcapil_desk.db.repositories import documents as documents_repo
from disdukcapil_desk.domain.documents import DocumentKind, embedded_documents
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor
from disdukcapil_desk.domain.errors import PermissionDenied, WorkflowError
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.audit import verify_chain
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.documents.signing import office_settings
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.reports.certificate import render_batch
from tests.factories import GOOD_PAYLOAD, make_request

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
FULL_NIK = GOOD_PAYLOAD["nik"]
DEATH = {
    "tanggal_kematian": "2026-10-30",
    "tempat_kematian": "RSUD Serang",
    "sebab_kematian": "sakit",
}
BIRTH = {
    "anak_nama": "Putri Ayu Lestari",
    "anak_jenis_kelamin": "P",
    "anak_tanggal_lahir": "2026-10-20",
    "anak_tempat_lahir": "Serang",
    "anak_ke": "2",
    "ayah_nama": "Budi Santoso",
    "ibu_nama": "Dewi Lestari",
}


def tool(name: str) -> str:
    """Return the path of a system tool; skip without it, except in CI where it must exist."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI (poppler-utils / zbar-tools)")
        pytest.skip(f"{name} not installed")
    return path


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        [tool("pdftotext"), "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode()


def qr_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", "150", str(source), str(tmp_path / "page")], check=True
    )
    texts = []
    for png in sorted(tmp_path.glob("page*.png")):
        result = subprocess.run(
            [tool("zbarimg"), "-q", "--raw", str(png)], capture_output=True, check=False
        )
        texts += result.stdout.decode().split()
    return texts


def submit(ctx: DeskContext, ref: str, service: str, received: dt.datetime, **fields: str) -> None:
    IntakeOps(ctx).submit_row(
        make_request(
            external_ref=ref,
            service_code=service,
            fields=fields,
            received_at=received,
            location_code="DINAS",
        )
    )


def approved(
    ctx: DeskContext, count: int, service: str = "akta_kematian", **fields: str
) -> list[int]:
    """Ingest ``count`` requests of ``service``, claim and approve them; return their ids.

    The dinas counter officer approves them, so the operator who issues them in the tests is
    not also their approver (separation of duties, on for akta by default). The office runs
    the desk's own number series here (``use_desk_series``): these tests are about the desk's
    numbering; by default a certificate carries the number recorded from SIAK instead.
    """
    use_desk_series(ctx)
    actor = UserOps(ctx).actor("loket.dinas")
    start = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    extra = DEATH if service == "akta_kematian" else BIRTH
    for i in range(count):
        submit(
            ctx, f"{service}-{i}", service, start + dt.timedelta(minutes=i), **{**extra, **fields}
        )
    IntakeOps(ctx).ingest()
    queue = QueueOps(ctx)
    ids = []
    while (lease := queue.claim_next(actor, "DINAS")) is not None:
        queue.decide(actor, lease.request_id, Action.APPROVE)
        ids.append(lease.request_id)
    return sorted(ids)


def use_desk_series(ctx: DeskContext) -> None:
    """Turn on the office's own akta/SKPWNI series (off by default: numbers come from SIAK)."""
    OfficeOps(ctx).set_desk_number_series(UserOps(ctx).actor("admin"), True)


def configure(ctx: DeskContext, admin: Actor) -> None:
    OfficeOps(ctx).update(
        admin,
        {
            "registrar_name": "Drs. H. Ahmad Fauzi, M.Si.",
            "registrar_nip": "197005121995031002",
            "call_centre": "0811-1234-5678",
            "address": "Jl. Veteran No. 1, Serang",
        },
    )


def test_issue_allocates_number_records_document_and_audits(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    operator = users["operator.dinas"]
    configure(ctx, users["admin"])
    ids = approved(ctx, 2)
    ops = DocumentOps(ctx)
    first = ops.issue(operator, ids[0])
    second = ops.issue(operator, ids[1])
    assert first.status is Status.ISSUED
    assert first.certificate_number == "3604-KM-02112026-0001"
    assert second.certificate_number == "3604-KM-02112026-0002"
    with ctx.sessions() as session:
        actions = set(session.scalars(select(AuditLog.action)))
    assert {"issue", "issue_document"} <= actions
    assert verify_chain(ctx) is None


def test_issue_is_refused_before_approval_and_allocates_nothing(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    submit(ctx, "x1", "akta_kematian", dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC), **DEATH)
    IntakeOps(ctx).ingest()
    request_id = QueueOps(ctx).claim_next(users["operator.dinas"], "DINAS").request_id  # type: ignore[union-attr]
    with pytest.raises(WorkflowError):
        DocumentOps(ctx).issue(users["operator.dinas"], request_id)
    with pytest.raises(PermissionDenied):
        DocumentOps(ctx).issue(users["loket.dinas"], request_id)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(IssuedDocument)) == 0


def test_certificate_text_qr_and_verification(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    operator = users["operator.dinas"]
    configure(ctx, users["admin"])
    [request_id] = approved(ctx, 1, service="akta_kelahiran")
    issued = DocumentOps(ctx).issue(operator, request_id)
    assert issued.certificate_number == "3604-LU-02112026-0001"
    pdf = DocumentOps(ctx).render_certificate(operator, issued.certificate_number)
    text = pdf_text(pdf)
    for expected in (
        "KUTIPAN AKTA KELAHIRAN",
        "EXCERPT OF BIRTH CERTIFICATE",
        "Berdasarkan Akta Kelahiran Nomor",
        "3604-LU-02112026-0001",
        "PUTRI AYU LESTARI",
        "dua puluh bulan Oktober tahun dua ribu dua puluh enam",
        "DUA",
        "PEREMPUAN",
        "BUDI SANTOSO",
        "Pejabat Pencatatan Sipil".upper(),
        "DRS. H. AHMAD FAUZI, M.SI.",
        "NIP. 197005121995031002",
        "dua bulan November tahun dua ribu dua puluh enam",
        "DRAF",
    ):
        assert expected in text, expected
    [item] = embedded_documents(pdf)
    assert len(item.key_id) == 8
    assert qr_texts(pdf, tmp_path) == [
        f"DDK2|C|3604-LU-02112026-0001|{item.key_id}|{issued.verification_code}"
    ]
    assert b"DDKV:" not in _keywords(pdf) and b"DDKSEAL" not in _keywords(pdf)
    report = DocumentOps(ctx).verify_pdf(pdf)
    assert report.ok, report.messages()
    assert report.draft and not report.official


def test_late_birth_uses_the_late_type_code(ctx: DeskContext, users: dict[str, Actor]) -> None:
    operator = users["operator.dinas"]
    [request_id] = approved(ctx, 1, service="akta_kelahiran", anak_tanggal_lahir="2024-01-15")
    assert (
        DocumentOps(ctx).issue(operator, request_id).certificate_number == "3604-LT-02112026-0001"
    )


def test_opening_offset_continues_the_paper_series(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    operator = users["operator.dinas"]
    DocumentOps(ctx).set_opening_offset(users["admin"], "akta_kematian", 2026, 41)
    with pytest.raises(PermissionDenied):
        DocumentOps(ctx).set_opening_offset(operator, "akta_kematian", 2026, 1)
    [request_id] = approved(ctx, 1)
    assert (
        DocumentOps(ctx).issue(operator, request_id).certificate_number == "3604-KM-02112026-0042"
    )
    # once the series has handed out a number its start is fixed (no re-used paper numbers)
    with pytest.raises(WorkflowError, match="sudah memakai nomor"):
        DocumentOps(ctx).set_opening_offset(users["admin"], "akta_kematian", 2026, 10)
    with pytest.raises(WorkflowError, match="negatif"):
        DocumentOps(ctx).set_opening_offset(users["admin"], "akta_kematian", 2027, -1)
    DocumentOps(ctx).set_opening_offset(users["admin"], "akta_kematian", 2027, 10)


def test_receipt_contents_masking_and_qr(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    configure(ctx, users["admin"])
    submit(ctx, "r1", "ktpel_penggantian", dt.datetime(2026, 11, 2, 2, 11, tzinfo=dt.UTC))
    IntakeOps(ctx).ingest()
    number = QueueOps(ctx).page(users["kasi.dinas"], QueueFilterAll()).rows[0].number
    ops = DocumentOps(ctx)
    pdf = ops.render_receipt(users["loket.dinas"], number)
    slip = ops.render_receipt(users["loket.dinas"], number, slip=True, purpose="save")
    for document in (pdf, slip):
        text = pdf_text(document)
        flat = re.sub(r"\s+", " ", text)
        assert number in flat and "TANDA TERIMA PERMOHONAN" in flat
        assert "3604********0009" in flat and "3604********0007" in flat
        assert "Dewi Lestari" in flat and "TIDAK DIPUNGUT BIAYA" in flat
        assert "Loket Dinas" in flat and "Senin, 2 November 2026, pukul 09:11 WIB" in flat
        assert FULL_NIK not in re.sub(r"\D", "", text), "no receipt shows a whole NIK"
        assert FULL_NIK.encode() not in document
        for item in embedded_documents(document):
            assert FULL_NIK not in json.dumps(item.fields)
    code, key = embedded_documents(pdf)[0].code, embedded_documents(pdf)[0].key_id
    assert qr_texts(pdf, tmp_path) == [f"DDK2|R|{number}|{key}|{code}"]
    assert ops.verify_pdf(pdf).official and ops.verify_pdf(slip).official  # a receipt: no DRAF
    for text in (f"DDK2|R|{number}|{key}|{code}", f"DDK1|R|{number}|{code}"):
        scan = ops.verify_scan(text)
        assert scan.check is not None and scan.check.ok and "SAH" in scan.message
    assert not ops.verify_scan(f"DDK2|R|{number}|00000000|{code}").check.ok  # type: ignore[union-attr]
    assert not ops.verify_scan(f"DDK1|R|{number}|AAAAAAAAAAAAAAAA").check.ok  # type: ignore[union-attr]


def QueueFilterAll():
    from disdukcapil_desk.domain.dto import QueueFilter

    return QueueFilter()


def _keywords(pdf: bytes) -> bytes:
    """The file's ``Keywords`` metadata (raw)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    info = PdfFileReader(io.BytesIO(pdf), strict=False).trailer["/Info"]
    return str(info.get("/Keywords", "")).encode()


def _tamper_metadata(pdf: bytes, field: str, value: str) -> bytes:
    match = re.search(rb"DDKV:([A-Za-z0-9_\-=]+)", pdf)
    assert match
    blocks = json.loads(base64.urlsafe_b64decode(match.group(1)))
    blocks[0]["f"][field] = value
    raw = base64.urlsafe_b64encode(json.dumps(blocks, sort_keys=True).encode())
    return pdf[: match.start(1)] + raw + pdf[match.end(1) :]


def test_a_pdf_with_one_field_altered_fails_verify(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    operator = users["operator.dinas"]
    [request_id] = approved(ctx, 1)
    ops = DocumentOps(ctx)
    number = ops.issue(operator, request_id).certificate_number
    assert number is not None
    pdf = ops.render_certificate(operator, number)
    assert ops.verify_pdf(pdf).ok
    # 1. the key fields in the file changed (the name), code and QR kept
    altered = _tamper_metadata(pdf, "nama", "Dewi Lestary")
    report = ops.verify_pdf(altered)
    assert not report.ok and not report.documents[0].code_valid and report.seal_valid is False
    # 2. one byte of the page content changed: the seal and the SHA-256 catch it
    index = pdf.index(b"stream", pdf.index(b"/Length")) + 20
    flipped = pdf[:index] + bytes([pdf[index] ^ 1]) + pdf[index + 1 :]
    report = ops.verify_pdf(flipped)
    assert not report.ok and report.seal_valid is False and not report.file_registered
    # 3. a forged page: the same number and QR over a different name
    with ctx.sessions() as session:
        document = documents_repo.find(session, DocumentKind.CERTIFICATE, number)
        assert document is not None
        data = ops.printing.certificate_data(
            session, document, office_settings(session), draft=True
        )
    forged_lines = tuple(
        line
        if "meninggal" not in line.label
        else type(line)(line.label, line.label_en, "ORANG LAIN", True)
        for line in data.lines
    )
    from dataclasses import replace

    forged = render_batch([replace(data, lines=forged_lines)])
    assert "ORANG LAIN" in pdf_text(forged)
    assert not ops.verify_pdf(forged).ok
    assert "TIDAK SAH" in "\n".join(ops.verify_pdf(forged).messages())


def test_reprint_needs_a_reason_is_counted_and_registered(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    operator = users["operator.dinas"]
    [request_id] = approved(ctx, 1)
    ops = DocumentOps(ctx)
    number = ops.issue(operator, request_id).certificate_number
    assert number is not None
    ops.render_certificate(operator, number)
    with pytest.raises(WorkflowError, match="Alasan"):
        ops.render_certificate(operator, number, purpose="reprint")
    reprint = ops.render_certificate(operator, number, purpose="reprint", reason="kertas macet")
    assert "Cetak ulang ke-1" in pdf_text(reprint)
    assert ops.verify_pdf(reprint).ok
    with ctx.sessions() as session:
        document = session.scalar(select(IssuedDocument).where(IssuedDocument.number == number))
        assert document is not None and document.print_count == 2 and document.reprint_count == 1
        assert session.scalar(select(func.count()).select_from(DocumentFile)) == 2
    assert [(n, e, r) for n, e, r, _, _ in ops.register(SYSTEM_ACTOR)] == [
        (number, "reprint", "kertas macet")
    ]


def test_void_keeps_the_number_and_reissue_gives_a_new_one(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    operator, head = users["operator.dinas"], users["kasi.dinas"]
    [request_id] = approved(ctx, 1)
    ops = DocumentOps(ctx)
    number = ops.issue(operator, request_id).certificate_number
    assert number is not None
    pdf = ops.render_certificate(operator, number)
    with pytest.raises(PermissionDenied):
        ops.void(operator, number, "salah ketik")
    result = ops.reissue(head, number, "salah ketik nama")
    assert result.certificate_number == "3604-KM-02112026-0002"
    report = ops.verify_pdf(pdf)
    assert not report.ok and report.documents[0].voided
    assert ops.register(SYSTEM_ACTOR)[0][:3] == (number, "void", "salah ketik nama")
    with ctx.sessions() as session:
        assert "void" in set(session.scalars(select(AuditLog.action)))


def test_print_ready_prints_each_unprinted_certificate_once(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    operator = users["operator.dinas"]
    ids = approved(ctx, 3)
    ops = DocumentOps(ctx)
    numbers = [ops.issue(operator, i).certificate_number for i in ids]
    ops.render_certificate(operator, str(numbers[0]))
    assert ops.print_ready(operator, "DINAS", cancelled=lambda: True) is None
    seen: list[tuple[int, int]] = []
    pdf = ops.print_ready(operator, "DINAS", progress=lambda d, t: seen.append((d, t)))
    assert pdf is not None and seen[-1] == (2, 2)
    text = pdf_text(pdf)
    assert numbers[1] in text and numbers[2] in text and numbers[0] not in text
    assert ops.verify_pdf(pdf).ok
    assert ops.print_ready(operator, "DINAS") is None


def test_cli_commands(ctx: DeskContext, users: dict[str, Actor], tmp_path: Path) -> None:
    operator = users["operator.dinas"]
    [request_id] = approved(ctx, 1)
    number = DocumentOps(ctx).issue(operator, request_id).certificate_number
    request_number = QueueOps(ctx).detail(users["kasi.dinas"], request_id).row.number
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))

    def run(*argv: str) -> tuple[int, str]:
        args = parser.parse_args(list(argv))
        args.actor = users["kasi.dinas"]  # logged in at the command line's door
        out = io.StringIO()
        return args.handler(args, ctx, out), out.getvalue()

    assert run("receipt", request_number, "-o", str(tmp_path / "r.pdf"))[0] == 0
    assert run("certificate", str(number), "-o", str(tmp_path / "c.pdf"))[0] == 0
    status, output = run("verify", str(tmp_path / "c.pdf"))
    assert status == 1 and "HASIL: DRAF" in output and "bukan dokumen resmi" in output
    assert "HASIL: SAH" not in output
    status, output = run("verify", str(tmp_path / "r.pdf"))
    assert status == 0 and "HASIL: SAH" in output
    (tmp_path / "bad.pdf").write_bytes(
        _tamper_metadata((tmp_path / "c.pdf").read_bytes(), "nama", "X")
    )
    assert run("verify", str(tmp_path / "bad.pdf"))[0] == 1
    assert run("print-ready", "--location", "DINAS", "-o", str(tmp_path / "p.pdf"))[0] == 0


def _issue_all(url: str, ids: list[int]) -> list[str]:
    ctx = DeskContext(make_engine(url), load_reference_data(RESOURCES))
    actor = UserOps(ctx).actor("operator.dinas")
    ops = DocumentOps(ctx)
    numbers = [str(ops.issue(actor, i).certificate_number) for i in ids]
    ctx.close()
    return numbers


@pytest.mark.slow
def test_concurrent_issuing_never_duplicates_a_number(
    ctx: DeskContext, users: dict[str, Actor], db_url: str
) -> None:
    count, workers = 40, 4
    ids = approved(ctx, count)
    chunks = [ids[i::workers] for i in range(workers)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.starmap(_issue_all, [(db_url, chunk) for chunk in chunks])
    numbers = [n for result in results for n in result]
    assert len(numbers) == len(set(numbers)) == count
    serials = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert serials == list(range(1, count + 1)), "no gaps, no duplicates"
    assert verify_chain(ctx) is None
