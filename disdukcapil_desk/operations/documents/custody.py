"""Key custody: who holds the office's private keys, and how a document gets sealed and signed.

Two custodians, one seam (:class:`KeyCustody`):

- :class:`FolderCustody` (in-process): the keys are files in a key folder of the OS user who runs
  the desk (mode 0600, the folder 0700). One workstation on SQLite uses it directly; the signing
  service on the office server uses it too, in its own OS user's folder.
- :class:`ServiceCustody` (a workstation on PostgreSQL): holds no key; it puts each document in
  the ``signing_job`` queue and waits for the signing service (``disdukcapil-desk signer
  serve``) to sign it, or says in Indonesian that no service answered.

The passphrase of the office's PKCS#12 is never kept: the in-process custodian opens the file
once, when the administrator installs it, and re-wraps the key under a random key kept in a
second 0600 file (``sertifikat.kunci``). The desk must sign unattended (an officer prints while
the administrator is away), so some secret must sit next to the key; a random wrap key is that
secret without ever writing down a passphrase a person chose (and may use elsewhere). Both
files are readable only by the OS user; the database holds neither.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import time
from pathlib import Path
from typing import Protocol, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12 as pkcs12_format
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from disdukcapil_desk.db.migrations.v4_key_custody import KeptKeys, KeyKeeper, LegacyKeys
from disdukcapil_desk.db.repositories import custody as repo
from disdukcapil_desk.db.repositories import documents as documents_repo
from disdukcapil_desk.domain.custody import CertificateInfo, SigningJobKind, SigningJobState
from disdukcapil_desk.domain.documents import (
    DocumentKind,
    key_id,
    public_key_pem,
    seal,
    verification_code,
)
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.operations.audit_key import workstation_key_file
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.paths import user_dirs
from disdukcapil_desk.reports.signing import SigningIdentity, load_identity, sign_pdf

log = logging.getLogger(__name__)

SIGNER_ENV = "DISDUKCAPIL_SIGNER"
"""``layanan`` (the signing service; the default on PostgreSQL) or ``lokal`` (keys in this OS
user's folder; always on SQLite, on PostgreSQL only where one computer is server and desk)."""
KEY_FOLDER_NAME = "kunci-dokumen"
CERTIFICATE_FILE = "sertifikat.p12"
WRAP_KEY_FILE = "sertifikat.kunci"
SIGNING_REASON = "Dokumen resmi Disdukcapil"
TIMESTAMP_URL_KEY = "signing_timestamp_url"
"""The ``office_setting`` key of the RFC 3161 timestamp server ("" or absent: PAdES B-B)."""
DEFAULT_TIMEOUT = 30.0
"""Seconds a workstation waits for the signing service before it gives up."""


class KeyCustody(Protocol):
    """Whoever holds the private keys: seals, codes and signs; never hands a key out."""

    holds_keys: bool
    """Whether this process holds the private keys (False: a workstation of the service)."""

    def verification_code(
        self, session: Session, kind: DocumentKind, number: str, fields: dict[str, str], by: str
    ) -> str:
        """The code over a document's key fields, with the current seal key."""

    def seal_and_sign(self, session: Session, pdf: bytes, *, location: str, by: str) -> bytes:
        """The PDF sealed with the current seal key and PAdES-signed when a certificate is held."""

    def configure(
        self, session: Session, pkcs12: bytes | None, passphrase: str, by: str
    ) -> CertificateInfo | None:
        """Install (or with None remove) the PKCS#12; returns its public side."""

    def rotate(self, session: Session, by: str) -> str:
        """Make a new seal key, retire the current one (its public half stays published)."""


# -- key files ------------------------------------------------------------------------------


def write_secret(path: Path, data: bytes) -> None:
    """Write a key file readable by its owner only (0600; its folder 0700), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class KeyFolder:
    """The files of one custodian: ``segel-<id>.key`` seeds, the re-wrapped PKCS#12."""

    def __init__(self, path: Path) -> None:
        """Bind to ``path`` (created at the first key written)."""
        self.path = path
        self._identity: tuple[tuple[int, int], SigningIdentity] | None = None

    def seed_file(self, key: str) -> Path:
        """The file of the seal key ``key``."""
        return self.path / f"segel-{key}.key"

    def seal_key(self, key: str) -> Ed25519PrivateKey | None:
        """The private seal key ``key``, or None when this folder does not hold it."""
        try:
            seed = bytes.fromhex(self.seed_file(key).read_text(encoding="ascii").strip())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise DeskError(
                f"Berkas kunci segel tidak dapat dibaca: {self.seed_file(key)}"
            ) from exc
        return Ed25519PrivateKey.from_private_bytes(seed)

    def keep_seal_key(self, seed: bytes) -> tuple[str, Ed25519PrivateKey]:
        """Write a seal key's seed (0600) and return its id and key."""
        private = Ed25519PrivateKey.from_private_bytes(seed)
        identifier = key_id(private.public_key())
        write_secret(self.seed_file(identifier), seed.hex().encode())
        return identifier, private

    def new_seal_key(self) -> tuple[str, Ed25519PrivateKey]:
        """Make and keep a new random seal key."""
        return self.keep_seal_key(secrets.token_bytes(32))

    def drop_seal_keys(self, keep: str) -> None:
        """Delete every seed but ``keep`` (retired keys only verify; no one seals with them)."""
        for file in self.path.glob("segel-*.key"):
            if file.name != self.seed_file(keep).name:
                file.unlink(missing_ok=True)

    def keep_certificate(self, pkcs12: bytes, passphrase: str) -> SigningIdentity:
        """Re-wrap a PKCS#12 under a new random key and keep both (0600); the passphrase is
        only used here, never written.

        Raises:
            DeskError: the file cannot be opened with the passphrase.
        """
        load_identity(pkcs12, passphrase)  # the desk's own message for a wrong passphrase
        key, cert, extra = pkcs12_format.load_key_and_certificates(pkcs12, passphrase.encode())
        wrap = secrets.token_hex(32)
        wrapped = pkcs12_format.serialize_key_and_certificates(
            b"dinas",
            key,  # type: ignore[arg-type]
            cert,
            extra,
            serialization.BestAvailableEncryption(wrap.encode()),
        )
        write_secret(self.path / WRAP_KEY_FILE, wrap.encode())
        write_secret(self.path / CERTIFICATE_FILE, wrapped)
        return load_identity(wrapped, wrap)

    def drop_certificate(self) -> None:
        """Delete the kept PKCS#12 and its wrap key."""
        for name in (CERTIFICATE_FILE, WRAP_KEY_FILE):
            (self.path / name).unlink(missing_ok=True)

    def identity(self) -> SigningIdentity | None:
        """The kept PKCS#12, opened (once per file version), or None when none is kept."""
        file = self.path / CERTIFICATE_FILE
        try:
            stat = file.stat()
        except FileNotFoundError:
            return None
        version = (stat.st_mtime_ns, stat.st_size)
        if self._identity is None or self._identity[0] != version:
            wrap = (self.path / WRAP_KEY_FILE).read_text(encoding="ascii").strip()
            self._identity = (version, load_identity(file.read_bytes(), wrap))
        return self._identity[1]


def certificate_info(identity: SigningIdentity) -> CertificateInfo:
    """The public side of a loaded identity."""
    return CertificateInfo(identity.subject, identity.not_after, identity.trust_roots_der)


# -- the in-process custodian ---------------------------------------------------------------


class FolderCustody:
    """Keys in a folder of this OS user: one SQLite workstation, or the signing service."""

    holds_keys = True

    def __init__(self, folder: KeyFolder, identity: SigningIdentity | None = None) -> None:
        """Bind to ``folder``; ``identity``: a PKCS#12 opened elsewhere (the service's
        ``--pkcs12`` or a PKCS#11 token) instead of the folder's.
        """
        self.folder = folder
        self._given_identity = identity

    def identity(self) -> SigningIdentity | None:
        """The PAdES identity this custodian signs with, or None."""
        return self._given_identity or self.folder.identity()

    def current_key(self, session: Session, by: str) -> tuple[str, Ed25519PrivateKey]:
        """The current seal key, made and published at first need.

        Raises:
            DeskError: the database names a current key this folder does not hold.
        """
        current = _current_key_id(session)
        if current is None:
            repo.lock_keys(session)
            current = _current_key_id(session)
        if current is None:
            identifier, private = self.folder.new_seal_key()
            repo.publish_key(
                session, identifier, public_key_pem(private), _now(session), by, retire_others=False
            )
            return identifier, private
        held = self.folder.seal_key(current)
        if held is None:
            raise DeskError(
                f"Kunci segel {current} tidak ada di folder kunci {self.folder.path}: dokumen "
                "tidak dapat disegel di komputer ini (lihat docs/signing.md, 'Memindahkan kunci')."
            )
        return current, held

    def verification_code(
        self, session: Session, kind: DocumentKind, number: str, fields: dict[str, str], by: str
    ) -> str:
        """The code over a document's key fields, with the current seal key."""
        return verification_code(self.current_key(session, by)[1], kind, number, fields)

    def seal_and_sign(self, session: Session, pdf: bytes, *, location: str, by: str) -> bytes:
        """Seal with the current key, pinning the certificate that signs next; PAdES-sign
        (with the office's timestamp server, when one is set) when a certificate is kept.
        """
        identity = self.identity()
        if identity is None and repo.certificate(session) is not None:
            raise DeskError(
                "Sertifikat penanda tangan terpasang di basis data tetapi berkasnya tidak ada "
                f"di folder kunci {self.folder.path}: dokumen tidak ditandatangani."
            )
        pin = identity.cert_sha256 if identity is not None else ""
        sealed = seal(pdf, self.current_key(session, by)[1], pin)
        if identity is None:
            return sealed
        return sign_pdf(
            sealed,
            identity,
            reason=SIGNING_REASON,
            location=location,
            timestamp_url=documents_repo.office_values(session).get(TIMESTAMP_URL_KEY, ""),
        )

    def configure(
        self, session: Session, pkcs12: bytes | None, passphrase: str, by: str
    ) -> CertificateInfo | None:
        """Keep (or remove) the PKCS#12 in the folder; publish its public side."""
        info = None
        if pkcs12 is None:
            self.folder.drop_certificate()
        else:
            info = certificate_info(self.folder.keep_certificate(pkcs12, passphrase))
        repo.store_certificate(session, info, _now(session), by)
        return info

    def rotate(self, session: Session, by: str) -> str:
        """A new seal key; the current one is retired (public half stays published)."""
        repo.lock_keys(session)
        identifier, private = self.folder.new_seal_key()
        repo.publish_key(
            session, identifier, public_key_pem(private), _now(session), by, retire_others=True
        )
        return identifier


# -- a workstation of the signing service ---------------------------------------------------


class ServiceCustody:
    """A workstation on PostgreSQL: no key here; the signing service signs queued documents."""

    holds_keys = False

    def __init__(self, ctx: DeskContext, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Bind to the desk context; ``timeout``: seconds to wait for the service."""
        self._ctx = ctx
        self.timeout = timeout

    def verification_code(
        self, session: Session, kind: DocumentKind, number: str, fields: dict[str, str], by: str
    ) -> str:
        """Ask the service for the code of a document's key fields."""
        payload = json.dumps({"kind": kind.value, "number": number, "fields": fields}).encode()
        return self._ask(SigningJobKind.CODE, payload, "", by).decode()

    def seal_and_sign(self, session: Session, pdf: bytes, *, location: str, by: str) -> bytes:
        """Ask the service to seal (and sign) a PDF."""
        return self._ask(SigningJobKind.SEAL, pdf, location, by)

    def configure(
        self, session: Session, pkcs12: bytes | None, passphrase: str, by: str
    ) -> CertificateInfo | None:
        """Refused: the certificate is the service's, given to it on the server."""
        raise DeskError(
            "Sertifikat dipegang layanan penanda tangan di server, bukan di basis data: "
            "jalankan 'disdukcapil-desk signer serve --pkcs12 BERKAS' di server "
            "(lihat docs/signing.md)."
        )

    def rotate(self, session: Session, by: str) -> str:
        """Refused: the seal key is the service's."""
        raise DeskError(
            "Kunci segel dipegang layanan penanda tangan: jalankan 'disdukcapil-desk signer "
            "rotate' di server sebagai pengguna layanan."
        )

    def _ask(self, kind: SigningJobKind, payload: bytes, location: str, by: str) -> bytes:
        """Queue a job and wait for its result: one autocommit connection that LISTENs for
        finished jobs, so the answer is read as soon as the service announces it.
        """
        with self._ctx.database_errors(), self._ctx.engine.connect() as raw:
            db = raw.execution_options(isolation_level="AUTOCOMMIT")
            repo.listen_for_results(db)
            try:
                return self._exchange(db, kind, payload, location, by)
            finally:
                repo.stop_listening(db)

    def _exchange(
        self, db: Connection, kind: SigningJobKind, payload: bytes, location: str, by: str
    ) -> bytes:
        job = repo.add_job(db, kind, payload, location, self._ctx.clock(), by)
        deadline = time.monotonic() + self.timeout
        while True:
            outcome = repo.job_outcome(db, job)
            if outcome is not None and outcome[0] != SigningJobState.WAITING:
                repo.drop_job(db, job)
                state, result, error = outcome
                if state == SigningJobState.FAILED or result is None:
                    raise DeskError(f"Layanan penanda tangan menolak: {error}")
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            _wait_for_notification(db, min(remaining, 0.5))
        repo.drop_job(db, job, only_waiting=True)
        raise DeskError(
            f"Layanan penanda tangan tidak menjawab dalam {self.timeout:g} detik: dokumen belum "
            "disegel atau ditandatangani. Minta administrator memeriksa 'disdukcapil-desk "
            "signer serve' di server."
        )


def _wait_for_notification(db: Connection, seconds: float) -> None:
    """Wait for a NOTIFY on ``db`` (any finished job: the caller looks at its own), at most
    ``seconds``.
    """
    driver = db.connection.driver_connection
    for _ in driver.notifies(timeout=seconds, stop_after=1):  # type: ignore[union-attr]
        pass


# -- moving the keys of a version-3 database out ----------------------------------------------


def legacy_key_keeper(folder: KeyFolder) -> KeyKeeper:
    """The keeper ``db upgrade`` hands to the version-4 step: writes the stored seed and the
    re-wrapped PKCS#12 into ``folder`` (0600) and reads them back before the rows are wiped.
    """

    def keep(legacy: LegacyKeys) -> KeptKeys:
        identifier = pem = None
        certificate = None
        try:
            if legacy.seed is not None:
                identifier, private = folder.keep_seal_key(legacy.seed)
                if folder.seal_key(identifier) is None:
                    raise OSError(f"{folder.seed_file(identifier)} tidak terbaca kembali")
                pem = public_key_pem(private)
            if legacy.pkcs12 is not None:
                identity = folder.keep_certificate(legacy.pkcs12, legacy.passphrase)
                certificate = certificate_info(identity)
        except OSError as exc:
            raise DeskError(
                f"Kunci dokumen tidak dapat ditulis ke {folder.path} ({exc}); basis data tidak "
                "diubah, kunci belum dihapus. Pilih folder lain: 'db upgrade --folder-kunci "
                "FOLDER'."
            ) from exc
        return KeptKeys(identifier, pem, certificate, str(folder.path))

    return keep


# -- choosing ---------------------------------------------------------------------------------


def key_folder_of(ctx: DeskContext) -> Path:
    """The key folder of this OS user: the context's, else the data folder's ``kunci-dokumen``."""
    if ctx.key_folder is not None:
        return ctx.key_folder
    audit_file = workstation_key_file()
    data = audit_file.parent if audit_file is not None else user_dirs().data
    return data / KEY_FOLDER_NAME


def custody_for(ctx: DeskContext) -> KeyCustody:
    """The custodian of this process: in-process on SQLite (and with ``DISDUKCAPIL_SIGNER=lokal``),
    the signing service on PostgreSQL.
    """
    if ctx.key_custody is not None:
        return cast(KeyCustody, ctx.key_custody)
    mode = os.environ.get(SIGNER_ENV, "").strip().lower()
    if ctx.postgresql and mode != "lokal":
        return ServiceCustody(ctx)
    return FolderCustody(KeyFolder(key_folder_of(ctx)))


def _current_key_id(session: Session) -> str | None:
    return next((k.key_id for k in repo.published_keys(session) if k.current), None)


def _now(session: Session) -> dt.datetime:
    return dt.datetime.now(dt.UTC)
