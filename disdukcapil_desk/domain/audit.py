"""The audit chain: how an entry's hash is computed from its content and its predecessor."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
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


def snapshot(values: dict[str, object] | None) -> str | None:
    """Serialise a before/after state for the log (stable key order, dates as ISO text)."""
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
