"""The office's keys as the desk uses them: seal and sign through the custodian, publish the
public keys (current and retired), configure the PKCS#12, rotate the seal key.

No private key is read from or written to the database: see :mod:`.custody`.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import custody as keys_repo
from disdukcapil_desk.db.repositories import documents as repo
from disdukcapil_desk.domain.custody import PublishedKey
from disdukcapil_desk.domain.document_records import SigningInfo
from disdukcapil_desk.domain.documents import DocumentKind, load_public_key
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.office import OfficeSettings, settings_from
from disdukcapil_desk.domain.workflow import Permission, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents.custody import (
    SIGNING_REASON,
    TIMESTAMP_URL_KEY,
    FolderCustody,
    KeyCustody,
    custody_for,
)
from disdukcapil_desk.reports.signing import load_identity

__all__ = ["SIGNING_REASON", "TIMESTAMP_URL_KEY", "DocumentSigning", "office_settings"]


class DocumentSigning:
    """Seal and sign PDFs through the custodian; publish the public keys; configure signing."""

    def __init__(self, ctx: DeskContext, custody: KeyCustody | None = None) -> None:
        """Bind to the desk context and its custodian (:func:`custody_for` when None)."""
        self._ctx = ctx
        self.custody = custody if custody is not None else custody_for(ctx)

    def verification_code(
        self,
        session: Session,
        actor: Actor,
        kind: DocumentKind,
        number: str,
        fields: dict[str, str],
    ) -> str:
        """The code of a document's key fields under the current seal key."""
        return self.custody.verification_code(session, kind, number, fields, actor.login)

    def signs(self, session: Session) -> bool:
        """Whether documents are PAdES-signed now (False: certificates print as drafts)."""
        return keys_repo.certificate(session) is not None

    def sealed(self, session: Session, actor: Actor, pdf: bytes) -> bytes:
        """Seal a PDF with the office key, then sign it when a certificate is configured."""
        place = office_settings(session).place_of_issue
        return self.custody.seal_and_sign(session, pdf, location=place, by=actor.login)

    def published_keys(self, session: Session) -> list[PublishedKey]:
        """Every seal key's public half, current first (a key is made at first need here)."""
        published = keys_repo.published_keys(session)
        if not published and isinstance(self.custody, FolderCustody):
            self.custody.current_key(session, "system")
            published = keys_repo.published_keys(session)
        return published

    def verification_keys(self, session: Session) -> dict[str, Ed25519PublicKey]:
        """Every seal key the office has used, current and retired, by key id."""
        return {k.key_id: load_public_key(k.pem) for k in self.published_keys(session)}

    def current_public_key(self, session: Session) -> Ed25519PublicKey:
        """The key documents are sealed with now (a key that verifies nothing when the
        signing service has not published one yet).
        """
        current = next((k for k in self.published_keys(session) if k.current), None)
        if current is None:
            return Ed25519PrivateKey.generate().public_key()
        return load_public_key(current.pem)

    def trust_roots(self, session: Session) -> tuple[bytes, ...] | None:
        """The signing certificate's chain (DER) a verifier trusts; None without one."""
        info = keys_repo.certificate(session)
        return None if info is None else info.chain_der

    def public_key(self) -> bytes:
        """Every public seal key as PEM blocks, the current first, then the retired ones:
        what the office publishes for offline checks.
        """
        with self._ctx.unit_of_work() as session:
            return b"".join(k.pem for k in self.published_keys(session))

    def signing_info(self) -> SigningInfo | None:
        """Return the configured signing certificate, or None (certificates print as drafts)."""
        with self._ctx.reading() as session:
            info = keys_repo.certificate(session)
        return None if info is None else SigningInfo(info.subject, info.not_after)

    def configure_signing(
        self, actor: Actor, pkcs12: bytes | None, passphrase: str = ""
    ) -> SigningInfo | None:
        """Set (or with None remove) the office's PKCS#12 signing certificate; audited.

        The file goes to the custodian's key folder re-wrapped; the passphrase is not kept.

        Raises:
            PermissionDenied: the actor is not an administrator.
            DeskError: the file cannot be opened with the passphrase, or it has expired; or the
                certificate is the signing service's (PostgreSQL).
        """
        require(actor, Permission.MANAGE_OFFICE)
        if pkcs12 is not None:
            identity = load_identity(pkcs12, passphrase)
            if identity.not_after <= self._ctx.clock():
                raise DeskError(f"Sertifikat {identity.subject} sudah kedaluwarsa")
        with self._ctx.unit_of_work() as session:
            stored = self.custody.configure(session, pkcs12, passphrase, actor.login)
            record(
                self._ctx,
                session,
                actor,
                "signing_certificate",
                "office_setting",
                "signing",
                after={"subject": stored.subject if stored else None},
            )
        return None if stored is None else SigningInfo(stored.subject, stored.not_after)

    def rotate(self, actor: Actor) -> str:
        """Make a new seal key and retire the current one; returns the new key's id. Audited.

        Raises:
            PermissionDenied: the actor is not an administrator.
            DeskError: the seal key is the signing service's (rotate on the server).
        """
        require(actor, Permission.MANAGE_OFFICE)
        with self._ctx.unit_of_work() as session:
            new_id = self.custody.rotate(session, actor.login)
            record(self._ctx, session, actor, "seal_key_rotated", "seal_key", new_id, after={})
        if isinstance(self.custody, FolderCustody):
            self.custody.folder.drop_seal_keys(keep=new_id)
        return new_id


def office_settings(session: Session) -> OfficeSettings:
    """The letterhead and signers every workstation prints."""
    return settings_from(repo.office_values(session))
