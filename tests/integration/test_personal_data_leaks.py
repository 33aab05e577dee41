"""Personal data never leaks: not through a failing statement's log record, not through
``show --json``, not through a finding's text (issue 17, point 7)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from disdukcapil_desk import app
from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import ServiceRequest
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.log import redact, setup_logging
from disdukcapil_desk.operations.audit_key import use_key_folder
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from tests.conftest import TEST_PASSWORD
from tests.integration.test_intake import GOOD_PAYLOAD
from tests.unit.domain.test_nik import assert_hides_masked_digits

NIK = "3604156107950001"
KK = "3604151203150007"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The desk's log file as the composition root sets it up (verbose), removed after."""
    path = setup_logging(tmp_path / "log", verbose=True)
    yield path
    root = logging.getLogger("disdukcapil_desk")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.NOTSET)


def test_a_failing_statement_logs_no_personal_data(db_url: str, log_file: Path) -> None:
    engine = make_engine(db_url)
    try:
        with pytest.raises(DBAPIError) as failure, engine.begin() as conn:
            conn.execute(
                text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (:id, 0, :h)"),
                {"id": 0, "h": f"{NIK} {KK} Siti Aminah 081234567890"},  # chains count from 1
            )
        assert NIK not in str(failure.value).split("[SQL:")[1], "no parameters in the error"
        try:
            raise failure.value
        except DBAPIError:
            logging.getLogger("disdukcapil_desk.app").exception("database error")
    finally:
        engine.dispose()
    written = log_file.read_text(encoding="utf-8")
    assert "audit_head" in written and "Traceback" in written, "the failure itself is logged"
    for secret in (NIK, KK, "Siti Aminah", "081234567890"):
        assert secret not in written


def test_redact_masks_numbers_and_server_row_values() -> None:
    text = (
        f"DETAIL:  Failing row contains (2, 0, {NIK} Siti Aminah).\n"
        f"DETAIL:  Key (nik)=({KK}) already exists.\n[parameters: ('{NIK}',)]"
    )
    redacted = redact(text)
    assert NIK not in redacted and KK not in redacted and "Siti" not in redacted
    assert "Failing row contains (disembunyikan)" in redacted and "Key (nik)=" in redacted


KK_TUJUAN = "3604151508200003"
MEMBERS = ["3604154508900002", "3604151201150004"]


def test_show_json_masks_every_number_field_by_its_type(
    ctx: DeskContext,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payload = dict(
        GOOD_PAYLOAD,
        no_kk=KK,
        no_kk_tujuan=KK_TUJUAN,  # a No. KK field whose name says neither "nik" nor "no_kk"
        nik_anggota_pindah=", ".join(MEMBERS),  # NIKs typed as text
        alamat_tujuan="Jl. Raya Serang 1",
        kode_desa_tujuan="3604152001",
        alasan_pindah="pekerjaan",
        klasifikasi_pindah="antar_desa",
        jenis_kepindahan="kepala_keluarga",
        jumlah_anggota_pindah=2,
        status_kk_tujuan="numpang_kk",
    )
    service = ctx.reference.catalogue.get("pindah_dalam_kabupaten")
    assert "no_kk_tujuan" in service.personal_number_fields
    IntakeOps(ctx).submit_row(
        IncomingRow(
            channel="whatsapp",
            external_ref="pindah-1",
            service_code="pindah_dalam_kabupaten",
            payload=json.dumps(payload),
            sender="+6285712345678",
            received_at=ctx.clock(),
        )
    )
    assert IntakeOps(ctx).ingest().created == 1
    with ctx.reading() as session:
        number = session.scalars(select(ServiceRequest.number)).one()
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{TEST_PASSWORD}\n"))
    login = ["--login", "kasi.dinas"]
    code = app.run(["--basedir", str(tmp_path), "--db", db_url, *login, "show", number, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    shown = json.loads(out)
    for secret in (KK, KK_TUJUAN, *MEMBERS, payload["nik"]):
        assert secret not in out, secret
    assert shown["payload"]["no_kk_tujuan"] == mask_number(KK_TUJUAN)
    assert shown["payload"]["alamat_tujuan"] == "Jl. Raya Serang 1"
    assert shown["payload"]["jumlah_anggota_pindah"] == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{TEST_PASSWORD}\n"))
    base = ["--basedir", str(tmp_path), "--db", db_url, *login]
    code = app.run([*base, "show", number, "--json", "--full-nik"])
    assert code == 0 and KK_TUJUAN in capsys.readouterr().out, "the section head may unmask"
    use_key_folder(None)


@pytest.mark.parametrize(
    ("nik", "no_kk"),
    [("3604153213920014", "3604153102200012"), ("3604150311920014", "3604155501200012")],
)
def test_findings_never_give_back_the_masked_digits(
    ctx: DeskContext, users: dict[str, Actor], nik: str, no_kk: str
) -> None:
    payload = dict(GOOD_PAYLOAD, nik=nik, no_kk=no_kk, tanggal_lahir="1992-11-04")
    IntakeOps(ctx).submit_row(
        IncomingRow(
            channel="whatsapp",
            external_ref=f"temuan-{nik}",
            service_code="ktpel_penggantian",
            payload=json.dumps(payload),
            sender="+6285712345678",
            received_at=ctx.clock(),
        )
    )
    assert IntakeOps(ctx).ingest().created == 1
    with ctx.reading() as session:
        number = session.scalars(select(ServiceRequest.number)).one()
    detail = QueueOps(ctx).detail(users["kasi.dinas"], number)
    codes = {f.code for f in detail.findings}
    assert codes & {"nik_birth_date_invalid", "nik_birth_date_mismatch"}, codes
    assert "kk_date_unusual" in codes
    for finding in detail.findings:
        assert_hides_masked_digits(finding.message, nik)
        assert_hides_masked_digits(finding.message, no_kk)
