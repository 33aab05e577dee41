"""What starting the desk loads: ``--version``, ``--help`` and the login import only what they
need, never the document and recap stack (ReportLab, openpyxl, pyHanko).

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
from disdukcapil_desk.ui import desk_app
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.ui.shell import DeskShell
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings

app = QApplication(sys.argv[:1])
folder = Path(tempfile.mkdtemp())
ctx = DeskContext.open(f"sqlite:///{folder / 'desk.db'}", create=True)
SetupOps(ctx).init(None, None)
assert desk_app._database_ready(ctx)
runner = TaskRunner()
shell = DeskShell(ctx, WorkstationSettings(folder / "ws.ini"), runner, office="Dinas")
dialog = shell.show_login()
app.processEvents()
assert dialog.isVisible()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
runner.shutdown()
ctx.close()
"""


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


def test_login_dialog_shows_without_the_document_stack(tmp_path: Path) -> None:
    modules, _ = _modules_after(textwrap.dedent(SHOW_LOGIN), tmp_path)
    assert "disdukcapil_desk.ui.dialogs.login_dialog" in modules
    assert _loaded_heavy(modules) == []
