"""``disdukcapil-desk --smoke-test``: prove an installation (or the PyInstaller bundle) works.

In a temporary folder it creates an SQLite database with ``SetupOps.init`` (schema, catalogue,
offices, an administrator), adds a section head, receives one request through ``IntakeOps``,
renders its receipt PDF with the bundled fonts and (when recaps are present) a recap workbook,
then shows the main window and the "Tentang" dialog (on Qt's offscreen platform unless
QT_QPA_PLATFORM names another). Every step prints one line; at the end it prints ``OK`` and
returns 0. The first failing step prints its reason and returns 1 (the traceback goes to the
log). Nothing outside the temporary folder is touched, so it is safe on an office workstation.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import secrets
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TextIO, TypeVar

from disdukcapil_desk import APP_ID, __version__
from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.documents import PrintPurpose
from disdukcapil_desk.domain.dto import Actor, QueueFilter
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import DINAS_CODE, SetupOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.paths import UserDirs, resource_path, resources_root

log = logging.getLogger("disdukcapil_desk.smoke")
T = TypeVar("T")

SMOKE_SERVICE = "ktpel_penggantian"
SMOKE_PAYLOAD = {
    "nik": "3604150311920014",
    "no_kk": "3604151203180007",
    "nama": "Uji Asap Instalasi",
    "tempat_lahir": "Serang",
    "tanggal_lahir": "1992-11-03",
    "jenis_kelamin": "L",
    "alamat": "Kp. Cikande Permai",
    "rt": "001",
    "rw": "004",
    "kode_desa": "3604152003",
    "no_hp": "085712345678",
    "alasan": "hilang",
    "nomor_surat_kehilangan": "B/1/SMOKE/2026",
}


class SmokeFailure(Exception):
    """A step ran but its result is wrong."""


def run_smoke_test(dirs: UserDirs, out: TextIO | None = None) -> int:
    """Run the smoke test with the user folders ``dirs``; returns the exit code (0 = OK)."""
    # A windowed Windows program has no stdout: the exit code still tells the result.
    stream = out or sys.stdout or io.StringIO()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    frozen = "bundle PyInstaller" if getattr(sys, "frozen", False) else "sumber/pip"
    stream.write(f"{APP_ID} {__version__} ({frozen})\n")
    try:
        dirs.cache.mkdir(parents=True, exist_ok=True)
        # ignore_cleanup_errors: Windows may hold the SQLite file a moment after closing it.
        with tempfile.TemporaryDirectory(
            prefix="smoke-", dir=dirs.cache, ignore_cleanup_errors=True
        ) as temp:
            _run(Path(temp), stream)
    except Exception as exc:
        log.exception("smoke test failed")
        stream.write(f"GAGAL: {type(exc).__name__}: {exc}\n")
        stream.flush()
        return 1
    stream.write(f"selesai dalam {time.perf_counter() - started:.2f} s\nOK\n")
    stream.flush()
    return 0


def _step(out: TextIO, label: str, work: Callable[[], T]) -> T:
    """Run one step and print ``label`` with its duration; a failure names the step."""
    started = time.perf_counter()
    try:
        result = work()
    except Exception as exc:
        raise SmokeFailure(f"{label}: {type(exc).__name__}: {exc}") from exc
    out.write(f"  {label} … {time.perf_counter() - started:.2f} s\n")
    out.flush()
    return result


def _run(temp: Path, out: TextIO) -> None:
    root = _step(out, "berkas sumber daya (katalog, font, templat)", _check_resources)
    out.write(f"  (sumber daya dari {root})\n")
    ctx = _step(
        out,
        "membuka basis data sementara",
        lambda: DeskContext.open(sqlite_url(temp / "uji.db"), create=True),
    )
    ctx.key_folder = temp / "kunci-dokumen"  # a trial key, never this user's real one
    try:
        password = secrets.token_urlsafe(12)
        _step(out, "skema, katalog, lokasi, administrator", lambda: _setup(ctx, password))
        head = _step(out, "pengguna kepala seksi", lambda: _section_head(ctx, password))
        number = _step(out, "permohonan masuk (IntakeOps)", lambda: _one_request(ctx, head))
        _step(
            out,
            "tanda terima PDF",
            lambda: _receipt(ctx, head, number, temp / "tanda-terima.pdf"),
        )
        _step(
            out,
            "tanda tangan digital PAdES dan verifikasi luring",
            lambda: _signed_receipt(ctx, head, password, number),
        )
        recaps = _recaps_module()
        if recaps is None:
            out.write("  rekap XLSX … dilewati (modul rekap belum ada di versi ini)\n")
        else:
            _step(out, "rekap XLSX", lambda: _recap(recaps, ctx, head, temp / "rekap.xlsx"))
        platform = os.environ.get("QT_QPA_PLATFORM", "")
        _step(out, f"jendela utama dan Tentang ({platform})", lambda: _window(ctx, head, temp))
        receipt = (temp / "tanda-terima.pdf").read_bytes()
        _step(out, "pratinjau dan cetak PDF (PDFium, QPrinter)", lambda: _print(receipt, temp))
        _step(out, "gambar lampiran (JPEG, PNG)", lambda: _images(temp))
        _step(out, "daftar printer (CUPS di Linux)", _printers)
        _step(out, "urutan nama dan nama zona waktu (ICU)", _icu)
        _step(out, "driver PostgreSQL (psycopg, libpq)", _postgres_driver)
        _step(out, "metadata pembaruan bertanda tangan (tufup, TUF)", _update_metadata)
    finally:
        ctx.close()


def _check_resources() -> Path:
    root = resources_root()
    for relative in ("catalogue/services.json", "templates/certificates.json", "holidays.json"):
        if not resource_path(relative).is_file():
            raise SmokeFailure(f"{relative} tidak ada di {root}")
    fonts = sorted(p.name for p in resource_path("fonts").glob("*.ttf"))
    if len(fonts) < 8:
        raise SmokeFailure(f"font tidak lengkap: {fonts}")
    return root


def _setup(ctx: DeskContext, password: str) -> None:
    report = SetupOps(ctx).init("admin", password)
    if not report.schema_created or report.services_added == 0 or report.locations_added == 0:
        raise SmokeFailure(f"db init tidak lengkap: {report}")
    if len(ctx.reference.catalogue) == 0:
        raise SmokeFailure("katalog layanan kosong")
    SetupOps(ctx).check()


def _section_head(ctx: DeskContext, password: str) -> Actor:
    users = UserOps(ctx)
    admin = users.authenticate("admin", password)
    users.add(
        admin,
        "kasi.uji",
        password,
        Role.SECTION_HEAD,
        full_name="Kepala Seksi Uji",
        location_code=DINAS_CODE,
    )
    return users.authenticate("kasi.uji", password)


def _one_request(ctx: DeskContext, actor: Actor) -> str:
    intake = IntakeOps(ctx)
    intake.submit_row(
        IncomingRow(
            channel="web",
            external_ref=f"smoke-{secrets.token_hex(4)}",
            service_code=SMOKE_SERVICE,
            payload=json.dumps(SMOKE_PAYLOAD),
            sender="085712345678",
            location_code=DINAS_CODE,
        )
    )
    report = intake.ingest()
    if report.created != 1:
        raise SmokeFailure(f"ingest membuat {report.created} permohonan, bukan 1")
    rows = QueueOps(ctx).page(actor, QueueFilter(), None, 10).rows
    if len(rows) != 1:
        raise SmokeFailure(f"antrean berisi {len(rows)} baris, bukan 1")
    return rows[0].number


def _receipt(ctx: DeskContext, actor: Actor, number: str, path: Path) -> None:
    pdf = DocumentOps(ctx).render_receipt(actor, number, purpose=PrintPurpose.SAVE)
    path.write_bytes(pdf)
    if not pdf.startswith(b"%PDF-") or b"/FontFile2" not in pdf:
        raise SmokeFailure("tanda terima bukan PDF dengan font TrueType tertanam")


def _signed_receipt(ctx: DeskContext, head: Actor, password: str, number: str) -> None:
    """Sign a receipt with a throwaway certificate and verify it with the public key only."""
    from disdukcapil_desk.operations.documents import verify_offline
    from disdukcapil_desk.reports.signing import self_signed_pkcs12

    admin = UserOps(ctx).authenticate("admin", password)
    ops = DocumentOps(ctx)
    until = ctx.clock() + dt.timedelta(days=2)
    pkcs12, cert = self_signed_pkcs12("Uji Asap", password, not_after=until)
    ops.configure_signing(admin, pkcs12, password)
    try:
        pdf = ops.render_receipt(head, number, purpose=PrintPurpose.SAVE)
    finally:
        ops.configure_signing(admin, None)
    report = verify_offline(pdf, ops.public_key(), (cert,))
    if not report.ok or report.signature is None:
        raise SmokeFailure("; ".join(report.messages()))


def _recaps_module() -> ModuleType | None:
    # A plain import (not importlib) so that PyInstaller sees it and bundles the module.
    try:
        import disdukcapil_desk.operations.recaps as recaps
    except ModuleNotFoundError as exc:
        if exc.name != "disdukcapil_desk.operations.recaps":
            raise
        return None
    return recaps


def _recap(module: ModuleType, ctx: DeskContext, actor: Actor, path: Path) -> None:
    today = office_date(ctx.clock())
    result = module.Recaps(ctx).build_recap(actor, today, today, None, path)
    if not zipfile.is_zipfile(path) or result.received != 1:
        raise SmokeFailure(f"rekap tidak lengkap: {result}")
    with zipfile.ZipFile(path) as workbook:
        if "xl/workbook.xml" not in workbook.namelist():
            raise SmokeFailure("rekap bukan buku kerja Excel")


def _window(ctx: DeskContext, actor: Actor, temp: Path) -> None:
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from disdukcapil_desk.ui.dialogs.about_dialog import AboutDialog
    from disdukcapil_desk.ui.main_window import MainWindow
    from disdukcapil_desk.ui.palette import install_stylesheet
    from disdukcapil_desk.ui.session import DeskSession
    from disdukcapil_desk.ui.tasks import InlineTaskRunner
    from disdukcapil_desk.ui.workstation import WorkstationSettings

    def to_log(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        # The offscreen platform warns about every top-level window; keep the output to
        # the steps and send Qt's chatter to the log.
        log.debug("qt %s: %s", kind.name, message)

    previous = qInstallMessageHandler(to_log)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([APP_ID])
    sheet_before = app.styleSheet()
    install_stylesheet(app)  # the bundle carries resources/ui/desk.qss
    settings = WorkstationSettings(temp / "workstation.ini")
    settings.set_location(DINAS_CODE)
    window = MainWindow(
        DeskSession(ctx, actor, DINAS_CODE),
        InlineTaskRunner(),
        settings,
        database_label=ctx.database_label,
    )
    try:
        window.show()
        window.start()
        app.processEvents()
        rows = window.queue.table.model().rowCount()
        if not window.isVisible() or rows != 1:
            raise SmokeFailure(f"jendela utama tidak tampil dengan benar (baris antrean: {rows})")
        about = AboutDialog(
            database_label=ctx.database_label,
            schema_version=SetupOps(ctx).check(),
            parent=window,
        )
        about.show()
        app.processEvents()
        about.close()
        window.close()
        app.processEvents()
    finally:
        window.deleteLater()
        app.processEvents()
        app.setStyleSheet(sheet_before)
        qInstallMessageHandler(previous)


def _qt_app() -> object:
    """The running QApplication, or a new one (the steps after the window need Qt)."""
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication([APP_ID])


def _print(pdf: bytes, temp: Path) -> None:
    """Render a PDF's pages (the preview) and print them to a PDF file (the print path)."""
    from PySide6.QtPrintSupport import QPrinter

    from disdukcapil_desk.ui.pdf_pages import render_pages
    from disdukcapil_desk.ui.printing import prepare_printer, print_pdf

    _qt_app()
    images, pages = render_pages(pdf)
    if pages != 1 or images[0].isNull() or images[0].width() < 100:
        raise SmokeFailure(f"pratinjau PDF gagal ({pages} halaman)")
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(temp / "cetak.pdf"))
    prepare_printer(printer, pdf)
    if print_pdf(printer, pdf) != 1 or not (temp / "cetak.pdf").read_bytes().startswith(b"%PDF-"):
        raise SmokeFailure("cetak ke berkas PDF gagal")


def _images(temp: Path) -> None:
    """Citizens' scans arrive as JPEG and PNG: both image plugins load in the bundle."""
    from PySide6.QtGui import QColor, QImage, QPixmap

    _qt_app()
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6f97"))
    for name in ("pindaian.jpg", "pindaian.png"):
        if not image.save(str(temp / name)):
            raise SmokeFailure(f"gambar {name} tidak dapat ditulis")
        pixmap = QPixmap()
        if not pixmap.loadFromData((temp / name).read_bytes()) or pixmap.width() != 64:
            raise SmokeFailure(f"gambar {name} tidak dapat dibaca")


def _printers() -> None:
    """List the printers; on Linux with CUPS installed, Qt's CUPS plugin must load."""
    import ctypes.util

    from PySide6.QtPrintSupport import QPrinterInfo

    _qt_app()
    QPrinterInfo.availablePrinterNames()
    maps = Path("/proc/self/maps")
    if sys.platform.startswith("linux") and ctypes.util.find_library("cups") and maps.exists():
        if "libcups.so" not in maps.read_text(encoding="utf-8", errors="replace"):
            raise SmokeFailure("plugin printer CUPS tidak termuat (libcups.so.2 tidak dipakai)")


def _icu() -> None:
    """Qt's ICU data for Indonesian: collation and time-zone names (the bundle trims it)."""
    from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone

    indonesian = QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia)
    collator = QCollator(indonesian)
    names = ["Zainal", "ádi", "Budi", "adi"]
    ordered = sorted(names, key=collator.sortKey)
    if ordered != ["adi", "ádi", "Budi", "Zainal"]:
        raise SmokeFailure(f"urutan nama salah: {ordered}")
    zone = QTimeZone(b"Asia/Makassar")
    name = zone.displayName(
        QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, indonesian
    )
    if name != "Waktu Indonesia Tengah":
        raise SmokeFailure(f"nama zona waktu salah: {name!r}")
    if not QStringDecoder("windows-1252").isValid():
        raise SmokeFailure("pengodean windows-1252 tidak tersedia")


def _postgres_driver() -> None:
    """The binary psycopg and its libpq load (the bundle's smoke test has no server)."""
    import psycopg
    from sqlalchemy.dialects.postgresql import psycopg as dialect

    if psycopg.pq.__impl__ != "binary" or psycopg.pq.version() < 120000:
        raise SmokeFailure(f"psycopg {psycopg.pq.__impl__}, libpq {psycopg.pq.version()}")
    if dialect.dialect.driver != "psycopg":
        raise SmokeFailure("dialek SQLAlchemy psycopg tidak tersedia")


def _update_metadata() -> None:
    """The update client loads, and TUF signs and verifies a root metadata with Ed25519."""
    from securesystemslib.signer import CryptoSigner
    from tuf.api.exceptions import UnsignedMetadataError
    from tuf.api.metadata import Metadata, Root  # type: ignore[attr-defined]

    from disdukcapil_desk.updates import client

    if not callable(client.check_for_update):
        raise SmokeFailure("klien pembaruan tidak lengkap")
    signer = CryptoSigner.generate_ed25519()
    root = Metadata(Root())
    root.signed.add_key(signer.public_key, "root")
    root.sign(signer)
    signed = Metadata.from_bytes(root.to_bytes())
    signed.verify_delegate("root", signed)
    signed.signed.version += 1  # changed after signing: the signature no longer holds
    try:
        signed.verify_delegate("root", signed)
    except UnsignedMetadataError:
        return
    raise SmokeFailure("metadata yang diubah tetap diterima")
