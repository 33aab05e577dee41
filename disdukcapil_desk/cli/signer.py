"""The ``signer`` commands: the signing service and the seal key's rotation (interface layer).

``signer serve [--folder-kunci FOLDER] [--pkcs12 BERKAS | --pkcs11 KONFIG]`` runs the signing
service on the office server (PostgreSQL), as its own OS user: the seal keys in that user's key
folder, the PKCS#12 given by path with its passphrase from ``$DISDUKCAPIL_SIGNER_PASSPHRASE``
or asked at start (never stored), or a hardware token. It needs no desk login: its authority is
the keys it holds, and a service that starts unattended cannot type one.

``signer rotate [--folder-kunci FOLDER]`` (an administrator) makes a new seal key in the folder
and retires the current one, whose public half stays published.
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from disdukcapil_desk.cli.access import OPEN, actor_of
from disdukcapil_desk.cli.parsing import Commands, action, command_group
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.workflow import Permission

if TYPE_CHECKING:
    from disdukcapil_desk.operations.context import DeskContext
    from disdukcapil_desk.reports.signing import SigningIdentity

PASSPHRASE_ENV = "DISDUKCAPIL_SIGNER_PASSPHRASE"
PIN_ENV = "DISDUKCAPIL_TOKEN_PIN"


def add_commands(commands: Commands) -> None:
    """Declare the ``signer`` command and its actions."""
    signer = command_group(commands, "signer", "layanan penanda tangan dan kunci segel")
    serve = action(
        signer, "serve", "jalankan layanan penanda tangan (server PostgreSQL)", cmd_serve, door=OPEN
    )
    serve.description = (
        "Memegang kunci segel (folder kunci pengguna OS layanan, berkas 0600) dan sertifikat "
        f"PKCS#12 (--pkcs12; kata sandi dari ${PASSPHRASE_ENV} atau ditanyakan, tidak pernah "
        "disimpan) atau token PKCS#11 (--pkcs11), lalu menandatangani dokumen yang diantrekan "
        "workstation. Tanpa login desk. Hentikan dengan Ctrl+C atau SIGTERM."
    )
    _folder_option(serve)
    source = serve.add_mutually_exclusive_group()
    source.add_argument("--pkcs12", type=Path, metavar="BERKAS", help="sertifikat .p12/.pfx")
    source.add_argument("--pkcs11", type=Path, metavar="KONFIG", help="konfigurasi token (JSON)")
    rotate = action(
        signer,
        "rotate",
        "buat kunci segel baru; kunci lama tetap diterbitkan",
        cmd_rotate,
        door=Permission.MANAGE_OFFICE,
    )
    _folder_option(rotate)


def _folder_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--folder-kunci",
        dest="key_folder",
        type=Path,
        metavar="FOLDER",
        help="folder kunci dokumen (bawaan: folder data pengguna ini, kunci-dokumen)",
    )


def cmd_serve(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Run the signing service until interrupted."""
    from disdukcapil_desk.operations.documents.custody import KeyFolder, key_folder_of
    from disdukcapil_desk.operations.documents.signer_service import SignerService

    folder = KeyFolder(args.key_folder or key_folder_of(ctx))
    service = SignerService(ctx, folder, _identity(args))
    key_id = service.start()
    identity = service.custody.identity()
    signs = f"sertifikat {identity.subject}" if identity else "tanpa sertifikat (dokumen DRAF)"
    out.write(
        f"Layanan penanda tangan berjalan: kunci segel {key_id}, {signs}, folder kunci "
        f"{folder.path}. Hentikan dengan Ctrl+C.\n"
    )
    out.flush()
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        service.serve(stop)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    out.write("Layanan penanda tangan berhenti.\n")
    return 0


def cmd_rotate(args: argparse.Namespace, ctx: DeskContext, out: TextIO) -> int:
    """Make a new seal key in the key folder; the old public key stays published."""
    from disdukcapil_desk.operations.documents.custody import (
        FolderCustody,
        KeyFolder,
        key_folder_of,
    )
    from disdukcapil_desk.operations.documents.signing import DocumentSigning

    folder = KeyFolder(args.key_folder or key_folder_of(ctx))
    new_id = DocumentSigning(ctx, FolderCustody(folder)).rotate(actor_of(args))
    out.write(
        f"Kunci segel baru: {new_id} (di {folder.path}). Kunci lama tetap diterbitkan; "
        "terbitkan ulang berkas kunci publik: public-key -o BERKAS.\n"
    )
    return 0


def _identity(args: argparse.Namespace) -> SigningIdentity | None:
    """The PAdES identity the service was given: a PKCS#12 file, a token, or none."""
    from disdukcapil_desk.reports.signing import load_identity

    if args.pkcs11 is not None:
        from disdukcapil_desk.reports.pkcs11 import load_pkcs11_config, open_token

        config = load_pkcs11_config(args.pkcs11)
        return open_token(config, _secret(PIN_ENV, "PIN token: "))
    if args.pkcs12 is None:
        return None
    try:
        data = args.pkcs12.read_bytes()
    except OSError as exc:
        raise DeskError(f"Berkas sertifikat tidak dapat dibaca: {args.pkcs12}") from exc
    return load_identity(data, _secret(PASSPHRASE_ENV, f"Kata sandi {args.pkcs12.name}: "))


def _secret(variable: str, prompt: str) -> str:
    """A secret from the environment (then removed from it: no child inherits it) or asked."""
    value = os.environ.pop(variable, None)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(prompt)
