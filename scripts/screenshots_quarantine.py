"""Grab the whole screen with the administrator's "Karantina masuk" tab on it.

Usage (a 1366x768 X server, e.g. Xvfb; SUFFIX names the scale, e.g. "-125"):
    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb [QT_SCALE_FACTOR=1.25] \
        python scripts/screenshots_quarantine.py OUT_DIR [SUFFIX]
Writes 18-quarantine.png: quarantined intake rows with their reasons, two selected, the note
typed, over the desk.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication
from screenshots_users import PASSWORD, desk_window, grab_screen, settle  # scripts/ is on the path

from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.tasks import InlineTaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings

FORM = {"nama": "Warga Contoh", "nik": "3604156107950009", "no_hp": "081234567890"}
ROWS = (
    ("whatsapp", "wa-88120", "akta_kelahiran_lama", json.dumps(FORM)),
    ("web", "web-20261130-0412", "kk_baru", "[1, 2, 3]"),
    ("whatsapp", "wa-88131", "surat_pindah_v2", json.dumps(FORM)),
    ("email", "mail-5531", "akta_kematian", json.dumps({"nama": "[" * 300 + "]" * 300})),
    ("import", "impor-2026-11-07", "legalisir", "{nama: tanpa tanda kutip}"),
)


def main(out: Path, suffix: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    work = Path(tempfile.mkdtemp(prefix="desk-quarantine-shots-"))
    ctx = DeskContext.open(sqlite_url(work / "demo.sqlite3"), create=True)
    SetupOps(ctx).init("admin", PASSWORD)
    DemoOps(ctx).generate(20, seed=7)
    _quarantined_rows(ctx)
    settings = WorkstationSettings(work / "workstation.ini")
    settings.set_location("DINAS")

    admin_window = desk_window(ctx, "admin", settings)
    dialog = AdminDialog(admin_window.session, InlineTaskRunner(), admin_window)
    dialog.show()
    tab = dialog.quarantine_tab
    dialog.tabs.setCurrentWidget(tab)
    settle(app)
    selection = tab.table.selectionModel()
    for row in (0, 2):
        selection.select(
            tab.table.model().index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    tab.note.setText("kode layanan lama dipetakan di katalog")
    grab_screen(app, out / f"18-quarantine{suffix}.png")
    dialog.close()
    admin_window.close()


def _quarantined_rows(ctx: DeskContext) -> None:
    """Rows a channel sent that cannot become requests, each for another reason."""
    ops = IntakeOps(ctx)
    start = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    for minutes, (channel, ref, service, payload) in enumerate(ROWS):
        ops.submit_row(
            IncomingRow(
                channel=channel,
                external_ref=ref,
                service_code=service,
                payload=payload,
                sender="+6281234567890",
                received_at=start + dt.timedelta(minutes=7 * minutes),
            )
        )
    ops.ingest()


if __name__ == "__main__":
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"),
        sys.argv[2] if len(sys.argv) > 2 else "",
    )
