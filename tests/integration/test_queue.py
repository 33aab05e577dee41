"""The queue on SQLite and PostgreSQL: paging, filters, search, leases, versions, workflow."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Select, event, select, text
from sqlalchemy.orm import Session

from disdukcapil_desk.db import search_index
from disdukcapil_desk.db.models import AuditLog, ServiceRequest
from disdukcapil_desk.db.repositories.requests import search_condition
from disdukcapil_desk.domain.dto import Actor, Cursor, QueueFilter
from disdukcapil_desk.domain.errors import (
    ClaimError,
    PermissionDenied,
    StaleVersionError,
    WorkflowError,
)
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.audit import verify_chain
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from tests.conftest import FakeClock
from tests.factories import GOOD_PAYLOAD, make_request
from tests.integration.test_documents import use_desk_series


def seed(ctx: DeskContext, count: int, *, start: dt.datetime | None = None, **changes: object):
    """Ingest ``count`` dinas requests (deaths) one minute apart; return their ids, oldest first.

    The pelapor ``Pemohon NNN`` applies; the deceased ``Almarhum NNN`` is whom the akta is about.
    """
    start = start or dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    ops = IntakeOps(ctx)
    for i in range(count):
        payload = dict(
            GOOD_PAYLOAD,
            nama=f"Almarhum {i:03d}",
            nik=f"360415031150{i + 1:04d}",
            jenis_kelamin="L",
            tanggal_lahir="1950-11-03",
            pelapor_nama=f"Pemohon {i:03d}",
            pelapor_nik=f"360415610795{i + 1:04d}",
            **changes,
        )
        ops.submit_row(
            make_request(
                external_ref=f"q{i}-{start.timestamp()}",
                service_code="akta_kematian",
                payload=json.dumps(payload),
                sender="+628123",
                received_at=start + dt.timedelta(minutes=i),
            )
        )
    ops.ingest()
    page = QueueOps(ctx).page(_head(), QueueFilter(), limit=10_000)
    return [r.id for r in page.rows]


def _head() -> Actor:
    from disdukcapil_desk.domain.workflow import Role

    return Actor("kasi", Role.SECTION_HEAD, location_code="DINAS")


def test_keyset_pages_cover_every_request_once_in_order(ctx: DeskContext) -> None:
    ids = seed(ctx, 23)
    queue = QueueOps(ctx)
    seen: list[int] = []
    cursor: Cursor | None = None
    while True:
        page = queue.page(_head(), QueueFilter(), after=cursor, limit=10)
        seen += [r.id for r in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ids and len(seen) == 23


def test_search_by_number_nik_and_name(ctx: DeskContext) -> None:
    seed(ctx, 5)
    queue = QueueOps(ctx)
    rows = queue.page(_head(), QueueFilter()).rows
    by_number = queue.page(_head(), QueueFilter(search=rows[2].number.lower())).rows
    assert [r.id for r in by_number] == [rows[2].id]
    by_nik = queue.page(_head(), QueueFilter(search="3604-1561-0795-0004")).rows
    assert [r.applicant_name for r in by_nik] == ["Pemohon 003"]
    by_name = queue.page(_head(), QueueFilter(search="pemohon 00")).rows
    assert len(by_name) == 5
    assert queue.page(_head(), QueueFilter(search="100%_")).rows == ()


def test_search_finds_a_request_by_its_subject_and_the_queue_shows_both(ctx: DeskContext) -> None:
    seed(ctx, 5)
    queue = QueueOps(ctx)
    by_name = queue.page(_head(), QueueFilter(search="ALMARHUM 002")).rows
    assert [(r.applicant_name, r.subject_name) for r in by_name] == [
        ("Pemohon 002", "Almarhum 002")
    ]
    assert by_name[0].subject_label == "Yang meninggal dunia"
    assert by_name[0].service_short_name == "Akta Kematian"
    by_nik = queue.page(_head(), QueueFilter(search="3604150311500004")).rows
    assert [r.subject_name for r in by_nik] == ["Almarhum 003"]
    assert len(queue.page(_head(), QueueFilter(search="almarhum 00")).rows) == 5
    assert _uses_trigram_index(ctx, "almarhum", "subject" if ctx.postgresql else "name")


def test_rows_never_show_a_full_nik(ctx: DeskContext) -> None:
    seed(ctx, 3)
    for row in QueueOps(ctx).page(_head(), QueueFilter()).rows:
        assert "*" in row.nik_masked and not any(
            row.nik_masked == f"360415610795{i:04d}" for i in range(1, 4)
        )


def test_filters_status_overdue_and_mine(
    ctx: DeskContext, users: dict[str, Actor], clock: FakeClock
) -> None:
    ids = seed(ctx, 4)
    queue = QueueOps(ctx)
    officer = users["loket.dinas"]
    queue.claim(officer, ids[0])
    in_review = queue.page(_head(), QueueFilter(statuses=frozenset({Status.IN_REVIEW})))
    assert [r.id for r in in_review.rows] == [ids[0]]
    assert [r.id for r in queue.page(officer, QueueFilter(mine_only=True)).rows] == [ids[0]]
    assert queue.page(_head(), QueueFilter(overdue_only=True)).rows == ()
    clock.advance(days=10)
    assert len(queue.page(_head(), QueueFilter(overdue_only=True)).rows) == 4
    counts = queue.counts(_head(), "DINAS")
    assert (counts[Status.NEW], counts[Status.IN_REVIEW]) == (3, 1)


def test_upt_officer_sees_only_their_upt(ctx: DeskContext, users: dict[str, Actor]) -> None:
    seed(ctx, 2)
    upt = users["loket.upt05"]
    assert QueueOps(ctx).page(upt, QueueFilter(location_code="DINAS")).rows == ()
    with pytest.raises(PermissionDenied):
        QueueOps(ctx).claim_next(upt, "DINAS")


def test_claim_next_takes_oldest_and_colleague_gets_the_next(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ids = seed(ctx, 3)
    queue = QueueOps(ctx)
    first = queue.claim_next(users["loket.dinas"])
    second = queue.claim_next(users["loket2.dinas"])
    assert first is not None and second is not None
    assert (first.request_id, second.request_id) == (ids[0], ids[1])


def test_held_request_is_refused_to_others_with_who_and_since(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ids = seed(ctx, 1)
    queue = QueueOps(ctx)
    queue.claim(users["loket.dinas"], ids[0])
    with pytest.raises(ClaimError, match="Loket Dinas sejak"):
        queue.claim(users["loket2.dinas"], ids[0])


def test_expired_lease_returns_request_to_queue(
    ctx: DeskContext, users: dict[str, Actor], clock: FakeClock
) -> None:
    ids = seed(ctx, 1)
    queue = QueueOps(ctx)
    queue.claim(users["loket.dinas"], ids[0])
    clock.advance(minutes=10)
    lease = queue.renew(users["loket.dinas"], ids[0])
    assert lease.expires_at == clock.now + ctx.lease
    clock.advance(minutes=16)
    taken = queue.claim_next(users["loket2.dinas"])
    assert taken is not None and taken.request_id == ids[0], "a dead workstation's lease lapses"
    with pytest.raises(ClaimError):
        queue.renew(users["loket.dinas"], ids[0])
    clock.advance(minutes=20)
    assert queue.expire_leases() == 1
    assert queue.detail(_head(), ids[0]).row.status is Status.NEW


def _claim_lines(ctx: DeskContext, number: str) -> list[tuple[str, str | None, str | None]]:
    """The audit lines of claims of a request: (actor, before, after), oldest first."""
    with ctx.reading() as session:
        rows = session.execute(
            select(AuditLog.actor, AuditLog.before, AuditLog.after)
            .where(AuditLog.entity_key == number, AuditLog.action == Action.CLAIM.value)
            .order_by(AuditLog.id)
        ).all()
    return [(r.actor, r.before, r.after) for r in rows]


def _stored_lease(ctx: DeskContext, request_id: int) -> tuple[Any, ...]:
    with ctx.reading() as session:
        row = session.execute(
            select(
                ServiceRequest.status,
                ServiceRequest.claimed_by,
                ServiceRequest.claimed_at,
                ServiceRequest.lease_expires_at,
                ServiceRequest.version,
                ServiceRequest.updated_at,
                ServiceRequest.updated_by,
            ).where(ServiceRequest.id == request_id)
        ).one()
    return tuple(row)


def test_claim_next_picks_the_oldest_claimable_and_audits_what_it_was(
    ctx: DeskContext, users: dict[str, Actor], clock: FakeClock
) -> None:
    """A colleague's live lease is skipped, an older lapsed lease comes before a newer new
    request, the audit line names the status the request had, and taking back one's own lapsed
    lease renews it without an audit line (the same on both databases).
    """
    ids = seed(ctx, 4)
    queue = QueueOps(ctx)
    me, colleague = users["loket.dinas"], users["loket2.dinas"]
    numbers = [queue.detail(_head(), i).row.number for i in ids]
    held = queue.claim(colleague, ids[0])  # lapses below
    mine = queue.claim(me, ids[1])  # lapses below
    clock.advance(minutes=16)
    queue.claim(colleague, ids[2])  # live: skipped
    versions = [queue.detail(_head(), i).row.version for i in ids]

    # the oldest claimable: the colleague's lapsed lease on the first request
    first = queue.claim_next(me)
    assert first is not None and first.request_id == ids[0]
    assert first.expires_at == clock.now + ctx.lease and first.version == versions[0] + 1
    assert first.version == held.version + 1
    assert _claim_lines(ctx, numbers[0])[-1] == (
        "loket.dinas",
        '{"status": "in_review"}',
        '{"status": "in_review"}',
    )
    assert _stored_lease(ctx, ids[0]) == (
        Status.IN_REVIEW.value,
        me.user_id,
        clock.now,
        clock.now + ctx.lease,
        versions[0] + 1,
        clock.now,
        "loket.dinas",
    )

    # then my own lapsed lease: renewed, no audit line
    lines_before = _claim_lines(ctx, numbers[1])
    clock.advance(minutes=1)
    again = queue.claim_next(me)
    assert again is not None and again.request_id == ids[1]
    assert again.version == mine.version + 1 and again.expires_at == clock.now + ctx.lease
    assert _claim_lines(ctx, numbers[1]) == lines_before
    assert _stored_lease(ctx, ids[1])[:4] == (
        Status.IN_REVIEW.value,
        me.user_id,
        clock.now,
        clock.now + ctx.lease,
    )

    # the colleague's live lease is skipped: the new request after it
    last = queue.claim_next(me)
    assert last is not None and last.request_id == ids[3]
    assert _claim_lines(ctx, numbers[3]) == [
        ("loket.dinas", '{"status": "new"}', '{"status": "in_review"}')
    ]
    assert queue.claim_next(me) is None
    assert verify_chain(ctx) is None


def test_release_and_take_back(ctx: DeskContext, users: dict[str, Actor]) -> None:
    ids = seed(ctx, 2)
    queue = QueueOps(ctx)
    officer = users["loket.dinas"]
    queue.claim(officer, ids[0])
    queue.release(officer, ids[0])
    assert queue.detail(_head(), ids[0]).row.holder is None
    queue.claim(officer, ids[1])
    with pytest.raises(PermissionDenied):
        queue.take_back(users["loket2.dinas"], ids[1], "macet")
    with pytest.raises(WorkflowError, match="Alasan"):
        queue.take_back(users["kasi.dinas"], ids[1], "")
    queue.take_back(users["kasi.dinas"], ids[1], "petugas sakit")
    detail = queue.detail(_head(), ids[1])
    assert detail.row.status is Status.NEW
    assert [h.action for h in detail.history][-2:] == ["claim", "take_back"]


def test_stale_version_is_refused_with_who_changed_it(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ids = seed(ctx, 1)
    queue = QueueOps(ctx)
    officer = users["loket.dinas"]
    lease = queue.claim(officer, ids[0])
    new_version = queue.save_fields(officer, ids[0], lease.version, {"tempat_kematian": "Ciruas"})
    with pytest.raises(StaleVersionError) as refused:
        queue.save_fields(officer, ids[0], lease.version, {"tempat_kematian": "Anyar"})
    assert refused.value.changed_by == "loket.dinas"
    detail = queue.detail(_head(), ids[0])
    assert detail.payload["tempat_kematian"] == "Ciruas" and detail.row.version == new_version


def test_editing_needs_the_claim(ctx: DeskContext, users: dict[str, Actor]) -> None:
    ids = seed(ctx, 1)
    with pytest.raises(ClaimError):
        QueueOps(ctx).save_fields(users["loket.dinas"], ids[0], 1, {"nama": "X"})


def test_full_workflow_with_roles(ctx: DeskContext, users: dict[str, Actor]) -> None:
    use_desk_series(ctx)  # issuing draws the akta number here, not from Input SIAK
    ids = seed(ctx, 3)
    queue = QueueOps(ctx)
    counter, operator = users["loket.dinas"], users["operator.dinas"]
    queue.claim(counter, ids[0])
    queue.decide(counter, ids[0], Action.APPROVE)
    with pytest.raises(PermissionDenied):
        DocumentOps(ctx).issue(counter, ids[0])
    with pytest.raises(WorkflowError, match="Terbitkan"):
        queue.decide(operator, ids[0], Action.ISSUE)
    DocumentOps(ctx).issue(operator, ids[0])
    row = queue.decide(counter, ids[0], Action.FINISH)
    assert row.status is Status.DONE
    queue.claim(counter, ids[1])
    with pytest.raises(WorkflowError):
        queue.decide(counter, ids[1], Action.REJECT, reason=" ")
    assert queue.decide(counter, ids[1], Action.REJECT, reason="bukan warga").status is (
        Status.REJECTED
    )
    with pytest.raises(WorkflowError):
        DocumentOps(ctx).issue(operator, ids[2])
    history = [h.action for h in queue.detail(_head(), ids[0]).history]
    assert history == ["intake", "claim", "approve", "issue", "finish"]


def test_name_and_number_search_use_the_trigram_index_and_follow_changes(
    ctx: DeskContext,
) -> None:
    seed(ctx, 5)
    queue = QueueOps(ctx)
    with ctx.sessions.begin() as session:
        first = session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)).first()
        assert first is not None
        first.applicant_name = "Siti Nurhaliza"
        number = first.number

    def found(fragment: str) -> list[str]:
        return [r.applicant_name for r in queue.page(_head(), QueueFilter(search=fragment)).rows]

    assert found("NURHAL") == ["Siti Nurhaliza"]
    assert found("pemohon 000") == [], "the old name is gone from the index"
    assert len(found("mohon")) == 4
    assert found("si") == ["Siti Nurhaliza"], "two letters: scanned, still found"
    assert found("nurh%") == [] and found("hal_za") == [], "wildcards are literal"
    digits = number.split("/")[1]
    assert len(found(digits)) == 5 and found(digits[:-1] + "9") == []
    for text_searched, index in (("nurhal", "name"), (digits, "number")):
        assert _uses_trigram_index(ctx, text_searched, index), (text_searched, index)


def test_a_common_name_fragment_is_searched_in_queue_order(
    ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(ctx, 5)
    monkeypatch.setattr(search_index, "COMMON_MATCHES", 3)
    monkeypatch.setattr(search_index, "PG_COMMON_MATCHES", 3)
    # five matches > 3: SQLite walks the queue instead of sorting the matches; same rows
    rows = QueueOps(ctx).page(_head(), QueueFilter(search="pemohon")).rows
    assert [r.applicant_name for r in rows] == [f"Pemohon {i:03d}" for i in range(5)]
    assert _uses_trigram_index(ctx, "pemohon", "name") is ctx.postgresql


def _uses_trigram_index(ctx: DeskContext, fragment: str, index: str) -> bool:
    """Whether the search for ``fragment`` reads the trigram index instead of every row (on
    PostgreSQL in the probe it sends first or in the condition it gives the page).
    """
    sent: list[tuple[str, Any]] = []

    def grab(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().startswith("SELECT service_request.id"):
            sent.append((statement, params))

    with ctx.sessions() as session:
        event.listen(ctx.engine, "before_cursor_execute", grab)
        try:
            condition = search_condition(session, fragment)
        finally:
            event.remove(ctx.engine, "before_cursor_execute", grab)
        stmt = select(ServiceRequest.id).where(condition)
        sql = _compiled(stmt, session)
        if ctx.postgresql:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            plans = []
            for statement, params in [*sent, (sql, None)]:
                cursor.execute(f"EXPLAIN {statement}", params)
                plans += [line for (line,) in cursor.fetchall()]
            return f"ix_service_request_{index}_trgm" in "\n".join(plans)
        # SQLite: the FTS5 index was asked first; the page reads only the ids it gave
        return " IN (" in sql and "LIKE" not in sql


def _compiled(stmt: Select[tuple[int]], session: Session) -> str:
    dialect = session.get_bind().dialect
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
