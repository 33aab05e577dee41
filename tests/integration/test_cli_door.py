"""The command line's door: a desk login for every command that changes data, shows personal
data or manages users; the same lockout and must-change rule as the window; the command acts
and is audited as that user, with that user's role and office."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from disdukcapil_desk.cli import OPEN_COMMANDS, build_parser
from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import AuditLog
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS
from tests.conftest import TEST_PASSWORD
from tests.integration.cli_harness import (
    Desk,
    fingerprint,
    leaf_commands,
    one_error_line,
    sample_arguments,
)
from tests.integration.test_intake import request_of, row


@pytest.fixture
def desk(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Desk:
    return Desk(db_url, tmp_path / "desk", capsys, monkeypatch)


def test_every_command_but_the_listed_open_ones_needs_a_login(
    desk: Desk, db_url: str, tmp_path: Path
) -> None:
    samples = sample_arguments(tmp_path)
    commands = leaf_commands()
    assert set(samples) == set(commands), "every command has sample arguments"
    before = fingerprint(db_url)
    open_ones, recovery = [], []
    for words, parser in commands.items():
        if parser.get_default("door") == "open":
            open_ones.append(" ".join(words))
            continue
        if parser.get_default("door") == "recovery":
            recovery.append(" ".join(words))
            continue
        error = one_error_line(desk(*words, *samples[words], stdin="sandi-baru-123\n"))
        assert "perlu login desk: --login LOGIN" in error, (words, error)
    assert fingerprint(db_url) == before, "a refused command changed the database"
    assert list(tmp_path.joinpath("out").iterdir()) == []
    assert [*open_ones, "verify --public-key"] == list(OPEN_COMMANDS)
    assert recovery == ["user passwd", "user unlock"]
    help_text = build_parser().format_help()
    for command in OPEN_COMMANDS:
        assert command in " ".join(help_text.split()), f"--help names {command!r} as open"


def test_the_recovery_commands_run_on_the_database_credential_and_are_audited(
    desk: Desk, db_url: str
) -> None:
    """The only administrator locked out or without a password still has a way back in."""
    reset = desk("user", "passwd", "admin", stdin="kembali-masuk-1\n")
    assert reset.code == 0, reset.err
    assert desk("user", "unlock", "admin").code == 0
    again = desk("user", "list", login="admin", password="kembali-masuk-1")
    assert "harus diganti dahulu" in one_error_line(again)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        actors = set(
            conn.execute(
                select(AuditLog.actor).where(AuditLog.action == "user_password_reset")
            ).scalars()
        )
    engine.dispose()
    assert len(actors) == 1 and next(iter(actors)).startswith("db:")
    refused = desk("user", "passwd", "admin", stdin="x\n", login="loket.dinas",
                   password=TEST_PASSWORD)  # fmt: skip
    assert "tidak memiliki hak" in one_error_line(refused), "a login given is a login checked"


def test_open_commands_run_without_a_login(desk: Desk) -> None:
    for words in (["location", "list"], ["audit", "verify"], ["signing", "show"], ["db", "check"]):
        done = desk(*words)
        assert done.code == 0, done.err
    assert "UPT-05" in desk("location", "list").out


def test_a_login_acts_with_its_own_role_office_and_name(
    desk: Desk, db_url: str, reference: ReferenceData
) -> None:
    added = desk(
        "user", "add", "petugas.baru", "--role", "operator", "--location", "DINAS",
        stdin="sandi-baru-123\n", login="admin", password=TEST_PASSWORD,
    )  # fmt: skip
    assert added.code == 0, added.err
    refused = desk(
        "user", "add", "penyusup", "--role", "admin", stdin="sandi-baru-123\n",
        login="loket.dinas", password=TEST_PASSWORD,
    )  # fmt: skip
    assert "Petugas loket tidak memiliki hak" in one_error_line(refused)
    unmask = desk(
        "show", "DINAS/20261102/0001", "--full-nik", login="admin", password=TEST_PASSWORD
    )
    assert "tidak memiliki hak" in one_error_line(unmask), "an administrator never sees a NIK"
    recap = desk(
        "recap", "--from", "2026-11-01", "--to", "2026-11-30", "--full-nik",
        "-o", str(desk.basedir.parent / "r.xlsx"), login="loket.dinas", password=TEST_PASSWORD,
    )  # fmt: skip
    assert "tidak memiliki hak" in one_error_line(recap)
    ctx = DeskContext(make_engine(db_url), reference)
    with ctx.sessions() as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "user_add")).all()[-1]
    ctx.close()
    assert entry.actor == "admin", "audited as the user who logged in, not the OS account"


def test_wrong_passwords_lock_the_account_as_in_the_window(desk: Desk) -> None:
    # (The last administrator is slowed down rather than locked: tests/integration/test_accounts.)
    for _ in range(MAX_FAILED_LOGINS):
        wrong = desk("ingest", login="loket2.dinas", password="keliru-sekali")
        assert one_error_line(wrong) == "galat: Login atau kata sandi salah"
    locked = desk("ingest", login="loket2.dinas", password=TEST_PASSWORD)
    assert "Akun terkunci sampai" in one_error_line(locked)
    unknown = desk("user", "list", login="tidak.ada", password=TEST_PASSWORD)
    assert one_error_line(unknown) == "galat: Login atau kata sandi salah"
    empty = desk("ingest", login="loket.dinas", password="")
    assert "kosong" in one_error_line(empty)


def test_a_reset_password_must_be_changed_first(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    reset = desk(
        "user", "passwd", "loket.dinas", stdin="sementara-123\n",
        login="admin", password=TEST_PASSWORD,
    )  # fmt: skip
    assert reset.code == 0, reset.err
    monkeypatch.setenv("DISDUKCAPIL_LOGIN", "loket.dinas")
    first = desk("ingest", stdin="sementara-123\n")
    assert "harus diganti dahulu" in one_error_line(first)
    changed = desk("password", stdin="sementara-123\nmilik-sendiri-1\n")
    assert changed.code == 0 and "diganti" in changed.out, changed.err
    assert desk("ingest", stdin="milik-sendiri-1\n").code == 0


def test_a_upt_officer_logged_in_stays_in_their_office(
    desk: Desk, db_url: str, reference: ReferenceData
) -> None:
    ctx = DeskContext(make_engine(db_url), reference)
    IntakeOps(ctx).submit_row(row("cli-door-1"))
    ingested = desk("ingest", login="loket.dinas", password=TEST_PASSWORD)
    assert ingested.code == 0 and "Menjadi permohonan: 1" in ingested.out, ingested.err
    request = request_of(ctx, "cli-door-1")
    ctx.close()
    assert not request.location_code.startswith("UPT-05")
    theirs = desk("show", request.number, login="loket.upt05", password=TEST_PASSWORD)
    one_error_line(theirs)
    assert request.number not in theirs.out
    ours = desk("show", request.number, login="loket.dinas", password=TEST_PASSWORD)
    assert ours.code == 0 and request.number in ours.out, ours.err
