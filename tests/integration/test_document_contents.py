"""What each document says: signers, SKPWNI wording, the child's NIK, every certificate type,
dates, rejected receipts, creation dates, the footer, officer names and CLI reprints."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from disdukcapil_desk.cli.documents import add_commands
from disdukcapil_desk.domain.dto import Actor, QueueFilter
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.workflow import Action, Role
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.users import UserOps
from tests.integration.test_document_signing import PASSPHRASE, make_pkcs12
from tests.integration.test_documents import DEATH, approved, configure, pdf_text, submit

SKPWNI = {
    "klasifikasi_pindah": "antar_provinsi",
    "jenis_kepindahan": "kepala_dan_seluruh_anggota",
    "alasan_pindah": "pekerjaan",
    "alamat_tujuan": "Jl. Merdeka No. 10",
    "rt_tujuan": "RT 02",
    "rw_tujuan": "rw.005",
    "desa_tujuan": "Sukasari",
    "kecamatan_tujuan": "Sukasari",
    "kabupaten_kota_tujuan": "Kota Bandung",
    "provinsi_tujuan": "Jawa Barat",
    "jumlah_anggota_pindah": "3",
    "nik_anggota_pindah": "3604154107950011, 3604150101150012;3604155202180013",
    "status_kk_tidak_pindah": "numpang_kk",
}
CHILD = {
    "anak_nama": "Rafi Pratama",
    "anak_nik": "3604150101150012",
    "no_akta_kelahiran_anak": "3604-LU-05012015-0007",
    "ayah_nik": "3604150505950001",
    "ayah_nama": "Budi Santoso",
    "ibu_nik": "3604154707970002",
    "ibu_nama": "Dewi Lestari",
    "tanggal_surat_pengakuan": "2026-10-26",
    "no_akta_perkawinan_orang_tua": "3604-KW-12092026-0004",
    "tanggal_perkawinan_orang_tua": "2026-10-12",
}


def flat(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).split())


def _issue(ctx: DeskContext, users: dict[str, Actor], service: str, **fields: str) -> str:
    [request_id] = approved(ctx, 1, service=service, **fields)
    number = DocumentOps(ctx).issue(users["operator.dinas"], request_id).certificate_number
    assert number is not None, f"{service} issued no certificate"
    return number


def test_signing_is_refused_until_the_signer_is_named(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ops, operator = DocumentOps(ctx), users["operator.dinas"]
    number = _issue(ctx, users, "akta_kematian")
    draft = flat(ops.render_certificate(operator, number, purpose="save"))
    assert "DRAF" in draft  # a draft may say the name is missing: it is not a signed document
    ops.configure_signing(users["admin"], make_pkcs12()[0], PASSPHRASE)
    with pytest.raises(DeskError, match=r"nama dan NIP Pejabat Pencatatan Sipil.*belum diatur"):
        ops.render_certificate(operator, number)
    with pytest.raises(DeskError, match="belum diatur"):
        ops.print_ready(operator, "DINAS")
    configure(ctx, users["admin"])
    signed = flat(ops.render_certificate(operator, number))
    assert "DRAF" not in signed and "BELUM DIATUR" not in signed and "NIP. -" not in signed
    assert "DRS. H. AHMAD FAUZI, M.SI." in signed and "NIP. 197005121995031002" in signed
    # the footer tells a citizen how to check it, not a command of the desk
    assert "disdukcapil-desk" not in signed and "memindai kode QR" in signed


def test_skpwni_prints_words_members_and_rt_once(ctx: DeskContext, users: dict[str, Actor]) -> None:
    number = _issue(ctx, users, "pindah_keluar_skpwni", **SKPWNI)
    text = flat(DocumentOps(ctx).render_certificate(users["operator.dinas"], number))
    assert "ANTAR PROVINSI" in text and "KEPALA DAN SELURUH ANGGOTA" in text
    assert "NUMPANG KK" in text and "PEKERJAAN" in text
    assert not re.search(r"[A-Za-z]_[A-Za-z]", text), "no internal code is printed"
    assert "RT RT" not in text and "RW RW" not in text and "02 / 005" in text
    assert "3604********0011, 3604********0012, 3604********0013" in text
    assert "3604150101150012" not in text


def test_birth_certificate_prints_the_childs_nik_from_the_form(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    catalogue = ctx.reference.catalogue
    assert "anak_nik" in {f.name for f in catalogue.get("akta_kelahiran").fields}
    number = _issue(ctx, users, "akta_kelahiran", anak_nik="3604156010260001")
    text = flat(DocumentOps(ctx).render_certificate(users["operator.dinas"], number))
    assert "Nomor Induk Kependudukan / Personal Registration Number: 3604156010260001" in text
    # dates as the kutipan writes them: the day, "bulan", the month, "tahun", the year
    assert "pada tanggal dua puluh bulan Oktober tahun dua ribu dua puluh enam" in text
    assert "pada tanggal dua bulan November tahun dua ribu dua puluh enam" in text


@pytest.mark.parametrize("service", ["akta_pengakuan_anak", "akta_pengesahan_anak"])
def test_acknowledgement_and_legitimation_issue_a_certificate(
    ctx: DeskContext, users: dict[str, Actor], service: str
) -> None:
    number = _issue(ctx, users, service, **CHILD)
    code = "PA" if service == "akta_pengakuan_anak" else "PS"
    assert number.startswith(f"3604-{code}-")
    text = flat(DocumentOps(ctx).render_certificate(users["operator.dinas"], number))
    title = "PENGAKUAN ANAK" if code == "PA" else "PENGESAHAN ANAK"
    assert f"KUTIPAN AKTA {title}" in text and "RAFI PRATAMA" in text
    assert "BUDI SANTOSO" in text and "DEWI LESTARI" in text and number in text


def _rejected_receipt(ctx: DeskContext, users: dict[str, Actor], actor: Actor) -> str:
    received = dt.datetime(2026, 11, 2, 2, 11, tzinfo=dt.UTC)
    submit(ctx, "tolak", "akta_kematian", received, **DEATH)
    IntakeOps(ctx).ingest()
    queue, officer = QueueOps(ctx), UserOps(ctx).actor("loket.dinas")
    lease = queue.claim_next(officer, "DINAS")
    assert lease is not None
    queue.decide(officer, lease.request_id, Action.REJECT, reason="bukan penduduk Serang")
    number = queue.page(users["kasi.dinas"], QueueFilter()).rows[0].number
    return flat(DocumentOps(ctx).render_receipt(actor, number))


def test_a_rejected_request_receipt_promises_nothing(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    text = _rejected_receipt(ctx, users, users["loket.dinas"])
    assert "Ditolak" in text
    assert "Perkiraan Selesai" not in text and "Pengambilan" not in text
    assert "tunjukkan saat mengambil" not in text


def test_a_technical_login_is_never_printed_as_the_officer(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    technical = Actor(login="cli:root", role=Role.COUNTER, location_code="DINAS")
    text = _rejected_receipt(ctx, users, technical)
    assert "cli:" not in text and "root" not in text


def test_pdfs_carry_the_real_creation_date(ctx: DeskContext, users: dict[str, Actor]) -> None:
    number = _issue(ctx, users, "akta_kematian")
    ops = DocumentOps(ctx)
    for pdf in (
        ops.print_ready(users["operator.dinas"], "DINAS") or b"",
        ops.render_certificate(users["operator.dinas"], number, purpose="save"),
        ops.render_receipt(users["loket.dinas"], "DINAS/20261102/0001"),
    ):
        # the test clock says Monday 2 November 2026, 09:00 WIB
        assert b"/CreationDate (D:20261102090000+07'00')" in pdf
        assert b"D:2000" not in pdf and b"D:1900" not in pdf


def test_cli_prints_a_printed_document_again_only_as_a_reprint(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    number = _issue(ctx, users, "akta_kematian")
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))

    def run(*argv: str) -> int:
        args = parser.parse_args(list(argv))
        args.actor = users["operator.dinas"]
        return int(args.handler(args, ctx, io.StringIO()))

    for command, document in (("certificate", number), ("receipt", "DINAS/20261102/0001")):
        out = tmp_path / f"{command}.pdf"
        assert run(command, document, "-o", str(out)) == 0
        assert "Cetak ulang" not in flat(out.read_bytes())
        with pytest.raises(DeskError, match="--reprint ALASAN"):
            run(command, document, "-o", str(out))
        assert run(command, document, "-o", str(out), "--reprint", "kertas macet") == 0
        assert "Cetak ulang ke-1" in flat(out.read_bytes())
