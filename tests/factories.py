"""One way to make the intake rows tests send: :func:`make_request` and :func:`sample_row`.

A channel's row (``IncomingRow``) is what every request starts as; tests build them here
instead of spelling the nine fields out at each use.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from disdukcapil_desk.operations.intake import IncomingRow

SAMPLES = json.loads((Path(__file__).parent / "data" / "intake_samples.json").read_text())
"""The intake contract's sample rows (``tests/data/intake_samples.json``)."""
GOOD_PAYLOAD: dict[str, Any] = json.loads(SAMPLES["rows"][1]["payload"])
"""A complete KTP-el replacement form of a woman (``wa-1002``)."""
RECEIVED = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC)
"""Monday 2 November 2026, 10:00 WIB."""


def make_request(*, fields: Mapping[str, object] | None = None, **overrides: Any) -> IncomingRow:
    """An intake row as a channel writes it: a complete KTP-el replacement sent by WhatsApp.

    ``fields`` change the form's payload (``GOOD_PAYLOAD``); ``overrides`` replace the row's
    own fields (``external_ref``, ``service_code``, ``received_at``, ``location_code``,
    ``sender``, ``channel``, ``attachments``, ``payload`` …).
    """
    row = IncomingRow(
        channel="whatsapp",
        external_ref="wa-test",
        service_code="ktpel_penggantian",
        payload=json.dumps(dict(GOOD_PAYLOAD, **(fields or {}))),
        sender="+6285712345678",
        received_at=RECEIVED,
    )
    return replace(row, **overrides)


def sample_row(ref: str, **overrides: Any) -> IncomingRow:
    """The contract's sample row ``ref`` (``wa-1002`` …), with ``overrides`` replaced."""
    raw = next(r for r in SAMPLES["rows"] if r["external_ref"] == ref)
    row = IncomingRow(
        channel=raw["channel"],
        external_ref=raw["external_ref"],
        service_code=raw["service_code"],
        payload=raw["payload"],
        sender=raw["sender"],
        received_at=dt.datetime.fromisoformat(raw["received_at"]),
        location_code=raw["location_code"],
        reply_to_number=raw["reply_to_number"],
    )
    return replace(row, **overrides)
