"""Pickup appointments: an office's windows, which window comes next, what the citizen brings
(domain layer, pure Python).

Each office sets its pickup hours (``office_setting`` key ``pickup_windows:<location>``, a small
JSON object; :class:`PickupHours`): windows of ``minutes`` from ``start`` to ``end`` in office
time (WIB) on working days (Monday to Friday, not a holiday of the calendar), each holding
``capacity`` appointments, none during the office's rest (``rest``, e.g. 12:00-13:00) or, on
Fridays, the Friday rest (``friday_rest``, e.g. 11:30-13:00 for the Friday prayer; the ordinary
rest when none is set). A booking takes the earliest window with room on or after the
``lead_days``-th working day after today (so the message reaches the citizen first); the
officer may choose another. A window is stored (``pickup_slot``) only once someone books it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from disdukcapil_desk.domain.clock import WIB, office_date
from disdukcapil_desk.domain.delivery import OutputKind, PickupState
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.numbering import normalize_request_number
from disdukcapil_desk.domain.sla import HolidayCalendar

SETTING_PREFIX = "pickup_windows:"
"""Stored per office: ``pickup_windows:<location code>`` = the JSON of :class:`PickupHours`."""
HORIZON_DAYS = 60
"""How many working days ahead a booking looks for a window with room."""
AUTOMATIC_REBOOKS = 1
"""A missed appointment is rebooked this many times by the desk; then the citizen is awaited."""
PAPER_FIELD = "pengambilan"
"""A payload field: ``ambil`` (or ``kertas``, ``cetak``) when the citizen asked to collect
paper at the office; ``pdf`` (or nothing) when the signed PDF is enough."""
_PAPER_VALUES = frozenset({"ambil", "kertas", "cetak"})
RESCHEDULE_FIELD = "jadwal_ulang"
"""In a reply row's payload: the citizen asks for another pickup window."""
WISHED_DATE_FIELD = "tanggal"
"""In a reply row's payload, optional: the day the citizen wishes (``YYYY-MM-DD``)."""
WAITING_LABEL = "Menunggu pemohon"
"""A ready document with no appointment (missed twice): the citizen is awaited."""

FRIDAY = 4
"""``date.weekday()`` of a Friday."""
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_STATE_LABELS = {
    PickupState.BOOKED: "Terjadwal",
    PickupState.CHECKED_IN: "Diambil",
    PickupState.MISSED: "Tidak datang",
    PickupState.CANCELLED: "Dijadwal ulang",
}


def _minutes_of(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


def _hhmm(moment: dt.time) -> str:
    return f"{moment:%H:%M}"


class PickupError(DeskError):
    """A pickup setting, window or booking that cannot be."""


def state_label(state: PickupState) -> str:
    """Indonesian words for a booking's state."""
    return _STATE_LABELS[state]


@dataclass(frozen=True, slots=True)
class Pause:
    """A time of day with no window (WIB), ``start`` to ``end``."""

    start: dt.time
    end: dt.time

    def overlaps(self, first: int, last: int) -> bool:
        """Whether the window from minute ``first`` to minute ``last`` of the day meets it."""
        return first < _minutes_of(self.end) and last > _minutes_of(self.start)

    def text(self) -> str:
        """``12.00-13.00`` (an en dash between)."""
        return f"{self.start:%H.%M}\u2013{self.end:%H.%M}"

    def to_json(self) -> list[str]:
        """The stored form: ``["12:00", "13:00"]``."""
        return [_hhmm(self.start), _hhmm(self.end)]


def parse_pause(text: str) -> Pause | None:
    """``12:00-13:00`` as a :class:`Pause`; ``""``, ``-`` or ``tidak`` as none.

    Raises:
        PickupError: not two times of day.
    """
    raw = text.strip()
    if raw.lower() in {"", "-", "tidak", "none"}:
        return None
    parts = re.split(r"\s*[-\u2013]\s*", raw)
    if len(parts) != 2:
        raise PickupError(f"Istirahat harus ditulis JJ:MM-JJ:MM (mis. 12:00-13:00), bukan {text!r}")
    return Pause(parse_time(parts[0]), parse_time(parts[1]))


@dataclass(frozen=True, slots=True)
class PickupHours:
    """An office's pickup windows: from ``start`` to ``end`` (WIB) in steps of ``minutes``,
    none during ``rest`` (on Fridays ``friday_rest`` when set).
    """

    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(15, 0)
    minutes: int = 30
    capacity: int = 10
    lead_days: int = 1
    """Working days between today and the first day offered (0: later today)."""
    rest: Pause | None = None
    """The daily rest (istirahat), e.g. 12:00-13:00: no window meets it."""
    friday_rest: Pause | None = None
    """The Friday rest (istirahat Jumat, e.g. 11:30-13:00); None: Fridays keep ``rest``."""

    def __post_init__(self) -> None:
        """Refuse hours that give no window or nonsense numbers.

        Raises:
            PickupError: the message says which value is wrong.
        """
        if not 5 <= self.minutes <= 240:
            raise PickupError("Lama satu jadwal harus 5 sampai 240 menit")
        if not 1 <= self.capacity <= 500:
            raise PickupError("Kapasitas per jadwal harus 1 sampai 500")
        if not 0 <= self.lead_days <= 10:
            raise PickupError("Jeda hari kerja harus 0 sampai 10")
        if _minutes_of(self.end) - _minutes_of(self.start) < self.minutes:
            raise PickupError(
                f"Jam selesai {_hhmm(self.end)} harus paling cepat {self.minutes} menit setelah "
                f"jam mulai {_hhmm(self.start)}"
            )
        for label, pause in (("Istirahat", self.rest), ("Istirahat Jumat", self.friday_rest)):
            self._check_pause(label, pause)
        if not self.offsets(0) or not self.offsets(FRIDAY):
            raise PickupError("Istirahat menutup semua jadwal: tidak ada jadwal tersisa")

    def _check_pause(self, label: str, pause: Pause | None) -> None:
        if pause is None:
            return
        if pause.end <= pause.start:
            raise PickupError(f"{label}: jam selesai harus setelah jam mulai ({pause.text()})")
        if pause.start < self.start or pause.end > self.end:
            raise PickupError(
                f"{label} {pause.text()} harus di dalam jam pengambilan "
                f"{_hhmm(self.start)}\u2013{_hhmm(self.end)}"
            )

    def pause_on(self, weekday: int) -> Pause | None:
        """The rest of a weekday (0 Monday): the Friday rest on Fridays when there is one."""
        if weekday == FRIDAY and self.friday_rest is not None:
            return self.friday_rest
        return self.rest

    def offsets(self, weekday: int) -> list[int]:
        """The minutes after ``start`` at which the windows of a weekday begin."""
        first, pause = _minutes_of(self.start), self.pause_on(weekday)
        starts = range(0, _minutes_of(self.end) - first - self.minutes + 1, self.minutes)
        return [
            at
            for at in starts
            if pause is None or not pause.overlaps(first + at, first + at + self.minutes)
        ]

    @property
    def per_day(self) -> int:
        """How many windows a working day (Monday to Thursday) has."""
        return len(self.offsets(0))

    def to_json(self) -> str:
        """The stored form (``office_setting`` value)."""
        return json.dumps(
            {
                "start": _hhmm(self.start),
                "end": _hhmm(self.end),
                "minutes": self.minutes,
                "capacity": self.capacity,
                "lead_days": self.lead_days,
                "rest": self.rest.to_json() if self.rest else None,
                "friday_rest": self.friday_rest.to_json() if self.friday_rest else None,
            },
            sort_keys=True,
        )

    def describe(self) -> str:
        """One line for screens and the command line."""
        rest = ""
        if self.rest is not None:
            rest = f", istirahat {self.rest.text()}"
        if self.friday_rest is not None:
            rest += f", istirahat Jumat {self.friday_rest.text()}"
        return (
            f"{_hhmm(self.start)}\u2013{_hhmm(self.end)} WIB, per {self.minutes} menit{rest}, "
            f"{self.capacity} orang per jadwal, mulai {self.lead_days} hari kerja lagi"
        )


DEFAULT_HOURS = PickupHours()


def setting_key(location_code: str) -> str:
    """The ``office_setting`` key of an office's pickup hours."""
    return SETTING_PREFIX + location_code


def parse_time(text: str) -> dt.time:
    """``"08:00"`` or ``"8.00"`` as a time.

    Raises:
        PickupError: not a time of day.
    """
    match = _HHMM.match(text.strip())
    if match is None:
        raise PickupError(f"Jam harus ditulis JJ:MM (mis. 08:00), bukan {text!r}")
    return dt.time(int(match.group(1)), int(match.group(2)))


def hours_from(stored: str | None) -> PickupHours:
    """The hours stored for an office (the defaults when nothing or something unreadable is
    stored: a broken setting must not stop the counter).
    """
    if not stored:
        return DEFAULT_HOURS
    try:
        data = json.loads(stored)
        return PickupHours(
            start=parse_time(str(data["start"])),
            end=parse_time(str(data["end"])),
            minutes=int(data["minutes"]),
            capacity=int(data["capacity"]),
            lead_days=int(data.get("lead_days", DEFAULT_HOURS.lead_days)),
            rest=_stored_pause(data.get("rest")),
            friday_rest=_stored_pause(data.get("friday_rest")),
        )
    except (ValueError, KeyError, TypeError, PickupError):
        return DEFAULT_HOURS


def _stored_pause(stored: object) -> Pause | None:
    if stored is None:
        return None
    if not isinstance(stored, list | tuple) or len(stored) != 2:
        raise PickupError(f"istirahat tersimpan tidak terbaca: {stored!r}")
    return Pause(parse_time(str(stored[0])), parse_time(str(stored[1])))


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """One pickup window (aware UTC datetimes)."""

    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def day(self) -> dt.date:
        """The office date of the window."""
        return office_date(self.starts_at)

    @property
    def date_text(self) -> str:
        """``Senin, 2 November 2026``."""
        return date_text(self.day)

    @property
    def time_text(self) -> str:
        """``08.00-08.30`` (WIB), with an en dash."""
        return time_range_text(self.starts_at, self.ends_at)


def date_text(day: dt.date) -> str:
    """A date in Indonesian words: ``Senin, 2 November 2026``."""
    return f"{_DAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


def time_range_text(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """``08.00-08.30`` in office time (an en dash between)."""
    return f"{starts_at.astimezone(WIB):%H.%M}\u2013{ends_at.astimezone(WIB):%H.%M}"


def day_windows(day: dt.date, hours: PickupHours) -> list[Window]:
    """The windows of ``day`` (whether or not it is a working day), in order."""
    first = dt.datetime.combine(day, hours.start, tzinfo=WIB)
    length = dt.timedelta(minutes=hours.minutes)
    return [
        Window(
            (first + dt.timedelta(minutes=at)).astimezone(dt.UTC),
            (first + dt.timedelta(minutes=at) + length).astimezone(dt.UTC),
        )
        for at in hours.offsets(day.weekday())
    ]


def first_day(today: dt.date, hours: PickupHours, calendar: HolidayCalendar) -> dt.date:
    """The first day a booking made ``today`` may fall on: ``lead_days`` working days later
    (0: today if a working day, else the next one).
    """
    return calendar.add_working_days(today, hours.lead_days)


def windows_from(
    now: dt.datetime,
    hours: PickupHours,
    calendar: HolidayCalendar,
    *,
    not_before: dt.date | None = None,
    horizon: int = HORIZON_DAYS,
) -> Iterator[Window]:
    """The windows a booking made at ``now`` may take, earliest first: on working days from
    :func:`first_day` (or ``not_before``, the citizen's wish, when later), starting after
    ``now``, for ``horizon`` working days.
    """
    day = first_day(office_date(now), hours, calendar)
    if not_before is not None and not_before > day:
        day = (
            not_before
            if calendar.is_working_day(not_before)
            else calendar.next_working_day(not_before)
        )
    for _ in range(horizon):
        for window in day_windows(day, hours):
            if window.starts_at > now:
                yield window
        day = calendar.next_working_day(day)


def chosen_window(
    starts_at: dt.datetime, now: dt.datetime, hours: PickupHours, calendar: HolidayCalendar
) -> Window:
    """The window an officer chose by its start, checked against the office's hours.

    Raises:
        PickupError: not a working day, not the start of one of the office's windows, or past.
    """
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=WIB)
    day = office_date(starts_at)
    if not calendar.is_working_day(day):
        name = calendar.holiday_name(day)
        why = "bukan hari kerja" if name is None else f"hari libur {name}".strip()
        raise PickupError(f"{date_text(day)} {why}: pilih hari kerja")
    for window in day_windows(day, hours):
        if window.starts_at == starts_at.astimezone(dt.UTC):
            if window.starts_at <= now:
                raise PickupError("Jadwal itu sudah lewat: pilih jadwal yang akan datang")
            return window
    raise PickupError(
        f"Pukul {starts_at.astimezone(WIB):%H.%M} bukan awal jadwal pengambilan kantor ini "
        f"({hours.describe()})"
    )


def parse_window_start(text: str) -> dt.datetime:
    """``2026-11-03 09:30`` (WIB) as an aware datetime.

    Raises:
        PickupError: not a date and time.
    """
    raw = text.strip().replace("T", " ")
    try:
        day_text, time_part = raw.split()
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        raise PickupError(f"Jadwal harus ditulis YYYY-MM-DD JJ:MM, bukan {text!r}") from None
    return dt.datetime.combine(day, parse_time(time_part), tzinfo=WIB)


def reminder_day(today: dt.date, calendar: HolidayCalendar) -> dt.date:
    """The day whose appointments are reminded ``today``: the next working day (a Monday's on
    the Friday before).
    """
    return calendar.next_working_day(today)


def office_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where office day ``day`` begins and the next begins."""
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=WIB).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=1)


def needs_pickup(outputs: OutputKind, payload: Mapping[str, object]) -> bool:
    """Whether the citizen must come: a card, or paper they asked for (``pengambilan``)."""
    wish = str(payload.get(PAPER_FIELD) or "").strip().lower()
    return outputs.needs_pickup or wish in _PAPER_VALUES


def _truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "ya", "y", "true", "yes"}


_BRING_BY_SERVICE = {
    "ktpel_penggantian": "KTP-el lama (yang rusak atau berubah datanya; bila hilang, surat "
    "keterangan kehilangan)",
    "ktpel_perekaman": "Kartu Keluarga asli",
    "kia": "Kartu Keluarga asli; KIA lama bila ada",
    "pindah_datang_antar_kabkota": "KTP-el/KIA lama",
    "pindah_datang_antar_provinsi": "KTP-el/KIA lama",
    "pindah_dalam_kabupaten": "KTP-el/KIA lama",
    "datang_luar_negeri": "paspor atau dokumen perjalanan",
    "legalisir": "dokumen asli yang dilegalisir",
}


def bring_text(service_code: str, number: str) -> str:
    """What the citizen brings: the receipt (its number) and what the service asks for."""
    receipt = f"bukti pendaftaran (nomor {number})"
    extra = _BRING_BY_SERVICE.get(service_code)
    return f"{receipt}; {extra}" if extra else receipt


@dataclass(frozen=True, slots=True)
class RescheduleWish:
    """A citizen's reply asking for another window (and maybe a day)."""

    wished_day: dt.date | None = None


def reschedule_wish(payload: object) -> RescheduleWish | None:
    """Read a reply row's decoded payload: a wish for another window, or None when the row is
    something else (a resubmission).

    Raises:
        PickupError: it asks for another window with a date that cannot be read.
    """
    if not isinstance(payload, dict) or not _truthy(payload.get(RESCHEDULE_FIELD)):
        return None
    raw = payload.get(WISHED_DATE_FIELD)
    if raw in (None, ""):
        return RescheduleWish()
    try:
        return RescheduleWish(dt.date.fromisoformat(str(raw)))
    except ValueError:
        raise PickupError(f"tanggal jadwal ulang {str(raw)[:20]!r} bukan YYYY-MM-DD") from None


@dataclass(frozen=True, slots=True)
class ReceiptScan:
    """What the counter read: a request number and, from a receipt's QR, its code."""

    number: str
    code: str | None
    """The QR's verification code; None when the officer typed the number."""


def read_scan(text: str) -> ReceiptScan:
    """The request number (and the QR's code) in what a scanner or an officer typed.

    Raises:
        PickupError: a QR of a certificate, not of a receipt, or nothing.
    """
    from disdukcapil_desk.domain.documents import DocumentKind, parse_qr_payload

    content = parse_qr_payload(text)
    if content is not None:
        if content.kind is not DocumentKind.RECEIPT:
            raise PickupError("Itu kode QR sertifikat; pindai QR pada bukti pendaftaran")
        return ReceiptScan(normalize_request_number(content.number), content.code)
    number = normalize_request_number(text)
    if not number:
        raise PickupError("Pindai QR bukti pendaftaran atau ketik nomor permohonan")
    return ReceiptScan(number, None)


@dataclass(frozen=True, slots=True)
class SlotRow:
    """A window of a day as the officer chooses among them: how full it is."""

    window: Window
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        """Places left."""
        return max(self.capacity - self.booked, 0)


@dataclass(frozen=True, slots=True)
class Booked:
    """What a booking (or rebooking) gave: the window and where, for the officer's screen."""

    request_id: int
    number: str
    window: Window
    place: str
    version: int
    """The request's version after the change."""

    def describe(self) -> str:
        """One line: ``DINAS/20261102/0001: Selasa, 3 November 2026 08.00-08.30 WIB, ...``."""
        return f"{self.number}: {self.window.date_text} {self.window.time_text} WIB, {self.place}"


@dataclass(frozen=True, slots=True)
class PickupRow:
    """A line of the pickup list: a booking of the day, or a document awaiting its citizen."""

    request_id: int
    number: str
    applicant_name: str
    nik_masked: str
    document: str
    state: PickupState | None
    """None: no appointment (missed twice; the citizen is awaited)."""
    window: Window | None
    version: int

    @property
    def state_text(self) -> str:
        """Indonesian words for the line's state."""
        return WAITING_LABEL if self.state is None else state_label(self.state)

    @property
    def time_text(self) -> str:
        """``08.00-08.30``, or a dash for a document without appointment."""
        return self.window.time_text if self.window else "\u2013"


@dataclass(slots=True)
class SweepReport:
    """What one sweep did."""

    missed: int = 0
    rebooked: int = 0
    waiting: int = 0
    """Missed a second time: no new appointment, the citizen is awaited."""
    reminded: int = 0

    def describe(self) -> str:
        """One line for the command line and the status bar."""
        return (
            f"Tidak datang: {self.missed} (dijadwal ulang {self.rebooked}, menunggu pemohon "
            f"{self.waiting}); pengingat dikirim: {self.reminded}"
        )

    @property
    def changed(self) -> bool:
        """Whether anything changed."""
        return bool(self.missed or self.reminded)
