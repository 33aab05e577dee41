"""Render the start-up database screens to PNG files (for docs/ and for looking at them).

Usage: python scripts/screenshots_database.py OUT_DIR [SUFFIX]
  e.g. xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.25 \\
       python scripts/screenshots_database.py docs/screenshots -125
Grabs the settings dialog while "Uji koneksi" waits for a server that never answers
(``16-settings-connecting``), and the dialog of a start whose PostgreSQL server refuses connections
(``13-database-error``). Also, for looking at only (written to a temporary folder): the
settings dialog after the time limit with "Rincian" open, and a start whose SQLite file
vanished.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.domain.errors import DatabaseError
from disdukcapil_desk.operations.connection import POSTGRESQL, DatabaseConfig, probe_database
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.ui.dialogs.database_error_dialog import DatabaseErrorDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.translation import install_indonesian
from disdukcapil_desk.ui.workstation import WorkstationSettings


def grab(widget: QWidget, path: Path) -> None:
    """Show, let Qt lay out, and save a PNG."""
    widget.show()
    widget.adjustSize()
    QApplication.processEvents()
    widget.grab().save(str(path))
    print(path)


def start_error(url: str) -> DatabaseError:
    """The error the desk's start meets on ``url``."""
    ctx = DeskContext.open(url)
    try:
        SetupOps(ctx).check()
    except DatabaseError as exc:
        return exc
    finally:
        ctx.close()
    raise SystemExit(f"{url} is usable: no error to show")


def main(out: Path, suffix: str) -> None:
    """Write the PNGs into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    install_indonesian(app)  # type: ignore[arg-type]
    work = Path(tempfile.mkdtemp(prefix="desk-shots-db-"))
    silent = socket.socket()  # accepts connections, never answers: a server that hangs
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    settings = WorkstationSettings(work / "workstation.ini")
    settings.set_database(
        DatabaseConfig(kind=POSTGRESQL, host="127.0.0.1", port=silent.getsockname()[1])
    )
    settings.set_location("DINAS")
    runner = TaskRunner()
    dialog = SettingsDialog(
        settings,
        sqlite_file=work / "disdukcapil-desk.sqlite3",
        probe=lambda url, password: probe_database(url, password, timeout_s=2),
        locations_for=lambda *_: [("DINAS", "Dinas Kependudukan dan Pencatatan Sipil")],
        store_password=lambda *_: None,
        runner=runner,
        timeout_s=2,
    )
    grab(dialog, out / f"16-settings-connecting{suffix}.png")
    while dialog.testing:
        app.processEvents()
        time.sleep(0.05)
    dialog.details.toggle.setChecked(True)
    grab(dialog, work / f"settings-timeout{suffix}.png")
    dialog.close()
    runner.shutdown()
    silent.close()

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql+psycopg://desk@127.0.0.1:{port}/disdukcapil"
    error = DatabaseErrorDialog(start_error(url), database_label=url)
    grab(error, out / f"13-database-error{suffix}.png")
    error.close()
    missing = work / "disdukcapil-desk.sqlite3"
    vanished = DatabaseErrorDialog(
        start_error(sqlite_url(missing)), database_label=sqlite_url(missing)
    )
    vanished.details.toggle.setChecked(True)
    grab(vanished, work / f"database-missing{suffix}.png")
    app.processEvents()


if __name__ == "__main__":
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"),
        sys.argv[2] if len(sys.argv) > 2 else "",
    )
