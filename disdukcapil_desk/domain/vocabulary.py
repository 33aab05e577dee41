"""Vocabularies of intake and verification with their Indonesian labels (domain layer).

Each enum is the one home of its words: the database's CHECK constraints are generated from
it (``one_of`` in ``db/models.py``), and screens, receipts and recaps take its labels.
"""

from __future__ import annotations

import enum


class Channel(enum.StrEnum):
    """The way a request reached the office; the values are part of the channels' contract."""

    WHATSAPP = "whatsapp"
    WEB = "web"
    EMAIL = "email"
    IMPORT = "import"
    LOKET = "loket"
    """Typed in by a counter officer while the citizen stands at the counter (a walk-in)."""

    @property
    def label(self) -> str:
        """Short Indonesian label for the queue, the verification page and recaps."""
        return _CHANNEL_LABELS[self]

    @property
    def receipt_name(self) -> str:
        """How a receipt names the channel, in full."""
        return _CHANNEL_RECEIPT_NAMES[self]

    @property
    def answers_by_contact(self) -> bool:
        """Whether replies go out by the citizen's contact (WhatsApp, else e-mail) because no
        bot of this channel talks back: a paper form imported, a walk-in at the counter.
        """
        return self in (Channel.IMPORT, Channel.LOKET)


_CHANNEL_LABELS = {
    Channel.WHATSAPP: "WhatsApp",
    Channel.WEB: "Web",
    Channel.EMAIL: "E-mail",
    Channel.IMPORT: "Impor",
    Channel.LOKET: "Loket",
}
_CHANNEL_RECEIPT_NAMES = {
    Channel.WHATSAPP: "WhatsApp",
    Channel.WEB: "Formulir web",
    Channel.EMAIL: "Surel (e-mail)",
    Channel.IMPORT: "Impor berkas (formulir kertas)",
    Channel.LOKET: "Datang langsung ke loket",
}


class CheckState(enum.StrEnum):
    """The officer's verdict on one requirement (persyaratan) of a request."""

    PENDING = "pending"
    SESUAI = "sesuai"
    TIDAK_ADA = "tidak_ada"
    TIDAK_TERBACA = "tidak_terbaca"
    TIDAK_SESUAI = "tidak_sesuai"

    @property
    def label(self) -> str:
        """Indonesian label for the checklist and the receipt."""
        return _CHECK_STATE_LABELS[self]

    @property
    def failed(self) -> bool:
        """Whether the requirement does not pass (the citizen is asked to fix it)."""
        return self in FAILED_CHECK_STATES


_CHECK_STATE_LABELS = {
    CheckState.PENDING: "Belum diperiksa",
    CheckState.SESUAI: "Sesuai",
    CheckState.TIDAK_ADA: "Tidak ada",
    CheckState.TIDAK_TERBACA: "Tidak terbaca",
    CheckState.TIDAK_SESUAI: "Tidak sesuai",
}

FAILED_CHECK_STATES = (CheckState.TIDAK_ADA, CheckState.TIDAK_TERBACA, CheckState.TIDAK_SESUAI)
"""The verdicts that make a requirement fail, in the order a revision message lists them."""
