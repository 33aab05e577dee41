"""Ed25519 verification codes and seals (pure functions)."""

from __future__ import annotations

import pytest

from disdukcapil_desk.domain.documents import (
    SEAL_PLACEHOLDER,
    DocumentKind,
    code_is_valid,
    display_code,
    key_fingerprint,
    load_public_key,
    parse_qr_payload,
    parse_typed_code,
    public_key_pem,
    qr_payload,
    seal,
    seal_state,
    signing_key,
    verification_code,
)

KEY = signing_key(bytes(range(32)))
PUBLIC = KEY.public_key()
FIELDS = {"nama": "Dewi Lestari", "_issued_on": "2026-11-02"}
NUMBER = "3604-KM-02112026-0001"


def test_code_verifies_with_the_public_key_only_for_the_same_fields() -> None:
    code = verification_code(KEY, DocumentKind.CERTIFICATE, NUMBER, FIELDS)
    assert code.isalnum() and code.isupper() and len(code) == 103
    assert code_is_valid(PUBLIC, DocumentKind.CERTIFICATE, NUMBER, FIELDS, code)
    assert not code_is_valid(PUBLIC, DocumentKind.RECEIPT, NUMBER, FIELDS, code)
    assert not code_is_valid(PUBLIC, DocumentKind.CERTIFICATE, NUMBER + "2", FIELDS, code)
    changed = {**FIELDS, "nama": "Dewi Lestary"}
    assert not code_is_valid(PUBLIC, DocumentKind.CERTIFICATE, NUMBER, changed, code)
    other = signing_key(bytes(32)).public_key()
    assert not code_is_valid(other, DocumentKind.CERTIFICATE, NUMBER, FIELDS, code)
    assert not code_is_valid(PUBLIC, DocumentKind.CERTIFICATE, NUMBER, FIELDS, "!!")


def test_qr_round_trip_and_display_code() -> None:
    code = verification_code(KEY, DocumentKind.RECEIPT, "DINAS/20261102/0001", {})
    content = parse_qr_payload(qr_payload(DocumentKind.RECEIPT, "DINAS/20261102/0001", code))
    assert content is not None and content.code == code
    assert display_code(code) == "-".join(code[i : i + 4] for i in (0, 4, 8, 12))


def test_public_key_pem_round_trip_and_fingerprint() -> None:
    loaded = load_public_key(public_key_pem(KEY))
    assert key_fingerprint(loaded) == key_fingerprint(PUBLIC)
    assert len(key_fingerprint(PUBLIC)) == 24
    with pytest.raises(ValueError, match=r"(?i)key|kunci|pem|asn"):
        load_public_key(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_seal_covers_the_file_as_first_written() -> None:
    document = b"%PDF-1.4 isi " + SEAL_PLACEHOLDER + b" lagi\n%%EOF\n"
    sealed = seal(document, KEY)
    assert len(sealed) == len(document) and sealed != document
    state = seal_state(sealed, PUBLIC)
    assert state.valid is True and state.sealed_length == len(sealed)
    longer = seal_state(sealed + b"tambahan", PUBLIC)
    assert longer.valid is True and longer.sealed_length == len(sealed)
    flipped = sealed.replace(b"isi", b"iso")
    assert seal_state(flipped, PUBLIC).valid is False
    assert seal_state(sealed, signing_key(bytes(32)).public_key()).valid is False
    assert seal_state(b"%PDF tanpa segel", PUBLIC).valid is None
    assert seal(b"%PDF tanpa tempat segel", KEY) == b"%PDF tanpa tempat segel"


def test_typed_number_and_printed_code() -> None:
    assert parse_typed_code("3604-lu-02112026-0001 abcd-efgh-ijkl-mn23") == (
        "3604-LU-02112026-0001",
        "ABCDEFGHIJKLMN23",
    )
    assert parse_typed_code("DINAS/20261102/0001 ABCDEFGHIJKLMNOP") == (
        "DINAS/20261102/0001",
        "ABCDEFGHIJKLMNOP",
    )
    for wrong in ("3604-LU-02112026-0001", "ABCD-EFGH-IJKL-MNOP", "X ABCD-EFGH-IJKL-MN01"):
        assert parse_typed_code(wrong) is None, wrong
