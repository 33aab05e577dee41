"""The reference channel: a simulated WhatsApp / web / e-mail bot (operations layer, no Qt).

It does, against the desk's database, exactly what a real channel bot does, and is the
executable example for the people who build them (``docs/channels.md``):

1. **Intake**: writes each sample citizen's request into ``incoming_request`` (+ attachments)
   with ``(channel, external_ref)`` as the idempotency key, so running it again sends nothing
   twice.
2. **Outbox**: claims a batch of its channel's ``outgoing_message`` rows with a lease, "sends"
   each one (a seeded random failure rate stands in for the network), and reports it sent
   (with its own message id as ``external_ref``), then delivered, or failed (transient: retried
   after a backoff; permanent: the office's task).
3. **Answers**: a delivered ``needs_revision`` message is answered with a resubmission row
   (``reply_to_number`` = the request number, the corrected form and every required file); a
   ``ready_for_pickup`` message may be answered with "JADWAL ULANG" (another window).

The desk's ingest (the ``ingest`` command or the window) turns the rows into requests; with
``ingest=True`` the simulator runs it between rounds itself, for a demo without a desk open.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from disdukcapil_desk.db.repositories import channel as channel_repo
from disdukcapil_desk.db.repositories.channel import ClaimedMessage, Report
from disdukcapil_desk.domain.delivery import MessageKind
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.pickup import RESCHEDULE_FIELD
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.paths import resource_path

log = logging.getLogger("disdukcapil_desk.channel")

SAMPLE_CITIZENS = "channel/citizens.json"
"""The bundled sample citizens (below ``resources/``)."""
"""What a citizen answers to a pickup appointment to ask for another window."""
TRANSIENT_REASON = "simulasi: jaringan kanal tidak menjawab"
PERMANENT_REASON = "simulasi: nomor/alamat tidak terdaftar pada kanal"


@dataclass(frozen=True)
class SampleCitizen:
    """One citizen of the sample set (``resources/channel/citizens.json``)."""

    name: str
    phone: str
    email: str
    service_code: str
    payload: Mapping[str, Any]
    first_try: Mapping[str, Any] = field(default_factory=dict)
    """Fields that are wrong in the first submission (the revision fixes them)."""
    missing_first: tuple[str, ...] = ()
    """Requirement codes whose files the first submission leaves out."""
    reachable: bool = True
    """False: every message to this citizen fails for good."""

    def contact(self, channel: Channel) -> str:
        """The sender / recipient on ``channel``: the e-mail address or the phone number."""
        return self.email if channel is Channel.EMAIL else self.phone


def load_citizens(path: Path | None = None) -> tuple[SampleCitizen, ...]:
    """Read the sample citizens (default: the bundled set).

    Raises:
        DeskError: the file is missing or not the expected shape.
    """
    source = path or resource_path(SAMPLE_CITIZENS)
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
        return tuple(
            SampleCitizen(
                name=c["name"],
                phone=c["phone"],
                email=c["email"],
                service_code=c["service_code"],
                payload=dict(c["payload"]),
                first_try=dict(c.get("first_try", {})),
                missing_first=tuple(c.get("missing_first", ())),
                reachable=bool(c.get("reachable", True)),
            )
            for c in raw["citizens"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DeskError(f"Berkas warga contoh {source} tidak dapat dibaca: {exc}") from exc


@dataclass(frozen=True)
class SimulationSettings:
    """How the simulated channel behaves (the ``channel simulate`` options)."""

    channel: Channel = Channel.WHATSAPP
    citizens: int = 6
    """How many citizens apply (the sample set is reused, with new references, past its end)."""
    rounds: int = 3
    fail_rate: float = 0.1
    """The chance that one send fails transiently (retried after a backoff)."""
    reschedule_rate: float = 0.0
    """The chance that a citizen answers a pickup appointment with "JADWAL ULANG"."""
    seed: int = 1
    batch: int = 50
    lease: dt.timedelta = dt.timedelta(minutes=5)
    worker: str = "simulator-1"
    """The name this bot claims under; unique per running bot."""
    ingest: bool = False
    """Also run the desk's ingest after each round (a demo without a desk open)."""

    @property
    def prefix(self) -> str:
        """The start of every ``external_ref`` this run writes: the same seed, the same refs."""
        return f"sim{self.seed}-{self.channel.value}"


@dataclass
class SimulationReport:
    """What the simulated channel did."""

    submitted: int = 0
    """New intake rows written (a row already there is not counted)."""
    claimed: int = 0
    sent: int = 0
    delivered: int = 0
    retried: int = 0
    """Transient failures: the message waits for its backoff."""
    failed: int = 0
    """Permanent failures or given up: the office's task."""
    refused: int = 0
    """Reports the database refused (another worker holds the message)."""
    resubmitted: int = 0
    rescheduled: int = 0
    ingested: int = 0

    def lines(self) -> list[str]:
        """The report for the terminal, in Indonesian."""
        return [
            f"Permohonan baru dikirim : {self.submitted}",
            f"Pesan diklaim           : {self.claimed}",
            f"Terkirim / diterima     : {self.sent} / {self.delivered}",
            f"Gagal sementara (ulang) : {self.retried}",
            f"Gagal tetap             : {self.failed}",
            f"Laporan ditolak         : {self.refused}",
            f"Perbaikan dikirim       : {self.resubmitted}",
            f"Minta jadwal ulang      : {self.rescheduled}",
            f"Diproses desk (ingest)  : {self.ingested}",
        ]


class ChannelSimulator:
    """A channel bot against the desk's database, with simulated citizens and network."""

    def __init__(
        self,
        ctx: DeskContext,
        settings: SimulationSettings,
        citizens: Sequence[SampleCitizen] | None = None,
    ) -> None:
        """Bind to the database; ``citizens`` default to the bundled sample set."""
        if not 0.0 <= settings.fail_rate <= 1.0 or not 0.0 <= settings.reschedule_rate <= 1.0:
            raise DeskError("Peluang gagal dan jadwal ulang harus antara 0 dan 1")
        self._ctx = ctx
        self._settings = settings
        self._citizens = tuple(citizens) if citizens is not None else load_citizens()
        if not self._citizens:
            raise DeskError("Tidak ada warga contoh")
        self._rng = random.Random(settings.seed)
        self._unreachable = {c.contact(settings.channel) for c in self._citizens if not c.reachable}
        self._awaiting_receipt: list[str] = []
        """external_refs sent and not yet reported delivered (the network's receipts)."""
        self.report = SimulationReport()

    # -- the whole run --------------------------------------------------------------------

    def run(self) -> SimulationReport:
        """Submit the citizens' requests, then ``rounds`` rounds of outbox work."""
        self.submit_new()
        for _ in range(self._settings.rounds):
            if self._settings.ingest:
                self.report.ingested += IntakeOps(self._ctx).ingest().rows
            self.round()
        if self._settings.ingest:
            self.report.ingested += IntakeOps(self._ctx).ingest().rows
        return self.report

    def round(self) -> None:
        """One round: delivery receipts of earlier sends, then every due message."""
        self.deliver_receipts()
        while self.consume_batch():
            pass

    # -- 1. intake ------------------------------------------------------------------------

    def citizen(self, index: int) -> SampleCitizen:
        """The ``index``-th applicant (the sample set, again from its start past its end)."""
        return self._citizens[index % len(self._citizens)]

    def external_ref(self, index: int) -> str:
        """The channel's own id of the ``index``-th applicant's first message."""
        return f"{self._settings.prefix}-{index:05d}"

    def submit_new(self) -> int:
        """Write the first submission of every applicant; returns how many rows were new."""
        intake = IntakeOps(self._ctx)
        new = 0
        for index in range(self._settings.citizens):
            person = self.citizen(index)
            row = IncomingRow(
                channel=self._settings.channel.value,
                external_ref=self.external_ref(index),
                service_code=person.service_code,
                payload=json.dumps({**person.payload, **person.first_try}),
                sender=person.contact(self._settings.channel),
                attachments=self._files(person, leave_out=person.missing_first),
            )
            # submit_row is the intake contract's INSERT … ON CONFLICT (channel, external_ref)
            # DO NOTHING: None means the row was already received (a resend is harmless).
            if intake.submit_row(row) is not None:
                new += 1
        self.report.submitted += new
        return new

    def _files(
        self, person: SampleCitizen, leave_out: Sequence[str] = ()
    ) -> tuple[tuple[str | None, str, str, bytes], ...]:
        """A small stand-in file per required requirement of the service; ``kind`` names the
        requirement code (the catalogue publishes them).
        """
        service = self._ctx.reference.catalogue.get(person.service_code)
        return tuple(
            (r.code, f"{r.code}.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 " + r.code.encode())
            for r in service.requirements
            if r.required and r.code not in leave_out
        )

    # -- 2. the outbox --------------------------------------------------------------------

    def consume_batch(self) -> int:
        """Claim one batch, send each message, report each outcome; returns how many were
        claimed (0: nothing is due).
        """
        settings = self._settings
        # The claim is its own short transaction: the lease protects the rows afterwards.
        with self._ctx.unit_of_work() as session:
            batch = channel_repo.claim_batch(
                session,
                settings.channel.value,
                settings.worker,
                settings.batch,
                settings.lease,
                now=self._ctx.now(session),
            )
        self.report.claimed += len(batch)
        for message in batch:
            self._send(message)
        return len(batch)

    def _send(self, message: ClaimedMessage) -> None:
        """Send one message outside any transaction, then report the outcome in one."""
        if message.recipient in self._unreachable:
            self._report_failed(message, PERMANENT_REASON, retry=False)
            return
        if self._rng.random() < self._settings.fail_rate:
            self._report_failed(message, TRANSIENT_REASON, retry=True)
            return
        # A real bot gets its id from the channel's API; it must be unique in the channel.
        external_ref = f"{self._settings.prefix}-out-{message.id}"
        with self._ctx.unit_of_work() as session:
            outcome = channel_repo.report_sent(
                session, message.id, self._settings.worker, external_ref, now=self._ctx.now(session)
            )
        if outcome is Report.REFUSED:
            # Our lease lapsed and another worker claimed the message: it is theirs now.
            self.report.refused += 1
            return
        self.report.sent += 1
        self._awaiting_receipt.append(external_ref)
        self.answer(message)

    def _report_failed(self, message: ClaimedMessage, reason: str, *, retry: bool) -> None:
        with self._ctx.unit_of_work() as session:
            outcome = channel_repo.report_failed(
                session,
                message.id,
                self._settings.worker,
                reason,
                retry,
                now=self._ctx.now(session),
            )
            given_up = retry and message.attempts >= channel_repo.MAX_ATTEMPTS
        if outcome is Report.REFUSED:
            self.report.refused += 1
        elif retry and not given_up:
            self.report.retried += 1
        else:
            self.report.failed += 1

    def deliver_receipts(self) -> int:
        """Report delivered what was sent before (the network's receipts arrive later, by the
        channel's own id); returns how many.
        """
        delivered = 0
        for external_ref in self._awaiting_receipt:
            with self._ctx.unit_of_work() as session:
                outcome = channel_repo.report_delivered(
                    session, self._settings.channel.value, external_ref, now=self._ctx.now(session)
                )
            delivered += outcome is Report.APPLIED
        self._awaiting_receipt.clear()
        self.report.delivered += delivered
        return delivered

    # -- 3. the citizen answers -----------------------------------------------------------

    def answer(self, message: ClaimedMessage) -> None:
        """The citizen's reply to a message they received, if it calls for one."""
        if message.kind == MessageKind.NEEDS_REVISION:
            person = self._applicant_of(message.request_number)
            if person is not None:
                self._submit(self.resubmission_row(message, person))
                self.report.resubmitted += 1
        elif (
            message.kind == MessageKind.READY_FOR_PICKUP
            and self._rng.random() < self._settings.reschedule_rate
        ):
            person = self._applicant_of(message.request_number)
            if person is not None:
                self._submit(pickup_reschedule_row(self._settings.channel, message, person))
                self.report.rescheduled += 1

    def resubmission_row(self, message: ClaimedMessage, person: SampleCitizen) -> IncomingRow:
        """The answer to a revision request: the corrected form with every required file,
        ``reply_to_number`` naming the request (the desk then updates that request instead of
        making a new one). Its ``external_ref`` is derived from the message answered, so a
        repeated answer is a no-op.
        """
        return IncomingRow(
            channel=self._settings.channel.value,
            external_ref=f"{self._settings.prefix}-perbaikan-{message.id}",
            service_code=person.service_code,
            payload=json.dumps(dict(person.payload)),
            sender=person.contact(self._settings.channel),
            reply_to_number=message.request_number,
            attachments=self._files(person),
        )

    def _applicant_of(self, number: str) -> SampleCitizen | None:
        """Which of our applicants a request number belongs to (read back through the intake
        contract: ``incoming_request.service_request_id`` → ``service_request.number``).
        """
        refs = [self.external_ref(i) for i in range(self._settings.citizens)]
        with self._ctx.reading() as session:
            rows = channel_repo.read_back(session, self._settings.channel.value, refs)
        for row in rows:
            if row.number == number:
                return self.citizen(refs.index(row.external_ref))
        log.info("pesan untuk permohonan %s yang tidak dikirim simulator ini", number)
        return None

    def _submit(self, row: IncomingRow) -> None:
        if IntakeOps(self._ctx).submit_row(row) is None:
            log.info("balasan %s sudah pernah dikirim", row.external_ref)


def pickup_reschedule_row(
    channel: Channel, message: ClaimedMessage, person: SampleCitizen
) -> IncomingRow:
    """The citizen's "JADWAL ULANG" answer to a pickup appointment, as an intake row.

    A reply row of the request's service with ``reply_to_number`` = the request number and
    the payload ``{"jadwal_ulang": true}`` (optionally ``"tanggal"``: the ISO date the citizen
    prefers; see ``docs/pickup.md``). This function is the one place the reference channel
    builds it.
    """
    return IncomingRow(
        channel=channel.value,
        external_ref=f"jadwal-{channel.value}-{message.id}",
        service_code=person.service_code,
        payload=json.dumps({RESCHEDULE_FIELD: True}),
        sender=person.contact(channel),
        reply_to_number=message.request_number,
    )
