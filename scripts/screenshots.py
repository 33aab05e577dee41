"""Render the desk's screens to PNG files (for docs/ and for looking at them).

Usage: QT_QPA_PLATFORM=offscreen python scripts/screenshots.py OUT_DIR
On a 1366x768 laptop screen, as an officer sees it (at 100 % and at 125 % scaling):
    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python scripts/screenshots.py docs/screenshots
    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.25 \
        python scripts/screenshots.py docs/screenshots
The screen loses a 40-pixel taskbar and the main window a title bar, as on the office's
Windows laptops; file names end in the scaling (``-100``, ``-125``).
Builds a demo database in a temp folder, then shows and grabs: settings, login, the queue,
the verification screens of an akta kelahiran, an akta kematian and a pindah, a request
waiting for the citizen (read-only, with its history), the revision message, the print
preview of a receipt, and the administrator's "Administrasi dokumen" tabs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.domain.dto import CheckInput, QueueFilter
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.connection import probe_database
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.ui import geometry
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog
from disdukcapil_desk.ui.dialogs.message_dialog import CitizenMessageDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings

SAMPLE_SERVICES = ("akta_kelahiran", "akta_kematian", "pindah_dalam_kabupaten")
TASKBAR_PX = 40
"""A Windows taskbar, in device pixels."""
TITLE_BAR_PX = 30
"""A maximised window's title bar, in device pixels (Xvfb has no window manager to draw it)."""
SUFFIX = ""
MARKS = ("tidak_terbaca", "tidak_ada", "tidak_sesuai")


def grab(widget: QWidget, path: Path) -> None:
    """Show, let Qt lay out, and save a PNG (named with the scaling)."""
    widget.show()
    for _ in range(3):
        QApplication.processEvents()
    path = path.with_name(f"{path.stem}{SUFFIX}{path.suffix}")
    widget.grab().save(str(path))
    print(path, widget.width(), "x", widget.height())


def _laptop_screen(app: QApplication) -> QRect:
    """Take a taskbar off the screen, as the desk's window helper sees it."""
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio()
    area = QRect(screen.geometry())
    area.setHeight(area.height() - round(TASKBAR_PX / ratio))
    geometry.available_area = lambda _widget=None: QRect(area)  # type: ignore[assignment]
    return area


def main(out: Path) -> None:
    global SUFFIX
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    geometry.install_screen_fit(app)
    area = _laptop_screen(app)
    ratio = QGuiApplication.primaryScreen().devicePixelRatio()
    SUFFIX = f"-{round(ratio * 100)}"
    work = Path(tempfile.mkdtemp(prefix="desk-shots-"))
    url = sqlite_url(work / "demo.sqlite3")
    ctx = DeskContext.open(url, create=True)
    SetupOps(ctx).init("admin", "demo12345")
    DemoOps(ctx).generate(300, seed=7)
    _attach_samples(ctx)
    settings = WorkstationSettings(work / "workstation.ini")
    settings.set_location("DINAS")

    dialog = SettingsDialog(
        settings,
        sqlite_file=work / "demo.sqlite3",
        probe=probe_database,
        locations_for=lambda *_: SetupOps(ctx).planned_locations(),
        store_password=lambda *_: None,
    )
    grab(dialog, out / "01-settings.png")
    login = LoginDialog(
        UserOps(ctx).authenticate,
        office="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Serang",
        login="loket.dinas",
    )
    grab(login, out / "02-login.png")

    actor = UserOps(ctx).authenticate("loket.dinas", "demo12345")
    session = DeskSession(ctx, actor, "DINAS")
    window = MainWindow(session, InlineTaskRunner(), settings, database_label=url)
    # Maximised on the laptop: the free screen less the title bar the system draws.
    window.move(area.topLeft())
    window.resize(area.width(), area.height() - round(TITLE_BAR_PX / ratio))
    window.start()
    grab(window, out / "03-queue.png")
    for index, code in enumerate(SAMPLE_SERVICES, start=4):
        rows = session.page(QueueFilter(service_code=code, search="Contoh"), None, 5).rows
        window.open_request(rows[0].id)
        grab(window, out / f"{index:02d}-verify-{code}.png")
        window.verification.close_request()
    waiting = session.page(QueueFilter(statuses=frozenset({Status.NEEDS_REVISION})), None, 1).rows
    window.open_request(waiting[0].id)
    grab(window, out / "07-verify-waiting-for-citizen.png")
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
        "Pesan berikut akan disimpan untuk dikirim ke pemohon. Semua kekurangan ada dalam "
        "satu pesan; sunting bila perlu.",
        draft.message,
        lambda text: session.whatsapp_link(detail, text),
        confirm_label="Simpan && kembalikan",
        parent=window,
    )
    grab(message, out / "08-revision-message.png")
    message.close()
    window.queue.table.selectRow(0)
    preview = window.preview(
        "tanda terima", session.receipt_pdf(window.queue.selected_row().number), work / "r.pdf"
    )
    app.processEvents()
    grab(preview, out / "09-print-preview.png")
    preview.close()
    admin = UserOps(ctx).authenticate("admin", "demo12345")
    dialog = AdminDialog(DeskSession(ctx, admin, "DINAS"), InlineTaskRunner())
    tabs = dialog.findChild(QTabWidget)
    for index, name in enumerate(("office", "signing", "numbers"), start=1):  # 0: Pengguna
        tabs.setCurrentIndex(index)
        grab(dialog, out / f"{9 + index:02d}-admin-{name}.png")
    app.processEvents()


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


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
