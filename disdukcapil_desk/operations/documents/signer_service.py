"""The signing service: the one process of the office that holds the private keys (PostgreSQL).

It runs on the office server as its own OS user (``disdukcapil-desk signer serve``). Its seal
keys are files in that user's key folder (0600); its PKCS#12 is a file given by path, opened
with a passphrase from the environment or asked at start, and never written anywhere. It takes
the jobs workstations queue (``signing_job``, claimed with ``FOR UPDATE SKIP LOCKED``, woken by
``NOTIFY``), seals and signs them, and writes the result back. A second instance takes other
jobs, never the same one.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from disdukcapil_desk.db.repositories import custody as repo
from disdukcapil_desk.domain.custody import SigningJobKind
from disdukcapil_desk.domain.documents import DocumentKind
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents.custody import (
    FolderCustody,
    KeyFolder,
    certificate_info,
)
from disdukcapil_desk.operations.documents.signing import office_settings
from disdukcapil_desk.reports.signing import SigningIdentity

log = logging.getLogger(__name__)
SERVICE_ACTOR = "signer"
"""Who the service's own writes (its certificate, a first seal key) are recorded as."""


class SignerService:
    """Take queued documents, seal and sign them with keys only this process holds."""

    def __init__(
        self, ctx: DeskContext, folder: KeyFolder, identity: SigningIdentity | None = None
    ) -> None:
        """Bind to the database, the key folder and the PAdES identity (None: the folder's,
        if it holds one; else documents are sealed only and print as drafts).

        Raises:
            DeskError: the database is not PostgreSQL (on SQLite the desk signs in-process).
        """
        if not ctx.postgresql:
            raise DeskError(
                "Layanan penanda tangan hanya untuk PostgreSQL; pada SQLite kunci ada di folder "
                "data komputer ini dan desk menandatangani sendiri."
            )
        self._ctx = ctx
        self.custody = FolderCustody(folder, identity)

    def start(self) -> str:
        """Publish what workstations need: the certificate's public side (or none: drafts) and
        the current seal key (made at the first start). Returns the key id.
        """
        identity = self.custody.identity()
        with self._ctx.unit_of_work() as session:
            info = None if identity is None else certificate_info(identity)
            repo.store_certificate(session, info, self._ctx.now(session), SERVICE_ACTOR)
            key_id, _ = self.custody.current_key(session, SERVICE_ACTOR)
        log.info("signing service ready: seal key %s, certificate %s", key_id, info)
        return key_id

    def run_once(self) -> bool:
        """Sign the oldest waiting job, if any; returns whether there was one."""
        with self._ctx.unit_of_work() as session:
            job = repo.claim_job(session)
            if job is None:
                return False
            job_id, kind, payload, location = job
            result: bytes | None = None
            error: str | None = None
            try:
                result = self._sign(session, kind, payload, location)
            except DeskError as exc:
                error = str(exc)
            except Exception:  # a broken job must not stop the office's signing
                log.exception("signing job %s failed", job_id)
                error = "galat di layanan penanda tangan (lihat log layanan)"
            repo.finish_job(session, job_id, self._ctx.now(session), result, error)
        log.info("signing job %s (%s): %s", job_id, kind.value, error or "ok")
        return True

    def serve(self, stop: threading.Event, idle: float = 1.0) -> None:
        """Sign jobs until ``stop`` is set; between jobs, wait for a NOTIFY (at most ``idle``
        seconds, then look again: a notification lost with a dropped connection costs a second).
        """
        with self._listening() as wait:
            while not stop.is_set():
                while not stop.is_set() and self.run_once():
                    pass
                wait(idle)

    def _sign(self, session: Any, kind: SigningJobKind, payload: bytes, location: str) -> bytes:
        if kind == SigningJobKind.CODE:
            data = json.loads(payload)
            code = self.custody.verification_code(
                session,
                DocumentKind(data["kind"]),
                str(data["number"]),
                {str(k): str(v) for k, v in data["fields"].items()},
                SERVICE_ACTOR,
            )
            return code.encode()
        place = location or office_settings(session).place_of_issue
        return self.custody.seal_and_sign(session, payload, location=place, by=SERVICE_ACTOR)

    @contextmanager
    def _listening(self) -> Iterator[Any]:
        """A connection LISTENing on the queue's channel; yields ``wait(seconds)``."""
        raw = self._ctx.engine.raw_connection()
        connection = raw.driver_connection
        assert connection is not None
        try:
            connection.autocommit = True
            repo.listen_for_jobs(connection)

            def wait(seconds: float) -> None:
                for _ in connection.notifies(timeout=seconds, stop_after=1):
                    pass

            yield wait
        finally:
            raw.invalidate()  # never hand an autocommit, listening connection back to the pool
