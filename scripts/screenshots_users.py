"""Grab the whole screen with the user-administration screens on it (for docs/screenshots).

Usage (a 1366x768 X server, e.g. Xvfb; SUFFIX names the scale, e.g. "-125"):
    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb [QT_SCALE_FACTOR=1.25] \
        python scripts/screenshots_users.py OUT_DIR [SUFFIX]
Writes 14-admin-users.png (the administrator's Pengguna tab over the desk) and
15-change-password.png ("Ganti kata sandi" over a counter officer's queue).
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, UserOps
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings

PASSWORD = "demo12345"


def settle(app: QApplication, ms: int = 400) -> None:
    """Let the X server map and paint the windows."""
    done = []
    QTimer.singleShot(ms, lambda: done.append(True))
    while not done:
        app.processEvents()


def grab_screen(app: QApplication, path: Path) -> None:
    """Save the whole screen, as an officer would see it."""
    settle(app)
    screen = app.primaryScreen()
    screen.grabWindow(0).save(str(path))
    print(path, screen.geometry().width(), "x", screen.geometry().height(), "logical")


def desk_window(ctx: DeskContext, login: str, settings: WorkstationSettings) -> MainWindow:
    """The officer's main window over the whole available screen."""
    actor = UserOps(ctx).authenticate(login, PASSWORD)
    window = MainWindow(
        DeskSession(ctx, actor, "DINAS"), InlineTaskRunner(), settings, database_label="demo"
    )
    window.setGeometry(window.screen().availableGeometry())
    window.show()
    window.start()
    return window


def main(out: Path, suffix: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    work = Path(tempfile.mkdtemp(prefix="desk-user-shots-"))
    ctx = DeskContext.open(sqlite_url(work / "demo.sqlite3"), create=True)
    SetupOps(ctx).init("admin", PASSWORD)
    DemoOps(ctx).generate(60, seed=7)
    _user_states(ctx)
    settings = WorkstationSettings(work / "workstation.ini")
    settings.set_location("DINAS")

    admin_window = desk_window(ctx, "admin", settings)
    dialog = AdminDialog(admin_window.session, InlineTaskRunner(), admin_window)
    dialog.show()
    settle(app)
    tab = dialog.users_tab
    tab.table.selectRow([u.login for u in tab.users].index("loket.upt05"))
    tab.state.setText("Kata sandi loket.upt05 diatur ulang. Wajib diganti saat masuk berikutnya.")
    grab_screen(app, out / f"14-admin-users{suffix}.png")
    dialog.close()
    admin_window.close()

    counter = desk_window(ctx, "loket.dinas", settings)
    password = counter.change_password()
    password.old.setText("sandi-lama")
    password.new.setText("baru")
    password.save()  # shows the rule the new password breaks
    grab_screen(app, out / f"15-change-password{suffix}.png")
    password.close()
    counter.close()


def _user_states(ctx: DeskContext) -> None:
    """A reset password, a locked account and a leaver, so the tab shows every state."""
    ops = UserOps(ctx)
    admin = ops.actor("admin")
    ops.reset_password(admin, "loket.upt05", "sementara-12")
    for _ in range(MAX_FAILED_LOGINS):
        with contextlib.suppress(DeskError):  # the lockout is what is wanted here
            ops.authenticate("loket.upt06", "keliru-sekali")
    ops.deactivate(admin, "loket.upt07")


if __name__ == "__main__":
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"),
        sys.argv[2] if len(sys.argv) > 2 else "",
    )
