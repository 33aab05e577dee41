"""The recap's part "Perjalanan dan waktu tunggu" on SQLite and PostgreSQL: a small known set
of requests in every state after approval, with messages and pickup appointments, and its
exact figures in the recap data, the workbook and the PDF.

The operations that make these states (input SIAK, TTE, the outbox, pickups) are built in
parallel elsewhere; until they exist, :func:`build_world` writes the states with plain inserts
(the audit entries through the real audit log, so its chain stays whole).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import event, insert, select

from disdukcapil_desk.db.models import (
    Location,
    OutgoingMessage,
    PickupBooking,
    PickupSlot,
    ServiceRequest,
)
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.recap import OUTSIDE_HOURS, TripFigures
from disdukcapil_desk.exports.recap_xlsx import (
    HEADER_ROW,
    SHEET_HOURS,
    SHEET_TRIPS,
    SHEET_TRIPS_LOCATIONS,
    TOTAL_LABEL,
)
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.recaps import Recaps

DAY = dt.date(2026, 11, 2)
AKTA, KTP, PINDAH = "akta_kelahiran", "ktpel_penggantian", "pindah_dalam_kabupaten"
"""An electronic document, a card, both (the catalogue's ``outputs``)."""


def wib(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), WIB)


@dataclass(frozen=True)
class Planned:
    """One request of the known set: its state, messages and appointments."""

    key: str
    service: str
    location: str
    status: str
    rounds: int = 0
    messages: tuple[str, ...] = ()
    """Per message: ``w`` waiting, ``s`` sent, ``d`` delivered, ``f`` failed."""
    missed: int = 0
    checked_in: dt.datetime | None = None
    booked: bool = False
    received: dt.datetime = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)  # 09:00 WIB


CLOSED = {"sent", "collected", "done"}
PLANS = (
    # Dinas
    Planned("A1", AKTA, "DINAS", "sent", rounds=2, messages=("d", "d", "f", "d")),
    Planned("A2", AKTA, "DINAS", "done", messages=("s",)),
    Planned("A3", AKTA, "DINAS", "needs_revision", rounds=1, messages=("w",)),
    # 01:30 UTC is 08:30 WIB: the hour is the office's
    Planned("K1", KTP, "DINAS", "collected", 1, ("d", "f"), 1, wib(8, 30)),
    Planned("K2", KTP, "DINAS", "done"),
    Planned("K3", KTP, "DINAS", "ready_for_pickup", booked=True),
    # UPT-05
    Planned("P1", PINDAH, "UPT-05", "collected", rounds=3, checked_in=wib(15, 40)),
    Planned("P2", PINDAH, "UPT-05", "siak_recorded"),
    Planned("K4", KTP, "UPT-05", "collected", messages=("d",), missed=1, checked_in=wib(16, 30)),
    Planned("X1", AKTA, "UPT-05", "issued"),
    # received the day before: outside the period, counted nowhere
    Planned(
        "Z1",
        AKTA,
        "DINAS",
        "sent",
        rounds=4,
        messages=("d", "f"),
        received=wib(9, day=DAY - dt.timedelta(days=1)),
    ),
)

EXPECTED_SERVICES = {
    AKTA: TripFigures(4, 2, 2, 0, 3, 2, 6, 3, 1, 0),
    KTP: TripFigures(4, 3, 0, 3, 1, 1, 3, 2, 1, 2),
    PINDAH: TripFigures(2, 1, 0, 1, 3, 3, 0, 0, 0, 0),
}
EXPECTED_LOCATIONS = {
    "DINAS": TripFigures(6, 4, 2, 2, 4, 2, 8, 4, 2, 1),
    "UPT-05": TripFigures(4, 2, 0, 2, 3, 3, 1, 1, 0, 1),
}
EXPECTED_TOTAL = TripFigures(10, 6, 2, 4, 7, 3, 9, 5, 2, 2)
"""received, finished, no visit, one visit, rounds, most rounds, messages, delivered, failed,
no-shows."""
EXPECTED_HOURS = {"DINAS": {"08": 1}, "UPT-05": {"15": 1, OUTSIDE_HOURS: 1}}


def build_world(ctx: DeskContext, operator: Actor) -> dict[str, str]:
    """Write :data:`PLANS` and return each request's number by key."""
    numbers: dict[str, str] = {}
    with ctx.unit_of_work() as s:
        slots = {
            loc: s.execute(
                insert(PickupSlot)
                .values(
                    location_code=loc,
                    starts_at=wib(8),
                    ends_at=wib(8, 30),
                    capacity=10,
                    booked=0,
                )
                .returning(PickupSlot.id)
            ).scalar_one()
            for loc in ("DINAS", "UPT-05")
        }
        for index, plan in enumerate(PLANS, start=1):
            number = f"{plan.location}/20261102/{index:04d}"
            numbers[plan.key] = number
            request_id = _request(s, plan, number)
            for n, state in enumerate(plan.messages):
                _message(s, request_id, n, state)
            for _ in range(plan.missed):
                _booking(s, request_id, slots[plan.location], "missed", None)
            if plan.checked_in:
                _booking(s, request_id, slots[plan.location], "checked_in", plan.checked_in)
            if plan.booked:
                _booking(s, request_id, slots[plan.location], "booked", None)
            for _ in range(plan.rounds):
                record(ctx, s, operator, "request_revision", "service_request", number)
        record(ctx, s, operator, "record_siak", "service_request", numbers["P2"])
        record(ctx, s, operator, "send", "service_request", numbers["A1"])
        record(ctx, s, operator, "check_in", "service_request", numbers["K1"])
    return numbers


def _request(s: Any, plan: Planned, number: str) -> int:
    finished = plan.received + dt.timedelta(days=1)
    values = {
        "number": number,
        "service_code": plan.service,
        "location_code": plan.location,
        "channel": "whatsapp",
        "received_at": plan.received,
        "contact": "+6285700000000",
        "nik": "3604150311920014",
        "payload": "{}",
        "status": plan.status,
        "sla_due": DAY + dt.timedelta(days=14),
        "created_at": plan.received,
        "updated_at": finished,
        "updated_by": "operator.dinas",
        "closed_at": finished if plan.status in CLOSED else None,
    }
    return int(
        s.execute(insert(ServiceRequest).values(**values).returning(ServiceRequest.id)).scalar_one()
    )


def _message(s: Any, request_id: int, n: int, state: str) -> None:
    at = wib(10) + dt.timedelta(minutes=n)
    s.execute(
        insert(OutgoingMessage).values(
            service_request_id=request_id,
            channel="whatsapp",
            recipient="+6285700000000",
            kind="received",
            body=f"pesan {n}",
            created_at=at,
            created_by="system",
            attempts=0 if state == "w" else 1,
            sent_at=at if state in "sdf" else None,
            delivered_at=at if state == "d" else None,
            failed_at=at if state == "f" else None,
            fail_reason="nomor tidak aktif" if state == "f" else None,
        )
    )


def _booking(s: Any, request_id: int, slot: int, state: str, at: dt.datetime | None) -> None:
    s.execute(
        insert(PickupBooking).values(
            service_request_id=request_id,
            pickup_slot_id=slot,
            state=state,
            booked_at=wib(11),
            booked_by="operator.dinas",
            checked_in_at=at,
            checked_in_by="operator.dinas" if at else None,
        )
    )


@pytest.fixture
def world(ctx: DeskContext, users: dict[str, Actor]) -> DeskContext:
    build_world(ctx, users["operator.dinas"])
    return ctx


def test_trip_figures_in_the_recap_data(world: DeskContext, users) -> None:
    data = Recaps(world).recap_data(users["kasi.dinas"], DAY, DAY, None)
    trips = data.trips
    by_service = {r.code: r.figures for r in trips.services.rows}
    for code, expected in EXPECTED_SERVICES.items():
        assert by_service[code] == expected, code
    assert all(f == TripFigures() for c, f in by_service.items() if c not in EXPECTED_SERVICES)
    assert trips.services.total == EXPECTED_TOTAL
    groups = {r.label: r.figures for r in trips.services.subtotals}
    assert (
        groups["Jumlah Pendaftaran Penduduk"] == EXPECTED_SERVICES[KTP] + EXPECTED_SERVICES[PINDAH]
    )
    assert groups["Jumlah Pencatatan Sipil"] == EXPECTED_SERVICES[AKTA]
    by_location = {r.code: r.figures for r in trips.locations.rows}
    for code, expected in EXPECTED_LOCATIONS.items():
        assert by_location[code] == expected, code
    assert trips.locations.total == EXPECTED_TOTAL
    assert EXPECTED_TOTAL.no_visit + EXPECTED_TOTAL.one_visit == EXPECTED_TOTAL.finished
    assert trips.services.total.average_rounds == pytest.approx(0.7)
    assert trips.services.total.no_visit_pct == pytest.approx(2 / 6)
    headers = ("08", "09", "10", "11", "12", "13", "14", "15", OUTSIDE_HOURS)
    hours = {r.code: dict(zip(headers, r.counts, strict=True)) for r in trips.hours}
    for code, expected_hours in EXPECTED_HOURS.items():
        assert {h: n for h, n in hours[code].items() if n} == expected_hours
    assert sum(trips.hour_totals) == 3

    # the status buckets learned the new statuses: they still add up to what was received
    figures = {r.code: r.figures for r in data.services.rows}
    assert (figures[PINDAH].approved, figures[PINDAH].completed) == (1, 1)  # siak_recorded
    assert (figures[KTP].completed, figures[AKTA].completed) == (4, 3)
    total = data.services.total
    buckets = (
        total.in_process,
        total.needs_revision,
        total.approved,
        total.completed,
        total.rejected,
        total.cancelled,
    )
    assert sum(buckets) == total.received == 10
    officer = next(r for r in data.officers if r.login == "operator.dinas")
    assert (officer.siak_recorded, officer.sent, officer.handed_over) == (1, 1, 1)
    assert officer.revised == 7


def test_one_location_counts_only_its_trips(world: DeskContext, users) -> None:
    data = Recaps(world).recap_data(users["kasi.dinas"], DAY, DAY, "UPT-05")
    trips = data.trips
    assert [r.code for r in trips.locations.rows] == ["UPT-05"]
    assert trips.services.total == trips.locations.total == EXPECTED_LOCATIONS["UPT-05"]
    assert [r.code for r in trips.hours] == ["UPT-05"]


def _table_at(ws: Worksheet, header_row: int) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """A table of the sheet from its header row: ``{label: {header: value}}`` and JUMLAH."""
    headers = [c.value for c in ws[header_row]]
    rows: dict[str, dict[str, Any]] = {}
    for values in ws.iter_rows(min_row=header_row + 1, values_only=True):
        record_ = dict(zip(headers, values, strict=False))
        if values[2] == TOTAL_LABEL:
            return rows, record_
        rows[str(values[2])] = record_
    raise AssertionError(f"no JUMLAH after row {header_row}")


def _as_columns(figures: TripFigures) -> dict[str, Any]:
    return {
        "Diterima": figures.received,
        "Selesai": figures.finished,
        "Tanpa datang (dikirim)": figures.no_visit,
        "Sekali datang (diambil)": figures.one_visit,
        "Tanpa datang (%)": figures.no_visit_pct,
        "Putaran perbaikan rata-rata": figures.average_rounds,
        "Putaran perbaikan terbanyak": figures.max_rounds,
        "Pesan ditulis": figures.messages,
        "Pesan diterima": figures.delivered,
        "Pesan gagal": figures.failed,
        "Tidak datang sesuai jadwal": figures.no_shows,
    }


def _same(actual: dict[str, Any], figures: TripFigures, where: str) -> None:
    for header, value in _as_columns(figures).items():
        if isinstance(value, float):
            assert actual[header] == pytest.approx(value), (where, header)
        else:
            assert actual[header] == value, (where, header, actual[header], value)


def test_trips_sheets_of_the_workbook(world: DeskContext, users, tmp_path: Path) -> None:
    path = tmp_path / "rekap.xlsx"
    recaps = Recaps(world)
    recaps.build_recap(users["kasi.dinas"], DAY, DAY, None, path)
    wb = load_workbook(path)
    trips, by_location, hours = SHEET_TRIPS, SHEET_TRIPS_LOCATIONS, SHEET_HOURS
    assert wb.sheetnames[-5:] == [trips, by_location, hours, "Per kanal", "Register"]
    data = recaps.recap_data(users["kasi.dinas"], DAY, DAY, None)
    names = {r.code: r.label for r in data.trips.services.rows}
    rows, total = _table_at(wb[trips], HEADER_ROW)
    for code, expected in EXPECTED_SERVICES.items():
        _same(rows[names[code]], expected, code)
    _same(total, EXPECTED_TOTAL, "total per layanan")
    subtotals = {
        str(r[2]): dict(zip([c.value for c in wb[trips][HEADER_ROW]], r, strict=False))
        for r in wb[trips].iter_rows(values_only=True)
        if isinstance(r[2], str) and r[2].startswith("Jumlah ")
    }
    _same(subtotals["Jumlah Pencatatan Sipil"], EXPECTED_SERVICES[AKTA], "group")
    with world.sessions() as s:
        loc_names = dict(s.execute(select(Location.code, Location.name)).all())
    rows, total = _table_at(wb[by_location], HEADER_ROW)
    for code, expected in EXPECTED_LOCATIONS.items():
        _same(rows[loc_names[code]], expected, code)
    _same(total, EXPECTED_TOTAL, "total per lokasi")
    rows, total = _table_at(wb[hours], HEADER_ROW)
    assert rows[loc_names["DINAS"]]["08"] == 1 and rows[loc_names["DINAS"]]["Jumlah"] == 1
    assert rows[loc_names["UPT-05"]]["15"] == 1
    assert rows[loc_names["UPT-05"]][OUTSIDE_HOURS] == 1
    assert total["Jumlah"] == 3 and total["09"] == 0

    # formatted like the other sheets
    for name in (trips, by_location, hours):
        ws = wb[name]
        assert ws.freeze_panes == "D8" and ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.fitToWidth) == 1
        assert int(ws.page_setup.paperSize) == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert "Halaman &P dari &N" in ws.oddFooter.right.text
        assert ws["A1"].value == "PEMERINTAH KABUPATEN SERANG"
        assert all(ws.column_dimensions[c].width for c in "ABCDEFGHIJKL"), name
        texts = {c.value for row in ws.iter_rows() for c in row}
        assert "Mengetahui," in texts, name
    first = {c.column_letter: c.number_format for c in wb[trips][HEADER_ROW + 1]}
    assert first["D"] == "#,##0" and first["H"] == "0.0%" and first["I"] == "0.00"
    assert wb[hours]._charts, "the pickups per hour, as a chart"


def _pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_trips_section_of_the_pdf(world: DeskContext, users, tmp_path: Path) -> None:
    path = tmp_path / "rekap.pdf"
    Recaps(world).build_recap(users["kasi.dinas"], DAY, DAY, None, path)
    pages = _pdf_text(path).split("\f")
    first = next(i for i, p in enumerate(pages) if "Perjalanan dan waktu tunggu" in p)
    after = next(i for i, p in enumerate(pages) if "Rekap per kanal" in p)
    assert "Jumlah per kecamatan" in pages[first - 1], "the section starts a page of its own"
    assert "Rekap per kanal" not in pages[after - 1], "and ends on one"
    text = "\n".join(pages[first:after])
    assert "Pengambilan per jam (WIB)" in text

    def figures(f: TripFigures) -> str:
        pct = "-" if f.no_visit_pct is None else f"{f.no_visit_pct * 100:.1f}%".replace(".", ",")
        avg = "-" if f.average_rounds is None else f"{f.average_rounds:.2f}".replace(".", ",")
        return (
            f"{f.received} {f.finished} {f.no_visit} {f.one_visit} {pct} {avg} {f.max_rounds} "
            f"{f.messages} {f.delivered} {f.failed} {f.no_shows}"
        )

    rows = [" ".join(line.split()) for line in text.splitlines()]

    def count(figures_text: str) -> int:
        return sum(1 for line in rows if line.endswith(" " + figures_text))

    # a service's row and its group's subtotal (each group here has one service with trips)
    assert count(figures(EXPECTED_SERVICES[AKTA])) == 2
    assert count(figures(EXPECTED_SERVICES[KTP])) == 1
    assert count(figures(EXPECTED_SERVICES[PINDAH])) == 1
    assert count(figures(EXPECTED_SERVICES[KTP] + EXPECTED_SERVICES[PINDAH])) == 1
    for code, expected in EXPECTED_LOCATIONS.items():
        assert count(figures(expected)) == 1, code
    # the total of the services, and of the locations
    assert sum(1 for line in rows if line == f"JUMLAH {figures(EXPECTED_TOTAL)}") == 2
    assert "JUMLAH 1 0 0 0 0 0 0 1 1 3" in rows  # 08 … 15, outside, all
    assert "3604150311920014" not in _pdf_text(path), "NIKs masked in the register"


def _statements(ctx: DeskContext, users: dict[str, Actor]) -> int:
    seen: list[str] = []

    def counted(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", counted)
    try:
        Recaps(ctx).recap_data(users["kasi.dinas"], DAY, DAY, None)
    finally:
        event.remove(ctx.engine, "before_cursor_execute", counted)
    return len(seen)


def test_statement_count_does_not_grow_with_the_requests(world: DeskContext, users) -> None:
    """The trips are GROUP BYs: three times the requests, messages and bookings, the same
    number of statements."""
    before = _statements(world, users)
    with world.unit_of_work() as s:
        slot = s.scalar(select(PickupSlot.id).where(PickupSlot.location_code == "DINAS"))
        assert slot is not None
        for copy in range(2):
            for index, plan in enumerate(PLANS, start=1):
                request_id = _request(s, plan, f"{plan.location}/20261102/{copy + 5}{index:03d}")
                for n, state in enumerate(plan.messages):
                    _message(s, request_id, n, state)
                for _ in range(plan.missed):
                    _booking(s, request_id, slot, "missed", None)
                if plan.checked_in:
                    _booking(s, request_id, slot, "checked_in", plan.checked_in)
    data = Recaps(world).recap_data(users["kasi.dinas"], DAY, DAY, None)
    assert data.trips.services.total.received == 3 * EXPECTED_TOTAL.received
    assert data.trips.services.total.messages == 3 * EXPECTED_TOTAL.messages
    assert _statements(world, users) == before
