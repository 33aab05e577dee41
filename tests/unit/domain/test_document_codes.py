"""Ed25519 verification codes and seals (pure functions)."""

from __future__ import annotations

import pytest

from disdukcapil_desk.domain.documents import (
    SEAL_PLACEHOLDER,
    DocumentKind,
    DocumentSeal,
    code_is_valid,
    code_matches,
    display_code,
    embedded_documents,
    embedded_metadata,
    key_fingerprint,
    key_id,
    load_public_key,
    load_public_keys,
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
KEYS = {key_id(PUBLIC): PUBLIC}
OTHER = signing_key(bytes(32)).public_key()
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
    state = seal_state(sealed, KEYS)
    assert state.valid is True and state.sealed_length == len(sealed)
    assert state.key_id == key_id(PUBLIC) and state.pinned_signer == ""
    longer = seal_state(sealed + b"tambahan", KEYS)
    assert longer.valid is True and longer.sealed_length == len(sealed)
    flipped = sealed.replace(b"isi", b"iso")
    assert seal_state(flipped, KEYS).valid is False
    assert seal_state(sealed, {key_id(OTHER): OTHER}).valid is False
    assert seal_state(sealed, {key_id(PUBLIC): OTHER}).valid is False
    assert seal_state(b"%PDF tanpa segel", KEYS).valid is None
    assert seal(b"%PDF tanpa tempat segel", KEY) == b"%PDF tanpa tempat segel"


def test_the_seal_pins_the_signer_and_the_pin_is_covered() -> None:
    document = b"%PDF-1.4 isi " + SEAL_PLACEHOLDER + b" lagi\n%%EOF\n"
    pin = "ab" * 32
    sealed = seal(document, KEY, pin)
    state = seal_state(sealed, KEYS)
    assert state.valid is True and state.pinned_signer == pin
    for forged_pin in ("cd" * 32, "-" * 64):
        forged = sealed.replace(pin.encode(), forged_pin.encode())
        assert seal_state(forged, KEYS).valid is False
    unpinned = seal(document, KEY)
    assert seal_state(unpinned.replace(b"-" * 64, pin.encode()), KEYS).valid is False
    with pytest.raises(ValueError, match="SHA-256"):
        seal(document, KEY, "bukan-sha256")


def _first_form_seal(document: bytes) -> bytes:
    """A seal as the desk wrote it before key ids (``DDKSEAL:<length>0<signature>``)."""
    placeholder = b"DDKSEAL:" + b"0" * 139
    assert placeholder in document
    stamp = (
        b"DDKSEAL:" + f"{len(document):010d}".encode() + b"0" + KEY.sign(document).hex().encode()
    )
    return document.replace(placeholder, stamp)


def test_files_of_the_first_seal_form_still_verify_with_any_known_key() -> None:
    document = b"%PDF-1.4 /Keywords (DDKSEAL:" + b"0" * 139 + b") isi\n%%EOF\n"
    sealed = _first_form_seal(document)
    state = seal_state(sealed, {key_id(OTHER): OTHER, **KEYS})
    assert state.valid is True and state.key_id == key_id(PUBLIC)
    assert state.pinned_signer is None and state.sealed_length == len(sealed)
    assert seal_state(sealed, {key_id(OTHER): OTHER}).valid is False
    assert seal_state(sealed.replace(b"isi", b"iso"), KEYS).valid is False


def test_key_ids_several_public_keys_and_codes_by_key() -> None:
    assert len(key_id(PUBLIC)) == 8 and key_id(PUBLIC) != key_id(OTHER)
    keys = load_public_keys(public_key_pem(signing_key(bytes(32))) + public_key_pem(KEY))
    assert set(keys) == {key_id(OTHER), key_id(PUBLIC)}
    with pytest.raises(ValueError, match="PEM"):
        load_public_keys(b"tidak ada kunci")
    code = verification_code(KEY, DocumentKind.CERTIFICATE, NUMBER, FIELDS)
    keyed = DocumentSeal(DocumentKind.CERTIFICATE, NUMBER, code, FIELDS, key_id(PUBLIC))
    assert code_matches(keys, keyed)
    assert not code_matches({key_id(OTHER): OTHER}, keyed)
    wrong_id = DocumentSeal(DocumentKind.CERTIFICATE, NUMBER, code, FIELDS, key_id(OTHER))
    assert not code_matches(keys, wrong_id)
    old_form = DocumentSeal(DocumentKind.CERTIFICATE, NUMBER, code, FIELDS)
    assert code_matches(keys, old_form)


def test_qr_forms_with_and_without_a_key_id() -> None:
    code = verification_code(KEY, DocumentKind.CERTIFICATE, NUMBER, FIELDS)
    ident = key_id(PUBLIC)
    text = qr_payload(DocumentKind.CERTIFICATE, NUMBER, code, ident)
    assert text == f"DDK2|C|{NUMBER}|{ident}|{code}"
    content = parse_qr_payload(text)
    assert content is not None and content.key_id == ident and content.code == code
    old = parse_qr_payload(f"DDK1|C|{NUMBER}|{code}")
    assert old is not None and old.key_id == "" and old.number == NUMBER
    for junk in (f"DDK2|C|{NUMBER}|{code}", f"DDK1|C|{NUMBER}|{ident}|{code}", "DDK2|X|a|b|c"):
        assert parse_qr_payload(junk) is None


def test_the_embedded_blocks_carry_the_key_id_and_stay_out_of_keywords() -> None:
    code = verification_code(KEY, DocumentKind.CERTIFICATE, NUMBER, FIELDS)
    item = DocumentSeal(DocumentKind.CERTIFICATE, NUMBER, code, FIELDS, key_id(PUBLIC))
    text = embedded_metadata([item])
    assert text.startswith(SEAL_PLACEHOLDER.decode())
    [back] = embedded_documents(text.encode())
    assert back == item


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
