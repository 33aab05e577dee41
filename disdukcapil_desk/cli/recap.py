"""The ``recap`` command: write the recap workbook or PDF of a period (interface layer).

``disdukcapil-desk recap --from 2026-11-01 --to 2026-11-30 [--location UPT-05|all] [--no-register]
-o rekap.xlsx``
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk.cli.access import actor_of
from disdukcapil_desk.domain.workflow import Permission

if TYPE_CHECKING:
    from disdukcapil_desk.operations.context import DeskContext


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal harus YYYY-MM-DD: {text!r}") from None


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare the ``recap`` command on the desk's subcommands.

    Args:
        commands: the subparsers of the desk's argument parser.
    """
    recap = commands.add_parser(
        "recap",
        help="tulis rekap pelayanan suatu periode (.xlsx atau .pdf)",
        description="Rekap permohonan yang diterima dari --from sampai --to (tanggal WIB). "
        "Format mengikuti akhiran berkas -o.",
    )
    recap.add_argument("--from", dest="date_from", type=_date, required=True, metavar="TANGGAL")
    recap.add_argument("--to", dest="date_to", type=_date, required=True, metavar="TANGGAL")
    recap.add_argument(
        "--location", default="all", metavar="KODE", help="kode lokasi (mis. UPT-05) atau 'all'"
    )
    recap.add_argument("-o", "--output", type=Path, required=True, metavar="BERKAS")
    recap.add_argument(
        "--full-nik", action="store_true", help="tampilkan NIK utuh di register (butuh hak)"
    )
    recap.add_argument(
        "--no-register",
        dest="register",
        action="store_false",
        help="tanpa register permohonan (hanya angka rekap; jauh lebih cepat)",
    )
    recap.set_defaults(handler=cmd_recap, door=Permission.EXPORT_RECAP)


def cmd_recap(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Run the ``recap`` command; prints one summary line.

    Returns:
        The exit status (0).
    """
    from disdukcapil_desk.operations.recaps import Recaps

    location = None if args.location.lower() == "all" else args.location
    result = Recaps(ctx).build_recap(
        actor_of(args),
        args.date_from,
        args.date_to,
        location,
        args.output,
        full_nik=args.full_nik,
        register=args.register,
    )
    out.write(result.describe() + "\n")
    return 0
