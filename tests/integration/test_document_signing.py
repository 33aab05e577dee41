"""Offline verification with the office's public key, and PAdES signing with a PKCS#12."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from disdukcapil_desk.cli.documents import add_commands
from disdukcapil_desk.db.models import IssuedDocument
from disdukcapil_desk.domain.documents import display_code, public_key_pem
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError, PermissionDenied
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps, verify_offline
from disdukcapil_desk.reports.signing import load_identity, self_signed_pkcs12, sign_pdf
from tests.integration.test_documents import _tamper_metadata, approved, configure, pdf_text

PASSPHRASE = "sandi-sertifikat"


def make_pkcs12(
    common_name: str = "Pejabat Pencatatan Sipil Kabupaten Serang",
    *,
    not_after: dt.datetime = dt.datetime(2040, 1, 1, tzinfo=dt.UTC),
) -> tuple[bytes, bytes]:
    """Return a self-signed signing certificate as PKCS#12 and its certificate as DER."""
    return self_signed_pkcs12(common_name, PASSPHRASE, not_after=not_after)


@pytest.fixture(scope="module")
def office_certificate() -> tuple[bytes, bytes]:
    return make_pkcs12()


def incremental_update(pdf: bytes) -> bytes:
    """Return ``pdf`` with a well-formed incremental update (the catalogue changed)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    writer.root["/Lang"] = generic.TextStringObject("xx")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def issued_certificate(ctx: DeskContext, users: dict[str, Actor]) -> tuple[str, bytes]:
    operator = users["operator.dinas"]
    configure(ctx, users["admin"])  # a signed certificate names its signer
    [request_id] = approved(ctx, 1)
    number = DocumentOps(ctx).issue(operator, request_id).certificate_number
    assert number is not None
    return number, DocumentOps(ctx).render_certificate(operator, number)


def test_offline_verification_needs_only_the_public_key(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    _, pdf = issued_certificate(ctx, users)
    public = DocumentOps(ctx).public_key()
    report = verify_offline(pdf, public)
    assert report.ok, report.messages()
    assert report.file_registered is None and report.documents[0].registered is None
    assert "tanpa basis data" in "\n".join(report.messages())
    altered = verify_offline(_tamper_metadata(pdf, "nama", "Dewi Lestary"), public)
    assert not altered.ok and not altered.documents[0].code_valid
    assert altered.seal_valid is False
    other_office = public_key_pem(Ed25519PrivateKey.generate())
    foreign = verify_offline(pdf, other_office)
    assert not foreign.ok and foreign.seal_valid is False
    assert not foreign.documents[0].code_valid
    with pytest.raises(DeskError):
        verify_offline(pdf, b"bukan kunci")


def test_bytes_appended_to_an_unsigned_pdf_make_it_invalid(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    _, pdf = issued_certificate(ctx, users)
    # an incremental update (the classic way to change a page after the fact)
    appended = incremental_update(pdf)
    report = verify_offline(appended, DocumentOps(ctx).public_key())
    assert report.seal_valid is True and report.appended and report.signature is None
    assert not report.ok
    assert "DIUBAH setelah disegel" in "\n".join(report.messages())


def test_configuring_the_certificate_is_for_administrators_with_a_valid_file(
    ctx: DeskContext, users: dict[str, Actor], office_certificate: tuple[bytes, bytes]
) -> None:
    ops = DocumentOps(ctx)
    data, _ = office_certificate
    assert ops.signing_info() is None
    with pytest.raises(PermissionDenied):
        ops.configure_signing(users["kasi.dinas"], data, PASSPHRASE)
    with pytest.raises(DeskError, match="kata sandi salah"):
        ops.configure_signing(users["admin"], data, "salah")
    expired, _ = make_pkcs12(not_after=dt.datetime(2021, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(DeskError, match="kedaluwarsa"):
        ops.configure_signing(users["admin"], expired, PASSPHRASE)
    assert ops.signing_info() is None
    info = ops.configure_signing(users["admin"], data, PASSPHRASE)
    assert info is not None and info.subject == "Pejabat Pencatatan Sipil Kabupaten Serang"
    assert ops.signing_info() == info
    ops.configure_signing(users["admin"], None)
    assert ops.signing_info() is None


def test_a_signed_certificate_is_final_and_its_signature_is_checked(
    ctx: DeskContext, users: dict[str, Actor], office_certificate: tuple[bytes, bytes]
) -> None:
    data, cert_der = office_certificate
    DocumentOps(ctx).configure_signing(users["admin"], data, PASSPHRASE)
    _, pdf = issued_certificate(ctx, users)
    text = pdf_text(pdf)
    assert "DRAF" not in text and "ditandatangani secara digital" in text
    ops = DocumentOps(ctx)
    report = ops.verify_pdf(pdf)
    assert report.ok, report.messages()
    assert report.signature is not None and report.signature.trusted is True
    assert report.signature.signer == "Pejabat Pencatatan Sipil Kabupaten Serang"
    assert report.appended and report.file_registered
    # offline, with the office's certificate as trust anchor, and without judging trust
    assert verify_offline(pdf, ops.public_key(), (cert_der,)).ok
    untrusted = verify_offline(pdf, ops.public_key(), (make_pkcs12()[1],))
    assert untrusted.signature is not None and untrusted.signature.trusted is False
    assert not untrusted.ok
    # a well-formed incremental update after the signature; and plain garbage appended
    late = ops.verify_pdf(incremental_update(pdf))
    assert late.signature is not None and not late.signature.covers_whole_file
    assert not late.ok and "SETELAH tanda tangan" in "\n".join(late.messages())
    assert not ops.verify_pdf(pdf + b"\n% tambahan\n").ok
    # a byte inside the signed range
    index = pdf.index(b"stream", pdf.index(b"/Length")) + 20
    flipped = pdf[:index] + bytes([pdf[index] ^ 1]) + pdf[index + 1 :]
    broken = ops.verify_pdf(flipped)
    assert broken.signature is not None and not broken.signature.intact and not broken.ok


def test_a_signature_by_another_certificate_is_not_trusted(
    ctx: DeskContext, users: dict[str, Actor], office_certificate: tuple[bytes, bytes]
) -> None:
    DocumentOps(ctx).configure_signing(users["admin"], office_certificate[0], PASSPHRASE)
    _, pdf = issued_certificate(ctx, users)
    unsigned_part = pdf[: pdf.index(b"%%EOF") + len(b"%%EOF\n")]
    impostor = load_identity(make_pkcs12("Penanda Tangan Lain")[0], PASSPHRASE)
    resigned = sign_pdf(unsigned_part, impostor, reason="palsu", location="Serang")
    report = DocumentOps(ctx).verify_pdf(resigned)
    assert report.seal_valid is True
    assert report.signature is not None and report.signature.trusted is False
    assert not report.ok


def test_cli_public_key_offline_verify_signing_and_numbers(
    ctx: DeskContext,
    users: dict[str, Actor],
    office_certificate: tuple[bytes, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))

    def run(*argv: str) -> tuple[int, str]:
        args = parser.parse_args(list(argv))
        args.actor = users["admin"]  # logged in at the command line's door
        out = io.StringIO()
        context = ctx if getattr(args, "needs_db", True) else None
        return args.handler(args, context, out), out.getvalue()

    status, output = run("public-key", "-o", str(tmp_path / "kunci.pem"))
    assert status == 0 and "Sidik jari:" in output
    p12 = tmp_path / "dinas.p12"
    p12.write_bytes(office_certificate[0])
    (tmp_path / "dinas.cer").write_bytes(office_certificate[1])
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    assert run("signing", "set", str(p12))[0] == 0
    assert "Pejabat Pencatatan Sipil" in run("signing", "show")[1]
    number, pdf = issued_certificate(ctx, users)
    (tmp_path / "akta.pdf").write_bytes(pdf)
    status, output = run(
        "verify",
        str(tmp_path / "akta.pdf"),
        "--public-key",
        str(tmp_path / "kunci.pem"),
        "--trust",
        str(tmp_path / "dinas.cer"),
    )
    assert status == 0 and "HASIL: SAH" in output and "sertifikat dipercaya" in output
    assert run("signing", "clear")[0] == 0
    assert "DRAF" in run("signing", "show")[1]
    status, output = run(
        "number", "offset", "--service", "akta_kematian", "--year", "2027", "--offset", "120"
    )
    assert status == 0 and "0121" in output
    assert "Register kosong" in run("number", "register")[1]
    DocumentOps(ctx).void(users["kasi.dinas"], number, "salah ketik nama")
    status, output = run("number", "register", number)
    assert status == 0 and "DIBATALKAN" in output and "salah ketik nama" in output


def test_number_and_printed_code_typed_from_the_paper(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    number, _ = issued_certificate(ctx, users)
    ops = DocumentOps(ctx)
    document = ops.verify_scan(_qr_of(ctx, number))
    assert document.check is not None and document.check.ok
    code = display_code(_stored_code(ctx, number))
    typed = ops.verify_scan(f"  {number.lower()}   {code.lower()} ")
    assert typed.check is not None and typed.check.ok and "SAH" not in typed.message
    assert "DRAF, bukan dokumen resmi" in typed.message  # no certificate installed: a draft
    assert typed.fields and not any("nik" in key.lower() for key in typed.fields)
    # In the officer's words, as the paper prints them: no field codes, dates as dd-mm-yyyy.
    assert not any("_" in key for key in typed.fields)
    assert re.fullmatch(r"\d{2}-\d{2}-\d{4}", typed.fields["Tanggal terbit"])
    assert ops.verify_scan(f"{number} {code.replace('-', '')}").check.ok  # type: ignore[union-attr]
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert not ops.verify_scan(f"{number} {wrong}").check.ok  # type: ignore[union-attr]
    assert not ops.verify_scan(f"3604-KM-02112026-9999 {code}").check.ok  # type: ignore[union-attr]
    assert "ketik nomor" in ops.verify_scan("sembarang teks").message
    ops.void(users["kasi.dinas"], number, "salah cetak")
    voided = ops.verify_scan(f"{number} {code}")
    assert voided.check is not None and voided.check.voided and not voided.check.ok


def _stored_code(ctx: DeskContext, number: str) -> str:
    with ctx.sessions() as session:
        code = session.scalar(
            select(IssuedDocument.verification_code).where(IssuedDocument.number == number)
        )
    assert code is not None
    return code


def _qr_of(ctx: DeskContext, number: str) -> str:
    return f"DDK1|C|{number}|{_stored_code(ctx, number)}"
