"""The ``intake`` command: the quarantined intake rows, and sending them back (interface layer).

``disdukcapil-desk intake quarantine`` lists them with their reasons;
``disdukcapil-desk intake requeue 12 13 --note "katalog diperbarui"`` makes them pending again,
for the next ``ingest``, once their cause is fixed.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk.cli.access import actor_of
from disdukcapil_desk.cli.parsing import Commands, action, command_group
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.workflow import Permission

if TYPE_CHECKING:
    from disdukcapil_desk.operations.context import DeskContext


def add_commands(commands: Commands) -> None:
    """Declare ``intake quarantine`` and ``intake requeue`` on the desk's subcommands."""
    intake = command_group(commands, "intake", "baris masuk yang dikarantina")
    listing = action(
        intake,
        "quarantine",
        "daftar baris yang dikarantina",
        _cmd_quarantine,
        door=Permission.REQUEUE_INTAKE,
    )
    listing.add_argument("--limit", type=_positive, default=200, metavar="N")
    requeue = action(
        intake,
        "requeue",
        "kirim ulang baris karantina ke antrean masuk",
        _cmd_requeue,
        door=Permission.REQUEUE_INTAKE,
    )
    requeue.add_argument("row_ids", nargs="+", type=_positive, metavar="ID")
    requeue.add_argument("--note", default="", metavar="CATATAN", help="apa yang diperbaiki")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"harus bilangan bulat positif: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"harus bilangan bulat positif: {text!r}")
    return value


def _cmd_quarantine(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.intake import IntakeOps

    rows = IntakeOps(ctx).quarantined(actor_of(args), args.limit)
    if not rows:
        out.write("Tidak ada baris yang dikarantina.\n")
    for row in rows:
        received = row.received_at.astimezone(WIB).strftime("%d-%m-%Y %H:%M")
        out.write(
            f"#{row.row_id:<7} {received}  {row.channel:<9} {row.external_ref[:30]:<30} "
            f"{row.service_code[:28]:<28} {row.reason.splitlines()[0][:120]}\n"
        )
    return 0


def _cmd_requeue(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.intake import IntakeOps

    count = IntakeOps(ctx).requeue(actor_of(args), args.row_ids, args.note)
    out.write(f"Dikirim ulang ke antrean masuk: {count} baris\n")
    skipped = len(set(args.row_ids)) - count
    if skipped:
        out.write(f"Dilewati (tidak dikarantina): {skipped} baris\n")
    return 0 if count else 1
