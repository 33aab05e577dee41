"""Document commands: ``receipt``, ``certificate``, ``verify``, ``print-ready`` (interface layer).

``disdukcapil-desk receipt DINAS/20261102/0001 -o tanda-terima.pdf [--slip]``
``disdukcapil-desk certificate 3604-LU-28112026-0001 -o akta.pdf [--reprint ALASAN]``
``disdukcapil-desk verify akta.pdf``
``disdukcapil-desk print-ready --location DINAS -o siap-cetak.pdf``
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare the document commands on the desk's subcommands.

    Args:
        commands: the subparsers of the desk's argument parser.
    """
    receipt = commands.add_parser("receipt", help="tulis tanda terima permohonan (PDF)")
    receipt.add_argument("number", metavar="NOMOR", help="nomor permohonan")
    receipt.add_argument("-o", "--output", type=Path, required=True, metavar="BERKAS")
    receipt.add_argument("--slip", action="store_true", help="ukuran struk 80 mm")
    receipt.add_argument("--reprint", metavar="ALASAN", help="cetak ulang dengan alasan")
    receipt.set_defaults(handler=cmd_receipt)
    certificate = commands.add_parser("certificate", help="tulis sertifikat/kutipan akta (PDF)")
    certificate.add_argument("number", metavar="NOMOR", help="nomor akta atau nomor permohonan")
    certificate.add_argument("-o", "--output", type=Path, required=True, metavar="BERKAS")
    certificate.add_argument("--reprint", metavar="ALASAN", help="cetak ulang dengan alasan")
    certificate.set_defaults(handler=cmd_certificate)
    verify = commands.add_parser("verify", help="periksa keaslian PDF dari Disdukcapil Desk")
    verify.add_argument("file", type=Path, metavar="BERKAS")
    verify.set_defaults(handler=cmd_verify)
    ready = commands.add_parser(
        "print-ready", help="satu PDF berisi semua sertifikat terbit yang belum dicetak"
    )
    ready.add_argument("--location", required=True, metavar="KODE", help="mis. DINAS, UPT-05")
    ready.add_argument("-o", "--output", type=Path, required=True, metavar="BERKAS")
    ready.set_defaults(handler=cmd_print_ready)


def _actor() -> Actor:
    from disdukcapil_desk.cli import cli_actor  # here: the package imports this module

    return cli_actor()


def _purpose(args: argparse.Namespace) -> tuple[str, str]:
    return ("reprint", args.reprint) if args.reprint else ("print", "")


def cmd_receipt(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Write the receipt of a request to ``-o``; returns 0."""
    purpose, reason = _purpose(args)
    pdf = DocumentOps(ctx).render_receipt(
        _actor(), args.number, slip=args.slip, purpose=purpose, reason=reason
    )
    args.output.write_bytes(pdf)
    out.write(f"Tanda terima {args.number} ditulis ke {args.output}\n")
    return 0


def cmd_certificate(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Write a certificate to ``-o``; returns 0."""
    purpose, reason = _purpose(args)
    pdf = DocumentOps(ctx).render_certificate(_actor(), args.number, purpose=purpose, reason=reason)
    args.output.write_bytes(pdf)
    out.write(f"Sertifikat {args.number} ditulis ke {args.output}\n")
    return 0


def cmd_verify(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Verify a PDF; prints the findings and returns 0 when genuine, 1 when not."""
    report = DocumentOps(ctx).verify_pdf(args.file.read_bytes())
    out.write(f"Berkas : {args.file}\nSHA-256: {report.sha256}\n")
    for line in report.messages():
        out.write(f"{line}\n")
    return 0 if report.ok else 1


def cmd_print_ready(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Write every issued-but-not-printed certificate of a location to ``-o``."""
    pdf = DocumentOps(ctx).print_ready(_actor(), args.location)
    if pdf is None:
        out.write(f"Tidak ada sertifikat yang menunggu dicetak di {args.location}.\n")
        return 0
    args.output.write_bytes(pdf)
    out.write(f"Sertifikat siap cetak {args.location} ditulis ke {args.output}\n")
    return 0
