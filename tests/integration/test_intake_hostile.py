"""Intake never stops for one bad row and never blames a row for the database's trouble.

On SQLite and PostgreSQL: hostile payloads are quarantined with a reason while the rows behind
them become requests; a transient database error retries the batch instead of quarantining;
NUL has the same fate on both engines; an administrator sends quarantined rows back, audited.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from disdukcapil_desk.db.models import AuditLog, IncomingRequest, ServiceRequest
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DatabaseLocked, PermissionDenied
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from tests.integration.test_cli import desk
from tests.integration.test_intake import incoming_of, row


def hostile(ref: str, payload: str) -> IncomingRow:
    good = row(ref)
    return IncomingRow(
        channel=good.channel,
        external_ref=ref,
        service_code=good.service_code,
        payload=payload,
        sender=good.sender,
        received_at=good.received_at,
    )


def test_a_hostile_row_is_quarantined_and_the_rows_behind_it_go_on(ctx: DeskContext) -> None:
    """Before: a 5,000-deep array raised RecursionError and every ingest exited."""
    ops = IntakeOps(ctx)
    ops.submit_row(hostile("deep", '{"nama": ' + "[" * 5000 + "]" * 5000 + "}"))
    ops.submit_row(hostile("huge", json.dumps({"nama": "A" * 5_000_000})))
    ops.submit_row(row("after"))

    report = ops.ingest()

    assert (report.created, report.quarantined) == (1, 2)
    assert "bersarang terlalu dalam" in (incoming_of(ctx, "deep").ingest_error or "")
    assert "terlalu besar" in (incoming_of(ctx, "huge").ingest_error or "")
    assert incoming_of(ctx, "after").service_request_id is not None


def test_any_unexpected_failure_of_one_row_quarantines_only_that_row(
    ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ops = IntakeOps(ctx)
    for ref in ("r1", "r2", "r3"):
        ops.submit_row(row(ref))
    process = IntakeOps._process

    def failing(self: IntakeOps, session, incoming, batch):  # type: ignore[no-untyped-def]
        if incoming.external_ref == "r2":
            raise RecursionError("maximum recursion depth exceeded near 3604156107950009")
        return process(self, session, incoming, batch)

    monkeypatch.setattr(IntakeOps, "_process", failing)
    report = ops.ingest()

    assert (report.created, report.quarantined) == (2, 1)
    reason = incoming_of(ctx, "r2").ingest_error or ""
    assert reason.startswith("kesalahan internal: RecursionError")
    assert "3604156107950009" not in reason, "a NIK in an error's text is masked"
    assert report.quarantine_reasons == [(incoming_of(ctx, "r2").id, reason)]


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_transient_database_error_retries_the_batch_and_quarantines_nothing(
    ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: "deadlock detected" became the quarantine reason of a valid row, for good."""
    ops = IntakeOps(ctx)
    for ref in ("t1", "t2"):
        ops.submit_row(row(ref))
    process = IntakeOps._process
    failures = iter([True, True])

    def deadlocking(self: IntakeOps, session, incoming, batch):  # type: ignore[no-untyped-def]
        if incoming.external_ref == "t2" and next(failures, False):
            raise OperationalError("UPDATE number_counter", {}, _Deadlock("deadlock detected"))
        return process(self, session, incoming, batch)

    monkeypatch.setattr(IntakeOps, "_process", deadlocking)
    report = ops.ingest()

    assert (report.created, report.quarantined, report.retries) == (2, 0, 2)
    with ctx.sessions() as session:
        numbers = list(session.scalars(select(ServiceRequest.number).order_by(ServiceRequest.id)))
    assert len(numbers) == len(set(numbers)) == 2, "a retried batch gives its numbers back"


def test_a_database_that_stays_in_trouble_raises_and_quarantines_nothing(
    ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ops = IntakeOps(ctx)
    ops.submit_row(row("stuck"))

    def always(self: IntakeOps, session, incoming, batch):  # type: ignore[no-untyped-def]
        raise OperationalError("UPDATE number_counter", {}, _Deadlock("deadlock detected"))

    monkeypatch.setattr(IntakeOps, "_process", always)
    monkeypatch.setattr("disdukcapil_desk.operations.intake.RETRIES", 3)
    with pytest.raises(DatabaseLocked, match="Coba lagi") as raised:
        ops.ingest()
    assert isinstance(raised.value.__cause__, OperationalError)
    stuck = incoming_of(ctx, "stuck")
    assert stuck.ingested_at is None and stuck.ingest_error is None, "still pending"


def test_nul_has_the_same_fate_on_both_databases(ctx: DeskContext) -> None:
    """Before: stored on SQLite, a raw database error at the channel's door on PostgreSQL."""
    ops = IntakeOps(ctx)
    ops.submit_row(hostile("nul-raw", '{"nama_lengkap": "Siti\x00Aminah"}'))
    ops.submit_row(hostile("nul-escaped", '{"nama_lengkap": "Siti\\u0000Aminah"}'))

    raw = incoming_of(ctx, "nul-raw")
    assert raw.ingest_error == "berisi karakter NUL: payload"
    assert raw.payload == '{"nama_lengkap": "Siti\ufffdAminah"}', "what was sent is kept"
    report = ops.ingest()
    assert (report.rows, report.quarantined) == (1, 1), "the raw one was quarantined on arrival"
    assert "nama_lengkap berisi karakter NUL" in (
        incoming_of(ctx, "nul-escaped").ingest_error or ""
    )


def test_an_administrator_requeues_a_quarantined_row_audited(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ops = IntakeOps(ctx)
    ops.submit_row(row("unknown", service="layanan_baru"))
    ops.submit_row(row("fine"))
    ops.ingest()
    quarantined = ops.quarantined(users["admin"])
    assert [q.external_ref for q in quarantined] == ["unknown"]
    assert "kode layanan tidak dikenal" in quarantined[0].reason
    with pytest.raises(PermissionDenied):
        ops.requeue(users["loket.dinas"], [quarantined[0].row_id])

    fine_id = incoming_of(ctx, "fine").id
    count = ops.requeue(users["admin"], [quarantined[0].row_id, fine_id], "katalog diperbarui")

    assert count == 1, "a row that became a request is not sent back"
    again = incoming_of(ctx, "unknown")
    assert again.ingested_at is None and again.ingest_error is None
    assert ops.quarantined(users["kasi.dinas"]) == []
    with ctx.sessions() as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "requeue_intake")).one()
    assert entry.actor == "admin" and entry.entity_key == str(again.id)
    assert "kode layanan tidak dikenal" in (entry.before or "")
    assert entry.detail == "katalog diperbarui"
    assert ops.ingest().quarantined == 1, "the cause was not fixed: quarantined again"


def test_cli_lists_and_requeues_quarantined_rows(
    ctx: DeskContext, db_url: str, tmp_path: Path
) -> None:
    ops = IntakeOps(ctx)
    ops.submit_row(row("cli-bad", service="layanan_baru"))
    ops.ingest()
    row_id = incoming_of(ctx, "cli-bad").id

    listing = desk("--db", db_url, "intake", "quarantine", basedir=tmp_path, login="kasi.dinas")
    assert listing.returncode == 0, listing.stderr
    assert f"#{row_id}" in listing.stdout and "kode layanan tidak dikenal" in listing.stdout

    requeued = desk(
        "--db", db_url, "intake", "requeue", str(row_id), basedir=tmp_path, login="kasi.dinas"
    )
    assert requeued.returncode == 0 and "1 baris" in requeued.stdout
    nothing = desk(
        "--db", db_url, "intake", "requeue", str(row_id), basedir=tmp_path, login="kasi.dinas"
    )
    assert nothing.returncode == 1 and "Dilewati" in nothing.stdout
    bad = desk("--db", db_url, "intake", "requeue", "-3", basedir=tmp_path, login="kasi.dinas")
    assert bad.returncode == 2 and "positif" in bad.stderr
    with ctx.sessions() as session:
        pending = session.scalar(
            select(IncomingRequest.ingested_at).where(IncomingRequest.id == row_id)
        )
    assert pending is None


def test_the_limits_are_reference_data(tmp_path: Path) -> None:
    resources = Path(__file__).resolve().parents[2] / "resources"
    copy = tmp_path / "resources"
    shutil.copytree(resources, copy)
    limits = copy / "intake" / "limits.json"
    limits.write_text(json.dumps({"max_depth": 2}), encoding="utf-8")

    assert load_reference_data(copy).intake_rules.limits.max_depth == 2
    assert load_reference_data(resources).intake_rules.limits.max_depth == 8
    limits.write_text(json.dumps({"max_dept": 2}), encoding="utf-8")
    with pytest.raises(ValueError, match="tidak dikenal"):
        load_reference_data(copy)
