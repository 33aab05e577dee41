"""Render the desk's screens to PNG files (for docs/screenshots and for looking at them).

Usage: python scripts/screenshots.py OUT_DIR [SUFFIX] [--only NAME...]
On a 1366x768 laptop screen, as an officer sees it (at 100 % and at 125 % scaling):
    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python scripts/screenshots.py docs/screenshots -100
    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.25 \
        python scripts/screenshots.py docs/screenshots -125
SUFFIX ends every file name (default: the scaling, ``-100`` or ``-125``). ``--only`` takes
names with or without their number (``queue``, ``03-queue``, ``admin-users``); without it every
screen is written. Without an X server the screens render offscreen.

The desk's screens (a demo database of 300 requests; the screen loses a 40-pixel taskbar and
the main window a title bar, as on the office's Windows laptops): settings, login, the queue,
the verification screens of an akta kelahiran, an akta kematian and a pindah, a request
waiting for the citizen (read-only, with its history), the revision message, the print
preview of a receipt, and the administrator's tabs (01-12). The database at start: the
dialog of a start whose PostgreSQL server refuses connections (13) and the settings dialog
while "Uji koneksi" waits for a server that never answers (16); also, for looking at only
(written to a temporary folder), the settings dialog after the time limit with "Rincian" open
and a start whose SQLite file vanished. User administration, grabbed as the whole screen: the
administrator's Pengguna tab over the desk (14) and "Ganti kata sandi" over a counter
officer's queue (15). Working offline: the desk on its local copy with the banner
(offline-banner), and the conflict dialog after the sync (offline-conflicts).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QItemSelectionModel, QRect, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.domain.dto import CheckInput, QueueFilter
from disdukcapil_desk.domain.errors import ConnectionLost, DatabaseError, DeskError
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.connection import POSTGRESQL, DatabaseConfig, probe_database
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, UserOps
from disdukcapil_desk.ui import geometry
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.dialogs.database_error_dialog import DatabaseErrorDialog
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog
from disdukcapil_desk.ui.dialogs.message_dialog import CitizenMessageDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.palette import install_stylesheet
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner
from disdukcapil_desk.ui.translation import install_indonesian
from disdukcapil_desk.ui.workstation import WorkstationSettings

PASSWORD = "demo12345"
SAMPLE_SERVICES = ("akta_kelahiran", "akta_kematian", "pindah_dalam_kabupaten")
TASKBAR_PX = 40
"""A Windows taskbar, in device pixels."""
TITLE_BAR_PX = 30
"""A maximised window's title bar, in device pixels (Xvfb has no window manager to draw it)."""
MARKS = ("tidak_terbaca", "tidak_ada", "tidak_sesuai")
DESK_SHOTS = (
    "01-settings",
    "02-login",
    "03-queue",
    *(f"{i:02d}-verify-{code}" for i, code in enumerate(SAMPLE_SERVICES, start=4)),
    "07-verify-waiting-for-citizen",
    "08-revision-message",
    "09-print-preview",
    "10-admin-office",
    "11-admin-signing",
    "12-admin-numbers",
)
DATABASE_SHOTS = ("13-database-error", "16-settings-connecting")
USER_SHOTS = ("14-admin-users", "15-change-password")
VOID_SHOT = "17-void"
QUARANTINE_SHOT = "18-quarantine"
QUARANTINED_FORM = {"nama": "Warga Contoh", "nik": "3604156107950009", "no_hp": "081234567890"}
QUARANTINED_ROWS = (
    ("whatsapp", "wa-88120", "akta_kelahiran_lama", json.dumps(QUARANTINED_FORM)),
    ("web", "web-20261130-0412", "kk_baru", "[1, 2, 3]"),
    ("whatsapp", "wa-88131", "surat_pindah_v2", json.dumps(QUARANTINED_FORM)),
    ("email", "mail-5531", "akta_kematian", json.dumps({"nama": "[" * 300 + "]" * 300})),
    ("import", "impor-2026-11-07", "legalisir", "{nama: tanpa tanda kutip}"),
)


class Shots:
    """Where the PNGs go, how they are named, and which of them are wanted."""

    def __init__(self, out: Path, suffix: str, only: Sequence[str]) -> None:
        """Write into ``out``; every name ends in ``suffix``; ``only`` empty: all."""
        self.out, self.suffix, self.only = out, suffix, set(only)
        self.work = Path(tempfile.mkdtemp(prefix="desk-shots-"))
        """A temporary folder for the databases and the shots only to look at."""

    def wanted(self, *names: str) -> bool:
        """Whether any of ``names`` (``03-queue``) is to be written."""
        return not self.only or any(
            name in self.only or name.split("-", 1)[-1] in self.only for name in names
        )

    def path(self, name: str, *, keep: bool = True) -> Path:
        """The file of ``name``: in OUT_DIR, or in the temporary folder (``keep=False``)."""
        return (self.out if keep else self.work) / f"{name}{self.suffix}.png"

    def grab(self, widget: QWidget, name: str, *, keep: bool = True, adjust: bool = False) -> None:
        """Show ``widget``, let Qt lay it out, and save it (``adjust``: at its size hint)."""
        if keep and not self.wanted(name):
            return
        widget.show()
        if adjust:
            widget.adjustSize()
        for _ in range(3):
            QApplication.processEvents()
        path = self.path(name, keep=keep)
        widget.grab().save(str(path))
        print(path, widget.width(), "x", widget.height())

    def grab_screen(self, app: QApplication, name: str) -> None:
        """Save the whole screen, as an officer would see it."""
        if not self.wanted(name):
            return
        settle(app)
        screen = app.primaryScreen()
        path = self.path(name)
        screen.grabWindow(0).save(str(path))
        print(path, screen.geometry().width(), "x", screen.geometry().height(), "logical")


def settle(app: QApplication, ms: int = 400) -> None:
    """Let the X server map and paint the windows."""
    done: list[bool] = []
    QTimer.singleShot(ms, lambda: done.append(True))
    while not done:
        app.processEvents()


def demo_database(shots: Shots, name: str, requests: int) -> DeskContext:
    """A fresh demo database with ``requests`` requests (password: ``PASSWORD``)."""
    ctx = DeskContext.open(sqlite_url(shots.work / f"{name}.sqlite3"), create=True)
    SetupOps(ctx).init("admin", PASSWORD)
    DemoOps(ctx).generate(requests, seed=7)
    return ctx


def workstation(shots: Shots, name: str) -> WorkstationSettings:
    """A workstation at the dinas with its own settings file."""
    settings = WorkstationSettings(shots.work / f"{name}.ini")
    settings.set_location("DINAS")
    return settings


# -- the desk's screens (01-12) --------------------------------------------------------------


def _laptop_screen() -> QRect:
    """Take a taskbar off the screen, as the desk's window helper sees it."""
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio()
    area = QRect(screen.geometry())
    area.setHeight(area.height() - round(TASKBAR_PX / ratio))
    geometry.available_area = lambda _widget=None: QRect(area)  # type: ignore[assignment]
    return area


def desk_screens(app: QApplication, shots: Shots) -> None:
    """Settings, login, the queue, the verification screens, the print preview, the admin tabs."""
    if not shots.wanted(*DESK_SHOTS):
        return
    real_area = geometry.available_area
    area = _laptop_screen()
    ratio = QGuiApplication.primaryScreen().devicePixelRatio()
    ctx = demo_database(shots, "demo", 300)
    _attach_samples(ctx)
    settings = workstation(shots, "workstation")
    url = sqlite_url(shots.work / "demo.sqlite3")

    dialog = SettingsDialog(
        settings,
        sqlite_file=shots.work / "demo.sqlite3",
        probe=probe_database,
        locations_for=lambda *_: SetupOps(ctx).planned_locations(),
        store_password=lambda *_: None,
    )
    shots.grab(dialog, "01-settings")
    login = LoginDialog(
        UserOps(ctx).authenticate,
        office="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Serang",
        login="loket.dinas",
    )
    shots.grab(login, "02-login")

    actor = UserOps(ctx).authenticate("loket.dinas", PASSWORD)
    session = DeskSession(ctx, actor, "DINAS")
    window = MainWindow(session, InlineTaskRunner(), settings, database_label=url)
    # Maximised on the laptop: the free screen less the title bar the system draws.
    window.move(area.topLeft())
    window.resize(area.width(), area.height() - round(TITLE_BAR_PX / ratio))
    window.start()
    shots.grab(window, "03-queue")
    for index, code in enumerate(SAMPLE_SERVICES, start=4):
        rows = session.page(QueueFilter(service_code=code, search="Contoh"), None, 5).rows
        window.open_request(rows[0].id)
        shots.grab(window, f"{index:02d}-verify-{code}")
        window.verification.close_request()
    waiting = session.page(QueueFilter(statuses=frozenset({Status.NEEDS_REVISION})), None, 1).rows
    window.open_request(waiting[0].id)
    shots.grab(window, "07-verify-waiting-for-citizen")
    window.verification.close_request()
    rows = session.page(QueueFilter(service_code="akta_kelahiran", search="Contoh"), None, 5).rows
    # As the officer does it: two documents marked, then the message drafted from what was saved.
    session.claim(rows[0].id)
    detail = session.detail(rows[0].id)
    marked = dict(zip((c.requirement_code for c in detail.checks), MARKS, strict=False))
    draft = session.draft_revision(
        detail.row.id, detail.row.version, {}, {c: CheckInput(s) for c, s in marked.items()}
    )
    session.release(detail.row.id)
    message = CitizenMessageDialog(
        "Minta perbaikan",
        "Pesan berikut dikirim ke pemohon lewat kanal permohonannya (kotak keluar) bersama "
        "keputusan ini. Semua kekurangan ada dalam satu pesan; sunting bila perlu.",
        draft.message,
        confirm_label="Kirim && kembalikan",
        parent=window,
    )
    shots.grab(message, "08-revision-message")
    message.close()
    window.queue.table.selectRow(0)
    row = window.queue.selected_row()
    assert row is not None
    preview = window.preview("tanda terima", session.receipt_pdf(row.number), shots.work / "r.pdf")
    app.processEvents()
    shots.grab(preview, "09-print-preview")
    preview.close()
    admin = UserOps(ctx).authenticate("admin", PASSWORD)
    admin_dialog = AdminDialog(DeskSession(ctx, admin, "DINAS"), InlineTaskRunner())
    tabs = admin_dialog.findChild(QTabWidget)
    assert tabs is not None
    for index, name in enumerate(("office", "signing", "numbers"), start=1):  # 0: Pengguna
        tabs.setCurrentIndex(index)
        shots.grab(admin_dialog, f"{9 + index:02d}-admin-{name}")
    admin_dialog.close()
    window.close()
    app.processEvents()
    geometry.available_area = real_area
    ctx.close()


def _attach_samples(ctx: DeskContext) -> None:
    """Three fresh requests with realistic names and attachments, for the screenshots."""
    import random

    from disdukcapil_desk.domain.demo_data import document_png

    rng = random.Random(5)
    payloads = {
        "akta_kelahiran": {
            "anak_nama": "Aisyah Putri Contoh",
            "anak_jenis_kelamin": "P",
            "anak_tanggal_lahir": "2026-10-20",
            "anak_tempat_lahir": "Puskesmas Cikande",
            "anak_ke": "2",
            "ayah_nik": "3604150311920014",
            "ayah_nama": "Rudi Hartono",
            "ibu_nik": "3604156107950009",
            "ibu_nama": "Dewi Lestari",
        },
        "akta_kematian": {
            "nik": "3604151203550003",
            "nama": "Sukarna bin Wiryadi Contoh",
            "alamat": "Kp. Cikande Permai RT 001/004",
            "tanggal_kematian": "2026-11-02",
            "tempat_kematian": "RSUD dr. Dradjat Prawiranegara, Serang",
            "sebab_kematian": "sakit_biasa_tua",
            "yang_menerangkan": "dokter",
            "pelapor_nik": "3604150311920014",
            "pelapor_nama": "Rudi Hartono",
            "hubungan_pelapor": "Anak kandung",
        },
        "pindah_dalam_kabupaten": {
            "alamat_tujuan": "Perumahan Bumi Ciruas Permai Blok C2 No. 17",
            "rt_tujuan": "003",
            "rw_tujuan": "007",
            "kode_desa_tujuan": "3604092002",
            "alasan_pindah": "perumahan",
            "klasifikasi_pindah": "antar_kecamatan",
            "jenis_kepindahan": "kepala_dan_seluruh_anggota",
            "jumlah_anggota_pindah": "4",
            "nik_anggota_pindah": "3604156107950009, 3604154508180002, 3604151210200001",
            "status_kk_tujuan": "membuat_kk_baru",
        },
    }
    base = {
        "nik": "3604150311920014",
        "no_kk": "3604151203180007",
        "nama": "Rudi Hartono Contoh",
        "tempat_lahir": "Serang",
        "tanggal_lahir": "1992-11-03",
        "jenis_kelamin": "L",
        "alamat": "Kp. Cikande Permai Jl. Raya Serang-Jakarta Km 68 Gg. Masjid Al-Ikhlas",
        "rt": "001",
        "rw": "004",
        "kode_desa": "3604152003",
        "no_hp": "085712345678",
    }
    ops = IntakeOps(ctx)
    for code, extra in payloads.items():
        service = ctx.reference.catalogue.get(code)
        ops.submit_row(
            IncomingRow(
                channel="whatsapp",
                external_ref=f"shot-{code}",
                service_code=code,
                payload=json.dumps({**base, **extra}),
                sender="+6285712345678",
                location_code="DINAS",
                attachments=tuple(
                    (r.code, f"{r.code}.png", "image/png", document_png(rng, 900, 600))
                    for r in service.requirements[:3]
                ),
            )
        )
    ops.ingest()


# -- the database at start (13, 16) ---------------------------------------------------------


def database_screens(app: QApplication, shots: Shots) -> None:
    """The settings dialog waiting for a server that hangs; the error of a refused start."""
    if not shots.wanted(*DATABASE_SHOTS):
        return
    silent = socket.socket()  # accepts connections, never answers: a server that hangs
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    settings = workstation(shots, "workstation-db")
    settings.set_database(
        DatabaseConfig(kind=POSTGRESQL, host="127.0.0.1", port=silent.getsockname()[1])
    )
    runner = TaskRunner()
    dialog = SettingsDialog(
        settings,
        sqlite_file=shots.work / "disdukcapil-desk.sqlite3",
        probe=lambda url, password: probe_database(url, password, timeout_s=2),
        locations_for=lambda *_: [("DINAS", "Dinas Kependudukan dan Pencatatan Sipil")],
        store_password=lambda *_: None,
        runner=runner,
        timeout_s=2,
    )
    shots.grab(dialog, "16-settings-connecting", adjust=True)
    while dialog.testing:
        app.processEvents()
        time.sleep(0.05)
    dialog.details.toggle.setChecked(True)
    shots.grab(dialog, "settings-timeout", keep=False, adjust=True)
    dialog.close()
    runner.shutdown()
    silent.close()

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql+psycopg://desk@127.0.0.1:{port}/disdukcapil"
    error = DatabaseErrorDialog(start_error(url), database_label=url)
    shots.grab(error, "13-database-error", adjust=True)
    error.close()
    missing = shots.work / "disdukcapil-desk.sqlite3"
    vanished = DatabaseErrorDialog(
        start_error(sqlite_url(missing)), database_label=sqlite_url(missing)
    )
    vanished.details.toggle.setChecked(True)
    shots.grab(vanished, "database-missing", keep=False, adjust=True)
    vanished.close()
    app.processEvents()


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


# -- user administration (14, 15) ------------------------------------------------------------


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


def user_screens(app: QApplication, shots: Shots) -> None:
    """The administrator's Pengguna tab, and "Ganti kata sandi" over a counter's queue."""
    if not shots.wanted(*USER_SHOTS):
        return
    ctx = demo_database(shots, "demo-users", 60)
    _user_states(ctx)
    settings = workstation(shots, "workstation-users")

    admin_window = desk_window(ctx, "admin", settings)
    dialog = AdminDialog(admin_window.session, InlineTaskRunner(), admin_window)
    dialog.show()
    settle(app)
    tab = dialog.users_tab
    tab.table.selectRow([u.login for u in tab.users].index("loket.upt05"))
    tab.state.setText("Kata sandi loket.upt05 diatur ulang. Wajib diganti saat masuk berikutnya.")
    shots.grab_screen(app, "14-admin-users")
    dialog.close()
    admin_window.close()

    counter = desk_window(ctx, "loket.dinas", settings)
    password = counter.change_password()
    password.old.setText("sandi-lama")
    password.new.setText("baru")
    password.save()  # shows the rule the new password breaks
    shots.grab_screen(app, "15-change-password")
    password.close()
    counter.close()
    ctx.close()


def _user_states(ctx: DeskContext) -> None:
    """A reset password, a locked account and a leaver, so the tab shows every state."""
    ops = UserOps(ctx)
    admin = ops.actor("admin")
    ops.reset_password(admin, "loket.upt05", "sementara-12")
    for _ in range(MAX_FAILED_LOGINS):
        with contextlib.suppress(DeskError):  # the lockout is what is wanted here
            ops.authenticate("loket.upt06", "keliru-sekali")
    ops.deactivate(admin, "loket.upt07")


def void_screen(app: QApplication, shots: Shots) -> None:
    """The section head's "Batalkan dokumen": a certificate found, the reason typed."""
    if not shots.wanted(VOID_SHOT):
        return
    ctx = demo_database(shots, "demo-void", 60)
    head, counter = UserOps(ctx).actor("kasi.dinas"), UserOps(ctx).actor("loket.dinas")
    queue = QueueOps(ctx)
    flt = QueueFilter(statuses=frozenset({Status.NEW}), service_code="akta_kematian")
    row = queue.page(head, flt, None, 1).rows[0]
    queue.claim(counter, row.id)
    queue.decide(counter, row.id, Action.APPROVE)  # the counter approves, the head issues
    from disdukcapil_desk.operations.after_approval import AfterApprovalOps

    AfterApprovalOps(ctx).record_siak(counter, row.id, {"no_akta": "3604-KM-30112026-0012"})
    number = DocumentOps(ctx).issue(head, row.id).certificate_number
    assert number is not None
    window = desk_window(ctx, "kasi.dinas", workstation(shots, "workstation-void"))
    dialog = window.open_void()
    dialog.number.setText(number)
    dialog.look_up()
    dialog.reason.setText("salah ketik nama ayah pada akta")
    shots.grab_screen(app, VOID_SHOT)
    dialog.close()
    window.close()
    ctx.close()


def quarantine_screen(app: QApplication, shots: Shots) -> None:
    """The administrator's "Karantina masuk": rows that became no request, two selected."""
    if not shots.wanted(QUARANTINE_SHOT):
        return
    ctx = demo_database(shots, "demo-quarantine", 20)
    intake = IntakeOps(ctx)
    start = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    for minutes, (channel, ref, service, payload) in enumerate(QUARANTINED_ROWS):
        intake.submit_row(
            IncomingRow(
                channel=channel,
                external_ref=ref,
                service_code=service,
                payload=payload,
                sender="+6281234567890",
                received_at=start + dt.timedelta(minutes=7 * minutes),
            )
        )
    intake.ingest()
    admin_window = desk_window(ctx, "admin", workstation(shots, "workstation-quarantine"))
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
    shots.grab_screen(app, QUARANTINE_SHOT)
    dialog.close()
    admin_window.close()
    ctx.close()


# -- after approval: Input SIAK, TTE, sending (siak-*) ------------------------------------------

SIAK_SHOTS = ("siak-1-input", "siak-2-tte", "siak-3-admin")
DEATH_SAMPLE = {
    "nama": "Siti Aminah",
    "nik": "3604154506850003",
    "no_hp": "081234567890",
    "almarhum_nama": "Ahmad Sudirman",
    "tanggal_kematian": "2026-11-25",
    "tempat_kematian": "RSUD Serang",
    "sebab_kematian": "sakit",
}


def siak_screens(app: QApplication, shots: Shots) -> None:
    """The "Tindak lanjut" tab: an akta kelahiran's Input SIAK with a legacy number flagged as
    typed, an akta kematian once its signed PDF is attached, and the administrator's TTE tab.
    """
    if not shots.wanted(*SIAK_SHOTS):
        return
    from disdukcapil_desk.domain.delivery import SiakNumberKind
    from disdukcapil_desk.operations.after_approval import AfterApprovalOps
    from disdukcapil_desk.reports.signing import load_identity, self_signed_pkcs12, sign_pdf

    _laptop_screen()
    ctx = demo_database(shots, "demo-siak", 60)
    queue, counter = QueueOps(ctx), UserOps(ctx).actor("loket.dinas")
    IntakeOps(ctx).submit_row(
        IncomingRow(
            channel="whatsapp",
            external_ref="wa-tte-contoh",
            service_code="akta_kematian",
            payload=json.dumps(DEATH_SAMPLE),
            sender="+6281234567890",
            received_at=dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC),
        )
    )
    IntakeOps(ctx).ingest()
    new = frozenset({Status.NEW})
    second, first = (  # an akta kelahiran to type into, an akta kematian to attach to
        queue.page(counter, QueueFilter(statuses=new, service_code=code), None, 1).rows[0]
        for code in ("akta_kelahiran", "akta_kematian")
    )
    for row in (first, second):
        queue.claim(counter, row.id)
        queue.decide(counter, row.id, Action.APPROVE)
    akta = f"3604-KM-30112026-{first.id:04d}"
    window = desk_window(ctx, "operator.dinas", workstation(shots, "workstation-siak"))
    window.open_request(second.id)
    panel = window.verification.follow_up
    panel.fields[SiakNumberKind.AKTA].setText("3604.LU.3011202-0168")
    panel._check_typed(SiakNumberKind.AKTA)
    panel.fields[SiakNumberKind.NIK].setText("3604152110260001")
    panel._check_typed(SiakNumberKind.NIK)
    shots.grab_screen(app, "siak-1-input")

    operator = UserOps(ctx).actor("operator.dinas")
    ops = AfterApprovalOps(ctx)
    ops.record_siak(operator, first.id, {"no_akta": akta})
    pkcs12, _ = self_signed_pkcs12(
        "Dr. H. Kepala Dinas, M.Si.", "x", not_after=dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
    )
    pdf = sign_pdf(_akta_pdf(akta), load_identity(pkcs12, "x"), reason="TTE", location="Serang")
    result = ops.attach_signed_pdf(operator, first.id, f"akta-{first.id}.pdf", pdf)
    window.open_request(first.id)
    panel = window.verification.follow_up
    panel._show_document(result.document, result.warnings)  # as right after attaching
    shots.grab_screen(app, "siak-2-tte")

    admin_window = desk_window(ctx, "admin", workstation(shots, "workstation-siak-admin"))
    dialog = AdminDialog(admin_window.session, InlineTaskRunner(), admin_window)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.tte_tab)
    settle(app)
    shots.grab_screen(app, "siak-3-admin")
    dialog.close()
    admin_window.close()


# -- the outbox: a request's conversation, the office's undelivered messages -----------------

OUTBOX_SHOTS = ("conversation", "undelivered")
FAIL_REASONS = (
    "nomor tidak terdaftar di WhatsApp",
    "kotak surat penuh (e-mail ditolak server penerima)",
    "nomor diblokir oleh penerima",
    "batas kirim harian kanal tercapai, dicoba 5 kali",
)


def outbox_screens(app: QApplication, shots: Shots) -> None:
    """The conversation of a request that went back for revision and came back (every
    delivery state, a failed message with its buttons), and the office's undelivered list,
    each over the counter officer's queue, as the whole screen.
    """
    if not shots.wanted(*OUTBOX_SHOTS):
        return
    ctx = demo_database(shots, "demo-outbox", 80)
    counter = UserOps(ctx).actor("loket.dinas")
    queue, intake = QueueOps(ctx), IntakeOps(ctx)
    flt = QueueFilter(statuses=frozenset({Status.NEW}))
    row = next(r for r in queue.page(counter, flt, None, 80).rows if not r.resubmission_count)
    contact = queue.detail(counter, row.id).contact
    queue.claim(counter, row.id)
    queue.decide(
        counter,
        row.id,
        Action.REQUEST_REVISION,
        citizen_message=(
            f"Yth. Bapak/Ibu {row.applicant_name},\n\nPermohonan *{row.service_name}* nomor "
            f"*{row.number}* belum dapat kami proses:\n1. Foto KTP-el pemohon: tidak "
            "terbaca. Mohon foto ulang dengan jelas.\n\nBalas pesan ini dengan perbaikannya."
        ),
    )
    _report(ctx, row.id, "received", attempts=1, sent=True, delivered=True)
    _report(ctx, row.id, "needs_revision", attempts=5, failed=FAIL_REASONS[0])
    ktp = (None, "ktp-foto-ulang.jpg", "image/jpeg", b"\xff\xd8")
    intake.submit_row(
        IncomingRow(
            channel=row.channel,
            external_ref="shot-balasan-1",
            service_code=row.service_code,
            payload=json.dumps({"catatan": "foto ulang KTP"}),
            sender=contact,
            reply_to_number=row.number,
            attachments=(ktp,),
        )
    )
    intake.ingest()
    queue.claim(counter, row.id)
    queue.decide(counter, row.id, Action.APPROVE)
    _report(ctx, row.id, "approved", attempts=1, sent=True)
    _fail_others(ctx, row.id)
    window = desk_window(ctx, "loket.dinas", workstation(shots, "workstation-outbox"))
    settle(app)
    conversation = window.open_conversation(row.id)
    assert conversation is not None
    shots.grab_screen(app, "conversation")
    conversation.close()
    listing = window.open_undelivered()
    shots.grab_screen(app, "undelivered")
    listing.close()
    window.close()
    ctx.close()


def _akta_pdf(number: str) -> bytes:
    """A stand-in for SIAK's kutipan akta (before its TTE)."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.drawString(72, 760, "KUTIPAN AKTA KEMATIAN")
    page.drawString(72, 740, f"Berdasarkan Akta Kematian Nomor {number}")
    page.save()
    return out.getvalue()


def _report(
    ctx: DeskContext,
    request_id: int,
    kind: str,
    *,
    attempts: int,
    sent: bool = False,
    delivered: bool = False,
    failed: str = "",
) -> None:
    """What a channel reports on a request's latest message of ``kind`` (the bots' side)."""
    from sqlalchemy import func, select, update

    from disdukcapil_desk.db.models import OutgoingMessage as Message

    with ctx.unit_of_work() as session:
        now = ctx.now(session)
        latest = (
            select(func.max(Message.id))
            .where(Message.service_request_id == request_id, Message.kind == kind)
            .scalar_subquery()
        )
        session.execute(
            update(Message)
            .where(Message.id == latest)
            .values(
                attempts=attempts,
                sent_at=now if sent or delivered else None,
                delivered_at=now if delivered else None,
                failed_at=now if failed else None,
                fail_reason=failed or None,
            )
        )


def _fail_others(ctx: DeskContext, request_id: int) -> None:
    """Seven other requests' "received" messages failed a few hours apart, for the list."""
    from sqlalchemy import select, update

    from disdukcapil_desk.db.models import OutgoingMessage as Message

    with ctx.unit_of_work() as session:
        now = ctx.now(session)
        ids = session.scalars(
            select(Message.id)
            .where(Message.kind == "received", Message.service_request_id != request_id)
            .order_by(Message.id)
            .limit(42)
        ).all()
        for n, message_id in enumerate(ids[::6]):
            session.execute(
                update(Message)
                .where(Message.id == message_id)
                .values(
                    attempts=5,
                    failed_at=now - dt.timedelta(hours=30 - 4 * n),
                    fail_reason=FAIL_REASONS[n % len(FAIL_REASONS)],
                )
            )


def main(argv: Sequence[str]) -> None:
    """Write the PNGs the arguments ask for."""
    parser = argparse.ArgumentParser(description="Render the desk's screens to PNG files.")
    parser.add_argument("out", type=Path, nargs="?", default=Path("docs/screenshots"))
    parser.add_argument("suffix", nargs="?", default=None, help="e.g. -100 (default: the scaling)")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME")
    args = parser.parse_args(argv)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    install_indonesian(app)  # as the desk starts: Qt's own words in Indonesian…
    install_stylesheet(app)  # …and its style sheet
    geometry.install_screen_fit(app)
    ratio = QGuiApplication.primaryScreen().devicePixelRatio()
    suffix = args.suffix if args.suffix is not None else f"-{round(ratio * 100)}"
    args.out.mkdir(parents=True, exist_ok=True)
    shots = Shots(args.out, suffix, args.only)
    desk_screens(app, shots)
    database_screens(app, shots)
    user_screens(app, shots)
    void_screen(app, shots)
    quarantine_screen(app, shots)
    siak_screens(app, shots)
    pickup_screens(app, shots)
    outbox_screens(app, shots)
    walk_in_screen(app, shots)
    offline_screens(app, shots)


# -- a walk-in at the counter (walk-in) ------------------------------------------------------

WALK_IN_SHOT = "walk-in"
WALK_IN_TYPED = {
    "nik": "3604150501140003",
    "nama": "Bagas Saputra",
    "tanggal_lahir": "05-01-2014",
    "no_kk": "3604151203180007",
    "alamat": "Kp. Cikande Permai",
    "kode_desa": "3604152003",
    "no_hp": "085712345678",
    "nik_orang_tua_wali": "3604156107950009",
}


def walk_in_screen(app: QApplication, shots: Shots) -> None:
    """The walk-in dialog ("Permohonan datang langsung") of a KIA at UPT-05, half typed: the
    parent's name still missing, two scans attached from the scanner folder's newest files.
    """
    if not shots.wanted(WALK_IN_SHOT):
        return
    from disdukcapil_desk.ui.dialogs.walk_in import SCANNER_KEY

    ctx = demo_database(shots, "demo-walk-in", 20)
    folder = shots.work / "pindai"
    folder.mkdir(exist_ok=True)
    for age, name in ((900, "scan_0041.pdf"), (60, "scan_0042.pdf"), (30, "scan_0043.jpg")):
        (folder / name).write_bytes(b"%PDF-1.4")
        os.utime(folder / name, (time.time() - age, time.time() - age))
    settings = workstation(shots, "workstation-walk-in")
    settings.set_user_value("loket.upt05", SCANNER_KEY, str(folder))
    window = desk_window(ctx, "loket.upt05", settings)
    dialog = window.open_walk_in()
    dialog.services.setCurrentIndex(dialog.services.findData("kia"))
    assert dialog.form is not None
    for name, value in WALK_IN_TYPED.items():
        editor = dialog.form.editors[name]
        editor.set_value(value)
    dialog.form.editors["jenis_kelamin"].set_value("L")
    dialog.scans.setCurrentRow(0)
    dialog.scans.item(0).setSelected(True)
    dialog.scans.item(1).setSelected(True)
    dialog.attach_selected_scans()
    settle(app)
    dialog.form.editors["nama_orang_tua_wali"].input.setFocus()
    shots.grab_screen(app, WALK_IN_SHOT)
    dialog.close()
    window.close()


# -- pickup by appointment (pickup-list, pickup-print, admin-pickup-hours) -------------------

PICKUP_SHOTS = ("pickup-list", "pickup-print", "admin-pickup-hours")
PICKUP_MONDAY = dt.date(2026, 11, 30)


def _wib(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC) - dt.timedelta(
        hours=7
    )


def _issued_cards(ctx: DeskContext, count: int) -> list[int]:
    """``count`` KTP-el replacements of UPT-05, approved by its counter and issued."""
    from tests.factories import make_request

    intake = IntakeOps(ctx)
    names = ("Siti Aminah", "Dedi Kurniawan", "Rina Marlina", "Agus Salim", "Nurhayati",
             "Bambang Sutrisno", "Euis Komariah", "Ujang Suherman")  # fmt: skip
    for i in range(count):
        intake.submit_row(
            make_request(
                external_ref=f"ambil-{i}",
                location_code="UPT-05",
                fields={"nama": names[i % len(names)]},
                received_at=_wib(PICKUP_MONDAY, "07:00") - dt.timedelta(days=14, minutes=i),
            )
        )
    intake.ingest()
    counter, head = UserOps(ctx).actor("loket.upt05"), UserOps(ctx).actor("kasi.dinas")
    queue, documents = QueueOps(ctx), DocumentOps(ctx)
    ids = []
    while (lease := queue.claim_next(counter, "UPT-05")) is not None:
        queue.decide(counter, lease.request_id, Action.APPROVE)
        documents.issue(head, lease.request_id)
        ids.append(lease.request_id)
    return ids


def pickup_screens(app: QApplication, shots: Shots) -> None:
    """Pengambilan hari ini of UPT-05 on a Monday at 10:40 WIB: two collected, one who did
    not come at 10:00 (rebooked), three still to come, one awaited after two misses; the
    scanner's last check-in shown; and the printed list (pdftoppm).
    """
    if not shots.wanted(*PICKUP_SHOTS):
        return
    from disdukcapil_desk.operations.pickup import PickupOps

    ctx = demo_database(shots, "demo-pickup", 20)
    now = [_wib(PICKUP_MONDAY, "06:00")]
    ctx.clock = lambda: now[0]
    ids = _issued_cards(ctx, 8)
    counter = UserOps(ctx).actor("loket.upt05")
    ops = PickupOps(ctx)
    friday = PICKUP_MONDAY - dt.timedelta(days=3)
    now[0] = _wib(friday, "07:00")
    ops.book(counter, ids[0], None, slot=_wib(friday, "08:00"))  # missed on Friday…
    now[0] = _wib(PICKUP_MONDAY, "06:00")
    ops.sweep()
    ops.rebook(counter, ids[0], None, slot=_wib(PICKUP_MONDAY, "08:00"))  # …and on Monday
    for request_id, hhmm in zip(
        ids[1:], ("09:00", "09:00", "09:30", "10:00", "11:00", "11:30", "13:00"), strict=True
    ):
        ops.book(counter, request_id, None, slot=_wib(PICKUP_MONDAY, hhmm))
    now[0] = _wib(PICKUP_MONDAY, "09:20")
    ops.sweep()  # 08:00 passed: missed a second time, the citizen is awaited
    numbers = [r.number for r in ops.day_list(counter) if r.window is not None]
    ops.check_in(counter, numbers[1])
    window = desk_window(ctx, "loket.upt05", workstation(shots, "workstation-pickup"))
    dialog = window.open_pickup()
    settle(app)
    dialog.check_in_field.setText(f"DDK2|R|{numbers[2]}|1A2B3C4D|ABCDEFGHIJKLMNOP")
    dialog.check_in()
    dialog.check_in_field.setText("UPT-05/2026")  # the scanner is typing the next one
    settle(app)
    shots.grab_screen(app, "pickup-list")
    if shots.wanted("pickup-print"):
        pdf = shots.work / "daftar-pengambilan.pdf"
        pdf.write_bytes(window.session.pickup_list_pdf())
        stem = shots.path("pickup-print").with_suffix("")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(stem)], check=True
        )
        print(shots.path("pickup-print"))
    dialog.close()
    window.close()
    if shots.wanted("admin-pickup-hours"):
        admin = UserOps(ctx).authenticate("admin", PASSWORD)
        admin_dialog = AdminDialog(DeskSession(ctx, admin, "DINAS"), InlineTaskRunner())
        admin_dialog.tabs.setCurrentWidget(admin_dialog.pickup_tab)
        admin_dialog.show()
        settle(app)
        admin_dialog.pickup_tab.rest.on.setChecked(True)
        admin_dialog.pickup_tab.friday_rest.on.setChecked(True)
        settle(app)
        shots.grab(admin_dialog, "admin-pickup-hours")
        admin_dialog.close()
    ctx.close()


# -- working offline (offline-banner, offline-conflicts) ------------------------------------

OFFLINE_SHOTS = ("offline-banner", "offline-conflicts")


class _ServerSwitch:
    """The server out of reach: every connection taken from its pool is refused."""

    down = False

    def __call__(self) -> None:
        if self.down:
            raise ConnectionLost("Server kantor tidak terjangkau.")


def offline_screens(app: QApplication, shots: Shots) -> None:
    """A counter officer at the dinas prepared the day, lost the server and claimed three
    requests on the local copy (the banner); the section head took two of them meanwhile, so
    the sync back ends in the conflict dialog.
    """
    if not shots.wanted(*OFFLINE_SHOTS):
        return
    from disdukcapil_desk.ui.offline_parts import WorkstationOffline

    ctx = demo_database(shots, "demo-offline", 120)
    settings = workstation(shots, "workstation-offline")
    settings.set_offline_capable(True)
    server = _ServerSwitch()
    ctx.add_checkout_guard(server)
    parts = WorkstationOffline(
        ctx,
        shots.work / "data-offline",
        "PC-DINAS-ab12cd",
        "DINAS",
        capable=lambda: True,
        guard=None,
    )
    users = UserOps(ctx)
    officer = users.authenticate("loket.dinas", PASSWORD)
    window = MainWindow(
        DeskSession(ctx, officer, "DINAS", offline=parts),
        InlineTaskRunner(),
        settings,
        database_label="demo",
    )
    window.setGeometry(window.screen().availableGeometry())
    window.show()
    window.start()
    window.statusBar().showMessage(
        parts.prepare(officer, [], 300, lambda _d, _t: None, lambda: False), 60000
    )
    server.down = True
    window.refresh()
    session = window.session
    assert session.offline, "the desk went offline"
    flt = QueueFilter(statuses=frozenset({Status.NEW}))
    waiting = [r for r in session.page(flt, None, 50).rows if r.holder is None]
    for row in waiting[:3]:
        session.claim(row.id)
    window.offline.refresh_status()
    window.refresh()
    shots.grab_screen(app, "offline-banner")

    server.down = False
    head = users.actor("kasi.dinas")
    for row in waiting[:2]:
        QueueOps(ctx).claim(head, row.id)  # meanwhile, at the office
    window.offline.probe()
    dialog = window.offline.conflict_dialog
    dialog.table.selectRow(0)
    shots.grab_screen(app, "offline-conflicts")
    dialog.close()
    window.close()


if __name__ == "__main__":
    main(sys.argv[1:])
