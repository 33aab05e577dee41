"""The workstation's settings file, shared by the window and the command line (no Qt).

One INI file in the user's config folder (``workstation.ini``) says which database this
workstation uses, which office it belongs to, how it shows and prints, and where it asks for
updates. The window once kept it with Qt's ``QSettings`` and still keeps each officer's window
layout in it (``[users]``: geometry bytes, header state); this module reads and writes the
workstation's own keys with the standard library, in the same format, so both doors see one
truth.

Only the lines of the keys written change: every other line — ``@ByteArray(...)`` layouts,
``@Variant(...)`` filters, comments, sections this module does not know — is kept byte for byte.
Values are escaped the way ``QSettings`` escapes them (quotes around ``,`` ``;`` ``=`` and edge
spaces, backslash escapes, a leading ``@`` doubled), so the window reads back what was written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import socket
import tempfile
from collections.abc import Mapping
from pathlib import Path

from disdukcapil_desk.domain.database import DEFAULT_PG_PORT, SQLITE, DatabaseConfig
from disdukcapil_desk.domain.offline import DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE

SETTINGS_FILE = "workstation.ini"
SETTINGS_VERSION = 1
"""Written as ``version`` in ``[General]`` with the first change."""
DEFAULT_IDLE_MINUTES = 10
TEXT_SCALES = (100, 115, 130)
"""Text sizes a workstation may choose, in percent of the system font."""
RECEIPT_PROFILES = {"a4": "A4 (printer kantor)", "slip": "Struk 80 mm (printer loket)"}

GENERAL = "General"
"""The section ``QSettings`` writes keys without a group to."""
_DATABASE_KEYS = ("kind", "host", "port", "name", "user")

Key = tuple[str, str]
"""(section, key) of one value."""


def settings_path(config_dir: Path) -> Path:
    """The workstation settings file in a config folder."""
    return config_dir / SETTINGS_FILE


class IniFile:
    """A ``QSettings`` INI file read and edited line by line (values are plain strings)."""

    def __init__(self, path: Path) -> None:
        """Use the file at ``path`` (it need not exist yet)."""
        self.path = path

    def _lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def values(self) -> dict[Key, str]:
        """Return every plain value of the file; ``@Variant``/``@ByteArray`` ones are left out."""
        found: dict[Key, str] = {}
        section = GENERAL
        for line in self._lines():
            parsed = _section_of(line)
            if parsed is not None:
                section = parsed
                continue
            entry = _entry_of(line)
            if entry is None:
                continue
            value = unescape_value(entry[1])
            if value is not None:
                found[(section, entry[0])] = value
        return found

    def get(self, section: str, key: str) -> str | None:
        """Return one value, or None when it is missing (or not a plain string)."""
        return self.values().get((section, key))

    def update(self, changes: Mapping[Key, str]) -> None:
        """Write ``changes``, keeping every other line as it is; atomic on disk."""
        lines = self._lines()
        pending = dict(changes)
        section = GENERAL
        ends: dict[str, int] = {}  # section -> index after its last non-blank line
        for index, line in enumerate(lines):
            parsed = _section_of(line)
            if parsed is not None:
                section = parsed
                ends[section] = index + 1
                continue
            entry = _entry_of(line)
            if entry is not None and (section, entry[0]) in pending:
                lines[index] = f"{entry[0]}={escape_value(pending.pop((section, entry[0])))}"
            if line.strip():
                ends[section] = index + 1
        for (section, key), value in sorted(pending.items(), key=_general_first):
            entry_line = f"{key}={escape_value(value)}"
            if section in ends:
                at = ends[section]
                lines.insert(at, entry_line)
                ends = {s: e + 1 if e >= at else e for s, e in ends.items()}
                ends[section] = at + 1
            elif section == GENERAL and not lines:
                lines += [f"[{GENERAL}]", entry_line]
                ends[section] = len(lines)
            else:
                lines += ([""] if lines else []) + [f"[{section}]", entry_line]
                ends[section] = len(lines)
        self._write("\n".join(lines) + "\n")

    def _write(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _general_first(item: tuple[Key, str]) -> tuple[bool, str, str]:
    (section, key), _ = item
    return (section != GENERAL, section, key)


def _section_of(line: str) -> str | None:
    stripped = line.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        return stripped[1:-1]
    return None


def _entry_of(line: str) -> tuple[str, str] | None:
    stripped = line.strip()
    if not stripped or stripped[0] in ";#" or "=" not in stripped:
        return None
    key, _, value = stripped.partition("=")
    return key.strip(), value.strip()


_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
_UNESCAPES = {v: k for k, v in _ESCAPES.items()} | {'"': '"', "\\": "\\", "'": "'", "?": "?"}


def escape_value(value: str) -> str:
    """Escape a string the way ``QSettings`` writes it to an INI file."""
    text = "@" + value if value.startswith("@") else value
    out: list[str] = []
    hex_follows = False
    for ch in text:
        if hex_follows and ch in "0123456789abcdefABCDEF":
            out.append(f"\\x{ord(ch):x}")
            continue
        hex_follows = False
        if ch in _ESCAPES:
            out.append("\\" + _ESCAPES[ch])
        elif ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) <= 0x1F:
            out.append(f"\\x{ord(ch):x}")
            hex_follows = True
        else:
            out.append(ch)
    result = "".join(out)
    if any(c in text for c in ",;=") or (result and (result[0] == " " or result[-1] == " ")):
        return f'"{result}"'
    return result


def unescape_value(raw: str) -> str | None:
    """Read a value as ``QSettings`` does; None for a ``@Variant``/``@ByteArray`` value.

    A list (an unquoted comma) reads back as its items joined by ``", "``.
    """
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and i + 1 < len(raw):
            i, text = _unescape_at(raw, i + 1)
            current.append(text)
            continue
        elif ch == ";" and not quoted:
            break
        elif ch == "," and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current).strip() if not raw.endswith('"') else "".join(current))
    value = ", ".join(parts)
    if value.startswith("@@"):
        return value[1:]
    return None if value.startswith("@") else value


def _unescape_at(raw: str, i: int) -> tuple[int, str]:
    """Decode the escape after a backslash at ``raw[i]``; return the next index and the text."""
    ch = raw[i]
    if ch == "x":
        j = i + 1
        while j < len(raw) and raw[j] in "0123456789abcdefABCDEF":
            j += 1
        return j, chr(int(raw[i + 1 : j], 16)) if j > i + 1 else ""
    if ch in "01234567":
        j = i
        while j < len(raw) and j < i + 3 and raw[j] in "01234567":
            j += 1
        return j, chr(int(raw[i:j], 8))
    return i + 1, _UNESCAPES.get(ch, ch)


class WorkstationFile:
    """This workstation's database, office, text size, receipt printer, idle lock and update
    repository.

    Every read goes to the file (a few hundred bytes), so the window and a command run at the
    same time never see an old copy.
    """

    def __init__(self, path: Path) -> None:
        """Use the settings file at ``path`` (created on the first change)."""
        self._ini = IniFile(path)

    @property
    def path(self) -> Path:
        """The settings file."""
        return self._ini.path

    def _get(self, key: str, default: str = "") -> str:
        return self._ini.get("workstation", key) or default

    def _set(self, values: Mapping[Key, str]) -> None:
        stamp: dict[Key, str] = {}
        if not self._ini.get(GENERAL, "version"):
            stamp[(GENERAL, "version")] = str(SETTINGS_VERSION)
        self._ini.update({**stamp, **values})

    @property
    def configured(self) -> bool:
        """Whether the first-start dialog has been completed (a database and an office)."""
        return self.database() is not None and bool(self.location)

    def database(self) -> DatabaseConfig | None:
        """Return the saved database choice, or None when none was ever saved."""
        values = self._ini.values()
        kind = values.get(("database", "kind"))
        if kind is None:
            return None
        try:
            port = int(values.get(("database", "port"), DEFAULT_PG_PORT))
        except ValueError:
            port = DEFAULT_PG_PORT
        return DatabaseConfig(
            kind=kind or SQLITE,
            host=values.get(("database", "host"), ""),
            port=port,
            name=values.get(("database", "name"), "disdukcapil"),
            user=values.get(("database", "user"), "desk"),
        )

    def set_database(self, config: DatabaseConfig) -> None:
        """Save the database choice (never a password)."""
        self._set({("database", key): str(getattr(config, key)) for key in _DATABASE_KEYS})

    @property
    def location(self) -> str:
        """The office this workstation belongs to (``DINAS``, ``UPT-05``…)."""
        return self._get("location")

    def set_location(self, code: str) -> None:
        """Save this workstation's office."""
        self._set({("workstation", "location"): code})

    @property
    def text_scale(self) -> int:
        """This workstation's text size in percent (100, 115 or 130)."""
        try:
            value = int(self._get("text_scale", "100"))
        except ValueError:
            return 100
        return value if value in TEXT_SCALES else 100

    def set_text_scale(self, percent: int) -> None:
        """Save the text size (one of ``TEXT_SCALES``)."""
        if percent not in TEXT_SCALES:
            raise ValueError(f"unknown text size: {percent}")
        self._set({("workstation", "text_scale"): str(percent)})

    @property
    def receipt_profile(self) -> str:
        """How this desk prints receipts: ``a4`` or ``slip`` (an 80 mm counter printer)."""
        value = self._get("receipt_profile", "a4")
        return value if value in RECEIPT_PROFILES else "a4"

    def set_receipt_profile(self, profile: str) -> None:
        """Save the receipt printer profile."""
        if profile not in RECEIPT_PROFILES:
            raise ValueError(f"unknown receipt profile: {profile}")
        self._set({("workstation", "receipt_profile"): profile})

    @property
    def documents_dir(self) -> Path | None:
        """The folder the officer chose last for documents and recaps (None: not yet)."""
        saved = self._get("documents_dir")
        return Path(saved) if saved else None

    def set_documents_dir(self, folder: Path) -> None:
        """Remember the folder the officer chose for documents and recaps."""
        self._set({("workstation", "documents_dir"): str(folder)})

    @property
    def idle_minutes(self) -> int:
        """Minutes without input before the screen locks."""
        try:
            return max(1, int(self._get("idle_minutes", str(DEFAULT_IDLE_MINUTES))))
        except ValueError:
            return DEFAULT_IDLE_MINUTES

    def set_idle_minutes(self, minutes: int) -> None:
        """Save the idle-lock delay."""
        self._set({("workstation", "idle_minutes"): str(max(1, minutes))})

    @property
    def update_url(self) -> str:
        """The office's update repository (``http://server/pembaruan/``); empty: none set."""
        return self._ini.get("updates", "url") or ""

    def set_update_url(self, url: str) -> None:
        """Save the update repository's address (``http://`` or ``https://``).

        Raises:
            ValueError: not an HTTP(S) address.
        """
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) address: {url}")
        self._set({("updates", "url"): url})

    @property
    def update_checked(self) -> tuple[dt.datetime, str] | None:
        """When the repository was last asked, and the outcome (``ready``, ``unreachable``…)."""
        values = self._ini.values()
        stamp = values.get(("updates", "checked_at"))
        if not stamp:
            return None
        try:
            at = dt.datetime.fromisoformat(stamp)
        except ValueError:
            return None
        return at, values.get(("updates", "outcome"), "")

    def set_update_checked(self, at: dt.datetime, outcome: str) -> None:
        """Remember one check of the update repository (an aware time, and its outcome)."""
        self._set({("updates", "checked_at"): at.isoformat(), ("updates", "outcome"): outcome})

    @property
    def offline_capable(self) -> bool:
        """Whether this workstation keeps a local copy and works on when the server is out of
        reach (``docs/offline.md``).
        """
        return self._ini.get("offline", "capable") == "true"

    def set_offline_capable(self, on: bool) -> None:
        """Mark this workstation offline-capable (or not)."""
        self._set({("offline", "capable"): "true" if on else "false"})

    @property
    def offline_block_size(self) -> int:
        """How many request numbers this workstation reserves per day for working offline."""
        try:
            value = int(self._ini.get("offline", "block_size") or DEFAULT_BLOCK_SIZE)
        except ValueError:
            return DEFAULT_BLOCK_SIZE
        return min(max(value, 1), MAX_BLOCK_SIZE)

    def set_offline_block_size(self, size: int) -> None:
        """Save the block size (1 to ``MAX_BLOCK_SIZE``)."""
        if not 1 <= size <= MAX_BLOCK_SIZE:
            raise ValueError(f"block size out of range: {size}")
        self._set({("offline", "block_size"): str(size)})

    def workstation_id(self) -> str:
        """This workstation's name in number blocks and journals: made once (host name and a
        random suffix, so two PCs named alike never share it) and kept in the settings file.
        """
        current = self._ini.get("offline", "workstation")
        if current:
            return current
        host = re.sub(r"[^A-Za-z0-9-]", "", socket.gethostname())[:40] or "pc"
        made = f"{host}-{secrets.token_hex(4)}"
        self._set({("offline", "workstation"): made})
        return made
