"""Document commands: ``receipt``, ``certificate``, ``verify``, ``print-ready`` (interface layer).

``disdukcapil-desk receipt DINAS/20261102/0001 -o tanda-terima.pdf [--slip] [--reprint ALASAN]``
``disdukcapil-desk certificate 3604-LU-28112026-0001 -o akta.pdf [--reprint ALASAN]``
``disdukcapil-desk verify akta.pdf [--public-key kunci-dinas.pem [--trust sertifikat.cer]]``
``disdukcapil-desk print-ready --location DINAS -o siap-cetak.pdf``
``disdukcapil-desk public-key -o kunci-dinas.pem``
``disdukcapil-desk signing set|show|clear``  (the office's PKCS#12 signing certificate)
``disdukcapil-desk signing timestamp URL|--clear``  (RFC 3161 server: PAdES B-T instead of B-B)
``disdukcapil-desk number offset|register``  (opening offsets, voided/reprinted numbers)

Each command but ``verify --public-key`` and ``signing show`` needs a desk login (``--login``)
and acts as that user. With ``--public-key`` verification runs without any database: the office
publishes its public key (``public-key``) so a school, a bank or a court can check a document on
its own.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from disdukcapil_desk.cli.access import LOGIN, OPEN, actor_of
from disdukcapil_desk.cli.parsing import Commands, action, command_group
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.workflow import Permission

if TYPE_CHECKING:
    from disdukcapil_desk.domain.documents import AlreadyPrinted, PrintPurpose
    from disdukcapil_desk.operations.context import DeskContext


def add_commands(commands: Commands) -> None:
    """Declare the document commands on the desk's subcommands.

    Args:
        commands: the subparsers of the desk's argument parser.
    """
    receipt = commands.add_parser("receipt", help="tulis tanda terima permohonan (PDF)")
    receipt.add_argument("number", metavar="NOMOR", help="nomor permohonan")
    receipt.add_argument("-o", "--output", type=Path, required=True, metavar="BERKAS")
    receipt.add_argument("--slip", action="store_true", help="ukuran struk 80 mm")
    receipt.add_argument("--reprint", metavar="ALASAN", help="cetak ulang dengan alasan")
    receipt.set_defaults(handler=cmd_receipt, door=Permission.PRINT)
    certificate = commands.add_parser("certificate", help="tulis sertifikat/kutipan akta (PDF)")
    certificate.add_argument("number", metavar="NOMOR", help="nomor akta atau nomor permohonan")
    certificate.add_argument("-o", "--output", type=Path, required=True, metavar="BERKAS")
    certificate.add_argument("--reprint", metavar="ALASAN", help="cetak ulang dengan alasan")
    certificate.set_defaults(handler=cmd_certificate, door=Permission.PRINT)
    verify = commands.add_parser("verify", help="periksa keaslian PDF dari Disdukcapil Desk")
    verify.add_argument("file", type=Path, metavar="BERKAS")
    verify.add_argument(
        "--public-key",
        type=Path,
        metavar="KUNCI",
        action=_Offline,
        help="periksa tanpa basis data dengan kunci publik dinas (PEM; boleh berisi kunci "
        "sekarang dan kunci lama)",
    )
    verify.add_argument(
        "--trust",
        type=Path,
        action="append",
        metavar="SERTIFIKAT",
        help="sertifikat (DER/PEM) yang dipercaya untuk tanda tangan digital; boleh berulang",
    )
    verify.set_defaults(handler=cmd_verify, door=LOGIN)
    ready = commands.add_parser(
        "print-ready", help="satu PDF berisi semua sertifikat terbit yang belum dicetak"
    )
    ready.add_argument("--location", required=True, metavar="KODE", help="mis. DINAS, UPT-05")
    ready.add_argument("-o", "--output", type=Path, required=True, metavar="BERKAS")
    ready.set_defaults(handler=cmd_print_ready, door=Permission.PRINT)
    key = commands.add_parser("public-key", help="tulis kunci publik verifikasi dinas (PEM)")
    key.add_argument("-o", "--output", type=Path, required=True, metavar="BERKAS")
    key.set_defaults(handler=cmd_public_key, door=Permission.MANAGE_OFFICE)
    _add_signing_commands(commands)
    _add_number_commands(commands)


def _add_signing_commands(commands: Commands) -> None:
    signing = command_group(commands, "signing", "sertifikat tanda tangan digital dinas (PKCS#12)")
    set_cert = action(
        signing,
        "set",
        "pasang sertifikat .p12/.pfx",
        cmd_signing_set,
        door=Permission.MANAGE_OFFICE,
    )
    set_cert.description = (
        "Kata sandi berkas dibaca dari masukan standar (baris sesudah kata sandi login) "
        "atau ditanyakan."
    )
    set_cert.add_argument("file", type=Path, metavar="BERKAS")
    action(signing, "show", "tampilkan sertifikat terpasang", cmd_signing_show, door=OPEN)
    timestamp = action(
        signing,
        "timestamp",
        "server cap waktu RFC 3161 (PAdES B-T)",
        cmd_signing_timestamp,
        door=Permission.MANAGE_OFFICE,
    )
    timestamp.description = (
        "Dengan server cap waktu, tanda tangan tetap dapat diperiksa setelah sertifikat "
        "kedaluwarsa (PAdES B-T; B-LT bila rantai sertifikat tersedia). Tanpa server: B-B."
    )
    which = timestamp.add_mutually_exclusive_group(required=True)
    which.add_argument("url", nargs="?", metavar="URL", help="mis. http://tsa.contoh.go.id")
    which.add_argument("--clear", action="store_true", help="tanpa server cap waktu (B-B)")
    action(
        signing,
        "clear",
        "lepas sertifikat (kembali bertanda DRAF)",
        cmd_signing_clear,
        door=Permission.MANAGE_OFFICE,
    )


def _add_number_commands(commands: Commands) -> None:
    number = command_group(commands, "number", "nomor akta: nomor awal dan register")
    offset = action(
        number,
        "offset",
        "lanjutkan nomor dari register kertas",
        cmd_number_offset,
        door=Permission.MANAGE_OFFICE,
    )
    offset.description = "Nomor berikutnya = NOMOR_TERAKHIR + 1 (per layanan dan tahun)."
    offset.add_argument("--service", required=True, metavar="LAYANAN", help="mis. akta_kelahiran")
    offset.add_argument("--year", required=True, type=int, metavar="TAHUN")
    offset.add_argument("--offset", required=True, type=int, metavar="NOMOR_TERAKHIR")
    offset.add_argument("--late", action="store_true", help="seri pencatatan terlambat (LT)")
    register = action(
        number,
        "register",
        "nomor yang dibatalkan atau dicetak ulang",
        cmd_number_register,
        door=Permission.VIEW_AUDIT,
    )
    register.add_argument("number", nargs="?", metavar="NOMOR")


class _Offline(argparse.Action):
    """``--public-key``: store the path and run the command without opening a database."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        namespace.needs_db = False
        namespace.door = OPEN


def _purpose(args: argparse.Namespace) -> tuple[PrintPurpose, str]:
    from disdukcapil_desk.domain.documents import PrintPurpose

    return (PrintPurpose.REPRINT, args.reprint) if args.reprint else (PrintPurpose.PRINT, "")


def _reprint_hint(exc: AlreadyPrinted) -> DeskError:
    return DeskError(f"{exc}: tulis lagi dengan --reprint ALASAN")


def cmd_receipt(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Write the receipt of a request to ``-o``; returns 0. A receipt printed before is
    written again only as a reprint (``--reprint ALASAN``), stamped "cetak ulang ke-N".
    """
    from disdukcapil_desk.domain.documents import AlreadyPrinted
    from disdukcapil_desk.operations.documents import DocumentOps

    purpose, reason = _purpose(args)
    try:
        pdf = DocumentOps(ctx).render_receipt(
            actor_of(args), args.number, slip=args.slip, purpose=purpose, reason=reason
        )
    except AlreadyPrinted as exc:
        raise _reprint_hint(exc) from None
    args.output.write_bytes(pdf)
    out.write(f"Tanda terima {args.number} ditulis ke {args.output}\n")
    return 0


def cmd_certificate(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Write a certificate to ``-o``; returns 0. A certificate printed before is written again
    only as a reprint (``--reprint ALASAN``), stamped "Cetak ulang ke-N".
    """
    from disdukcapil_desk.domain.documents import AlreadyPrinted
    from disdukcapil_desk.operations.documents import DocumentOps

    purpose, reason = _purpose(args)
    try:
        pdf = DocumentOps(ctx).render_certificate(
            actor_of(args), args.number, purpose=purpose, reason=reason
        )
    except AlreadyPrinted as exc:
        raise _reprint_hint(exc) from None
    args.output.write_bytes(pdf)
    out.write(f"Sertifikat {args.number} ditulis ke {args.output}\n")
    return 0


def cmd_verify(args: argparse.Namespace, ctx: DeskContext | None, out: TextIO) -> int:
    """Verify a PDF (offline with ``--public-key``, a file of one or more PEM keys); prints the
    findings; 0 only for an official document (``HASIL: SAH``), 1 for a DRAF or an invalid one.
    """
    from disdukcapil_desk.operations.documents import DocumentOps, verify_offline

    pdf = args.file.read_bytes()
    trust = tuple(_certificate_der(path) for path in args.trust) if args.trust else None
    if args.public_key is not None:
        report = verify_offline(pdf, args.public_key.read_bytes(), trust)
    else:
        assert ctx is not None
        report = DocumentOps(ctx).verify_pdf(pdf)
    out.write(f"Berkas : {args.file}\nSHA-256: {report.sha256}\n")
    for line in report.messages():
        out.write(f"{line}\n")
    return 0 if report.official else 1


def _certificate_der(path: Path) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    data = path.read_bytes()
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
        return x509.load_der_x509_certificate(data).public_bytes(Encoding.DER)
    except ValueError as exc:
        raise DeskError(f"{path} bukan sertifikat X.509") from exc


def cmd_print_ready(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Write every issued-but-not-printed certificate of a location to ``-o``."""
    from disdukcapil_desk.operations.documents import DocumentOps

    pdf = DocumentOps(ctx).print_ready(actor_of(args), args.location)
    if pdf is None:
        out.write(f"Tidak ada sertifikat yang menunggu dicetak di {args.location}.\n")
        return 0
    args.output.write_bytes(pdf)
    out.write(f"Sertifikat siap cetak {args.location} ditulis ke {args.output}\n")
    return 0


def cmd_public_key(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Write the office's public verification keys (current, then retired) to ``-o`` and print
    each one's id and fingerprint.
    """
    from disdukcapil_desk.domain.documents import key_fingerprint, key_id, load_public_key
    from disdukcapil_desk.operations.documents import DocumentOps

    pem = DocumentOps(ctx).public_key()
    if not pem:
        raise DeskError("Belum ada kunci segel: layanan penanda tangan belum pernah berjalan")
    args.output.write_bytes(pem)
    out.write(f"Kunci publik ditulis ke {args.output}\n")
    blocks = [b + b"-----END PUBLIC KEY-----\n" for b in pem.split(b"-----END PUBLIC KEY-----\n")]
    for number, block in enumerate(blocks[:-1]):
        key = load_public_key(block)
        state = "kini" if number == 0 else "purnatugas"
        out.write(f"Sidik jari: {key_fingerprint(key)} (kunci {key_id(key)}, {state})\n")
    return 0


def cmd_signing_set(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Install the office's PKCS#12 signing certificate."""
    from disdukcapil_desk.cli import read_passphrase  # here: the package imports this module
    from disdukcapil_desk.operations.documents import DocumentOps

    passphrase = read_passphrase(f"Kata sandi {args.file.name}: ")
    info = DocumentOps(ctx).configure_signing(actor_of(args), args.file.read_bytes(), passphrase)
    assert info is not None
    out.write(f"Sertifikat terpasang: {info.subject}, berlaku sampai {info.valid_until:%d-%m-%Y}\n")
    return 0


def cmd_signing_show(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Show the installed signing certificate."""
    from disdukcapil_desk.operations.documents import DocumentOps

    ops = DocumentOps(ctx)
    info = ops.signing_info()
    if info is None:
        out.write("Belum ada sertifikat: sertifikat/kutipan dicetak dengan tanda DRAF.\n")
    else:
        out.write(f"{info.subject}, berlaku sampai {info.valid_until:%d-%m-%Y}\n")
    out.write(f"{_level_line(ops.timestamp_server())}\n")
    return 0


def _level_line(url: str) -> str:
    if not url:
        return "Tingkat PAdES: B-B (tanpa server cap waktu)"
    return f"Tingkat PAdES: B-T, B-LT bila rantai sertifikat tersedia (server cap waktu {url})"


def cmd_signing_timestamp(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Set or clear the office's RFC 3161 timestamp server."""
    from disdukcapil_desk.operations.documents import DocumentOps

    url = DocumentOps(ctx).configure_timestamp_server(
        actor_of(args), "" if args.clear else args.url
    )
    out.write(f"{_level_line(url)}\n")
    return 0


def cmd_signing_clear(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Remove the signing certificate."""
    from disdukcapil_desk.operations.documents import DocumentOps

    DocumentOps(ctx).configure_signing(actor_of(args), None)
    out.write("Sertifikat dilepas.\n")
    return 0


def cmd_number_offset(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Continue a year's akta series after the last paper number."""
    from disdukcapil_desk.operations.documents import DocumentOps

    DocumentOps(ctx).set_opening_offset(
        actor_of(args), args.service, args.year, args.offset, late=args.late
    )
    out.write(f"Nomor {args.service} {args.year} berikutnya: {args.offset + 1:04d}\n")
    return 0


def cmd_number_register(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Print the register of voided and reprinted numbers."""
    from disdukcapil_desk.operations.documents import DocumentOps

    entries = DocumentOps(ctx).register(actor_of(args), args.number)
    if not entries:
        out.write("Register kosong.\n")
    for number, event, reason, who, at in entries:
        out.write(
            f"{at.astimezone():%d-%m-%Y %H:%M}  {number:<24} {event.label.upper():<12} "
            f"{who:<20} {reason}\n"
        )
    return 0
