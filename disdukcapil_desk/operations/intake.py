"""Ingest: turning pending intake rows into requests, or quarantining them (operations layer)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from disdukcapil_desk.db.errors import is_transient
from disdukcapil_desk.db.repositories import counters, notify, reference, requests
from disdukcapil_desk.db.repositories import findings as findings_repo
from disdukcapil_desk.db.repositories import intake as intake_repo
from disdukcapil_desk.db.repositories import verification as checks_repo
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
from disdukcapil_desk.domain.errors import DatabaseError
from disdukcapil_desk.domain.findings import (
    ATTACHMENT_MISSING,
    Finding,
    Severity,
    missing_attachments,
)
from disdukcapil_desk.domain.intake import (
    IntakeRejected,
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
from disdukcapil_desk.domain.workflow import Action, Permission, Status, check_transition, require
from disdukcapil_desk.log import redact
from disdukcapil_desk.operations.audit import AuditBuffer, record
from disdukcapil_desk.operations.boundaries import check_unrouted
from disdukcapil_desk.operations.context import DeskContext

log = logging.getLogger("disdukcapil_desk.intake")

BATCH_SIZE = 200
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

        Each row runs in a savepoint: a row that cannot become a request, or that fails in any
        unexpected way, is quarantined with its reason and the batch goes on. A transient
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
        """One batch in one transaction; its report counts only once it is committed."""
        self._audit.rollback_to(0)  # nothing from an attempt that failed as a whole
        batch_report = IngestReport()
        with self._ctx.unit_of_work() as session:
            intake_repo.take_ingest_turn(session)
            rows = intake_repo.lock_pending_batch(session, batch_size)
            attachments = intake_repo.attachments_of_rows(session, [r.id for r in rows])
            batch = _Batch(routing, batch_report, attachments)
            for row in rows:
                self._ingest_row(session, row, batch)
            for location in sorted(batch.changed_queues):
                notify.queue_changed(session, location)
            self._audit.write(session)
        return batch_report

    def _routing(self) -> _Routing:
        with self._ctx.reading() as session:
            return _Routing(
                reference.offices(session),
                reference.kecamatan_coverage(session),
                reference.sla_days(session),
            )

    def _ingest_row(self, session: Session, row: IncomingRecord, batch: _Batch) -> None:
        row_id, report = row.id, batch.report
        mark = self._audit.mark()
        try:
            with session.begin_nested():
                resubmission, location = self._process(session, row, batch)
        except Exception as exc:  # any failure of one row quarantines that row, never the queue
            if is_transient(exc):
                raise
            self._audit.rollback_to(mark)
            self._quarantine(session, row_id, self._reason(row_id, exc), report)
            return
        batch.changed_queues.add(location)
        report.rows += 1
        if resubmission:
            report.resubmissions += 1
        else:
            report.created += 1

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

    def _quarantine(self, session: Session, row_id: int, reason: str, report: IngestReport) -> None:
        intake_repo.quarantine(session, row_id, self._ctx.now(session), reason)
        report.rows += 1
        report.quarantined += 1
        report.quarantine_reasons.append((row_id, reason))

    def _process(self, session: Session, row: IncomingRecord, batch: _Batch) -> tuple[bool, str]:
        """Turn one incoming row into a request (or a resubmission); return whether it was a
        resubmission and the office whose queue changed.
        """
        received_on = office_date(row.received_at)
        parsed = parse_incoming(
            self._ctx.reference.intake_rules,
            row.service_code,
            row.payload,
            row.sender,
            received_on,
        )
        if row.reply_to_number and row.reply_to_number.strip():
            target = self._resubmit(session, row, parsed)
        else:
            target = self._create(session, row, parsed, batch)
        self._link_attachments(session, batch.attachments.get(row.id, ()), target, parsed)
        row.service_request_id = target.id
        row.ingested_at = self._ctx.now(session)
        row.ingest_error = None
        return bool(row.reply_to_number and row.reply_to_number.strip()), target.location_code

    def _create(
        self,
        session: Session,
        row: IncomingRecord,
        parsed: ParsedIntake,
        batch: _Batch,
    ) -> RequestRecord:
        service, routing = parsed.service, batch.routing
        received_on = office_date(row.received_at)
        location = route(
            service, row.location_code, parsed.kecamatan_code, routing.offices, routing.coverage
        )
        sequence = counters.allocate(
            session, REQUEST_COUNTER, location, request_period(received_on)
        )
        sla_days = routing.sla_days.get(service.code, service.sla_days)
        now = self._ctx.now(session)
        request = requests.new(
            number=request_number(location, received_on, sequence),
            service_code=service.code,
            location_code=location,
            channel=row.channel,
            received_at=row.received_at,
            contact=parsed.contact,
            payload=row.payload,
            status=Status.NEW.value,
            version=1,
            sla_due=self._ctx.reference.calendar.add_working_days(received_on, sla_days),
            resubmission_count=0,
            created_at=now,
            updated_at=now,
            updated_by=SYSTEM_ACTOR.login,
        )
        apply_applicant(request, parsed)
        requests.insert(session, request)
        self._flag_duplicate(session, request, batch.report)
        replace_findings(session, request.id, parsed, now, fresh=True)
        checks_repo.add_pending(session, request.id, [r.code for r in service.requirements])
        self._audit.add(
            SYSTEM_ACTOR,
            "intake",
            "service_request",
            request.number,
            after={
                "status": Status.NEW.value,
                "service": service.code,
                "location": location,
                "channel": row.channel,
                "nik": mask_number(parsed.nik),
            },
            detail=f"incoming_request {row.id}",
        )
        return request

    def _flag_duplicate(
        self, session: Session, request: RequestRecord, report: IngestReport
    ) -> None:
        other = requests.open_duplicate(session, request)
        if other is None:
            return
        other_id, other_number = other
        request.possible_duplicate_of = other_id
        report.duplicates_flagged += 1
        duplicate = Finding(
            "possible_duplicate",
            Severity.WARNING,
            f"Kemungkinan ganda: permohonan {other_number} untuk orang dan "
            "layanan yang sama masih berjalan",
            "nik",
        )
        findings_repo.add(session, request.id, [duplicate], self._ctx.now(session))

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


@dataclass(slots=True)
class _Batch:
    """What the rows of one ingest batch share: the routing tables, the run's report, their
    attachments (read in one query) and the offices whose queues changed (announced once each
    at the end of the batch).
    """

    routing: _Routing
    report: IngestReport
    attachments: Mapping[int, Sequence[tuple[int, str | None]]]
    changed_queues: set[str] = field(default_factory=set)


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
    (KK, desa…) from parsed intake data; called at ingest, on a resubmission and whenever the
    officer edits fields, so the columns follow the payload.
    """
    request.nik = parsed.nik
    request.no_kk = parsed.no_kk
    request.applicant_name = parsed.applicant_name
    request.subject_nik = parsed.subject_nik
    request.subject_name = parsed.subject_name
    request.birth_date = parsed.birth_date
    request.sex = parsed.sex
    request.kode_desa = parsed.kode_desa
    request.kecamatan_code = parsed.kecamatan_code


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
