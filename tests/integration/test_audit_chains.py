"""The audit log in several chains: workstations append without waiting for each other, and
``audit verify`` still finds every kind of tampering in any chain, against the one published
head that covers them all."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from disdukcapil_desk.db.models import AuditHead, AuditLog, ServiceRequest
from disdukcapil_desk.db.repositories import audit as audit_repo
from disdukcapil_desk.domain.audit import (
    AuditEntry,
    ChainHead,
    PublishedHead,
    chain_genesis,
    entry_hash,
    parse_published,
)
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import AuditChainBroken, AuditKeyMissing
from disdukcapil_desk.domain.workflow import Role, Status
from disdukcapil_desk.operations.audit import chain_head, check_chain, init_key, record
from disdukcapil_desk.operations.audit_key import KEY_FILE_NAME
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import ADMIN_SETUP_ACTOR, SetupOps
from disdukcapil_desk.operations.users import UserOps
from tests.integration.test_queue import seed
from tests.integration.version_1 import undo_audit_chains, undo_version_7


def _note(ctx: DeskContext, actor: Actor, detail: str) -> None:
    """One audited write, wherever the desk puts it."""
    with ctx.unit_of_work() as session:
        record(ctx, session, actor, "note", "test", detail, detail=detail)


def _note_on(ctx: DeskContext, chain: int, actor: Actor, detail: str, key: bytes | None) -> None:
    """One audited write on ``chain``, added as the desk adds one when every chain is busy."""
    with ctx.unit_of_work() as session:
        if session.get(AuditHead, chain) is None:
            session.execute(
                insert(AuditHead).values(id=chain, last_id=0, last_hash=chain_genesis(chain))
            )
        entry = AuditEntry(ctx.now(session), actor.login, "note", "test", detail, None, None, "")
        audit_repo.append_to_chain(session, chain, [entry], key)


def _entries(ctx: DeskContext, chain: int | None = None) -> list[AuditLog]:
    with ctx.reading() as session:
        stmt = select(AuditLog).order_by(AuditLog.id)
        if chain is not None:
            stmt = stmt.where(AuditLog.chain == chain)
        return list(session.scalars(stmt))


@pytest.fixture
def chains(ctx: DeskContext, users: dict[str, Actor], tmp_path: Path) -> tuple[bytes, ChainHead]:
    """A keyed log in three chains, their entries interleaved, and the head published then;
    more entries on every chain after it."""
    ctx.audit_key_file = tmp_path / KEY_FILE_NAME
    key = init_key(ctx, users["admin"], ctx.audit_key_file)
    ids = seed(ctx, 2)
    QueueOps(ctx).claim(users["loket.dinas"], ids[0])
    for i in range(3):
        for chain in (2, 3, 1):
            _note_on(ctx, chain, users["admin"], f"c{chain}-{i}", key)
    published = chain_head(ctx)
    assert published is not None
    for chain in (3, 2, 1):
        _note_on(ctx, chain, users["admin"], f"after-{chain}", key)
    return key, published


def test_several_chains_verify_and_the_head_is_one_digest_of_them(
    ctx: DeskContext, chains: tuple[bytes, ChainHead]
) -> None:
    key, published = chains
    with ctx.reading() as session:
        per_chain = dict(
            session.execute(select(AuditLog.chain, func.count()).group_by(AuditLog.chain)).all()
        )
    assert set(per_chain) == {1, 2, 3} and per_chain[2] == per_chain[3] == 4
    report = check_chain(ctx, key, parse_published(published.line(WIB)))
    assert report.intact, report.problem
    assert report.entries == sum(per_chain.values()) and report.expected_checked == 1
    newest = _entries(ctx)[-1]
    head = chain_head(ctx)
    assert head is not None and head.seq == newest.id
    assert head.hash not in {e.hash for e in _entries(ctx)}, "a digest of all chains' heads"
    assert check_chain(ctx, key, [*parse_published(head.published)]).intact


def _edit(ctx: DeskContext, entry_id: int, **values: object) -> None:
    with ctx.unit_of_work() as session:
        session.execute(update(AuditLog).where(AuditLog.id == entry_id).values(**values))


def test_an_edited_entry_of_another_chain_is_caught(
    ctx: DeskContext, chains: tuple[bytes, ChainHead]
) -> None:
    key, _ = chains
    target = _entries(ctx, 2)[1]
    _edit(ctx, target.id, detail="disetujui")
    for with_key in (key, None):
        report = check_chain(ctx, with_key)
        assert not report.intact and report.broken_at == target.id
        assert "hash salah" in (report.problem or "")


def test_a_deleted_entry_of_another_chain_is_caught(
    ctx: DeskContext, chains: tuple[bytes, ChainHead]
) -> None:
    key, _ = chains
    chain3 = _entries(ctx, 3)
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditLog).where(AuditLog.id == chain3[1].id))
    report = check_chain(ctx, key)
    assert not report.intact and report.broken_at == chain3[2].id


def test_an_inserted_entry_is_caught(ctx: DeskContext, chains: tuple[bytes, ChainHead]) -> None:
    key, _ = chains
    chain2 = _entries(ctx, 2)
    after = chain2[1]
    forged = AuditEntry(after.at, "admin", "approve", "test", "x", None, None, "sisipan")
    digest = entry_hash(after.hash, forged)
    with ctx.unit_of_work() as session:
        session.execute(
            insert(AuditLog).values(
                at=after.at,
                actor="admin",
                action="approve",
                entity="test",
                entity_key="x",
                before=None,
                after=None,
                detail="sisipan",
                prev_hash=after.hash,
                hash=digest,
                mac=after.mac,  # a MAC cannot be made without the key: one is copied
                chain=2,
            )
        )
    report = check_chain(ctx, key)
    assert not report.intact
    report = check_chain(ctx, None)
    assert not report.intact, "even without the key: the next entry no longer links"


def test_an_entry_moved_to_another_chain_is_caught(
    ctx: DeskContext, chains: tuple[bytes, ChainHead]
) -> None:
    key, _ = chains
    first_of_3 = _entries(ctx, 3)[0]
    _edit(ctx, first_of_3.id, chain=4)
    with ctx.unit_of_work() as session:
        session.execute(
            insert(AuditHead).values(id=4, last_id=first_of_3.id, last_hash=first_of_3.hash)
        )
    report = check_chain(ctx, key)
    assert not report.intact and report.broken_at == first_of_3.id


def _truncate(ctx: DeskContext, chain: int, keep: int) -> None:
    """An insider drops the last entries of ``chain`` and moves its head row back."""
    entries = _entries(ctx, chain)
    last = entries[keep - 1] if keep else None
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditLog).where(AuditLog.id.in_([e.id for e in entries[keep:]])))
        session.execute(
            update(AuditHead)
            .where(AuditHead.id == chain)
            .values(
                last_id=last.id if last else 0,
                last_hash=last.hash if last else chain_genesis(chain),
            )
        )


def test_a_truncated_chain_is_caught_by_the_published_head(
    ctx: DeskContext, chains: tuple[bytes, ChainHead]
) -> None:
    key, published = chains
    _truncate(ctx, 2, 2)  # two of its entries were in the published head
    assert check_chain(ctx, key).intact, "without the published head nothing shows"
    report = check_chain(ctx, key, parse_published(published.line(WIB)))
    assert not report.intact and "kepala terbit" in (report.problem or "")


def test_a_chain_removed_with_its_head_row_is_caught(
    ctx: DeskContext, chains: tuple[bytes, ChainHead]
) -> None:
    key, published = chains
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditLog).where(AuditLog.chain == 3))
        session.execute(delete(AuditHead).where(AuditHead.id == 3))
    assert check_chain(ctx, key).intact, "without the published head nothing shows"
    report = check_chain(ctx, key, parse_published(published.published))
    assert not report.intact and "berbeda" in (report.problem or "")


def test_a_head_row_removed_alone_is_caught(
    ctx: DeskContext, chains: tuple[bytes, ChainHead]
) -> None:
    key, _ = chains
    with ctx.unit_of_work() as session:
        session.execute(delete(AuditHead).where(AuditHead.id == 2))
    report = check_chain(ctx, key)
    assert not report.intact and "kepala hilang (rantai 2)" in (report.problem or "")


def test_a_wrong_head_row_is_caught(ctx: DeskContext, chains: tuple[bytes, ChainHead]) -> None:
    key, _ = chains
    previous = _entries(ctx, 3)[-2]
    with ctx.unit_of_work() as session:
        session.execute(
            update(AuditHead)
            .where(AuditHead.id == 3)
            .values(last_id=previous.id, last_hash=previous.hash)
        )
    report = check_chain(ctx, key)
    assert not report.intact and "kepala tidak cocok" in (report.problem or "")


def test_a_stripped_mac_in_another_chain_is_caught(
    ctx: DeskContext, chains: tuple[bytes, ChainHead]
) -> None:
    key, _ = chains
    for target in (_entries(ctx, 3)[1], _entries(ctx, 3)[-1]):
        _edit(ctx, target.id, mac=None)
        report = check_chain(ctx, key)
        assert not report.intact and "tanpa MAC" in (report.problem or "")
        assert report.broken_at == target.id
        _edit(ctx, target.id, mac=target.mac)
    assert check_chain(ctx, key).intact


def test_a_wrong_published_head_is_caught(
    ctx: DeskContext, chains: tuple[bytes, ChainHead]
) -> None:
    key, published = chains
    forged = PublishedHead(published.seq, "f" * 16)
    report = check_chain(ctx, key, [forged])
    assert not report.intact and "berbeda" in (report.problem or "")
    elsewhere = PublishedHead(published.seq - 1, published.hash[:16])
    assert not check_chain(ctx, key, [elsewhere]).intact


def test_a_workstation_without_the_key_cannot_start_a_chain_on_a_keyed_log(
    ctx: DeskContext, chains: tuple[bytes, ChainHead], users: dict[str, Actor]
) -> None:
    key, _ = chains
    with pytest.raises(AuditKeyMissing):
        _note_on(ctx, 5, users["admin"], "tanpa kunci", None)
    with pytest.raises(AuditKeyMissing):
        _note_on(ctx, 2, users["admin"], "tanpa kunci", None)
    assert check_chain(ctx, key).intact


def test_key_init_keys_every_chain(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    for chain in (2, 3):
        _note_on(ctx, chain, users["admin"], f"before-{chain}", None)
    ctx.audit_key_file = tmp_path / KEY_FILE_NAME
    key = init_key(ctx, users["admin"], ctx.audit_key_file)
    for chain in (1, 2, 3):
        last = _entries(ctx, chain)[-1]
        assert last.action == "audit_key_init" and last.mac is not None
    assert check_chain(ctx, key).intact
    with pytest.raises(AuditKeyMissing):
        _note_on(ctx, 3, users["admin"], "tanpa kunci", None)


# -- PostgreSQL: writers do not wait for each other -------------------------------------------


def _in_thread(call: Callable[[], None], seconds: float = 20) -> bool:
    """Run ``call`` in a thread; whether it finished within ``seconds``."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # reported to the test
            failures.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if failures:
        raise failures[0]
    return not worker.is_alive()


def test_a_writer_does_not_wait_for_a_colleague_in_the_middle_of_a_write(
    ctx: DeskContext, db_kind: str, users: dict[str, Actor]
) -> None:
    if db_kind != "postgresql":
        pytest.skip("SQLite's writers take turns on the whole database")
    with ctx.unit_of_work() as session:
        record(ctx, session, users["admin"], "note", "test", "held", detail="held")
        # Before: every append waited here for this transaction's lock of the single head.
        assert _in_thread(lambda: _note(ctx, users["admin"], "not waiting"), 20)
    with ctx.reading() as session:
        used = dict(session.execute(select(AuditLog.entity_key, AuditLog.chain)).all())
    assert used["held"] != used["not waiting"]
    assert check_chain(ctx).intact


def test_a_claim_takes_its_chain_in_its_own_statement_or_adds_one_when_all_are_busy(
    ctx: DeskContext, db_kind: str, users: dict[str, Actor], tmp_path: Path
) -> None:
    """PostgreSQL: the claiming UPDATE locks a free chain's head row for the claim's audit
    line; with every chain busy the line goes to a chain added for it, without waiting; keyed
    or not, every chain verifies.
    """
    if db_kind != "postgresql":
        pytest.skip("SQLite's writers take turns on the whole database")
    ids = seed(ctx, 3)
    queue = QueueOps(ctx)
    officer = users["loket.dinas"]
    assert queue.claim_next(officer) is not None  # chain 1, free: taken by the claim itself
    with ctx.unit_of_work() as session:
        record(ctx, session, users["admin"], "note", "test", "held", detail="held")
        # every chain (the one) is held: the claim's statement finds none free
        assert _in_thread(lambda: queue.claim_next(officer), 20)
    ctx.audit_key_file = tmp_path / KEY_FILE_NAME
    key = init_key(ctx, users["admin"], ctx.audit_key_file)
    last = queue.claim_next(officer)
    assert last is not None and last.request_id == ids[2]
    with ctx.reading() as session:
        claims = session.execute(
            select(AuditLog.entity_key, AuditLog.chain, AuditLog.mac)
            .where(AuditLog.action == "claim")
            .order_by(AuditLog.id)
        ).all()
        held = session.scalar(select(AuditLog.chain).where(AuditLog.entity_key == "held"))
    assert [c.entity_key for c in claims] == [_number(ctx, i) for i in ids]
    assert claims[0].chain == held == 1 and claims[1].chain != 1, "a chain added, no wait"
    assert claims[2].mac is not None
    report = check_chain(ctx, key)
    assert report.intact, report.problem


def test_a_claim_checks_the_chain_it_read_with_its_own_statement(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    """The head row and last entry a claim's statement reads for its audit line are checked
    as any append checks them: without the key, or on a head row that does not name its
    chain's last entry, the claim is refused and nothing is saved (both databases).
    """
    ids = seed(ctx, 2)
    queue = QueueOps(ctx)
    officer = users["loket.dinas"]
    key_file = tmp_path / KEY_FILE_NAME
    key = init_key(ctx, users["admin"], key_file)
    ctx.audit_key_file = tmp_path / "elsewhere" / KEY_FILE_NAME  # a workstation without it
    with pytest.raises(AuditKeyMissing):
        queue.claim_next(officer)
    assert _status(ctx, ids[0]) == Status.NEW.value, "nothing saved"
    ctx.audit_key_file = key_file
    first = queue.claim_next(officer)
    assert first is not None and first.request_id == ids[0]
    with ctx.engine.begin() as conn:
        conn.execute(update(AuditHead).values(last_id=AuditHead.last_id - 1))
    with pytest.raises(AuditChainBroken):
        queue.claim_next(officer)
    assert _status(ctx, ids[1]) == Status.NEW.value, "nothing saved"
    assert not check_chain(ctx, key).intact


def _status(ctx: DeskContext, request_id: int) -> str | None:
    with ctx.reading() as session:
        return session.scalar(select(ServiceRequest.status).where(ServiceRequest.id == request_id))


def _number(ctx: DeskContext, request_id: int) -> str:
    with ctx.reading() as session:
        number = session.scalar(
            select(ServiceRequest.number).where(ServiceRequest.id == request_id)
        )
    assert number is not None
    return number


def test_heads_published_while_eight_workstations_claim_all_verify(
    ctx: DeskContext, db_kind: str
) -> None:
    if db_kind != "postgresql":
        pytest.skip("SQLite's writers take turns on the whole database")
    ids = seed(ctx, 80)
    assert len(ids) == 80
    logins = [f"petugas{i}" for i in range(8)]
    for login in logins:
        UserOps(ctx).add(
            ADMIN_SETUP_ACTOR, login, "rahasia123", Role.COUNTER, location_code="DINAS"
        )
    actors = [UserOps(ctx).actor(login) for login in logins]
    published: list[ChainHead] = []
    stop = threading.Event()

    def claim_all(actor: Actor) -> None:
        queue = QueueOps(ctx)
        while queue.claim_next(actor, "DINAS") is not None:
            pass

    def publish() -> None:
        while not stop.is_set():
            head = chain_head(ctx)
            assert head is not None
            published.append(head)

    workers = [threading.Thread(target=claim_all, args=(a,)) for a in actors]
    reader = threading.Thread(target=publish)
    reader.start()
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    stop.set()
    reader.join(30)
    with ctx.reading() as session:
        claims = session.scalar(select(func.count()).where(AuditLog.action == "claim"))
        used = session.scalar(select(func.count(func.distinct(AuditLog.chain))))
    assert claims == 80 and used is not None and used > 1, "the claims went to several chains"
    expected = [PublishedHead(h.seq, h.hash) for h in published]
    report = check_chain(ctx, None, expected)
    assert report.intact, report.problem
    assert report.expected_checked == len({h.seq for h in published}) > 1


# -- an old database ---------------------------------------------------------------------------


def back_to_version_5(ctx: DeskContext) -> None:
    """Make the audit tables what version 5 had: one chain, no chain column, one head row."""
    with ctx.engine.begin() as conn:
        assert conn.scalar(text("SELECT count(DISTINCT chain) FROM audit_log")) in (0, 1)
        undo_version_7(conn)
        undo_audit_chains(conn)
        conn.execute(text("UPDATE schema_version SET version = 5"))
        conn.execute(text("DELETE FROM schema_version WHERE version > 5"))


def test_a_single_chain_database_upgrades_and_still_verifies(
    ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    ctx.audit_key_file = tmp_path / KEY_FILE_NAME
    key = init_key(ctx, users["admin"], ctx.audit_key_file)
    ids = seed(ctx, 3)
    QueueOps(ctx).claim(users["loket.dinas"], ids[0])
    old_head = chain_head(ctx)
    assert old_head is not None and old_head.hash == _entries(ctx)[-1].hash, "as version 5"
    before = [(e.id, e.hash, e.mac) for e in _entries(ctx)]
    back_to_version_5(ctx)

    assert SetupOps(ctx).upgrade() == [6, 7, 8, 9]
    assert [(e.id, e.hash, e.mac) for e in _entries(ctx)] == before
    assert {e.chain for e in _entries(ctx)} == {1}, "the old entries are the legacy chain 1"
    old = parse_published(old_head.line(WIB))
    assert check_chain(ctx, key, old).intact, "a head printed before the upgrade still reads"
    QueueOps(ctx).claim(users["loket.dinas"], ids[1])
    _note_on(ctx, 2, users["admin"], "after the upgrade", key)
    report = check_chain(ctx, key, old)
    assert report.intact, report.problem
    _edit(ctx, before[2][0], detail="diubah")
    assert check_chain(ctx, key, old).broken_at == before[2][0]
