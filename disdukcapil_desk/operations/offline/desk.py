"""The officer's actions on the local copy while the server is out of reach (operations layer).

:class:`OfflineDesk` runs the desk's own operations (queue, verification, walk-in, receipts,
login) unchanged on the copy's context and journals each change in its transaction
(``journal.py``). Its methods take what ``QueueOps``/``VerificationOps``/``WalkInOps`` take
(the actor first); ``ui/session.py`` binds them to the logged-in officer as it does online.
Reading (queue page, detail, counts, history) is the normal operations over ``local_ctx``.

A chain of offline changes on one request always starts with a journaled claim: the sync
claims on the server before it replays a decision, so a request a colleague took meanwhile
is a conflict, never a decision made under someone else's lease.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager

from disdukcapil_desk.db.repositories import offline_journal as journal_repo
from disdukcapil_desk.db.repositories import requests as requests_repo
from disdukcapil_desk.domain.documents import PrintPurpose
from disdukcapil_desk.domain.dto import (
    Actor,
    CheckInput,
    Lease,
    RequestRow,
    RevisionDraft,
)
from disdukcapil_desk.domain.errors import AuthError, ClaimError, NotFound
from disdukcapil_desk.domain.offline import EntryState, JournalKind
from disdukcapil_desk.domain.walk_in import WalkIn, WalkInResult
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.offline.journal import (
    Journal,
    checks_payload,
    walk_in_payload,
)
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.operations.verification import VerificationOps
from disdukcapil_desk.operations.walk_in import WalkInOps

OFFLINE_SINCE = "offline_since"
LAST_SYNC = "last_sync"


class OfflineDesk:
    """The officer's changes on the local copy, each journaled for the sync."""

    def __init__(self, local_ctx: DeskContext, journal: Journal, workstation: str) -> None:
        """Work on ``local_ctx`` (the copy), journaling into ``journal``, as ``workstation``."""
        self.ctx = local_ctx
        self.journal = journal
        self.workstation = workstation
        self._queue = QueueOps(local_ctx)
        self._verification = VerificationOps(local_ctx)

    # -- the session ------------------------------------------------------------------------------

    def go_offline(self) -> None:
        """Note when the desk went offline (kept until a sync empties the journal)."""
        if not self.journal.fact(OFFLINE_SINCE):
            self.journal.set_fact(OFFLINE_SINCE, self.ctx.clock().isoformat())

    def authenticate(self, login: str, password: str) -> Actor:
        """Log in on the copy (its password hashes, its lockout); a failed login is journaled
        so the server's log learns of it.

        Raises:
            AuthError: unknown login, wrong password, inactive or locked account, or a
                password that must be changed first (only on the server).
        """
        try:
            actor = UserOps(self.ctx).authenticate(login, password)
        except AuthError as exc:
            self.journal.write_now(
                JournalKind.LOGIN_FAILED, "", login.strip().lower(), {"reason": str(exc)}
            )
            raise
        if actor.must_change_password:
            # A new password set on the copy would be lost at its next refresh.
            raise AuthError(
                "Kata sandi akun ini harus diganti lebih dulu, dan itu hanya dapat dilakukan "
                "saat server kantor terjangkau"
            )
        return actor

    # -- claims -----------------------------------------------------------------------------------

    def claim(self, actor: Actor, request_id: int) -> Lease:
        """Claim a request on the copy (journaled; replayed as a claim on the server)."""
        number = self._number(request_id)
        with self.journal.recording(JournalKind.CLAIM, number, None, actor, {}):
            return self._queue.claim(actor, request_id)

    def claim_next(self, actor: Actor, location_code: str | None = None) -> Lease | None:
        """Claim the oldest waiting request of the copy (journaled as a claim of it); None
        when the queue is empty.
        """
        location = location_code or actor.location_code
        if not location:
            raise ClaimError("Lokasi kerja belum ditentukan")
        with self.ctx.reading() as session:
            candidate = requests_repo.next_claimable(session, location, self.ctx.now(session))
        return None if candidate is None else self.claim(actor, candidate.id)

    def renew(self, actor: Actor, request_id: int) -> Lease:
        """Extend the lease on the copy; journaled only when no claim of this request by the
        officer waits already (that claim gives a fresh lease on the server anyway).
        """
        if self._claim_waits(actor, self._number(request_id)):
            return self._queue.renew(actor, request_id)
        return self.claim(actor, request_id)

    def release(self, actor: Actor, request_id: int) -> None:
        """Give a request back to the queue of the copy (journaled)."""
        number = self._number(request_id)
        with self._change(JournalKind.RELEASE, number, actor, {}):
            self._queue.release(actor, request_id)

    # -- verification -----------------------------------------------------------------------------

    def save_draft(
        self,
        actor: Actor,
        request_id: int,
        version: int,
        fields: Mapping[str, object],
        checks: Mapping[str, CheckInput],
    ) -> int:
        """Save fields and checklist on the copy (journaled); returns the copy's new version."""
        number = self._number(request_id)
        payload = {"fields": dict(fields), "checks": checks_payload(checks)}
        with self._change(JournalKind.SAVE_DRAFT, number, actor, payload):
            return self._verification.save_draft(actor, request_id, version, fields, checks)

    def approve(
        self,
        actor: Actor,
        request_id: int,
        version: int,
        reason: str = "",
        *,
        fields: Mapping[str, object] | None = None,
        checks: Mapping[str, CheckInput] | None = None,
    ) -> RequestRow:
        """Approve on the copy (journaled with what the screen showed)."""
        number = self._number(request_id)
        payload = _decision_payload(reason, fields, checks)
        with self._change(JournalKind.APPROVE, number, actor, payload):
            return self._verification.approve(
                actor, request_id, version, reason, fields=fields, checks=checks
            )

    def reject(
        self,
        actor: Actor,
        request_id: int,
        version: int,
        reason: str,
        *,
        fields: Mapping[str, object] | None = None,
        checks: Mapping[str, CheckInput] | None = None,
    ) -> RequestRow:
        """Reject on the copy (journaled with the reason and what the screen showed)."""
        number = self._number(request_id)
        payload = _decision_payload(reason, fields, checks)
        with self._change(JournalKind.REJECT, number, actor, payload):
            return self._verification.reject(
                actor, request_id, version, reason, fields=fields, checks=checks
            )

    def draft_revision(
        self,
        actor: Actor,
        request_id: int,
        version: int,
        fields: Mapping[str, object],
        checks: Mapping[str, CheckInput],
    ) -> RevisionDraft:
        """Save the screen on the copy (journaled as a save), then draft the revision message."""
        number = self._number(request_id)
        payload = {"fields": dict(fields), "checks": checks_payload(checks)}
        with self._change(JournalKind.SAVE_DRAFT, number, actor, payload):
            return self._verification.draft_revision(actor, request_id, version, fields, checks)

    def request_revision(
        self, actor: Actor, request_id: int, version: int, message: str
    ) -> RequestRow:
        """Send the request back to the citizen (the message leaves once synced; journaled)."""
        number = self._number(request_id)
        payload = {"message": message}
        with self._change(JournalKind.REQUEST_REVISION, number, actor, payload):
            return self._verification.request_revision(actor, request_id, version, message)

    # -- the counter ------------------------------------------------------------------------------

    def register_walk_in(self, actor: Actor, location: str, walk_in: WalkIn) -> WalkInResult:
        """Register a citizen at the counter on the copy, with a number of this workstation's
        block (journaled with the documents; the officer holds the new request).
        """
        payload = {"location": location, "walk_in": walk_in_payload(walk_in)}
        with self.journal.recording(
            JournalKind.WALK_IN,
            "",
            None,
            actor,
            payload,
            number_of=journal_repo.newest_request_number,
        ):
            return WalkInOps(self.ctx).register(actor, location, walk_in)

    def receipt_pdf(
        self,
        actor: Actor,
        number: str,
        *,
        slip: bool = False,
        purpose: PrintPurpose = PrintPurpose.PRINT,
        reason: str = "",
    ) -> bytes:
        """The receipt of a request from the copy (a print or reprint is journaled)."""
        from disdukcapil_desk.operations.documents import DocumentOps

        documents = DocumentOps(self.ctx)
        if PrintPurpose(purpose) is PrintPurpose.SAVE:
            return documents.render_receipt(actor, number, slip=slip, purpose=purpose)
        payload = {"slip": slip, "purpose": str(purpose), "reason": reason}
        with self.journal.recording(JournalKind.RECEIPT_PRINTED, number, None, actor, payload):
            return documents.render_receipt(
                actor, number, slip=slip, purpose=purpose, reason=reason
            )

    # -- helpers ----------------------------------------------------------------------------------

    def _number(self, request_id: int) -> str:
        with self.ctx.reading() as session:
            request = requests_repo.by_id(session, request_id)
            if request is None:
                raise NotFound(f"Permohonan {request_id} tidak ditemukan")
            return request.number

    def _claim_waits(self, actor: Actor, number: str) -> bool:
        """Whether a claim of ``number`` by ``actor`` waits in the journal since the last sync."""
        return any(
            e.kind is JournalKind.CLAIM
            and e.request_number == number
            and e.actor_login == actor.login
            for e in self.journal.entries([EntryState.WAITING])
        )

    def _change(
        self, kind: JournalKind, number: str, actor: Actor, payload: Mapping[str, object]
    ) -> AbstractContextManager[list[int]]:
        """Journal a change of request ``number``, after a claim of it when none waits."""
        return self.journal.recording(
            kind, number, None, actor, payload, claim_first=self._unclaimed(actor, number)
        )

    def _unclaimed(self, actor: Actor, number: str) -> bool:
        """Whether a change of a request the officer held when the desk went offline needs a
        claim journaled before it: the server must give them the lease again first.
        """
        return not self._claim_waits(actor, number)


def _decision_payload(
    reason: str,
    fields: Mapping[str, object] | None,
    checks: Mapping[str, CheckInput] | None,
) -> dict[str, object]:
    return {
        "reason": reason,
        "fields": dict(fields) if fields is not None else None,
        "checks": checks_payload(checks),
    }
