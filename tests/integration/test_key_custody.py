"""Keys out of the shared database: the key folder, the signing service, rotation, migration."""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import delete, insert, select, text, update

from disdukcapil_desk.db.models import OfficeSetting, SchemaVersion, SealKey, SigningJob
from disdukcapil_desk.db.schema import database_version
from disdukcapil_desk.domain.documents import (
    DocumentKind,
    PrintPurpose,
    code_is_valid,
    embedded_documents,
    key_id,
    load_public_key,
    seal_state,
    signing_key,
    verification_code,
)
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError, PermissionDenied
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.documents.custody import (
    CERTIFICATE_FILE,
    WRAP_KEY_FILE,
    FolderCustody,
    KeyFolder,
    ServiceCustody,
)
from disdukcapil_desk.operations.documents.signer_service import SignerService
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.reports.pkcs11 import load_pkcs11_config, open_token
from tests.integration.test_document_signing import PASSPHRASE, issued_certificate, make_pkcs12
from tests.integration.test_documents import approved
from tests.integration.version_1 import undo_version_6

REPO = Path(__file__).resolve().parents[2]


def key_material(pkcs12_data: bytes, seeds: list[bytes]) -> dict[str, bytes]:
    """Every form the office's secrets could take in a dump: raw, hex, base64, DER."""
    key, _, _ = pkcs12.load_key_and_certificates(pkcs12_data, PASSPHRASE.encode())
    assert key is not None
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    found = {
        "passphrase": PASSPHRASE.encode(),
        "pkcs12": pkcs12_data[20:60],
        "pkcs12 base64": base64.b64encode(pkcs12_data)[20:80],
        "private key DER": der[-32:],
        "private key DER hex": der[-32:].hex().encode(),
    }
    for i, seed in enumerate(seeds):
        found[f"seed {i}"] = seed
        found[f"seed {i} hex"] = seed.hex().encode()
        found[f"seed {i} base64"] = base64.b64encode(seed)
    return found


def dump(ctx: DeskContext, url: str, target: Path) -> bytes:
    """The database as a backup would take it: pg_dump, or a copy of the SQLite file."""
    if ctx.postgresql:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        return subprocess.run(
            ["pg_dump", "--data-only", "--inserts", plain], capture_output=True, check=True
        ).stdout
    ctx.engine.dispose()  # everything written into the file itself
    source = Path(ctx.engine.url.database or "")
    shutil.copy(source, target)
    for suffix in ("-wal", "-shm"):
        if source.with_name(source.name + suffix).exists():
            shutil.copy(source.with_name(source.name + suffix), f"{target}{suffix}")
    return b"".join(p.read_bytes() for p in target.parent.glob(target.name + "*"))


def seeds_in(folder: Path) -> list[bytes]:
    return [bytes.fromhex(p.read_text()) for p in sorted(folder.glob("segel-*.key"))]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_in_process_custodian_keeps_keys_in_owner_only_files_not_in_the_database(
    ctx: DeskContext, users: dict[str, Actor], db_url: str, tmp_path: Path
) -> None:
    data, _ = make_pkcs12()
    DocumentOps(ctx).configure_signing(users["admin"], data, PASSPHRASE)
    _, pdf = issued_certificate(ctx, users)
    assert DocumentOps(ctx).verify_pdf(pdf).ok
    folder = ctx.key_folder
    assert folder is not None
    files = sorted(p.name for p in folder.iterdir())
    assert files[1:] == sorted([CERTIFICATE_FILE, WRAP_KEY_FILE]) and files[0].startswith("segel-")
    assert mode(folder) == 0o700
    assert all(mode(p) == 0o600 for p in folder.iterdir()), [oct(mode(p)) for p in folder.iterdir()]
    # the passphrase a person chose is written nowhere, not even next to the key
    assert all(PASSPHRASE.encode() not in p.read_bytes() for p in folder.iterdir())
    material = key_material(data, seeds_in(folder))
    (tmp_path / "dump").mkdir()
    copy = dump(ctx, db_url, tmp_path / "dump" / "desk.sqlite3")
    assert b"seal_key" in copy or ctx.postgresql is False  # the dump holds the tables
    leaked = [name for name, secret in material.items() if secret in copy]
    assert leaked == []


def test_rotation_keeps_old_documents_verifying_and_exports_every_public_key(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ops = DocumentOps(ctx)
    first, second = approved(ctx, 2)
    old_pdf = certificate_of(ctx, users, first)
    folder = ctx.key_folder
    assert folder is not None
    [old_seed] = seeds_in(folder)
    with pytest.raises(PermissionDenied):
        ops.signing.rotate(users["kasi.dinas"])
    new_id = ops.signing.rotate(users["admin"])
    [new_seed] = seeds_in(folder)  # the retired private key is gone; only its public half stays
    assert new_seed != old_seed and key_id(signing_key(new_seed).public_key()) == new_id
    with ctx.reading() as session:
        keys = ops.signing.verification_keys(session)
        assert ops.signing.current_public_key(session) == keys[new_id]
    old_id = key_id(signing_key(old_seed).public_key())
    assert set(keys) == {old_id, new_id}
    exported = ops.public_key()
    assert exported.count(b"BEGIN PUBLIC KEY") == 2
    assert load_public_key(exported) == keys[new_id], "the current key comes first"
    assert exported.split(b"-----END PUBLIC KEY-----\n")[1] in exported  # the retired one too
    # new documents carry the new key's codes
    new_pdf = certificate_of(ctx, users, second)
    assert ops.verify_pdf(new_pdf).seal_valid and ops.verify_pdf(new_pdf).documents[0].code_valid
    # the old document still verifies: its seal names the retired key, still published
    old_seal = seal_state(old_pdf, keys)
    assert old_seal.valid and old_seal.key_id == old_id
    assert not seal_state(old_pdf, {old_id: keys[new_id]}).valid
    old_report = ops.verify_pdf(old_pdf)
    assert old_report.seal_valid and old_report.documents[0].code_valid, old_report.messages()
    [item] = embedded_documents(old_pdf)
    assert code_is_valid(keys[old_id], item.kind, item.number, item.fields, item.code)


def certificate_of(ctx: DeskContext, users: dict[str, Actor], request_id: int) -> bytes:
    operator = users["operator.dinas"]
    number = DocumentOps(ctx).issue(operator, request_id).certificate_number
    assert number is not None
    return DocumentOps(ctx).render_certificate(operator, number)


def test_a_workstation_of_the_signing_service_holds_no_key_and_cannot_install_one(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    if not ctx.postgresql:
        with pytest.raises(DeskError, match="hanya untuk PostgreSQL"):
            SignerService(ctx, KeyFolder(Path("/nonexistent")))
        return
    ctx.key_custody = ServiceCustody(ctx, timeout=0.3)
    ops = DocumentOps(ctx)
    data, _ = make_pkcs12()
    with pytest.raises(DeskError, match="dipegang layanan penanda tangan"):
        ops.configure_signing(users["admin"], data, PASSPHRASE)
    with pytest.raises(DeskError, match="signer rotate"):
        ops.signing.rotate(users["admin"])
    started = time.monotonic()
    with pytest.raises(DeskError, match=r"tidak menjawab dalam 0.3 detik"):
        issued_certificate(ctx, users)
    assert time.monotonic() - started < 10
    with ctx.reading() as session:
        assert session.scalar(select(SigningJob.id)) is None, "a job no one took is withdrawn"


def test_the_version_4_step_moves_stored_keys_into_the_key_folder_and_wipes_them(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    data, _ = make_pkcs12()
    seed = os.urandom(32)
    code = verification_code(signing_key(seed), DocumentKind.CERTIFICATE, "X-1", {"a": "b"})
    _make_version_3(ctx, seed, data)
    blocked = tmp_path / "berkas-bukan-folder"
    blocked.write_text("")
    with pytest.raises(DeskError, match="tidak dapat ditulis"):
        SetupOps(ctx).upgrade(blocked / "kunci")
    assert database_version(ctx.engine) == 3, "nothing applied when the keys cannot be kept"
    with ctx.reading() as session:
        assert session.scalar(
            select(OfficeSetting.value).where(OfficeSetting.key == "_document_secret")
        )
    folder = tmp_path / "kunci-pindahan"
    setup = SetupOps(ctx)
    assert setup.upgrade(folder) == [4, 5, 6, 7, 8, 9]
    assert setup.keys_moved_to == str(folder)
    with ctx.reading() as session:
        keys = session.scalars(select(OfficeSetting.key)).all()
    assert not {"_document_secret", "_signing_pkcs12", "_signing_passphrase"} & set(keys)
    assert seeds_in(folder) == [seed] and all(mode(p) == 0o600 for p in folder.iterdir())
    # the moved keys carry on: same seal key, the certificate opens without the old passphrase
    ctx.key_folder = folder
    ops = DocumentOps(ctx)
    with ctx.reading() as session:
        public = ops.signing.verification_keys(session)[key_id(signing_key(seed).public_key())]
        assert ops.signing.signs(session)
    assert code_is_valid(public, DocumentKind.CERTIFICATE, "X-1", {"a": "b"}, code)
    assert ops.signing_info() is not None
    _, pdf = issued_certificate(ctx, users)
    assert ops.verify_pdf(pdf).ok


def _make_version_3(ctx: DeskContext, seed: bytes, pkcs12_data: bytes) -> None:
    """Turn the test database into a version-3 one that still holds its keys."""
    with ctx.engine.begin() as conn:
        undo_version_6(conn)
        conn.execute(text("DROP TABLE signing_job"))
        conn.execute(text("DROP TABLE seal_key"))
        conn.execute(delete(SchemaVersion).where(SchemaVersion.version > 3))
        conn.execute(update(SchemaVersion).values(version=3).where(SchemaVersion.version == 4))
        at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        for key, value in (
            ("_document_secret", seed.hex()),
            ("_signing_pkcs12", base64.b64encode(pkcs12_data).decode()),
            ("_signing_passphrase", PASSPHRASE),
        ):
            conn.execute(
                insert(OfficeSetting).values(key=key, value=value, updated_at=at, updated_by="x")
            )
    if database_version(ctx.engine) != 3:
        with ctx.engine.begin() as conn:
            conn.execute(insert(SchemaVersion).values(version=3, applied_at=at, description="3"))
    assert SealKey.__tablename__ and database_version(ctx.engine) == 3


# -- the signing service as its own process (PostgreSQL) ---------------------------------------


@pytest.fixture
def pg_only(db_kind: str) -> None:
    if db_kind != "postgresql":
        pytest.skip("the signing service serves PostgreSQL workstations")


@pytest.fixture
def service(
    pg_only: None, ctx: DeskContext, users: dict[str, Actor], db_url: str, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], Path, bytes]]:
    """``signer serve`` in its own process, with its own key folder and a PKCS#12 file."""
    data, _ = make_pkcs12()
    certificate = tmp_path / "server" / "dinas.p12"
    certificate.parent.mkdir()
    certificate.write_bytes(data)
    env = {**os.environ, "DISDUKCAPIL_SIGNER_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(REPO)}
    env.pop("DISDUKCAPIL_SIGNER", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "disdukcapil_desk",
            "--basedir",
            str(tmp_path / "server"),
            "--db",
            db_url,
            "signer",
            "serve",
            "--pkcs12",
            str(certificate),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "Layanan penanda tangan berjalan" in line, (
        line,
        process.stderr.read() if process.poll() is not None else "",
    )
    try:
        yield process, tmp_path / "server" / "data" / "kunci-dokumen", data
    finally:
        process.terminate()
        process.communicate(timeout=30)  # waits, and closes its pipes


def test_a_workstation_signs_through_the_service_process_and_its_dump_holds_no_key(
    ctx: DeskContext,
    users: dict[str, Actor],
    db_url: str,
    tmp_path: Path,
    service: tuple[subprocess.Popen[str], Path, bytes],
) -> None:
    process, server_keys, data = service
    workstation_keys = tmp_path / "workstation-keys"
    ctx.key_folder = workstation_keys
    ctx.key_custody = ServiceCustody(ctx, timeout=60)
    ops = DocumentOps(ctx)
    assert ops.signing_info() is not None, "the service published its certificate"
    _, pdf = issued_certificate(ctx, users)
    report = ops.verify_pdf(pdf)
    assert report.ok, report.messages()
    assert report.signature is not None and report.signature.intact and report.signature.trusted
    assert b"DRAF" not in pdf
    assert not workstation_keys.exists(), "the workstation wrote no key"
    with ctx.reading() as session:
        assert session.scalar(select(SigningJob.id)) is None, "answered jobs are removed"
    copy = dump(ctx, db_url, tmp_path / "dump.sql")
    leaked = [n for n, s in key_material(data, seeds_in(server_keys)).items() if s in copy]
    assert seeds_in(server_keys) and leaked == []
    process.terminate()
    assert process.wait(timeout=30) == 0
    ctx.key_custody = ServiceCustody(ctx, timeout=1)
    with pytest.raises(DeskError, match="Layanan penanda tangan tidak menjawab"):
        DocumentOps(ctx).render_certificate(
            users["operator.dinas"],
            issued_number(ctx),
            purpose=PrintPurpose.REPRINT,
            reason="kertas macet",
        )


def issued_number(ctx: DeskContext) -> str:
    from disdukcapil_desk.db.models import IssuedDocument

    with ctx.reading() as session:
        number = session.scalar(
            select(IssuedDocument.number).where(IssuedDocument.kind == "certificate")
        )
    assert number is not None
    return number


# -- PKCS#11: what can be checked without a token -----------------------------------------------


def test_a_token_configuration_is_read_and_a_missing_module_is_refused_clearly(
    tmp_path: Path,
) -> None:
    config = tmp_path / "token.json"
    config.write_text(
        '{"module-path": "/tidak/ada/opensc-pkcs11.so", "token-criteria": {"label": "DISDUKCAPIL"},'
        ' "cert-label": "ttd-dinas", "user-pin": "1234"}'
    )
    parsed = load_pkcs11_config(config)
    assert parsed.cert_label == "ttd-dinas" and parsed.token_criteria.label == "DISDUKCAPIL"
    assert parsed.user_pin is None, "a PIN is never taken from the file"
    with pytest.raises(DeskError, match="Modul PKCS#11 tidak ditemukan: /tidak/ada"):
        open_token(parsed, "1234")
    module = tmp_path / "vendor-pkcs11.so"
    module.write_bytes(b"\x7fELF")
    config.write_text(f'{{"module-path": "{module}", "cert-label": "ttd"}}')
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        with pytest.raises(DeskError, match="python-pkcs11 belum terpasang"):
            open_token(load_pkcs11_config(config), "1234")
    config.write_text('{"module-path": "/x.so"}')
    with pytest.raises(DeskError, match="Konfigurasi PKCS#11 salah"):
        load_pkcs11_config(config)
    config.write_text("bukan json")
    with pytest.raises(DeskError, match="tidak dapat dibaca"):
        load_pkcs11_config(config)
    assert FolderCustody  # the token replaces the folder's PKCS#12, not the seal key
