"""Benchmark of key custody: ms per document sealed and PAdES-signed through the signing
service beside in-process pyHanko, in the same run, on the same PDF.

Run: ``python -m bench.signing_service --pg URL [--documents 50]`` (PostgreSQL: the service
serves PostgreSQL workstations; ``$DISDUKCAPIL_TEST_PG`` when no ``--pg``). A database
``bench_sign_<hex>`` is made on the server and dropped at the end. The service runs as its own
process (``disdukcapil-desk signer serve``), the workstation in this one.

Figures:
- ``in-process``: seal + pyHanko ``sign_pdf`` with the identity in this process (what one
  SQLite workstation does), no database;
- ``in-process custody``: the same through :class:`FolderCustody` (reads the current key id);
- ``service``: :class:`ServiceCustody`: queue the PDF, NOTIFY, the service claims, seals, signs,
  writes back, the workstation reads the result and deletes the job;
- ``service, 2 workstations``: two threads queueing at once (ms per document, wall clock).
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.documents_bench import certificate
from disdukcapil_desk.domain.documents import seal, signing_key
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents.custody import (
    SIGNING_REASON,
    FolderCustody,
    KeyFolder,
    ServiceCustody,
)
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.reports.certificate import render_certificate
from disdukcapil_desk.reports.signing import load_identity, self_signed_pkcs12, sign_pdf

REPO = Path(__file__).resolve().parents[1]
PASSPHRASE = "bench-sandi"


def per_document(work: Callable[[], object], count: int) -> float:
    """Milliseconds per call, after one warm-up call."""
    work()
    started = time.perf_counter()
    for _ in range(count):
        work()
    return (time.perf_counter() - started) * 1000 / count


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("DISDUKCAPIL_TEST_PG"))
    parser.add_argument("--documents", type=int, default=50)
    args = parser.parse_args()
    if not args.pg:
        parser.error("--pg URL or $DISDUKCAPIL_TEST_PG")
    name = f"bench_sign_{secrets.token_hex(4)}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sign-") as folder:
            rows = measure(url, Path(folder), args.documents)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    print(f"{'figure':<34} {'ms/dok':>9}  (N={args.documents}, PDF sertifikat 1 halaman)")
    for label, ms in rows:
        print(f"{label:<34} {ms:>9.1f}")
    print(f"{'service / in-process':<34} {rows[2][1] / rows[0][1]:>9.2f}x")


def measure(url: str, folder: Path, count: int) -> list[tuple[str, float]]:
    """The four figures on a fresh database at ``url``."""
    import datetime as dt

    ctx = DeskContext.open(url)
    SetupOps(ctx).init()
    pdf = render_certificate(certificate())
    data, _ = self_signed_pkcs12(
        "Bench", PASSPHRASE, not_after=dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
    )
    p12 = folder / "dinas.p12"
    p12.write_bytes(data)
    identity = load_identity(data, PASSPHRASE)
    key = signing_key(secrets.token_bytes(32))

    def bare() -> bytes:
        return sign_pdf(seal(pdf, key), identity, reason=SIGNING_REASON, location="Serang")

    local = FolderCustody(KeyFolder(folder / "lokal"), identity)

    def in_custody() -> bytes:
        with ctx.unit_of_work() as session:
            return local.seal_and_sign(session, pdf, location="Serang", by="bench")

    rows = [("in-process pyHanko", per_document(bare, count))]
    rows.append(("in-process custody (key folder)", per_document(in_custody, count)))
    with ctx.engine.begin() as conn:  # the service makes its own seal key
        conn.execute(text("DELETE FROM seal_key"))
    service = start_service(url, folder, p12)
    try:
        remote = ServiceCustody(ctx, timeout=60)

        def through_service() -> bytes:
            return remote.seal_and_sign(None, pdf, location="Serang", by="bench")  # type: ignore[arg-type]

        rows.append(("signing service (1 workstation)", per_document(through_service, count)))
        rows.append(("signing service (2 workstations)", two_at_once(through_service, count)))
    finally:
        service.terminate()
        service.communicate(timeout=30)
        ctx.close()
    return rows


def two_at_once(work: Callable[[], object], count: int) -> float:
    """Milliseconds per document with two threads queueing ``count`` documents in all."""
    work()
    started = time.perf_counter()
    threads = [
        threading.Thread(target=lambda: [work() for _ in range(count // 2)]) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (time.perf_counter() - started) * 1000 / (2 * (count // 2))


def start_service(url: str, folder: Path, p12: Path) -> subprocess.Popen[str]:
    """``signer serve`` as its own process; returns once it says it runs."""
    env = {**os.environ, "DISDUKCAPIL_SIGNER_PASSPHRASE": PASSPHRASE}
    env.pop("DISDUKCAPIL_SIGNER", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "disdukcapil_desk",
            "--basedir",
            str(folder / "server"),
            "--db",
            url,
            "signer",
            "serve",
            "--pkcs12",
            str(p12),
        ],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "berjalan" not in line:
        process.kill()
        raise SystemExit(f"signer serve did not start: {line}")
    return process


if __name__ == "__main__":
    main()
