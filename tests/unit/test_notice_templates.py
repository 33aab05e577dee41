"""The outbox notices of ``messages.json``: every kind has a text, and only known placeholders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from disdukcapil_desk.domain.citizen_messages import (
    NOTICE_KINDS,
    NoticeValues,
    load_message_templates,
)
from disdukcapil_desk.domain.errors import CatalogueError
from disdukcapil_desk.paths import resource_path

SHIPPED = resource_path("templates/messages.json")
VALUES = NoticeValues(
    name="SITI AMINAH",
    service="Penggantian KTP-el",
    number="UPT-05/20261102/0007",
    office="Disdukcapil Kabupaten Serang",
    location="UPT Disdukcapil Kecamatan Ciruas",
    subject="",
    document="KTP-el",
    date="Selasa, 3 November 2026",
    time="09.00-09.30",
    bring="bukti pendaftaran",
    reason="berkas bukan milik pemohon",
)


def test_every_notice_names_the_request_and_addresses_the_applicant() -> None:
    templates = load_message_templates(SHIPPED)
    for kind in NOTICE_KINDS:
        text = templates.notice(kind, VALUES)
        assert "SITI AMINAH" in text and VALUES.number in text, kind
        assert "{" not in text, (kind, text)


def _write(tmp_path: Path, change: dict[str, str]) -> Path:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["notices"].update(change)
    for key, value in change.items():
        if value == "":
            del data["notices"][key]
    path = tmp_path / "messages.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_misspelt_placeholder_is_refused_at_load(tmp_path: Path) -> None:
    path = _write(tmp_path, {"approved": "Yth. {nama}, nomor {nomer}"})
    with pytest.raises(CatalogueError, match=r"approved.*\{nomer\}"):
        load_message_templates(path)


def test_a_missing_notice_is_refused_at_load(tmp_path: Path) -> None:
    path = _write(tmp_path, {"pickup_reminder": ""})
    with pytest.raises(CatalogueError, match="pickup_reminder"):
        load_message_templates(path)
