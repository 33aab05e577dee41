"""Recaps: periods, the recap data model and its columns (domain layer, pure Python).

A recap counts the requests *received* in a period (office days in WIB, both ends included) at
one location or at all of them. Every request falls in exactly one status bucket, by its status
when the recap is made, so the buckets of a row add up to the requests received:

- ``in_process``: new or in review (still at the office, nobody decided yet);
- ``needs_revision``: waiting for the citizen;
- ``approved``: approved or recorded in SIAK, the document not yet issued (signed);
- ``completed``: issued (signed), sent, ready for pickup, collected or done (the document
  exists);
- ``rejected`` and ``cancelled``.

A completed request *finished* when it was closed (``done``, ``sent``, ``collected``:
``closed_at``) or, still ``issued`` or ``ready_for_pickup``, at its last change (the issue, or
the pickup booking that followed it). It was *on time* when it
was *issued* on or before its SLA due date (the office's deadline: when the citizen collects the
document is theirs; the issue's time is its ``issue`` entry in the audit log). Its working days
to finish are
``HolidayCalendar.working_days_between(received day, finished day)``; the database adds them up
through a working-day index (:func:`workday_index`), so no request is loaded one by one.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.sla import HolidayCalendar
from disdukcapil_desk.domain.terbilang import MONTHS
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.domain.years import office_year_problem

MONTHS_ID = MONTHS
DAILY_MAX_DAYS = 31
"""Up to this many days the daily sheet has one column per day; longer periods get months."""


# -- periods ----------------------------------------------------------------------------------


class PeriodPreset(enum.StrEnum):
    """The periods a section head picks from (the dialog's presets)."""

    TODAY = "today"
    THIS_WEEK = "this_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_YEAR = "this_year"
    LAST_YEAR = "last_year"

    @property
    def label(self) -> str:
        """Indonesian label."""
        return _PRESET_LABELS[self]


_PRESET_LABELS = {
    PeriodPreset.TODAY: "Hari ini",
    PeriodPreset.THIS_WEEK: "Minggu ini",
    PeriodPreset.THIS_MONTH: "Bulan ini",
    PeriodPreset.LAST_MONTH: "Bulan lalu",
    PeriodPreset.THIS_YEAR: "Tahun ini",
    PeriodPreset.LAST_YEAR: "Tahun lalu",
}


class PeriodOutOfRange(ValueError):
    """A period with a date outside :data:`~disdukcapil_desk.domain.clock.OFFICE_YEARS`; the
    message is Indonesian.
    """


@dataclass(frozen=True, slots=True)
class Period:
    """Office days from ``first`` to ``last``, both included."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        """Refuse a period that ends before it starts, or a date outside the office's years."""
        for day in (self.first, self.last):
            problem = office_year_problem(day.year)
            if problem:
                raise PeriodOutOfRange(problem)
        if self.last < self.first:
            raise ValueError(f"period ends before it starts: {self.first} > {self.last}")

    @property
    def days(self) -> int:
        """The number of calendar days in the period."""
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """Indonesian text, e.g. ``1 s.d. 30 November 2026`` or ``2 November 2026``."""
        if self.first == self.last:
            return format_date_id(self.first)
        if (self.first.year, self.first.month) == (self.last.year, self.last.month):
            return f"{self.first.day} s.d. {format_date_id(self.last)}"
        return f"{format_date_id(self.first)} s.d. {format_date_id(self.last)}"

    def dates(self) -> list[dt.date]:
        """Return every day of the period in order."""
        return [self.first + dt.timedelta(days=i) for i in range(self.days)]


def preset_period(preset: PeriodPreset, today: dt.date) -> Period:
    """Return the period a preset means on ``today`` (an office date).

    Weeks start on Monday; "this week/month/year" end today, not in the future.
    """
    if preset is PeriodPreset.TODAY:
        return Period(today, today)
    if preset is PeriodPreset.THIS_WEEK:
        return Period(today - dt.timedelta(days=today.weekday()), today)
    if preset is PeriodPreset.THIS_MONTH:
        return Period(today.replace(day=1), today)
    if preset is PeriodPreset.LAST_MONTH:
        last = today.replace(day=1) - dt.timedelta(days=1)
        return Period(last.replace(day=1), last)
    if preset is PeriodPreset.THIS_YEAR:
        return Period(dt.date(today.year, 1, 1), today)
    return Period(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))


def format_date_id(day: dt.date) -> str:
    """Return a date the Indonesian way, e.g. ``2 November 2026``."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def workday_index(calendar: HolidayCalendar, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Number the days ``first``..``last`` so that differences count working days.

    ``index[b] - index[a] == calendar.working_days_between(a, b)`` for any two days of the
    range, which lets the database sum working days per group with a lookup per request.
    """
    anchor = first - dt.timedelta(days=1)
    return {
        first + dt.timedelta(days=i): calendar.working_days_between(anchor, first + dt.timedelta(i))
        for i in range((last - first).days + 1)
    }


# -- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    """The counts of one recap row; additive, so subtotals are sums of rows."""

    received: int = 0
    in_process: int = 0
    needs_revision: int = 0
    approved: int = 0
    completed: int = 0
    rejected: int = 0
    cancelled: int = 0
    on_time: int = 0
    working_days: int = 0
    """Sum of the working days to finish over the completed requests that have them."""
    timed: int = 0
    """How many completed requests ``working_days`` sums over."""

    def __add__(self, other: Figures) -> Figures:
        """Add two rows field by field."""
        return Figures(*(getattr(self, name) + getattr(other, name) for name in _FIGURE_FIELDS))

    @property
    def on_time_pct(self) -> float | None:
        """Issued on or before the due date, as a fraction of completed (None when nothing
        completed).
        """
        return self.on_time / self.completed if self.completed else None

    @property
    def average_working_days(self) -> float | None:
        """Average working days from receipt to finish (None when nothing completed)."""
        return self.working_days / self.timed if self.timed else None


_FIGURE_FIELDS = tuple(Figures.__dataclass_fields__)


def total(figures: Iterable[Figures]) -> Figures:
    """Return the sum of some figures."""
    result = Figures()
    for item in figures:
        result = result + item
    return result


class RowKind(enum.StrEnum):
    """What a table row is, for layout (bold totals, indented members)."""

    ITEM = "item"
    GROUP = "group"
    """A heading row that also carries the sum of the items under it."""
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One row of a figures table: a service, a location, a kecamatan or desa, a channel."""

    code: str
    label: str
    figures: Figures
    group: str = ""
    """The service group / kecamatan the row belongs to (for filtering in Excel)."""
    kind: RowKind = RowKind.ITEM


@dataclass(frozen=True, slots=True)
class FigureTable:
    """A figures sheet: rows, subtotals after the rows and the grand total."""

    key: str
    title: str
    first_header: str
    rows: tuple[FigureRow, ...]
    subtotals: tuple[FigureRow, ...] = ()
    total: Figures = field(default_factory=Figures)
    group_header: str = ""
    """Header of the group column; empty when the table has none."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class DailyRow:
    """One service's counts per day (or month) of the period."""

    code: str
    label: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        """Requests of the row over the whole period."""
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class DailyTable:
    """Requests received per service and day (per month for periods over a month)."""

    monthly: bool
    columns: tuple[dt.date, ...]
    """The days, or the first day of each month when ``monthly``."""
    rows: tuple[DailyRow, ...]

    @property
    def title(self) -> str:
        """Sheet title."""
        return "Bulanan" if self.monthly else "Harian"

    @property
    def column_labels(self) -> tuple[str, ...]:
        """Column headers: day and month (``15 Sep``, ``15 Okt``: a period across a month's
        end has no two equal headers), or ``Jan 2026`` style months.
        """
        if self.monthly:
            return tuple(f"{MONTHS_ID[d.month - 1][:3]} {d.year}" for d in self.columns)
        return tuple(f"{d.day:02d} {MONTHS_ID[d.month - 1][:3]}" for d in self.columns)

    @property
    def totals(self) -> tuple[int, ...]:
        """Column totals."""
        return tuple(sum(col) for col in zip(*(r.counts for r in self.rows), strict=True)) or (
            (0,) * len(self.columns)
        )


def daily_table(
    period: Period, services: Sequence[tuple[str, str]], counts: Iterable[tuple[str, dt.date, int]]
) -> DailyTable:
    """Build the daily (or monthly) table from ``(service code, day, count)`` groups.

    Args:
        period: the recap period.
        services: ``(code, label)`` of the rows, in order; other codes get their own rows.
        counts: requests per service and office day.
    """
    monthly = period.days > DAILY_MAX_DAYS
    columns = _month_starts(period) if monthly else tuple(period.dates())
    position = {day: i for i, day in enumerate(columns)}
    by_service: dict[str, list[int]] = {code: [0] * len(columns) for code, _ in services}
    labels = dict(services)
    for code, day, count in counts:
        key = day.replace(day=1) if monthly else day
        if key not in position:
            continue
        row = by_service.setdefault(code, [0] * len(columns))
        labels.setdefault(code, code)
        row[position[key]] += count
    rows = tuple(DailyRow(code, labels[code], tuple(v)) for code, v in by_service.items())
    return DailyTable(monthly, columns, rows)


def _month_starts(period: Period) -> tuple[dt.date, ...]:
    months = []
    day = period.first.replace(day=1)
    while day <= period.last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return tuple(months)


@dataclass(frozen=True, slots=True)
class OfficerRow:
    """What one officer did with the requests of the period (from the audit log)."""

    login: str
    name: str
    handled: int
    approved: int
    revised: int
    rejected: int
    issued: int
    median_hours: float | None
    """Median hours from receipt to the officer's decisions (approve, revise, reject)."""
    siak_recorded: int = 0
    """Numbers from SIAK recorded (``record_siak``)."""
    sent: int = 0
    """Signed documents sent to the citizen (``send``)."""
    handed_over: int = 0
    """Pickups checked in at the counter (``check_in``)."""


RegisterRow = tuple[object, ...]
"""One request in the register sheet: its values in :data:`REGISTER_COLUMNS` order (office
dates and times without a zone, the NIK already masked unless allowed)."""


# -- trips and waiting -----------------------------------------------------------------------


PICKUP_HOURS = tuple(range(8, 16))
"""The office hours whose pickups are counted one by one (08.00-16.00 WIB); a check-in
outside them is counted in one column after them."""


@dataclass(frozen=True, slots=True)
class TripFigures:
    """How often the citizens of a row had to come to the office, and what it took.

    Over the requests received in the period (as every figure of the recap), by their state
    when the recap is made. Additive (``max_rounds`` by its maximum), so subtotals are sums.
    """

    received: int = 0
    finished: int = 0
    """Closed with the citizen served: done, sent or collected."""
    no_visit: int = 0
    """Finished without a visit: the signed document was sent (``sent``), or ``done`` for a
    service whose output is only an electronic document."""
    one_visit: int = 0
    """Finished with one visit: collected at the counter (``collected``), or ``done`` for a
    service with a card to collect (handed over at the counter before the pickup step)."""
    revision_rounds: int = 0
    """Revision requests the office sent (``request_revision`` in the audit log), summed."""
    max_rounds: int = 0
    """The most revision rounds one request of the row took."""
    messages: int = 0
    """Messages written to the citizens (``outgoing_message``), resends included."""
    delivered: int = 0
    """Of these, reported delivered by the channel (and not failed)."""
    failed: int = 0
    """Of these, given up on by the channel (``failed_at``)."""
    no_shows: int = 0
    """Pickup appointments missed (``pickup_booking`` ``missed``)."""

    def __add__(self, other: TripFigures) -> TripFigures:
        """Add two rows field by field (the maximum of ``max_rounds``)."""
        values = {name: getattr(self, name) + getattr(other, name) for name in _TRIP_FIELDS}
        values["max_rounds"] = max(self.max_rounds, other.max_rounds)
        return TripFigures(**values)

    @property
    def no_visit_pct(self) -> float | None:
        """Finished without a visit, as a fraction of finished (None when nothing finished)."""
        return self.no_visit / self.finished if self.finished else None

    @property
    def average_rounds(self) -> float | None:
        """Revision rounds per request received (None when nothing was received)."""
        return self.revision_rounds / self.received if self.received else None


_TRIP_FIELDS = tuple(TripFigures.__dataclass_fields__)


def trip_total(figures: Iterable[TripFigures]) -> TripFigures:
    """Return the sum of some trip figures."""
    result = TripFigures()
    for item in figures:
        result = result + item
    return result


@dataclass(frozen=True, slots=True)
class TripRow:
    """One row of a trips table: a service or a location (or a group's subtotal)."""

    code: str
    label: str
    figures: TripFigures
    group: str = ""
    kind: RowKind = RowKind.ITEM


@dataclass(frozen=True, slots=True)
class TripTable:
    """Trips per service (with group subtotals) or per location."""

    title: str
    first_header: str
    group_header: str
    rows: tuple[TripRow, ...]
    subtotals: tuple[TripRow, ...] = ()
    total: TripFigures = field(default_factory=TripFigures)


@dataclass(frozen=True, slots=True)
class HourRow:
    """One location's pickups by hour of check-in (WIB): :data:`PICKUP_HOURS`, then those
    outside them.
    """

    code: str
    label: str
    group: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        """Pickups of the row."""
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class TripsPart:
    """The recap's part "Perjalanan dan waktu tunggu"."""

    services: TripTable
    locations: TripTable
    hours: tuple[HourRow, ...]

    @property
    def hour_totals(self) -> tuple[int, ...]:
        """Pickups per hour over every location."""
        width = len(PICKUP_HOURS) + 1
        return tuple(sum(r.counts[i] for r in self.hours) for i in range(width))


def hour_rows(
    locations: Sequence[tuple[str, str, str]], counts: Iterable[tuple[str, int, int]]
) -> tuple[HourRow, ...]:
    """Build the pickups-per-hour rows from ``(location code, hour, pickups)`` groups.

    Args:
        locations: ``(code, label, group)`` of the rows, in order; other codes get rows too.
        counts: pickups per location and hour of the day (0-23, WIB).
    """
    width = len(PICKUP_HOURS) + 1
    position = {hour: i for i, hour in enumerate(PICKUP_HOURS)}
    found: dict[str, list[int]] = {code: [0] * width for code, _, _ in locations}
    for code, hour, count in counts:
        found.setdefault(code, [0] * width)[position.get(hour, width - 1)] += count
    names = {code: (label, group) for code, label, group in locations}
    return tuple(
        HourRow(code, *names.get(code, (code, "")), tuple(values)) for code, values in found.items()
    )


TRIPS_TITLE = "Perjalanan dan waktu tunggu"
TRIPS_NOTE = (
    "Atas permohonan yang diterima dalam periode, menurut keadaan saat rekap dibuat. "
    "Tanpa datang: dokumen ber-TTE dikirim (Terkirim), atau Selesai untuk layanan yang hanya "
    "menghasilkan dokumen elektronik. "
    "Sekali datang: diambil di loket (Diambil), atau Selesai untuk layanan dengan kartu/fisik. "
    "Putaran perbaikan: permintaan perbaikan dari petugas (log audit); rata-rata per "
    "permohonan diterima. "
    "Pesan: semua pesan ke pemohon termasuk kiriman ulang; diterima menurut laporan kanal. "
    "Tidak datang: jadwal pengambilan yang terlewat."
)
HOURS_TITLE = "Pengambilan per jam (WIB)"
HOURS_NOTE = (
    "Jam lapor di loket (check-in) pengambilan yang selesai, waktu kantor (WIB); "
    "kolom jam 08 berarti 08.00-08.59."
)
OUTSIDE_HOURS = "Di luar 08-16"

# -- what the recap says about itself ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signer:
    """One signature block: caption lines, then name and NIP (blank lines when not set)."""

    caption: tuple[str, ...]
    name: str
    nip: str


@dataclass(frozen=True, slots=True)
class RecapMeta:
    """The title block, footer and signatures of a recap."""

    government: str
    agency: str
    period: Period
    location_label: str
    printed_by: str
    printed_at: dt.datetime
    """Office time (WIB), naive."""
    place: str
    signers: tuple[Signer, ...]
    full_nik: bool = False
    audit_head: str = ""
    """The audit chain's head when the recap was made (``Kepala log audit SEQ:HASH (…)``),
    printed on every page so ``audit verify --expect`` can later prove nothing was cut."""

    title: str = "REKAPITULASI PELAYANAN ADMINISTRASI KEPENDUDUKAN"

    @property
    def period_line(self) -> str:
        """``Periode: … — Lokasi: …``."""
        return f"Periode: {self.period.label} — Lokasi: {self.location_label}"

    @property
    def printed_line(self) -> str:
        """Who printed the recap and when (footer)."""
        return f"Dicetak oleh {self.printed_by} pada {self.printed_at:%d-%m-%Y %H:%M} WIB"


@dataclass(frozen=True, slots=True)
class RecapData:
    """Everything a recap shows except the register rows, which are streamed."""

    meta: RecapMeta
    services: FigureTable
    locations: FigureTable
    daily: DailyTable
    officers: tuple[OfficerRow, ...]
    wilayah: FigureTable
    channels: FigureTable
    register_count: int
    trips: TripsPart

    @property
    def total(self) -> Figures:
        """The figures of the whole recap."""
        return self.services.total

    @property
    def empty(self) -> bool:
        """Whether no request was received in the period."""
        return self.total.received == 0


EMPTY_TEXT = "Tidak ada permohonan yang diterima dalam periode ini."
STATUS_NOTE = (
    "Status menurut keadaan saat rekap dibuat; jumlah kolom status sama dengan Diterima. "
    "Disetujui: termasuk yang sudah diinput ke SIAK. "
    "Terbit / selesai: diterbitkan (TTE), terkirim, siap diambil, diambil atau selesai. "
    "Tepat waktu: dokumen terbit paling lambat pada tanggal tenggat (hari kerja), "
    "kapan pun dikirim atau diambil pemohon."
)


# -- columns ----------------------------------------------------------------------------------


class Format(enum.StrEnum):
    """How a column's values are shown; exports map these to their number formats."""

    TEXT = "text"
    INTEGER = "integer"
    PERCENT = "percent"
    DECIMAL = "decimal"
    RATIO = "ratio"
    """A small average shown with two decimals (``0,25`` revision rounds a request)."""
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column of a recap table: header, width in characters, format and where its value
    comes from. The PDF and the workbook both render from these, so a new column is one spec
    (and, for the register, one select column in ``db/repositories/recap.py``).
    """

    header: str
    width: float
    format: Format = Format.TEXT
    get: Callable[[Any], object] | None = None
    """The value of a row (None for columns the renderer fills itself, like ``No.``)."""
    summed: bool = False
    """The total row adds this column up."""

    def value(self, row: Any) -> object:
        """Return this column's value of ``row``."""
        return self.get(row) if self.get is not None else None


def row_values(columns: Sequence[ColumnSpec], row: Any) -> tuple[object, ...]:
    """Return the values of ``row`` in ``columns`` order."""
    return tuple(spec.value(row) for spec in columns)


def total_values(
    columns: Sequence[ColumnSpec], rows: Sequence[Any], label: str
) -> tuple[object, ...]:
    """The total row of ``rows``: ``label`` in the first column, sums where a column is
    ``summed``, ``""`` in other text columns and nothing in the rest.
    """
    result: list[object] = []
    for index, spec in enumerate(columns):
        if index == 0:
            result.append(label)
        elif spec.summed:
            result.append(sum(_number(spec.value(r)) for r in rows))
        else:
            result.append("" if spec.format is Format.TEXT else None)
    return tuple(result)


def _number(value: object) -> int:
    return value if isinstance(value, int) else 0


def _field(name: str) -> Callable[[Any], object]:
    return lambda row: getattr(row, name)


FIGURE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Diterima", 10, Format.INTEGER, _field("received")),
    ColumnSpec("Belum diputus (baru/diperiksa)", 13, Format.INTEGER, _field("in_process")),
    ColumnSpec("Perlu perbaikan", 11, Format.INTEGER, _field("needs_revision")),
    ColumnSpec("Disetujui (belum terbit)", 12, Format.INTEGER, _field("approved")),
    ColumnSpec("Terbit / selesai", 10, Format.INTEGER, _field("completed")),
    ColumnSpec("Ditolak", 9, Format.INTEGER, _field("rejected")),
    ColumnSpec("Dibatalkan", 10, Format.INTEGER, _field("cancelled")),
    ColumnSpec("Tepat waktu (%)", 10, Format.PERCENT, _field("on_time_pct")),
    ColumnSpec("Rata-rata hari kerja selesai", 12, Format.DECIMAL, _field("average_working_days")),
)


TRIP_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Diterima", 9, Format.INTEGER, _field("received")),
    ColumnSpec("Selesai", 9, Format.INTEGER, _field("finished")),
    ColumnSpec("Tanpa datang (dikirim)", 10, Format.INTEGER, _field("no_visit")),
    ColumnSpec("Sekali datang (diambil)", 10, Format.INTEGER, _field("one_visit")),
    ColumnSpec("Tanpa datang (%)", 10, Format.PERCENT, _field("no_visit_pct")),
    ColumnSpec("Putaran perbaikan rata-rata", 11, Format.RATIO, _field("average_rounds")),
    ColumnSpec("Putaran perbaikan terbanyak", 11, Format.INTEGER, _field("max_rounds")),
    ColumnSpec("Pesan ditulis", 9, Format.INTEGER, _field("messages")),
    ColumnSpec("Pesan diterima", 9, Format.INTEGER, _field("delivered")),
    ColumnSpec("Pesan gagal", 9, Format.INTEGER, _field("failed")),
    ColumnSpec("Tidak datang sesuai jadwal", 11, Format.INTEGER, _field("no_shows")),
)


def trip_values(figures: TripFigures) -> tuple[object, ...]:
    """Return a trips row's values in :data:`TRIP_COLUMNS` order."""
    return row_values(TRIP_COLUMNS, figures)


def hour_headers() -> tuple[str, ...]:
    """The pickups-per-hour columns: ``08``, ``09`` … ``15``, then the hours outside."""
    return (*(f"{hour:02d}" for hour in PICKUP_HOURS), OUTSIDE_HOURS)


def figure_values(figures: Figures) -> tuple[object, ...]:
    """Return a row's values in :data:`FIGURE_COLUMNS` order."""
    return row_values(FIGURE_COLUMNS, figures)


OFFICER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Petugas", 28, Format.TEXT, _field("name")),
    ColumnSpec("Login", 15, Format.TEXT, _field("login")),
    ColumnSpec("Ditangani", 10, Format.INTEGER, _field("handled"), summed=True),
    ColumnSpec("Disetujui", 10, Format.INTEGER, _field("approved"), summed=True),
    ColumnSpec("Perlu perbaikan", 10, Format.INTEGER, _field("revised"), summed=True),
    ColumnSpec("Ditolak", 9, Format.INTEGER, _field("rejected"), summed=True),
    ColumnSpec("Input SIAK", 9, Format.INTEGER, _field("siak_recorded"), summed=True),
    ColumnSpec("Diterbitkan", 11, Format.INTEGER, _field("issued"), summed=True),
    ColumnSpec("Dikirim", 9, Format.INTEGER, _field("sent"), summed=True),
    ColumnSpec("Diserahkan", 11, Format.INTEGER, _field("handed_over"), summed=True),
    ColumnSpec("Median jam sampai keputusan", 13, Format.DECIMAL, _field("median_hours")),
)


def officer_values(row: OfficerRow) -> tuple[object, ...]:
    """Return an officer row's values in :data:`OFFICER_COLUMNS` order."""
    return row_values(OFFICER_COLUMNS, row)


def officer_totals(rows: Sequence[OfficerRow], label: str) -> tuple[object, ...]:
    """The total row of the officers' table in :data:`OFFICER_COLUMNS` order."""
    return total_values(OFFICER_COLUMNS, rows, label)


OFFICER_NOTE = (
    "Tindakan tercatat di log audit atas permohonan yang diterima dalam periode. Ditangani: "
    "permohonan berbeda yang diambil, diputus, diinput ke SIAK, diterbitkan, dikirim, "
    "dijadwalkan pengambilannya, diserahkan atau diselesaikan petugas."
)


@dataclass(frozen=True, slots=True)
class RegisterNames:
    """What the register shows instead of codes, and how it masks NIKs."""

    services: Mapping[str, str]
    locations: Mapping[str, str]
    kecamatan: Mapping[str, str]
    desa: Mapping[str, str]
    statuses: Mapping[str, str]
    users: Mapping[str, str]
    mask: Callable[[str], str]


class RegisterSource(NamedTuple):
    """One request as the database gives it (columns by name) and the names to show."""

    raw: Mapping[str, Any]
    names: RegisterNames


def _raw(key: str) -> Callable[[RegisterSource], object]:
    return lambda src: src.raw[key]


def _named(key: str, table: str) -> Callable[[RegisterSource], object]:
    def get(src: RegisterSource) -> object:
        code = src.raw[key]
        names: Mapping[str, str] = getattr(src.names, table)
        return names.get(code, code)

    return get


def _office_time(src: RegisterSource) -> object:
    moment: dt.datetime = src.raw["received_at"]
    return moment.astimezone(WIB).replace(tzinfo=None)


def _finished_on(src: RegisterSource) -> object:
    finished: dt.datetime | None = src.raw["finished_at"]
    return finished.astimezone(WIB).date() if finished else None


def _channel(src: RegisterSource) -> object:
    code = src.raw["channel"]
    return CHANNEL_LABELS.get(code, code)


def _nik(src: RegisterSource) -> object:
    return src.names.mask(src.raw["nik"])


def _subject_nik(src: RegisterSource) -> object:
    """The NIK of whom the document is about (the deceased, the child) when that is someone
    else with a NIK; ``""`` otherwise.
    """
    subject, nik = src.raw["subject_nik"], src.raw["nik"]
    return src.names.mask(subject) if subject != nik else ""


LOCATION_HEADER = "Lokasi"
"""The register's location column (printed whole: its width follows the longest name)."""

REGISTER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("No. permohonan", 24, Format.TEXT, _raw("number")),
    ColumnSpec("Diterima", 16, Format.DATETIME, _office_time),
    ColumnSpec("Tenggat", 11, Format.DATE, _raw("sla_due")),
    ColumnSpec("Selesai", 11, Format.DATE, _finished_on),
    ColumnSpec("Layanan", 26, Format.TEXT, _named("service_code", "services")),
    ColumnSpec(LOCATION_HEADER, 22, Format.TEXT, _named("location_code", "locations")),
    ColumnSpec("Kecamatan", 16, Format.TEXT, _named("kecamatan_code", "kecamatan")),
    ColumnSpec("Desa", 18, Format.TEXT, _named("kode_desa", "desa")),
    ColumnSpec("Kanal", 10, Format.TEXT, _channel),
    ColumnSpec("Status", 15, Format.TEXT, _named("status", "statuses")),
    ColumnSpec("Petugas", 22, Format.TEXT, _named("updated_by", "users")),
    ColumnSpec("NIK pemohon", 19, Format.TEXT, _nik),
    ColumnSpec("NIK atas nama", 19, Format.TEXT, _subject_nik),
)
"""The register's columns; each reads the select columns of ``db/repositories/recap.py`` by
name."""


REGISTER_FIELDS = (
    "number",
    "received_at",
    "sla_due",
    "finished_at",
    "service_code",
    "location_code",
    "kecamatan_code",
    "kode_desa",
    "channel",
    "status",
    "updated_by",
    "nik",
    "subject_nik",
)
"""The select columns of the register, in the order :func:`register_maker` reads them."""


def register_row(raw: Mapping[str, Any], names: RegisterNames) -> RegisterRow:
    """Turn one request of the database into its register row (:data:`REGISTER_COLUMNS`'
    getters: the reference that :func:`register_maker` gives fast).
    """
    return row_values(REGISTER_COLUMNS, RegisterSource(raw, names))


def register_maker(names: RegisterNames) -> Callable[[Sequence[Any]], RegisterRow]:
    """Return a function that turns one request, its values in :data:`REGISTER_FIELDS` order,
    into its register row: the same values as :func:`register_row`, without a call per column
    (a year's register is hundreds of thousands of rows).
    """
    services, locations, statuses = names.services, names.locations, names.statuses
    kecamatan, desa, users, mask = names.kecamatan, names.desa, names.users, names.mask
    channels = CHANNEL_LABELS

    def make(raw: Sequence[Any]) -> RegisterRow:
        (number, received, due, finished, service, location, kec, village, channel, status) = raw[
            :10
        ]
        by, nik, subject = raw[10], raw[11], raw[12]
        return (
            number,
            received.astimezone(WIB).replace(tzinfo=None),
            due,
            finished.astimezone(WIB).date() if finished else None,
            services.get(service, service),
            locations.get(location, location),
            kecamatan.get(kec, kec),
            desa.get(village, village),
            channels.get(channel, channel),
            statuses.get(status, status),
            users.get(by, by),
            mask(nik),
            mask(subject) if subject != nik else "",
        )

    return make


class Breakdown(enum.StrEnum):
    """What a figures table groups the requests by (the repository picks the columns)."""

    SERVICE = "service"
    LOCATION = "location"
    WILAYAH = "wilayah"
    """Kecamatan and desa of the applicant's address (two keys)."""
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class RecapResult:
    """What an export produced."""

    path: Path
    rows: int
    """Register rows written (= requests received in the period; 0 without the register)."""
    received: int
    seconds: float
    cancelled: bool = False

    def describe(self) -> str:
        """One Indonesian line for the console or a status bar."""
        if self.cancelled:
            return "Rekap dibatalkan; tidak ada berkas yang ditulis."
        return (
            f"Rekap ditulis ke {self.path} ({self.received} permohonan, {self.seconds:.1f} detik)"
        )


CHANNEL_LABELS = {channel.value: channel.label for channel in Channel}
