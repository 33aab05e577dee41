"""The printed pickup list: a PDF with the bundled fonts, refusing a text they cannot draw."""

from __future__ import annotations

import datetime as dt

import pytest

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.delivery import PickupState
from disdukcapil_desk.domain.pickup import PickupRow, Window
from disdukcapil_desk.reports.glyphs import UnprintableText
from disdukcapil_desk.reports.pickup_list import PickupListData, render_pickup_list

START = dt.datetime(2026, 11, 3, 8, 0, tzinfo=WIB)


def _data(name: str) -> PickupListData:
    row = PickupRow(
        request_id=1,
        number="UPT-05/20261102/0001",
        applicant_name=name,
        nik_masked="3604********0009",
        document="KTP-el",
        state=PickupState.BOOKED,
        window=Window(START, START + dt.timedelta(minutes=30)),
        version=3,
    )
    return PickupListData(
        agency="DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
        government="PEMERINTAH KABUPATEN SERANG",
        office="UPT Kramatwatu",
        address="Jl. Raya Serang",
        day=START.date(),
        printed_by="loket.upt05",
        rows=(row, PickupRow(2, "UPT-05/20261102/0002", "Ani", "", "KTP-el", None, None, 1)),
    )


def test_the_list_renders_with_the_bundled_fonts() -> None:
    pdf = render_pickup_list(_data("Siti Nurhaliza"))
    assert pdf.startswith(b"%PDF") and b"LiberationSans" in pdf


def test_a_name_the_fonts_cannot_draw_is_refused() -> None:
    with pytest.raises(UnprintableText):
        render_pickup_list(_data("Siti \u4e2d\u6587"))
