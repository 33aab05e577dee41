"""The office's keys: the Ed25519 seal of every PDF, the PAdES identity, the public key."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import documents as repo
from disdukcapil_desk.domain.document_records import SigningInfo
from disdukcapil_desk.domain.documents import key_id, public_key_pem, seal, signing_key
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.office import OfficeSettings, settings_from
from disdukcapil_desk.domain.workflow import Permission, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.reports.signing import SigningIdentity, load_identity, sign_pdf

SIGNING_REASON = "Dokumen resmi Disdukcapil"
TIMESTAMP_URL_KEY = "signing_timestamp_url"
"""The ``office_setting`` key of the RFC 3161 timestamp server ("" or absent: PAdES B-B)."""


class DocumentSigning:
    """Seal and sign PDFs; publish the public key; configure the PKCS#12 certificate."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx
        self._identity: tuple[bytes, SigningIdentity] | None = None

    def key(self, session: Session, by: str) -> Ed25519PrivateKey:
        """The office's Ed25519 key (created at first need, ``by`` is recorded then)."""
        return signing_key(repo.document_secret(session, self._ctx.now(session), by))

    def verification_keys(self, session: Session) -> dict[str, Ed25519PublicKey]:
        """The office's public seal keys by key id: the current one (retired ones to come)."""
        public = self.key(session, "system").public_key()
        return {key_id(public): public}

    def identity(self, session: Session) -> SigningIdentity | None:
        """The configured PKCS#12 identity, or None (certificates print as drafts).

        Opened once per stored certificate: a batch of a thousand pages shares it.
        """
        material = repo.signing_material(session)
        if material is None:
            return None
        fingerprint = hashlib.sha256(material[0] + material[1].encode()).digest()
        if self._identity is None or self._identity[0] != fingerprint:
            self._identity = (fingerprint, load_identity(*material))
        return self._identity[1]

    def sealed(self, session: Session, actor: Actor, pdf: bytes) -> bytes:
        """Seal a PDF with the office key, then sign it when a certificate is configured."""
        identity = self.identity(session)
        pin = identity.cert_sha256 if identity is not None else ""
        sealed = seal(pdf, self.key(session, actor.login), pin)
        if identity is None:
            return sealed
        place = office_settings(session).place_of_issue
        return sign_pdf(
            sealed,
            identity,
            reason=SIGNING_REASON,
            location=place,
            timestamp_url=repo.office_values(session).get(TIMESTAMP_URL_KEY, ""),
        )

    def public_key(self) -> bytes:
        """Return the office's public verification key (PEM) to publish for offline checks."""
        with self._ctx.unit_of_work() as session:
            return public_key_pem(self.key(session, "system"))

    def signing_info(self) -> SigningInfo | None:
        """Return the configured signing certificate, or None (certificates print as drafts)."""
        with self._ctx.reading() as session:
            identity = self.identity(session)
        return None if identity is None else SigningInfo(identity.subject, identity.not_after)

    def configure_signing(
        self, actor: Actor, pkcs12: bytes | None, passphrase: str = ""
    ) -> SigningInfo | None:
        """Set (or with None remove) the office's PKCS#12 signing certificate; audited.

        Raises:
            PermissionDenied: the actor is not an administrator.
            DeskError: the file cannot be opened with the passphrase, or it has expired.
        """
        require(actor, Permission.MANAGE_OFFICE)
        info = None
        if pkcs12 is not None:
            identity = load_identity(pkcs12, passphrase)
            if identity.not_after <= self._ctx.clock():
                raise DeskError(f"Sertifikat {identity.subject} sudah kedaluwarsa")
            info = SigningInfo(identity.subject, identity.not_after)
        material = None if pkcs12 is None else (pkcs12, passphrase)
        with self._ctx.unit_of_work() as session:
            repo.store_signing_material(session, material, self._ctx.now(session), actor.login)
            record(
                self._ctx,
                session,
                actor,
                "signing_certificate",
                "office_setting",
                "signing",
                after={"subject": info.subject if info else None},
            )
        return info


def office_settings(session: Session) -> OfficeSettings:
    """The letterhead and signers every workstation prints."""
    return settings_from(repo.office_values(session))
