"""Ingest writes a batch together: what batching could break, on SQLite and PostgreSQL.

A row that fails only when the batch is written is quarantined alone and its neighbours land
with consecutive numbers; duplicates are found inside one batch and against earlier ones; a
resubmission between new requests keeps the order; a transient error while writing retries
the whole batch; several processes at once leave every counter without gaps; and the number of
statements a batch sends stays a few per row (a property of the code, not a timing).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import (
    AuditLog,
    IncomingRequest,
    Location,
    NumberCounter,
    OutgoingMessage,
    RequestAttachment,
    RequestFinding,
    RequirementCheck,
    ServiceRequest,
)
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.workflow import Action
from disdukcapil_desk.operations import intake as intake_module
from disdukcapil_desk.operations.audit import verify_chain
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from tests.factories import make_request, sample_row
from tests.integration.test_intake import incoming_of, request_of

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
START = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


def person(i: int, ref: str, **overrides: Any) -> IncomingRow:
    """A KTP-el replacement of person ``i`` (their own NIK), received ``i`` seconds after 08:00."""
    return make_request(
        fields={"nik": f"3604156107{i % 90 + 10:02d}{i + 1:04d}"},
        external_ref=ref,
        received_at=START + dt.timedelta(seconds=i),
        **overrides,
    )


def submit(ctx: DeskContext, *rows: IncomingRow) -> None:
    ops = IntakeOps(ctx)
    for row in rows:
        ops.submit_row(row)


def sequence(number: str) -> int:
    return int(number.rsplit("/", 1)[1])


@contextmanager
def counted(ctx: DeskContext) -> Iterator[list[str]]:
    """The statements sent to the database meanwhile."""
    sent: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(ctx.engine, "before_cursor_execute", note)


def test_a_row_failing_when_the_batch_is_written_is_quarantined_alone(
    ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's insert fails because of one row (a value the database refuses): that row is
    quarantined with the database's reason, the others land numbered without a gap."""
    submit(ctx, *(person(i, f"w{i}") for i in range(5)))
    columns = intake_module._request_columns

    def refused_for_w2(new, number, now):  # type: ignore[no-untyped-def]
        values = columns(new, number, now)
        return dict(values, status="bukan_status") if new.row.external_ref == "w2" else values

    monkeypatch.setattr(intake_module, "_request_columns", refused_for_w2)
    report = IntakeOps(ctx).ingest()

    assert (report.created, report.quarantined, report.retries) == (4, 1, 0)
    bad = incoming_of(ctx, "w2")
    assert (bad.ingest_error or "").startswith("kesalahan basis data")
    assert bad.service_request_id is None and bad.ingested_at is not None
    numbers = [request_of(ctx, f"w{i}").number for i in (0, 1, 3, 4)]
    assert [sequence(n) for n in numbers] == [1, 2, 3, 4], "the refused row's number is reused"
    with ctx.sessions() as session:
        counter = session.scalar(select(func.sum(NumberCounter.last_value)))
        audited = session.scalar(select(func.count()).where(AuditLog.action == "intake"))
        checks = session.scalar(select(func.count()).select_from(RequirementCheck))
    assert (counter, audited) == (4, 4)
    assert checks and checks % 4 == 0, "no checklist line of the refused row is left"
    assert verify_chain(ctx) is None


def test_a_bad_row_in_the_middle_leaves_its_neighbours_consecutive(ctx: DeskContext) -> None:
    bad = make_request(external_ref="bad", payload="bukan json", received_at=START)
    submit(ctx, person(0, "n0"), person(1, "n1"), bad, person(3, "n3"), person(4, "n4"))

    report = IntakeOps(ctx).ingest()

    assert (report.created, report.quarantined) == (4, 1)
    assert "bukan JSON" in (incoming_of(ctx, "bad").ingest_error or "")
    numbers = [request_of(ctx, ref).number for ref in ("n0", "n1", "n3", "n4")]
    assert [sequence(n) for n in numbers] == [1, 2, 3, 4]
    assert report.quarantine_reasons == [
        (incoming_of(ctx, "bad").id, report.quarantine_reasons[0][1])
    ]


def test_duplicates_are_found_within_a_batch_and_against_earlier_batches(
    ctx: DeskContext,
) -> None:
    submit(ctx, person(1, "earlier"))
    assert IntakeOps(ctx).ingest().created == 1
    birth = sample_row("wa-1001")
    shouted = json.loads(birth.payload)
    shouted["anak_nama"] = shouted["anak_nama"].upper()
    submit(
        ctx,
        person(1, "again"),  # the same person as the earlier batch
        person(2, "first-of-two"),
        person(3, "alone"),
        person(2, "second-of-two"),  # the same as a row before it in this batch
        birth,
        replace(birth, external_ref="birth-again", payload=json.dumps(shouted)),
        person(2, "other-service", service_code="kia"),
    )

    report = IntakeOps(ctx).ingest()

    assert (report.created, report.duplicates_flagged) == (7, 3)
    flagged = {
        ref: request_of(ctx, ref).possible_duplicate_of
        for ref in ("again", "second-of-two", "birth-again")
    }
    assert flagged == {
        "again": request_of(ctx, "earlier").id,
        "second-of-two": request_of(ctx, "first-of-two").id,
        "birth-again": request_of(ctx, "wa-1001").id,  # no child NIK: applicant + child's name
    }
    for ref in ("first-of-two", "alone", "wa-1001", "other-service", "earlier"):
        assert request_of(ctx, ref).possible_duplicate_of is None, ref
    with ctx.sessions() as session:
        message = session.scalar(
            select(RequestFinding.message).where(
                RequestFinding.service_request_id == request_of(ctx, "second-of-two").id,
                RequestFinding.code == "possible_duplicate",
            )
        )
    assert message and request_of(ctx, "first-of-two").number in message


def test_a_resubmission_between_new_requests_lands_with_them(
    ctx: DeskContext, users: dict[str, Any]
) -> None:
    submit(ctx, sample_row("wa-1001"))
    IntakeOps(ctx).ingest()
    original = request_of(ctx, "wa-1001")
    officer = users["loket.dinas"]
    QueueOps(ctx).claim(officer, original.id)
    QueueOps(ctx).decide(
        officer, original.id, Action.REQUEST_REVISION, citizen_message="Mohon kirim SKL"
    )
    fix = sample_row(
        "wa-1008",
        reply_to_number=original.number,
        payload=json.dumps({"anak_tempat_lahir": "RSUD Serang"}),
    )
    skl = ("surat_keterangan_lahir", "skl.jpg", "image/jpeg", b"\xff\xd8jpeg")
    before = person(5, "before", attachments=(("ktp_rusak", "ktp.jpg", "image/jpeg", b"x"),))
    submit(ctx, before, replace(fix, attachments=(skl,)), person(6, "after"))

    report = IntakeOps(ctx).ingest()

    assert (report.created, report.resubmissions, report.quarantined) == (2, 1, 0)
    assert request_of(ctx, "wa-1008").id == original.id
    with ctx.sessions() as session:
        audited = set(
            session.execute(select(AuditLog.action, AuditLog.entity_key).where(AuditLog.id > 1))
        )
        links = dict(
            session.execute(
                select(RequestAttachment.service_request_id, func.count()).group_by(
                    RequestAttachment.service_request_id
                )
            ).all()
        )
    assert {
        ("intake", request_of(ctx, "before").number),
        ("resubmit", original.number),
        ("intake", request_of(ctx, "after").number),
    } <= audited
    assert links == {original.id: 1, request_of(ctx, "before").id: 1}


def test_a_resubmission_finds_a_request_made_earlier_in_its_batch(ctx: DeskContext) -> None:
    """The number a citizen answers may belong to a row of the same batch (written first)."""
    death = sample_row("wa-1004")  # akta kematian: handled at the dinas only
    submit(ctx, replace(death, external_ref="first"))
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ServiceRequest)) == 0
    expected = f"DINAS/{office_date(death.received_at or START):%Y%m%d}/0001"
    fix = replace(death, external_ref="fix", reply_to_number=expected.lower())
    submit(ctx, replace(fix, payload=json.dumps({"alamat": "Jl. Baru 1"})))

    report = IntakeOps(ctx).ingest()

    assert (report.created, report.resubmissions, report.quarantined) == (1, 1, 0)
    made = request_of(ctx, "first")
    assert made.number == expected and request_of(ctx, "fix").id == made.id
    assert made.resubmission_count == 1 and json.loads(made.payload)["alamat"] == "Jl. Baru 1"


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_transient_error_while_writing_the_batch_retries_it_whole(
    ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit(ctx, *(person(i, f"t{i}") for i in range(6)))
    insert_checks = intake_module.batch_repo.insert_checks
    failures = iter([True])

    def deadlocking(session, rows):  # type: ignore[no-untyped-def]
        if next(failures, False):
            raise OperationalError("INSERT INTO requirement_check", {}, _Deadlock("deadlock"))
        return insert_checks(session, rows)

    monkeypatch.setattr(intake_module.batch_repo, "insert_checks", deadlocking)
    report = IntakeOps(ctx).ingest()

    assert (report.created, report.quarantined, report.retries) == (6, 0, 1)
    numbers = sorted(sequence(request_of(ctx, f"t{i}").number) for i in range(6))
    assert numbers == [1, 2, 3, 4, 5, 6], "the failed attempt gave its numbers back"


def _rows_of_many_offices(ctx: DeskContext, count: int) -> list[IncomingRow]:
    with ctx.sessions() as session:
        offices = list(session.scalars(select(Location.code).order_by(Location.code)))
    pick = random.Random(5)
    rows = []
    for i in range(count):
        received = START + dt.timedelta(days=i % 2, seconds=i)
        if i % 10 == 7:
            rows.append(make_request(external_ref=f"m{i}", payload="{", received_at=received))
            continue
        attachments = (("ktp_rusak", f"{i}.jpg", "image/jpeg", b"x"),) if i % 3 == 0 else ()
        rows.append(person(i, f"m{i}", location_code=pick.choice(offices), attachments=attachments))
        rows[-1] = replace(rows[-1], received_at=received)
    return rows


def test_statements_per_row_stay_few(ctx: DeskContext) -> None:
    """Before: 8 to 12 statements a row (flushes, a duplicate query and a counter per row)."""
    rows = 200
    submit(ctx, *_rows_of_many_offices(ctx, rows))

    with counted(ctx) as sent:
        report = IntakeOps(ctx).ingest(batch_size=rows)

    assert report.rows == rows and report.quarantined == rows // 10
    assert len(sent) <= 3 * rows + 40, f"{len(sent)} statements for {rows} rows"
    assert len(sent) <= 60, "a batch sends a few statements whatever its size"


_COPIED = tuple(
    f"INSERT INTO {table}"
    for table in (
        "service_request",
        "request_finding",
        "requirement_check",
        "request_attachment",
        "outgoing_message",
    )
)


def test_postgresql_copies_a_batch_and_audits_it_in_one_statement_of_any_size(
    ctx: DeskContext,
) -> None:
    """PostgreSQL: the batch's requests, findings, checklists, attachment links and messages go
    in by COPY, not as statements of thousands of parameters for the server to parse; the
    audit entries go in one statement whose text is the same whatever the batch's size (so
    the server keeps its plan). Before: one multi-row INSERT each, a new text for every size.
    """
    if not ctx.postgresql:
        pytest.skip("COPY is PostgreSQL's")
    rows = _rows_of_many_offices(ctx, 30)
    audits: list[str] = []
    for part in (rows[:4], rows[4:]):  # two batches of different sizes
        submit(ctx, *part)
        with counted(ctx) as sent:
            report = IntakeOps(ctx).ingest()
        assert report.rows == len(part)
        inserts = [s for s in sent if s.lstrip().startswith(_COPIED)]
        assert not inserts, inserts
        audits += [s for s in sent if "INSERT INTO audit_log" in s]

    assert len(audits) == 2 and audits[0] == audits[1]
    with ctx.sessions() as session:
        requests = session.scalar(select(func.count()).select_from(ServiceRequest))
        checks = session.scalar(select(func.count()).select_from(RequirementCheck))
        links = session.scalar(select(func.count()).select_from(RequestAttachment))
        messages = session.scalar(select(func.count()).select_from(OutgoingMessage))
    assert (requests, links, messages) == (27, 9, 27) and checks
    assert verify_chain(ctx) is None


def _ingest(url: str, batch_size: int) -> int:
    ctx = DeskContext(make_engine(url), load_reference_data(RESOURCES))
    report = IntakeOps(ctx).ingest(batch_size=batch_size)
    ctx.close()
    return report.created


@pytest.mark.slow
def test_processes_ingesting_at_once_leave_no_gap_in_any_counter(
    ctx: DeskContext, db_url: str
) -> None:
    total = 300
    submit(ctx, *_rows_of_many_offices(ctx, total))
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        created = pool.starmap(_ingest, [(db_url, 15)] * 3)

    with ctx.sessions() as session:
        numbers = list(session.scalars(select(ServiceRequest.number)))
        counters = {
            (c.scope, c.period): c.last_value for c in session.scalars(select(NumberCounter))
        }
        errors = list(
            session.scalars(
                select(IncomingRequest.ingest_error).where(
                    IncomingRequest.ingest_error.is_not(None)
                )
            )
        )
    assert sum(created) == len(numbers) == total - total // 10
    assert len(errors) == total // 10 and all("JSON" in e for e in errors)
    series: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number in numbers:
        office, day, seq = number.split("/")
        series[(office, day)].append(int(seq))
    for key, used in series.items():
        assert sorted(used) == list(range(1, len(used) + 1)), key
        assert counters[key] == len(used), key
    assert verify_chain(ctx) is None
