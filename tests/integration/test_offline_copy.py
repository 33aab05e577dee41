"""Working offline: number blocks reserved on the server, the local copy, walk-ins, login and
receipts on it, and the server taking back a walk-in made offline (``operations/offline``)."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import (
    AppUser,
    AuditHead,
    AuditLog,
    IncomingAttachment,
    NumberBlock,
    ServiceRequest,
)
from disdukcapil_desk.db.offline_models import OfflineBase, OfflineFact, OfflineJournal
from disdukcapil_desk.db.repositories import offline_copy as offline_copy_repo
from disdukcapil_desk.db.schema import GENESIS_HASH
from disdukcapil_desk.domain.dto import Actor, QueueFilter
from disdukcapil_desk.domain.errors import AuthError, DeskError, PermissionDenied
from disdukcapil_desk.domain.offline import (
    EntryState,
    JournalKind,
    OfflineNumberRefused,
    OfflineNumbersExhausted,
)
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.offline.copy import OfflineCopy
from disdukcapil_desk.operations.offline.numbers import reserve_blocks
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import ADMIN_SETUP_ACTOR, SetupOps
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, UserOps
from disdukcapil_desk.operations.walk_in import WalkInOps
from tests.conftest import T0, TEST_PASSWORD
from tests.factories import make_request
from tests.integration.test_documents import pdf_text
from tests.integration.test_walk_in import kia
from tests.integration.version_1 import undo_version_8

RESOURCES = Path(__file__).resolve().parents[2] / "resources"

DAY = dt.date(2026, 11, 2)
WS = "PC-UPT05-aa11"
OTHER_WS = "PC-UPT05-bb22"


def test_a_block_moves_the_counter_so_intake_numbers_past_it(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.upt05"]
    first = WalkInOps(ctx).register(officer, "UPT-05", kia(nik="3604150501140011"))
    blocks = reserve_blocks(ctx, officer, "UPT-05", WS, [DAY], 300)
    assert [(b.period, b.first_value, b.last_value) for b in blocks] == [("20261102", 2, 301)]
    again = reserve_blocks(ctx, officer, "UPT-05", WS, [DAY], 300)
    assert again == blocks, "a day that has its block keeps it"
    other = reserve_blocks(ctx, officer, "UPT-05", OTHER_WS, [DAY], 10)
    assert (other[0].first_value, other[0].last_value) == (302, 311)
    after = WalkInOps(ctx).register(officer, "UPT-05", kia(nik="3604150501140029"))
    assert first.number.endswith("/0001") and after.number == "UPT-05/20261102/0312"
    with ctx.sessions() as session:
        audited = session.scalars(
            select(AuditLog.detail).where(AuditLog.action == "reserve_numbers")
        ).all()
    assert len(audited) == 2 and WS in audited[0]


def test_reserving_is_refused_to_another_office(ctx: DeskContext, users: dict[str, Actor]) -> None:
    with pytest.raises(PermissionDenied):
        reserve_blocks(ctx, users["loket.upt05"], "UPT-01", WS, [DAY], 10)


def test_register_synced_takes_the_offline_number_and_time(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    officer = users["loket.upt05"]
    reserve_blocks(ctx, officer, "UPT-05", WS, [DAY], 5)
    at = T0 - dt.timedelta(hours=1)
    ops = WalkInOps(ctx)
    result = ops.register_synced(officer, "UPT-05", kia(), "UPT-05/20261102/0003", at, WS)
    assert result.number == "UPT-05/20261102/0003" and result.lease.version == 2
    with ctx.sessions() as session:
        request = session.scalars(
            select(ServiceRequest).where(ServiceRequest.number == result.number)
        ).one()
        assert request.received_at == at
    with pytest.raises(OfflineNumberRefused, match="sudah terdaftar"):
        ops.register_synced(officer, "UPT-05", kia(), "UPT-05/20261102/0003", at, WS)
    for number, workstation in (
        ("UPT-05/20261102/0006", WS),  # past the block
        ("UPT-05/20261102/0002", OTHER_WS),  # another workstation's claim on this block
        ("UPT-05/20261103/0002", WS),  # not the day the citizen came
        ("UPT-01/20261102/0002", WS),  # another office
    ):
        with pytest.raises(OfflineNumberRefused):
            ops.register_synced(officer, "UPT-05", kia(), number, at, workstation)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ServiceRequest)) == 1
        assert session.scalar(select(func.count()).select_from(NumberBlock)) == 1


# -- the local copy ---------------------------------------------------------------------------


def submit_upt05(ctx: DeskContext, count: int) -> None:
    """``count`` KTP-el replacements for UPT-05, one minute apart, each with two scans."""
    ops = IntakeOps(ctx)
    for i in range(count):
        ops.submit_row(
            make_request(
                fields={"nik": f"3604154107{i % 90 + 10:02d}{i + 1:04d}"},
                external_ref=f"upt5-{i}",
                location_code="UPT-05",
                received_at=T0 - dt.timedelta(hours=5) + dt.timedelta(minutes=i),
                attachments=(
                    ("kk", "kk.jpg", "image/jpeg", b"\xff\xd8" + bytes([i]) * 1000),
                    (None, "surat.pdf", "application/pdf", b"%PDF-1.4 " + bytes([i]) * 500),
                ),
            )
        )
    ops.ingest()


def make_copy(ctx: DeskContext, folder: Path) -> OfflineCopy:
    return OfflineCopy(ctx, folder / "luring", WS, "UPT-05")


def upt05_numbers(ctx: DeskContext) -> list[str]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(ServiceRequest.number)
                .where(ServiceRequest.location_code == "UPT-05")
                .order_by(ServiceRequest.received_at, ServiceRequest.id)
            )
        )


def test_the_copy_holds_the_offices_open_requests_oldest_first_up_to_the_limit(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    UserOps(ctx).add(
        ADMIN_SETUP_ACTOR, "loket.upt06", TEST_PASSWORD, Role.COUNTER, location_code="UPT-06"
    )
    submit_upt05(ctx, 5)
    IntakeOps(ctx).submit_row(make_request(external_ref="dinas-1", location_code="DINAS"))
    IntakeOps(ctx).ingest()
    numbers = upt05_numbers(ctx)
    assert len(numbers) == 5
    officer = users["loket.upt05"]
    QueueOps(ctx).claim_next(officer, "UPT-05")  # held by a user the copy has: copied

    copy = make_copy(ctx, tmp_path)
    report = copy.refresh(officer, limit=3)

    assert (report.requests, report.left_out) == (3, 2)
    assert report.attachment_bytes == 3 * (1002 + 509)
    assert report.size_bytes == copy.path.stat().st_size > 0
    assert [(b.period, b.size) for b in report.blocks] == [("20261102", 300)]
    local = copy.open_local()
    try:
        with local.sessions() as session:
            held = session.execute(
                select(ServiceRequest.number, ServiceRequest.version).order_by(ServiceRequest.id)
            ).all()
            assert [n for n, _ in held] == numbers[:3]
            bases = select(OfflineBase.request_number, OfflineBase.server_version)
            assert dict(session.execute(bases).all()) == dict(held)
            assert session.scalar(select(func.count()).select_from(IncomingAttachment)) == 6
            logins = set(session.scalars(select(AppUser.login)))
            assert "loket.upt05" in logins and "admin" in logins and "loket.upt06" not in logins
            assert session.scalar(select(func.count()).select_from(AuditLog)) == 0
            head = session.execute(select(AuditHead.last_id, AuditHead.last_hash)).one()
            assert tuple(head) == (0, GENESIS_HASH)
            facts = dict(session.execute(select(OfflineFact.key, OfflineFact.value)).all())
            assert facts["workstation"] == WS and facts["requests"] == "3"
            assert facts["left_out"] == "2" and facts["copied_by"] == "loket.upt05"
        page = QueueOps(local).page(officer, QueueFilter(location_code="UPT-05"))
        assert len(page.rows) == 3
    finally:
        local.close()
    assert copy.facts()["location"] == "UPT-05"


def test_a_walk_in_on_the_copy_takes_the_blocks_numbers_and_the_server_takes_it_back(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    officer = users["loket.upt05"]
    WalkInOps(ctx).register(officer, "UPT-05", kia(nik="3604150501140011"))  # 0001 online
    copy = make_copy(ctx, tmp_path)
    copy.refresh(officer, block_size=2)
    assert copy.numbers_left(DAY) == 2
    local = copy.open_local()
    try:
        ops = WalkInOps(local)
        first = ops.register(officer, "UPT-05", kia())
        second = ops.register(officer, "UPT-05", kia(nik="3604150501140029"))
        assert (first.number, second.number) == ("UPT-05/20261102/0002", "UPT-05/20261102/0003")
        assert copy.numbers_left(DAY) == 0 and copy.numbers_left(DAY + dt.timedelta(1)) == 0
        with pytest.raises(OfflineNumbersExhausted, match="habis"):
            ops.register(officer, "UPT-05", kia(nik="3604150501140037"))
        with local.sessions() as session:
            at = session.scalars(
                select(ServiceRequest.received_at).where(ServiceRequest.number == first.number)
            ).one()
    finally:
        local.close()
    online = WalkInOps(ctx).register(officer, "UPT-05", kia(nik="3604150501140045"))
    assert online.number == "UPT-05/20261102/0004", "intake numbers past the block"
    synced = WalkInOps(ctx).register_synced(officer, "UPT-05", kia(), first.number, at, WS)
    assert synced.number == first.number
    # The next day has no block: the copy says so in Indonesian.
    local = copy.open_local()
    try:
        local.clock = lambda: T0 + dt.timedelta(days=1)
        with pytest.raises(OfflineNumbersExhausted, match="belum dipesan"):
            WalkInOps(local).register(officer, "UPT-05", kia(nik="3604150501140052"))
    finally:
        local.close()


def test_the_refresh_is_refused_while_the_journal_waits_and_keeps_used_numbers(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    officer = users["loket.upt05"]
    copy = make_copy(ctx, tmp_path)
    copy.refresh(officer, block_size=5)
    local = copy.open_local()
    try:
        made = WalkInOps(local).register(officer, "UPT-05", kia())
        with local.unit_of_work() as session:
            session.add(
                OfflineJournal(
                    kind=JournalKind.WALK_IN.value,
                    request_number=made.number,
                    base_version=None,
                    actor_login=officer.login,
                    made_at=T0,
                    payload="{}",
                )
            )
    finally:
        local.close()
    before = copy.path.read_bytes()
    with pytest.raises(DeskError, match="belum disinkronkan"):
        copy.refresh(officer)
    assert copy.path.read_bytes() == before, "the copy is left as it was"
    local = copy.open_local()
    try:
        with local.unit_of_work() as session:
            session.execute(
                text("UPDATE offline_journal SET state = :s"), {"s": EntryState.REFUSED.value}
            )
    finally:
        local.close()
    copy.refresh(officer)
    local = copy.open_local()
    try:
        again = WalkInOps(local).register(officer, "UPT-05", kia(nik="3604150501140029"))
        assert made.number.endswith("/0001") and again.number.endswith("/0002"), (
            "a number given offline is not given again, even when the server refused it"
        )
        with local.sessions() as session:
            assert session.scalar(select(func.count()).select_from(OfflineJournal)) == 0
    finally:
        local.close()


def test_a_cancelled_refresh_keeps_the_old_copy(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    submit_upt05(ctx, 2)
    officer = users["loket.upt05"]
    copy = make_copy(ctx, tmp_path)
    copy.refresh(officer)
    submit_upt05_more = IntakeOps(ctx)
    submit_upt05_more.submit_row(make_request(external_ref="later", location_code="UPT-05"))
    submit_upt05_more.ingest()
    report = copy.refresh(officer, cancelled=lambda: True)
    assert report.cancelled and copy.facts()["requests"] == "2"
    assert sorted(p.name for p in copy.path.parent.iterdir()) == ["salinan.sqlite3"]
    assert copy.refresh(officer).requests == 3


def test_refreshing_is_refused_to_another_offices_officer(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    copy = OfflineCopy(ctx, tmp_path / "luring", WS, "UPT-06")
    with pytest.raises(PermissionDenied):
        copy.refresh(users["loket.upt05"])
    assert not copy.exists()


def test_login_and_lockout_work_on_the_copy_without_the_server(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    copy = make_copy(ctx, tmp_path)
    copy.refresh(users["loket.upt05"])
    local = copy.open_local()

    def unreachable() -> None:
        raise AssertionError("the server was asked")

    remove_guard = ctx.add_checkout_guard(unreachable)
    try:
        accounts = UserOps(local)
        assert accounts.authenticate("loket.upt05", TEST_PASSWORD).location_code == "UPT-05"
        for _ in range(MAX_FAILED_LOGINS):
            with pytest.raises(AuthError):
                accounts.authenticate("loket.dinas", "salah")
        with pytest.raises(AuthError, match="Akun terkunci"):
            accounts.authenticate("loket.dinas", TEST_PASSWORD)
    finally:
        local.close()
        remove_guard()
    with ctx.sessions() as session:
        failed = session.scalars(
            select(AppUser.failed_logins).where(AppUser.login == "loket.dinas")
        )
        assert failed.one() == 0, "the lockout is counted in the copy"


def test_a_receipt_printed_on_the_copy_is_unsealed_and_says_so(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    officer = users["loket.upt05"]
    copy = make_copy(ctx, tmp_path)
    copy.refresh(officer)
    local = copy.open_local()
    try:
        made = WalkInOps(local).register(officer, "UPT-05", kia())
        pdf = DocumentOps(local).render_receipt(officer, made.number)
        with local.sessions() as session:
            assert session.scalar(select(func.count()).select_from(AuditLog)) > 0
    finally:
        local.close()
    assert "DICETAK LURING" in pdf_text(pdf) and "kode menyusul" in pdf_text(pdf)
    assert made.number in pdf_text(pdf)
    assert not (tmp_path / "kunci-dokumen").exists(), "no seal key is made offline"
    checked = DocumentOps(ctx).verify_pdf(pdf)
    assert checked.seal_valid is None and not checked.ok, "no seal: it passes for no original"


# -- the schema -------------------------------------------------------------------------------


def test_version_7_is_upgraded_to_8_and_then_reserves(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    with ctx.engine.begin() as conn:
        undo_version_8(conn)
        conn.execute(text("UPDATE schema_version SET version = 7"))
    ctx.engine.dispose()
    assert SetupOps(ctx).upgrade() == [8, 9]
    blocks = reserve_blocks(ctx, users["loket.upt05"], "UPT-05", WS, [DAY], 10)
    assert blocks[0].first_value == 1


# -- two workstations at once (real processes, PostgreSQL) ----------------------------------


def _reserve_days(url: str, worker: int, days: int) -> list[tuple[str, int, int]]:
    """One workstation reserving a block for each of ``days`` days while intake numbers
    requests of those days, as fast as it can.
    """
    ctx = DeskContext(make_engine(url), load_reference_data(RESOURCES))
    try:
        actor = UserOps(ctx).actor("loket.upt05")
        intake = IntakeOps(ctx)
        got = []
        for offset in range(days):
            day = DAY + dt.timedelta(days=offset)
            blocks = reserve_blocks(ctx, actor, "UPT-05", f"PC-UPT05-{worker:02d}", [day], 7)
            got += [(b.period, b.first_value, b.last_value) for b in blocks]
            intake.submit_row(
                make_request(
                    external_ref=f"race-{worker}-{offset}",
                    location_code="UPT-05",
                    received_at=dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC),
                    fields={"nik": f"3604154107{10 + offset:02d}{worker * 100 + offset + 1:04d}"},
                )
            )
            intake.ingest()
        return got
    finally:
        ctx.close()


def test_two_workstations_reserving_at_once_never_overlap(
    db_kind: str, db_url: str, ctx: DeskContext
) -> None:
    if db_kind != "postgresql":
        pytest.skip("several processes on one server: PostgreSQL")
    workers = 4
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.starmap(_reserve_days, [(db_url, w, 10) for w in range(workers)])
    by_day: dict[str, list[tuple[int, int]]] = {}
    for blocks in results:
        assert len(blocks) == 10
        for period, first, last in blocks:
            by_day.setdefault(period, []).append((first, last))
    for spans in by_day.values():
        spans.sort()
        assert len(spans) == workers
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans)), spans
    numbered = upt05_numbers(ctx)
    assert len(numbered) == workers * 10, "every intake row became a request"
    for number in numbered:
        _, period, sequence = number.split("/")
        inside = [s for s in by_day[period] if s[0] <= int(sequence) <= s[1]]
        assert not inside, f"intake gave {number}, inside a reserved block"


def test_a_copy_with_a_broken_link_is_refused(tmp_path: Path) -> None:
    engine = offline_copy_repo.build_engine(tmp_path / "scratch.sqlite3")
    try:
        offline_copy_repo.create_local_schema(engine)
        offline_copy_repo.check_links(engine)  # an empty copy is whole
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO request_attachment (id, service_request_id,"
                    " incoming_attachment_id) VALUES (1, 7, 9)"
                )
            )
        with pytest.raises(DeskError, match="tidak utuh"):
            offline_copy_repo.check_links(engine)
    finally:
        engine.dispose()
