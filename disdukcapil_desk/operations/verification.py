"""The verification screen's work: save a draft, judge the checklist, decide.

Every decision's message to the citizen goes into the outbox with it (``QueueOps.transition_in``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import requests
from disdukcapil_desk.db.repositories import verification as repo
from disdukcapil_desk.db.repositories.requests import RequestRecord
from disdukcapil_desk.domain.catalogue import FieldType, FormField
from disdukcapil_desk.domain.citizen_messages import DataProblem, FailedItem
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.dto import (
    Actor,
    CheckInput,
    RequestDetail,
    RequestRow,
    RevisionDraft,
)
from disdukcapil_desk.domain.errors import (
    DeskError,
    NotFound,
    NothingToRevise,
    ReasonRequired,
    WorkflowError,
)
from disdukcapil_desk.domain.findings import Finding, Severity
from disdukcapil_desk.domain.intake import IntakeRejected, parse_incoming
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.vocabulary import FAILED_CHECK_STATES, CheckState
from disdukcapil_desk.domain.workflow import Action, Permission, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.boundaries import check_office
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.intake import (
    add_findings,
    apply_applicant,
    refresh_attachment_findings,
    replace_findings,
)
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.operations.queue import QueueOps

FAILED = frozenset(FAILED_CHECK_STATES)
_CHECK_STATES = frozenset(CheckState)
NOTHING_TO_REVISE = (
    "Belum ada kekurangan yang ditandai. Tandai persyaratan yang tidak ada, tidak terbaca atau "
    "tidak sesuai (Alt+2, Alt+3, Alt+4), atau perbaiki isian, sebelum meminta perbaikan."
)


class VerificationOps:
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
        require(actor, Permission.EDIT_REQUEST)
        with self._ctx.unit_of_work() as session:
            request = self._queue.held_request(session, actor, request_id, expected_version)
            self._save_in(session, actor, request, fields, checks)
            return request.version

    def approve(
        self,
        actor: Actor,
        request_id: int,
        expected_version: int,
        reason: str = "",
        *,
        fields: Mapping[str, object] | None = None,
        checks: Mapping[str, CheckInput] | None = None,
    ) -> RequestRow:
        """Approve the request as it is on the officer's screen.

        ``fields`` and ``checks`` (what the screen shows) are saved in the same transaction,
        and the decision is judged on them: every required item ``sesuai`` and no open error
        in the data, or the officer writes why they approve anyway.

        Raises:
            ReasonRequired: something does not pass and ``reason`` is empty (nothing saved).
        """
        with self._ctx.unit_of_work() as session:
            request = self._queue.held_request(session, actor, request_id, expected_version)
            if fields is not None or checks is not None:
                self._save_in(session, actor, request, fields or {}, checks or {})
            problems = self._approval_problems(session, request)
            if problems and not reason.strip():
                raise ReasonRequired(problems)
            moved = self._queue.transition_in(
                session, actor, request_id, Action.APPROVE, reason=reason.strip()
            )
            return self._queue.row_of(session, moved)

    def draft_revision(
        self,
        actor: Actor,
        request_id: int,
        expected_version: int,
        fields: Mapping[str, object],
        checks: Mapping[str, CheckInput],
    ) -> RevisionDraft:
        """Save what is on the screen, then draft the revision message from the saved state.

        Raises:
            NothingToRevise: nothing is marked as failing and the data has no error.
        """
        version = self.save_draft(actor, request_id, expected_version, fields, checks)
        detail = self._queue.detail(actor, request_id)
        items, problems = self._revision_points(detail)
        if not items and not problems:
            raise NothingToRevise(NOTHING_TO_REVISE)
        return RevisionDraft(version, detail, self.revision_message(detail))

    def request_revision(
        self, actor: Actor, request_id: int, expected_version: int, message: str
    ) -> RequestRow:
        """Send the request back to the citizen with one message listing everything to fix.

        Raises:
            NothingToRevise: the saved request lists nothing to fix (no failed requirement, no
                error in the data): a revision would send the citizen an empty list.
        """
        if not message.strip():
            raise WorkflowError("Pesan perbaikan untuk pemohon tidak boleh kosong")
        with self._ctx.unit_of_work() as session:
            request = self._queue.held_request(session, actor, request_id, expected_version)
            failed = [s for s in repo.check_states(session, request.id).values() if s in FAILED]
            if not failed and not repo.open_errors(session, request.id):
                raise NothingToRevise(NOTHING_TO_REVISE)
            moved = self._queue.transition_in(
                session,
                actor,
                request_id,
                Action.REQUEST_REVISION,
                citizen_message=message.strip(),
            )
            return self._queue.row_of(session, moved)

    def reject(
        self,
        actor: Actor,
        request_id: int,
        expected_version: int,
        reason: str,
        *,
        fields: Mapping[str, object] | None = None,
        checks: Mapping[str, CheckInput] | None = None,
    ) -> RequestRow:
        """Reject with a reason (it is also the message to the citizen); what the screen shows
        is saved with it.
        """
        with self._ctx.unit_of_work() as session:
            request = self._queue.held_request(session, actor, request_id, expected_version)
            if fields is not None or checks is not None:
                self._save_in(session, actor, request, fields or {}, checks or {})
            moved = self._queue.transition_in(
                session,
                actor,
                request_id,
                Action.REJECT,
                reason=reason,
                citizen_message=reason.strip() or None,
            )
            return self._queue.row_of(session, moved)

    def _save_in(
        self,
        session: Session,
        actor: Actor,
        request: RequestRecord,
        fields: Mapping[str, object],
        checks: Mapping[str, CheckInput],
    ) -> None:
        """Save fields and checks inside the caller's transaction (version bumped, audited)."""
        require(actor, Permission.EDIT_REQUEST)
        changed = self._apply_fields(session, request, fields)
        judged = self._apply_checks(session, actor, request, checks)
        service = self._ctx.reference.catalogue.get(request.service_code)
        refresh_attachment_findings(session, request.id, service, self._ctx.now(session))
        request.version += 1
        request.updated_at = self._ctx.now(session)
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
        requests.flush(session)

    def _approval_problems(self, session: Session, request: RequestRecord) -> tuple[str, ...]:
        """What stands against approval: required items not ``sesuai``, open data errors."""
        service = self._ctx.reference.catalogue.get(request.service_code)
        states = repo.check_states(session, request.id)
        items = [
            f"Persyaratan wajib belum sesuai: {r.label}"
            for r in service.requirements
            if r.required and states.get(r.code) != CheckState.SESUAI
        ]
        errors = [
            _with_label(_field_label(service.field(field)), message)
            for field, message in repo.open_errors(session, request.id)
        ]
        return tuple(items + [f"Kesalahan data: {e}" for e in errors])

    def _revision_points(self, detail: RequestDetail) -> tuple[list[FailedItem], list[DataProblem]]:
        service = self._ctx.reference.catalogue.get(detail.row.service_code)
        items = [FailedItem(c.label, c.state, c.note) for c in detail.checks if c.state in FAILED]
        problems = [
            DataProblem(label, _with_label(label, f.message))
            for f in detail.findings
            if f.severity == "error" and not f.resolved
            for label in [_field_label(service.field(f.field))]
        ]
        return items, problems

    def revision_message(self, detail: RequestDetail, office_label: str | None = None) -> str:
        """Draft the one message listing every failed requirement and data error."""
        service = self._ctx.reference.catalogue.get(detail.row.service_code)
        items, problems = self._revision_points(detail)
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

    def attachment_content(self, actor: Actor, attachment_id: int) -> tuple[str, bytes]:
        """Return (media type, bytes) of an attachment of a request the actor may see.

        Raises:
            NotFound: no attachment of a request with that id.
            PermissionDenied: an attachment of another office's request.
        """
        require(actor, Permission.VIEW_QUEUE)
        with self._ctx.reading() as session:
            office = requests.attachment_office(session, attachment_id)
            if office is not None:
                check_office(actor, office)
                found = requests.attachment_content(session, attachment_id)
        if office is None or found is None:
            raise NotFound(f"Lampiran {attachment_id} tidak ditemukan")
        return found

    def _office_label(self) -> str:
        settings = OfficeOps(self._ctx).get()
        return f"{settings.agency.title()} {settings.regency}"

    def _apply_fields(
        self, session: Session, request: RequestRecord, fields: Mapping[str, object]
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
        replace_findings(session, request.id, parsed, self._ctx.now(session))
        self._note_officer_changes(session, request, payload)
        return changed

    def _note_officer_changes(
        self, session: Session, request: RequestRecord, payload: Mapping[str, object]
    ) -> None:
        """A NIK or KK number the officer changed stays visible as a change from what the
        citizen sent (a finding, recomputed at every save).
        """
        sent = _json_object(repo.citizen_payload(session, request.id))
        service = self._ctx.reference.catalogue.get(request.service_code)
        changes = [
            Finding(
                "changed_by_officer",
                Severity.WARNING,
                f"{form_field.label} diubah petugas: dikirim pemohon "
                f"{mask_number(before) or '(kosong)'}, sekarang {mask_number(after) or '(kosong)'}",
                form_field.name,
            )
            for form_field in service.all_fields
            if form_field.type in (FieldType.NIK, FieldType.NO_KK)
            for before, after in [
                (
                    str(sent.get(form_field.name) or "").strip(),
                    str(payload.get(form_field.name) or "").strip(),
                )
            ]
            if before != after
        ]
        add_findings(session, request.id, changes, self._ctx.now(session))

    def _apply_checks(
        self,
        session: Session,
        actor: Actor,
        request: RequestRecord,
        checks: Mapping[str, CheckInput],
    ) -> dict[str, str]:
        for verdict in checks.values():
            if verdict.state not in _CHECK_STATES:
                raise DeskError(f"Status persyaratan tidak dikenal: {verdict.state}")
        verdicts = {code: (str(v.state), v.note) for code, v in checks.items()}
        return repo.save_verdicts(
            session, request.id, verdicts, by=actor.login, at=self._ctx.now(session)
        )


def _json_object(text: str | None) -> dict[str, object]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _field_label(form_field: FormField | None) -> str:
    return form_field.label if form_field is not None else ""


def _with_label(label: str, message: str) -> str:
    """Prefix the field's label unless the message already names it."""
    if not label or label.lower() in message.lower():
        return message
    return f"{label}: {message}"
