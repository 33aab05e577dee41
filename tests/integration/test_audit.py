"""The audit log: every change is recorded, and tampering with any entry shows."""

from __future__ import annotations

from sqlalchemy import select, update

from disdukcapil_desk.db.models import AuditLog
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Action
from disdukcapil_desk.operations.audit import verify_chain
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from tests.integration.test_queue import seed


def test_chain_verifies_and_detects_an_edited_entry(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ids = seed(ctx, 3)
    queue = QueueOps(ctx)
    queue.claim(users["loket.dinas"], ids[0])
    queue.decide(users["loket.dinas"], ids[0], Action.REJECT, reason="berkas bukan miliknya")
    assert verify_chain(ctx) is None
    with ctx.unit_of_work() as session:
        target = session.scalars(select(AuditLog).where(AuditLog.action == "reject")).one()
        session.execute(update(AuditLog).where(AuditLog.id == target.id).values(detail="disetujui"))
    assert verify_chain(ctx) == target.id


def test_entries_say_who_what_before_and_after_without_full_nik(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ids = seed(ctx, 1)
    QueueOps(ctx).claim(users["loket.dinas"], ids[0])
    with ctx.sessions() as session:
        entries = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    claim = entries[-1]
    assert (claim.actor, claim.action) == ("loket.dinas", "claim")
    assert '"new"' in (claim.before or "") and '"in_review"' in (claim.after or "")
    for entry in entries:
        text = f"{entry.before}{entry.after}{entry.detail}"
        assert "3604156107950001" not in text
