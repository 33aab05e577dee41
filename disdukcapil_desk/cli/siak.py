"""The steps after approval from the command line: ``siak`` and ``tte`` (interface layer).

disdukcapil-desk --login LOGIN siak record NOMOR --no-akta 3604-LU-02112026-0001
disdukcapil-desk --login LOGIN siak show NOMOR
disdukcapil-desk --login LOGIN tte attach NOMOR akta-ttd.pdf
disdukcapil-desk --login LOGIN tte send NOMOR
disdukcapil-desk --login admin tte source [LAYANAN siak|desk]
disdukcapil-desk --login admin siak series [on|off]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk.cli.access import actor_of
from disdukcapil_desk.cli.parsing import Commands, action, command_group
from disdukcapil_desk.domain.delivery import SiakNumberKind, TteSource
from disdukcapil_desk.domain.workflow import Permission

if TYPE_CHECKING:
    from disdukcapil_desk.domain.siak import FollowUp
    from disdukcapil_desk.operations.context import DeskContext

_OPTIONS = {
    SiakNumberKind.AKTA: "--no-akta",
    SiakNumberKind.NIK: "--nik-baru",
    SiakNumberKind.KK: "--no-kk-baru",
    SiakNumberKind.SKPWNI: "--no-skpwni",
}


def add_commands(commands: Commands) -> None:
    """Declare ``siak`` and ``tte`` on the desk's subcommands."""
    siak = command_group(commands, "siak", "catat nomor dari SIAK untuk permohonan yang disetujui")
    record = action(
        siak,
        "record",
        "catat nomor dari SIAK (atau perbaiki sebelum TTE)",
        cmd_record,
        door=Permission.EDIT_REQUEST,
    )
    record.add_argument("number", metavar="NOMOR", help="nomor permohonan")
    for kind, option in _OPTIONS.items():
        record.add_argument(option, dest=kind.value, default="", metavar="NILAI", help=kind.label)
    show = action(
        siak, "show", "tampilkan nomor SIAK dan PDF TTE", cmd_show, door=Permission.VIEW_QUEUE
    )
    show.add_argument("number", metavar="NOMOR")
    series = action(
        siak,
        "series",
        "seri nomor akta desk sendiri: on (desk menomori) atau off (nomor dari SIAK, bawaan)",
        cmd_series,
        door=Permission.MANAGE_OFFICE,
    )
    series.add_argument("state", nargs="?", choices=("on", "off"), metavar="on|off")

    tte = command_group(commands, "tte", "PDF bertanda tangan elektronik: lampirkan dan kirim")
    attach = action(tte, "attach", "lampirkan PDF TTE dari SIAK", cmd_attach, door=Permission.ISSUE)
    attach.add_argument("number", metavar="NOMOR")
    attach.add_argument("file", type=Path, metavar="BERKAS.pdf")
    send = action(
        tte,
        "send",
        "kirim PDF TTE ke pemohon (kotak keluar)",
        cmd_send,
        door=Permission.EDIT_REQUEST,
    )
    send.add_argument("number", metavar="NOMOR")
    source = action(
        tte,
        "source",
        "sumber PDF TTE per layanan: siak (bawaan) atau desk (sertifikat kantor)",
        cmd_source,
        door=Permission.MANAGE_OFFICE,
    )
    source.add_argument("service", nargs="?", metavar="LAYANAN")
    source.add_argument("source", nargs="?", choices=tuple(TteSource), metavar="siak|desk")


def _request_id(args: argparse.Namespace, ctx: DeskContext) -> int:
    from disdukcapil_desk.operations.queue import QueueOps

    return QueueOps(ctx).detail(actor_of(args), args.number).row.id


def _describe(follow: FollowUp, out: TextIO) -> None:
    out.write(f"{follow.number}  {follow.service_name}  [{follow.status.label}]\n")
    for number in follow.numbers:
        out.write(f"  {number.kind.label}: {_shown(number.kind, number.value)}\n")
    if follow.document is not None:
        doc = follow.document
        out.write(f"  PDF TTE: {doc.filename} ({doc.size} bita), SHA-256 {doc.sha256}\n")
        out.write(f"  Penanda tangan: {doc.signer}\n")
    if follow.sent_at is not None:
        out.write(f"  Dikirim ke pemohon: {follow.sent_at.astimezone():%d-%m-%Y %H:%M}\n")


def _shown(kind: SiakNumberKind, value: str) -> str:
    from disdukcapil_desk.domain.siak import masked

    return masked(kind, value)


def cmd_record(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Record SIAK's numbers of a request; prints its state and any warning."""
    from disdukcapil_desk.operations.after_approval import AfterApprovalOps

    numbers = {kind: getattr(args, kind.value) for kind in _OPTIONS}
    result = AfterApprovalOps(ctx).record_siak(
        actor_of(args), _request_id(args, ctx), {k: v for k, v in numbers.items() if v}
    )
    _describe(result.follow_up, out)
    for warning in result.warnings:
        out.write(f"peringatan: {warning}\n")
    return 0


def cmd_show(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Print what was recorded from SIAK and the signed PDF of a request."""
    from disdukcapil_desk.operations.after_approval import AfterApprovalOps

    _describe(AfterApprovalOps(ctx).follow_up(actor_of(args), _request_id(args, ctx)), out)
    return 0


def cmd_attach(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Attach a signed PDF; prints the signer, whether trusted, and the SHA-256."""
    from disdukcapil_desk.operations.after_approval import AfterApprovalOps

    result = AfterApprovalOps(ctx).attach_signed_pdf(
        actor_of(args), _request_id(args, ctx), args.file.name, args.file.read_bytes()
    )
    _describe(result.follow_up, out)
    trust = "terpercaya" if result.document.trusted else "akar sertifikat tidak dikenal desk"
    out.write(f"  Tanda tangan utuh dan mencakup seluruh berkas ({trust})\n")
    for warning in result.warnings:
        out.write(f"peringatan: {warning}\n")
    return 0


def cmd_send(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Send the signed PDF to the applicant through the outbox."""
    from disdukcapil_desk.operations.after_approval import AfterApprovalOps

    result = AfterApprovalOps(ctx).send_document(actor_of(args), _request_id(args, ctx), None)
    _describe(result.follow_up, out)
    out.write(f"Pesan {result.message_id} ke kotak keluar ({result.channel})\n")
    return 0


def cmd_source(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Show every service's TTE source, or set one."""
    from disdukcapil_desk.domain.errors import DeskError
    from disdukcapil_desk.operations.office import OfficeOps

    office = OfficeOps(ctx)
    if args.service is not None:
        if args.source is None:
            raise DeskError("Sebutkan sumbernya: siak atau desk")
        changed = office.set_tte_source(actor_of(args), args.service, args.source)
        out.write(f"{args.service}: {args.source}{'' if changed else ' (tidak berubah)'}\n")
        return 0
    for code, name, chosen in office.tte_sources():
        out.write(f"{code:32} {chosen.value:5} {name}\n")
    return 0


def cmd_series(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Show or set whether the desk draws akta numbers from its own series."""
    from disdukcapil_desk.operations.office import OfficeOps

    office = OfficeOps(ctx)
    if args.state is not None:
        office.set_desk_number_series(actor_of(args), args.state == "on")
    on = office.desk_number_series()
    out.write(
        "Seri nomor desk: aktif (desk menomori akta)\n"
        if on
        else "Seri nomor desk: tidak aktif (nomor akta dari SIAK)\n"
    )
    return 0
