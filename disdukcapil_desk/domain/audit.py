"""The audit chain: how an entry's hash is computed from its content and its predecessor, the
MAC that binds it to the office's audit key, and the chain head published on recaps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """The content of one audit entry, as hashed."""

    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_key: str
    before: str | None
    after: str | None
    detail: str


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """Return the SHA-256 (hex) of ``entry`` chained to ``prev_hash``.

    The timestamp is normalised to UTC microseconds so both databases hash the same text.
    """
    canonical = json.dumps(
        [
            prev_hash,
            entry.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_key,
            entry.before,
            entry.after,
            entry.detail,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first entry of chain 1 (the chain every database began with)."""


def chain_genesis(chain: int) -> str:
    """The ``prev_hash`` of the first entry of ``chain``: the old single chain (1) begins at
    :data:`GENESIS_HASH`; every other chain at a hash of its number, so an entry moved to
    another chain, or a chain renumbered, breaks its link.
    """
    if chain == 1:
        return GENESIS_HASH
    return hashlib.sha256(f"disdukcapil-desk audit chain {chain}".encode("ascii")).hexdigest()


def heads_digest(heads: dict[int, str]) -> str:
    """One hash for the heads of every chain (chain number → its last entry's hash), what is
    published: the last hash itself when one chain holds entries (so a head published before
    the log had several chains still reads the same), else the SHA-256 of the sorted pairs;
    :data:`GENESIS_HASH` when the log is empty.
    """
    if not heads:
        return GENESIS_HASH
    if len(heads) == 1:
        return next(iter(heads.values()))
    canonical = json.dumps(sorted(heads.items()), separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def snapshot(values: dict[str, object] | None) -> str | None:
    """Serialise a before/after state for the log (stable key order, dates as ISO text)."""
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


# -- the key and the published head -----------------------------------------------------------

KEY_BYTES = 32
"""Length of the audit key (HMAC-SHA256)."""
PUBLISHED_HASH_CHARS = 16
"""Hex characters of an entry's hash printed as its published head (64 bits)."""
HEAD_MISSING = "rantai audit rusak: baris kepala hilang"
HEAD_MISMATCH = "rantai audit rusak: baris kepala tidak cocok dengan entri terakhir"
_KEY_HEADER = (
    "# Kunci log audit Disdukcapil Desk. RAHASIA: jangan simpan di basis data;\n"
    "# salin hanya ke komputer kantor yang menulis log (lihat README, 'Kunci log audit').\n"
)
_PUBLISHED = re.compile(r"(?<![0-9A-Za-z])(\d+):([0-9a-fA-F]{16,64})(?![0-9A-Za-z])")


def entry_mac(key: bytes, digest: str) -> str:
    """Return the HMAC-SHA256 (hex) of an entry's hash with the office's audit key.

    Whoever can edit the database but lacks the key cannot recompute it, so a rewritten chain
    (every later hash recomputed) no longer verifies.
    """
    return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()


def mac_matches(key: bytes, digest: str, mac: str) -> bool:
    """Whether ``mac`` is the MAC of ``digest`` under ``key`` (constant-time)."""
    return hmac.compare_digest(entry_mac(key, digest), mac)


def key_fingerprint(key: bytes) -> str:
    """A short public name of a key (to compare workstations' copies); reveals nothing of it."""
    return hashlib.sha256(b"disdukcapil-desk audit key\x00" + key).hexdigest()[:16]


def new_key() -> bytes:
    """A fresh random audit key."""
    return secrets.token_bytes(KEY_BYTES)


def key_file_text(key: bytes) -> str:
    """The content of a key file: a comment, the fingerprint, the key in hex."""
    return f"{_KEY_HEADER}# sidik: {key_fingerprint(key)}\n{key.hex()}\n"


def parse_key_file(text: str) -> bytes:
    """Read the key from a key file's content.

    Raises:
        ValueError: no line of 64 hex digits.
    """
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) == 2 * KEY_BYTES and all(c in "0123456789abcdefABCDEF" for c in line):
            return bytes.fromhex(line)
        break
    raise ValueError("berkas kunci audit tidak sah (harus berisi 64 angka heksadesimal)")


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The log's head as published: a sequence number (the id of the newest entry; every
    entry of a lower id was committed before it was read), the digest of every chain's last
    entry up to it (:func:`heads_digest`) and that newest entry's time.

    An empty log has sequence 0, the genesis hash and no time.
    """

    seq: int
    hash: str
    at: dt.datetime | None

    @property
    def published(self) -> str:
        """``SEQ:HASH`` with the first 16 hex digits of the hash: what recaps print."""
        return f"{self.seq}:{self.hash[:PUBLISHED_HASH_CHARS]}"

    def line(self, zone: dt.tzinfo) -> str:
        """``Kepala log audit 1234:3f9a0b1c2d3e4f50 (02-11-2026 09:00 WIB)``."""
        if self.at is None:
            return f"Kepala log audit {self.published}"
        when = f"{self.at.astimezone(zone):%d-%m-%Y %H:%M} {zone.tzname(None)}"
        return f"Kepala log audit {self.published} ({when})"


@dataclass(frozen=True, slots=True)
class PublishedHead:
    """A head read back from a recap or a daily export: the entry ``seq`` must still exist and
    its hash must begin with ``hash_prefix``.
    """

    seq: int
    hash_prefix: str

    def matches(self, digest: str) -> bool:
        """Whether an entry's hash is the one published."""
        return digest.startswith(self.hash_prefix)

    def __str__(self) -> str:
        """``SEQ:PREFIX``."""
        return f"{self.seq}:{self.hash_prefix}"


def parse_published(text: str) -> list[PublishedHead]:
    """Every ``SEQ:HASH`` (at least 16 hex digits) in ``text``: an ``audit head`` line, a
    recap footer copied out, or a file of them.
    """
    return [PublishedHead(int(seq), digest.lower()) for seq, digest in _PUBLISHED.findall(text)]


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What verifying the chain found.

    Attributes:
        entries: entries read.
        keyed: entries that carry a MAC.
        hash_only: entries without a MAC (written before the office had an audit key).
        mac_checked: whether the MACs were checked (a key was given).
        expected_checked: published heads compared.
        head: the log's head as the ``audit_head`` rows give it (None: no row at all).
        problem: the first break, in Indonesian; None when the chain verifies.
        broken_at: the id of the entry concerned (0 when it is the head row or no entry).
    """

    entries: int
    keyed: int
    hash_only: int
    mac_checked: bool
    expected_checked: int
    head: ChainHead | None
    problem: str | None = None
    broken_at: int = 0

    @property
    def intact(self) -> bool:
        """Whether nothing was found."""
        return self.problem is None
