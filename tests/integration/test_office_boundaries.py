"""Office boundaries: every public operation, called by officers of another office.

The walk is found by introspection: every class of ``operations/`` that binds to the desk
context alone, and every public method of it, must appear either in ``CALLS`` (called here as a
UPT-05 officer on the dinas's requests: refused, or its answer scoped to UPT-05) or in
``OFFICE_FREE`` (with the reason it needs no office check). A new public method in neither
fails ``test_every_public_operation_is_walked``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import select, update

import disdukcapil_desk.operations as operations_package
from disdukcapil_desk.db.models import AuditLog, OutgoingMessage, ServiceRequest
from disdukcapil_desk.domain.documents import DocumentKind, PrintPurpose
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor, QueueFilter
from disdukcapil_desk.domain.errors import (
    ClaimError,
    NotFound,
    PermissionDenied,
)
from disdukcapil_desk.domain.recap import RecapData
from disdukcapil_desk.domain.walk_in import WalkIn
from disdukcapil_desk.domain.workflow import Action, Role
from disdukcapil_desk.operations.after_approval import AfterApprovalOps
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.outbox import OutboxOps
from disdukcapil_desk.operations.pickup import PickupOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.recaps import Recaps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.operations.verification import VerificationOps
from disdukcapil_desk.operations.walk_in import WalkInOps
from tests.conftest import TEST_PASSWORD, FakeClock
from tests.integration.test_documents import approved
from tests.integration.test_intake import ingest_rows, request_of, row

INTRUDER_OFFICE = "UPT-05"
REFUSED = (PermissionDenied, NotFound)
SCAN = b"\x89PNG KTP dan KK warga"


@dataclass
class World:
    """Other offices' requests and the UPT-05 officers who try to reach them."""

    ctx: DeskContext
    counter: Actor
    verifier: Actor
    head: Actor
    held_id: int
    """In review, held by a dinas operator, with KTP/KK scans."""
    held_version: int
    attachment_id: int
    issued_number: str
    """The request number of an issued akta_kematian (receipt printed and reprinted)."""
    certificate: str
    failed_message_id: int
    """The dinas request's "received" message, which the channel gave up on."""
    tmp: Path


def _refused(call: Callable[[World], object]) -> Callable[[World], None]:
    def check(world: World) -> None:
        with pytest.raises(REFUSED):
            call(world)

    check.refused = True  # type: ignore[attr-defined]
    return check


def _in_session(call: Callable[[World, object], object]) -> Callable[[World], object]:
    def run(world: World) -> object:
        with world.ctx.unit_of_work() as session:
            return call(world, session)

    return run


def _scoped_page(world: World) -> None:
    queue = QueueOps(world.ctx)
    for asked in ("DINAS", None):
        page = queue.page(world.verifier, QueueFilter(location_code=asked))
        assert page.rows and {r.location_code for r in page.rows} == {INTRUDER_OFFICE}


def _scoped_counts(world: World) -> None:
    counts = QueueOps(world.ctx).counts(world.verifier, "DINAS")
    assert sum(counts.values()) == 1, "only UPT-05's own request is counted"


def _scoped_register(world: World) -> None:
    ops = DocumentOps(world.ctx)
    assert ops.register(world.head) == []
    assert ops.register(world.head, world.issued_number) == []
    assert ops.register(SYSTEM_ACTOR), "the dinas's reprint is in the register"


def _recap(world: World, location: str | None) -> RecapData:
    return Recaps(world.ctx).recap_data(
        world.head, dt.date(2026, 11, 1), dt.date(2026, 11, 30), location
    )


def _scoped_recap(world: World) -> None:
    data = _recap(world, None)
    assert data.total.received == 1, "the whole recap of a UPT head is their UPT's"
    with pytest.raises(PermissionDenied):
        _recap(world, "DINAS")


def _scoped_build_recap(world: World) -> None:
    recaps = Recaps(world.ctx)
    with pytest.raises(PermissionDenied):
        recaps.build_recap(
            world.head,
            dt.date(2026, 11, 1),
            dt.date(2026, 11, 30),
            "DINAS",
            world.tmp / "rekap.xlsx",
        )
    result = recaps.build_recap(
        world.head, dt.date(2026, 11, 1), dt.date(2026, 11, 30), None, world.tmp / "rekap.xlsx"
    )
    assert result.received == 1


def _issued_id(world: World) -> int:
    with world.ctx.reading() as session:
        found = session.scalar(
            select(ServiceRequest.id).where(ServiceRequest.number == world.issued_number)
        )
    assert found is not None
    return int(found)


def _scoped_pickup_list(world: World) -> None:
    ops = PickupOps(world.ctx)
    with pytest.raises(PermissionDenied):
        ops.day_list(world.counter, "DINAS")
    assert ops.day_list(world.counter) == [], "UPT-05's own list: nothing of the dinas"


def _scoped_undelivered(world: World) -> None:
    outbox = OutboxOps(world.ctx)
    assert outbox.undelivered(world.verifier) == [], "UPT-05's own list has none"
    assert len(outbox.undelivered(SYSTEM_ACTOR)) == 1, "the dinas's failure is listed"
    with pytest.raises(PermissionDenied):
        outbox.undelivered(world.verifier, "DINAS")


def _scoped_undelivered_count(world: World) -> None:
    outbox = OutboxOps(world.ctx)
    assert outbox.undelivered_count(world.head) == 0
    with pytest.raises(PermissionDenied):
        outbox.undelivered_count(world.head, "DINAS")


Q, V, D, OUT = "QueueOps", "VerificationOps", "DocumentOps", "OutboxOps"
P, A = "PickupOps", "AfterApprovalOps"

CALLS: dict[str, Callable[[World], None]] = {
    # -- the queue --------------------------------------------------------------------------
    f"{Q}.page": _scoped_page,
    f"{Q}.counts": _scoped_counts,
    f"{Q}.detail": _refused(lambda w: QueueOps(w.ctx).detail(w.verifier, w.held_id)),
    f"{Q}.history": _refused(lambda w: QueueOps(w.ctx).history(w.verifier, w.held_id)),
    f"{Q}.claim_next": _refused(lambda w: QueueOps(w.ctx).claim_next(w.verifier, "DINAS")),
    f"{Q}.claim": _refused(lambda w: QueueOps(w.ctx).claim(w.verifier, w.held_id)),
    f"{Q}.renew": _refused(lambda w: QueueOps(w.ctx).renew(w.verifier, w.held_id)),
    f"{Q}.release": _refused(lambda w: QueueOps(w.ctx).release(w.verifier, w.held_id)),
    f"{Q}.take_back": _refused(lambda w: QueueOps(w.ctx).take_back(w.head, w.held_id, "ambil")),
    f"{Q}.save_fields": _refused(
        lambda w: QueueOps(w.ctx).save_fields(w.verifier, w.held_id, w.held_version, {"x": "1"})
    ),
    f"{Q}.decide": _refused(
        lambda w: QueueOps(w.ctx).decide(
            w.verifier, w.held_id, Action.APPROVE, expected_version=w.held_version
        )
    ),
    f"{Q}.transition_in": _refused(
        _in_session(
            lambda w, s: QueueOps(w.ctx).transition_in(s, w.verifier, w.held_id, Action.APPROVE)  # type: ignore[arg-type]
        )
    ),
    f"{Q}.held_request": _refused(
        _in_session(lambda w, s: QueueOps(w.ctx).held_request(s, w.verifier, w.held_id, None))  # type: ignore[arg-type]
    ),
    f"{Q}.request_for_change": _refused(
        _in_session(
            lambda w, s: QueueOps(w.ctx).request_for_change(s, w.verifier, w.held_id, None)  # type: ignore[arg-type]
        )
    ),
    # -- verification -----------------------------------------------------------------------
    f"{V}.save_draft": _refused(
        lambda w: VerificationOps(w.ctx).save_draft(w.verifier, w.held_id, w.held_version, {}, {})
    ),
    f"{V}.approve": _refused(
        lambda w: VerificationOps(w.ctx).approve(w.verifier, w.held_id, w.held_version, "ok")
    ),
    f"{V}.draft_revision": _refused(
        lambda w: VerificationOps(w.ctx).draft_revision(
            w.verifier, w.held_id, w.held_version, {}, {}
        )
    ),
    f"{V}.request_revision": _refused(
        lambda w: VerificationOps(w.ctx).request_revision(
            w.verifier, w.held_id, w.held_version, "x"
        )
    ),
    f"{V}.reject": _refused(
        lambda w: VerificationOps(w.ctx).reject(w.verifier, w.held_id, w.held_version, "tidak")
    ),
    # The hole of issue 17: a UPT officer downloaded another office's KTP/KK scans by id.
    f"{V}.attachment_content": _refused(
        lambda w: VerificationOps(w.ctx).attachment_content(w.counter, w.attachment_id)
    ),
    # -- the outbox: the hole of issue 17 was a UPT officer writing another office's message --
    f"{OUT}.conversation": _refused(lambda w: OutboxOps(w.ctx).conversation(w.verifier, w.held_id)),
    f"{OUT}.undelivered": _scoped_undelivered,
    f"{OUT}.undelivered_count": _scoped_undelivered_count,
    f"{OUT}.resend": _refused(lambda w: OutboxOps(w.ctx).resend(w.verifier, w.failed_message_id)),
    f"{OUT}.write_correction": _refused(
        lambda w: OutboxOps(w.ctx).write_correction(w.verifier, w.held_id, "Bayar dulu")
    ),
    # -- intake: rows not yet a request are the dinas's -------------------------------------
    "IntakeOps.quarantined": _refused(lambda w: IntakeOps(w.ctx).quarantined(w.head)),
    "IntakeOps.requeue": _refused(lambda w: IntakeOps(w.ctx).requeue(w.head, [1])),
    # -- documents --------------------------------------------------------------------------
    f"{D}.issue": _refused(lambda w: DocumentOps(w.ctx).issue(w.verifier, w.held_id)),
    f"{D}.reissue": _refused(lambda w: DocumentOps(w.ctx).reissue(w.head, w.certificate, "x")),
    f"{D}.void": _refused(lambda w: DocumentOps(w.ctx).void(w.head, w.certificate, "salah")),
    f"{D}.summary": _refused(lambda w: DocumentOps(w.ctx).summary(w.head, w.certificate)),
    f"{D}.register": _scoped_register,
    f"{D}.receipt_print_count": _refused(
        lambda w: DocumentOps(w.ctx).receipt_print_count(w.counter, w.issued_number)
    ),
    f"{D}.render_receipt": _refused(
        lambda w: DocumentOps(w.ctx).render_receipt(w.counter, w.issued_number)
    ),
    f"{D}.render_certificate": _refused(
        lambda w: DocumentOps(w.ctx).render_certificate(w.counter, w.certificate)
    ),
    f"{D}.print_ready": _refused(lambda w: DocumentOps(w.ctx).print_ready(w.counter, "DINAS")),
    f"{D}.ready_batch": _refused(lambda w: DocumentOps(w.ctx).ready_batch(w.counter, "DINAS")),
    f"{D}.record_print": _refused(
        lambda w: DocumentOps(w.ctx).record_print(
            w.counter, DocumentKind.CERTIFICATE, [w.certificate]
        )
    ),
    # -- a citizen at the counter ----------------------------------------------------------
    "WalkInOps.register": _refused(
        lambda w: WalkInOps(w.ctx).register(w.counter, "DINAS", WalkIn("kia", {}))
    ),
    "WalkInOps.register_synced": _refused(
        lambda w: WalkInOps(w.ctx).register_synced(
            w.counter,
            "DINAS",
            WalkIn("kia", {}),
            "DINAS/20261102/0001",
            dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC),
            "PC-UPT05-ab12",
        )
    ),
    # -- pickup -----------------------------------------------------------------------------
    f"{P}.book": _refused(lambda w: PickupOps(w.ctx).book(w.verifier, _issued_id(w), None)),
    f"{P}.rebook": _refused(lambda w: PickupOps(w.ctx).rebook(w.verifier, _issued_id(w), None)),
    f"{P}.check_in": _refused(lambda w: PickupOps(w.ctx).check_in(w.counter, w.issued_number)),
    f"{P}.windows": _refused(
        lambda w: PickupOps(w.ctx).windows(w.counter, "DINAS", dt.date(2026, 11, 3))
    ),
    f"{P}.day_list": _scoped_pickup_list,
    f"{P}.list_pdf": _refused(lambda w: PickupOps(w.ctx).list_pdf(w.counter, "DINAS")),
    # -- after approval: Input SIAK, TTE, sending ---------------------------------------------
    f"{A}.follow_up": _refused(lambda w: AfterApprovalOps(w.ctx).follow_up(w.counter, w.held_id)),
    f"{A}.signed_pdf": _refused(lambda w: AfterApprovalOps(w.ctx).signed_pdf(w.counter, w.held_id)),
    f"{A}.record_siak": _refused(
        lambda w: AfterApprovalOps(w.ctx).record_siak(w.verifier, w.held_id, {})
    ),
    f"{A}.attach_signed_pdf": _refused(
        lambda w: AfterApprovalOps(w.ctx).attach_signed_pdf(w.head, w.held_id, "a.pdf", b"%PDF-")
    ),
    f"{A}.send_document": _refused(
        lambda w: AfterApprovalOps(w.ctx).send_document(w.verifier, w.held_id, None)
    ),
    # -- recaps -----------------------------------------------------------------------------
    "Recaps.recap_data": _scoped_recap,
    "Recaps.build_recap": _scoped_build_recap,
}

# Methods that need no office check, and why. Keep each reason true when adding one here.
OFFICE_FREE: dict[str, str] = {
    # The queue's helpers that take no request of an actor.
    f"{Q}.expire_leases": "the desk itself returns lapsed leases; no officer, no input",
    f"{Q}.row_of": "formats a record the caller loaded (and checked) in its own transaction",
    # Drafting text from a RequestDetail: only the scoped detail() hands one out.
    f"{V}.revision_message": "drafts text from a RequestDetail the actor got from detail()",
    # Intake is the channels' and the desk's: it runs before any office owns a request.
    "IntakeOps.submit_row": "a channel delivering a row; no officer",
    "IntakeOps.ingest": "routes rows to offices; every officer may start it",
    "IntakeOps.pending_count": "a count of rows no office owns yet",
    "IntakeOps.refresh_parties": "maintenance over every request, run by the desk",
    # Agency-wide settings and catalogue reads (no citizen's data).
    f"{D}.set_opening_offset": "a series of the whole kabupaten; administrators only",
    f"{D}.numbered_services": "catalogue read",
    f"{D}.public_key": "the published verification key",
    f"{D}.signing_info": "the agency's signing certificate: subject and expiry",
    f"{D}.configure_signing": "the agency's signing certificate; administrators only",
    f"{D}.timestamp_server": "the agency's timestamp server address",
    f"{D}.configure_timestamp_server": "the agency's timestamp server; administrators only",
    "TimestampServer.url": "the agency's timestamp server address",
    "TimestampServer.configure": "the agency's timestamp server; administrators only",
    f"{D}.verify_pdf": "anyone holding a PDF may check it (a citizen, a bank)",
    f"{D}.verify_scan": "anyone holding a QR code may check it",
    f"{A}.check_number": "checks a number as typed; reads nothing",
    "OfficeOps.tte_sources": "the agency's choice per service, the same for every office",
    "OfficeOps.set_tte_source": "the agency's choice per service; administrators only",
    "OfficeOps.desk_number_series": "the agency's numbering choice",
    "OfficeOps.set_desk_number_series": "the agency's numbering choice; administrators only",
    "OfficeOps.get": "the agency's letterhead and signers",
    "OfficeOps.update": "the agency's letterhead and signers; administrators only",
    "OfficeOps.separation_of_duties": "the agency's rule per service, the same for every office",
    "OfficeOps.set_separation_of_duties": "the agency's rule per service; administrators only",
    "LocationOps.list": "catalogue read: the offices",
    "LocationOps.assign_kecamatan": "which UPT serves a kecamatan; administrators only",
    "ClockOps.clock_skew": "compares clocks; no data",
    f"{P}.today": "the office's date; no data",
    f"{P}.hours": "an office's pickup hours: opening times, no citizen's data",
    f"{P}.set_hours": "an office's pickup hours; administrators only",
    f"{P}.sweep": "the desk itself marks no-shows and sends reminders; no officer, no input",
    f"{P}.reschedule_from_reply": "a channel's reply applied by ingest, the desk acting",
    # Accounts are the agency's; managing them is the administrators' (MANAGE_USERS).
    "UserOps.add": "administrators only",
    "UserOps.reset_password": "administrators only",
    "UserOps.unlock": "administrators only",
    "UserOps.deactivate": "administrators only",
    "UserOps.activate": "administrators only",
    "UserOps.set_role": "administrators only",
    "UserOps.list": "the administrators' user list",
    "UserOps.actor": "the command line's own user, after authentication",
    "UserOps.authenticate": "the caller's own account",
    "UserOps.change_own_password": "the caller's own account",
    # Database set-up and demo data: run with the database credential, before any officer.
    "SetupOps.init": "set-up",
    "SetupOps.upgrade": "set-up",
    "SetupOps.start": "set-up",
    "SetupOps.sync_catalogue": "set-up",
    "SetupOps.check": "set-up",
    "SetupOps.is_empty": "set-up",
    "SetupOps.planned_locations": "set-up",
    "DemoOps.generate": "demo data for a training database",
}

# Not operations officers call: reached through the DocumentOps facade, or helpers inside
# another operation's transaction.
NOT_OPERATIONS = {"AuditBuffer", "DocumentSigning", "ServiceCustody"}


def operation_classes() -> dict[str, type]:
    """Every class of ``operations/`` built from the desk context alone."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(operations_package.__path__, "disdukcapil_desk.operations."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or name in NOT_OPERATIONS:
                continue
            params = list(inspect.signature(cls.__init__).parameters.values())[1:]
            needed = [p.name for p in params if p.default is inspect.Parameter.empty]
            if needed == ["ctx"]:
                found[name] = cls
    return found


def public_methods() -> set[str]:
    return {
        f"{name}.{method}"
        for name, cls in operation_classes().items()
        for method, _ in inspect.getmembers(cls, inspect.isfunction)
        if not method.startswith("_")
    }


def test_every_public_operation_is_walked() -> None:
    """A public method that is neither called below nor explained as office-free fails."""
    methods = public_methods()
    assert {"QueueOps", "VerificationOps", "DocumentOps", "Recaps", "UserOps"} <= {
        m.split(".")[0] for m in methods
    }
    assert not set(CALLS) & set(OFFICE_FREE)
    assert sorted(methods - set(CALLS) - set(OFFICE_FREE)) == [], "walk these, or explain"
    assert sorted((set(CALLS) | set(OFFICE_FREE)) - methods) == [], "gone: remove them here"


@pytest.fixture
def world(ctx: DeskContext, users: dict[str, Actor], tmp_path: Path, clock: FakeClock) -> World:
    admin = users["admin"]
    accounts = UserOps(ctx)
    for login, role in (("operator.upt05", Role.VERIFIER), ("kasi.upt05", Role.SECTION_HEAD)):
        accounts.add(admin, login, TEST_PASSWORD, role, location_code=INTRUDER_OFFICE)
    operator = users["operator.dinas"]
    # A request of another office in review with the citizen's scans, held by a dinas operator;
    # and one of UPT-05's own (what a scoped list shows).
    scans = (("ktp", "ktp.png", "image/png", SCAN), ("kk", "kk.png", "image/png", SCAN))
    ingest_rows(
        ctx,
        replace(row("batas-1"), attachments=scans),
        replace(row("batas-2"), location_code=INTRUDER_OFFICE),
    )
    held = request_of(ctx, "batas-1")
    lease = QueueOps(ctx).claim(operator, held.id)
    detail = QueueOps(ctx).detail(operator, held.id)
    assert detail.attachments and held.location_code != INTRUDER_OFFICE
    assert request_of(ctx, "batas-2").location_code == INTRUDER_OFFICE
    # An issued dinas akta, its receipt printed and reprinted (a line in the register).
    [issued_id] = approved(ctx, 1)
    documents = DocumentOps(ctx)
    result = documents.issue(users["kasi.dinas"], issued_id)
    assert result.certificate_number is not None
    documents.render_receipt(operator, result.request_number)
    documents.render_receipt(
        operator, result.request_number, purpose=PrintPurpose.REPRINT, reason="kertas macet"
    )
    with ctx.unit_of_work() as session:
        failed_message_id = session.scalars(
            select(OutgoingMessage.id).where(OutgoingMessage.service_request_id == held.id)
        ).one()
        session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.id == failed_message_id)
            .values(failed_at=clock(), fail_reason="nomor tidak aktif", attempts=5)
        )
    return World(
        ctx=ctx,
        counter=users["loket.upt05"],
        verifier=accounts.actor("operator.upt05"),
        head=accounts.actor("kasi.upt05"),
        held_id=held.id,
        held_version=lease.version,
        attachment_id=detail.attachments[0].id,
        issued_number=result.request_number,
        certificate=result.certificate_number,
        failed_message_id=failed_message_id,
        tmp=tmp_path,
    )


def _state(ctx: DeskContext) -> list[tuple[object, ...]]:
    with ctx.reading() as session:
        outbox = session.execute(
            select(OutgoingMessage.id, OutgoingMessage.replaced_by).order_by(OutgoingMessage.id)
        )
        return [tuple(m) for m in outbox] + [
            tuple(r)
            for r in session.execute(
                select(
                    ServiceRequest.id,
                    ServiceRequest.version,
                    ServiceRequest.status,
                    ServiceRequest.claimed_by,
                    ServiceRequest.citizen_message,
                ).order_by(ServiceRequest.id)
            )
        ]


@pytest.mark.parametrize("method", sorted(CALLS))
def test_an_officer_of_another_office_is_refused_or_scoped(world: World, method: str) -> None:
    """Each operation, called by UPT-05's officers on the dinas's requests, is refused (and
    changes nothing, audits nothing) or answers for UPT-05 only."""
    before = _state(world.ctx)
    CALLS[method](world)
    assert _state(world.ctx) == before, f"{method} changed a request of another office"
    if not getattr(CALLS[method], "refused", False):
        return  # a scoped answer (a recap of UPT-05's own) may be audited
    intruders = {world.counter.login, world.verifier.login, world.head.login}
    with world.ctx.reading() as session:
        actors = set(session.scalars(select(AuditLog.actor)))
    assert not actors & intruders - {None}, f"{method} wrote the audit log for an intruder"


def test_an_officers_message_is_written_by_the_holder_of_a_request_in_review(
    world: World, users: dict[str, Actor]
) -> None:
    """Office and claim: a dinas colleague may not write to the citizen of a request an
    operator holds; the holder may, and the message goes into the outbox."""
    outbox = OutboxOps(world.ctx)
    with pytest.raises(ClaimError):
        outbox.write_correction(users["loket.dinas"], world.held_id, "Lain")
    message_id = outbox.write_correction(users["operator.dinas"], world.held_id, "Mohon unggah KK")
    talk = outbox.conversation(users["operator.dinas"], world.held_id)
    assert [e.id for e in talk.entries if not e.incoming][-1] == message_id
