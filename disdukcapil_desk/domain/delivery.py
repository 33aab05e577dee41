"""After approval: what SIAK gives back, what the citizen receives, and the outbox's words
(domain layer).

The office enters approved data in SIAK (the national system), which gives the registration
numbers; the Kepala Dinas signs electronically (TTE); the signed PDF is sent through the
channel, or a card (or paper, on request) is collected at a booked time. Every message to the
citizen goes through the outbox (``outgoing_message``), whose ``kind`` values and delivery
states are named here; they are part of the channels' contract.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from disdukcapil_desk.domain.errors import DeskError


class OutputKind(enum.StrEnum):
    """What the citizen receives from a service (catalogue key ``outputs``)."""

    DOCUMENT = "document"
    """A signed PDF (TTE) sent through the channel; the citizen prints it on plain A4."""
    CARD = "card"
    """Something collected at the office: a KTP-el or KIA card, legalised copies."""
    BOTH = "both"
    """The signed PDF is sent, and a card waits at the office."""

    @property
    def label(self) -> str:
        """Indonesian words for screens."""
        return _OUTPUT_LABELS[self]

    @property
    def sends_document(self) -> bool:
        """Whether a signed PDF goes to the citizen."""
        return self is not OutputKind.CARD

    @property
    def needs_pickup(self) -> bool:
        """Whether the citizen must come to collect something."""
        return self is not OutputKind.DOCUMENT


_OUTPUT_LABELS = {
    OutputKind.DOCUMENT: "Dokumen elektronik (dikirim)",
    OutputKind.CARD: "Kartu/fisik (diambil)",
    OutputKind.BOTH: "Dokumen dikirim dan kartu diambil",
}


class SiakNumberKind(enum.StrEnum):
    """A number SIAK produces for a request (catalogue key ``siak_numbers``)."""

    AKTA = "no_akta"
    """The akta registration number, ``3604-LU-02112026-0001``."""
    NIK = "nik_baru"
    """A new NIK (a newborn's, a first biodata)."""
    KK = "no_kk_baru"
    """A new KK number."""
    SKPWNI = "no_skpwni"
    """The number of the SKPWNI (move out)."""

    @property
    def label(self) -> str:
        """Indonesian label for forms and messages."""
        return _SIAK_LABELS[self]


_SIAK_LABELS = {
    SiakNumberKind.AKTA: "Nomor akta (registrasi SIAK)",
    SiakNumberKind.NIK: "NIK baru",
    SiakNumberKind.KK: "Nomor KK baru",
    SiakNumberKind.SKPWNI: "Nomor SKPWNI",
}


class TteSource(enum.StrEnum):
    """Where a service's signed document comes from (office setting per service)."""

    SIAK = "siak"
    """The PDF signed in SIAK/BSrE is attached (the default)."""
    DESK = "desk"
    """The desk's own certificate, carrying the SIAK number, signed with the office's
    certificate."""


class MessageKind(enum.StrEnum):
    """Why the desk writes to the citizen (``outgoing_message.kind``; a contract value)."""

    RECEIVED = "received"
    NEEDS_REVISION = "needs_revision"
    REJECTED = "rejected"
    APPROVED = "approved"
    DOCUMENT_SENT = "document_sent"
    READY_FOR_PICKUP = "ready_for_pickup"
    PICKUP_REMINDER = "pickup_reminder"
    PICKUP_REBOOKED = "pickup_rebooked"
    CANCELLED = "cancelled"
    CORRECTION = "correction"
    """An officer's correction or follow-up, written by hand."""

    @property
    def label(self) -> str:
        """Indonesian label for the conversation view."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    MessageKind.RECEIVED: "Permohonan diterima",
    MessageKind.NEEDS_REVISION: "Perlu perbaikan",
    MessageKind.REJECTED: "Ditolak",
    MessageKind.APPROVED: "Disetujui",
    MessageKind.DOCUMENT_SENT: "Dokumen dikirim",
    MessageKind.READY_FOR_PICKUP: "Siap diambil (jadwal)",
    MessageKind.PICKUP_REMINDER: "Pengingat pengambilan",
    MessageKind.PICKUP_REBOOKED: "Jadwal ulang pengambilan",
    MessageKind.CANCELLED: "Dibatalkan",
    MessageKind.CORRECTION: "Pesan petugas",
}


class DeliveryState(enum.StrEnum):
    """Where an outgoing message is, derived from its timestamps (never stored)."""

    WAITING = "menunggu"
    SENT = "terkirim"
    DELIVERED = "diterima"
    FAILED = "gagal"

    @property
    def label(self) -> str:
        """Indonesian label (the value, capitalised)."""
        return self.value.capitalize()


def delivery_state(*, sent: bool, delivered: bool, failed: bool) -> DeliveryState:
    """The state of a message from which of its timestamps are set; a failure wins, since a
    message is failed only when the channel gave up on it.
    """
    if failed:
        return DeliveryState.FAILED
    if delivered:
        return DeliveryState.DELIVERED
    if sent:
        return DeliveryState.SENT
    return DeliveryState.WAITING


class PickupState(enum.StrEnum):
    """A pickup appointment's state (``pickup_booking.state``)."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    MISSED = "missed"
    """The window passed without the citizen; rebooked once, then the citizen is awaited."""
    CANCELLED = "cancelled"
    """Replaced by another window (the citizen or the officer chose another)."""


class SiakNumberError(DeskError):
    """A number from SIAK that cannot be right."""


@dataclass(frozen=True, slots=True)
class SiakNumber:
    """A checked number from SIAK and what the officer should look at again."""

    kind: SiakNumberKind
    value: str
    warnings: tuple[str, ...] = ()


AKTA_NUMBER = re.compile(r"^(\d{4})-([A-Z]{2})-(\d{8})-(\d{4})$")
"""The modern registration number: kab/kota code, type code, date (DDMMYYYY), serial."""
_LEGACY_AKTA = re.compile(r"^\d{4}[-.][A-Z]{2}[-.]\d{7,8}[-.]\d{4}$")
_FREE_LEGACY = re.compile(r"^[A-Z0-9][A-Z0-9./ -]{3,59}$")
_SIXTEEN = re.compile(r"^\d{16}$")
_SKPWNI = re.compile(r"^[A-Z0-9][A-Z0-9./-]{3,59}$")
KABUPATEN_CODE = "3604"


def check_siak_number(kind: SiakNumberKind, raw: str) -> SiakNumber:
    """Normalise and check a number typed from SIAK.

    The modern akta form ``3604-XX-DDMMYYYY-NNNN`` passes; dotted or 7-digit legacy forms and
    other kab/kota codes pass with a warning (older registers exist); anything else is refused.
    A NIK or KK number must be 16 digits with a real region and date (checked further by the
    caller's NIK rules).

    Raises:
        SiakNumberError: the text cannot be such a number (the message names what is wrong).
    """
    value = " ".join(raw.split()).upper()
    if not value:
        raise SiakNumberError(f"{kind.label} belum diisi")
    if kind is SiakNumberKind.AKTA:
        return _akta(value)
    if kind in (SiakNumberKind.NIK, SiakNumberKind.KK):
        digits = re.sub(r"[\s.-]", "", value)
        if not _SIXTEEN.match(digits):
            raise SiakNumberError(f"{kind.label} harus 16 angka, bukan {value!r}")
        return SiakNumber(kind, digits)
    if not _SKPWNI.match(value):
        raise SiakNumberError(
            f"{kind.label} hanya huruf, angka, titik, garis miring dan tanda hubung: {value!r}"
        )
    return SiakNumber(kind, value)


def _akta(value: str) -> SiakNumber:
    match = AKTA_NUMBER.match(value)
    if match:
        code, _type, date, _serial = match.groups()
        warnings: list[str] = []
        if code != KABUPATEN_CODE:
            warnings.append(
                f"kode kabupaten {code}, bukan {KABUPATEN_CODE} (Kab. Serang): periksa lagi"
            )
        if not _is_date(date):
            shown = f"{date[:2]}-{date[2:4]}-{date[4:]}"
            raise SiakNumberError(f"tanggal {shown} pada nomor akta tidak ada")
        return SiakNumber(SiakNumberKind.AKTA, value, tuple(warnings))
    if _LEGACY_AKTA.match(value) or _FREE_LEGACY.match(value):
        return SiakNumber(
            SiakNumberKind.AKTA,
            value,
            ("bentuk nomor lama (bukan 3604-XX-DDMMYYYY-NNNN): pastikan sama dengan SIAK",),
        )
    raise SiakNumberError(
        f"nomor akta {value!r} tidak dikenali; bentuknya 3604-XX-DDMMYYYY-NNNN "
        "(mis. 3604-LU-02112026-0001)"
    )


def _is_date(ddmmyyyy: str) -> bool:
    try:
        dt.date(int(ddmmyyyy[4:]), int(ddmmyyyy[2:4]), int(ddmmyyyy[:2]))
    except ValueError:
        return False
    return True
