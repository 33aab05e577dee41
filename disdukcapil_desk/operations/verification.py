"""The verification screen's work: save a draft, judge the checklist, write to the citizen."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import (
    IncomingAttachment,
    RequestAttachment,
    RequirementCheck,
    ServiceRequest,
)
from disdukcapil_desk.domain.catalogue import FormField
from disdukcapil_desk.domain.citizen_messages import DataProblem, FailedItem, whatsapp_link
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.dto import Actor, RequestDetail, RequestRow
from disdukcapil_desk.domain.errors import DeskError, NotFound, WorkflowError
from disdukcapil_desk.domain.intake import IntakeRejected, parse_incoming
from disdukcapil_desk.domain.workflow import Action, Permission, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import apply_applicant, replace_findings
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import LocationOps

CHECK_STATES = ("pending", "sesuai", "tidak_ada", "tidak_terbaca", "tidak_sesuai")
CHECK_LABELS = {
    "pending": "Belum diperiksa",
    "sesuai": "Sesuai",
    "tidak_ada": "Tidak ada",
    "tidak_terbaca": "Tidak terbaca",
    "tidak_sesuai": "Tidak sesuai",
}


@dataclass(frozen=True, slots=True)
class CheckInput:
    """The officer's verdict on one requirement."""

    state: str
    note: str = ""


class Verification:
    """Save, approve, ask for revision or reject a request from its verification screen."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx
        self._queue = QueueOps(ctx)

    def save_draft(
        self,
        actor: Actor,
        request_id: int,
        expected_version: int,
        fields: Mapping[str, object],
        checks: Mapping[str, CheckInput],
    ) -> int:
        """Save edited fields and checklist of a request we hold; returns the new version.

        The automatic findings are recomputed from the edited data.

        Raises:
            StaleVersionError: someone changed the request since it was loaded.
            ClaimError: the actor does not hold the request.
        """
        require(actor.role, Permission.EDIT_REQUEST)
        with self._ctx.unit_of_work() as session:
            request = self._queue.held_request(session, actor, request_id, expected_version)
            changed = self._apply_fields(session, request, fields)
            judged = self._apply_checks(session, actor, request, checks)
            request.version += 1
            request.updated_at = self._ctx.clock()
            request.updated_by = actor.login
            record(
                self._ctx,
                session,
                actor,
                "save",
                "service_request",
                request.number,
                after={"fields": sorted(changed), "checks": judged},
            )
            return request.version

    def approve(
        self, actor: Actor, request_id: int, expected_version: int, reason: str = ""
    ) -> RequestRow:
        """Approve: every required item must be ``sesuai``, or the officer writes why not."""
        with self._ctx.unit_of_work() as session:
            request = self._queue.held_request(session, actor, request_id, expected_version)
            open_items = self._unpassed_required(session, request)
            if open_items and not reason.strip():
                raise WorkflowError(
                    "Belum semua persyaratan wajib sesuai ("
                    + ", ".join(open_items)
                    + "). Tulis alasan untuk tetap menyetujui."
                )
            moved = self._queue.transition_in(
                session, actor, request_id, Action.APPROVE, reason=reason
            )
            return self._queue.row_of(session, moved)

    def request_revision(
        self, actor: Actor, request_id: int, expected_version: int, message: str
    ) -> RequestRow:
        """Send the request back to the citizen with one message listing everything to fix."""
        if not message.strip():
            raise WorkflowError("Pesan perbaikan untuk pemohon tidak boleh kosong")
        with self._ctx.unit_of_work() as session:
            moved = self._queue.transition_in(
                session,
                actor,
                request_id,
                Action.REQUEST_REVISION,
                expected_version=expected_version,
                citizen_message=message.strip(),
            )
            return self._queue.row_of(session, moved)

    def reject(
        self, actor: Actor, request_id: int, expected_version: int, reason: str
    ) -> RequestRow:
        """Reject with a reason (it is also the message to the citizen)."""
        with self._ctx.unit_of_work() as session:
            moved = self._queue.transition_in(
                session,
                actor,
                request_id,
                Action.REJECT,
                expected_version=expected_version,
                reason=reason,
                citizen_message=reason.strip() or None,
            )
            return self._queue.row_of(session, moved)

    def revision_message(self, detail: RequestDetail, office_label: str | None = None) -> str:
        """Draft the one WhatsApp text listing every failed requirement and data error."""
        service = self._ctx.reference.catalogue.get(detail.row.service_code)
        items = [
            FailedItem(c.label, c.state, c.note)
            for c in detail.checks
            if c.state in ("tidak_ada", "tidak_terbaca", "tidak_sesuai")
        ]
        problems = [
            DataProblem(label, _with_label(label, f.message))
            for f in detail.findings
            if f.severity == "error" and not f.resolved
            for label in [_field_label(service.field(f.field))]
        ]
        office = office_label or self._office_label()
        return self._ctx.reference.messages.revision_message(
            name=detail.row.applicant_name,
            subject=detail.row.subject_name,
            service=service.name,
            number=detail.row.number,
            office=office,
            items=items,
            problems=problems,
        )

    def ready_message(self, detail: RequestDetail) -> str:
        """Draft the "document ready" text: collect at the office, or the PDF is attached."""
        service = self._ctx.reference.catalogue.get(detail.row.service_code)
        locations = {loc.code: loc.name for loc in LocationOps(self._ctx).list()}
        return self._ctx.reference.messages.ready_message(
            name=detail.row.applicant_name,
            subject=detail.row.subject_name,
            document=_document_name(service.output_document),
            number=detail.row.number,
            office=self._office_label(),
            location=locations.get(detail.row.location_code, detail.row.location_code),
            pdf=str(detail.payload.get("pengambilan", "")).lower() == "pdf",
        )

    def set_citizen_message(self, actor: Actor, request_id: int, text: str) -> None:
        """Store the message the channel will send to the citizen (audited)."""
        require(actor.role, Permission.EDIT_REQUEST)
        with self._ctx.unit_of_work() as session:
            request = session.get(ServiceRequest, request_id)
            if request is None:
                raise NotFound(f"Permohonan {request_id} tidak ditemukan")
            request.citizen_message = text.strip() or None
            request.updated_at = self._ctx.clock()
            request.updated_by = actor.login
            request.version += 1
            record(
                self._ctx,
                session,
                actor,
                "message",
                "service_request",
                request.number,
                detail=f"{len(text)} karakter",
            )

    def whatsapp_link(self, detail: RequestDetail, text: str) -> str:
        """Return the wa.me link that opens WhatsApp with ``text`` for the citizen."""
        return whatsapp_link(detail.contact, text)

    def attachment_content(self, actor: Actor, attachment_id: int) -> tuple[str, bytes]:
        """Return (media type, bytes) of an attachment of a request the actor may see."""
        require(actor.role, Permission.VIEW_QUEUE)
        with self._ctx.reading() as session:
            row = session.execute(
                select(IncomingAttachment.media_type, IncomingAttachment.content)
                .join(
                    RequestAttachment,
                    RequestAttachment.incoming_attachment_id == IncomingAttachment.id,
                )
                .where(IncomingAttachment.id == attachment_id)
            ).first()
        if row is None:
            raise NotFound(f"Lampiran {attachment_id} tidak ditemukan")
        return row.media_type, bytes(row.content)

    def _office_label(self) -> str:
        settings = OfficeOps(self._ctx).get()
        return f"{settings.agency.title()} {settings.regency}"

    def _apply_fields(
        self, session: Session, request: ServiceRequest, fields: Mapping[str, object]
    ) -> list[str]:
        payload = json.loads(request.payload)
        changed = [k for k, v in fields.items() if payload.get(k) != v]
        if not changed:
            return []
        payload.update({k: fields[k] for k in changed})
        request.payload = json.dumps(payload, ensure_ascii=False)
        try:
            parsed = parse_incoming(
                self._ctx.reference.intake_rules,
                request.service_code,
                request.payload,
                request.contact,
                office_date(request.received_at),
            )
        except IntakeRejected as exc:
            raise DeskError(f"Data tidak dapat disimpan: {exc}") from None
        apply_applicant(request, parsed)
        replace_findings(session, request.id, parsed, self._ctx.clock())
        return changed

    def _apply_checks(
        self,
        session: Session,
        actor: Actor,
        request: ServiceRequest,
        checks: Mapping[str, CheckInput],
    ) -> dict[str, str]:
        stored = {
            c.requirement_code: c
            for c in session.scalars(
                select(RequirementCheck).where(RequirementCheck.service_request_id == request.id)
            )
        }
        judged: dict[str, str] = {}
        for code, verdict in checks.items():
            if verdict.state not in CHECK_STATES:
                raise DeskError(f"Status persyaratan tidak dikenal: {verdict.state}")
            check = stored.get(code)
            if check is None:
                check = RequirementCheck(service_request_id=request.id, requirement_code=code)
                session.add(check)
            elif (check.state, check.note) == (verdict.state, verdict.note):
                continue
            check.state, check.note = verdict.state, verdict.note
            check.checked_by, check.checked_at = actor.login, self._ctx.clock()
            judged[code] = verdict.state
        return judged

    def _unpassed_required(self, session: Session, request: ServiceRequest) -> list[str]:
        service = self._ctx.reference.catalogue.get(request.service_code)
        states = {
            code: state
            for code, state in session.execute(
                select(RequirementCheck.requirement_code, RequirementCheck.state).where(
                    RequirementCheck.service_request_id == request.id
                )
            )
        }
        return [
            r.label for r in service.requirements if r.required and states.get(r.code) != "sesuai"
        ]


def _field_label(form_field: FormField | None) -> str:
    return form_field.label if form_field is not None else ""


def _with_label(label: str, message: str) -> str:
    """Prefix the field's label unless the message already names it."""
    if not label or label.lower() in message.lower():
        return message
    return f"{label}: {message}"


def _document_name(output_document: str) -> str:
    """ "Kartu Keluarga (KK) \u2013 cetak A4 …" becomes "Kartu Keluarga"."""
    return output_document.split("(")[0].split("\u2013")[0].strip()
