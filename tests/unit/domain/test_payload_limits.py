"""Hostile payloads are refused with a reason before they are parsed deeply."""

from __future__ import annotations

import json

import pytest

from disdukcapil_desk.domain.intake import IntakeRejected, decode_payload
from disdukcapil_desk.domain.payload import PayloadLimits, PayloadRefused, check_text, check_value

LIMITS = PayloadLimits(max_bytes=1_000, max_depth=4, max_string_length=50, max_items=10)


def test_a_deeply_nested_array_is_refused_without_recursion() -> None:
    """Before, 5,000 nested brackets raised RecursionError and stopped every ingest."""
    text = '{"nama": ' + "[" * 5000 + "]" * 5000 + "}"
    with pytest.raises(IntakeRejected, match="bersarang terlalu dalam: 5001 tingkat"):
        decode_payload(text)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"catatan": '[[[[[[[[[[{{{{{{ \\" ]]]', "a": {"b": [1]}})
    assert decode_payload(text, LIMITS)["a"] == {"b": [1]}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"nama": "' + "x" * 2000 + '"}', "terlalu besar"),
        ('{"nama": "Siti\x00"}', "NUL"),
        ('{"nama": "Siti\\u0000Aminah"}', r"payload\.nama berisi karakter NUL"),
        ('{"nama\\u0000": "Siti"}', "nama kolom berisi karakter NUL"),
        ('{"catatan": "' + "y" * 51 + '"}', r"payload\.catatan terlalu panjang: 51"),
        ('{"anak": [' + ",".join(["1"] * 11) + "]}", r"payload\.anak berisi 11 butir"),
        ('{"a": {"b": {"c": {"d": {}}}}}', "5 tingkat"),
    ],
)
def test_each_limit_names_the_reason(text: str, reason: str) -> None:
    with pytest.raises(IntakeRejected, match=reason):
        decode_payload(text, LIMITS)


def test_the_default_limits_let_a_real_form_through() -> None:
    form = {"nama": "Siti Aminah", "anggota": [{"nik": "3604156107900001"}] * 20}
    assert decode_payload(json.dumps(form))["nama"] == "Siti Aminah"


def test_limits_read_from_data_refuse_unknown_or_bad_keys() -> None:
    limits = PayloadLimits.from_mapping({"_catatan": "x", "max_depth": 3})
    assert limits.max_depth == 3 and limits.max_bytes == PayloadLimits().max_bytes
    with pytest.raises(ValueError, match="tidak dikenal: max_dept"):
        PayloadLimits.from_mapping({"max_dept": 3})
    with pytest.raises(ValueError, match="positif"):
        PayloadLimits.from_mapping({"max_depth": 0})
    with pytest.raises(ValueError, match="positif"):
        PayloadLimits.from_mapping({"max_depth": True})


def test_checks_are_usable_on_their_own() -> None:
    check_text("[]", LIMITS)
    check_value({"a": ["b"]}, LIMITS)
    with pytest.raises(PayloadRefused):
        check_value(["z" * 51], LIMITS)
