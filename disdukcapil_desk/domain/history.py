"""The history of one request as an officer reads it: who did what, when, and what the citizen
was told (domain layer, pure Python).

Built from the audit log's entries of the request; personal numbers never leave it whole.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from disdukcapil_desk.domain.nik import mask_number

_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")

ACTION_LABELS = {
    "intake": "Permohonan diterima",
    "resubmit": "Perbaikan dari pemohon diterima",
    "claim": "Diambil untuk diperiksa",
    "release": "Dilepas ke antrean",
    "expire": "Kembali ke antrean (waktu habis)",
    "take_back": "Diambil alih",
    "save": "Draf disimpan",
    "approve": "Disetujui",
    "request_revision": "Dikembalikan untuk perbaikan",
    "reject": "Ditolak",
    "issue": "Diterbitkan",
    "finish": "Selesai",
    "cancel": "Dibatalkan",
    "message": "Pesan untuk pemohon disimpan",
    "resend_message": "Pesan dikirim ulang",
    "correction": "Pesan petugas ke pemohon",
}

_INTERNAL_DETAIL = frozenset({"intake", "resubmit"})

MESSAGE_KEY = "message"
"""The key of an audit entry's ``after`` that holds the text stored for the citizen."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event of a request's life.

    Attributes:
        at: when it happened (UTC).
        actor: the login that did it (``system`` for intake).
        actor_name: their full name when known, else the login.
        action: the audit action (``approve``, ``request_revision``…).
        label: the Indonesian words for it.
        detail: the reason or note given, personal numbers masked.
        message: the text stored for the citizen with this event, or ``""``.
    """

    at: dt.datetime
    actor: str
    actor_name: str
    action: str
    label: str
    detail: str
    message: str = ""


def mask_numbers_in(text: str) -> str:
    """Mask every 16-digit number (NIK, No. KK) inside a free text."""
    return _NUMBER.sub(lambda m: mask_number(m.group(0)), text)


def message_of(after: str | None) -> str:
    """The citizen message an audit entry's ``after`` state carries, or ``""``."""
    if not after:
        return ""
    try:
        state = json.loads(after)
    except json.JSONDecodeError:
        return ""
    value = state.get(MESSAGE_KEY) if isinstance(state, dict) else None
    return value if isinstance(value, str) else ""


def history_entry(
    at: dt.datetime, actor: str, actor_name: str, action: str, detail: str, after: str | None
) -> HistoryEntry:
    """Read one audit entry of a request."""
    return HistoryEntry(
        at=at,
        actor=actor,
        actor_name=actor_name or actor,
        action=action,
        label=ACTION_LABELS.get(action, action.replace("_", " ")),
        # Intake notes name the channel's row: nothing an officer on the phone needs.
        detail="" if action in _INTERNAL_DETAIL else mask_numbers_in(detail or ""),
        message=mask_numbers_in(message_of(after)),
    )


def with_stored_message(
    entries: list[HistoryEntry], stored: str | None, at: dt.datetime, actor: str
) -> list[HistoryEntry]:
    """Add the message waiting for the citizen when no entry carries it yet (older data)."""
    text = mask_numbers_in((stored or "").strip())
    if not text or any(e.message.strip() == text for e in entries):
        return entries
    note = HistoryEntry(at, actor, actor, MESSAGE_KEY, ACTION_LABELS[MESSAGE_KEY], "", text)
    return [*entries, note]
