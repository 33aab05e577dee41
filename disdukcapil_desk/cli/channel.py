"""The ``channel`` command: the reference channel, a simulated bot (interface layer).

``disdukcapil-desk --login admin channel simulate --citizens 6 --rounds 3 --fail-rate 0.1
--seed 1 --channel whatsapp [--ingest]`` writes the sample citizens' requests as intake rows,
consumes the channel's outbox (claim, send, report sent / delivered / failed) and answers
revision requests with resubmissions. See ``docs/channels.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk.cli.parsing import Commands, action, command_group
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.domain.workflow import Permission

if TYPE_CHECKING:
    from disdukcapil_desk.operations.context import DeskContext

_BOT_CHANNELS = [c.value for c in Channel if not c.answers_by_contact]


def add_commands(commands: Commands) -> None:
    """Declare ``channel simulate`` on the desk's subcommands."""
    group = command_group(commands, "channel", "kanal rujukan (simulasi bot WhatsApp/web/email)")
    simulate = action(
        group,
        "simulate",
        "kirim permohonan warga contoh, proses kotak keluar, jawab permintaan perbaikan",
        _cmd_simulate,
        door=Permission.MANAGE_USERS,
    )
    simulate.add_argument("--channel", choices=_BOT_CHANNELS, default="whatsapp")
    simulate.add_argument("--citizens", type=_count, default=6, metavar="N", help="jumlah warga")
    simulate.add_argument("--rounds", type=_count, default=3, metavar="N", help="jumlah putaran")
    simulate.add_argument(
        "--fail-rate", type=_rate, default=0.1, metavar="P", help="peluang gagal kirim (0-1)"
    )
    simulate.add_argument(
        "--reschedule-rate",
        type=_rate,
        default=0.0,
        metavar="P",
        help="peluang warga membalas jadwal pengambilan dengan JADWAL ULANG (0-1)",
    )
    simulate.add_argument("--seed", type=int, default=1, metavar="S", help="benih acak")
    simulate.add_argument("--batch", type=_count, default=50, metavar="N", help="pesan per klaim")
    simulate.add_argument(
        "--lease", type=_count, default=300, metavar="DETIK", help="lama klaim pesan (detik)"
    )
    simulate.add_argument("--worker", default="simulator-1", metavar="NAMA", help="nama bot")
    simulate.add_argument(
        "--ingest", action="store_true", help="jalankan juga proses masuk desk tiap putaran"
    )


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"harus bilangan bulat: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"tidak boleh negatif: {text!r}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"harus angka 0 sampai 1: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"harus angka 0 sampai 1: {text!r}")
    return value


def _cmd_simulate(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    from disdukcapil_desk.operations.channel import ChannelSimulator, SimulationSettings

    settings = SimulationSettings(
        channel=Channel(args.channel),
        citizens=args.citizens,
        rounds=args.rounds,
        fail_rate=args.fail_rate,
        reschedule_rate=args.reschedule_rate,
        seed=args.seed,
        batch=max(1, args.batch),
        lease=dt.timedelta(seconds=max(1, args.lease)),
        worker=args.worker,
        ingest=args.ingest,
    )
    report = ChannelSimulator(ctx, settings).run()
    out.write(f"Kanal {settings.channel.label} (simulasi, benih {settings.seed})\n")
    for line in report.lines():
        out.write(line + "\n")
    return 0
