"""A small synthetic recap, shared by the export and report tests."""

from __future__ import annotations

import datetime as dt

from disdukcapil_desk.domain.recap import (
    FigureRow,
    Figures,
    FigureTable,
    OfficerRow,
    Period,
    RecapData,
    RecapMeta,
    RegisterRow,
    RowKind,
    Signer,
    TripFigures,
    TripRow,
    TripsPart,
    TripTable,
    daily_table,
    hour_rows,
)

PERIOD = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 3))
KK = Figures(received=3, in_process=1, completed=2, on_time=1, working_days=5, timed=2)
KIA = Figures(received=1, rejected=1)
KK_TRIPS = TripFigures(
    received=3,
    finished=2,
    no_visit=2,
    revision_rounds=1,
    max_rounds=1,
    messages=4,
    delivered=3,
    failed=1,
)
KIA_TRIPS = TripFigures(received=1, finished=1, one_visit=1, no_shows=1, messages=2, delivered=2)


def trips_part(empty: bool = False) -> TripsPart:
    rows = (
        ()
        if empty
        else (
            TripRow("kk", "Kartu Keluarga & KTP", KK_TRIPS, "Pendaftaran Penduduk"),
            TripRow("kia", "KIA", KIA_TRIPS, "Pendaftaran Penduduk"),
        )
    )
    grand = TripFigures() if empty else KK_TRIPS + KIA_TRIPS
    services = TripTable(
        "Per layanan",
        "Layanan",
        "Kelompok",
        rows,
        (TripRow("pp", "Jumlah Pendaftaran Penduduk", grand, kind=RowKind.GROUP),),
        grand,
    )
    locations = TripTable(
        "Per lokasi", "Lokasi", "Jenis", (TripRow("DINAS", "Dinas", grand, "Dinas"),), (), grand
    )
    counts = [] if empty else [("DINAS", 9, 1), ("DINAS", 17, 1)]
    return TripsPart(services, locations, hour_rows([("DINAS", "Dinas", "Dinas")], counts))


def recap_data(empty: bool = False) -> RecapData:
    rows = (
        ()
        if empty
        else (
            FigureRow("kk", "Kartu Keluarga & KTP", KK, "Pendaftaran Penduduk"),
            FigureRow("kia", "KIA", KIA, "Pendaftaran Penduduk"),
        )
    )
    grand = Figures() if empty else KK + KIA
    table = FigureTable(
        "layanan",
        "Rekap per layanan",
        "Layanan",
        rows,
        (FigureRow("pp", "Jumlah Pendaftaran Penduduk", grand, kind=RowKind.GROUP),),
        grand,
        "Kelompok",
        "catatan",
    )
    plain = FigureTable("kanal", "Rekap per kanal", "Kanal", rows, (), grand)
    meta = RecapMeta(
        "PEMERINTAH KABUPATEN SERANG",
        "DINAS KEPENDUDUKAN",
        PERIOD,
        "Semua lokasi",
        "Kasi & Co",
        dt.datetime(2026, 11, 4, 9, 30),
        "Serang",
        (Signer(("Mengetahui,", "Kepala Bidang"), "Budi", "1970"), Signer(("Serang",), "", "")),
    )
    counts = [] if empty else [("kk", dt.date(2026, 11, 1), 3), ("kia", dt.date(2026, 11, 2), 1)]
    return RecapData(
        meta=meta,
        services=table,
        locations=plain,
        daily=daily_table(PERIOD, [("kk", "Kartu Keluarga"), ("kia", "KIA")], counts),
        officers=() if empty else (OfficerRow("a", "Ani", 3, 2, 0, 1, 0, 1.5),),
        wilayah=table,
        channels=plain,
        register_count=0 if empty else 2,
        trips=trips_part(empty),
    )


def register_rows() -> list[RegisterRow]:
    return [
        (
            f"DINAS/20261101/000{i}",
            dt.datetime(2026, 11, 1, 8, i),
            dt.date(2026, 11, 5),
            dt.date(2026, 11, 3) if i else None,
            "Kartu Keluarga",
            "Dinas",
            "Ciruas",
            "Ciruas",
            "WhatsApp",
            "Selesai",
            "Ani",
            "3604********0001",
            "3604********0002",
        )
        for i in range(2)
    ]
