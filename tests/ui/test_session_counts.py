"""The counts per status: open ones fresh at every refresh, closed ones reused for a while."""

from __future__ import annotations

from disdukcapil_desk.domain.dto import Actor, QueueFilter
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.ui.session import CLOSED_COUNTS_SECONDS, DeskSession
from tests.conftest import T0
from tests.integration.test_documents import DEATH, submit


def test_open_counts_are_fresh_and_closed_counts_are_reused_for_a_while(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    for ref in ("a", "b"):
        submit(ctx, ref, "akta_kematian", T0, **DEATH)
    IntakeOps(ctx).ingest()
    now = [1000.0]
    session = DeskSession(ctx, users["loket.dinas"], "DINAS", monotonic=lambda: now[0])
    before = session.counts()
    assert before[Status.NEW] == 2 and before[Status.REJECTED] == 0
    assert set(before) == set(Status)
    officer = users["loket.dinas"]
    request_id = QueueOps(ctx).page(officer, QueueFilter()).rows[0].id
    QueueOps(ctx).claim(officer, request_id)
    QueueOps(ctx).decide(officer, request_id, Action.REJECT, reason="bukan warga Serang")
    now[0] += CLOSED_COUNTS_SECONDS - 1
    soon = session.counts()
    assert soon[Status.NEW] == 1, "open statuses are counted at every refresh"
    assert soon[Status.REJECTED] == 0, "closed ones are reused for a while"
    now[0] += 1
    later = session.counts()
    assert later[Status.REJECTED] == 1 and later == QueueOps(ctx).counts(officer, "DINAS")
