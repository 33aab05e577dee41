"""What starting the desk loads: ``--version``, ``--help`` and the login import only what they
need, never the document and recap stack (ReportLab, openpyxl, pyHanko). The login is painted
before SQLAlchemy, the models and the operations are loaded (the database check loads them on
the worker), and ``--help`` builds its parser without them.

Each case runs in a fresh interpreter, since a test process has long imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("reportlab", "openpyxl", "pyhanko")
"""The document and recap libraries: loaded when a command or the window first uses them."""

RUN_COMMAND = """
import json, sys
from disdukcapil_desk.__main__ import main
sys.argv = ["disdukcapil-desk", *ARGV]
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""

SHOW_LOGIN = """
import json, sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.ui.shell import DeskShell
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings

app = QApplication(sys.argv[:1])
folder = Path(tempfile.mkdtemp())
ctx = DeskContext.open(f"sqlite:///{folder / 'desk.db'}", create=True)
SetupOps(ctx).init(None, None)
SetupOps(ctx).start()  # the start-up check, as the desk runs it on its worker
runner = TaskRunner()
shell = DeskShell(ctx, WorkstationSettings(folder / "ws.ini"), runner, office="Dinas")
dialog = shell.show_login()
app.processEvents()
assert dialog.isVisible()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
runner.shutdown()
ctx.close()
"""


PAINTED_LOGIN = """
import json, os, sys
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog

_paint = LoginDialog.paintEvent

def _painted(self, event):
    _paint(self, event)
    sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
    sys.stderr.flush()
    os._exit(0)

LoginDialog.paintEvent = _painted
from disdukcapil_desk.__main__ import main
sys.argv = ["disdukcapil-desk", *ARGV]
main()
os._exit(3)
"""
DATABASE_STACK = ("sqlalchemy", "disdukcapil_desk.db", "disdukcapil_desk.operations")
"""Loaded by the start-up check on the worker, after the login was painted."""
AFTER_THE_LOGIN = (
    "disdukcapil_desk.domain.catalogue",
    "disdukcapil_desk.ui.dialogs.password_dialog",
    "disdukcapil_desk.ui.main_window",
)
"""The catalogue (a finding's types), the forced password change and the window itself."""


def _modules_after(code: str, tmp_path: Path) -> tuple[set[str], str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "DISDUKCAPIL_DB": f"sqlite:///{tmp_path / 'none.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    marker = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    assert marker, done.stderr
    modules = json.loads(marker[-1].removeprefix("MODULES "))
    return {name.split(".")[0] for name in modules} | set(modules), done.stdout


def _loaded_heavy(modules: set[str]) -> list[str]:
    return [name for name in HEAVY if name in modules]


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["--help"], ["recap", "--help"], ["verify", "--help"]],
    ids=" ".join,
)
def test_command_line_answers_without_the_document_stack(tmp_path: Path, argv: list[str]) -> None:
    code = RUN_COMMAND.replace("ARGV", repr(argv))
    modules, stdout = _modules_after(code, tmp_path)
    assert stdout.strip(), "the command printed nothing"
    assert _loaded_heavy(modules) == []


def test_version_answers_before_the_command_line_and_the_database(tmp_path: Path) -> None:
    modules, stdout = _modules_after(RUN_COMMAND.replace("ARGV", "['--version']"), tmp_path)
    assert stdout.startswith("disdukcapil-desk ")
    assert "disdukcapil_desk.cli" not in modules
    assert "sqlalchemy" not in modules


def test_help_builds_its_parser_without_the_database(tmp_path: Path) -> None:
    modules, stdout = _modules_after(RUN_COMMAND.replace("ARGV", "['--help']"), tmp_path)
    assert "usage" in stdout.lower() or stdout.strip()
    assert [name for name in DATABASE_STACK if name in modules] == []
    assert "disdukcapil_desk.domain.dto" not in modules


def test_the_login_is_painted_before_the_database_stack_is_loaded(tmp_path: Path) -> None:
    database = tmp_path / "desk.db"
    argv = ["--basedir", str(tmp_path / "base"), "--db", f"sqlite:///{database}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DISDUKCAPIL_DB", None)
    subprocess.run(
        [sys.executable, "-m", "disdukcapil_desk", *argv, "db", "init"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    modules, _ = _modules_after(PAINTED_LOGIN.replace("ARGV", repr(argv)), tmp_path)
    assert "disdukcapil_desk.ui.desk_app" in modules, "the desk's own start painted the login"
    assert [name for name in DATABASE_STACK if name in modules] == []
    assert _loaded_heavy(modules) == []
    later = [name for name in AFTER_THE_LOGIN if name in modules]
    assert later == [], "loaded when first used, after the login is painted"


def test_login_dialog_shows_without_the_document_stack(tmp_path: Path) -> None:
    modules, _ = _modules_after(textwrap.dedent(SHOW_LOGIN), tmp_path)
    assert "disdukcapil_desk.ui.dialogs.login_dialog" in modules
    assert _loaded_heavy(modules) == []
