"""Request numbers for offline walk-ins (operations layer).

While online, an offline-capable workstation reserves a block of the office's request numbers
for each day it may work offline (:func:`reserve_blocks`): the office's counter of that day is
moved past the block in the same transaction, so intake and every other workstation number
after it, and two workstations reserving at once get blocks that never overlap (the counter
row stays locked until the reservation commits). Offline, a walk-in draws its number from the
copy's ``offline_numbers`` (:func:`draw_offline_number`, the local context's
``request_numbers``); back online the server accepts that number only inside a block of that
office and day reserved by that workstation (``WalkInOps.register_synced``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import counters
from disdukcapil_desk.db.repositories import number_blocks as blocks_repo
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.numbering import REQUEST_COUNTER, request_period
from disdukcapil_desk.domain.offline import (
    MAX_BLOCK_SIZE,
    NumberBlockRow,
    OfflineNumberRefused,
    OfflineNumbersExhausted,
)
from disdukcapil_desk.domain.workflow import Permission, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.boundaries import check_office
from disdukcapil_desk.operations.context import DeskContext


def reserve_blocks(
    server_ctx: DeskContext,
    actor: Actor,
    location_code: str,
    workstation: str,
    days: Sequence[dt.date],
    size: int,
) -> list[NumberBlockRow]:
    """Reserve ``size`` request numbers of ``location_code`` for ``workstation`` on each of
    ``days`` that has no block of this workstation yet; return the workstation's blocks of
    those days (the ones it already had and the new ones). One transaction, audited.

    Raises:
        PermissionDenied: the actor may not register requests, or works at another office.
        DeskError: ``size`` is out of range or no day is given.
    """
    require(actor, Permission.EDIT_REQUEST)
    check_office(actor, location_code)
    if not 1 <= size <= MAX_BLOCK_SIZE:
        raise DeskError(f"Jumlah nomor per hari harus antara 1 dan {MAX_BLOCK_SIZE}")
    periods = sorted({request_period(day) for day in days})
    if not periods:
        raise DeskError("Pilih paling sedikit satu hari untuk kerja luring")
    with server_ctx.unit_of_work() as session:
        held = blocks_repo.blocks_of(session, workstation, location_code, periods)
        have = {block.period for block in held}
        missing = [p for p in periods if p not in have]
        firsts = counters.reserve(
            session, REQUEST_COUNTER, {(location_code, period): size for period in missing}
        )
        now = server_ctx.now(session)
        for period in missing:
            first = firsts[(location_code, period)]
            block = NumberBlockRow(location_code, period, workstation, first, first + size - 1)
            blocks_repo.add_block(session, block, now, actor.login)
            _audit_block(server_ctx, session, actor, block)
        return blocks_repo.blocks_of(session, workstation, location_code, periods)


def _audit_block(ctx: DeskContext, session: Session, actor: Actor, block: NumberBlockRow) -> None:
    record(
        ctx,
        session,
        actor,
        "reserve_numbers",
        "number_block",
        f"{block.location_code}/{block.period}/{block.first_value}",
        after={
            "workstation": block.workstation,
            "first": block.first_value,
            "last": block.last_value,
        },
        detail=f"nomor luring {block.first_value}-{block.last_value} untuk {block.workstation}",
    )


def draw_offline_number(session: Session, location_code: str, day: dt.date) -> int:
    """The next free number of the copy's blocks of (office, day): the local context's
    ``request_numbers`` hook, inside the walk-in's transaction (a rolled-back walk-in gives
    its number back).

    Raises:
        OfflineNumbersExhausted: the day has no block, or its blocks are used up.
    """
    period = request_period(day)
    blocks = blocks_repo.local_blocks(session, location_code, period)
    if not blocks:
        raise OfflineNumbersExhausted(
            f"Nomor luring untuk {location_code} tanggal {day:%d-%m-%Y} belum dipesan di "
            "komputer ini; pesan nomor saat daring (Siapkan kerja luring)"
        )
    for first, last, next_free in blocks:
        if next_free <= last:
            taken = blocks_repo.take_local(session, location_code, period, first)
            if taken is not None:
                return taken
    used = sum(last - first + 1 for first, last, _ in blocks)
    raise OfflineNumbersExhausted(
        f"Nomor luring untuk {location_code} hari ini habis ({used} nomor terpakai); "
        "daftarkan pemohon setelah kembali daring"
    )


def check_synced_number(
    session: Session,
    location_code: str,
    workstation: str,
    period: str,
    value: int,
) -> None:
    """Refuse a number made offline unless it lies in a block of that office and day reserved
    by ``workstation``.

    Raises:
        OfflineNumberRefused: the number is outside every block of the workstation.
    """
    block = blocks_repo.block_holding(session, location_code, period, value)
    if block is None or block.workstation != workstation:
        raise OfflineNumberRefused(
            f"Nomor luring {location_code}/{period}/{value:04d} tidak termasuk blok nomor yang "
            f"dipesan oleh {workstation}"
        )
