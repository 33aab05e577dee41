"""Queue changes pushed by PostgreSQL to the other workstations; SQLite says it cannot."""

from __future__ import annotations

import threading

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.watch import QueueWatcher
from tests.integration.test_intake import ingest_rows, request_of, sample_row
from tests.integration.test_queue import seed


def test_a_claim_elsewhere_is_heard(ctx: DeskContext, users: dict[str, Actor]) -> None:
    heard: list[str] = []
    arrived = threading.Event()

    def on_change(location: str) -> None:
        heard.append(location)
        arrived.set()

    watcher = QueueWatcher(ctx, on_change)
    if not ctx.postgresql:
        assert not watcher.available and not watcher.start()
        return
    assert watcher.start()
    try:
        assert watcher.listening.wait(10)
        ingest_rows(ctx, sample_row("wa-1004"))
        assert arrived.wait(10) and heard == ["DINAS"]
        arrived.clear()
        QueueOps(ctx).claim(users["loket.dinas"], request_of(ctx, "wa-1004").id)
        assert arrived.wait(10) and heard == ["DINAS", "DINAS"]
    finally:
        watcher.stop()


def test_the_next_claim_elsewhere_is_heard(ctx: DeskContext, users: dict[str, Actor]) -> None:
    """On PostgreSQL ``claim_next`` announces in its claiming statement: still heard, once."""
    if not ctx.postgresql:
        return
    heard: list[str] = []
    arrived = threading.Event()

    def on_change(location: str) -> None:
        heard.append(location)
        arrived.set()

    ids = seed(ctx, 1)
    watcher = QueueWatcher(ctx, on_change)
    assert watcher.start()
    try:
        assert watcher.listening.wait(10)
        lease = QueueOps(ctx).claim_next(users["loket.dinas"])
        assert lease is not None and lease.request_id == ids[0]
        assert arrived.wait(10) and heard == ["DINAS"]
        assert QueueOps(ctx).claim_next(users["loket.dinas"]) is None, "nothing left"
        arrived.clear()
        assert not arrived.wait(1), "an empty queue announces nothing"
    finally:
        watcher.stop()
