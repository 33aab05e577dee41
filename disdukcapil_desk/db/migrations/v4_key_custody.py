"""Version 4, keys out of the shared database: ``seal_key``, ``signing_job`` (db layer).

Up to version 3 the office's Ed25519 seal seed, its PKCS#12 and the PKCS#12's passphrase were
``office_setting`` rows: whoever could read the database could seal and sign. This step creates
the table of published seal keys (public halves only) and the signing queue, hands the stored
keys to the key keeper the caller set (:data:`KEY_KEEPER`: ``db upgrade`` writes them into a key
folder), publishes what is public (the seal key's public half, the certificate's chain) and
deletes the rows. Without a keeper, or when it cannot keep them, the step refuses and nothing
is wiped.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from disdukcapil_desk.db.models import OfficeSetting, SealKey, SigningJob
from disdukcapil_desk.db.repositories.custody import CERTIFICATE_KEY, certificate_value
from disdukcapil_desk.domain.custody import CertificateInfo
from disdukcapil_desk.domain.errors import SchemaVersionError

KEY_CUSTODY_VERSION = 4
LEGACY_SEED = "_document_secret"
LEGACY_PKCS12 = "_signing_pkcs12"
LEGACY_PASSPHRASE = "_signing_passphrase"
LEGACY_KEYS = (LEGACY_SEED, LEGACY_PKCS12, LEGACY_PASSPHRASE)


@dataclass(frozen=True, slots=True)
class LegacyKeys:
    """The keys a version-3 database held."""

    seed: bytes | None
    pkcs12: bytes | None
    passphrase: str


@dataclass(frozen=True, slots=True)
class KeptKeys:
    """What the keeper wrote away, and the public side the database keeps publishing."""

    key_id: str | None
    public_pem: bytes | None
    certificate: CertificateInfo | None
    where: str


KeyKeeper = Callable[[LegacyKeys], KeptKeys]
KEY_KEEPER: ContextVar[KeyKeeper | None] = ContextVar("KEY_KEEPER", default=None)
"""Who takes the keys out of the database (set by ``db upgrade``)."""
KEPT: ContextVar[KeptKeys | None] = ContextVar("KEPT", default=None)
"""Where the last run of this step put the keys (for the command's report)."""


def move_keys_out(conn: Connection) -> None:
    """Create the version-4 tables, then move the stored keys out and wipe them."""
    SealKey.__table__.create(conn)  # type: ignore[attr-defined]
    SigningJob.__table__.create(conn)  # type: ignore[attr-defined]
    legacy = _legacy_keys(conn)
    if legacy is None:
        return
    keeper = KEY_KEEPER.get()
    if keeper is None:
        raise SchemaVersionError(
            "Basis data ini masih menyimpan kunci dokumen; jalankan 'disdukcapil-desk db "
            "upgrade --folder-kunci FOLDER' agar kunci dipindahkan ke folder itu."
        )
    kept = keeper(legacy)  # raises when it cannot write them: nothing is wiped then
    now = dt.datetime.now(dt.UTC)
    if kept.key_id is not None and kept.public_pem is not None:
        conn.execute(
            insert(SealKey).values(
                key_id=kept.key_id,
                public_key=kept.public_pem.decode(),
                created_at=now,
                created_by="db upgrade",
            )
        )
    if kept.certificate is not None:
        conn.execute(
            insert(OfficeSetting).values(
                key=CERTIFICATE_KEY,
                value=certificate_value(kept.certificate),
                updated_at=now,
                updated_by="db upgrade",
            )
        )
    conn.execute(delete(OfficeSetting).where(OfficeSetting.key.in_(LEGACY_KEYS)))
    KEPT.set(kept)


def _legacy_keys(conn: Connection) -> LegacyKeys | None:
    rows = dict(
        conn.execute(
            select(OfficeSetting.key, OfficeSetting.value).where(OfficeSetting.key.in_(LEGACY_KEYS))
        ).all()
    )
    if not any(rows.values()):
        if rows:
            conn.execute(delete(OfficeSetting).where(OfficeSetting.key.in_(LEGACY_KEYS)))
        return None
    seed = rows.get(LEGACY_SEED)
    pkcs12 = rows.get(LEGACY_PKCS12)
    return LegacyKeys(
        bytes.fromhex(seed) if seed else None,
        base64.b64decode(pkcs12) if pkcs12 else None,
        rows.get(LEGACY_PASSPHRASE) or "",
    )
