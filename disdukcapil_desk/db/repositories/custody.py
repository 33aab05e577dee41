"""Public key material and the signing queue (db layer; no commits here).

Nothing here reads or writes a private key: the seal keys' public halves, the signing
certificate's public chain, and the jobs a workstation puts for the signing service.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import OfficeSetting, SealKey, SigningJob
from disdukcapil_desk.db.repositories.office import put_setting
from disdukcapil_desk.domain.custody import (
    CertificateInfo,
    PublishedKey,
    SigningJobKind,
    SigningJobState,
)

CERTIFICATE_KEY = "_signing_certificate"
"""The ``office_setting`` key of the signing certificate's public side (subject, chain)."""
NOTIFY_CHANNEL = "disdukcapil_signing"
"""The PostgreSQL channel a new job is announced on (the service LISTENs)."""
DONE_CHANNEL = "disdukcapil_signed"
"""The channel a finished job is announced on (the waiting workstations LISTEN)."""


# -- seal keys (public halves) ---------------------------------------------------------------


def published_keys(session: Session) -> list[PublishedKey]:
    """Every seal key's public half, the current one first, then the retired newest first."""
    rows = session.scalars(
        select(SealKey).order_by(SealKey.retired_at.is_not(None), SealKey.created_at.desc())
    )
    return [PublishedKey(r.key_id, r.public_key.encode(), r.created_at, r.retired_at) for r in rows]


def publish_key(
    session: Session, key_id: str, pem: bytes, at: dt.datetime, by: str, *, retire_others: bool
) -> None:
    """Publish a new seal key (and with ``retire_others`` retire the current one)."""
    if retire_others:
        session.execute(update(SealKey).where(SealKey.retired_at.is_(None)).values(retired_at=at))
    session.add(SealKey(key_id=key_id, public_key=pem.decode(), created_at=at, created_by=by))
    session.flush()


def lock_keys(session: Session) -> None:
    """Serialise the creation of the first key and rotations (PostgreSQL; SQLite: one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE seal_key IN SHARE ROW EXCLUSIVE MODE"))


# -- the signing certificate's public side ---------------------------------------------------


def certificate(session: Session) -> CertificateInfo | None:
    """The signing certificate the custodian holds (public side), or None: documents are drafts."""
    value = session.scalar(select(OfficeSetting.value).where(OfficeSetting.key == CERTIFICATE_KEY))
    if not value:
        return None
    data = json.loads(value)
    return CertificateInfo(
        data["subject"],
        dt.datetime.fromisoformat(data["not_after"]),
        tuple(base64.b64decode(c) for c in data["chain"]),
    )


def store_certificate(
    session: Session, info: CertificateInfo | None, at: dt.datetime, by: str
) -> None:
    """Publish (or with None withdraw) the signing certificate's public side."""
    value = "" if info is None else certificate_value(info)
    put_setting(session, CERTIFICATE_KEY, value, by=by, at=at)


def certificate_value(info: CertificateInfo) -> str:
    """The stored form of a certificate's public side."""
    return json.dumps(
        {
            "subject": info.subject,
            "not_after": info.not_after.isoformat(),
            "chain": [base64.b64encode(c).decode() for c in info.chain_der],
        }
    )


# -- the queue ---------------------------------------------------------------------------------


Executor = Session | Connection
"""A session, or an autocommit connection (a workstation waiting on the queue)."""


def add_job(
    db: Executor, kind: SigningJobKind, payload: bytes, location: str, at: dt.datetime, by: str
) -> int:
    """Queue a job for the signing service and announce it; returns its id."""
    job_id = db.execute(
        insert(SigningJob)
        .values(
            kind=kind.value,
            state=SigningJobState.WAITING.value,
            payload=payload,
            location=location,
            requested_by=by,
            requested_at=at,
        )
        .returning(SigningJob.id)
    ).scalar_one()
    _notify(db, NOTIFY_CHANNEL, "")
    return int(job_id)


def listen_for_jobs(driver: Any) -> None:
    """Be told (NOTIFY) of new jobs, on a driver (psycopg) connection in autocommit."""
    driver.execute(f"LISTEN {NOTIFY_CHANNEL}")


def listen_for_results(db: Connection) -> None:
    """Be told (NOTIFY) when the service finishes a job."""
    db.exec_driver_sql(f"LISTEN {DONE_CHANNEL}")


def stop_listening(db: Connection) -> None:
    """Hear no more notifications on this connection (before it goes back to the pool)."""
    db.exec_driver_sql("UNLISTEN *")


def job_outcome(db: Executor, job_id: int) -> tuple[str, bytes | None, str | None] | None:
    """The state, result and error of a job, or None when it is gone."""
    row = db.execute(
        select(SigningJob.state, SigningJob.result, SigningJob.error).where(SigningJob.id == job_id)
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


def drop_job(db: Executor, job_id: int, *, only_waiting: bool = False) -> bool:
    """Delete a job (read, or given up on); with ``only_waiting`` only if no one took it."""
    stmt = delete(SigningJob).where(SigningJob.id == job_id)
    if only_waiting:
        stmt = stmt.where(SigningJob.state == SigningJobState.WAITING.value)
    return bool(db.execute(stmt).rowcount)  # type: ignore[attr-defined]


def claim_job(session: Session) -> tuple[int, SigningJobKind, bytes, str] | None:
    """Take the oldest waiting job, locked so that a second service skips it; or None."""
    row = session.execute(
        select(SigningJob.id, SigningJob.kind, SigningJob.payload, SigningJob.location)
        .where(SigningJob.state == SigningJobState.WAITING.value)
        .order_by(SigningJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if row is None:
        return None
    return row[0], SigningJobKind(row[1]), row[2], row[3]


def finish_job(
    session: Session, job_id: int, at: dt.datetime, result: bytes | None, error: str | None
) -> None:
    """Write a job's result (or why it failed) and drop its payload."""
    state = SigningJobState.DONE if error is None else SigningJobState.FAILED
    session.execute(
        update(SigningJob)
        .where(SigningJob.id == job_id)
        .values(state=state.value, result=result, error=error, done_at=at, payload=b"")
    )
    _notify(session, DONE_CHANNEL, str(job_id))


def _notify(db: Executor, channel: str, payload: str) -> None:
    dialect = db.get_bind().dialect if isinstance(db, Session) else db.dialect
    if dialect.name == "postgresql":
        db.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload}
        )
