"""How big the local copy of an offline workstation gets, and how long a refresh takes.

    python bench/offline_copy_size.py [--requests 2000] [--pg URL] [--json FILE]

A fresh server database (SQLite in a temporary folder, or a ``bench_<hex>`` database on the
PostgreSQL server of ``--pg``, dropped at the end) gets ``--requests`` open requests of one UPT
through intake, each with typical attachments: a phone photo of the KTP-el (180 KiB), a scan of
the KK (320 KiB) and one PDF (120 KiB), random bytes, as incompressible as JPEG is. Then
``OfflineCopy.refresh`` builds the copy and the file is measured.

Figures (``--json FILE``: for each a name, the desk value, the floor, the unit and the ratio):
the copy's size beside its floor, the attachment bytes alone (what any copy must hold); the
refresh's time beside its floor, reading every attachment's bytes bare from the server and
writing them to a scratch SQLite file in one transaction (the same run, the same disk).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.models import IncomingAttachment
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.offline.copy import OfflineCopy
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import UserOps

MIB = 2**20
OFFICE = "UPT-05"
TYPICAL = (
    ("ktp", "ktp-el.jpg", "image/jpeg", 180 * 1024),
    ("kk", "kk.jpg", "image/jpeg", 320 * 1024),
    (None, "surat-pengantar.pdf", "application/pdf", 120 * 1024),
)
PAYLOAD = {
    "no_kk": "3604151203090004",
    "nama": "Siti Aminah",
    "tempat_lahir": "Serang",
    "tanggal_lahir": "1985-03-12",
    "jenis_kelamin": "P",
    "alamat": "Kp. Cikande RT 02/03",
    "kode_desa": "3604152001",
    "alasan": "Rusak",
    "no_hp": "+6285712345678",
}


@contextmanager
def server(pg: str | None, folder: Path) -> Iterator[str]:
    """A fresh server database: SQLite in ``folder``, or a scratch PostgreSQL database."""
    if not pg:
        yield sqlite_url(folder / "server.sqlite3")
        return
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(ctx: DeskContext, requests: int) -> int:
    """``requests`` open KTP-el replacements at the UPT with typical attachments; returns the
    attachment bytes written.
    """
    SetupOps(ctx).init()
    UserOps(ctx).add(
        SYSTEM_ACTOR, "loket.bench", "bench-sandi-123", Role.COUNTER, location_code=OFFICE
    )
    ops = IntakeOps(ctx)
    written = 0
    start = time.perf_counter()
    for i in range(requests):
        nik = f"3604155203{i % 90 + 10:02d}{i % 9999 + 1:04d}"
        files = tuple((kind, name, media, os.urandom(size)) for kind, name, media, size in TYPICAL)
        written += sum(size for *_, size in TYPICAL)
        ops.submit_row(
            IncomingRow(
                channel="web",
                external_ref=f"bench-{i}",
                service_code="ktpel_penggantian",
                payload=json.dumps({**PAYLOAD, "nik": nik}),
                sender="+6285712345678",
                received_at=ctx.clock(),
                location_code=OFFICE,
                attachments=files,
            )
        )
        if (i + 1) % 500 == 0:
            ops.ingest()
            print(f"  {i + 1} requests ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    ops.ingest()
    return written


def floor_copy(ctx: DeskContext, target: Path) -> float:
    """Seconds to read every attachment bare and write it to a scratch SQLite file."""
    start = time.perf_counter()
    out = sqlite3.connect(target)
    out.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, content BLOB)")
    with ctx.engine.connect() as conn:
        rows = conn.execution_options(yield_per=16).execute(
            select(IncomingAttachment.id, IncomingAttachment.content)
        )
        for part in rows.partitions():
            out.executemany("INSERT INTO a VALUES (?, ?)", [tuple(r) for r in part])
    out.commit()
    out.close()
    return time.perf_counter() - start


def measure(url: str, folder: Path, requests: int) -> list[dict[str, object]]:
    """Fill the server, build the copy, return the figures."""
    ctx = DeskContext(make_engine(url), load_reference_data())
    try:
        print(f"filling {requests} requests with attachments…", file=sys.stderr)
        attachment_bytes = fill(ctx, requests)
        actor = UserOps(ctx).actor("loket.bench")
        copy = OfflineCopy(ctx, folder / "luring", "PC-BENCH-0001", OFFICE)
        start = time.perf_counter()
        report = copy.refresh(actor, limit=requests)
        seconds = time.perf_counter() - start
        floor_seconds = floor_copy(ctx, folder / "floor.sqlite3")
    finally:
        ctx.close()
    assert report.requests == requests, report
    assert report.attachment_bytes == attachment_bytes
    kind = "postgresql" if url.startswith("postgresql") else "sqlite"
    size = report.size_bytes
    return [
        {
            "name": f"offline copy size, {requests} open requests ({kind} server)",
            "desk": round(size / MIB, 1),
            "floor": round(attachment_bytes / MIB, 1),
            "unit": "MiB",
            "ratio": round(size / attachment_bytes, 3),
            "bytes": size,
            "per_request_kib": round(size / requests / 1024, 1),
        },
        {
            "name": f"offline copy refresh, {requests} open requests ({kind} server)",
            "desk": round(seconds, 2),
            "floor": round(floor_seconds, 2),
            "unit": "s",
            "ratio": round(seconds / floor_seconds, 2),
        },
    ]


def main(argv: list[str] | None = None) -> int:
    """Measure and print; with ``--json`` write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--pg", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with server(args.pg, folder) as url:
            rows = measure(url, folder, args.requests)
    for row in rows:
        print(
            f"{row['name']}: desk {row['desk']} {row['unit']}, floor {row['floor']} "
            f"{row['unit']}, ratio {row['ratio']}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
