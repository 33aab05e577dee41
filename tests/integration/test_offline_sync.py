"""Offline and back: the journal written with each change on the local copy, the replay under
the server's rules (applied once, conflicts, refusals, a lost server), resolutions, status.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disdukcapil_desk.db.models import (
    AuditLog,
    OfflineApplied,
    RequestAttachment,
    ServiceRequest,
)
from disdukcapil_desk.domain.clock import WIB, office_date
from disdukcapil_desk.domain.dto import Actor, CheckInput
from disdukcapil_desk.domain.errors import (
    AuthError,
    ConnectionLost,
    PermissionDenied,
    StaleVersionError,
)
from disdukcapil_desk.domain.offline import (
    ConnectionMode,
    EntryState,
    JournalKind,
    Resolution,
)
from disdukcapil_desk.domain.workflow import Role, Status
from disdukcapil_desk.operations.audit import verify_chain
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.offline.copy import OfflineCopy
from disdukcapil_desk.operations.offline.desk import OfflineDesk
from disdukcapil_desk.operations.offline.journal import Journal, decode
from disdukcapil_desk.operations.offline.numbers import reserve_blocks
from disdukcapil_desk.operations.offline.sync import Sync
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import ADMIN_SETUP_ACTOR
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.operations.verification import VerificationOps
from tests.conftest import FakeClock
from tests.factories import make_request
from tests.integration.test_intake import ingest_rows
from tests.integration.test_walk_in import SCANS, kia

WORKSTATION = "PC-UPT15-ab12cd"
OFFICE = "UPT-15"


@pytest.fixture
def numbers(ctx: DeskContext) -> list[str]:
    """Three open requests of UPT-15 (where the form's desa lies) on the server."""
    ingest_rows(
        ctx,
        *(
            make_request(
                external_ref=f"wa-off-{i}",
                fields={"nama": f"Warga Luring {i}"},
            )
            for i in range(3)
        ),
    )
    with ctx.sessions() as session:
        return list(session.scalars(select(ServiceRequest.number).order_by(ServiceRequest.id)))


def offline_copy(
    ctx: DeskContext, folder: Path, actor: Actor, location: str = OFFICE
) -> DeskContext:
    """A fresh local copy of ``location`` made by ``actor`` (blocks of 5 numbers today)."""
    copy = OfflineCopy(ctx, folder, WORKSTATION, location)
    copy.refresh(actor, block_size=5)
    return copy.open_local()


@pytest.fixture
def local(
    ctx: DeskContext, users: dict[str, Actor], numbers: list[str], tmp_path: Path
) -> Iterator[DeskContext]:
    copy = offline_copy(ctx, tmp_path / "luring", users["loket.dinas"])
    yield copy
    copy.close()


@pytest.fixture
def desk(local: DeskContext) -> OfflineDesk:
    return OfflineDesk(local, Journal(local), WORKSTATION)


def request_id(ctx: DeskContext, number: str) -> int:
    with ctx.sessions() as session:
        found = session.scalar(select(ServiceRequest.id).where(ServiceRequest.number == number))
        assert found is not None
        return found


def server_row(ctx: DeskContext, number: str) -> ServiceRequest:
    with ctx.sessions() as session:
        row = session.scalar(select(ServiceRequest).where(ServiceRequest.number == number))
        assert row is not None
        session.expunge(row)
        return row


def applied_rows(ctx: DeskContext) -> list[tuple[int, str, str]]:
    with ctx.sessions() as session:
        return [
            (r.seq, r.outcome, r.kind)
            for r in session.scalars(select(OfflineApplied).order_by(OfflineApplied.seq))
        ]


def audit_count(ctx: DeskContext) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AuditLog)) or 0)


def decide_offline(desk: OfflineDesk, officer: Actor, rid: int) -> None:
    """Claim, save and approve one request on the copy."""
    lease = desk.claim(officer, rid)
    version = desk.save_draft(
        officer, rid, lease.version, {"alamat": "Jl. Luring 1"}, {"kk": CheckInput("sesuai")}
    )
    desk.approve(officer, rid, version, "diperiksa di lokasi jemput bola")


def test_each_change_on_the_copy_is_journaled_in_its_own_transaction(
    ctx: DeskContext, users: dict[str, Actor], desk: OfflineDesk, numbers: list[str]
) -> None:
    officer = users["loket.dinas"]
    rid = request_id(ctx, numbers[0])
    base = server_row(ctx, numbers[0]).version
    lease = desk.claim(officer, rid)
    with pytest.raises(StaleVersionError):  # refused on the copy: nothing journaled
        desk.save_draft(officer, rid, lease.version - 1, {"alamat": "x"}, {})
    desk.save_draft(officer, rid, lease.version, {"alamat": "Jl. Baru"}, {})

    entries = desk.journal.waiting()
    assert [(e.kind, e.request_number, e.base_version) for e in entries] == [
        (JournalKind.CLAIM, numbers[0], base),
        (JournalKind.SAVE_DRAFT, numbers[0], base),
    ]
    assert decode(entries[1].payload)["fields"] == {"alamat": "Jl. Baru"}
    assert entries[1].actor_login == "loket.dinas"
    # The server did not change.
    assert server_row(ctx, numbers[0]).version == base


def test_a_decision_without_a_claim_journals_the_claim_first(
    ctx: DeskContext, users: dict[str, Actor], local: DeskContext, numbers: list[str]
) -> None:
    officer = users["loket.dinas"]
    rid = request_id(ctx, numbers[1])
    lease = QueueOps(local).claim(officer, rid)  # held when the desk went offline
    desk = OfflineDesk(local, Journal(local), WORKSTATION)
    desk.approve(officer, rid, lease.version, "sudah diperiksa")
    kinds = [e.kind for e in desk.journal.waiting()]
    assert kinds == [JournalKind.CLAIM, JournalKind.APPROVE]


def test_sync_replays_in_order_once_with_the_offline_time_in_the_audit(
    ctx: DeskContext,
    users: dict[str, Actor],
    desk: OfflineDesk,
    numbers: list[str],
    clock: FakeClock,
) -> None:
    officer = users["loket.dinas"]
    desk.go_offline()
    decide_offline(desk, officer, request_id(ctx, numbers[0]))
    rid2 = request_id(ctx, numbers[1])
    desk.claim(officer, rid2)
    desk.release(officer, rid2)
    sync = Sync(ctx, desk.ctx, WORKSTATION, desk.journal)
    assert sync.status().mode is ConnectionMode.OFFLINE
    assert sync.status().waiting == 5

    clock.advance(hours=2)
    report = sync.run()

    assert (report.applied, report.conflicts, report.refused, report.remaining) == (5, (), (), 0)
    row = server_row(ctx, numbers[0])
    assert row.status == Status.APPROVED.value
    assert row.updated_by == "loket.dinas"
    assert server_row(ctx, numbers[1]).status == Status.NEW.value
    assert [outcome for _, outcome, _ in applied_rows(ctx)] == ["applied"] * 5
    assert {e.state for e in desk.journal.entries()} == {EntryState.APPLIED}
    with ctx.sessions() as session:
        details = session.scalars(
            select(AuditLog.detail).where(AuditLog.entity_key == numbers[0])
        ).all()
    assert any(
        f"di {WORKSTATION}; disinkronkan" in d and "luring 2026-11-02 09:00" in d for d in details
    )
    assert any("2026-11-02 11:00" in d for d in details)
    status = sync.status()
    assert (status.mode, status.waiting, status.conflicts) == (ConnectionMode.ONLINE, 0, 0)
    assert status.last_sync is not None

    before = audit_count(ctx)
    assert sync.run().applied == 0  # nothing twice
    assert audit_count(ctx) == before
    assert verify_chain(ctx) is None
    hooks = len(ctx.before_commit)
    sync.close()
    assert len(ctx.before_commit) == hooks - 1


def test_a_request_changed_on_the_server_meanwhile_is_a_conflict_and_blocks_its_chain(
    ctx: DeskContext, users: dict[str, Actor], desk: OfflineDesk, numbers: list[str]
) -> None:
    officer, colleague = users["loket.dinas"], users["loket2.dinas"]
    rid = request_id(ctx, numbers[0])
    decide_offline(desk, officer, rid)
    lease = QueueOps(ctx).claim(colleague, rid)  # on the server, meanwhile
    VerificationOps(ctx).save_draft(colleague, rid, lease.version, {"alamat": "Jl. Server"}, {})

    report = Sync(ctx, desk.ctx, WORKSTATION, desk.journal).run()

    assert report.applied == 0 and report.remaining == 0
    first, *rest = report.conflicts
    assert first.entry.kind is JournalKind.CLAIM
    assert first.changed_by == "loket2.dinas"
    changed_at = server_row(ctx, numbers[0]).updated_at.astimezone(WIB)
    assert f"loket2.dinas pada {changed_at:%d-%m-%Y %H.%M} WIB" in first.reason  # office time
    assert [c.reason for c in rest] == [f"menunggu konflik #{first.entry.seq}"] * 2
    assert server_row(ctx, numbers[0]).status == Status.IN_REVIEW.value
    assert applied_rows(ctx) == []  # a conflict changes nothing on the server


def test_keep_mine_reapplies_on_the_current_version_and_then_its_chain(
    ctx: DeskContext, users: dict[str, Actor], desk: OfflineDesk, numbers: list[str]
) -> None:
    officer, colleague = users["loket.dinas"], users["loket2.dinas"]
    rid = request_id(ctx, numbers[0])
    decide_offline(desk, officer, rid)
    QueueOps(ctx).claim(colleague, rid)
    QueueOps(ctx).release(colleague, rid)
    sync = Sync(ctx, desk.ctx, WORKSTATION, desk.journal)
    first = sync.run().conflicts[0]
    assert sync.status().conflicts == 3

    assert sync.resolve(first.entry.seq, Resolution.KEEP_MINE, officer) is EntryState.APPLIED

    assert server_row(ctx, numbers[0]).status == Status.APPROVED.value
    assert {e.state for e in desk.journal.entries()} == {EntryState.APPLIED}
    assert [o for _, o, _ in applied_rows(ctx)] == ["applied"] * 3
    with ctx.sessions() as session:
        details = session.scalars(
            select(AuditLog.detail).where(AuditLog.entity_key == numbers[0])
        ).all()
    assert any("konflik luring: versi petugas dipakai" in d for d in details)
    assert verify_chain(ctx) is None


def test_keep_theirs_discards_with_a_record_and_open_both_changes_nothing(
    ctx: DeskContext, users: dict[str, Actor], desk: OfflineDesk, numbers: list[str]
) -> None:
    officer, colleague = users["loket.dinas"], users["loket2.dinas"]
    rid = request_id(ctx, numbers[0])
    decide_offline(desk, officer, rid)
    QueueOps(ctx).claim(colleague, rid)
    sync = Sync(ctx, desk.ctx, WORKSTATION, desk.journal)
    first, second, _ = sync.run().conflicts
    version = server_row(ctx, numbers[0]).version

    assert sync.resolve(first.entry.seq, Resolution.OPEN_BOTH, officer) is EntryState.CONFLICT
    assert server_row(ctx, numbers[0]).version == version
    assert sync.resolve(first.entry.seq, Resolution.KEEP_THEIRS, officer) is EntryState.DISCARDED

    assert server_row(ctx, numbers[0]).version == version
    assert applied_rows(ctx) == [(first.entry.seq, "discarded", "claim")]
    left = {c.entry.seq: c.reason for c in sync.conflicts()}
    assert left[second.entry.seq] == f"konflik #{first.entry.seq}: versi server dipakai"
    with ctx.sessions() as session:
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.entity_key == numbers[0])
        ).all()
    assert "offline_discarded" in actions


def test_a_rule_of_the_server_refuses_with_its_reason_and_refuses_the_rest_of_the_chain(
    ctx: DeskContext, users: dict[str, Actor], desk: OfflineDesk, numbers: list[str]
) -> None:
    officer = users["loket.dinas"]
    decide_offline(desk, officer, request_id(ctx, numbers[0]))
    # Meanwhile the administrator moved the officer to a UPT: the dinas's request is not theirs.
    UserOps(ctx).set_role(ADMIN_SETUP_ACTOR, "loket.dinas", Role.COUNTER, "UPT-05")

    report = Sync(ctx, desk.ctx, WORKSTATION, desk.journal).run()

    assert report.applied == 0 and not report.conflicts
    assert [e.state for e in report.refused] == [EntryState.REFUSED] * 3
    assert "UPT" in report.refused[0].outcome_detail
    assert (
        report.refused[1].outcome_detail
        == f"tindakan sebelumnya #{report.refused[0].seq} ditolak server"
    )
    assert [o for _, o, _ in applied_rows(ctx)] == ["refused"] * 3
    assert server_row(ctx, numbers[0]).status == Status.NEW.value


def test_a_lost_server_stops_the_sync_and_the_rest_waits(
    ctx: DeskContext,
    users: dict[str, Actor],
    desk: OfflineDesk,
    numbers: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    officer = users["loket.dinas"]
    decide_offline(desk, officer, request_id(ctx, numbers[0]))
    sync = Sync(ctx, desk.ctx, WORKSTATION, desk.journal)

    def gone(*_args: object, **_kwargs: object) -> None:
        raise ConnectionLost("Koneksi ke server terputus")

    monkeypatch.setattr(VerificationOps, "save_draft", gone)
    report = sync.run()
    assert (report.applied, report.remaining) == (1, 2)
    assert [e.state for e in desk.journal.entries()] == [
        EntryState.APPLIED,
        EntryState.WAITING,
        EntryState.WAITING,
    ]
    monkeypatch.undo()
    assert sync.run().applied == 2
    assert server_row(ctx, numbers[0]).status == Status.APPROVED.value


def test_a_sync_killed_after_the_server_committed_marks_without_applying_again(
    ctx: DeskContext,
    users: dict[str, Actor],
    desk: OfflineDesk,
    numbers: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    officer = users["loket.dinas"]
    decide_offline(desk, officer, request_id(ctx, numbers[0]))
    sync = Sync(ctx, desk.ctx, WORKSTATION, desk.journal)
    real_mark = Journal.mark

    def die_after_server(
        self: Journal, seq: int, state: EntryState, *a: object, **k: object
    ) -> None:
        if state is EntryState.APPLIED and seq == 2:
            raise SystemExit("killed")
        real_mark(self, seq, state, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(Journal, "mark", die_after_server)
    with pytest.raises(SystemExit):
        sync.run()
    monkeypatch.undo()
    assert [e.state for e in desk.journal.entries()][1] is EntryState.WAITING
    audits = audit_count(ctx)

    report = Sync(ctx, desk.ctx, WORKSTATION, Journal(desk.ctx)).run()

    assert report.applied == 1  # the approval; the save is only marked
    assert [e.state for e in desk.journal.entries()] == [EntryState.APPLIED] * 3
    assert [o for _, o, _ in applied_rows(ctx)] == ["applied"] * 3
    assert audit_count(ctx) > audits
    assert server_row(ctx, numbers[0]).status == Status.APPROVED.value
    assert verify_chain(ctx) is None


def test_a_failed_login_on_the_copy_is_journaled_and_reaches_the_server_log(
    ctx: DeskContext, desk: OfflineDesk
) -> None:
    with pytest.raises(AuthError):
        desk.authenticate("loket.dinas", "salah-sekali")
    assert desk.authenticate("loket.dinas", "rahasia123").login == "loket.dinas"
    [entry] = desk.journal.waiting()
    assert (entry.kind, entry.actor_login) == (JournalKind.LOGIN_FAILED, "loket.dinas")

    assert Sync(ctx, desk.ctx, WORKSTATION, desk.journal).run().applied == 1
    with ctx.sessions() as session:
        line = session.scalar(select(AuditLog).where(AuditLog.action == "login_failed_offline"))
        assert line is not None and line.entity_key == "loket.dinas"
        assert WORKSTATION in line.detail


def test_a_password_that_must_be_changed_refuses_the_login_on_the_copy(
    users: dict[str, Actor], desk: OfflineDesk
) -> None:
    """Changing it needs the server (a change on the copy would be lost at its next refresh)."""
    UserOps(desk.ctx).reset_password(
        users["admin"], "loket2.dinas", "sandi-baru-1", force_change=True
    )
    with pytest.raises(AuthError, match="harus diganti"):
        desk.authenticate("loket2.dinas", "sandi-baru-1")
    assert desk.journal.waiting() == []  # the password was right: not a failed login


def test_a_copy_made_anew_numbers_its_journal_after_every_settled_entry(
    ctx: DeskContext,
    users: dict[str, Actor],
    desk: OfflineDesk,
    numbers: list[str],
    tmp_path: Path,
) -> None:
    officer = users["loket.dinas"]
    decide_offline(desk, officer, request_id(ctx, numbers[0]))
    Sync(ctx, desk.ctx, WORKSTATION, desk.journal).run()
    desk.ctx.close()
    fresh = offline_copy(ctx, tmp_path / "luring", officer)  # made anew: its journal starts at 1
    try:
        journal = Journal(fresh)
        OfflineDesk(fresh, journal, WORKSTATION).claim(officer, request_id(ctx, numbers[1]))
        assert [e.seq for e in journal.waiting()] == [1]

        report = Sync(ctx, fresh, WORKSTATION, journal).run()

        assert report.applied == 1
        assert [e.seq for e in journal.entries()] == [4]
        assert server_row(ctx, numbers[1]).status == Status.IN_REVIEW.value
        assert [(seq, kind) for seq, _, kind in applied_rows(ctx)] == [
            (1, "claim"),
            (2, "save_draft"),
            (3, "approve"),
            (4, "claim"),
        ]
        # A journal renumbered once keeps its numbers at the next sync (the release after a
        # sync claims again first: the lease is the server's again).
        OfflineDesk(fresh, journal, WORKSTATION).release(officer, request_id(ctx, numbers[1]))
        assert Sync(ctx, fresh, WORKSTATION, journal).run().applied == 2
        assert [e.seq for e in journal.entries()] == [4, 5, 6]
    finally:
        fresh.close()


def test_a_walk_in_made_offline_keeps_its_block_number_and_its_counter_time(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path, clock: FakeClock
) -> None:
    officer = users["loket.upt05"]
    local = offline_copy(ctx, tmp_path / "walk", officer, "UPT-05")
    [block] = reserve_blocks(ctx, officer, "UPT-05", WORKSTATION, [office_date(clock())], 5)
    try:
        desk = OfflineDesk(local, Journal(local), WORKSTATION)
        result = desk.register_walk_in(officer, "UPT-05", kia())
        assert b"%PDF" in desk.receipt_pdf(officer, result.number)[:10]
        desk.approve(officer, result.request_id, result.lease.version, "lengkap di loket")
        assert result.number.endswith(f"/{block.first_value:04d}")
        entries = desk.journal.waiting()
        assert [(e.kind, e.request_number) for e in entries] == [
            (JournalKind.WALK_IN, result.number),
            (JournalKind.RECEIPT_PRINTED, result.number),
            (JournalKind.CLAIM, result.number),
            (JournalKind.APPROVE, result.number),
        ]
        made_at = clock()
        clock.advance(hours=3)

        report = Sync(ctx, local, WORKSTATION, desk.journal).run()

        assert (report.applied, report.conflicts, report.refused) == (4, (), ())
        assert DocumentOps(ctx).receipt_print_count(officer, result.number) == 1
        row = server_row(ctx, result.number)
        assert row.status == Status.APPROVED.value
        assert row.received_at == made_at and row.channel == "loket"
        with ctx.sessions() as session:
            attachments = session.scalar(
                select(func.count())
                .select_from(RequestAttachment)
                .where(RequestAttachment.service_request_id == row.id)
            )
        assert attachments == len(SCANS)
        assert verify_chain(ctx) is None
    finally:
        local.close()


def test_a_walk_in_numbered_outside_the_workstations_blocks_is_refused(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path, clock: FakeClock
) -> None:
    officer = users["loket.upt05"]
    local = offline_copy(ctx, tmp_path / "walk", officer, "UPT-05")
    try:
        desk = OfflineDesk(local, Journal(local), WORKSTATION)
        desk.register_walk_in(officer, "UPT-05", kia())
        report = Sync(ctx, local, "PC-LAIN-000000", desk.journal).run()
        [refused] = report.refused
        assert "PC-LAIN-000000" in refused.outcome_detail
    finally:
        local.close()


def test_an_officer_of_another_office_is_refused_on_the_copy_and_in_a_resolution(
    ctx: DeskContext, users: dict[str, Actor], desk: OfflineDesk, numbers: list[str]
) -> None:
    intruder = users["loket.upt05"]
    rid = request_id(ctx, numbers[0])
    with pytest.raises(PermissionDenied):
        desk.claim(intruder, rid)
    with pytest.raises(PermissionDenied):
        desk.approve(intruder, rid, 1, "x")
    assert desk.journal.entries() == []
    officer = users["loket.dinas"]
    decide_offline(desk, officer, rid)
    QueueOps(ctx).claim(users["loket2.dinas"], rid)
    sync = Sync(ctx, desk.ctx, WORKSTATION, desk.journal)
    first = sync.run().conflicts[0]
    for someone in (intruder, users["loket2.dinas"]):
        with pytest.raises(PermissionDenied):
            sync.resolve(first.entry.seq, Resolution.KEEP_THEIRS, someone)
    assert sync.resolve(first.entry.seq, Resolution.KEEP_THEIRS, users["kasi.dinas"]) is (
        EntryState.DISCARDED
    )


def test_a_receipt_printed_offline_is_recorded_whatever_changed_and_moves_no_version(
    ctx: DeskContext, users: dict[str, Actor], desk: OfflineDesk, numbers: list[str]
) -> None:
    officer, colleague = users["loket.dinas"], users["loket2.dinas"]
    rid = request_id(ctx, numbers[0])
    desk.receipt_pdf(officer, numbers[0])
    desk.claim(officer, rid)
    QueueOps(ctx).claim(colleague, rid)  # on the server, meanwhile
    QueueOps(ctx).release(colleague, rid)

    report = Sync(ctx, desk.ctx, WORKSTATION, desk.journal).run()

    assert report.applied == 1
    assert DocumentOps(ctx).receipt_print_count(officer, numbers[0]) == 1
    [conflict] = report.conflicts
    assert (conflict.entry.kind, conflict.changed_by) == (JournalKind.CLAIM, "loket2.dinas")


def test_claim_next_on_the_copy_journals_the_request_it_took(
    ctx: DeskContext, users: dict[str, Actor], desk: OfflineDesk, numbers: list[str]
) -> None:
    officer = users["loket.dinas"]
    lease = desk.claim_next(officer, OFFICE)
    assert lease is not None and lease.number == numbers[0]
    for _ in numbers[1:]:
        desk.claim_next(officer, OFFICE)
    assert desk.claim_next(officer, OFFICE) is None  # nothing left: nothing journaled
    assert [(e.kind, e.request_number) for e in desk.journal.waiting()] == [
        (JournalKind.CLAIM, number) for number in numbers
    ]
    assert Sync(ctx, desk.ctx, WORKSTATION, desk.journal).run().applied == len(numbers)
    assert {server_row(ctx, n).status for n in numbers} == {Status.IN_REVIEW.value}
