"""PAdES level: B-B without a timestamp server; with the office's RFC 3161 server (a local one
here) B-T, and B-LT when the chains are at hand; checked by pyHanko's own command line too.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from disdukcapil_desk.cli.documents import add_commands
from disdukcapil_desk.db.models import AuditLog
from disdukcapil_desk.domain.documents import PadesLevel
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError, PermissionDenied
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps, verify_offline
from tests.integration.test_document_signing import PASSPHRASE, issued_certificate, make_pkcs12
from tests.integration.timestamp_server import LocalPki, make_pki, timestamp_server

TRUST_ONLY = ("--trust-replace",)
OFFICE = "Pejabat Pencatatan Sipil Kabupaten Serang"


@pytest.fixture(scope="module")
def pki() -> LocalPki:
    return make_pki(PASSPHRASE, OFFICE)


def pyhanko_validate(pdf: Path, root: Path) -> subprocess.CompletedProcess[str]:
    """pyHanko's own validator (the pyhanko-cli package), trusting only ``root``."""
    command = Path(sys.executable).parent / "pyhanko"
    return subprocess.run(
        [
            str(command),
            "sign",
            "validate",
            "--pretty-print",
            "--trust",
            str(root),
            *TRUST_ONLY,
            str(pdf),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_with_a_timestamp_server_the_signature_is_b_t_and_pyhanko_agrees(
    ctx: DeskContext, users: dict[str, Actor], pki: LocalPki, tmp_path: Path
) -> None:
    ops = DocumentOps(ctx)
    ops.configure_signing(users["admin"], pki.office_pkcs12, PASSPHRASE)
    with timestamp_server(pki) as url:
        assert ops.configure_timestamp_server(users["admin"], f" {url} ") == url
        info = ops.signing_info()
        assert info is not None and info.timestamp_url == url and info.level == "B-T"
        _, pdf = issued_certificate(ctx, users)
    report = ops.verify_pdf(pdf)
    assert report.official, report.messages()
    assert report.signature is not None and report.signature.timestamped_at is not None
    # the chain (root in the PKCS#12, the TSA's in its token) is at hand: validation data too
    assert report.signature.level is PadesLevel.B_LT
    assert "Tingkat PAdES: B-LT" in "\n".join(report.messages())
    offline = verify_offline(pdf, ops.public_key())
    assert offline.official and offline.signature is not None
    assert offline.signature.level is PadesLevel.B_LT
    (tmp_path / "akta.pdf").write_bytes(pdf)
    (tmp_path / "root.pem").write_bytes(pki.root_pem)
    result = pyhanko_validate(tmp_path / "akta.pdf", tmp_path / "root.pem")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Signature timestamp token:" in out
    assert "This timestamp is backed by a time stamping authority." in out
    assert "The TSA certificate is trusted." in out
    assert "The signer's certificate is trusted." in out
    assert "All modifications relate to signature maintenance" in out  # the DSS (B-LT)
    assert "The signature is judged VALID." in out


def test_without_a_chain_at_hand_the_signature_is_b_t(
    ctx: DeskContext, users: dict[str, Actor], pki: LocalPki
) -> None:
    """A self-signed office certificate and a TSA whose root is not at hand: the timestamp is
    there (B-T), the validation data cannot be gathered offline (no B-LT), signing still works.
    """
    ops = DocumentOps(ctx)
    other_tsa = make_pki(PASSPHRASE, "lain")
    ops.configure_signing(users["admin"], make_pkcs12(OFFICE)[0], PASSPHRASE)
    with timestamp_server(other_tsa) as url:
        ops.configure_timestamp_server(users["admin"], url)
        _, pdf = issued_certificate(ctx, users)
    report = verify_offline(pdf, ops.public_key())
    assert report.official, report.messages()
    assert report.signature is not None and report.signature.level in (
        PadesLevel.B_T,
        PadesLevel.B_LT,
    )
    assert report.signature.timestamped_at is not None


def test_without_a_timestamp_server_verify_and_the_settings_say_b_b(
    ctx: DeskContext, users: dict[str, Actor], pki: LocalPki
) -> None:
    ops = DocumentOps(ctx)
    ops.configure_signing(users["admin"], pki.office_pkcs12, PASSPHRASE)
    info = ops.signing_info()
    assert info is not None and info.level == "B-B" and info.timestamp_url == ""
    _, pdf = issued_certificate(ctx, users)
    report = verify_offline(pdf, ops.public_key())
    assert report.official and report.signature is not None
    assert report.signature.level is PadesLevel.B_B and report.signature.timestamped_at is None
    assert "Tingkat PAdES: B-B (tanpa cap waktu tepercaya)." in report.messages()


def test_an_unreachable_timestamp_server_refuses_to_sign(
    ctx: DeskContext, users: dict[str, Actor], pki: LocalPki
) -> None:
    ops = DocumentOps(ctx)
    ops.configure_signing(users["admin"], pki.office_pkcs12, PASSPHRASE)
    with timestamp_server(pki) as url:
        pass  # closed again: nobody answers there now
    ops.configure_timestamp_server(users["admin"], url)
    with pytest.raises(DeskError, match="Server cap waktu"):
        issued_certificate(ctx, users)


def test_setting_the_timestamp_server_is_for_administrators_audited_and_checked(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    ops = DocumentOps(ctx)
    with pytest.raises(PermissionDenied):
        ops.configure_timestamp_server(users["kasi.dinas"], "http://tsa.contoh.go.id")
    for bad in ("ftp://tsa.contoh.go.id", "tsa.contoh.go.id", "http://", "http://a b"):
        with pytest.raises(DeskError, match="URL"):
            ops.configure_timestamp_server(users["admin"], bad)
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))

    def run(*argv: str) -> tuple[int, str]:
        args = parser.parse_args(list(argv))
        args.actor = users["admin"]
        out = io.StringIO()
        return args.handler(args, ctx, out), out.getvalue()

    assert "B-B" in run("signing", "show")[1]
    status, output = run("signing", "timestamp", "http://tsa.contoh.go.id/tsr")
    assert status == 0 and "B-T" in output
    assert ops.timestamp_server() == "http://tsa.contoh.go.id/tsr"
    assert "B-T" in run("signing", "show")[1]
    assert run("signing", "timestamp", "--clear") == (
        0,
        "Tingkat PAdES: B-B (tanpa server cap waktu)\n",
    )
    assert ops.timestamp_server() == ""
    with ctx.sessions() as session:
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.action == "signing_timestamp")
        ).all()
    assert len(actions) == 2
