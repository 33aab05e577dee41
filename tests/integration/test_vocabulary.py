"""A word outside the domain's vocabularies is refused by the database itself."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from disdukcapil_desk.db.repositories import intake as intake_repo
from disdukcapil_desk.db.repositories import verification as checks_repo
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from tests.integration.test_intake import ingest_rows, request_of, row


def test_a_misspelt_check_state_is_refused_by_the_database(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    ingest_rows(ctx, row("state-typo"))
    request = request_of(ctx, "state-typo")
    code = next(iter(ctx.reference.catalogue.get(request.service_code).requirements)).code
    with pytest.raises(IntegrityError), ctx.unit_of_work() as session:
        checks_repo.save_verdicts(
            session, request.id, {code: ("tidak_sesuia", "")}, by="x", at=ctx.clock()
        )
    detail = QueueOps(ctx).detail(users["loket.dinas"], request.number)
    assert {c.state for c in detail.checks} == {"pending"}, "nothing was stored"


def test_a_misspelt_channel_is_refused_by_the_database(ctx: DeskContext) -> None:
    with pytest.raises(IntegrityError), ctx.unit_of_work() as session:
        intake_repo.insert_incoming(
            session,
            channel="whatsap",
            external_ref="channel-typo",
            received_at=dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC),
            sender="+6285712345678",
            service_code="kia",
            payload="{}",
        )
