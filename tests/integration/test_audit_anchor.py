"""The audit chain's anchor outside the database: a keyed MAC on every entry and the published
head. Each attack is one an insider with the database login can make without the key."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from disdukcapil_desk import app
from disdukcapil_desk.db.models import AuditHead, AuditLog, ServiceRequest
from disdukcapil_desk.db.schema import GENESIS_HASH
from disdukcapil_desk.domain.audit import (
    HEAD_MISSING,
    AuditEntry,
    ChainHead,
    entry_hash,
    parse_published,
)
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import AuditChainBroken, AuditKeyMissing
from disdukcapil_desk.domain.workflow import Action
from disdukcapil_desk.operations.audit import (
    chain_head,
    check_chain,
    init_key,
    verify_chain,
)
from disdukcapil_desk.operations.audit_key import KEY_FILE_NAME, read_key, use_key_folder
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from tests.conftest import TEST_PASSWORD
from tests.integration.test_queue import seed


@pytest.fixture
def keyed(ctx: DeskContext, users: dict[str, Actor], tmp_path: Path) -> bytes:
    """The office's key on this workstation, the chain keyed, and a little history."""
    ctx.audit_key_file = tmp_path / KEY_FILE_NAME
    key = init_key(ctx, users["admin"], ctx.audit_key_file)
    ids = seed(ctx, 2)
    queue = QueueOps(ctx)
    queue.claim(users["loket.dinas"], ids[0])
    queue.decide(users["loket.dinas"], ids[0], Action.REJECT, reason="berkas bukan miliknya")
    return key


def _entries(ctx: DeskContext) -> list[AuditLog]:
    with ctx.reading() as session:
        return list(session.scalars(select(AuditLog).order_by(AuditLog.id)))


def _rewrite_from(ctx: DeskContext, first_id: int, detail: str) -> None:
    """What an insider does: edit one entry, recompute its hash and every later one, and the
    head row. The MACs cannot be recomputed without the key; they are left as they were."""
    with ctx.unit_of_work() as session:
        rows = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        previous = GENESIS_HASH
        for row in rows:
            if row.id == first_id:
                row.detail = detail
            if row.id >= first_id:
                row.prev_hash = previous
                row.hash = entry_hash(
                    previous,
                    AuditEntry(
                        row.at,
                        row.actor,
                        row.action,
                        row.entity,
                        row.entity_key,
                        row.before,
                        row.after,
                        row.detail,
                    ),
                )
            previous = row.hash
        session.execute(update(AuditHead).values(last_id=rows[-1].id, last_hash=rows[-1].hash))


def test_a_keyed_chain_verifies_and_says_so(ctx: DeskContext, keyed: bytes) -> None:
    report = check_chain(ctx, keyed)
    assert report.intact, report.problem
    assert report.mac_checked and report.keyed >= 4
    # The entries of db init (before the key) verify by hash only, and are counted as such.
    assert report.hash_only == len(_entries(ctx)) - report.keyed > 0
    assert verify_chain(ctx) is None


def test_edit_with_every_later_hash_recomputed_is_caught_by_the_key(
    ctx: DeskContext, keyed: bytes
) -> None:
    target = next(e for e in _entries(ctx) if e.action == "reject")
    _rewrite_from(ctx, target.id, "disetujui")
    report = check_chain(ctx, keyed)
    assert not report.intact and report.broken_at == target.id
    assert "MAC" in (report.problem or "")
    assert verify_chain(ctx) == target.id


def test_rewrite_of_the_unkeyed_past_is_caught_by_the_first_keyed_entry(
    ctx: DeskContext, keyed: bytes
) -> None:
    first = _entries(ctx)[0]
    assert first.mac is None, "written by db init, before the key"
    _rewrite_from(ctx, first.id, "dipalsukan")
    report = check_chain(ctx, keyed)
    assert not report.intact and "MAC" in (report.problem or "")


def test_stripping_the_macs_before_rewriting_is_caught(ctx: DeskContext, keyed: bytes) -> None:
    target = next(e for e in _entries(ctx) if e.action == "reject")
    with ctx.unit_of_work() as session:
        session.execute(update(AuditLog).values(mac=None))
    _rewrite_from(ctx, target.id, "disetujui")
    report = check_chain(ctx, keyed)
    assert not report.intact and "tanpa MAC" in (report.problem or "")


def test_last_entry_deleted_with_the_head_row_is_a_broken_chain(
    ctx: DeskContext, keyed: bytes
) -> None:
    last = _entries(ctx)[-1]
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditLog).where(AuditLog.id == last.id))
        session.execute(delete(AuditHead))
    report = check_chain(ctx, keyed)
    assert report.problem == HEAD_MISSING
    assert verify_chain(ctx) is not None


def test_truncation_with_the_head_moved_back_is_caught_by_the_published_head(
    ctx: DeskContext, keyed: bytes
) -> None:
    published = chain_head(ctx)
    assert published is not None
    entries = _entries(ctx)
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditLog).where(AuditLog.id == entries[-1].id))
        session.execute(
            update(AuditHead).values(last_id=entries[-2].id, last_hash=entries[-2].hash)
        )
    assert check_chain(ctx, keyed).intact, "without the published head nothing shows"
    expected = parse_published(published.line(WIB))
    report = check_chain(ctx, keyed, expected)
    assert not report.intact and "tidak ada lagi" in (report.problem or "")


def test_wipe_with_the_head_reset_is_caught_by_the_published_head(
    ctx: DeskContext, keyed: bytes
) -> None:
    published = chain_head(ctx)
    assert published is not None
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditLog))
        session.execute(update(AuditHead).values(last_id=0, last_hash=GENESIS_HASH))
    report = check_chain(ctx, None, parse_published(published.published))
    assert not report.intact and str(published.seq) in (report.problem or "")
    assert not check_chain(ctx, keyed).intact or report.entries == 0


def test_published_head_that_differs_is_caught(ctx: DeskContext, keyed: bytes) -> None:
    head = chain_head(ctx)
    assert head is not None
    forged = ChainHead(head.seq, "f" * 64, head.at)
    report = check_chain(ctx, keyed, parse_published(forged.published))
    assert not report.intact and "berbeda" in (report.problem or "")
    assert check_chain(ctx, keyed, parse_published(head.published)).intact


def test_deleted_head_breaks_verify_and_writes_fail_clearly(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ids = seed(ctx, 1)
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditHead))
    assert check_chain(ctx).problem == HEAD_MISSING
    assert verify_chain(ctx) is not None
    with pytest.raises(AuditChainBroken, match="baris kepala hilang"):
        QueueOps(ctx).claim(users["loket.dinas"], ids[0])
    assert QueueOps(ctx).detail(users["loket.dinas"], ids[0]).row.holder is None, "not saved"


def test_a_head_row_that_names_a_deleted_entry_refuses_writes(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ids = seed(ctx, 1)
    with ctx.unit_of_work() as session:
        last = session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
        session.delete(last)
    assert not check_chain(ctx).intact
    with pytest.raises(AuditChainBroken, match="tidak cocok"):
        QueueOps(ctx).claim(users["loket.dinas"], ids[0])


def test_a_workstation_without_the_key_cannot_write_to_a_keyed_chain(
    ctx: DeskContext, users: dict[str, Actor], keyed: bytes, tmp_path: Path
) -> None:
    with ctx.reading() as session:
        ids = session.scalars(select(ServiceRequest.id).where(ServiceRequest.status == "new"))
        ids = list(ids)
    ctx.audit_key_file = tmp_path / "elsewhere" / KEY_FILE_NAME
    with pytest.raises(AuditKeyMissing, match="Salin berkas kunci"):
        QueueOps(ctx).claim(users["loket.dinas"], ids[0])
    other = tmp_path / "other-key.txt"
    other.write_text("ab" * 32 + "\n", encoding="utf-8")
    ctx.audit_key_file = other
    with pytest.raises(AuditChainBroken, match="tidak cocok"):
        QueueOps(ctx).claim(users["loket.dinas"], ids[0])
    assert check_chain(ctx, keyed).intact


def test_key_init_refuses_a_second_key(
    ctx: DeskContext, users: dict[str, Actor], keyed: bytes, tmp_path: Path
) -> None:
    with pytest.raises(Exception, match="sudah berkunci"):
        init_key(ctx, users["admin"], tmp_path / "second.txt")
    assert not (tmp_path / "second.txt").exists()


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Path]:
    """Run commands in this process with their own data folder (where the key lives)."""
    yield tmp_path / "base"
    use_key_folder(None)


def run(
    capsys: pytest.CaptureFixture[str], basedir: Path, db_url: str, *args: str
) -> tuple[int, str]:
    code = app.run(["--basedir", str(basedir), "--db", db_url, *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_cli_key_init_head_and_verify_against_published_heads(
    cli: Path,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out = run(capsys, cli, db_url, "audit", "key", "init")
    assert code == 1 and "perlu login desk" in out, "keying the chain is an administrator's"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{TEST_PASSWORD}\n{TEST_PASSWORD}\n"))
    code, out = run(capsys, cli, db_url, "--login", "admin", "audit", "key", "init")
    assert code == 0, out
    key_file = cli / "data" / KEY_FILE_NAME
    assert "Kunci audit dibuat" in out and key_file.exists()
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    code, again = run(capsys, cli, db_url, "--login", "admin", "audit", "key", "init")
    assert code == 1 and "sudah" in again
    code, head = run(capsys, cli, db_url, "audit", "head")
    assert code == 0 and "Kepala log audit" in head
    published = tmp_path / "kepala.txt"
    published.write_text(head, encoding="utf-8")
    code, out = run(capsys, cli, db_url, "audit", "verify", "--expect-file", str(published))
    assert code == 0 and "Log audit utuh." in out and "MAC diperiksa" in out, out
    assert "hanya hash" in out

    ctx = DeskContext.open(db_url)
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditLog))
        session.execute(update(AuditHead).values(last_id=0, last_hash=GENESIS_HASH))
    ctx.close()
    code, out = run(capsys, cli, db_url, "audit", "verify", "--expect-file", str(published))
    assert code == 1 and "RUSAK" in out and "Log audit utuh." not in out, out
    seq_hash = parse_published(head)[0]
    code, out = run(capsys, cli, db_url, "audit", "verify", "--expect", str(seq_hash))
    assert code == 1 and "tidak ada lagi" in out, out
    assert read_key(key_file)


def test_cli_deleted_head_db_check_and_verify_report_it(
    cli: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = DeskContext.open(db_url)
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditHead))
    ctx.close()
    code, out = run(capsys, cli, db_url, "db", "check")
    assert code == 1 and "baris kepala hilang" in out, out
    code, out = run(capsys, cli, db_url, "audit", "verify")
    assert code == 1 and "baris kepala hilang" in out and "utuh" not in out, out


def test_db_init_creates_the_key_and_keys_the_first_entries(
    cli: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'baru.sqlite3'}"
    code, out = run(capsys, cli, url, "db", "init")
    assert code == 0 and "Kunci audit dibuat" in out, out
    key = read_key(cli / "data" / KEY_FILE_NAME)
    ctx = DeskContext.open(url)
    report = check_chain(ctx, key)
    ctx.close()
    assert report.intact and report.entries == report.keyed > 0


# -- the head published on every recap ------------------------------------------------------


def test_every_recap_prints_the_chain_head(
    ctx: DeskContext, users: dict[str, Actor], keyed: bytes, tmp_path: Path
) -> None:
    import datetime as dt

    import pypdfium2
    from openpyxl import load_workbook

    from disdukcapil_desk.operations.recaps import Recaps

    head = chain_head(ctx)
    assert head is not None
    line = head.line(WIB)
    period = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    workbook = tmp_path / "rekap.xlsx"
    Recaps(ctx).build_recap(users["kasi.dinas"], *period, None, workbook)
    wb = load_workbook(workbook)
    assert wb.properties.description == line
    for ws in wb.worksheets:
        assert ws.oddFooter.center.text == line, ws.title
    head = chain_head(ctx)  # the workbook's export is an audited entry: the head moved on
    assert head is not None
    line = head.line(WIB)
    pdf_path = tmp_path / "rekap.pdf"
    Recaps(ctx).build_recap(users["kasi.dinas"], *period, None, pdf_path)
    pdf = pypdfium2.PdfDocument(pdf_path)
    try:
        for page in pdf:
            assert line in page.get_textpage().get_text_range().replace("\r\n", "\n")
    finally:
        pdf.close()
    # What the recap printed is what `audit verify --expect` takes back.
    assert check_chain(ctx, keyed, parse_published(line)).intact
