"""The ``service`` table follows the catalogue: a changed SLA or name reaches the table (and so
SLA due dates and recaps) at the next start, a removed service becomes inactive and stays, and a
start with nothing to change writes nothing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disdukcapil_desk import app
from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.db.models import AuditLog, Service
from disdukcapil_desk.domain.catalogue import parse_catalogue
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR
from disdukcapil_desk.operations import context as context_module
from disdukcapil_desk.operations.context import DeskContext, ReferenceData
from disdukcapil_desk.operations.setup import CATALOGUE_SYNC, SetupOps
from disdukcapil_desk.paths import resource_path

SLA_CHANGED = "biodata_wni"
RENAMED = "kk_baru"
REMOVED = "legalisir"


def edited_reference(reference: ReferenceData) -> ReferenceData:
    """The bundled reference data with a catalogue an administrator edited."""
    data = json.loads(resource_path("catalogue/services.json").read_text(encoding="utf-8"))
    services = data["services"]
    by_code = {s["code"]: s for s in services}
    assert {SLA_CHANGED, RENAMED, REMOVED} <= set(by_code)
    by_code[SLA_CHANGED]["sla_days"] += 4
    by_code[RENAMED]["name"] = "Penerbitan Kartu Keluarga Baru (nama baru)"
    data["services"] = [s for s in services if s["code"] != REMOVED]
    return dataclasses.replace(reference, catalogue=parse_catalogue(data))


def _services(ctx: DeskContext) -> dict[str, tuple[str, int, bool]]:
    with ctx.reading() as session:
        return {s.code: (s.name, s.sla_days, s.active) for s in session.scalars(select(Service))}


def _sync_entries(ctx: DeskContext) -> list[AuditLog]:
    with ctx.reading() as session:
        stmt = select(AuditLog).where(AuditLog.action == CATALOGUE_SYNC).order_by(AuditLog.id)
        return list(session.scalars(stmt))


def _audit_count(ctx: DeskContext) -> int:
    with ctx.reading() as session:
        return int(session.scalar(select(func.count()).select_from(AuditLog)) or 0)


@pytest.fixture
def edited(ctx: DeskContext, reference: ReferenceData) -> DeskContext:
    return DeskContext(
        ctx.engine, edited_reference(reference), clock=ctx.clock, server_clock=ctx.server_clock
    )


def test_start_brings_the_service_table_in_step(ctx: DeskContext, edited: DeskContext) -> None:
    before = _services(ctx)
    assert SetupOps(ctx).start().empty  # the bundled catalogue: nothing to do
    assert _sync_entries(ctx) == []

    sync = SetupOps(edited).start()

    after = _services(ctx)
    assert after[SLA_CHANGED][1] == before[SLA_CHANGED][1] + 4
    assert after[RENAMED][0] == "Penerbitan Kartu Keluarga Baru (nama baru)"
    assert after[REMOVED] == (before[REMOVED][0], before[REMOVED][1], False)  # kept, inactive
    unchanged = set(before) - {SLA_CHANGED, RENAMED, REMOVED}
    assert all(after[code] == before[code] for code in unchanged)
    assert set(sync.changed) == {SLA_CHANGED, RENAMED, REMOVED} and sync.added == ()
    (entry,) = _sync_entries(ctx)
    assert entry.actor == SYSTEM_ACTOR.login and entry.entity == "service"
    for code in (SLA_CHANGED, RENAMED, REMOVED):
        assert code in entry.detail
    assert "sla_days" in entry.detail and "active True → False" in entry.detail

    count = _audit_count(ctx)
    assert SetupOps(edited).start().empty  # a second start writes nothing
    assert _audit_count(ctx) == count


def test_a_service_back_in_the_catalogue_is_active_again(
    ctx: DeskContext, edited: DeskContext
) -> None:
    SetupOps(edited).sync_catalogue()
    back = SetupOps(ctx).sync_catalogue()
    assert _services(ctx)[REMOVED][2] is True
    assert set(back.changed) == {SLA_CHANGED, RENAMED, REMOVED}


def test_init_and_upgrade_sync_too(ctx: DeskContext, edited: DeskContext) -> None:
    report = SetupOps(edited).init()
    assert report.services_added == 0
    assert _services(ctx)[SLA_CHANGED][1] == _services(edited)[SLA_CHANGED][1]
    assert len(_sync_entries(ctx)) == 1
    SetupOps(ctx).upgrade()  # nothing to migrate; the bundled catalogue again
    assert len(_sync_entries(ctx)) == 2 and _services(ctx)[REMOVED][2] is True


def test_every_command_starts_with_the_sync(
    db_url: str,
    reference: ReferenceData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DISDUKCAPIL_DB", raising=False)
    monkeypatch.setattr(context_module, "load_reference_data", lambda: edited_reference(reference))
    assert app.run(["--basedir", str(tmp_path), "--db", db_url, "location", "list"]) == 0
    assert "Basis data: " in capsys.readouterr().err
    ctx = DeskContext(make_engine(db_url), reference)
    try:
        assert _services(ctx)[REMOVED][2] is False
        assert len(_sync_entries(ctx)) == 1
        assert app.run(["--basedir", str(tmp_path), "--db", db_url, "location", "list"]) == 0
        assert len(_sync_entries(ctx)) == 1
    finally:
        ctx.close()
