"""The demo's steps after approval: SIAK's numbers, a PDF signed as SIAK would sign it, sending,
pickup appointments, and the channels working through the outbox (operations layer).

Every step goes through the real operations, at the demo's made-up times; only SIAK and the
channels are stood in for: the signed PDF is signed with a demo Kepala Dinas certificate, and
the reference channel (``operations/channel.py``) claims, sends and reports the messages.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from disdukcapil_desk.db.repositories import requests as requests_repo
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.delivery import OutputKind, SiakNumberKind
from disdukcapil_desk.domain.demo_data import make_nik, make_no_kk
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.domain.workflow import Action, Status
from disdukcapil_desk.operations.after_approval import AfterApprovalOps
from disdukcapil_desk.operations.channel import ChannelSimulator, SampleCitizen, SimulationSettings
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.pickup import PickupOps

if TYPE_CHECKING:
    from disdukcapil_desk.reports.signing import SigningIdentity

_DELIVERED = frozenset({Status.SENT, Status.READY_FOR_PICKUP, Status.COLLECTED})
_DEMO_SIGNER = "Kepala Dinas Kependudukan dan Pencatatan Sipil (demo)"
_PASSPHRASE = "demo"


def path_after_approval(target: Status, outputs: OutputKind) -> tuple[Action, ...]:
    """The steps after Setujui that bring a request of a service with ``outputs`` to ``target``
    (or as near as the service allows: a card is never sent, a PDF is never collected).
    """
    if target is Status.SIAK_RECORDED:
        return (Action.RECORD_SIAK,)
    if target is Status.ISSUED:
        return (Action.RECORD_SIAK, Action.ISSUE)
    if target is Status.DONE:
        return (Action.RECORD_SIAK, Action.ISSUE, Action.FINISH)
    if target not in _DELIVERED:
        return ()
    steps = [Action.RECORD_SIAK, Action.ISSUE]
    if outputs.sends_document:
        steps.append(Action.SEND)
    if outputs.needs_pickup:
        steps.append(Action.BOOK_PICKUP)
        if target is not Status.READY_FOR_PICKUP:
            steps.append(Action.CHECK_IN)
    return tuple(steps)


class DemoAfterApproval:
    """Takes demo requests through SIAK, TTE, sending and pickup at the demo clock's times."""

    def __init__(
        self, ctx: DeskContext, rng: random.Random, set_clock: Callable[[dt.datetime], None]
    ) -> None:
        """``ctx`` runs on the demo's clock; ``set_clock`` moves it (for a check-in)."""
        self._ctx = ctx
        self._rng = rng
        self._set_clock = set_clock
        self._after = AfterApprovalOps(ctx)
        self._documents = DocumentOps(ctx)
        self._pickup = PickupOps(ctx)
        self._booked: dict[int, tuple[str, dt.datetime]] = {}
        self._identity: SigningIdentity | None = None

    def apply(self, actor: Actor, request_id: int, action: Action, latest: dt.datetime) -> None:
        """Take one step; a check-in happens in the booked window (never after ``latest``)."""
        if action is Action.RECORD_SIAK:
            self._after.record_siak(actor, request_id, self.siak_numbers(request_id))
        elif action is Action.ISSUE:
            self._issue(actor, request_id)
        elif action is Action.SEND:
            self._after.send_document(actor, request_id, None)
        elif action is Action.BOOK_PICKUP:
            booked = self._pickup.book(actor, request_id, None)
            self._booked[request_id] = (booked.number, booked.window.starts_at)
        elif action is Action.CHECK_IN:
            number, starts_at = self._booked[request_id]
            arrival = starts_at + dt.timedelta(minutes=self._rng.randint(1, 25))
            if arrival <= latest:  # a window still to come: the citizen has not come yet
                self._set_clock(arrival)
                self._pickup.check_in(actor, number)

    def siak_numbers(self, request_id: int) -> dict[SiakNumberKind, str]:
        """The numbers SIAK would give a request (the demo has no SIAK), unique per request."""
        with self._ctx.reading() as session:
            request = requests_repo.by_id(session, request_id)
            assert request is not None
            service = self._ctx.reference.catalogue.get(request.service_code)
            day = request.received_at.astimezone(WIB).date()
        serial = request_id % 9999 + 1
        made = {
            SiakNumberKind.AKTA: f"3604-{service.akta_type_code or 'LU'}-{day:%d%m%Y}-{serial:04d}",
            SiakNumberKind.NIK: make_nik("360415", day - dt.timedelta(days=9), "L", serial),
            SiakNumberKind.KK: make_no_kk("360415", day, serial),
            SiakNumberKind.SKPWNI: f"SKPWNI-3604-{day:%Y}-{serial:05d}",
        }
        return {kind: made[kind] for kind in service.siak_numbers}

    def _issue(self, actor: Actor, request_id: int) -> None:
        """A service that sends a PDF gets the one "SIAK" signed; a card is just issued."""
        with self._ctx.reading() as session:
            request = requests_repo.by_id(session, request_id)
            assert request is not None
            number, service_code = request.number, request.service_code
        service = self._ctx.reference.catalogue.get(service_code)
        if not service.outputs.sends_document:
            self._documents.issue(actor, request_id)
            return
        pdf = self._signed_pdf(service.name, number, self.siak_numbers(request_id))
        self._after.attach_signed_pdf(actor, request_id, f"tte-{request_id}.pdf", pdf)

    def _signed_pdf(self, title: str, number: str, numbers: dict[SiakNumberKind, str]) -> bytes:
        if self._identity is None:
            self._identity = demo_identity()
        return sample_signed_pdf(self._identity, title, number, numbers)


def demo_identity() -> SigningIdentity:
    """A demo Kepala Dinas certificate (self-signed; a real one comes from BSrE through SIAK)."""
    from disdukcapil_desk.reports.signing import load_identity, self_signed_pkcs12

    pkcs12, _ = self_signed_pkcs12(
        _DEMO_SIGNER, _PASSPHRASE, not_after=dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
    )
    return load_identity(pkcs12, _PASSPHRASE)


def sample_signed_pdf(
    identity: SigningIdentity, title: str, number: str, numbers: Mapping[SiakNumberKind, str]
) -> bytes:
    """A one-page PDF naming the request and SIAK's numbers, signed (PAdES) with
    ``identity``: what SIAK's TTE gives the office, for the demo and the loop tests.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from disdukcapil_desk.reports.signing import sign_pdf

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(72, 770, f"{title} (contoh dokumen SIAK)")
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 745, f"Permohonan {number}")
    for line, (kind, value) in enumerate(numbers.items()):
        canvas.drawString(72, 725 - 18 * line, f"{kind.label}: {value}")
    canvas.showPage()
    canvas.save()
    return sign_pdf(
        buffer.getvalue(), identity, reason="TTE Kepala Dinas (demo)", location="Serang"
    )


def channels_answer(
    ctx: DeskContext,
    seed: int,
    unreachable: Sequence[str],
    *,
    receipts: bool,
    only: Channel | None = None,
) -> None:
    """The reference channel works through every channel's outbox once: most messages are sent
    (and, with ``receipts``, reported delivered), some fail for a while (they wait for their
    backoff), and those to ``unreachable`` contacts fail for good (the office's task list).
    """
    citizens = [
        SampleCitizen(contact, contact, contact, "kia", {}, reachable=False)
        for contact in unreachable
    ] or [SampleCitizen("-", "-", "-", "kia", {})]
    for channel in (only,) if only else (Channel.WHATSAPP, Channel.WEB, Channel.EMAIL):
        settings = SimulationSettings(
            channel=channel, fail_rate=0.08, seed=seed, worker=f"demo-{channel.value}"
        )
        simulator = ChannelSimulator(ctx, settings, citizens)
        while simulator.consume_batch():
            pass
        if receipts:
            simulator.deliver_receipts()
