"""Grab the whole screen with the section head's "Batalkan dokumen" dialog on it.

Usage (a 1366x768 X server, e.g. Xvfb; SUFFIX names the scale, e.g. "-125"):
    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb [QT_SCALE_FACTOR=1.25] \
        python scripts/screenshots_void.py OUT_DIR [SUFFIX]
Writes 17-void.png: a certificate found by its number, the reason typed, over the desk.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication
from screenshots_users import PASSWORD, desk_window, grab_screen, settle  # scripts/ is on the path

from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.domain.dto import QueueFilter
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.ui.workstation import WorkstationSettings


def main(out: Path, suffix: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    work = Path(tempfile.mkdtemp(prefix="desk-void-shots-"))
    ctx = DeskContext.open(sqlite_url(work / "demo.sqlite3"), create=True)
    SetupOps(ctx).init("admin", PASSWORD)
    DemoOps(ctx).generate(60, seed=7)
    number = _issue_one(ctx)
    settings = WorkstationSettings(work / "workstation.ini")
    settings.set_location("DINAS")
    window = desk_window(ctx, "kasi.dinas", settings)
    dialog = window.open_void()
    dialog.number.setText(number)
    dialog.look_up()
    dialog.reason.setText("salah ketik nama ayah pada akta")
    settle(app)
    grab_screen(app, out / f"17-void{suffix}.png")
    dialog.close()
    window.close()


def _issue_one(ctx: DeskContext) -> str:
    """Approve (the counter) and issue (the section head) one death registration; its number."""
    head, counter = UserOps(ctx).actor("kasi.dinas"), UserOps(ctx).actor("loket.dinas")
    queue = QueueOps(ctx)
    flt = QueueFilter(statuses=frozenset({Status.NEW}), service_code="akta_kematian")
    row = queue.page(head, flt, None, 1).rows[0]
    queue.claim(counter, row.id)
    queue.decide(counter, row.id, Action.APPROVE)
    number = DocumentOps(ctx).issue(head, row.id).certificate_number
    assert number is not None
    return number


if __name__ == "__main__":
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"),
        sys.argv[2] if len(sys.argv) > 2 else "",
    )
