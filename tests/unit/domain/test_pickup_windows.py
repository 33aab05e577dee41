"""Pickup windows: working days, holidays, end of day, the officer's choice, the reply."""

from __future__ import annotations

import datetime as dt
from itertools import islice

import pytest

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.delivery import OutputKind
from disdukcapil_desk.domain.pickup import (
    DEFAULT_HOURS,
    Pause,
    PickupError,
    PickupHours,
    ReceiptScan,
    RescheduleWish,
    chosen_window,
    day_windows,
    hours_from,
    needs_pickup,
    parse_pause,
    parse_window_start,
    read_scan,
    reminder_day,
    reschedule_wish,
    windows_from,
)
from disdukcapil_desk.domain.sla import HolidayCalendar

CHRISTMAS = HolidayCalendar([dt.date(2026, 12, 24), dt.date(2026, 12, 25)])


def wib(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=WIB)


def test_a_day_has_windows_from_start_to_end_in_steps() -> None:
    windows = day_windows(dt.date(2026, 11, 3), DEFAULT_HOURS)
    assert len(windows) == 14 == DEFAULT_HOURS.per_day  # 08:00-15:00 by 30 minutes
    assert windows[0].starts_at == wib("2026-11-03", "08:00")
    assert windows[-1].ends_at == wib("2026-11-03", "15:00")
    assert windows[0].time_text == "08.00\u201308.30"
    assert windows[0].date_text == "Selasa, 3 November 2026"


def test_the_first_window_is_on_the_next_working_day() -> None:
    monday_morning = wib("2026-11-02", "09:00")
    first = next(windows_from(monday_morning, DEFAULT_HOURS, CHRISTMAS))
    assert first.starts_at == wib("2026-11-03", "08:00")


def test_a_friday_booking_goes_to_monday_skipping_the_weekend() -> None:
    friday = wib("2026-11-06", "14:00")
    first = next(windows_from(friday, DEFAULT_HOURS, CHRISTMAS))
    assert first.starts_at == wib("2026-11-09", "08:00")


def test_holidays_are_skipped() -> None:
    wednesday = wib("2026-12-23", "10:00")
    first = next(windows_from(wednesday, DEFAULT_HOURS, CHRISTMAS))
    assert first.starts_at == wib("2026-12-28", "08:00"), "24 and 25 Dec are off, then a weekend"


def test_after_the_last_window_of_a_day_comes_the_next_working_day() -> None:
    hours = PickupHours(lead_days=0)
    late = wib("2026-11-06", "14:45")  # Friday, the last window has begun
    first = next(windows_from(late, hours, CHRISTMAS))
    assert first.starts_at == wib("2026-11-09", "08:00")
    early = wib("2026-11-06", "14:10")
    assert next(windows_from(early, hours, CHRISTMAS)).starts_at == wib("2026-11-06", "14:30")


def test_windows_run_across_days_in_order() -> None:
    hours = PickupHours(start=dt.time(8), end=dt.time(9), minutes=30)
    got = list(islice(windows_from(wib("2026-11-05", "12:00"), hours, CHRISTMAS), 4))
    assert [w.starts_at for w in got] == [
        wib("2026-11-06", "08:00"),
        wib("2026-11-06", "08:30"),
        wib("2026-11-09", "08:00"),
        wib("2026-11-09", "08:30"),
    ]


def test_a_wished_day_moves_the_first_window_later_never_earlier() -> None:
    now = wib("2026-11-02", "09:00")
    later = next(windows_from(now, DEFAULT_HOURS, CHRISTMAS, not_before=dt.date(2026, 11, 7)))
    assert later.starts_at == wib("2026-11-09", "08:00"), "a Saturday wish lands on Monday"
    earlier = next(windows_from(now, DEFAULT_HOURS, CHRISTMAS, not_before=dt.date(2026, 11, 1)))
    assert earlier.starts_at == wib("2026-11-03", "08:00")


def test_the_officer_chooses_only_a_real_future_window() -> None:
    now = wib("2026-11-02", "09:00")
    window = chosen_window(wib("2026-11-04", "10:30"), now, DEFAULT_HOURS, CHRISTMAS)
    assert window.ends_at == wib("2026-11-04", "11:00")
    with pytest.raises(PickupError, match="bukan awal jadwal"):
        chosen_window(wib("2026-11-04", "10:15"), now, DEFAULT_HOURS, CHRISTMAS)
    with pytest.raises(PickupError, match="bukan hari kerja"):
        chosen_window(wib("2026-11-07", "10:00"), now, DEFAULT_HOURS, CHRISTMAS)
    with pytest.raises(PickupError, match="hari libur"):
        chosen_window(wib("2026-12-25", "10:00"), now, DEFAULT_HOURS, CHRISTMAS)
    with pytest.raises(PickupError, match="sudah lewat"):
        chosen_window(wib("2026-11-02", "08:30"), now, DEFAULT_HOURS, CHRISTMAS)
    with pytest.raises(PickupError, match="bukan awal jadwal"):
        chosen_window(wib("2026-11-04", "15:00"), now, DEFAULT_HOURS, CHRISTMAS)


def test_hours_are_checked_and_stored_as_json() -> None:
    hours = PickupHours(start=dt.time(7, 30), end=dt.time(12), minutes=15, capacity=4)
    assert hours_from(hours.to_json()) == hours
    assert hours_from(None) == DEFAULT_HOURS
    assert hours_from("{broken") == DEFAULT_HOURS, "a broken setting never stops the counter"
    with pytest.raises(PickupError):
        PickupHours(start=dt.time(12), end=dt.time(12, 10), minutes=30)
    with pytest.raises(PickupError):
        PickupHours(capacity=0)


def test_reminders_go_out_the_working_day_before() -> None:
    assert reminder_day(dt.date(2026, 11, 6), CHRISTMAS) == dt.date(2026, 11, 9)
    assert reminder_day(dt.date(2026, 12, 23), CHRISTMAS) == dt.date(2026, 12, 28)


def test_cards_and_paper_on_request_need_a_visit() -> None:
    assert needs_pickup(OutputKind.CARD, {})
    assert needs_pickup(OutputKind.BOTH, {})
    assert not needs_pickup(OutputKind.DOCUMENT, {})
    assert not needs_pickup(OutputKind.DOCUMENT, {"pengambilan": "pdf"})
    assert needs_pickup(OutputKind.DOCUMENT, {"pengambilan": "Ambil"})


def test_a_reply_asks_for_another_window_with_an_optional_day() -> None:
    assert reschedule_wish({"jadwal_ulang": True}) == RescheduleWish()
    assert reschedule_wish({"jadwal_ulang": "ya", "tanggal": "2026-11-10"}) == RescheduleWish(
        dt.date(2026, 11, 10)
    )
    assert reschedule_wish({"nama": "Budi"}) is None
    assert reschedule_wish(["jadwal_ulang"]) is None
    with pytest.raises(PickupError):
        reschedule_wish({"jadwal_ulang": True, "tanggal": "besok"})


def test_the_scanned_receipt_gives_the_request_number() -> None:
    assert read_scan("DDK2|R|DINAS/20261102/0001|1A2B3C4D|ABCDEF") == ReceiptScan(
        "DINAS/20261102/0001", "ABCDEF"
    )
    assert read_scan(" dinas/20261102/0001 ") == ReceiptScan("DINAS/20261102/0001", None)
    with pytest.raises(PickupError, match="sertifikat"):
        read_scan("DDK2|C|3604-LU-02112026-0001|1A2B3C4D|ABCDEF")
    with pytest.raises(PickupError):
        read_scan("   ")
    assert parse_window_start("2026-11-03 09:30") == wib("2026-11-03", "09:30")
    with pytest.raises(PickupError):
        parse_window_start("besok pagi")


LUNCH = PickupHours(
    start=dt.time(8),
    end=dt.time(16),
    rest=Pause(dt.time(12), dt.time(13)),
    friday_rest=Pause(dt.time(11, 30), dt.time(13)),
)


def test_no_window_meets_the_rest_and_friday_has_its_own() -> None:
    tuesday = [w.time_text for w in day_windows(dt.date(2026, 11, 3), LUNCH)]
    friday = [w.time_text for w in day_windows(dt.date(2026, 11, 6), LUNCH)]
    assert "11.30\u201312.00" in tuesday and "12.30\u201313.00" not in tuesday
    assert "12.00\u201312.30" not in tuesday and "13.00\u201313.30" in tuesday
    assert "11.00\u201311.30" in friday and "11.30\u201312.00" not in friday
    assert (len(tuesday), len(friday), LUNCH.per_day) == (14, 13, 14)


def test_a_rest_shorter_than_a_window_still_closes_the_windows_it_meets() -> None:
    hours = PickupHours(
        start=dt.time(8), end=dt.time(10), minutes=30, rest=Pause(dt.time(9, 10), dt.time(9, 20))
    )
    assert [w.time_text for w in day_windows(dt.date(2026, 11, 3), hours)] == [
        "08.00\u201308.30",
        "08.30\u201309.00",
        "09.30\u201310.00",
    ]


def test_a_booking_made_in_the_rest_waits_for_the_afternoon() -> None:
    hours = PickupHours(start=dt.time(8), end=dt.time(16), lead_days=0, rest=LUNCH.rest)
    first = next(windows_from(wib("2026-11-03", "12:10"), hours, CHRISTMAS))
    assert first.starts_at == wib("2026-11-03", "13:00")
    with pytest.raises(PickupError, match="bukan awal jadwal"):
        chosen_window(wib("2026-11-04", "12:00"), wib("2026-11-03", "12:10"), hours, CHRISTMAS)


def test_the_rests_are_stored_read_and_described() -> None:
    assert hours_from(LUNCH.to_json()) == LUNCH
    assert "istirahat 12.00\u201313.00, istirahat Jumat 11.30\u201313.00" in LUNCH.describe()
    assert parse_pause("12:00-13:00") == Pause(dt.time(12), dt.time(13))
    assert parse_pause("-") is None and parse_pause("") is None
    stored = LUNCH.to_json().replace('["12:00", "13:00"]', '"siang"')
    assert hours_from(stored) == DEFAULT_HOURS, "a broken rest falls back, never stops the desk"


@pytest.mark.parametrize(
    ("rest", "message"),
    [
        (Pause(dt.time(13), dt.time(12)), "harus setelah jam mulai"),
        (Pause(dt.time(7), dt.time(9)), "di dalam jam pengambilan"),
        (Pause(dt.time(8), dt.time(16)), "menutup semua jadwal"),
    ],
)
def test_a_rest_that_makes_no_sense_is_refused(rest: Pause, message: str) -> None:
    with pytest.raises(PickupError, match=message):
        PickupHours(start=dt.time(8), end=dt.time(16), rest=rest)
    with pytest.raises(PickupError, match="Istirahat harus ditulis"):
        parse_pause("siang")
