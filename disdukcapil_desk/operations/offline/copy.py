"""The local copy of an offline-capable workstation (operations layer).

A SQLite desk database of the server's schema in the data folder (``luring/salinan.sqlite3``),
plus the copy's own tables (``db/offline_models.py``). It holds what the office needs to keep
working while the server is out of reach: the reference tables, the users who may log in at
the office (their password hashes and lockout counters), the office's open requests that can
be decided at the counter (oldest first, at most a limit) with their checks, findings and
documents, the server version of each (``offline_base``), the workstation's reserved number
blocks (``offline_numbers``) and a fresh audit chain. The desk's operations run on it
unchanged through :meth:`OfflineCopy.open_local`.

A refresh builds a new file beside the old one and renames it over it only when complete, so a
crash or a cancel leaves the previous copy whole; it is refused while the copy's journal still
holds changes the server has not settled.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.repositories import number_blocks as blocks_repo
from disdukcapil_desk.db.repositories import offline_copy as repo
from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.document_records import Cancelled, Progress
from disdukcapil_desk.domain.documents import OFFLINE_CODE, DocumentKind
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.numbering import request_period
from disdukcapil_desk.domain.offline import (
    DEFAULT_BLOCK_SIZE,
    DEFAULT_COPY_LIMIT,
    EntryState,
    NumberBlockRow,
)
from disdukcapil_desk.domain.workflow import Permission, Status, require
from disdukcapil_desk.operations.boundaries import check_office
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.offline.numbers import draw_offline_number, reserve_blocks

COPY_FOLDER = "luring"
COPY_FILE = "salinan.sqlite3"
COUNTER_STATUSES = (Status.NEW, Status.IN_REVIEW, Status.NEEDS_REVISION)
"""The open requests an officer can take up at the counter; later steps (Input SIAK, TTE,
pickup) need the server."""
CHUNK = 100
"""Requests copied per step (progress and cancel are looked at between steps)."""
FACT_SERVER = "server"
FACT_WORKSTATION = "workstation"
FACT_LOCATION = "location"
FACT_COPIED_AT = "copied_at"
FACT_COPIED_BY = "copied_by"
FACT_REQUESTS = "requests"
FACT_LEFT_OUT = "left_out"
CARRIED_FACTS = frozenset({"last_sync"})
"""Facts a new copy keeps from the one it replaces (when the desk last synced)."""
"""Open requests of the office the copy does not hold (past the limit)."""


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What one refresh of the copy did."""

    path: Path
    requests: int
    """Open requests the copy holds."""
    left_out: int
    """Open requests of the office past the limit (not in the copy)."""
    users: int
    attachment_bytes: int
    blocks: tuple[NumberBlockRow, ...]
    """The workstation's number blocks the copy holds (today and later)."""
    size_bytes: int
    copied_at: dt.datetime
    cancelled: bool = False
    """The refresh was cancelled: the previous copy (if any) is kept as it was."""


class OfflineCustody:
    """The key custodian of the local copy: it holds no key, so a document printed offline is
    not sealed, and its code says so (``OFFLINE_CODE``: the receipt prints "DICETAK LURING"
    where the code goes; a scan of its QR is refused, the number is typed at pickup). The
    server makes the sealed receipt when the print is synchronised.
    """

    holds_keys = False

    def verification_code(
        self, session: Session, kind: DocumentKind, number: str, fields: dict[str, str], by: str
    ) -> str:
        """No key offline: the code that says so."""
        return OFFLINE_CODE

    def seal_and_sign(self, session: Session, pdf: bytes, *, location: str, by: str) -> bytes:
        """No key offline: the PDF as rendered, unsealed."""
        return pdf

    def configure(self, session: Session, pkcs12: bytes | None, passphrase: str, by: str) -> None:
        """Certificates are installed on the server only."""
        raise DeskError("Sertifikat hanya dapat dipasang saat daring")

    def rotate(self, session: Session, by: str) -> str:
        """Seal keys change on the server only."""
        raise DeskError("Kunci segel hanya dapat diganti saat daring")


class OfflineCopy:
    """The local copy of one workstation at one office."""

    def __init__(
        self, server_ctx: DeskContext, folder: Path, workstation: str, location_code: str
    ) -> None:
        """Bind to the server's context, the copy's folder (``<data>/luring``), this
        workstation's id and the office it works for.
        """
        self._server = server_ctx
        self._folder = folder
        self._workstation = workstation
        self._location = location_code

    @property
    def path(self) -> Path:
        """The copy's file."""
        return self._folder / COPY_FILE

    def exists(self) -> bool:
        """Whether a copy has been made."""
        return self.path.is_file()

    def open_local(self) -> DeskContext:
        """A desk context over the copy: the server's reference data, clock, lease and audit
        key; walk-ins numbered from the reserved blocks; documents unsealed (no key offline).
        The caller closes it (and must before :meth:`refresh`).

        Raises:
            DatabaseMissing: no copy has been made.
        """
        return DeskContext(
            make_engine(sqlite_url(self.path), create=False),
            self._server.reference,
            clock=self._server.clock,
            lease=self._server.lease,
            audit_key_file=self._server.audit_key_file,
            key_folder=self._server.key_folder,
            key_custody=OfflineCustody(),
            request_numbers=draw_offline_number,
        )

    def facts(self) -> dict[str, str]:
        """What the copy says of itself (server, workstation, office, when copied, by whom,
        how many requests); empty without a copy.
        """
        if not self.exists():
            return {}
        with self._local_engine() as engine, Session(engine) as session:
            return repo.facts(session)

    def numbers_left(self, day: dt.date) -> int:
        """How many request numbers of ``day`` the copy can still give (0 without a copy)."""
        if not self.exists():
            return 0
        with self._local_engine() as engine, Session(engine) as session:
            blocks = blocks_repo.local_blocks(session, self._location, request_period(day))
        return sum(last - next_free + 1 for _, last, next_free in blocks)

    def unsettled(self) -> int:
        """Journal entries of the copy the server has not settled (waiting or in conflict)."""
        if not self.exists():
            return 0
        with self._local_engine() as engine, Session(engine) as session:
            return repo.journal_counts(
                session, [EntryState.WAITING.value, EntryState.CONFLICT.value]
            )

    def refresh(
        self,
        actor: Actor,
        *,
        days: Sequence[dt.date] | None = None,
        block_size: int = DEFAULT_BLOCK_SIZE,
        limit: int = DEFAULT_COPY_LIMIT,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> CopyReport:
        """Reserve number blocks for ``days`` (default: today) and make the copy anew.

        Raises:
            PermissionDenied: the actor may not register requests, or works at another office.
            DeskError: the copy's journal still holds changes not synchronised (sync first),
                or the limit is not positive.
        """
        require(actor, Permission.EDIT_REQUEST)
        check_office(actor, self._location)
        if limit < 1:
            raise DeskError("Batas permohonan salinan luring harus lebih dari nol")
        used = self._refuse_unsettled()
        carried = {k: v for k, v in self.facts().items() if k in CARRIED_FACTS}
        with self._server.reading() as session:
            today = office_date(self._server.now(session))
        reserve_blocks(
            self._server, actor, self._location, self._workstation, days or [today], block_size
        )
        self._folder.mkdir(parents=True, exist_ok=True)
        temporary = self._folder / f".{COPY_FILE}.{secrets.token_hex(4)}"
        try:
            report = self._build(temporary, actor, today, used, carried, limit, progress, cancelled)
            if report.cancelled:
                return report
            self._replace(temporary)
            return report
        finally:
            for leftover in _files_of(temporary):
                leftover.unlink(missing_ok=True)

    # -- building -------------------------------------------------------------------------

    def _refuse_unsettled(self) -> dict[tuple[str, str, int], int]:
        """Refuse while the journal holds unsettled entries; return how far the current copy
        used its blocks (a number given offline is never given again, even if refused).
        """
        if not self.exists():
            return {}
        waiting = self.unsettled()
        if waiting:
            raise DeskError(
                f"Salinan luring masih memuat {waiting} tindakan yang belum disinkronkan atau "
                "masih konflik: sinkronkan dan selesaikan dulu sebelum salinan diperbarui"
            )
        with self._local_engine() as engine, Session(engine) as session:
            return blocks_repo.local_usage(session)

    def _build(
        self,
        target_path: Path,
        actor: Actor,
        today: dt.date,
        used: dict[tuple[str, str, int], int],
        carried: dict[str, str],
        limit: int,
        progress: Progress | None,
        cancelled: Cancelled | None,
    ) -> CopyReport:
        engine = repo.build_engine(target_path)
        try:
            repo.create_local_schema(engine)
            with self._server.reading() as source, Session(engine) as target, target.begin():
                report = self._fill(source, target, actor, today, used, limit, progress, cancelled)
                repo.put_facts(target, carried)
                if report.cancelled:
                    return report
            repo.check_links(engine)
        finally:
            engine.dispose()
        repo.make_durable(target_path)
        size = target_path.stat().st_size
        return CopyReport(
            self.path,
            report.requests,
            report.left_out,
            report.users,
            report.attachment_bytes,
            report.blocks,
            size,
            report.copied_at,
        )

    def _fill(
        self,
        source: Session,
        target: Session,
        actor: Actor,
        today: dt.date,
        used: dict[tuple[str, str, int], int],
        limit: int,
        progress: Progress | None,
        cancelled: Cancelled | None,
    ) -> CopyReport:
        now = self._server.now(source)
        repo.copy_reference(source, target)
        user_ids = repo.copy_users(source, target, self._location)
        statuses = [s.value for s in COUNTER_STATUSES]
        ids = repo.open_request_ids(source, self._location, statuses, user_ids, now, limit + 1)
        left_out = len(ids) - limit if len(ids) > limit else 0
        ids = ids[:limit]
        kept = set(ids)
        holders: set[int] = set()
        size = 0
        for done, chunk in enumerate(_chunks(ids), start=1):
            if cancelled is not None and cancelled():
                return _cancelled(self.path, now)
            holders.update(repo.copy_requests(source, target, chunk, kept))
            size += repo.copy_attachments(source, target, chunk, kept)
            repo.copy_receipts(source, target, chunk)
            if progress is not None:
                progress(min(done * CHUNK, len(ids)), len(ids))
        repo.copy_stub_users(source, target, holders - set(user_ids))
        if left_out:
            left_out = repo.count_open(source, self._location, statuses) - len(ids)
        blocks = self._blocks(source, target, today, used)
        repo.put_facts(
            target,
            {
                FACT_SERVER: self._server.database_label,
                FACT_WORKSTATION: self._workstation,
                FACT_LOCATION: self._location,
                FACT_COPIED_AT: now.isoformat(),
                FACT_COPIED_BY: actor.login,
                FACT_REQUESTS: str(len(ids)),
                FACT_LEFT_OUT: str(left_out),
            },
        )
        return CopyReport(self.path, len(ids), left_out, len(user_ids), size, tuple(blocks), 0, now)

    def _blocks(
        self,
        source: Session,
        target: Session,
        today: dt.date,
        used: dict[tuple[str, str, int], int],
    ) -> list[NumberBlockRow]:
        """The workstation's blocks of today and later into ``offline_numbers``, each past
        the numbers already registered on the server or given by the previous copy.
        """
        blocks = blocks_repo.all_of_workstation(source, self._workstation, request_period(today))
        blocks = [b for b in blocks if b.location_code == self._location]
        reached = dict(used)
        for block in blocks:
            key = (block.location_code, block.period, block.first_value)
            registered = [
                int(number.rsplit("/", 1)[1])
                for number in repo.used_numbers(source, block.location_code, block.period)
            ]
            inside = [n for n in registered if block.first_value <= n <= block.last_value]
            if inside:
                reached[key] = max(reached.get(key, block.first_value), max(inside) + 1)
        blocks_repo.put_local(target, blocks, reached)
        return blocks

    def _replace(self, built: Path) -> None:
        """Put the built file in place of the copy (a rename: the old copy or the new one,
        never half of either); stale journal files of the old copy go first.
        """
        for stale in _files_of(self.path)[1:]:
            stale.unlink(missing_ok=True)
        os.replace(built, self.path)

    @contextlib.contextmanager
    def _local_engine(self) -> Iterator[Engine]:
        engine = make_engine(sqlite_url(self.path), create=False)
        try:
            yield engine
        finally:
            engine.dispose()


def _files_of(path: Path) -> list[Path]:
    """A SQLite file and its journal files."""
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _cancelled(path: Path, now: dt.datetime) -> CopyReport:
    return CopyReport(path, 0, 0, 0, 0, (), 0, now, cancelled=True)
