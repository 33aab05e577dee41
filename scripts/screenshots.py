"""Render the desk's screens to PNG files (for docs/ and for looking at them).

Usage: QT_QPA_PLATFORM=offscreen python scripts/screenshots.py OUT_DIR
Builds a demo database in a temp folder, then shows and grabs: settings, login, the queue,
the verification screens of an akta kelahiran, a KTP-el and a pindah datang, the print
preview of a receipt, and the administrator's "Administrasi dokumen" tabs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.domain.dto import QueueFilter
from disdukcapil_desk.operations.connection import probe_database
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings

SAMPLE_SERVICES = ("akta_kelahiran", "ktpel_penggantian", "pindah_datang_antar_kabkota")


def grab(widget: QWidget, path: Path) -> None:
    """Show, let Qt lay out, and save a PNG."""
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(path))
    print(path)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
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
    window.resize(1366, 768)
    window.start()
    grab(window, out / "03-queue.png")
    for index, code in enumerate(SAMPLE_SERVICES, start=4):
        rows = session.page(QueueFilter(service_code=code, search="Contoh"), None, 5).rows
        window.open_request(rows[0].id)
        grab(window, out / f"{index:02d}-verify-{code}.png")
        window.verification.close_request()
    window.queue.table.selectRow(0)
    preview = window.preview(
        "tanda terima", session.receipt_pdf(window.queue.selected_row().number), work / "r.pdf"
    )
    preview.resize(760, 900)
    app.processEvents()
    grab(preview, out / "07-print-preview.png")
    preview.close()
    admin = UserOps(ctx).authenticate("admin", "demo12345")
    dialog = AdminDialog(DeskSession(ctx, admin, "DINAS"), InlineTaskRunner())
    tabs = dialog.findChild(QTabWidget)
    for index, name in enumerate(("office", "signing", "numbers")):
        tabs.setCurrentIndex(index)
        grab(dialog, out / f"{8 + index:02d}-admin-{name}.png")
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
        "ktpel_penggantian": {"alasan": "hilang", "nomor_surat_kehilangan": "B/123/XI/2026"},
        "pindah_datang_antar_kabkota": {
            "no_skpwni": "3601/SKPWNI/2026/00123",
            "tanggal_skpwni": "2026-10-30",
            "alamat_asal": "Kp. Cibaliung RT 002/003",
            "kabupaten_kota_asal": "Kab. Pandeglang",
            "jenis_kepindahan": "kepala_keluarga",
            "jumlah_anggota_pindah": "3",
        },
    }
    base = {
        "nik": "3604150311920014",
        "no_kk": "3604151203180007",
        "nama": "Rudi Hartono Contoh",
        "tempat_lahir": "Serang",
        "tanggal_lahir": "1992-11-03",
        "jenis_kelamin": "L",
        "alamat": "Kp. Cikande Permai",
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
