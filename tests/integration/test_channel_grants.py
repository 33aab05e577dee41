"""The bot's database role of docs/channels.md, on PostgreSQL with a real role: the GRANT
block of the documentation is enough for the whole loop of a bot, and no more.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import OutgoingMessage
from disdukcapil_desk.db.repositories import channel as repo
from disdukcapil_desk.db.repositories import intake as intake_repo
from disdukcapil_desk.db.repositories.channel import Report
from disdukcapil_desk.db.repositories.outbox import NewAttachment
from disdukcapil_desk.domain.delivery import MessageKind
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.outbox import write_message
from tests.factories import GOOD_PAYLOAD, make_request

DOC = Path(__file__).resolve().parents[2] / "docs" / "channels.md"
LEASE = dt.timedelta(minutes=5)


def grant_block(role: str) -> list[str]:
    """The statements between the grants markers of docs/channels.md, for ``role``."""
    doc = DOC.read_text(encoding="utf-8")
    block = doc.split("<!-- grants:begin -->")[1].split("<!-- grants:end -->")[0]
    sql = block.replace("```sql", "").replace("```", "")
    sql = re.sub(r"--[^\n]*", "", sql).replace("desk_channel", role)
    return [s.strip() for s in sql.split(";") if s.strip()]


@pytest.fixture
def bot(ctx: DeskContext, db_kind: str, db_url: str) -> Iterator[Session]:
    """A session logged in as a new role that holds exactly the documented grants."""
    if db_kind != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's")
    role = f"desk_channel_{uuid.uuid4().hex[:8]}"
    with ctx.engine.begin() as conn:
        for statement in grant_block(role):
            conn.execute(text(statement))
    url = make_url(db_url).set(username=role, password="change-me")
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
        with ctx.engine.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))


def test_the_documented_grants_carry_the_whole_loop_and_no_more(
    ctx: DeskContext, bot: Session
) -> None:
    # Intake: a row and its file, idempotent, as the bot writes them.
    def submit() -> int | None:
        row_id = intake_repo.insert_incoming(
            bot,
            channel="whatsapp",
            external_ref="wamid.1",
            received_at=dt.datetime.now(dt.UTC),
            sender="+6285712345678",
            service_code="ktpel_penggantian",
            payload=json.dumps(GOOD_PAYLOAD),
        )
        if row_id is not None:
            intake_repo.add_attachment(
                bot, row_id, kind=None, filename="ktp.jpg", media_type="image/jpeg", content=b"x"
            )
        bot.commit()
        return row_id

    assert submit() is not None
    assert submit() is None, "a resend is a no-op for the bot's role too"
    IntakeOps(ctx).ingest()
    (back,) = repo.read_back(bot, "whatsapp", ["wamid.1"])
    bot.commit()
    assert back.number and back.status == "new"

    # Ingest wrote "received"; the desk writes one more, with a file; the bot claims, sends,
    # reports.
    with ctx.unit_of_work() as session:
        from disdukcapil_desk.db.repositories import requests

        record = requests.by_number(session, back.number)
        assert record is not None
        pdf = [NewAttachment("akta.pdf", "application/pdf", b"%PDF")]
        write_message(
            ctx, session, SYSTEM_ACTOR, record, MessageKind.APPROVED, "isi", attachments=pdf
        )
    claimed = repo.claim_batch(bot, "whatsapp", "wa-bot-1", 10, LEASE)
    bot.commit()
    assert [m.request_number for m in claimed] == [back.number] * 2
    assert [m.kind for m in claimed] == [MessageKind.RECEIVED, MessageKind.APPROVED]
    assert claimed[1].attachments[0].content == b"%PDF" and not claimed[0].attachments
    first, second = claimed
    assert repo.report_sent(bot, first.id, "wa-bot-1", "wamid.out.1") is Report.APPLIED
    assert repo.report_delivered(bot, "whatsapp", "wamid.out.1") is Report.APPLIED
    assert repo.report_undelivered(bot, "whatsapp", "wamid.out.1", "x") is Report.REFUSED
    assert repo.report_failed(bot, second.id, "wa-bot-1", "timeout", True) is Report.APPLIED
    bot.commit()

    # What the role must not do.
    forbidden = (
        "SELECT nik FROM service_request",
        "SELECT payload FROM incoming_request",
        "UPDATE service_request SET status = 'approved'",
        "UPDATE outgoing_message SET body = 'lain'",
        "UPDATE outgoing_message SET recipient = '+62800'",
        "DELETE FROM outgoing_message",
        "INSERT INTO outgoing_message (service_request_id, channel, recipient, kind, body, "
        "created_at, created_by, attempts) VALUES (1, 'whatsapp', 'x', 'received', 'x', now(), "
        "'bot', 0)",
        "UPDATE incoming_request SET ingested_at = now()",
        "SELECT * FROM audit_log",
        "SELECT * FROM app_user",
    )
    for statement in forbidden:
        with pytest.raises(ProgrammingError, match="permission denied"):
            bot.execute(text(statement))
        bot.rollback()


def _doc_statements(marker: str) -> list[str]:
    """The statements of the SQL block of docs/channels.md that contains ``marker``."""
    blocks = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    (block,) = [b for b in blocks if marker in b]
    parts = [s.strip() for s in re.sub(r"--[^\n]*", "", block).split(";")]
    return [s for s in parts if s and s not in ("BEGIN", "COMMIT")]


def test_the_documented_outbox_statements_do_what_the_page_says(
    ctx: DeskContext, db_kind: str
) -> None:
    if db_kind != "postgresql":
        pytest.skip("the page shows PostgreSQL's statements")
    from disdukcapil_desk.db.repositories import requests

    IntakeOps(ctx).submit_row(make_request(external_ref="wa-doc"))
    IntakeOps(ctx).ingest()
    with ctx.unit_of_work() as session:
        record = requests.by_id(session, 1)
        assert record is not None
        for _ in range(2):  # beside the "received" message ingest wrote
            write_message(ctx, session, SYSTEM_ACTOR, record, MessageKind.APPROVED, "isi")
    worker = "wa-bot@host-1234"
    pick, take, messages, files = _doc_statements("FOR UPDATE SKIP LOCKED")
    (sent,) = _doc_statements("SET sent_at")
    (delivered,) = _doc_statements("SET delivered_at")
    transient, permanent = _doc_statements("not_before = clock_timestamp()")
    with ctx.engine.begin() as conn:
        ids = list(conn.execute(text(pick)).scalars())
        conn.execute(text(take), {"ids": ids})
        assert [r.number for r in conn.execute(text(messages), {"ids": ids})] == [record.number] * 3
        assert conn.execute(text(files), {"ids": ids}).all() == []
    first, second, third = ids
    with ctx.engine.begin() as conn:
        assert conn.execute(text(pick)).all() == [], "every due message is under a lease"
        assert conn.execute(text(sent), {"wamid": "w1", "id": first, "worker": worker}).all()
        assert conn.execute(text(delivered), {"wamid": "w1"}).all()
        assert not conn.execute(text(delivered), {"wamid": "w1"}).all(), "twice: no row"
        args = {"reason": "t", "n": 1, "id": second, "worker": worker}
        assert conn.execute(text(transient), args).all()
        args = {"reason": "p", "id": third, "worker": "another-bot"}
        assert not conn.execute(text(permanent), args).all(), "not the holder: no row"
    with ctx.sessions() as session:
        rows = {m.id: m for m in session.scalars(select(OutgoingMessage))}
    assert rows[first].delivered_at is not None and rows[first].external_ref == "w1"
    assert rows[second].claimed_until is None and rows[second].not_before is not None
    assert rows[third].failed_at is None and rows[third].claimed_by == worker
