"""Walk-ins: a counter officer registers the request of a citizen standing at the counter
(channel ``loket``; operations layer).

The request is checked by the same rules as a channel's row (``domain.intake.parse_incoming``:
the catalogue's fields, NIK and KK rules, names, wilayah), numbered from the same counter of
(office, day), checked for an open duplicate, told to the citizen ("received", by WhatsApp or
e-mail) and audited; it is then claimed by the officer who typed it, straight into
verification. Unlike a channel's row, a walk-in with an error is refused, not quarantined: the
officer corrects it with the citizen still there, and nothing is written.

Offline (on the workstation's local copy) the number is drawn from the blocks the workstation
reserved (``DeskContext.request_numbers``, ``offline/numbers.py``); back online the server
registers the walk-in with that number and the time the citizen came
(:meth:`WalkInOps.register_synced`), only if the number lies in that workstation's block.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import counters, notify, reference, requests
from disdukcapil_desk.db.repositories import findings as findings_repo
from disdukcapil_desk.db.repositories import intake as intake_repo
from disdukcapil_desk.db.repositories import verification as checks_repo
from disdukcapil_desk.db.repositories import walk_in as walk_in_repo
from disdukcapil_desk.db.repositories.requests import RequestRecord
from disdukcapil_desk.domain.catalogue import Service
from disdukcapil_desk.domain.clock import WIB, office_date
from disdukcapil_desk.domain.delivery import MessageKind
from disdukcapil_desk.domain.dto import Actor, Lease
from disdukcapil_desk.domain.errors import ClaimError
from disdukcapil_desk.domain.findings import Severity, missing_attachments
from disdukcapil_desk.domain.intake import (
    IntakeRejected,
    IntakeRules,
    ParsedIntake,
    parse_incoming,
)
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.numbering import (
    REQUEST_COUNTER,
    looks_like_request_number,
    normalize_request_number,
    request_number,
    request_period,
)
from disdukcapil_desk.domain.offline import OfflineNumberRefused
from disdukcapil_desk.domain.routing import handles
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.domain.walk_in import WalkIn, WalkInAttachment, WalkInResult
from disdukcapil_desk.domain.workflow import Action, Permission, Status, check_transition, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.boundaries import check_office
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import apply_applicant, duplicate_finding
from disdukcapil_desk.operations.offline.numbers import check_synced_number
from disdukcapil_desk.operations.outbox import write_notice

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
"""The largest file one attachment may be (a scan at 300 dpi, a phone photo)."""
MAX_ATTACHMENTS = 20


class WalkInRefused(IntakeRejected):
    """The walk-in cannot be registered as typed; the message says what to correct."""


class WalkInOps:
    """Register requests of citizens who come to the counter in person."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def register(self, actor: Actor, location_code: str, walk_in: WalkIn) -> WalkInResult:
        """Check, number and store a walk-in at ``location_code``, and claim it for ``actor``.

        The number comes from the office's counter of the day, or from the context's
        ``request_numbers`` (the local copy draws from its reserved blocks).

        Raises:
            PermissionDenied: the actor may not register or claim requests, or works at
                another office.
            WalkInRefused: the data breaks a rule (every problem listed, in Indonesian);
                nothing is written.
            OfflineNumbersExhausted: on the local copy, no reserved number is left for today.
        """
        self._check(actor, location_code, walk_in)
        with self._ctx.unit_of_work() as session:
            now = self._ctx.now(session)
            day = office_date(now)

            def numbered(session: Session) -> str:
                sequence = self._next_sequence(session, location_code, day)
                return request_number(location_code, day, sequence)

            return self._register(session, actor, location_code, walk_in, numbered, now)

    def register_synced(
        self,
        actor: Actor,
        location_code: str,
        walk_in: WalkIn,
        number: str,
        received_at: dt.datetime,
        workstation: str,
    ) -> WalkInResult:
        """Register on the server a walk-in made offline on ``workstation``, with the number it
        was given there and ``received_at``, when the citizen was at the counter (the SLA runs
        from that day); claim it for ``actor``. The same checks as :meth:`register`.

        Raises:
            OfflineNumberRefused: ``number`` is not of ``location_code`` and the day of
                ``received_at``, lies outside every block of that office and day reserved by
                ``workstation``, or is already registered; nothing is written.
            PermissionDenied, WalkInRefused: as :meth:`register`.
        """
        self._check(actor, location_code, walk_in)
        number = normalize_request_number(number)
        period = request_period(office_date(received_at))
        sequence = _sequence_of(number, location_code, period)
        with self._ctx.unit_of_work() as session:
            check_synced_number(session, location_code, workstation, period, sequence)
            if requests.by_number(session, number) is not None:
                raise OfflineNumberRefused(f"Nomor {number} sudah terdaftar di server")
            return self._register(
                session, actor, location_code, walk_in, lambda _: number, received_at, workstation
            )

    def _check(self, actor: Actor, location_code: str, walk_in: WalkIn) -> None:
        """What is refused before the database is touched."""
        require(actor, Permission.EDIT_REQUEST)
        check_transition(Action.CLAIM, Status.NEW, actor)
        if actor.user_id is None:
            raise ClaimError("Hanya pengguna yang masuk yang dapat mendaftarkan permohonan")
        check_office(actor, location_code)
        _check_attachments(walk_in.attachments)

    def _next_sequence(self, session: Session, location_code: str, day: dt.date) -> int:
        """The next request number of (office, day): the context's hook, else the counter."""
        if self._ctx.request_numbers is not None:
            return self._ctx.request_numbers(session, location_code, day)
        return counters.allocate(session, REQUEST_COUNTER, location_code, request_period(day))

    def _register(
        self,
        session: Session,
        actor: Actor,
        location_code: str,
        walk_in: WalkIn,
        numbered: Callable[[Session], str],
        received_at: dt.datetime,
        workstation: str | None = None,
    ) -> WalkInResult:
        """Parse, number (``numbered``, once the form passed), insert (received at
        ``received_at``), store the documents, find the duplicate, tell the citizen, audit and
        claim: one walk-in, in ``session``.
        """
        payload = json.dumps(_clean(walk_in.fields), ensure_ascii=False)
        parsed = _parse(self._ctx, walk_in.service_code, payload, office_date(received_at))
        self._check_served(session, location_code, parsed.service)
        number = numbered(session)
        request = self._insert(session, actor, location_code, parsed, payload, number, received_at)
        incoming_id = self._store_documents(session, request, walk_in)
        walk_in_repo.mark_registered(session, incoming_id, request.id, self._ctx.now(session))
        duplicate = requests.open_duplicate(session, request)
        found = list(parsed.findings)
        if duplicate is not None:
            request.possible_duplicate_of = duplicate[0]
            found.insert(0, duplicate_finding(duplicate[1]))
        attached = [a.requirement_code for a in walk_in.attachments]
        found += missing_attachments(parsed.service.requirements, attached)
        findings_repo.add(session, request.id, found, self._ctx.now(session))
        checks_repo.add_pending(session, request.id, (r.code for r in parsed.service.requirements))
        write_notice(self._ctx, session, actor, request, MessageKind.RECEIVED)
        self._audit_intake(session, actor, request, parsed, incoming_id, workstation)
        lease = self._claim(session, actor, request)
        notify.queue_changed(session, location_code)
        return WalkInResult(
            lease,
            duplicate[1] if duplicate else None,
            tuple(f.message for f in found),
        )

    def _check_served(self, session: Session, location_code: str, service: Service) -> None:
        office = next((o for o in reference.offices(session) if o.code == location_code), None)
        if office is None or not handles(office, service):
            raise WalkInRefused(
                f"Layanan {service.name} tidak dilayani di {location_code}; "
                "arahkan pemohon ke kantor yang melayaninya"
            )

    def _insert(
        self,
        session: Session,
        actor: Actor,
        location_code: str,
        parsed: ParsedIntake,
        payload: str,
        number: str,
        received_at: dt.datetime,
    ) -> RequestRecord:
        """Insert the request as ``number`` (status ``new``, as every request starts), due
        after the service's SLA from the day it was received.
        """
        now = self._ctx.now(session)
        service = parsed.service
        sla_days = reference.sla_days(session).get(service.code, service.sla_days)
        request = requests.new(
            number=number,
            service_code=service.code,
            location_code=location_code,
            channel=Channel.LOKET.value,
            received_at=received_at,
            contact=parsed.contact,
            payload=payload,
            status=Status.NEW.value,
            version=1,
            sla_due=self._ctx.reference.calendar.add_working_days(
                office_date(received_at), sla_days
            ),
            resubmission_count=0,
            created_at=now,
            updated_at=now,
            updated_by=actor.login,
        )
        apply_applicant(request, parsed)
        requests.insert(session, request)
        return request

    def _store_documents(self, session: Session, request: RequestRecord, walk_in: WalkIn) -> int:
        """Keep the form as the intake row of the request (where every request's documents
        live) with its attachments, linked to the request; return the row's id.
        """
        row_id = intake_repo.insert_incoming(
            session,
            channel=Channel.LOKET.value,
            external_ref=f"loket-{uuid.uuid4().hex}",
            received_at=request.received_at,
            sender=request.contact,
            service_code=request.service_code,
            payload=request.payload,
            location_code=request.location_code,
        )
        assert row_id is not None, "a fresh external reference is never taken"
        for document in walk_in.attachments:
            intake_repo.add_attachment(
                session,
                row_id,
                kind=document.requirement_code,
                filename=document.filename,
                media_type=document.media_type,
                content=document.content,
            )
        requests.flush(session)
        known = {
            r.code for r in self._ctx.reference.catalogue.get(request.service_code).requirements
        }
        stored = intake_repo.attachments_of_rows(session, [row_id]).get(row_id, [])
        intake_repo.link_attachments(
            session, request.id, [(a, kind if kind in known else None) for a, kind in stored]
        )
        return row_id

    def _audit_intake(
        self,
        session: Session,
        actor: Actor,
        request: RequestRecord,
        parsed: ParsedIntake,
        incoming_id: int,
        workstation: str | None,
    ) -> None:
        detail = f"datang langsung ke loket; incoming_request {incoming_id}"
        if workstation is not None:
            received = request.received_at.astimezone(WIB)
            detail += f"; didaftarkan luring di {workstation} pukul {received:%d-%m-%Y %H.%M}"
        record(
            self._ctx,
            session,
            actor,
            "intake",
            "service_request",
            request.number,
            after={
                "status": Status.NEW.value,
                "service": parsed.service.code,
                "location": request.location_code,
                "channel": Channel.LOKET.value,
                "nik": mask_number(parsed.nik),
            },
            detail=detail,
        )

    def _claim(self, session: Session, actor: Actor, request: RequestRecord) -> Lease:
        """The officer who typed the request holds it (lease, version 2), audited as a claim."""
        assert actor.user_id is not None
        now = self._ctx.now(session)
        expires = now + self._ctx.lease
        taken = requests.take_claim(session, request.id, actor.user_id, now, expires, actor.login)
        if taken is None:  # pragma: no cover - the row was inserted in this transaction
            raise ClaimError(f"Permohonan {request.number} tidak dapat diambil")
        record(
            self._ctx,
            session,
            actor,
            Action.CLAIM.value,
            "service_request",
            request.number,
            before={"status": Status.NEW.value},
            after={"status": Status.IN_REVIEW.value},
        )
        return Lease(request.id, taken.number, actor.login, expires, taken.version)


def _sequence_of(number: str, location_code: str, period: str) -> int:
    """The sequence of a request number made offline, refused unless it is of the office and
    the day the citizen came.
    """
    parts = number.split("/")
    if (
        len(parts) != 3
        or not looks_like_request_number(number)
        or parts[0] != location_code
        or parts[1] != period
    ):
        raise OfflineNumberRefused(
            f"Nomor luring {number} bukan nomor {location_code} tanggal {period}"
        )
    return int(parts[2])


def _clean(fields: dict[str, object]) -> dict[str, object]:
    """The form's values as a payload: texts stripped, empty ones left out."""
    cleaned: dict[str, object] = {}
    for name, value in fields.items():
        text = value.strip() if isinstance(value, str) else value
        if text not in (None, ""):
            cleaned[name] = text
    return cleaned


def _parse(ctx: DeskContext, service_code: str, payload: str, received_on: dt.date) -> ParsedIntake:
    """The walk-in read by intake's own rules; refused with every error finding listed
    (warnings stay findings for the verification).
    """
    rules = ctx.reference.intake_rules
    problems: list[str] = []
    try:
        parsed: ParsedIntake | None = parse_incoming(
            rules, service_code, payload, None, received_on
        )
    except IntakeRejected as exc:
        problems.append(str(exc))
        # Without a contact the form is still checked, so every problem is said at once;
        # the stand-in number only lets the check run (the walk-in is refused anyway).
        parsed = _checked_without_contact(rules, service_code, payload, received_on)
    errors = [f.message for f in parsed.findings if f.severity is Severity.ERROR] if parsed else []
    if errors or problems:
        raise WalkInRefused("Permohonan belum dapat didaftarkan: " + "; ".join(errors + problems))
    assert parsed is not None
    return parsed


_STAND_IN_CONTACT = "000000000"


def _checked_without_contact(
    rules: IntakeRules, service_code: str, payload: str, received_on: dt.date
) -> ParsedIntake | None:
    try:
        return parse_incoming(rules, service_code, payload, _STAND_IN_CONTACT, received_on)
    except IntakeRejected:
        return None


def _check_attachments(attachments: Sequence[WalkInAttachment]) -> None:
    if len(attachments) > MAX_ATTACHMENTS:
        raise WalkInRefused(f"Paling banyak {MAX_ATTACHMENTS} lampiran per permohonan")
    for document in attachments:
        if not document.content:
            raise WalkInRefused(f"Berkas {document.filename!r} kosong")
        if len(document.content) > MAX_ATTACHMENT_BYTES:
            size = len(document.content) // (1024 * 1024)
            raise WalkInRefused(
                f"Berkas {document.filename!r} terlalu besar ({size} MB; "
                f"batas {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB)"
            )
