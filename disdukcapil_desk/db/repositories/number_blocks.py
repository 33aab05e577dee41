"""Blocks of request numbers reserved for offline workstations (db layer; no commits here).

On the server: ``number_block`` rows, one per (office, day, workstation) block. In the local
copy: ``offline_numbers``, the same blocks with how far the offline walk-ins used them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from disdukcapil_desk.db.models import NumberBlock
from disdukcapil_desk.db.offline_models import OfflineNumbers
from disdukcapil_desk.domain.offline import NumberBlockRow


def _row(block: NumberBlock) -> NumberBlockRow:
    return NumberBlockRow(
        block.location_code, block.period, block.workstation, block.first_value, block.last_value
    )


def blocks_of(
    session: Session, workstation: str, location_code: str, periods: Iterable[str]
) -> list[NumberBlockRow]:
    """The blocks ``workstation`` reserved at ``location_code`` for ``periods``."""
    wanted = list(periods)
    if not wanted:
        return []
    rows = session.scalars(
        select(NumberBlock)
        .where(
            NumberBlock.workstation == workstation,
            NumberBlock.location_code == location_code,
            NumberBlock.period.in_(wanted),
        )
        .order_by(NumberBlock.period, NumberBlock.first_value)
    )
    return [_row(block) for block in rows]


def add_block(
    session: Session, block: NumberBlockRow, reserved_at: dt.datetime, reserved_by: str
) -> None:
    """Insert one reserved block."""
    session.add(
        NumberBlock(
            location_code=block.location_code,
            period=block.period,
            workstation=block.workstation,
            first_value=block.first_value,
            last_value=block.last_value,
            reserved_at=reserved_at,
            reserved_by=reserved_by,
        )
    )
    session.flush()


def block_holding(
    session: Session, location_code: str, period: str, value: int
) -> NumberBlockRow | None:
    """The block of (office, day) that holds number ``value``, if any."""
    block = session.scalars(
        select(NumberBlock).where(
            NumberBlock.location_code == location_code,
            NumberBlock.period == period,
            NumberBlock.first_value <= value,
            NumberBlock.last_value >= value,
        )
    ).first()
    return _row(block) if block is not None else None


def all_of_workstation(session: Session, workstation: str, since: str) -> list[NumberBlockRow]:
    """Every block of ``workstation`` for the days from ``since`` (YYYYMMDD) on."""
    rows = session.scalars(
        select(NumberBlock)
        .where(NumberBlock.workstation == workstation, NumberBlock.period >= since)
        .order_by(NumberBlock.location_code, NumberBlock.period, NumberBlock.first_value)
    )
    return [_row(block) for block in rows]


# --- the local copy ---------------------------------------------------------------------------


def put_local(
    session: Session,
    blocks: Sequence[NumberBlockRow],
    used: dict[tuple[str, str, int], int],
) -> None:
    """Write the blocks into the copy's ``offline_numbers``; ``used`` maps a block (office,
    day, first) to the next free number an older copy had reached (kept, never given twice).
    """
    session.execute(delete(OfflineNumbers))
    for block in blocks:
        key = (block.location_code, block.period, block.first_value)
        session.add(
            OfflineNumbers(
                location_code=block.location_code,
                period=block.period,
                first_value=block.first_value,
                last_value=block.last_value,
                next_value=max(block.first_value, used.get(key, block.first_value)),
            )
        )
    session.flush()


def local_usage(session: Session) -> dict[tuple[str, str, int], int]:
    """How far the copy used each of its blocks: (office, day, first) -> next free number."""
    return {
        (row.location_code, row.period, row.first_value): row.next_value
        for row in session.scalars(select(OfflineNumbers))
    }


def local_blocks(session: Session, location_code: str, period: str) -> list[tuple[int, int, int]]:
    """The copy's blocks of (office, day) as (first, last, next free), in order."""
    rows = session.execute(
        select(OfflineNumbers.first_value, OfflineNumbers.last_value, OfflineNumbers.next_value)
        .where(OfflineNumbers.location_code == location_code, OfflineNumbers.period == period)
        .order_by(OfflineNumbers.first_value)
    )
    return [(int(a), int(b), int(c)) for a, b, c in rows]


def take_local(session: Session, location_code: str, period: str, first_value: int) -> int | None:
    """Take the next free number of one local block (one conditional ``UPDATE``); None when
    the block is used up.
    """
    taken = session.execute(
        update(OfflineNumbers)
        .where(
            OfflineNumbers.location_code == location_code,
            OfflineNumbers.period == period,
            OfflineNumbers.first_value == first_value,
            OfflineNumbers.next_value <= OfflineNumbers.last_value,
        )
        .values(next_value=OfflineNumbers.next_value + 1)
        .returning(OfflineNumbers.next_value - 1)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return int(taken) if taken is not None else None
