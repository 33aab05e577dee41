"""A queue page hands over the same values on SQLite and PostgreSQL, whichever way the rows
are read: aware UTC timestamps (microseconds kept, a lease or none), dates, and the same rows
after a cursor that falls on a timestamp with no fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import insert, select

from disdukcapil_desk.db.models import Location, Service, ServiceRequest
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, QueueFilter
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _request(i: int, location: str, service: str) -> dict[str, Any]:
    # Every other request on a whole second: a cursor there must still exclude its row.
    received = T0 + dt.timedelta(seconds=i // 2, microseconds=(i % 2) * 123_456)
    return {
        "number": f"V/{i:07d}",
        "service_code": service,
        "location_code": location,
        "channel": "whatsapp",
        "received_at": received,
        "contact": "+628123",
        "nik": "3604150311500001",
        "no_kk": "3604150311500002",
        "applicant_name": f"Pemohon {i}",
        "subject_nik": "3604150311500001",
        "subject_name": f"Pemohon {i}",
        "sex": "L",
        "kode_desa": "3604150001",
        "kecamatan_code": "360415",
        "payload": json.dumps({}),
        "status": "in_review" if i % 3 == 0 else "new",
        "lease_expires_at": received + dt.timedelta(minutes=15, microseconds=7) if i % 3 else None,
        "version": 1,
        "sla_due": (received + dt.timedelta(days=i % 9)).date(),
        "resubmission_count": 0,
        "created_at": received,
        "updated_at": received,
        "updated_by": "test",
    }


def test_pages_carry_the_stored_values_and_walk_past_whole_seconds(ctx: DeskContext) -> None:
    with ctx.unit_of_work() as session:
        location = session.scalars(select(Location.code).order_by(Location.code)).first()
        service = session.scalars(select(Service.code).order_by(Service.code)).first()
        assert location and service
        session.execute(insert(ServiceRequest), [_request(i, location, service) for i in range(40)])
    with ctx.reading() as session:
        stored = {
            r.id: r
            for r in session.execute(
                select(
                    ServiceRequest.id,
                    ServiceRequest.received_at,
                    ServiceRequest.lease_expires_at,
                    ServiceRequest.sla_due,
                ).where(ServiceRequest.number.like("V/%"))
            )
        }
    ops = QueueOps(ctx)
    for flt in (QueueFilter(location_code=location), QueueFilter(statuses=frozenset())):
        seen: list[int] = []
        cursor = None
        while True:
            page = ops.page(SYSTEM_ACTOR, flt, cursor, 7)
            for row in page.rows:
                if row.id not in stored:
                    continue
                seen.append(row.id)
                want = stored[row.id]
                assert row.received_at == want.received_at
                assert row.received_at.utcoffset() == dt.timedelta(0)
                assert row.lease_expires_at == want.lease_expires_at
                assert row.sla_due == want.sla_due and type(row.sla_due) is dt.date
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == sorted(stored, key=lambda i: (stored[i].received_at, i)), flt
