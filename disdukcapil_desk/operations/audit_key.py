"""The office's audit key: a file in the workstation's data folder, never in the database.

The key signs (HMAC) every audit entry, so whoever can edit the database but does not hold the
key cannot rewrite the chain unseen. ``db init`` (on a new database) or ``audit key init``
creates it, readable by its owner only (0600); the office copies it to the data folder of every
workstation that writes to the same database (see the README, "Kunci log audit").
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from disdukcapil_desk.domain.audit import key_file_text, new_key, parse_key_file
from disdukcapil_desk.domain.errors import DeskError

KEY_FILE_NAME = "audit-key.txt"
"""The key file's name in the data folder."""

log = logging.getLogger(__name__)
_folder: Path | None = None


def use_key_folder(folder: Path | None) -> None:
    """Say where this process keeps the audit key (the composition root: the data folder)."""
    global _folder
    _folder = folder


def workstation_key_file() -> Path | None:
    """The key file of this workstation, or None when no folder was set (tests, embedding)."""
    return _folder / KEY_FILE_NAME if _folder is not None else None


def read_key(path: Path) -> bytes:
    """Read a key file.

    Raises:
        DeskError: the file cannot be read or holds no key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DeskError(f"Berkas kunci audit tidak dapat dibaca: {path} ({exc.strerror})") from exc
    try:
        key = parse_key_file(text)
    except ValueError as exc:
        raise DeskError(f"{exc}: {path}") from None
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("audit key file %s is readable by others; chmod 600 it", path)
    return key


def load_key(path: Path | None) -> bytes | None:
    """The key in ``path`` if that file exists, else None."""
    if path is None or not path.exists():
        return None
    return read_key(path)


def create_key_file(path: Path) -> bytes:
    """Create a new key file (owner read/write only) and return its key.

    Raises:
        DeskError: the file exists already (a key is never overwritten) or cannot be written.
    """
    key = new_key()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise DeskError(f"Berkas kunci audit sudah ada dan tidak ditimpa: {path}") from None
    except OSError as exc:
        raise DeskError(f"Berkas kunci audit tidak dapat dibuat: {path} ({exc.strerror})") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key_file_text(key))
        out.flush()
        os.fsync(out.fileno())
    return key
