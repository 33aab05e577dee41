"""The real offline machinery for the window's session (ui layer; ``docs/offline.md``).

:class:`WorkstationOffline` implements ``ui.session.OfflineParts`` over ``operations/offline``:
the local copy of this workstation (``<data>/luring/salinan.sqlite3``), the journaled desk
on it, the sync back to the server, the number blocks. Every method runs on the task
runner's worker except :meth:`has_copy` (a file check) and :attr:`offline_capable`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from disdukcapil_desk.domain.clock import office_date
from disdukcapil_desk.domain.documents import DocumentKind, PrintPurpose
from disdukcapil_desk.domain.dto import Actor, CancelFn, ProgressFn
from disdukcapil_desk.domain.errors import DatabaseError
from disdukcapil_desk.domain.offline import (
    ConnectionMode,
    OfflineStatus,
    Resolution,
    SyncConflict,
    SyncReport,
)
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.offline.copy import COPY_FOLDER, CopyReport, OfflineCopy
from disdukcapil_desk.operations.offline.desk import OfflineDesk
from disdukcapil_desk.operations.offline.journal import Journal
from disdukcapil_desk.operations.offline.sync import Sync
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.ui.session import OfflineActions, OfflineUnavailable
from disdukcapil_desk.ui.tasks import guard_database_access


@dataclass
class _OnCopy:
    """The journal, desk and sync of one open local copy (made once: each hooks onto a
    context's commits).
    """

    desk: WindowDesk
    sync: Sync


class WorkstationOffline:
    """This workstation's local copy, its journaled desk and its sync."""

    def __init__(
        self,
        server_ctx: DeskContext,
        data_folder: Path,
        workstation: str,
        location_code: str,
        *,
        capable: Callable[[], bool],
        guard: Callable[[], None] | None = guard_database_access,
    ) -> None:
        """``capable`` reads the workstation's setting each time (it may change meanwhile);
        ``guard`` is put on the copy's pool like on the server's (None: no guard, the CLI).
        """
        self.server_ctx, self.workstation, self.location = server_ctx, workstation, location_code
        self.copy = OfflineCopy(server_ctx, data_folder / COPY_FOLDER, workstation, location_code)
        self._capable, self._guard = capable, guard
        self._on_copy: dict[int, _OnCopy] = {}

    @property
    def offline_capable(self) -> bool:
        """Whether the workstation's setting says it may work offline."""
        return self._capable()

    def has_copy(self) -> bool:
        """Whether the local copy exists."""
        return self.copy.exists()

    def open_local(self) -> DeskContext:
        """A context over the local copy, guarded like the server's."""
        local = self.copy.open_local()
        if self._guard is not None:
            local.add_checkout_guard(self._guard)
        return local

    def offline_desk(self, local_ctx: DeskContext) -> OfflineActions:
        """The journaled actions on the copy; the time the desk went offline is noted."""
        desk = self._parts(local_ctx).desk
        desk.go_offline()
        return desk

    def prepare(
        self,
        actor: Actor,
        days: Sequence[dt.date],
        block_size: int,
        progress: ProgressFn,
        cancelled: CancelFn,
    ) -> str:
        """Reserve the days' number blocks on the server and make the copy anew; what it
        holds, in a sentence.
        """
        self._forget_copy()  # the copy's contexts were closed before (the file is replaced)
        return summary(
            self.copy.refresh(
                actor, days=days, block_size=block_size, progress=progress, cancelled=cancelled
            )
        )

    def refresh(
        self, actor: Actor, block_size: int, progress: ProgressFn, cancelled: CancelFn
    ) -> str:
        """Make the copy anew after a sync (today's block reserved when missing)."""
        self._forget_copy()
        return summary(
            self.copy.refresh(actor, block_size=block_size, progress=progress, cancelled=cancelled)
        )

    def sync(self, local_ctx: DeskContext, progress: ProgressFn, cancelled: CancelFn) -> SyncReport:
        """Replay the journal on the server."""
        return self._parts(local_ctx).sync.run(progress, cancelled)

    def resolve(
        self, local_ctx: DeskContext, seq: int, resolution: Resolution, actor: Actor
    ) -> None:
        """Apply the officer's answer to a conflict."""
        self._parts(local_ctx).sync.resolve(seq, resolution, actor)

    def status(self, local_ctx: DeskContext | None, mode: ConnectionMode) -> OfflineStatus:
        """Where the desk stands: the journal's counts, with the session's mode."""
        if local_ctx is None:
            return OfflineStatus(mode, None, 0, 0, None)
        status = self._parts(local_ctx).sync.status()
        offline = mode is not ConnectionMode.ONLINE
        return OfflineStatus(
            mode,
            status.offline_since if offline else None,
            status.waiting,
            status.conflicts,
            status.last_sync,
            self.copy.numbers_left(office_date(local_ctx.clock())) if offline else None,
        )

    def conflicts(self, local_ctx: DeskContext) -> list[SyncConflict]:
        """The journal's conflicts, as the last sync found them."""
        return self._parts(local_ctx).sync.conflicts()

    def server_reachable(self) -> bool:
        """Whether the server answers (its schema can be read)."""
        try:
            SetupOps(self.server_ctx).check()
        except DatabaseError:
            return False
        return True

    def _parts(self, local_ctx: DeskContext) -> _OnCopy:
        found = self._on_copy.get(id(local_ctx))
        if found is None:
            self._forget_copy()  # one open copy at a time
            journal = Journal(local_ctx)
            found = _OnCopy(
                WindowDesk(local_ctx, journal, self.workstation),
                Sync(self.server_ctx, local_ctx, self.workstation, journal),
            )
            self._on_copy = {id(local_ctx): found}
        return found

    def _forget_copy(self) -> None:
        """Take the journal's and the sync's hooks off their contexts."""
        for made in self._on_copy.values():
            made.sync.close()
            made.desk.journal.close()
        self._on_copy.clear()


def summary(report: CopyReport) -> str:
    """What a refresh made, as the status bar says it."""
    if report.cancelled:
        return "Penyiapan dibatalkan; salinan lokal sebelumnya tetap dipakai."
    blocks = ", ".join(
        f"{b.period[6:8]}-{b.period[4:6]} no. {b.first_value}–{b.last_value}" for b in report.blocks
    )
    left = f" ({report.left_out} tidak muat)" if report.left_out else ""
    return (
        f"Siap bekerja luring: {report.requests} permohonan terbuka{left} disalin; "
        f"nomor dipesan {blocks or '-'}."
    )


class WindowDesk(OfflineDesk):
    """The offline desk, with the window's "printed" count of receipts (the desk journals a
    receipt rendered for printing; the window counts it once the printer took it).
    """

    def record_print(self, actor: Actor, kind: DocumentKind, numbers: Sequence[str]) -> None:
        """Count receipts as printed on the copy (journaled); other documents need the server.

        Raises:
            OfflineUnavailable: not a receipt.
        """
        if kind is not DocumentKind.RECEIPT:
            raise OfflineUnavailable("Dokumen ini hanya dapat dicetak saat tersambung ke server.")
        for number in numbers:
            self.receipt_pdf(actor, number, purpose=PrintPurpose.PRINT)
