"""The queue: listing, claiming with leases, editing and moving requests (operations layer)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import audit as audit_repo
from disdukcapil_desk.db.repositories import notify, users
from disdukcapil_desk.db.repositories import requests as repo
from disdukcapil_desk.db.repositories import verification as checks_repo
from disdukcapil_desk.db.repositories.requests import RequestRecord
from disdukcapil_desk.domain.catalogue import Service
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.dto import (
    SYSTEM_ACTOR,
    Actor,
    CheckRow,
    Cursor,
    HistoryRow,
    Lease,
    Page,
    QueueFilter,
    RequestDetail,
    RequestRow,
)
from disdukcapil_desk.domain.errors import ClaimError, NotFound, StaleVersionError, WorkflowError
from disdukcapil_desk.domain.history import (
    MESSAGE_KEY,
    HistoryEntry,
    history_entry,
    mask_numbers_in,
    with_stored_message,
)
from disdukcapil_desk.domain.intake import same_person
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.numbering import normalize_request_number
from disdukcapil_desk.domain.vocabulary import CheckState
from disdukcapil_desk.domain.workflow import (
    CLOSED_STATUSES,
    Action,
    Permission,
    Status,
    check_transition,
    require,
)
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.boundaries import (
    check_not_held_by_other,
    check_office,
    listing_office,
    may_act_on,
)
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.outbox import write_decision_message

PAGE_SIZE = 200


class QueueLine(Protocol):
    """A request as a queue line needs it: a loaded model or a row of the queue columns."""

    id: int
    number: str
    received_at: dt.datetime
    service_code: str
    location_code: str
    applicant_name: str
    nik: str
    subject_name: str
    subject_nik: str
    channel: str
    status: str
    lease_expires_at: dt.datetime | None
    sla_due: dt.date
    resubmission_count: int
    possible_duplicate_of: int | None
    version: int


_DECISIONS = {Action.APPROVE, Action.REQUEST_REVISION, Action.REJECT}
_REASON_REQUIRED = {Action.REJECT, Action.CANCEL, Action.TAKE_BACK}


class QueueOps:
    """Everything an officer does with the queue of requests."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx
        self._names: dict[str, tuple[str, str, str]] = {}
        self._names_of: object = None

    # -- reading ---------------------------------------------------------------------------

    def page(
        self, actor: Actor, flt: QueueFilter, after: Cursor | None = None, limit: int = PAGE_SIZE
    ) -> Page:
        """Return one page of the queue, oldest first, never loading the whole table.

        A UPT officer only ever sees the requests of their own UPT.
        """
        require(actor, Permission.VIEW_QUEUE)
        flt = self._scoped(actor, flt)
        with self._ctx.reading() as session:
            if not flt.search.strip():
                # A search probes its index first under local planner settings: it keeps its
                # transaction; any other page is one statement.
                repo.read_without_transaction(session)
            # Only the overdue filter reads the date (on PostgreSQL it is a round trip).
            today = office_date(self._ctx.now(session)) if flt.overdue_only else None
            conditions = repo.filter_conditions(session, flt, today=today, user_id=actor.user_id)
            rows = repo.page(
                session, conditions, after, limit + 1, statuses=repo.filter_statuses(flt)
            )
        more = len(rows) > limit
        result = self._lines(rows[:limit])
        cursor = Cursor(result[-1].received_at, result[-1].id) if more and result else None
        return Page(result, cursor)

    def _lines(self, rows: Sequence[Sequence[Any]]) -> tuple[RequestRow, ...]:
        """The queue lines of page rows: plain tuples in ``repo.QUEUE_COLUMNS`` order, then the
        holder's login (one loop, no call a row but the row's own constructor).
        """
        names = self._service_names
        lines = []
        for (
            id_,
            number,
            received_at,
            service_code,
            location_code,
            applicant_name,
            nik,
            subject_name,
            subject_nik,
            channel,
            status,
            lease_expires_at,
            sla_due,
            resubmission_count,
            possible_duplicate_of,
            version,
            holder,
        ) in rows:
            name, short_name, subject_label = names(service_code)
            distinct = not same_person((applicant_name, nik), (subject_name, subject_nik))
            lines.append(
                RequestRow(
                    id_,
                    number,
                    received_at,
                    service_code,
                    name,
                    location_code,
                    applicant_name,
                    _masked_nik(nik),
                    channel,
                    _STATUSES[status],
                    holder,
                    lease_expires_at,
                    sla_due,
                    resubmission_count,
                    possible_duplicate_of is not None,
                    version,
                    subject_name if distinct else "",
                    subject_label if distinct else "",
                    short_name,
                )
            )
        return tuple(lines)

    def counts(
        self,
        actor: Actor,
        location_code: str | None = None,
        statuses: Collection[Status] | None = None,
    ) -> dict[Status, int]:
        """Return the number of requests per status for a location (the actor's by default),
        of every status or of ``statuses`` only (the open ones are an index range each; the
        closed ones are most of an office's history).
        """
        require(actor, Permission.VIEW_QUEUE)
        location = self._scoped(actor, QueueFilter(location_code=location_code)).location_code
        wanted = tuple(Status) if statuses is None else tuple(statuses)
        with self._ctx.reading() as session:
            raw = repo.count_by_status(
                session, location, None if statuses is None else [s.value for s in wanted]
            )
        return {status: raw.get(status.value, 0) for status in wanted}

    def detail(self, actor: Actor, number_or_id: str | int) -> RequestDetail:
        """Return one request with findings, checklist, attachments and history."""
        require(actor, Permission.VIEW_QUEUE)
        with self._ctx.reading() as session:
            request = self._find(session, number_or_id)
            self._check_scope(actor, request)
            return self._detail(session, request)

    def history(self, actor: Actor, request_id: int) -> tuple[HistoryEntry, ...]:
        """Return who did what to a request and when, with every message stored for the
        citizen, oldest first (personal numbers masked).
        """
        require(actor, Permission.VIEW_QUEUE)
        with self._ctx.reading() as session:
            request = self._find(session, request_id)
            self._check_scope(actor, request)
            entries = [
                history_entry(e.at, e.actor, name or "", e.action, e.detail, e.after)
                for e, name in audit_repo.entries_with_names(
                    session, "service_request", request.number
                )
            ]
            stored = with_stored_message(
                entries, request.citizen_message, request.updated_at, request.updated_by
            )
        return tuple(stored)

    # -- claims ----------------------------------------------------------------------------

    def claim_next(self, actor: Actor, location_code: str | None = None) -> Lease | None:
        """Claim the oldest claimable request of a location; None when the queue is empty."""
        self._require_user(actor)
        location = location_code or actor.location_code
        if not location:
            raise ClaimError("Lokasi kerja belum ditentukan")
        check_office(actor, location)
        return self._claim_oldest(actor, location)

    def _claim_oldest(self, actor: Actor, location: str) -> Lease | None:
        """Pick, claim (and on PostgreSQL announce) in one statement (on PostgreSQL the picked
        rows locked, a colleague's skipped), then the audit line as ``_take`` writes it, at the
        claim's time.
        """
        assert actor.user_id is not None
        ctx = self._ctx
        with ctx.unit_of_work() as session:
            # SQLite: this workstation's clock; PostgreSQL: the server's, read by the claim
            # itself (unless a stand-in clock is set).
            now = ctx.now(session) if ctx.server_clock is not None or not ctx.postgresql else None
            taken = repo.claim_oldest(session, location, actor.user_id, now, ctx.lease, actor.login)
            if taken is None:
                return None
            ctx.remember_now(session, taken.claimed_at)
            if (
                taken.holder_before != actor.user_id
                or taken.status_before != Status.IN_REVIEW.value
            ):
                self._audit_claim(
                    session, actor, taken.number, taken.status_before, taken.claimed_at
                )
            return Lease(taken.id, taken.number, actor.login, taken.expires, taken.version)

    def claim(self, actor: Actor, request_id: int) -> Lease:
        """Claim (or renew our own claim on) one request.

        Raises:
            ClaimError: someone else holds it, or it is not open for review.
        """
        self._require_user(actor)
        with self._ctx.unit_of_work() as session:
            request = repo.load_for_update(session, request_id)
            if request is None:
                raise NotFound(f"Permohonan {request_id} tidak ditemukan")
            self._check_scope(actor, request)
            if request.status == Status.NEW.value:
                check_transition(Action.CLAIM, Status.NEW, actor)
            lease = self._take(session, actor, request_id, request.status, request.claimed_by)
            if lease is None:
                raise self._claim_refusal(session, request)
            return lease

    def renew(self, actor: Actor, request_id: int) -> Lease:
        """Extend our lease; raises ClaimError when it was lost (expired and taken)."""
        return self.claim(actor, request_id)

    def release(self, actor: Actor, request_id: int) -> None:
        """Give a request we hold back to the queue."""
        self._require_user(actor)
        with self._ctx.unit_of_work() as session:
            request = self._held_by(session, actor, request_id)
            self._move(session, actor, request, Action.RELEASE, reason="dilepas oleh petugas")

    def take_back(self, actor: Actor, request_id: int, reason: str) -> None:
        """A section head returns a request held by someone else to the queue."""
        with self._ctx.unit_of_work() as session:
            request = self._load(session, request_id)
            self._check_scope(actor, request)
            self._move(session, actor, request, Action.TAKE_BACK, reason=reason)

    def expire_leases(self) -> int:
        """Return to the queue every request whose lease ran out; returns how many."""
        with self._ctx.unit_of_work() as session:
            ids = repo.expired_lease_ids(session, self._ctx.now(session))
            for request_id in ids:
                request = self._load(session, request_id)
                self._move(session, SYSTEM_ACTOR, request, Action.EXPIRE, reason="lease habis")
        return len(ids)

    # -- edits and decisions ----------------------------------------------------------------

    def save_fields(
        self,
        actor: Actor,
        request_id: int,
        expected_version: int,
        changes: Mapping[str, object],
    ) -> int:
        """Save edited payload fields of a request we hold; returns the new version.

        Raises:
            StaleVersionError: someone changed the request after we loaded it.
            ClaimError: we do not hold the request.
        """
        require(actor, Permission.EDIT_REQUEST)
        with self._ctx.unit_of_work() as session:
            request = self._held_by(session, actor, request_id)
            self._check_version(session, request, expected_version)
            payload = json.loads(request.payload)
            before = {k: payload.get(k) for k in changes}
            payload.update(changes)
            request.payload = json.dumps(payload, ensure_ascii=False)
            self._touch(session, request, actor)
            record(
                self._ctx,
                session,
                actor,
                "edit",
                "service_request",
                request.number,
                before=_masked(before),
                after=_masked(dict(changes)),
            )
            return request.version

    def decide(
        self,
        actor: Actor,
        request_id: int,
        action: Action,
        *,
        expected_version: int | None = None,
        reason: str = "",
        citizen_message: str | None = None,
    ) -> RequestRow:
        """Move a request along the workflow (approve, revise, reject, issue, finish, cancel).

        Decisions on a request in review need the actor to hold it; a reason is required for
        reject and cancel. Issuing is refused here: it goes through ``DocumentOps.issue``, which
        draws the number, makes the document and checks the separation of duties with it.
        """
        if action is Action.ISSUE:
            raise WorkflowError(
                "Penerbitan dilakukan dengan Terbitkan: nomor dan dokumen dibuat bersama"
            )
        with self._ctx.unit_of_work() as session:
            request = self.transition_in(
                session,
                actor,
                request_id,
                action,
                expected_version=expected_version,
                reason=reason,
                citizen_message=citizen_message,
            )
            return self.row_of(session, request)

    def transition_in(
        self,
        session: Session,
        actor: Actor,
        request_id: int,
        action: Action,
        *,
        expected_version: int | None = None,
        reason: str = "",
        citizen_message: str | None = None,
    ) -> RequestRecord:
        """Make a workflow transition inside the caller's transaction (for other operations).

        Issuing uses it so the status change, the number it allocates and the document it
        records commit together or not at all. A decision the citizen must hear of (approve,
        revision, reject, cancel) writes its message into the outbox here, in the same
        transaction: rolled back with it, or committed with it.
        """
        if action in _DECISIONS:
            request = self._held_by(session, actor, request_id)
        else:
            request = self._load(session, request_id)
            self._check_scope(actor, request)
        if expected_version is not None:
            self._check_version(session, request, expected_version)
        if citizen_message is not None:
            request.citizen_message = citizen_message
        self._move(session, actor, request, action, reason=reason, message=citizen_message)
        write_decision_message(
            self._ctx, session, actor, request, action, reason=reason, message=citizen_message
        )
        return request

    def held_request(
        self, session: Session, actor: Actor, request_id: int, expected_version: int | None
    ) -> RequestRecord:
        """Load a request the actor holds, at the version they saw (inside their transaction).

        Raises:
            ClaimError: the actor does not hold it (with who does, and since when).
            StaleVersionError: it changed since the actor loaded it.
        """
        request = self._held_by(session, actor, request_id)
        if expected_version is not None:
            self._check_version(session, request, expected_version)
        return request

    def request_for_change(
        self, session: Session, actor: Actor, request_id: int, expected_version: int | None
    ) -> RequestRecord:
        """Load a request to change outside a decision (a message for the citizen, say):
        of the actor's office, not held by a colleague, at the version the actor saw.

        Raises:
            NotFound: no such request.
            PermissionDenied: a request of another office.
            ClaimError: a colleague holds it under a live lease.
            StaleVersionError: it changed since the actor loaded it.
        """
        request = self._load(session, request_id)
        self._check_scope(actor, request)
        check_not_held_by_other(
            actor,
            request.number,
            request.status,
            request.claimed_by,
            request.lease_expires_at,
            self._ctx.now(session),
        )
        if expected_version is not None:
            self._check_version(session, request, expected_version)
        return request

    def row_of(self, session: Session, request: RequestRecord) -> RequestRow:
        """Return the queue row of a request loaded in ``session``."""
        return self._row(request, self._holder_login(session, request))

    # -- helpers ---------------------------------------------------------------------------

    def _take(
        self,
        session: Session,
        actor: Actor,
        request_id: int,
        before_status: str,
        before_holder: int | None,
    ) -> Lease | None:
        """Claim a request whose status and holder the caller read under the row's lock (or
        in this write transaction on SQLite): one conditional UPDATE returning what the lease
        needs, then the announcement and the audit line unless it only renews our own claim.
        """
        assert actor.user_id is not None
        now = self._ctx.now(session)
        expires = now + self._ctx.lease
        taken = repo.take_claim(session, request_id, actor.user_id, now, expires, actor.login)
        if taken is None:
            return None
        if before_holder != actor.user_id or before_status != Status.IN_REVIEW.value:
            self._announce_claim(session, actor, taken.number, taken.location_code, before_status)
        return Lease(request_id, taken.number, actor.login, expires, taken.version)

    def _announce_claim(
        self, session: Session, actor: Actor, number: str, location_code: str, before: str
    ) -> None:
        """The queue's announcement and the audit line of a claim."""
        notify.queue_changed(session, location_code)
        self._audit_claim(session, actor, number, before)

    def _audit_claim(
        self,
        session: Session,
        actor: Actor,
        number: str,
        before: str,
        at: dt.datetime | None = None,
    ) -> None:
        """The audit line of a claim (at the claim's time ``at``, when given)."""
        record(
            self._ctx,
            session,
            actor,
            Action.CLAIM.value,
            "service_request",
            number,
            before={"status": before},
            after={"status": Status.IN_REVIEW.value},
            at=at,
        )

    def _claim_refusal(self, session: Session, request: RequestRecord) -> ClaimError:
        if request.status != Status.IN_REVIEW.value:
            return ClaimError(
                f"Permohonan {request.number} berstatus '{Status(request.status).label}' "
                "dan tidak dapat diambil"
            )
        holder = users.by_id(session, request.claimed_by) if request.claimed_by else None
        since = request.claimed_at.astimezone() if request.claimed_at else None
        return ClaimError(
            f"Permohonan {request.number} sedang diperiksa oleh "
            f"{holder.full_name if holder else '?'} sejak {since:%d-%m-%Y %H:%M}"
            if since
            else f"Permohonan {request.number} sedang diperiksa petugas lain"
        )

    def _move(
        self,
        session: Session,
        actor: Actor,
        request: RequestRecord,
        action: Action,
        reason: str,
        message: str | None = None,
    ) -> None:
        if action in _REASON_REQUIRED and not reason.strip():
            raise WorkflowError("Alasan wajib diisi")
        current = Status(request.status)
        target = check_transition(action, current, actor)
        request.status = target.value
        if target is not Status.IN_REVIEW:
            request.claimed_by = None
            request.claimed_at = None
            request.lease_expires_at = None
        now = self._ctx.now(session)
        if target in CLOSED_STATUSES:
            request.closed_at = now
        if action is Action.ISSUE and request.issued_at is None:
            request.issued_at = now  # the recap's "issued on time" reads it
        self._touch(session, request, actor, now)
        notify.queue_changed(session, request.location_code)
        after: dict[str, object] = {"status": target.value}
        if message:
            # The text for the citizen stays in the history (numbers masked, like every log).
            after[MESSAGE_KEY] = mask_numbers_in(message)
        record(
            self._ctx,
            session,
            actor,
            action.value,
            "service_request",
            request.number,
            before={"status": current.value},
            after=after,
            detail=reason,
            at=now,
        )

    def _touch(
        self,
        session: Session,
        request: RequestRecord,
        actor: Actor,
        now: dt.datetime | None = None,
    ) -> None:
        request.version += 1
        request.updated_at = self._ctx.now(session) if now is None else now
        request.updated_by = actor.login

    def _check_version(self, session: Session, request: RequestRecord, expected: int) -> None:
        check_version(request, expected)

    def _held_by(self, session: Session, actor: Actor, request_id: int) -> RequestRecord:
        request = self._load(session, request_id)
        self._check_scope(actor, request)
        now = self._ctx.now(session)
        holds = (
            request.status == Status.IN_REVIEW.value
            and request.claimed_by == actor.user_id
            and request.lease_expires_at is not None
            and request.lease_expires_at >= now
        )
        if not holds:
            raise (
                self._claim_refusal(session, request)
                if request.claimed_by not in (None, actor.user_id)
                else ClaimError(
                    f"Anda tidak sedang memegang permohonan {request.number}; ambil dahulu"
                )
            )
        return request

    def _load(self, session: Session, request_id: int) -> RequestRecord:
        request = repo.load_for_update(session, request_id)
        if request is None:
            raise NotFound(f"Permohonan {request_id} tidak ditemukan")
        return request

    def _find(self, session: Session, number_or_id: str | int) -> RequestRecord:
        if isinstance(number_or_id, int):
            request = repo.by_id(session, number_or_id)
        else:
            request = repo.by_number(session, normalize_request_number(number_or_id))
        if request is None:
            raise NotFound(f"Permohonan {number_or_id} tidak ditemukan")
        return request

    def _require_user(self, actor: Actor) -> None:
        require(actor, Permission.EDIT_REQUEST)
        if actor.user_id is None:
            raise ClaimError("Hanya pengguna yang masuk yang dapat mengambil permohonan")

    def _scoped(self, actor: Actor, flt: QueueFilter) -> QueueFilter:
        """A UPT officer's list is their own UPT's, whatever office the filter names."""
        if may_act_on(actor, flt.location_code):
            return replace(flt, location_code=listing_office(actor, flt.location_code))
        return replace(flt, location_code=actor.location_code)

    def _check_scope(self, actor: Actor, request: RequestRecord) -> None:
        check_office(actor, request.location_code)

    def _holder_login(self, session: Session, request: RequestRecord) -> str | None:
        holder = users.by_id(session, request.claimed_by) if request.claimed_by else None
        return holder.login if holder else None

    def _row(self, request: QueueLine, holder: str | None) -> RequestRow:
        return self._line(
            request.id,
            request.number,
            request.received_at,
            request.service_code,
            request.location_code,
            request.applicant_name,
            request.nik,
            request.subject_name,
            request.subject_nik,
            request.channel,
            request.status,
            request.lease_expires_at,
            request.sla_due,
            request.resubmission_count,
            request.possible_duplicate_of,
            request.version,
            holder,
        )

    def _line(
        self,
        id_: int,
        number: str,
        received_at: dt.datetime,
        service_code: str,
        location_code: str,
        applicant_name: str,
        nik: str,
        subject_name: str,
        subject_nik: str,
        channel: str,
        status: str,
        lease_expires_at: dt.datetime | None,
        sla_due: dt.date,
        resubmission_count: int,
        possible_duplicate_of: int | None,
        version: int,
        holder: str | None,
    ) -> RequestRow:
        """One queue line from the queue columns (``repo.QUEUE_COLUMNS`` order) and the holder."""
        name, short_name, subject_label = self._service_names(service_code)
        distinct = not same_person((applicant_name, nik), (subject_name, subject_nik))
        return RequestRow(
            id=id_,
            number=number,
            received_at=received_at,
            service_code=service_code,
            service_name=name,
            location_code=location_code,
            applicant_name=applicant_name,
            nik_masked=_masked_nik(nik),
            channel=channel,
            status=_STATUSES[status],
            holder=holder,
            lease_expires_at=lease_expires_at,
            sla_due=sla_due,
            resubmission_count=resubmission_count,
            possible_duplicate=possible_duplicate_of is not None,
            version=version,
            subject_name=subject_name if distinct else "",
            subject_label=subject_label if distinct else "",
            service_short_name=short_name,
        )

    def _service_names(self, service_code: str) -> tuple[str, str, str]:
        """(name, short name, subject's label) of a service, looked up once per code; a code
        the catalogue does not know shows as itself.
        """
        catalogue = self._ctx.reference.catalogue
        if catalogue is not self._names_of:  # the reference data was replaced
            self._names, self._names_of = {}, catalogue
        names = self._names.get(service_code)
        if names is None:
            service = catalogue.get(service_code) if service_code in catalogue else None
            names = (
                (service.name, service.short_name, service.subject_party.label)
                if service
                else (service_code, "", "")
            )
            self._names[service_code] = names
        return names

    def _detail(self, session: Session, request: RequestRecord) -> RequestDetail:
        service = self._ctx.reference.catalogue.get(request.service_code)
        return RequestDetail(
            row=self._row(request, self._holder_login(session, request)),
            payload=_load_payload(request.payload),
            contact=request.contact,
            nik=request.nik,
            no_kk=request.no_kk,
            kode_desa=request.kode_desa,
            kecamatan_code=request.kecamatan_code,
            citizen_message=request.citizen_message,
            findings=repo.findings(session, request.id),
            checks=_checks(session, request.id, service),
            attachments=repo.attachments(session, request.id),
            history=tuple(
                HistoryRow(e.at, e.actor, e.action, e.detail)
                for e in audit_repo.entries_for(session, "service_request", request.number)
            ),
            updated_by=request.updated_by,
            updated_at=request.updated_at,
        )


def check_version(request: RequestRecord, expected: int) -> None:
    """The optimistic lock: refuse a change made on a version someone has changed since.

    Raises:
        StaleVersionError: the request is no longer at ``expected`` (with who changed it, when).
    """
    if request.version == expected:
        return
    changed_at = request.updated_at.astimezone()
    raise StaleVersionError(
        f"Permohonan {request.number} sudah diubah oleh {request.updated_by} pada "
        f"{changed_at:%d-%m-%Y %H:%M}. Muat ulang untuk melihat perubahannya; "
        "isian Anda tetap di layar.",
        changed_by=request.updated_by,
        changed_at=changed_at.isoformat(),
    )


_STATUSES = {status.value: status for status in Status}


def _masked_nik(nik: str) -> str:
    """``mask_number`` of a NIK, with the stored 16 plain digits (nearly every row) done inline."""
    if len(nik) == 16 and nik.isascii() and nik.isdigit():
        return f"{nik[:4]}********{nik[12:]}"
    return mask_number(nik)


def _load_payload(text: str) -> dict[str, object]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _masked(values: dict[str, object]) -> dict[str, object]:
    return {
        k: mask_number(str(v)) if ("nik" in k or "kk" in k) and v else v for k, v in values.items()
    }


def _checks(session: Session, request_id: int, service: Service) -> tuple[CheckRow, ...]:
    stored = checks_repo.checks(session, request_id)
    result = []
    for requirement in service.requirements:
        check = stored.get(requirement.code)
        result.append(
            CheckRow(
                requirement.code,
                requirement.label,
                requirement.required,
                requirement.condition,
                check.state if check else CheckState.PENDING.value,
                check.note if check else "",
                check.checked_by if check else None,
            )
        )
    return tuple(result)
