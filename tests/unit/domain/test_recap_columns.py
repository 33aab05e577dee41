"""Recap columns are specs with getters: the register row, the totals and every table read
their values from the same specs the PDF and the workbook render."""

from __future__ import annotations

import dataclasses
import datetime as dt

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.recap import (
    FIGURE_COLUMNS,
    OFFICER_COLUMNS,
    REGISTER_COLUMNS,
    REGISTER_FIELDS,
    Figures,
    OfficerRow,
    RegisterNames,
    figure_values,
    officer_totals,
    register_maker,
    register_row,
)

NAMES = RegisterNames(
    services={"kk_baru": "KK Baru"},
    locations={"DINAS": "Dinas"},
    kecamatan={"360405": "Ciruas"},
    desa={},
    statuses={"issued": "Terbit"},
    users={"ani": "Ani"},
    mask=mask_number,
)
RAW = {
    "number": "DINAS/20261101/0001",
    "received_at": dt.datetime(2026, 11, 1, 1, 30, tzinfo=dt.UTC),
    "sla_due": dt.date(2026, 11, 5),
    "finished_at": dt.datetime(2026, 11, 3, 20, 0, tzinfo=dt.UTC),
    "service_code": "kk_baru",
    "location_code": "DINAS",
    "kecamatan_code": "360405",
    "kode_desa": "3604052001",
    "channel": "whatsapp",
    "status": "issued",
    "updated_by": "ani",
    "nik": "3604150311920014",
    "subject_nik": "3604150311920014",
}


def test_every_column_has_a_getter() -> None:
    for spec in (*FIGURE_COLUMNS, *OFFICER_COLUMNS, *REGISTER_COLUMNS):
        assert spec.get is not None, spec.header


def test_register_row_from_named_database_columns() -> None:
    row = register_row(RAW, NAMES)
    assert len(row) == len(REGISTER_COLUMNS)
    assert row == (
        "DINAS/20261101/0001",
        dt.datetime(2026, 11, 1, 8, 30),  # office time, no zone
        dt.date(2026, 11, 5),
        dt.date(2026, 11, 4),  # 20:00 UTC is the next office day
        "KK Baru",
        "Dinas",
        "Ciruas",
        "3604052001",  # unknown desa: its code
        "WhatsApp",
        "Terbit",
        "Ani",
        "3604********0014",
        "",  # the subject is the applicant
    )
    assert RAW["received_at"].astimezone(WIB).hour == 8


def test_the_fast_register_row_is_the_getters_row() -> None:
    """``register_maker`` (positional, no call per column) gives what the specs give."""
    other = {**RAW, "subject_nik": "3604150311920022", "finished_at": None, "kode_desa": None}
    unknown = {**RAW, "service_code": "x", "channel": "fax", "status": "odd", "updated_by": "z"}
    whole = dataclasses.replace(NAMES, mask=lambda value: value)
    for names in (NAMES, whole):
        make = register_maker(names)
        for raw in (RAW, other, unknown):
            assert make(tuple(raw[name] for name in REGISTER_FIELDS)) == register_row(raw, names)


def test_totals_add_up_the_summed_columns_only() -> None:
    rows = [
        OfficerRow("a", "Ani", 3, 2, 0, 1, 0, 1.5, siak_recorded=2, sent=1),
        OfficerRow("b", "Budi", 4, 1, 1, 0, 2, None, siak_recorded=1, handed_over=3),
    ]
    # Petugas, Login, Ditangani, Disetujui, Perlu perbaikan, Ditolak, Input SIAK,
    # Diterbitkan, Dikirim, Diserahkan, Median
    assert officer_totals(rows, "JUMLAH") == ("JUMLAH", "", 7, 3, 1, 1, 3, 2, 1, 3, None)
    assert figure_values(Figures(received=4, completed=2, on_time=1)) == (
        4,
        0,
        0,
        0,
        2,
        0,
        0,
        0.5,
        None,
    )
