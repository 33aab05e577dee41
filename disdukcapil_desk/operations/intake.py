"""Ingest: turning pending intake rows into requests, or quarantining them (operations layer)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from disdukcapil_desk.db.errors import is_transient
from disdukcapil_desk.db.repositories import counters, reference, requests
from disdukcapil_desk.db.repositories import findings as findings_repo
from disdukcapil_desk.db.repositories import intake as intake_repo
from disdukcapil_desk.db.repositories import intake_batch as batch_repo
from disdukcapil_desk.db.repositories.intake import IncomingRecord
from disdukcapil_desk.db.repositories.requests import RequestRecord
from disdukcapil_desk.domain.catalogue import Service as CatalogueService
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.dto import (
    SYSTEM_ACTOR,
    Actor,
    CancelFn,
    IngestReport,
    ProgressFn,
    QuarantinedRow,
)
from disdukcapil_desk.domain.duplicates import Parties, find_duplicates, looked_up_niks
from disdukcapil_desk.domain.errors import DatabaseError
from disdukcapil_desk.domain.findings import (
    ATTACHMENT_MISSING,
    Finding,
    Severity,
    missing_attachments,
)
from disdukcapil_desk.domain.intake import (
    IntakeRejected,
    IntakeRules,
    ParsedIntake,
    parse_incoming,
    read_parties,
)
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.numbering import (
    REQUEST_COUNTER,
    normalize_request_number,
    request_number,
    request_period,
)
from disdukcapil_desk.domain.routing import Office, route
from disdukcapil_desk.domain.vocabulary import CheckState
from disdukcapil_desk.domain.workflow import Action, Permission, Status, check_transition, require
from disdukcapil_desk.log import redact
from disdukcapil_desk.operations.audit import AuditBuffer, record
from disdukcapil_desk.operations.boundaries import check_unrouted
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.outbox import (
    Addressee,
    NoticeSender,
    notice_sender,
    received_message,
)
from disdukcapil_desk.operations.pickup import pickup_reply

log = logging.getLogger("disdukcapil_desk.intake")

BATCH_SIZE = 500
"""Rows of one ingest transaction. Each commit of a batch makes SQLite write its changed index
pages back (a checkpoint, with its syncs), so fewer, larger batches ingest faster (measured at
1,000,000 requests: 200 rows 1,830 rows/s, 500 rows 2,115, 1,000 rows 2,390), while a batch
holds SQLite's write lock (about a quarter of a second at 500 rows: the longest a claim at the
counter waits behind ingest)."""
RETRIES = 8
"""Attempts of one batch before a transient database error is given to the caller."""


@dataclass(frozen=True)
class IncomingRow:
    """A row as a channel writes it into ``incoming_request`` (with its attachments)."""

    channel: str
    external_ref: str
    service_code: str
    payload: str
    sender: str
    received_at: dt.datetime | None = None
    location_code: str | None = None
    reply_to_number: str | None = None
    attachments: tuple[tuple[str | None, str, str, bytes], ...] = ()
    """(requirement code or None, filename, media type, bytes)."""


@dataclass(frozen=True)
class _Routing:
    offices: tuple[Office, ...]
    coverage: dict[str, str]
    sla_days: dict[str, int]
    sender: NoticeSender
    """Who signs the "received" messages, and the offices' names."""
    rules: IntakeRules
    """What rows are checked against, one object for the run (it keeps what it worked out)."""


class IntakeOps:
    """Receive rows as a channel would, and ingest pending rows into the queue."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx
        self._audit = AuditBuffer(ctx)

    def submit_row(self, row: IncomingRow) -> int | None:
        """Write one intake row (and its attachments) the way a channel does.

        A text holding NUL (which PostgreSQL cannot store and SQLite can) is kept with the NUL
        replaced by U+FFFD and the row quarantined on arrival: the same on both databases, and
        nothing the citizen sent is lost.

        Returns:
            The row id, or None when (channel, external_ref) was already received.
        """
        row, refusal = _without_nul(row)
        with self._ctx.unit_of_work() as session:
            row_id = intake_repo.insert_incoming(
                session,
                channel=row.channel,
                external_ref=row.external_ref,
                received_at=row.received_at or self._ctx.now(session),
                sender=row.sender,
                service_code=row.service_code,
                payload=row.payload,
                location_code=row.location_code,
                reply_to_number=row.reply_to_number,
            )
            if row_id is not None and refusal:
                intake_repo.quarantine(session, row_id, self._ctx.now(session), refusal)
            if row_id is not None:
                for kind, filename, media_type, content in row.attachments:
                    intake_repo.add_attachment(
                        session,
                        row_id,
                        kind=kind,
                        filename=filename,
                        media_type=media_type,
                        content=content,
                    )
            return row_id

    def quarantined(self, actor: Actor, limit: int = 500) -> list[QuarantinedRow]:
        """The quarantined intake rows, newest first, with their reasons."""
        require(actor, Permission.REQUEUE_INTAKE)
        check_unrouted(actor)
        with self._ctx.reading() as session:
            return intake_repo.quarantined_rows(session, limit)

    def requeue(self, actor: Actor, row_ids: Sequence[int], note: str = "") -> int:
        """Send quarantined rows back to the intake queue after their cause was fixed.

        Each row is audited with the reason it had; rows that are not quarantined are skipped.

        Returns:
            How many rows wait to be ingested again.
        """
        require(actor, Permission.REQUEUE_INTAKE)
        check_unrouted(actor)
        with self._ctx.unit_of_work() as session:
            reasons = intake_repo.requeue(session, sorted(set(row_ids)))
            for row_id, reason in sorted(reasons.items()):
                record(
                    self._ctx,
                    session,
                    actor,
                    "requeue_intake",
                    "incoming_request",
                    str(row_id),
                    before={"ingest_error": reason},
                    after={"ingest_error": None},
                    detail=note.strip()[:500],
                )
            return len(reasons)

    def refresh_parties(self, batch_size: int = 1000) -> int:
        """Re-read the applicant and the subject of every request from its payload with the
        catalogue's roles (after the upgrade that added the subject, or a catalogue change);
        one transaction per batch, one audit entry per batch that changed something.

        Returns:
            How many requests changed.
        """
        catalogue = self._ctx.reference.catalogue
        changed_total, after_id = 0, 0
        while True:
            with self._ctx.unit_of_work() as session:
                rows = requests.parties_after(session, after_id, batch_size)
                if not rows:
                    return changed_total
                after_id = rows[-1].id
                updates = [
                    u
                    for r in rows
                    if r.service_code in catalogue
                    for u in [_party_update(catalogue.get(r.service_code), r)]
                    if u is not None
                ]
                if updates:
                    requests.update_parties(session, updates)
                    record(
                        self._ctx,
                        session,
                        SYSTEM_ACTOR,
                        "refresh_parties",
                        "service_request",
                        f"{rows[0].id}-{after_id}",
                        after={"changed": len(updates)},
                        detail="pemohon dan atas nama dibaca ulang dari data permohonan",
                    )
                changed_total += len(updates)

    def pending_count(self) -> int:
        """Return how many rows wait to be ingested."""
        with self._ctx.reading() as session:
            return intake_repo.pending_count(session)

    def ingest(
        self,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> IngestReport:
        """Ingest every pending row, batch by batch (one transaction per batch).

        A batch's new requests are written together (a few statements whatever its size); a
        row that cannot become a request, or that fails in any unexpected way (also while the
        batch is written: it is then written again row by row, each in a savepoint), is
        quarantined with its reason and the batch goes on. A transient
        database error (a deadlock, a busy file, a lost connection) is never the row's fault:
        the batch is rolled back and tried again, and after ``RETRIES`` attempts the error is
        raised with nothing quarantined for it.
        """
        report = IngestReport()
        total = self.pending_count()
        routing = self._routing()
        while not (cancelled and cancelled()):
            batch_report = self._batch_with_retries(routing, batch_size, report)
            report.add(batch_report)
            if not batch_report.rows:
                break
            if progress:
                progress(report.rows, max(total, report.rows))
        report.cancelled = bool(cancelled and cancelled())
        return report

    def _batch_with_retries(
        self, routing: _Routing, batch_size: int, report: IngestReport
    ) -> IngestReport:
        for attempt in range(1, RETRIES + 1):
            try:
                return self._batch(routing, batch_size)
            except (DBAPIError, DatabaseError) as exc:
                # unit_of_work gives the driver's error as the domain's, with it as the cause
                cause = exc if isinstance(exc, DBAPIError) else exc.__cause__
                if cause is None or not is_transient(cause) or attempt == RETRIES:
                    raise
                report.retries += 1
                log.warning("ingest batch retried after a transient error: %s", type(cause))
                time.sleep(random.uniform(0.02, 0.05) * 2**attempt)
        raise AssertionError("unreachable")

    def _batch(self, routing: _Routing, batch_size: int) -> IngestReport:
        """One batch in one transaction; its report counts only once it is committed.

        Each row is read, checked and routed in Python; the new requests are then written
        together (``_write_creates``), and the intake rows marked in one statement.
        """
        self._audit.rollback_to(0)  # nothing from an attempt that failed as a whole
        batch_report = IngestReport()
        with self._ctx.unit_of_work() as session:
            intake_repo.take_ingest_turn(session)
            rows = intake_repo.lock_pending_batch(session, batch_size)
            attachments = intake_repo.attachments_of_rows(session, [r.id for r in rows])
            batch = _Batch(routing, batch_report, attachments)
            for row in rows:
                self._ingest_row(session, row, batch)
            self._write_creates(session, batch)
            batch_repo.mark_handled(session, self._ctx.now(session), batch.outcomes)
            batch_repo.queues_changed(session, sorted(batch.changed_queues))
            self._audit.write(session)
        batch_report.quarantine_reasons.sort()
        return batch_report

    def _routing(self) -> _Routing:
        with self._ctx.reading() as session:
            return _Routing(
                reference.offices(session),
                reference.kecamatan_coverage(session),
                reference.sla_days(session),
                notice_sender(session),
                self._ctx.reference.intake_rules,
            )

    def _ingest_row(self, session: Session, row: IncomingRecord, batch: _Batch) -> None:
        """Check one row; a new request waits in ``batch.pending``, a resubmission is applied
        now in a savepoint (after the waiting requests are written when it may answer one of
        them, so it finds every request that came before it).
        """
        row_id, report = row.id, batch.report
        resubmission = _is_resubmission(row)
        if resubmission and _may_answer_pending(row, batch.pending):
            self._write_creates(session, batch)
        mark = self._audit.mark()
        try:
            if resubmission:
                with session.begin_nested():
                    _, location = self._process(session, row, batch)
            else:
                self._process(session, row, batch)
        except Exception as exc:  # any failure of one row quarantines that row, never the queue
            if is_transient(exc):
                raise
            self._audit.rollback_to(mark)
            self._quarantine(row_id, self._reason(row_id, exc), batch)
            return
        if resubmission:
            batch.changed_queues.add(location)
            report.rows += 1
            report.resubmissions += 1

    @staticmethod
    def _reason(row_id: int, exc: Exception) -> str:
        """The quarantine reason: the rule it breaks, or what failed (transient errors never
        reach here).
        """
        if isinstance(exc, IntakeRejected):
            return str(exc)
        log.error("ingest of incoming row %s failed: %s", row_id, type(exc).__name__)
        # The reason is stored and shown: no NIK or row values a driver's message may quote.
        if isinstance(exc, DBAPIError):
            return redact(f"kesalahan basis data: {type(exc.orig).__name__}: {exc.orig}")[:500]
        return redact(f"kesalahan internal: {type(exc).__name__}: {exc}")[:500]

    @staticmethod
    def _quarantine(row_id: int, reason: str, batch: _Batch) -> None:
        batch.outcomes[row_id] = (None, reason)
        batch.report.rows += 1
        batch.report.quarantined += 1
        batch.report.quarantine_reasons.append((row_id, reason))

    def _process(self, session: Session, row: IncomingRecord, batch: _Batch) -> tuple[bool, str]:
        """Check one incoming row: a new request joins ``batch.pending`` (written with the
        batch), a resubmission is applied to its request now; return whether it was a
        resubmission and the office whose queue changes.
        """
        rescheduled = pickup_reply(self._ctx, session, row)  # "jadwal ulang": another window
        if rescheduled is not None:
            batch.outcomes[row.id] = (rescheduled.id, None)
            return True, rescheduled.location_code
        received_on = office_date(row.received_at)
        parsed = parse_incoming(
            batch.routing.rules,
            row.service_code,
            row.payload,
            row.sender,
            received_on,
        )
        if _is_resubmission(row):
            target = self._resubmit(session, row, parsed)
            self._link_attachments(session, batch.attachments.get(row.id, ()), target, parsed)
            batch.outcomes[row.id] = (target.id, None)
            return True, target.location_code
        pending = self._plan(row, parsed, batch)
        batch.pending.append(pending)
        return False, pending.location

    def _plan(self, row: IncomingRecord, parsed: ParsedIntake, batch: _Batch) -> _NewRequest:
        """A new request ready to be written, everything decided but its number and id."""
        service, routing = parsed.service, batch.routing
        received_on = office_date(row.received_at)
        location = route(
            service, row.location_code, parsed.kecamatan_code, routing.offices, routing.coverage
        )
        sla_days = routing.sla_days.get(service.code, service.sla_days)
        known = {r.code for r in service.requirements}
        links = tuple(
            (attachment_id, kind if kind in known else None)
            for attachment_id, kind in batch.attachments.get(row.id, ())
        )
        return _NewRequest(
            row=row,
            parsed=parsed,
            location=location,
            received_on=received_on,
            sla_due=self._ctx.reference.calendar.add_working_days(received_on, sla_days),
            attachments=links,
        )

    def _write_creates(self, session: Session, batch: _Batch) -> None:
        """Write the batch's pending new requests together; if that fails because of a row,
        write them again one by one, each in a savepoint, so only the failing row is quarantined
        (with its reason) and the others land with consecutive numbers.
        """
        pending, batch.pending = batch.pending, []
        if not pending:
            return
        try:
            with session.begin_nested():
                written = self._insert_new(session, pending, batch.routing.sender)
        except Exception as exc:
            if is_transient(exc):
                raise
            log.info("ingest batch written row by row after %s", type(exc).__name__)
        else:
            self._count_created(written, batch)
            return
        for one in pending:
            try:
                with session.begin_nested():
                    written = self._insert_new(session, [one], batch.routing.sender)
            except Exception as exc:  # this row's own failure: quarantine it, keep the others
                if is_transient(exc):
                    raise
                self._quarantine(one.row.id, self._reason(one.row.id, exc), batch)
            else:
                self._count_created(written, batch)

    def _insert_new(
        self, session: Session, pending: Sequence[_NewRequest], sender: NoticeSender
    ) -> list[_Written]:
        """Number and insert new requests with their duplicate flags, findings, checklists,
        attachment links and "received" messages: a few multi-row statements whatever their
        count.
        """
        wants = Counter((p.location, request_period(p.received_on)) for p in pending)
        following = counters.reserve(session, REQUEST_COUNTER, wants)
        now = self._ctx.now(session)
        numbers = []
        for p in pending:
            key = (p.location, request_period(p.received_on))
            numbers.append(request_number(p.location, p.received_on, following[key]))
            following[key] += 1
        ids = batch_repo.new_request_ids(session, len(pending))
        written = [_Written(p, i, n) for p, i, n in zip(pending, ids, numbers, strict=True)]
        duplicates = self._duplicates(session, written)
        rows = []
        for w in written:
            w.duplicate_of = duplicates.get(w.id)
            duplicate_id = w.duplicate_of[0] if w.duplicate_of else None
            columns = _request_columns(w.new, w.number, now)
            rows.append({"id": w.id, **columns, "possible_duplicate_of": duplicate_id})
        batch_repo.insert_requests(session, rows)
        findings, checks, links = [], [], []
        for w in written:
            found = [duplicate_finding(w.duplicate_of[1])] if w.duplicate_of else []
            found += w.new.parsed.findings
            attached = [code for _, code in w.new.attachments]
            found += missing_attachments(w.new.parsed.service.requirements, attached)
            findings += [_finding_columns(w.id, f, now) for f in found]
            checks += [_check_columns(w.id, r.code) for r in w.new.parsed.service.requirements]
            links += [
                {"service_request_id": w.id, "incoming_attachment_id": a, "requirement_code": c}
                for a, c in w.new.attachments
            ]
        batch_repo.insert_findings(session, findings)
        batch_repo.insert_checks(session, checks)
        batch_repo.insert_attachment_links(session, links)
        batch_repo.insert_messages(
            session,
            [
                received_message(self._ctx, _addressee(w), sender, at=now, by=SYSTEM_ACTOR.login)
                for w in written
            ],
        )
        return written

    @staticmethod
    def _duplicates(session: Session, written: Sequence[_Written]) -> dict[int, tuple[int, str]]:
        """The open request each new one may duplicate (``domain.duplicates``): one query for
        the requests already written, the batch's own compared in memory.
        """
        new = []
        for w in written:
            parsed = w.new.parsed
            new.append(
                Parties(
                    w.id,
                    w.number,
                    parsed.service.code,
                    parsed.nik,
                    parsed.subject_nik,
                    parsed.subject_name,
                )
            )
        older = batch_repo.open_requests_about(session, *looked_up_niks(new))
        return find_duplicates(older, new)

    def _count_created(self, written: Sequence[_Written], batch: _Batch) -> None:
        """Count written requests into the batch: report, audit line, queue, intake row."""
        for w in written:
            new, parsed = w.new, w.new.parsed
            batch.outcomes[new.row.id] = (w.id, None)
            batch.changed_queues.add(new.location)
            batch.report.rows += 1
            batch.report.created += 1
            if w.duplicate_of:
                batch.report.duplicates_flagged += 1
            self._audit.add(
                SYSTEM_ACTOR,
                "intake",
                "service_request",
                w.number,
                after={
                    "status": Status.NEW.value,
                    "service": parsed.service.code,
                    "location": new.location,
                    "channel": new.row.channel,
                    "nik": mask_number(parsed.nik),
                },
                detail=f"incoming_request {new.row.id}",
            )

    def _resubmit(
        self, session: Session, row: IncomingRecord, parsed: ParsedIntake
    ) -> RequestRecord:
        number = normalize_request_number(row.reply_to_number or "")
        target = requests.by_number(session, number, for_update=self._ctx.postgresql)
        if target is None:
            raise IntakeRejected(
                f"perbaikan untuk nomor permohonan {number[:40]!r} yang tidak dikenal"
            )
        status = Status(target.status)
        if not status.is_open:
            raise IntakeRejected(
                f"permohonan {number} sudah berstatus '{status.label}'; kirim permohonan baru"
            )
        if status not in _CITIZEN_MAY_CHANGE:
            raise IntakeRejected(
                f"permohonan {number} sudah berstatus '{status.label}': datanya sudah diperiksa "
                "dan tidak dapat diubah lewat pesan; hubungi kantor bila ada yang salah"
            )
        if target.service_code != parsed.service.code:
            raise IntakeRejected(
                f"perbaikan untuk layanan {parsed.service.code!r}, sedangkan permohonan "
                f"{number} untuk layanan {target.service_code!r}"
            )
        merged = _merge_payload(target.payload, parsed.payload)
        reparsed = parse_incoming(
            self._ctx.reference.intake_rules,
            target.service_code,
            merged,
            target.contact,
            office_date(target.received_at),
        )
        before = {"status": target.status, "version": target.version}
        target.payload = merged
        apply_applicant(target, reparsed)
        replace_findings(session, target.id, reparsed, self._ctx.now(session))
        if status is Status.NEEDS_REVISION:
            target.status = check_transition(Action.RESUBMIT, status, SYSTEM_ACTOR).value
            target.citizen_message = None
        target.resubmission_count += 1
        target.version += 1
        target.updated_at = self._ctx.now(session)
        target.updated_by = SYSTEM_ACTOR.login
        self._audit.add(
            SYSTEM_ACTOR,
            "resubmit",
            "service_request",
            target.number,
            before=before,
            after={"status": target.status, "version": target.version},
            detail=f"incoming_request {row.id}",
        )
        return target

    def _link_attachments(
        self,
        session: Session,
        attachments: Sequence[tuple[int, str | None]],
        target: RequestRecord,
        parsed: ParsedIntake,
    ) -> None:
        known = {r.code for r in parsed.service.requirements}
        links = [
            (attachment_id, kind if kind in known else None) for attachment_id, kind in attachments
        ]
        intake_repo.link_attachments(session, target.id, links)
        refresh_attachment_findings(session, target.id, parsed.service, self._ctx.now(session))


_NUL_FIELDS = (
    "channel",
    "external_ref",
    "sender",
    "service_code",
    "payload",
    "location_code",
    "reply_to_number",
)


def _without_nul(row: IncomingRow) -> tuple[IncomingRow, str]:
    """The row with NUL replaced in its texts, and the quarantine reason ("" when none)."""
    spoiled = [name for name in _NUL_FIELDS if "\x00" in (getattr(row, name) or "")]
    if not spoiled:
        return row, ""
    clean = {name: getattr(row, name).replace("\x00", "\ufffd") for name in spoiled}
    reason = f"berisi karakter NUL: {', '.join(spoiled)}"
    return dataclasses.replace(row, **clean), reason


@dataclass(frozen=True, slots=True)
class _NewRequest:
    """A row that becomes a new request, checked and routed, waiting for its number."""

    row: IncomingRecord
    parsed: ParsedIntake
    location: str
    received_on: dt.date
    sla_due: dt.date
    attachments: tuple[tuple[int, str | None], ...]
    """(incoming attachment id, requirement code or None when not one of the service's)."""


@dataclass(slots=True)
class _Written:
    """A new request as inserted: its id, number and the open request it may duplicate."""

    new: _NewRequest
    id: int
    number: str
    duplicate_of: tuple[int, str] | None = None


@dataclass(slots=True)
class _Batch:
    """What the rows of one ingest batch share: the routing tables, the run's report, their
    attachments (read in one query), the new requests not yet written, what became of each
    row (marked in one statement at the end) and the offices whose queues changed (announced
    once each at the end of the batch).
    """

    routing: _Routing
    report: IngestReport
    attachments: Mapping[int, Sequence[tuple[int, str | None]]]
    pending: list[_NewRequest] = field(default_factory=list)
    outcomes: dict[int, tuple[int | None, str | None]] = field(default_factory=dict)
    """Row id → (the request it became, None) or (None, the quarantine reason)."""
    changed_queues: set[str] = field(default_factory=set)


_CITIZEN_MAY_CHANGE = frozenset({Status.NEW, Status.IN_REVIEW, Status.NEEDS_REVISION})
"""Statuses in which the citizen's answer may still change the request's data: once it is
approved, the data is what the office checked and entered in SIAK."""


def _addressee(written: _Written) -> Addressee:
    """Whom the "received" message of a request being written goes to."""
    parsed = written.new.parsed
    return Addressee(
        written.id,
        written.number,
        parsed.service.code,
        written.new.location,
        written.new.row.channel,
        parsed.contact,
        parsed.applicant_name,
        parsed.nik,
        parsed.subject_name,
        parsed.subject_nik,
    )


def _is_resubmission(row: IncomingRecord) -> bool:
    return bool(row.reply_to_number and row.reply_to_number.strip())


def _may_answer_pending(row: IncomingRecord, pending: Sequence[_NewRequest]) -> bool:
    """Whether the number a resubmission answers may be one a waiting new request will get
    (the same office and day): only then must those be written before it is looked up.
    """
    series = normalize_request_number(row.reply_to_number or "").rpartition("/")[0]
    return any(series == _series(p.location, p.received_on) for p in pending)


def _series(location: str, received_on: dt.date) -> str:
    """The part of a request number before its sequence: the office and the day."""
    return request_number(location, received_on, 1).rpartition("/")[0]


def _request_columns(new: _NewRequest, number: str, now: dt.datetime) -> dict[str, object]:
    """The ``service_request`` columns of a new request (its id and duplicate flag aside)."""
    row, parsed = new.row, new.parsed
    return {
        "number": number,
        "service_code": parsed.service.code,
        "location_code": new.location,
        "channel": row.channel,
        "received_at": row.received_at,
        "contact": parsed.contact,
        "payload": row.payload,
        "status": Status.NEW.value,
        "version": 1,
        "sla_due": new.sla_due,
        "resubmission_count": 0,
        "created_at": now,
        "updated_at": now,
        "updated_by": SYSTEM_ACTOR.login,
        **_party_columns(parsed),
    }


def _party_columns(parsed: ParsedIntake) -> dict[str, object]:
    """The parties and common columns of parsed intake data (``apply_applicant``'s values)."""
    return {
        "nik": parsed.nik,
        "no_kk": parsed.no_kk,
        "applicant_name": parsed.applicant_name,
        "subject_nik": parsed.subject_nik,
        "subject_name": parsed.subject_name,
        "birth_date": parsed.birth_date,
        "sex": parsed.sex,
        "kode_desa": parsed.kode_desa,
        "kecamatan_code": parsed.kecamatan_code,
    }


def _finding_columns(request_id: int, finding: Finding, now: dt.datetime) -> dict[str, object]:
    """The ``request_finding`` columns of an automatic, unresolved finding."""
    return {
        "service_request_id": request_id,
        "code": finding.code,
        "severity": finding.severity.value,
        "field": finding.field,
        "message": finding.message,
        "source": "auto",
        "resolved": False,
        "created_at": now,
    }


def _check_columns(request_id: int, requirement_code: str) -> dict[str, object]:
    """The ``requirement_check`` columns of a requirement not yet checked."""
    return {
        "service_request_id": request_id,
        "requirement_code": requirement_code,
        "state": CheckState.PENDING.value,
        "note": "",
    }


def duplicate_finding(other_number: str) -> Finding:
    """The warning on a request whose person and service match another open request."""
    return Finding(
        "possible_duplicate",
        Severity.WARNING,
        f"Kemungkinan ganda: permohonan {other_number} untuk orang dan "
        "layanan yang sama masih berjalan",
        "nik",
    )


def _party_update(service: CatalogueService, row: Any) -> dict[str, object] | None:
    """The new party columns of a request row, or None when they are already right."""
    try:
        payload = json.loads(row.payload)
    except json.JSONDecodeError:
        return None
    if not isinstance(payload, dict):
        return None
    parties = read_parties(service, payload)
    values = {
        "nik": parties.applicant_nik,
        "applicant_name": parties.applicant_name,
        "subject_nik": parties.subject_nik,
        "subject_name": parties.subject_name,
    }
    if all(getattr(row, k) == v for k, v in values.items()):
        return None
    return {"id": row.id, **values}


def apply_applicant(request: RequestRecord, parsed: ParsedIntake) -> None:
    """Copy the parties (the applicant's NIK and name, the subject's) and the common columns
    (KK, desa…) from parsed intake data; called on a resubmission and whenever the officer
    edits fields (a new request gets the same values in its insert), so the columns follow the
    payload.
    """
    for name, value in _party_columns(parsed).items():
        setattr(request, name, value)


def replace_findings(
    session: Session,
    request_id: int,
    parsed: ParsedIntake,
    now: dt.datetime,
    *,
    fresh: bool = False,
) -> None:
    """Replace a request's automatic findings (duplicates stay) with those of ``parsed``;
    ``fresh``: the request was just created, there is nothing to replace.
    """
    if not fresh:
        findings_repo.delete_automatic(
            session, request_id, keep=("possible_duplicate", ATTACHMENT_MISSING)
        )
    add_findings(session, request_id, parsed.findings, now)


def add_findings(
    session: Session, request_id: int, found: Iterable[Finding], now: dt.datetime
) -> None:
    """Record automatic findings of a request (unresolved)."""
    findings_repo.add(session, request_id, found, now)


def refresh_attachment_findings(
    session: Session, request_id: int, service: CatalogueService, now: dt.datetime
) -> None:
    """Compute again which required documents no attachment of the request is marked for."""
    intake_repo.delete_findings(session, request_id, ATTACHMENT_MISSING)
    attached = intake_repo.attachment_codes(session, request_id)
    add_findings(session, request_id, missing_attachments(service.requirements, attached), now)


def _merge_payload(current: str, update: dict[str, object]) -> str:
    try:
        merged = json.loads(current)
    except json.JSONDecodeError:
        merged = {}
    if not isinstance(merged, dict):
        merged = {}
    merged.update({k: v for k, v in update.items() if v not in (None, "")})
    return json.dumps(merged, ensure_ascii=False)
