"""The demo on SQLite and PostgreSQL: what it makes reads like real work of the office.

No placeholder text, nothing after the demo's "now", a valid NIK on every request that went
further than the counter, and every issued request of a service with a certificate has it,
findable the way the command line finds it (``certificate``, ``print-ready``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from sqlalchemy import select

from disdukcapil_desk.db.models import (
    AuditLog,
    IssuedDocument,
    OutgoingAttachment,
    OutgoingMessage,
    PickupBooking,
    ServiceRequest,
    SignedDocument,
)
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.delivery import (
    DeliveryState,
    MessageKind,
    PickupState,
    delivery_state,
)
from disdukcapil_desk.domain.findings import Severity
from disdukcapil_desk.domain.workflow import Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps

SR = ServiceRequest
FINISHED = tuple(
    s.value
    for s in (
        Status.APPROVED,
        Status.SIAK_RECORDED,
        Status.ISSUED,
        Status.SENT,
        Status.READY_FOR_PICKUP,
        Status.COLLECTED,
        Status.DONE,
    )
)
"""Statuses a request reaches only with a sound form."""


@pytest.fixture
def demo(ctx: DeskContext) -> DeskContext:
    """A small demo over the last 30 days."""
    DemoOps(ctx).generate(80, seed=5, days=30)
    return ctx


def requests(ctx: DeskContext) -> list[Any]:
    with ctx.sessions() as s:
        return list(s.execute(select(SR)).scalars())


def test_no_placeholder_text(demo: DeskContext) -> None:
    rows = requests(demo)
    assert len(rows) >= 80
    for row in rows:
        payload = json.loads(row.payload)
        for name, value in payload.items():
            assert "contoh" not in str(value).lower(), (row.number, name, value)
    places = [
        json.loads(r.payload).get(name)
        for r in rows
        for name in ("anak_tempat_lahir", "tempat_kematian", "tempat_perkawinan")
        if name in json.loads(r.payload)
    ]
    assert places, "the seed must make an akta with a place"
    names = {k.name for k in demo.reference.wilayah.kecamatan_list} | {"Serang"}
    names |= {d.name for k in demo.reference.wilayah.kecamatan_list for d in k.desa}
    assert set(places) <= names, "places of Kabupaten Serang, from the wilayah"


def test_nothing_after_now(demo: DeskContext, clock) -> None:
    now = clock()
    today = now.astimezone(WIB).date()
    with demo.sessions() as s:
        moments = [
            *s.execute(select(SR.received_at)).scalars(),
            *s.execute(select(SR.updated_at)).scalars(),
            *(m for m in s.execute(select(SR.closed_at)).scalars() if m is not None),
            *s.execute(  # what the demo did (the test database's own set-up aside)
                select(AuditLog.at).where(
                    AuditLog.entity.in_(("service_request", "issued_document"))
                )
            ).scalars(),
            *s.execute(select(IssuedDocument.created_at)).scalars(),
        ]
    assert moments and max(moments) <= now
    for row in requests(demo):
        for name, value in json.loads(row.payload).items():
            if name.startswith("tanggal") and isinstance(value, str) and value[:2] == "20":
                assert dt.date.fromisoformat(value) <= today, (row.number, name, value)


def test_finished_requests_have_a_valid_nik(demo: DeskContext) -> None:
    rules = demo.reference.nik_rules
    finished = [r for r in requests(demo) if r.status in FINISHED]
    assert len(finished) > 20
    for row in finished:
        payload = json.loads(row.payload)
        # the form's own person: its NIK against the birth date and sex written beside it
        findings = rules.check_nik(
            payload["nik"],
            declared_birth_date=dt.date.fromisoformat(payload["tanggal_lahir"]),
            declared_sex=payload["jenis_kelamin"],
        )
        for name, value in payload.items():  # every other NIK of the form (parents, pelapor)
            if name.endswith("_nik") or name.startswith("nik_"):
                for nik in str(value).split(","):
                    findings += rules.parse_nik(nik.strip(), field=name)[1]
        serious = [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]
        assert not serious, (row.number, serious)


def test_every_signed_document_is_there_and_the_sent_ones_went_out(demo: DeskContext) -> None:
    """Each request past TTE of a service that sends a PDF has its signed PDF; each sent one
    has the document message carrying that very file; each collected card was checked in."""
    catalogue = demo.reference.catalogue
    rows = requests(demo)
    signed_states = (Status.ISSUED.value, Status.SENT.value, Status.READY_FOR_PICKUP.value)
    past_tte = [
        r
        for r in rows
        if r.status in (*signed_states, Status.COLLECTED.value)
        and catalogue.get(r.service_code).outputs.sends_document
    ]
    sent = [r for r in rows if r.status == Status.SENT.value]
    assert len(past_tte) >= 5 and len(sent) >= 3
    with demo.sessions() as s:
        signed = {
            d.service_request_id: d.sha256
            for d in s.execute(
                select(SignedDocument).where(SignedDocument.replaced_at.is_(None))
            ).scalars()
        }
        files = {
            m.service_request_id: hashlib.sha256(a.content).hexdigest()
            for m, a in s.execute(
                select(OutgoingMessage, OutgoingAttachment)
                .join(OutgoingAttachment)
                .where(OutgoingMessage.kind == MessageKind.DOCUMENT_SENT.value)
            )
        }
        checked_in = set(
            s.scalars(
                select(PickupBooking.service_request_id).where(
                    PickupBooking.state == PickupState.CHECKED_IN.value
                )
            )
        )
    assert {r.id for r in past_tte} <= set(signed), "a signed PDF for each"
    assert all(files[r.id] == signed[r.id] for r in sent), "the very file was sent"
    assert {r.id for r in rows if r.status == Status.COLLECTED.value} <= checked_in


def test_messages_are_in_every_delivery_state(demo: DeskContext) -> None:
    with demo.sessions() as s:
        states = {
            delivery_state(
                sent=m.sent_at is not None,
                delivered=m.delivered_at is not None,
                failed=m.failed_at is not None,
            )
            for m in s.execute(select(OutgoingMessage)).scalars()
        }
    assert states == set(DeliveryState)
