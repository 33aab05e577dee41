"""Separation of duties: the officer who approved a request may not also issue it, where the
office chose so for its service (on by default for the akta series; issue 17, point 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from disdukcapil_desk.db.models import AuditLog, IssuedDocument, ServiceRequest
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import NotFound, PermissionDenied
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.queue import QueueOps
from tests.integration.test_documents import DEATH, submit, use_desk_series

START = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


def _approved_by(ctx: DeskContext, approver: Actor, service: str, ref: str) -> int:
    use_desk_series(ctx)  # the desk draws the number here (by default it comes from SIAK)
    submit(ctx, ref, service, START, **(DEATH if service == "akta_kematian" else {}))
    IntakeOps(ctx).ingest()
    queue = QueueOps(ctx)
    lease = queue.claim_next(approver, "DINAS")
    assert lease is not None
    queue.decide(approver, lease.request_id, Action.APPROVE)
    return lease.request_id


def _status(ctx: DeskContext, request_id: int) -> str:
    with ctx.sessions() as session:
        return str(
            session.scalar(select(ServiceRequest.status).where(ServiceRequest.id == request_id))
        )


def test_on_by_default_for_akta_only(ctx: DeskContext) -> None:
    chosen = {code: on for code, _, on in OfficeOps(ctx).separation_of_duties()}
    assert chosen["akta_kematian"] and chosen["akta_kelahiran"] and chosen["akta_perceraian"]
    assert not chosen["pembetulan_akta"] and not chosen["pindah_keluar_skpwni"]


def test_the_approver_may_not_issue_an_akta_alone(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    operator = users["operator.dinas"]
    request_id = _approved_by(ctx, operator, "akta_kematian", "sod-1")
    with pytest.raises(PermissionDenied) as refused:
        DocumentOps(ctx).issue(operator, request_id)
    text = str(refused.value)
    assert "disetujui oleh Operator Dinas (operator.dinas)" in text
    assert "pemisahan tugas" in text and "petugas lain" in text
    assert _status(ctx, request_id) == Status.APPROVED.value
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
    # a colleague issues it
    issued = DocumentOps(ctx).issue(users["kasi.dinas"], request_id)
    assert issued.status is Status.ISSUED and issued.certificate_number


def test_the_office_turns_it_off_and_on_per_service(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    office, operator = OfficeOps(ctx), users["operator.dinas"]
    with pytest.raises(PermissionDenied):
        office.set_separation_of_duties(users["kasi.dinas"], "akta_kematian", False)
    with pytest.raises(NotFound):
        office.set_separation_of_duties(users["admin"], "tidak_ada", False)
    assert office.set_separation_of_duties(users["admin"], "akta_kematian", False)
    assert not office.set_separation_of_duties(users["admin"], "akta_kematian", False)
    own = _approved_by(ctx, operator, "akta_kematian", "sod-2")
    assert DocumentOps(ctx).issue(operator, own).status is Status.ISSUED
    # on for a service that is off by default
    assert office.set_separation_of_duties(users["admin"], "pembetulan_akta", True)
    other = _approved_by(ctx, operator, "pembetulan_akta", "sod-3")
    with pytest.raises(PermissionDenied, match="Pembetulan Akta"):
        DocumentOps(ctx).issue(operator, other)
    with ctx.sessions() as session:
        entries = list(
            session.scalars(select(AuditLog).where(AuditLog.action == "separation_of_duties"))
        )
    assert [(e.actor, e.entity_key) for e in entries] == [
        ("admin", "akta_kematian"),
        ("admin", "pembetulan_akta"),
    ]
    chosen = {code: on for code, _, on in office.separation_of_duties()}
    assert not chosen["akta_kematian"] and chosen["pembetulan_akta"]


def test_a_section_head_who_approved_may_not_reissue_alone(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    head, counter = users["kasi.dinas"], users["loket.dinas"]
    request_id = _approved_by(ctx, head, "akta_kematian", "sod-4")
    number = DocumentOps(ctx).issue(users["operator.dinas"], request_id).certificate_number
    assert number
    with pytest.raises(PermissionDenied, match="disetujui oleh Kasi Dinas"):
        DocumentOps(ctx).reissue(head, number, "salah ketik nama")
    assert DocumentOps(ctx).summary(head, number).voided_at is None, "the void rolled back"
    assert counter.login != head.login
