"""The ``pickup`` commands: windows and hours of an office, booking, the day's list, check-in
and the sweep (interface layer).

``disdukcapil-desk pickup windows --location UPT-05 --date 2026-11-03``
``disdukcapil-desk pickup hours UPT-05 --start 08:00 --end 15:00 --minutes 30 --capacity 10
--rest 12:00-13:00 --friday-rest 11:30-13:00``
``disdukcapil-desk pickup book UPT-05/20261102/0001 [--jadwal "2026-11-03 09:30"] [--ulang]``
``disdukcapil-desk pickup list [--location UPT-05] [--date 2026-11-03] [-o daftar.pdf]``
``disdukcapil-desk pickup checkin "DDK2|R|UPT-05/20261102/0001|…"``
``disdukcapil-desk pickup sweep``
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk.cli.access import actor_of
from disdukcapil_desk.cli.parsing import Commands, action, command_group
from disdukcapil_desk.domain.workflow import Permission

if TYPE_CHECKING:
    from disdukcapil_desk.operations.context import DeskContext


def add_commands(commands: Commands) -> None:
    """Declare ``pickup windows|hours|book|list|checkin|sweep`` on the desk's subcommands."""
    pickup = command_group(commands, "pickup", "jadwal pengambilan kartu/dokumen cetak")
    windows = action(
        pickup, "windows", "jadwal satu hari dan sisa tempatnya", _cmd_windows,
        door=Permission.VIEW_QUEUE,
    )  # fmt: skip
    windows.add_argument("--location", metavar="KODE", help="bawaan: lokasi petugas")
    windows.add_argument("--date", type=_date, metavar="TANGGAL", help="bawaan: hari kerja depan")
    hours = action(
        pickup, "hours", "atur jam dan kapasitas pengambilan suatu kantor", _cmd_hours,
        door=Permission.MANAGE_OFFICE,
    )  # fmt: skip
    hours.add_argument("location", metavar="KODE")
    hours.add_argument("--start", metavar="JJ:MM", help="jam mulai (WIB)")
    hours.add_argument("--end", metavar="JJ:MM", help="jam selesai (WIB)")
    hours.add_argument("--minutes", type=int, metavar="N", help="lama satu jadwal (menit)")
    hours.add_argument("--capacity", type=int, metavar="N", help="orang per jadwal")
    hours.add_argument(
        "--rest", metavar="JJ:MM-JJ:MM", help="istirahat tanpa jadwal, mis. 12:00-13:00 (- : tidak)"
    )
    hours.add_argument(
        "--friday-rest",
        metavar="JJ:MM-JJ:MM",
        help="istirahat hari Jumat, mis. 11:30-13:00 (- : sama dengan istirahat biasa)",
    )
    hours.add_argument("--lead", type=int, metavar="N", help="jeda hari kerja sebelum jadwal")
    book = action(
        pickup, "book", "jadwalkan pengambilan permohonan yang sudah terbit", _cmd_book,
        door=Permission.EDIT_REQUEST,
    )  # fmt: skip
    book.add_argument("number", metavar="NOMOR")
    book.add_argument("--jadwal", metavar="'YYYY-MM-DD JJ:MM'", help="jadwal pilihan petugas")
    book.add_argument("--ulang", action="store_true", help="ganti jadwal yang sudah ada")
    listing = action(
        pickup, "list", "daftar pengambilan satu hari", _cmd_list, door=Permission.VIEW_QUEUE
    )
    listing.add_argument("--location", metavar="KODE", help="bawaan: lokasi petugas")
    listing.add_argument("--date", type=_date, metavar="TANGGAL", help="bawaan: hari ini")
    listing.add_argument("-o", "--output", type=Path, metavar="BERKAS", help="cetak ke PDF")
    checkin = action(
        pickup, "checkin", "catat pengambilan (QR bukti pendaftaran atau nomor)", _cmd_checkin,
        door=Permission.EDIT_REQUEST,
    )  # fmt: skip
    checkin.add_argument("scanned", metavar="QR_ATAU_NOMOR")
    action(
        pickup, "sweep", "tandai yang tidak datang, jadwalkan ulang, kirim pengingat", _cmd_sweep,
        door=Permission.RUN_INGEST,
    )  # fmt: skip


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal harus YYYY-MM-DD: {text!r}") from None


def _cmd_windows(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.domain.clock import office_date
    from disdukcapil_desk.domain.pickup import date_text
    from disdukcapil_desk.operations.pickup import PickupOps

    actor = actor_of(args)
    location = args.location or actor.location_code or "DINAS"
    ops = PickupOps(ctx)
    day = args.date or ctx.reference.calendar.next_working_day(office_date(ctx.clock()))
    out.write(f"{location}: {ops.hours(location).describe()}\n{date_text(day)}\n")
    rows = ops.windows(actor, location, day)
    if not rows:
        out.write("Bukan hari kerja: tidak ada jadwal.\n")
    for row in rows:
        out.write(f"  {row.window.time_text}  terisi {row.booked}/{row.capacity}\n")
    return 0


def _cmd_hours(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.domain.pickup import PickupHours, parse_pause, parse_time
    from disdukcapil_desk.operations.pickup import PickupOps

    ops = PickupOps(ctx)
    current = ops.hours(args.location)
    wanted = PickupHours(
        start=parse_time(args.start) if args.start else current.start,
        end=parse_time(args.end) if args.end else current.end,
        minutes=current.minutes if args.minutes is None else args.minutes,
        capacity=current.capacity if args.capacity is None else args.capacity,
        lead_days=current.lead_days if args.lead is None else args.lead,
        rest=current.rest if args.rest is None else parse_pause(args.rest),
        friday_rest=current.friday_rest
        if args.friday_rest is None
        else parse_pause(args.friday_rest),
    )
    changed = ops.set_hours(actor_of(args), args.location, wanted)
    out.write(f"{args.location}: {wanted.describe()}{'' if changed else ' (tidak berubah)'}\n")
    return 0


def _cmd_book(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.domain.pickup import parse_window_start
    from disdukcapil_desk.operations.pickup import PickupOps
    from disdukcapil_desk.operations.queue import QueueOps

    actor = actor_of(args)
    row = QueueOps(ctx).detail(actor, args.number).row
    slot = parse_window_start(args.jadwal) if args.jadwal else None
    ops = PickupOps(ctx)
    booked = (
        ops.rebook(actor, row.id, row.version, slot)
        if args.ulang
        else ops.book(actor, row.id, row.version, slot)
    )
    out.write(f"Terjadwal {booked.describe()}\n")
    return 0


def _cmd_list(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.pickup import PickupOps

    actor = actor_of(args)
    ops = PickupOps(ctx)
    if args.output:
        args.output.write_bytes(ops.list_pdf(actor, args.location, args.date))
        out.write(f"Daftar pengambilan ditulis ke {args.output}\n")
        return 0
    rows = ops.day_list(actor, args.location, args.date)
    for row in rows:
        out.write(
            f"{row.time_text:<12} {row.number:<22} {row.applicant_name[:28]:<28} "
            f"{row.nik_masked:<17} {row.state_text}\n"
        )
    out.write(f"{len(rows)} baris\n")
    return 0


def _cmd_checkin(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.pickup import PickupOps

    row = PickupOps(ctx).check_in(actor_of(args), args.scanned)
    out.write(f"Diambil: {row.number} ({row.applicant_name})\n")
    return 0


def _cmd_sweep(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.pickup import PickupOps

    out.write(PickupOps(ctx).sweep().describe() + "\n")
    return 0
