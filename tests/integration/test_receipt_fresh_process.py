"""A slip receipt as the very first document of a fresh process (fonts registered in time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from pathlib import Path
from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.setup import SetupOps
from tests.integration.test_intake import sample_row

ctx = DeskContext.open(sqlite_url(Path(sys.argv[1])), create=True)
SetupOps(ctx).init()
IntakeOps(ctx).submit_row(sample_row("wa-1003"))
IntakeOps(ctx).ingest()
from sqlalchemy import text
with ctx.reading() as session:
    number = session.execute(text("select number from service_request")).scalar_one()
pdf = DocumentOps(ctx).render_receipt(Actor("loket", Role.COUNTER, None, "DINAS"), number,
                                      slip=True)
sys.stdout.write(pdf[:5].decode())
"""


def test_slip_receipt_first_in_a_fresh_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "desk.sqlite3")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "%PDF-"
