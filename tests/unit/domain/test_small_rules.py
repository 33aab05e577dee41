"""Passwords, the audit hash, numbers, routing and demo NIKs."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest

from disdukcapil_desk.domain.audit import AuditEntry, entry_hash, snapshot
from disdukcapil_desk.domain.demo_data import document_png, make_nik
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor, is_upt_location
from disdukcapil_desk.domain.numbering import (
    looks_like_request_number,
    normalize_request_number,
    request_number,
)
from disdukcapil_desk.domain.passwords import hash_password, password_problem, verify_password
from disdukcapil_desk.domain.workflow import Role

AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def test_password_hash_is_salted_and_verifies() -> None:
    first, second = hash_password("rahasia123"), hash_password("rahasia123")
    assert first != second and "rahasia123" not in first
    assert verify_password("rahasia123", first)
    assert not verify_password("rahasia124", first)
    assert not verify_password("rahasia123", "md5$abc")
    assert not verify_password("rahasia123", "garbage")
    assert password_problem("pendek") and password_problem(" spasi-depan")
    assert password_problem("cukup-panjang") is None


def test_audit_hash_depends_on_every_field_and_the_chain() -> None:
    entry = AuditEntry(
        AT,
        "loket",
        "claim",
        "service_request",
        "DINAS/20261102/0001",
        '{"status":"new"}',
        '{"status":"in_review"}',
        "",
    )
    base = entry_hash("0" * 64, entry)
    assert base == entry_hash("0" * 64, entry)
    assert base == entry_hash("0" * 64, replace(entry, at=AT.astimezone(dt.UTC)))
    assert base != entry_hash("1" * 64, entry)
    assert base != entry_hash("0" * 64, replace(entry, after='{"status":"done"}'))
    assert base != entry_hash("0" * 64, replace(entry, actor="loket2"))
    assert snapshot({"b": 1, "a": dt.date(2026, 1, 2)}) == '{"a": "2026-01-02", "b": 1}'


def test_request_numbers() -> None:
    number = request_number("UPT-05", dt.date(2026, 11, 2), 7)
    assert number == "UPT-05/20261102/0007"
    assert looks_like_request_number(number) and looks_like_request_number(" dinas/20261102/0001")
    assert not looks_like_request_number("3604150311920014")
    with pytest.raises(ValueError, match="starts at 1"):
        request_number("DINAS", dt.date(2026, 1, 1), 0)


def test_demo_nik_follows_the_rules() -> None:
    assert make_nik("360415", dt.date(1995, 7, 21), "P", 9) == "3604156107950009"
    assert make_nik("360415", dt.date(1992, 11, 3), "L", 14) == "3604150311920014"
    png = document_png(random.Random(1))
    assert png.startswith(b"\x89PNG") and png.endswith(b"IEND\xaeB`\x82")


@pytest.mark.parametrize(
    "typed", [" dinas/20261102/0001 ", "DINAS/20261102/0001", "\tDinas/20261102/0001\n"]
)
def test_a_request_number_is_normalized_the_same_way_everywhere(typed: str) -> None:
    assert normalize_request_number(typed) == "DINAS/20261102/0001"
    assert looks_like_request_number(typed)


@pytest.mark.parametrize(
    ("location", "upt"),
    [("UPT-05", True), ("UPT-31", True), ("DINAS", False), (None, False), ("", False)],
)
def test_only_an_officer_of_a_upt_is_bound_to_it(location: str | None, upt: bool) -> None:
    actor = Actor("petugas", Role.COUNTER, user_id=1, location_code=location)
    assert actor.is_upt_officer is upt
    assert is_upt_location(location) is upt
    assert not SYSTEM_ACTOR.is_upt_officer
