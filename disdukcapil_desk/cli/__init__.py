"""Headless commands of the desk: ``disdukcapil-desk [--db URL] [--login LOGIN] COMMAND``
(interface layer).

:func:`dispatch` is the door of every command that uses a database: the schema first (a newer,
older or missing one is refused before anything is read or written), then the desk login the
command's door asks for (:mod:`disdukcapil_desk.cli.access`), then the command itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk import APP_ID, __version__
from disdukcapil_desk.cli.access import LOGIN_ENV, OPEN, OWN_PASSWORD, actor_of, admit
from disdukcapil_desk.cli.parsing import (
    Commands,
    IndonesianArgumentParser,
    LazyCommands,
    action,
    command_group,
)
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.workflow import Permission, require

if TYPE_CHECKING:  # the parser is built without the data types (--help stays light)
    from disdukcapil_desk.domain.catalogue import Service
    from disdukcapil_desk.domain.dto import RequestDetail
    from disdukcapil_desk.operations.context import DeskContext

Handler = Callable[[argparse.Namespace, "DeskContext", TextIO], int]

OPEN_COMMANDS = (
    "db init",
    "db upgrade",
    "db check",
    "db schema-sql",
    "location list",
    "signing show",
    "audit verify",
    "audit head",
    "signer serve",
    "release init-repo",
    "release publish",
    "release refresh",
    "release rotate-key",
    "update set-url",
    "update check",
    "verify --public-key",
)
"""The commands that run without a desk login (see :data:`ACCESS_NOTE`)."""
AREA_COMMANDS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "documents",
        (
            ("receipt", "tulis tanda terima permohonan (PDF)"),
            ("certificate", "tulis sertifikat/kutipan akta (PDF)"),
            ("verify", "periksa keaslian PDF dari Disdukcapil Desk"),
            ("print-ready", "satu PDF berisi semua sertifikat terbit yang belum dicetak"),
            ("public-key", "tulis kunci publik verifikasi dinas (PEM)"),
            ("signing", "sertifikat tanda tangan digital dinas (PKCS#12)"),
            ("number", "nomor akta: nomor awal dan register"),
        ),
    ),
    ("intake", (("intake", "baris masuk yang dikarantina"),)),
    ("recap", (("recap", "tulis rekap pelayanan suatu periode (.xlsx atau .pdf)"),)),
    ("users", (("user", "kelola pengguna (login administrator)"),)),
    ("audit", (("audit", "log audit"),)),
    ("signer", (("signer", "layanan penanda tangan dan kunci segel"),)),
    ("channel", (("channel", "kanal rujukan (simulasi bot WhatsApp/web/email)"),)),
    ("pickup", (("pickup", "jadwal pengambilan kartu/dokumen cetak"),)),
    (
        "siak",
        (
            ("siak", "catat nomor dari SIAK untuk permohonan yang disetujui"),
            ("tte", "PDF bertanda tangan elektronik: lampirkan dan kirim"),
        ),
    ),
    (
        "updates",
        (
            ("release", "terbitkan pembaruan bertanda tangan (admin)"),
            ("update", "pembaruan aplikasi di workstation ini"),
        ),
    ),
)
"""Each area module of ``cli/`` and its commands with their help lines, in the help's order.

The help needs only these; a command's arguments are declared when it is parsed, by its own
module's ``add_commands`` (importing the module then). A test compares this list with what the
modules declare."""
ACCESS_NOTE = (
    "Tanpa login desk: " + ", ".join(OPEN_COMMANDS) + ". Perintah lain (mengubah data, "
    "menampilkan data pribadi, mengelola pengguna) perlu --login LOGIN; kata sandi dari baris "
    "pertama masukan standar, mis. printf 'sandi\\n' | disdukcapil-desk --login admin user list. "
    "Perintah yang juga membaca kata sandi lain (user add, user passwd, password, signing set) "
    "membacanya dari baris berikutnya. user unlock dan user passwd tanpa login berjalan dengan "
    "kredensial basis data saja (jalan masuk kembali bila administrator terkunci)."
)


def dispatch(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Run a parsed command on an open database, through the one door every command passes.

    The schema is checked first (a missing, older or newer one is refused before anything is
    read or written; ``db init``/``db upgrade`` check it their own way), the services are
    brought in step with the catalogue, then the desk login the command needs is asked.
    """
    from disdukcapil_desk.operations.setup import SetupOps

    if not getattr(args, "manages_schema", False):
        SetupOps(ctx).start()
    args.actor = admit(args, ctx)
    handler: Handler = args.handler
    return int(handler(args, ctx, out))


def preflight(args: argparse.Namespace) -> None:
    """Check what a command can check before it opens the database: the file it reads, and the
    folder of the file it writes (``-o``), so that nothing is done for a file that cannot be.

    Raises:
        DeskError: the input file is missing or a folder; the folder of ``-o`` does not exist,
            or ``-o`` names a folder.
    """
    source = getattr(args, "file", None)
    if isinstance(source, Path) and not source.is_file():
        raise DeskError(f"Berkas {source} tidak ada atau bukan berkas")
    output = getattr(args, "output", None)
    if not isinstance(output, Path):
        return
    if output.is_dir():
        raise DeskError(f"Berkas keluaran {output} adalah folder; sebutkan nama berkas")
    folder = output.parent
    if not folder.is_dir():
        raise DeskError(f"Folder {folder} tidak ada; buat dahulu atau pilih folder lain")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the desk (global options and every command).

    The area modules' commands are listed by :data:`AREA_COMMANDS`; their arguments are
    declared when one of them is parsed (or every parser is asked for).
    """
    parser = IndonesianArgumentParser(
        prog=APP_ID,
        description="Disdukcapil Desk — meja kerja petugas Disdukcapil Kabupaten Serang. "
        "Tanpa perintah: membuka jendela aplikasi.",
        epilog=ACCESS_NOTE,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="basis data (URL SQLAlchemy); bawaan: $DISDUKCAPIL_DB, lalu pilihan di setelan "
        "workstation, lalu berkas SQLite lokal",
    )
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--basedir", metavar="DIR", help="simpan data, log dan setelan di DIR")
    base.add_argument(
        "--temp-basedir", action="store_true", help="pakai folder sementara (uji coba)"
    )
    parser.add_argument(
        "--login",
        dest="login_name",
        metavar="LOGIN",
        help=f"login desk untuk perintah yang mengubah data, menampilkan data pribadi atau "
        f"mengelola pengguna (bawaan: ${LOGIN_ENV}); kata sandi dari baris pertama masukan "
        "standar atau ditanyakan",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log lebih rinci")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="uji cepat instalasi (basis data sementara, dokumen contoh, jendela tanpa layar); "
        "mencetak OK",
    )
    commands = parser.add_subparsers(dest="command", metavar="PERINTAH")
    _add_db_commands(commands)
    _add_other_commands(commands)
    parsers = LazyCommands(commands)
    for area, listed in AREA_COMMANDS:
        parsers.add_area(_area_commands(area), listed)
    return parser


def _area_commands(area: str) -> Callable[[Commands], None]:
    """The ``add_commands`` of area module ``cli.<area>``, importing it when called."""

    def declare(commands: Commands) -> None:
        importlib.import_module(f"disdukcapil_desk.cli.{area}").add_commands(commands)

    return declare


def _add_db_commands(commands: Commands) -> None:
    db = command_group(commands, "db", "siapkan, periksa atau tingkatkan basis data")
    init = action(
        db,
        "init",
        "buat/periksa skema, muat katalog dan lokasi, buat administrator pertama",
        _cmd_db_init,
        creates_db=True,
        manages_schema=True,
        door=OPEN,
    )
    init.description = (
        "Aman dijalankan dua kali. Kata sandi dibaca dari masukan standar (baris pertama) "
        "atau ditanyakan."
    )
    init.add_argument("--admin", metavar="LOGIN", help="login administrator pertama")
    upgrade = action(
        db, "upgrade", "terapkan migrasi skema", _cmd_db_upgrade, manages_schema=True, door=OPEN
    )
    upgrade.description = (
        "Tanpa login desk: yang berwenang di sini adalah kredensial basis data (pemilik skema). "
        "Migrasi harus bisa berjalan sebelum aplikasi dapat membaca tabel penggunanya."
    )
    upgrade.add_argument(
        "--folder-kunci",
        dest="key_folder",
        type=Path,
        metavar="FOLDER",
        help="ke mana kunci dokumen yang masih di basis data dipindahkan (bawaan: folder data)",
    )
    action(db, "check", "tampilkan versi skema", _cmd_db_check, door=OPEN)
    action(
        db,
        "schema-sql",
        "cetak DDL PostgreSQL (schema.sql)",
        _cmd_schema_sql,
        needs_db=False,
        door=OPEN,
    )


def _add_other_commands(commands: Commands) -> None:
    demo = commands.add_parser("demo", help="isi basis data dengan data contoh yang realistis")
    demo.add_argument("--requests", type=int, default=300, metavar="N", help="jumlah permohonan")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="benih acak")
    demo.set_defaults(handler=_cmd_demo, door=Permission.MANAGE_USERS)
    commands.add_parser("ingest", help="proses permohonan masuk yang menunggu").set_defaults(
        handler=_cmd_ingest, door=Permission.RUN_INGEST
    )
    show = commands.add_parser("show", help="tampilkan satu permohonan")
    show.add_argument("number", metavar="NOMOR")
    show.add_argument("--json", action="store_true", help="keluaran JSON")
    show.add_argument("--full-nik", action="store_true", help="tampilkan NIK/No. KK utuh")
    show.set_defaults(handler=_cmd_show, door=Permission.VIEW_QUEUE)
    location = command_group(commands, "location", "lokasi layanan (dinas dan UPT)")
    action(location, "list", "daftar lokasi", _cmd_location_list, door=OPEN)
    password = commands.add_parser(
        "password",
        help="ganti kata sandi sendiri (login --login; kata sandi baru dari baris berikutnya "
        "masukan standar atau ditanyakan dua kali)",
    )
    password.set_defaults(handler=_cmd_password, door=OWN_PASSWORD)


def read_passphrase(prompt: str, stdin: TextIO | None = None) -> str:
    """Read an existing file's passphrase: first line of standard input, or asked once."""
    stream = stdin or sys.stdin
    return getpass.getpass(prompt) if stream.isatty() else stream.readline().rstrip("\r\n")


def read_password(prompt: str, stdin: TextIO | None = None) -> str:
    """Read a password: first line of standard input, or an interactive prompt asked twice."""
    stream = stdin or sys.stdin
    if stream.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Ulangi kata sandi: ") != first:
            raise ValueError("Kata sandi tidak sama")
        return first
    return stream.readline().rstrip("\r\n")


def _cmd_db_init(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.setup import SetupOps

    password = read_password("Kata sandi administrator: ") if args.admin else None
    report = SetupOps(ctx).init(args.admin, password)
    state = "dibuat" if report.schema_created else "sudah ada, diperiksa"
    out.write(f"Skema: {state} (versi {SetupOps(ctx).check()})\n")
    out.write(f"Layanan ditambahkan: {report.services_added}\n")
    out.write(f"Lokasi ditambahkan: {report.locations_added}\n")
    if report.admin_created:
        out.write(f"Administrator dibuat: {report.admin_created}\n")
    if report.audit_key_created:
        out.write(
            f"Kunci audit dibuat: {report.audit_key_created} — salin ke folder data setiap "
            "workstation (lihat README, 'Kunci log audit').\n"
        )
    return 0


def _cmd_db_upgrade(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.setup import SetupOps

    setup = SetupOps(ctx)
    applied = setup.upgrade(args.key_folder)
    out.write(
        f"Migrasi diterapkan: {', '.join(map(str, applied))}\n"
        if applied
        else "Skema sudah terbaru.\n"
    )
    if setup.keys_moved_to:
        out.write(
            f"Kunci dokumen dipindahkan dari basis data ke {setup.keys_moved_to} (hanya pemilik "
            "yang dapat membaca) dan dihapus dari basis data. Cadangan SQLite sebelum migrasi "
            "(*.bak) masih memuatnya: simpan di tempat aman atau hapus (docs/signing.md).\n"
        )
    return 0


def _cmd_db_check(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.audit import head_problem
    from disdukcapil_desk.operations.setup import SetupOps

    out.write(f"Skema versi {SetupOps(ctx).check()} — sesuai dengan aplikasi ini.\n")
    problem = head_problem(ctx)
    if problem:
        out.write(f"Log audit RUSAK: {problem}; perubahan tidak dapat disimpan.\n")
        return 1
    return 0


def _cmd_schema_sql(args: argparse.Namespace, ctx: DeskContext | None, out: TextIO) -> int:
    from disdukcapil_desk.operations.setup import postgresql_ddl

    out.write(postgresql_ddl())
    return 0


def _cmd_demo(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.demo import DemoOps

    summary = DemoOps(ctx).generate(args.requests, seed=args.seed)
    out.write(summary.describe())
    return 0


def _cmd_ingest(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.intake import IntakeOps

    report = IntakeOps(ctx).ingest()
    out.write(
        f"Baris diproses: {report.rows}\n"
        f"Menjadi permohonan: {report.created}\n"
        f"Perbaikan bergabung ke permohonan: {report.resubmissions}\n"
        f"Dikarantina: {report.quarantined}\n"
        f"Ditandai kemungkinan ganda: {report.duplicates_flagged}\n"
    )
    for row_id, reason in report.quarantine_reasons:
        out.write(f"  karantina #{row_id}: {reason}\n")
    return 0


def _cmd_show(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.queue import QueueOps

    actor = actor_of(args)
    if args.full_nik:
        require(actor, Permission.VIEW_FULL_NIK)
    detail = QueueOps(ctx).detail(actor, args.number)
    if args.json:
        catalogue, code = ctx.reference.catalogue, detail.row.service_code
        service = catalogue.get(code) if code in catalogue else None
        data = _detail_json(detail, args.full_nik, service)
        out.write(json.dumps(data, ensure_ascii=False, indent=2))
        out.write("\n")
    else:
        out.write(_detail_text(detail, args.full_nik))
    return 0


def _detail_json(
    detail: RequestDetail, full_nik: bool, service: Service | None
) -> dict[str, object]:
    from disdukcapil_desk.domain.catalogue import masked_payload
    from disdukcapil_desk.domain.nik import mask_number

    data = dataclasses.asdict(detail)
    data["row"]["status"] = detail.row.status.value
    if not full_nik:
        data["nik"] = mask_number(detail.nik)
        data["no_kk"] = mask_number(detail.no_kk)
        # By the catalogue's field types (NIK, No. KK), whatever the fields are called.
        data["payload"] = masked_payload(service, detail.payload, mask_number)
    return json.loads(json.dumps(data, default=str))  # type: ignore[no-any-return]


def _detail_text(detail: RequestDetail, full_nik: bool) -> str:
    row = detail.row
    nik = detail.nik if full_nik else row.nik_masked
    lines = [
        f"Nomor      : {row.number}",
        f"Layanan    : {row.service_name} ({row.service_code})",
        f"Status     : {row.status.label}" + (f" — dipegang {row.holder}" if row.holder else ""),
        f"Lokasi     : {row.location_code}",
        f"Diterima   : {row.received_at.astimezone():%d-%m-%Y %H:%M} via {row.channel}",
        f"Tenggat    : {row.sla_due:%d-%m-%Y}",
        f"Pemohon    : {row.applicant_name}",
        f"NIK        : {nik}",
        *([f"Atas nama  : {row.subject_name} ({row.subject_label})"] if row.subject_name else []),
        f"Kontak     : {detail.contact}",
        f"Versi      : {row.version}",
        "Temuan:",
    ]
    lines += [f"  [{f.severity}] {f.message}" for f in detail.findings] or ["  (tidak ada)"]
    lines.append("Persyaratan:")
    lines += [
        f"  [{c.state}] {c.label}" + ("" if c.required else f" (bila: {c.condition})")
        for c in detail.checks
    ]
    lines.append("Riwayat:")
    lines += [
        f"  {h.at.astimezone():%d-%m-%Y %H:%M} {h.actor}: {h.action}"
        + (f" — {h.detail}" if h.detail else "")
        for h in detail.history
    ]
    return "\n".join(lines) + "\n"


def _cmd_location_list(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.setup import LocationOps

    for location in LocationOps(ctx).list():
        covered = ", ".join(location.kecamatan_codes) or "-"
        out.write(f"{location.code:<8} {location.name} [{covered}]\n")
    return 0


def _cmd_password(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.users import UserOps

    actor = actor_of(args)
    new = read_password(f"Kata sandi baru {actor.login}: ")
    UserOps(ctx).change_own_password(actor, _login_password_again(args), new)
    out.write(f"Kata sandi {actor.login} diganti.\n")
    return 0


def _login_password_again(args: argparse.Namespace) -> str:
    """The password the user logged in with (:func:`admit` keeps it for this command only)."""
    password: str = getattr(args, "login_password", "")
    return password
