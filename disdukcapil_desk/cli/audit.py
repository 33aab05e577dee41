"""The ``audit`` commands: verify the chain, print its head, create the office's key
(interface layer).

``audit verify [--key FILE] [--expect SEQ:HASH]… [--expect-file FILE]…`` checks every link and
hash of every chain, every MAC with the key (default: this workstation's key file), the head
rows, and that each head published on a recap is still what the chains give up to its entry.
``audit head`` prints the line recaps carry (one digest of every chain's head). ``audit key
init`` creates the key and keys every chain from then on.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk.cli.access import OPEN, actor_of
from disdukcapil_desk.cli.parsing import Commands, action, command_group
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.workflow import Permission

if TYPE_CHECKING:
    from disdukcapil_desk.domain.audit import ChainReport, PublishedHead
    from disdukcapil_desk.operations.context import DeskContext


def add_commands(commands: Commands) -> None:
    """Declare the ``audit`` command and its actions on the desk's subcommands."""
    audit = command_group(commands, "audit", "log audit")
    verify = action(
        audit, "verify", "periksa rantai log audit (hash, MAC, kepala)", cmd_verify, door=OPEN
    )
    verify.description = (
        "Memeriksa setiap entri log audit. Dengan kunci audit (--key, bawaan: berkas kunci "
        "komputer ini) setiap MAC diperiksa; dengan kepala terbit (--expect, --expect-file: "
        "baris 'Kepala log audit' dari rekap) entri itu harus masih ada dan sama."
    )
    verify.add_argument("--key", type=Path, metavar="BERKAS", help="berkas kunci audit kantor")
    verify.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="URUT:HASH",
        help="kepala terbit yang harus masih ada (boleh berulang)",
    )
    verify.add_argument(
        "--expect-file",
        action="append",
        default=[],
        type=Path,
        metavar="BERKAS",
        help="berkas berisi kepala terbit (satu atau lebih URUT:HASH)",
    )
    action(audit, "head", "cetak kepala log audit (nomor urut, hash, waktu)", cmd_head, door=OPEN)
    key = command_group(audit, "key", "kunci log audit kantor")
    action(
        key,
        "init",
        "buat kunci audit di komputer ini dan kunci rantai mulai sekarang",
        cmd_key_init,
        door=Permission.MANAGE_OFFICE,
    )


def _expected(args: argparse.Namespace) -> list[PublishedHead]:
    from disdukcapil_desk.domain.audit import parse_published

    heads: list[PublishedHead] = []
    for text in args.expect:
        found = parse_published(text)
        if len(found) != 1:
            raise DeskError(f"Kepala terbit tidak sah: {text!r} (bentuk URUT:HASH, hash ≥16 heks)")
        heads += found
    for path in args.expect_file:
        try:
            found = parse_published(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DeskError(
                f"Berkas kepala terbit tidak dapat dibaca: {path} ({exc.strerror})"
            ) from exc
        if not found:
            raise DeskError(f"Tidak ada kepala terbit (URUT:HASH) di berkas {path}")
        heads += found
    return heads


def cmd_verify(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Run ``audit verify``; exit status 1 when the chain is broken."""
    from disdukcapil_desk.operations.audit import check_chain
    from disdukcapil_desk.operations.audit_key import read_key

    key = read_key(args.key) if args.key else ctx.audit_key()
    report = check_chain(ctx, key, _expected(args))
    out.write(_describe(report, key))
    return 0 if report.intact else 1


def _describe(report: ChainReport, key: bytes | None) -> str:
    from disdukcapil_desk.domain.audit import key_fingerprint

    lines = [f"Entri: {report.entries} ({report.keyed} ber-MAC, {report.hash_only} hanya hash)"]
    if report.hash_only and report.intact:
        lines.append("  Entri tanpa MAC ditulis sebelum kantor memakai kunci audit.")
    if key is not None:
        lines.append(f"MAC diperiksa dengan kunci {key_fingerprint(key)}.")
    else:
        lines.append("MAC tidak diperiksa: tidak ada kunci audit (pakai --key BERKAS).")
    if report.expected_checked:
        lines.append(f"Kepala terbit dibandingkan: {report.expected_checked}")
    if report.head is not None:
        lines.append(report.head.line(WIB))
    if report.intact:
        lines.append("Log audit utuh.")
    else:
        lines.append(f"Log audit RUSAK: {report.problem}.")
    return "\n".join(lines) + "\n"


def cmd_head(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Run ``audit head``: one line to publish (exit 1 when the head row is missing)."""
    from disdukcapil_desk.operations.audit import chain_head

    head = chain_head(ctx)
    if head is None:
        out.write("Log audit RUSAK: rantai audit rusak: baris kepala hilang.\n")
        return 1
    out.write(head.line(WIB) + "\n")
    return 0


def cmd_key_init(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Run ``audit key init``: create this workstation's key file and key the chain."""
    from disdukcapil_desk.domain.audit import key_fingerprint
    from disdukcapil_desk.operations.audit import init_key

    path = ctx.audit_key_file
    if path is None:
        raise DeskError("Folder data komputer ini tidak diketahui; kunci audit tidak dibuat.")
    key = init_key(ctx, actor_of(args), path)
    out.write(
        f"Kunci audit dibuat: {path} (sidik {key_fingerprint(key)}).\n"
        "Salin berkas ini ke folder data setiap komputer yang memakai basis data ini; "
        "simpan salinannya di tempat aman. Jangan simpan di basis data.\n"
    )
    return 0
