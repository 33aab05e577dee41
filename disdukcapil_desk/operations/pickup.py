"""Pickup by appointment: booking, rebooking, the day's list, check-in and the sweep
(operations layer).

When a card or paper document is ready (``issued``), :meth:`PickupOps.book` takes the earliest
window with room (or the one the officer chose), moves the request to "Siap diambil" and
writes the message with date, time, place and what to bring, in one transaction. Capacity is
held by the database (``db/repositories/pickup.py``). The citizen asks for another window by
replying (an intake row with ``reply_to_number`` and ``{"jadwal_ulang": true}``), handled at
ingest by :meth:`PickupOps.reschedule_from_reply`. :meth:`PickupOps.sweep` marks windows that
passed without the citizen (rebooked once, then the citizen is awaited) and sends the
reminders of the next working day; two workstations sweeping at once do each thing once.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import notify
from disdukcapil_desk.db.repositories import office as office_repo
from disdukcapil_desk.db.repositories import pickup as repo
from disdukcapil_desk.db.repositories import requests as requests_repo
from disdukcapil_desk.db.repositories.intake import IncomingRecord
from disdukcapil_desk.db.repositories.requests import RequestRecord
from disdukcapil_desk.domain.citizen_messages import NoticeValues
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.delivery import MessageKind, PickupState
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor
from disdukcapil_desk.domain.errors import NotFound, WorkflowError
from disdukcapil_desk.domain.intake import IntakeRejected, same_person
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.numbering import normalize_request_number
from disdukcapil_desk.domain.office import settings_from
from disdukcapil_desk.domain.payload import PayloadRefused, decode_limited
from disdukcapil_desk.domain.pickup import (
    AUTOMATIC_REBOOKS,
    Booked,
    PickupError,
    PickupHours,
    PickupRow,
    RescheduleWish,
    SlotRow,
    SweepReport,
    Window,
    bring_text,
    chosen_window,
    day_windows,
    hours_from,
    needs_pickup,
    office_day_bounds,
    reminder_day,
    reschedule_wish,
    setting_key,
    windows_from,
)
from disdukcapil_desk.domain.workflow import (
    Action,
    Permission,
    Status,
    check_transition,
    require,
)
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.boundaries import check_office, listing_office
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.office import put_audited
from disdukcapil_desk.operations.outbox import write_message
from disdukcapil_desk.operations.queue import QueueOps

_SETTINGS_KEY = "pickup_office_settings"
SWEEP_BATCH = 200
"""Appointments a sweep handles per transaction."""


class PickupOps:
    """Pickup windows, appointments and the counter's check-in."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx
        self._queue = QueueOps(ctx)

    # -- the office's windows ---------------------------------------------------------------

    def today(self) -> dt.date:
        """The office's date now (the server's on PostgreSQL): the day a pickup list opens on."""
        with self._ctx.reading() as session:
            return office_date(self._ctx.now(session))

    def hours(self, location_code: str) -> PickupHours:
        """An office's pickup hours (the defaults until the administrator sets them)."""
        with self._ctx.reading() as session:
            return self._hours(session, location_code)

    def set_hours(self, actor: Actor, location_code: str, hours: PickupHours) -> bool:
        """Set an office's pickup hours (administrators); windows already stored get the new
        capacity (never below their appointments). Returns whether anything changed.

        Raises:
            PermissionDenied: the actor is not an administrator.
            NotFound: no such office.
        """
        require(actor, Permission.MANAGE_OFFICE)
        with self._ctx.unit_of_work() as session:
            if repo.place(session, location_code) == (location_code, ""):
                raise NotFound(f"Lokasi {location_code} tidak dikenal")
            before = self._hours(session, location_code)
            if before == hours:
                return False
            put_audited(
                self._ctx,
                session,
                actor,
                (setting_key(location_code), hours.to_json()),
                action="pickup_hours",
                entity=("location", location_code),
                before=json.loads(before.to_json()),
                after=json.loads(hours.to_json()),
            )
            repo.set_future_capacity(session, location_code, self._ctx.now(session), hours.capacity)
        return True

    def windows(self, actor: Actor, location_code: str, day: dt.date) -> list[SlotRow]:
        """The windows of an office's day with how full each is (an empty list on a day off).

        Raises:
            PermissionDenied: a UPT officer asked for another office.
        """
        require(actor, Permission.VIEW_QUEUE)
        check_office(actor, location_code)
        if not self._ctx.reference.calendar.is_working_day(day):
            return []
        with self._ctx.reading() as session:
            hours = self._hours(session, location_code)
            start, end = office_day_bounds(day)
            stored = repo.slots_between(session, location_code, start, end)
        return [
            SlotRow(w, *stored.get(w.starts_at, (hours.capacity, 0)))
            for w in day_windows(day, hours)
        ]

    # -- booking ------------------------------------------------------------------------------

    def book(
        self,
        actor: Actor,
        request_id: int,
        version: int | None,
        slot: dt.datetime | None = None,
    ) -> Booked:
        """Book a ready card or paper document's pickup: the earliest window with room from
        the next working day (or ``slot``, the start the officer chose), "Siap diambil", and
        the message to the citizen, in one transaction.

        Raises:
            PermissionDenied / WorkflowError: the actor may not, or the request is not issued.
            StaleVersionError: it changed since ``version`` was loaded.
            PickupError: nothing to collect for this service, the chosen window is wrong or
                full, or no window has room in the coming weeks.
        """
        with self._ctx.unit_of_work() as session:
            request = self._queue.request_for_change(session, actor, request_id, version)
            self._check_needs_pickup(request)
            check_transition(Action.BOOK_PICKUP, Status(request.status), actor)
            window, slot_id = self._take_window(session, request, slot)
            booking = repo.add_booking(
                session,
                request_id=request.id,
                slot_id=slot_id,
                at=self._ctx.now(session),
                by=actor.login,
            )
            # One audit line: the status change, with the appointment as its detail.
            self._queue.transition_in(
                session,
                actor,
                request_id,
                Action.BOOK_PICKUP,
                reason=f"janji {booking}: {window.date_text} {window.time_text} WIB",
            )
            place = self._message(session, actor, request, window, MessageKind.READY_FOR_PICKUP)
            return Booked(request.id, request.number, window, place, request.version)

    def rebook(
        self,
        actor: Actor,
        request_id: int,
        version: int | None,
        slot: dt.datetime | None = None,
        *,
        not_before: dt.date | None = None,
    ) -> Booked:
        """Give a ready request another window (the officer, at the citizen's call): the old
        appointment is cancelled and its place given back, in the same transaction.

        Raises:
            WorkflowError: the request is not waiting for pickup.
            StaleVersionError / PickupError: as :meth:`book`.
        """
        require(actor, Permission.EDIT_REQUEST)
        with self._ctx.unit_of_work() as session:
            repo.take_moves_turn(session)
            request = self._queue.request_for_change(session, actor, request_id, version)
            return self._rebook_in(session, actor, request, slot, not_before)

    def reschedule_from_reply(
        self,
        session: Session,
        number: str,
        service_code: str,
        wish: RescheduleWish,
        incoming_id: int,
    ) -> RequestRecord:
        """The citizen's reply asking for another window, applied inside ingest's transaction
        (the desk acts; the new window is within capacity, from the wished day if any).

        Raises:
            PickupError: no such request, or it is not waiting for pickup (the row is
                quarantined with this reason).
        """
        repo.take_moves_turn(session)
        request = requests_repo.by_number(session, number, for_update=self._ctx.postgresql)
        if request is None or request.service_code != service_code:
            raise PickupError(
                f"jadwal ulang untuk nomor permohonan {number[:40]!r} yang tidak dikenal "
                f"(layanan {service_code[:60]!r})"
            )
        self._rebook_in(
            session, SYSTEM_ACTOR, request, None, wish.wished_day, f"incoming_request {incoming_id}"
        )
        return request

    # -- the counter ----------------------------------------------------------------------------

    def day_list(
        self, actor: Actor, location_code: str | None = None, day: dt.date | None = None
    ) -> list[PickupRow]:
        """An office's pickup list of ``day`` (today by default), by time; then the ready
        documents without appointment (the citizen is awaited).

        Raises:
            PermissionDenied: a UPT officer asked for another office.
        """
        require(actor, Permission.VIEW_QUEUE)
        office = listing_office(actor, location_code)
        with self._ctx.reading() as session:
            day = day or office_date(self._ctx.now(session))
            start, end = office_day_bounds(day)
            booked = repo.day_bookings(session, office, start, end)
            waiting = repo.waiting(session, office)
        rows = [self._row(r, PickupState(r.state), Window(r.starts_at, r.ends_at)) for r in booked]
        return rows + [self._row(r, None, None) for r in waiting]

    def check_in(self, actor: Actor, scanned: str) -> PickupRow:
        """The citizen is at the counter: the receipt's QR (or the typed number) moves the
        request to "Diambil" and its appointment, if any, to checked in (audited).

        Raises:
            PickupError: not a receipt's QR or number.
            NotFound / PermissionDenied: no such request, or of another office.
            WorkflowError: the request is not waiting for pickup (collected already…).
        """
        from disdukcapil_desk.domain.pickup import read_scan

        scan = read_scan(scanned)
        number = scan.number
        with self._ctx.unit_of_work() as session:
            found = requests_repo.by_number(session, number)
            if found is None:
                raise NotFound(f"Permohonan {number} tidak ditemukan")
            request = self._queue.request_for_change(session, actor, found.id, None)
            if scan.code is not None:
                _check_receipt_code(session, number, scan.code)
            if request.status != Status.READY_FOR_PICKUP.value:
                raise WorkflowError(
                    f"Permohonan {number} berstatus '{Status(request.status).label}', bukan "
                    f"'{Status.READY_FOR_PICKUP.label}'"
                )
            live = repo.active_booking(session, request.id)
            now = self._ctx.now(session)
            self._queue.transition_in(session, actor, request.id, Action.CHECK_IN)
            window = None
            if live is not None:
                repo.change_state(
                    session,
                    live.id,
                    PickupState.CHECKED_IN,
                    checked_in_at=now,
                    checked_in_by=actor.login,
                )
                window = Window(live.starts_at, live.ends_at)
            record(
                self._ctx,
                session,
                actor,
                "pickup_check_in",
                "service_request",
                request.number,
                after={"booking": live.id if live else None},
                detail="QR bukti pendaftaran" if scan.code else "nomor diketik petugas",
            )
            return self._row(request, PickupState.CHECKED_IN if live else None, window)

    def list_pdf(
        self, actor: Actor, location_code: str | None = None, day: dt.date | None = None
    ) -> bytes:
        """The printable pickup list of an office's day (A4 PDF).

        Raises:
            PermissionDenied: a UPT officer asked for another office.
        """
        from disdukcapil_desk.reports.pickup_list import PickupListData, render_pickup_list

        require(actor, Permission.PRINT)
        office = listing_office(actor, location_code) or actor.location_code or "DINAS"
        rows = self.day_list(actor, office, day)
        with self._ctx.reading() as session:
            day = day or office_date(self._ctx.now(session))
            name, address = repo.place(session, office)
            settings = settings_from(office_repo.stored_settings(session))
        data = PickupListData(
            agency=settings.agency,
            government=settings.government,
            office=name,
            address=address,
            day=day,
            printed_by=actor.login,
            rows=tuple(rows),
        )
        return render_pickup_list(data)

    # -- the sweep -----------------------------------------------------------------------------

    def sweep(self) -> SweepReport:
        """Mark appointments whose window passed (rebook once, then await the citizen) and send
        tomorrow's reminders; safe to run from several workstations at once.
        """
        report = SweepReport()
        while self._sweep_missed(report):
            pass
        while self._sweep_reminders(report):
            pass
        return report

    def _sweep_missed(self, report: SweepReport) -> bool:
        with self._ctx.unit_of_work() as session:
            repo.take_moves_turn(session)
            due = repo.passed(session, self._ctx.now(session), SWEEP_BATCH)
            handled = 0
            for booking_id, request_id in due:
                request = requests_repo.load_for_update(session, request_id)  # request first
                if request is None or not repo.change_state(
                    session, booking_id, PickupState.MISSED
                ):
                    continue  # another workstation's sweep (or a check-in) got there first
                handled += 1
                report.missed += 1
                self._missed(session, request, booking_id, report)
        return handled > 0 and len(due) == SWEEP_BATCH

    def _missed(
        self, session: Session, request: RequestRecord, booking_id: int, report: SweepReport
    ) -> None:
        misses = repo.missed_count(session, request.id)
        record(
            self._ctx,
            session,
            SYSTEM_ACTOR,
            "pickup_missed",
            "service_request",
            request.number,
            after={"booking": booking_id, "misses": misses},
        )
        if misses > AUTOMATIC_REBOOKS:
            report.waiting += 1
            self._touch(session, request, SYSTEM_ACTOR)
            return
        try:
            with session.begin_nested():
                window, slot_id = self._take_window(session, request, None)
        except PickupError:  # no window with room for weeks: the office sees them waiting
            report.waiting += 1
            self._touch(session, request, SYSTEM_ACTOR)
            return
        new_id = repo.add_booking(
            session,
            request_id=request.id,
            slot_id=slot_id,
            at=self._ctx.now(session),
            by=SYSTEM_ACTOR.login,
            rebooked_from=booking_id,
        )
        self._announce(session, SYSTEM_ACTOR, request, window, new_id, MessageKind.PICKUP_REBOOKED)
        report.rebooked += 1

    def _sweep_reminders(self, report: SweepReport) -> bool:
        with self._ctx.unit_of_work() as session:
            now = self._ctx.now(session)
            today = office_date(now)
            start, end = office_day_bounds(reminder_day(today, self._ctx.reference.calendar))
            due = repo.to_remind(session, start, end, office_day_bounds(today)[0], SWEEP_BATCH)
            sent = 0
            for booking_id, request_id in due:
                request = requests_repo.load_for_update(session, request_id)
                live = repo.active_booking(session, request_id) if request else None
                if request is None or live is None or live.id != booking_id:
                    continue
                if not repo.mark_reminded(session, booking_id, now):
                    continue  # reminded by another workstation's sweep
                self._message(
                    session,
                    SYSTEM_ACTOR,
                    request,
                    Window(live.starts_at, live.ends_at),
                    MessageKind.PICKUP_REMINDER,
                )
                sent += 1
                report.reminded += 1
        return sent > 0 and len(due) == SWEEP_BATCH

    # -- helpers ---------------------------------------------------------------------------

    def _hours(self, session: Session, location_code: str) -> PickupHours:
        return hours_from(_settings(session).get(setting_key(location_code)))

    def _check_needs_pickup(self, request: RequestRecord) -> None:
        service = self._ctx.reference.catalogue.get(request.service_code)
        if not needs_pickup(service.outputs, _payload(request)):
            raise PickupError(
                f"{service.name} dikirim sebagai dokumen elektronik; tidak ada yang diambil "
                "(kecuali pemohon meminta cetak: isian 'pengambilan' = 'ambil')"
            )

    def _rebook_in(
        self,
        session: Session,
        actor: Actor,
        request: RequestRecord,
        slot: dt.datetime | None,
        not_before: dt.date | None,
        detail: str = "",
    ) -> Booked:
        if request.status != Status.READY_FOR_PICKUP.value:
            raise PickupError(
                f"permohonan {request.number} berstatus '{Status(request.status).label}'; "
                "jadwal pengambilan hanya untuk yang siap diambil"
            )
        old = repo.active_booking(session, request.id)
        if old is not None:
            repo.change_state(session, old.id, PickupState.CANCELLED)
            repo.release_place(session, old.slot_id)
        window, slot_id = self._take_window(session, request, slot, not_before)
        new_id = repo.add_booking(
            session,
            request_id=request.id,
            slot_id=slot_id,
            at=self._ctx.now(session),
            by=actor.login,
            rebooked_from=old.id if old else None,
        )
        record(
            self._ctx,
            session,
            actor,
            "pickup_rebook",
            "service_request",
            request.number,
            before={"starts_at": old.starts_at.isoformat()} if old else None,
            after={"starts_at": window.starts_at.isoformat()},
            detail=detail,
        )
        return self._announce(session, actor, request, window, new_id, MessageKind.PICKUP_REBOOKED)

    def _take_window(
        self,
        session: Session,
        request: RequestRecord,
        slot: dt.datetime | None,
        not_before: dt.date | None = None,
    ) -> tuple[Window, int]:
        """Take a place: in the chosen window, or the earliest with room."""
        location = request.location_code
        hours = self._hours(session, location)
        calendar = self._ctx.reference.calendar
        now = self._ctx.now(session)
        if slot is not None:
            window = chosen_window(slot, now, hours, calendar)
            slot_id = self._take(session, location, window, hours)
            if slot_id is None:
                raise PickupError(
                    f"Jadwal {window.date_text} {window.time_text} sudah penuh; pilih jadwal lain"
                )
            return window, slot_id
        candidates = windows_from(now, hours, calendar, not_before=not_before)
        full: set[dt.datetime] = set()
        checked_until: dt.datetime | None = None
        for window in candidates:
            if checked_until is None or window.starts_at >= checked_until:
                # Which windows are full, read a week at a time: most of them are skipped unread.
                checked_until = window.starts_at + dt.timedelta(days=7)
                full = repo.full_starts(session, location, window.starts_at, checked_until)
            if window.starts_at in full:
                continue
            slot_id = self._take(session, location, window, hours)
            if slot_id is not None:
                return window, slot_id
        raise PickupError(
            "Tidak ada jadwal pengambilan yang masih kosong dalam beberapa minggu ke depan; "
            "tambah kapasitas atau jam pengambilan kantor"
        )

    def _take(
        self, session: Session, location: str, window: Window, hours: PickupHours
    ) -> int | None:
        repo.ensure_slot(session, location, window.starts_at, window.ends_at, hours.capacity)
        return repo.take_place(session, location, window.starts_at)

    def _announce(
        self,
        session: Session,
        actor: Actor,
        request: RequestRecord,
        window: Window,
        booking_id: int,
        kind: MessageKind,
    ) -> Booked:
        """The message with the appointment, the request's new version, the audit line."""
        place = self._message(session, actor, request, window, kind)
        self._touch(session, request, actor)
        record(
            self._ctx,
            session,
            actor,
            "pickup_book",
            "pickup_booking",
            str(booking_id),
            after={"request": request.number, "starts_at": window.starts_at.isoformat()},
        )
        return Booked(request.id, request.number, window, place, request.version)

    def _message(
        self,
        session: Session,
        actor: Actor,
        request: RequestRecord,
        window: Window,
        kind: MessageKind,
    ) -> str:
        """Write the notice of ``kind`` into the outbox; returns the place it names."""
        reference = self._ctx.reference
        service = reference.catalogue.get(request.service_code)
        name, address = repo.place(session, request.location_code)
        place = f"{name}, {address}" if address else name
        settings = settings_from(_settings(session))
        distinct = not same_person(
            (request.applicant_name, request.nik), (request.subject_name, request.subject_nik)
        )
        body = reference.messages.notice(
            kind,
            NoticeValues(
                name=request.applicant_name,
                service=service.name,
                number=request.number,
                office=f"{settings.agency.title()} {settings.regency}",
                location=place,
                subject=request.subject_name if distinct else "",
                document=_document_name(service.output_document),
                date=window.date_text,
                time=window.time_text,
                bring=bring_text(request.service_code, request.number),
            ),
        )
        write_message(self._ctx, session, actor, request, kind, body)
        return place

    def _touch(self, session: Session, request: RequestRecord, actor: Actor) -> None:
        request.version += 1
        request.updated_at = self._ctx.now(session)
        request.updated_by = actor.login
        notify.queue_changed(session, request.location_code)

    def _row(self, r: object, state: PickupState | None, window: Window | None) -> PickupRow:
        service_code = str(getattr(r, "service_code", ""))
        catalogue = self._ctx.reference.catalogue
        document = (
            _document_name(catalogue.get(service_code).output_document)
            if service_code in catalogue
            else service_code
        )
        return PickupRow(
            request_id=int(getattr(r, "id", 0)),
            number=str(getattr(r, "number", "")),
            applicant_name=str(getattr(r, "applicant_name", "")),
            nik_masked=mask_number(str(getattr(r, "nik", ""))),
            document=document,
            state=state,
            window=window,
            version=int(getattr(r, "version", 0)),
        )


def pickup_reply(ctx: DeskContext, session: Session, row: IncomingRecord) -> RequestRecord | None:
    """Ingest's hook: a reply row (``reply_to_number``) whose payload asks for another pickup
    window is applied here (inside the batch's transaction); None for any other row.

    Raises:
        IntakeRejected: it asks for another window but cannot have one (the row is quarantined
            with the reason).
    """
    if not (row.reply_to_number and row.reply_to_number.strip()):
        return None
    try:
        wish = reschedule_wish(decode_limited(row.payload, ctx.reference.payload_limits))
    except (ValueError, PayloadRefused):
        return None  # not readable as a wish: the resubmission path says why
    except PickupError as exc:
        raise IntakeRejected(str(exc)) from exc
    if wish is None:
        return None
    number = normalize_request_number(row.reply_to_number)
    try:
        return PickupOps(ctx).reschedule_from_reply(session, number, row.service_code, wish, row.id)
    except PickupError as exc:
        raise IntakeRejected(str(exc)) from exc


def _settings(session: Session) -> dict[str, str]:
    """The office settings, read once per transaction."""
    stored = session.info.get(_SETTINGS_KEY)
    if stored is None:
        stored = session.info[_SETTINGS_KEY] = office_repo.stored_settings(session)
    return dict(stored)


def _payload(request: RequestRecord) -> dict[str, object]:
    try:
        value = json.loads(request.payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _document_name(output_document: str) -> str:
    """``Kartu Keluarga (KK), cetak A4 …`` as ``Kartu Keluarga``."""
    return output_document.split("(")[0].split("\u2013")[0].strip()


def _check_receipt_code(session: Session, number: str, code: str) -> None:
    """A receipt's QR is the office's only when its code is the one recorded when that receipt
    was printed: a QR made up, or copied from another receipt with the number changed, is
    refused (the officer can still check the citizen's identity and type the number).
    """
    from disdukcapil_desk.db.repositories import documents as documents_repo
    from disdukcapil_desk.domain.documents import DocumentKind

    receipt = documents_repo.find(session, DocumentKind.RECEIPT, number)
    if receipt is None or receipt.voided or receipt.verification_code != code:
        raise PickupError(
            f"QR ini bukan bukti pendaftaran yang dicetak kantor untuk permohonan {number}: "
            "jangan serahkan dokumen berdasarkan QR ini; periksa identitas pemohon, lalu ketik "
            "nomor permohonannya"
        )
