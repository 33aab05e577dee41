"""``user passwd|unlock|deactivate|activate|set-role|list`` as an administrator runs them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import AuditLog
from disdukcapil_desk.domain.errors import AuthError
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, UserOps
from tests.conftest import TEST_PASSWORD
from tests.integration.test_cli import desk, one_line_error


def _line(listing: str, login: str) -> str:
    return next(line for line in listing.splitlines() if line.startswith(f"{login} "))


def _one_line_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode == 1
    assert text in one_line_error(result)


def test_user_commands_reset_unlock_deactivate_and_change_role(
    db_url: str, reference: ReferenceData, tmp_path: Path
) -> None:
    ctx = DeskContext(make_engine(db_url), reference)
    ops = UserOps(ctx)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return desk("--db", db_url, "user", *args, stdin=stdin, basedir=tmp_path, login="admin")

    reset = run("passwd", "loket.dinas", stdin="sementara-12\n")
    assert reset.returncode == 0, reset.stderr
    assert "Wajib diganti" in reset.stdout
    assert ops.authenticate("loket.dinas", "sementara-12").must_change_password
    kept = run("passwd", "loket2.dinas", "--no-force-change", stdin="tetap-saja-12\n")
    assert "Wajib" not in kept.stdout
    assert not ops.authenticate("loket2.dinas", "tetap-saja-12").must_change_password
    _one_line_error(run("passwd", "operator.dinas", stdin="123\n"), "minimal 8")

    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            ops.authenticate("kasi.dinas", "keliru-sekali")
    gone = run("deactivate", "operator.dinas")
    assert "dinonaktifkan" in gone.stdout
    with pytest.raises(AuthError):
        ops.authenticate("operator.dinas", TEST_PASSWORD)
    listing = run("list").stdout
    assert "aktif, terkunci s.d." in _line(listing, "kasi.dinas")
    assert "aktif, wajib ganti sandi" in _line(listing, "loket.dinas")
    assert "NONAKTIF" in _line(listing, "operator.dinas")
    assert " aktif " in _line(listing, "admin") and "terkunci" not in _line(listing, "admin")
    unlocked = run("unlock", "kasi.dinas")
    assert "kuncinya dibuka" in unlocked.stdout
    assert ops.authenticate("kasi.dinas", TEST_PASSWORD).login == "kasi.dinas"
    back = run("activate", "operator.dinas")
    assert "diaktifkan kembali" in back.stdout
    assert ops.authenticate("operator.dinas", TEST_PASSWORD).login == "operator.dinas"

    moved = run("set-role", "loket.dinas", "--role", "operator", "--location", "UPT-05")
    assert "Operator / verifikator di UPT-05" in moved.stdout
    same_place = run("set-role", "loket.dinas", "--role", "petugas_loket")
    assert "Petugas loket di UPT-05" in same_place.stdout
    _one_line_error(run("set-role", "loket.dinas", "--role", "admin", "--location", "X"), "Lokasi")
    # Logged in as the only administrator: refused as oneself (the last-admin rule is UserOps').
    _one_line_error(run("deactivate", "admin"), "akunnya sendiri")
    wrong_role = run("set-role", "loket.dinas", "--role", "raja")
    assert wrong_role.returncode == 2

    with ctx.sessions() as session:
        actions = list(
            session.scalars(select(AuditLog.action).where(AuditLog.entity == "app_user"))
        )
        actors = set(session.scalars(select(AuditLog.actor).where(AuditLog.action.like("user_%"))))
    for action in ("user_password_reset", "user_unlock", "user_deactivate", "user_activate"):
        assert action in actions
    assert actions.count("user_role") == 2
    assert actors - {"system"} == {"admin"}, "audited as the administrator who logged in"
    ctx.close()


def test_user_help_lists_every_action(tmp_path: Path) -> None:
    result = desk("user", "--help", basedir=tmp_path)
    assert result.returncode == 0
    for action in ("add", "list", "passwd", "unlock", "deactivate", "activate", "set-role"):
        assert action in result.stdout
