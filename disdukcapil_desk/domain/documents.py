"""What the desk's documents say, and how a genuine one is told from an altered one (domain).

The reports layer draws plain data: :class:`ReceiptData` and :class:`CertificateData`. A
certificate's wording is data, not code: ``resources/templates/certificates.json`` holds one
template per certificate type (titles in Indonesian and English, the body lines with their
field mapping, the key fields and the signer), so a new type is a template entry, not a module.

Verification, without personal data in the QR and without a server:

- the office has an Ed25519 key pair (the public key can be exported and published, see
  ``public-key``); each key has a short *key id* (:func:`key_id`), so keys can be rotated and
  old documents keep verifying with the published retired keys;
- the QR carries only ``DDK2|<R or C>|<number>|<key id>|<code>`` (``DDK1|..|<number>|<code>``
  before key ids, checked against every known key); the code is the Ed25519 signature (base32)
  over the canonical key fields of the document. Anyone holding the public key checks it
  against the key fields; the desk also compares them with the stored ones;
- every PDF carries, in a private document-info entry (``/DDKDesk``; files made before it used
  ``Keywords``), the key fields and codes of its documents and a *seal*: an Ed25519 signature
  over the whole file as first written, which also names the key id and pins the PAdES signer
  (the SHA-256 of the signing certificate, or none: the file is not to be signed). Changing any
  byte breaks the seal; bytes appended later must be exactly the pinned signer's PAdES
  signature (plus validation data), or the file counts as altered; a file sealed for signing
  without its signature is not valid either. A certificate in a file sealed not for signing is
  a DRAF: genuine, but not an official document.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from disdukcapil_desk.domain.catalogue import Catalogue, read_json_resource
from disdukcapil_desk.domain.errors import CatalogueError, DeskError, WorkflowError
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.terbilang import MONTHS, date_long, number_words, ordinal_words
from disdukcapil_desk.domain.vocabulary import Channel, CheckState

QR_PREFIX = "DDK1"
"""The QR form before key ids; also the domain tag of every code's message."""
QR_PREFIX_KEYED = "DDK2"
SEAL_MARK = b"DDKSEAL:"
"""The first seal form (no key id, no pinned signer): still verified, no longer written."""
SEAL_MARK_KEYED = b"DDKSEAL2:"
METADATA_KEY = "/DDKDesk"
"""The private document-info entry holding the seal and the documents' blocks."""
KEY_ID_LENGTH = 8
_SEAL_LENGTH_DIGITS = 10
_SEAL_HEX = 128
_PIN_HEX = 64
_NO_PIN = "-" * _PIN_HEX
SEAL_PLACEHOLDER = SEAL_MARK_KEYED + b"0" * (
    KEY_ID_LENGTH + 1 + _PIN_HEX + 1 + _SEAL_LENGTH_DIGITS + 1 + _SEAL_HEX
)
DISPLAY_CODE_LENGTH = 16
"""Characters of the code printed under the QR (the whole signature is in the QR)."""
_BLOCK_MARK = "DDKV:"
_SEAL_RE = re.compile(re.escape(SEAL_MARK) + rb"([0-9]{10})0([0-9a-f]{128})")
_KEYED_SEAL_RE = re.compile(
    re.escape(SEAL_MARK_KEYED) + rb"([0-9A-F]{8}):([0-9a-f]{64}|-{64}):([0-9]{10}):([0-9a-f]{128})"
)
_BLOCK_RE = re.compile(rb"DDKV:([A-Za-z0-9_\-=]+)")
_PLACEHOLDER_RE = re.compile(r"\{([a-z0-9_]+)((?:\|[a-z_]+)*)\}")
TEMPLATE_VERSION = 1


class DocumentKind(enum.StrEnum):
    """What a document is: the receipt of a request or its certificate."""

    RECEIPT = "receipt"
    CERTIFICATE = "certificate"

    @property
    def letter(self) -> str:
        """One-letter tag used in the QR payload."""
        return "R" if self is DocumentKind.RECEIPT else "C"


class PrintPurpose(enum.StrEnum):
    """Why a PDF of a document was made; each stored file records its purpose."""

    ISSUE = "issue"
    PRINT = "print"
    REPRINT = "reprint"
    SAVE = "save"
    BATCH = "batch"

    @property
    def label(self) -> str:
        """The Indonesian word for the purpose."""
        return _PURPOSE_LABELS[self]

    @property
    def counts_as_printed(self) -> bool:
        """Whether paper comes out of it (a saved file is not a print)."""
        return self in (PrintPurpose.PRINT, PrintPurpose.REPRINT)


_PURPOSE_LABELS = {
    PrintPurpose.ISSUE: "Terbit",
    PrintPurpose.PRINT: "Cetak",
    PrintPurpose.REPRINT: "Cetak ulang",
    PrintPurpose.SAVE: "Simpan PDF",
    PrintPurpose.BATCH: "Cetak massal",
}


class RegisterEvent(enum.StrEnum):
    """What the number register records about a document number."""

    VOID = "void"
    REPRINT = "reprint"

    @property
    def label(self) -> str:
        """The Indonesian word for the event (the command line prints it in capitals)."""
        return "Dibatalkan" if self is RegisterEvent.VOID else "Cetak ulang"


# -- plain data the reports draw -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The kop surat: government, agency, the UPT when the document comes from one."""

    government: str
    agency: str
    unit: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One requirement on a receipt with its state."""

    label: str
    state: str
    required: bool = True


OFFLINE_CODE = "LURING"
"""The code of a document printed on the local copy: no seal key is there, so it has no code
(its QR verifies nothing); the server makes the sealed one when the print is synchronised."""
OFFLINE_DISPLAY = "DICETAK LURING"


@dataclass(frozen=True, slots=True)
class DocumentSeal:
    """What a document carries to be verified: its QR text and its embedded block."""

    kind: DocumentKind
    number: str
    code: str
    fields: Mapping[str, str]
    key_id: str = ""
    """The id of the key that made ``code`` ("" in files made before key ids)."""

    @property
    def qr_text(self) -> str:
        """The QR payload: number, key id and code only."""
        return qr_payload(self.kind, self.number, self.code, self.key_id)

    @property
    def offline(self) -> bool:
        """Whether the document was printed offline: no code, no QR to scan."""
        return self.code == OFFLINE_CODE

    @property
    def display_code(self) -> str:
        """The short code printed under the QR, for people to read out ("DICETAK LURING" on
        a document printed offline, which has no code).
        """
        if self.offline:
            return OFFLINE_DISPLAY
        return display_code(self.code)


@dataclass(frozen=True, slots=True)
class ReceiptData:
    """Everything a receipt (tanda terima / bukti pendaftaran) prints."""

    letterhead: Letterhead
    number: str
    received_at: dt.datetime
    channel: str
    service_name: str
    applicant_name: str
    nik_masked: str
    kk_masked: str
    desa: str
    kecamatan: str
    checklist: tuple[ChecklistItem, ...]
    status: str
    due_date: dt.date | None
    """None when the request will not be completed (rejected, cancelled): no date to promise."""
    delivery: str
    """How the document is collected; ``""`` when there is nothing to collect."""
    officer_name: str
    officer_nip: str
    place: str
    printed_at: dt.datetime
    call_centre: str
    verification: DocumentSeal
    reprint_count: int = 0
    applicant_label: str = ""
    """The applicant's role when the document is about someone else (``Pelapor``)."""
    subject_name: str = ""
    """Whom the document is about when that is not the applicant; ``""`` otherwise."""
    subject_label: str = ""
    subject_nik_masked: str = ""


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signs a certificate: title (with the regency), name and NIP."""

    title: str
    title_en: str
    name: str
    nip: str

    def missing(self) -> list[str]:
        """What the office has not set of this signer (Indonesian words); empty when complete."""
        parts = (("nama", self.name), ("NIP", self.nip), ("jabatan", self.title))
        return [word for word, value in parts if not value.strip()]


def require_signer(signer: Signer) -> None:
    """Refuse to sign a certificate for an official the office has not named.

    A signed certificate is final (no DRAF mark): it must say who signed it.

    Raises:
        DeskError: the name, NIP or title of the signer is not set (the message says which
            and where to set it).
    """
    missing = signer.missing()
    if missing:
        who = signer.title or "pejabat penanda tangan"
        what = " dan ".join(filter(None, (", ".join(missing[:-1]), missing[-1])))
        raise DeskError(
            f"Dokumen bertanda tangan digital belum dapat dibuat: {what} {who} "
            "belum diatur. Administrator mengisinya di Administrasi → Kop & pejabat."
        )


class AlreadyPrinted(WorkflowError):
    """A document printed before is printed again only as a reprint, with its reason."""


@dataclass(frozen=True, slots=True)
class CertificateLine:
    """One body line: bilingual label and value, or a bilingual section heading."""

    label: str
    label_en: str
    value: str
    emphasis: bool = False
    section: bool = False


@dataclass(frozen=True, slots=True)
class CertificateData:
    """Everything a certificate prints."""

    template: str
    title: str
    title_en: str
    header: tuple[CertificateLine, ...]
    number_phrase: str
    number_phrase_en: str
    number: str
    lines: tuple[CertificateLine, ...]
    place: str
    issued_on: dt.date
    signer: Signer
    regency: str
    verification: DocumentSeal
    draft: bool = True
    reprint_count: int = 0
    show_nationality: bool = True
    letterhead: Letterhead | None = None
    """The kop printed instead of the national heading (SKPWNI), or None."""
    created_at: dt.datetime | None = None
    """When the PDF is made (its creation date); None: the moment it is drawn."""


# -- templates ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateLine:
    """A body line of a template: labels and a value expression like ``{anak_nama|upper}``."""

    label: str
    label_en: str
    value: str
    emphasis: bool = False
    section: bool = False
    optional: bool = False


@dataclass(frozen=True, slots=True)
class CertificateTemplate:
    """A certificate type: its wording, field mapping, key fields and signer."""

    code: str
    services: tuple[str, ...]
    title: str
    title_en: str
    number_phrase: str
    number_phrase_en: str
    header: tuple[TemplateLine, ...]
    lines: tuple[TemplateLine, ...]
    key_fields: tuple[str, ...]
    signer: str
    show_nationality: bool = True
    agency_header: bool = False


def _upper(value: str) -> str:
    return value.upper()


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _date_filter(fmt: Callable[[dt.date], str]) -> Callable[[str], str]:
    def apply(value: str) -> str:
        day = _parse_date(value)
        return fmt(day) if day else value

    return apply


def _int_filter(fmt: Callable[[int], str]) -> Callable[[str], str]:
    def apply(value: str) -> str:
        return fmt(int(value)) if value.strip().isdigit() and int(value) > 0 else value

    return apply


def kutipan_date(day: dt.date) -> str:
    """A date as a kutipan akta writes it out: ``"dua bulan November tahun dua ribu dua puluh
    enam"`` (after "pada tanggal"; the digits follow on their own line).
    """
    return f"{number_words(day.day)} bulan {MONTHS[day.month - 1]} tahun {number_words(day.year)}"


_CHOICE_PHRASES = {
    "rs rb": "RS/RB",
    "bidan perawat": "bidan/perawat",
    "sakit biasa tua": "sakit biasa/tua",
    "kabupaten kota": "kabupaten/kota",
}
_CHOICE_WORDS = {"kk": "KK", "nik": "NIK", "no": "No.", "wni": "WNI", "wna": "WNA"}


def choice_words(value: str) -> str:
    """The words of a form's choice code (``antar_kabupaten_kota`` → ``Antar kabupaten/kota``,
    ``numpang_kk`` → ``Numpang KK``); a value that is no code comes back as it was.
    """
    if not re.fullmatch(r"[a-z0-9_]+", value.strip()):
        return value
    text = value.strip().replace("_", " ")
    for phrase, words in _CHOICE_PHRASES.items():
        text = text.replace(phrase, words)
    text = " ".join(_CHOICE_WORDS.get(word, word) for word in text.split(" "))
    return text[:1].upper() + text[1:]


_RT_RW_PREFIX = re.compile(r"^\s*(?:RT|RW)\b[\s.:/-]*", re.IGNORECASE)


def rt_rw_number(value: str) -> str:
    """An RT or RW number without the word typed before it (``"RT 02"`` → ``"02"``), so that a
    line reading "RT {rt}" never says "RT RT 02".
    """
    return _RT_RW_PREFIX.sub("", value).strip() or "-"


def masked_numbers(value: str) -> str:
    """A list of NIKs (separated by commas, semicolons or spaces), each masked."""
    numbers = [n for n in re.split(r"[\s,;]+", value) if n]
    return ", ".join(mask_number(n) for n in numbers)


_SEX = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}
_SEX_EN = {"L": "MALE", "P": "FEMALE"}
FILTERS: dict[str, Callable[[str], str]] = {
    "upper": _upper,
    "title": str.title,
    "date_words": _date_filter(kutipan_date),
    "date_long": _date_filter(date_long),
    "date_digits": _date_filter(lambda d: f"{d:%d-%m-%Y}"),
    "number_words": _int_filter(number_words),
    "ordinal_words": _int_filter(ordinal_words),
    "sex": lambda v: _SEX.get(v.upper(), v),
    "sex_en": lambda v: _SEX_EN.get(v.upper(), v),
    "choice": choice_words,
    "rt_rw": rt_rw_number,
    "masked_list": masked_numbers,
}
"""Value filters a template may chain: ``{anak_tanggal_lahir|date_words}``."""


def render_value(expression: str, values: Mapping[str, str]) -> str:
    """Fill ``{field|filter|...}`` placeholders; a missing or empty field prints ``-``."""

    def replace(match: re.Match[str]) -> str:
        raw = values.get(match.group(1), "").strip()
        if not raw:
            return "-"
        for name in filter(None, match.group(2).split("|")):
            raw = FILTERS[name](raw)
        return raw

    return _PLACEHOLDER_RE.sub(replace, expression)


def fill_lines(
    lines: Sequence[TemplateLine], values: Mapping[str, str]
) -> tuple[CertificateLine, ...]:
    """Return the certificate lines of a template filled with ``values``.

    An ``optional`` line whose fields are all empty is left out.
    """
    result = []
    for line in lines:
        names = [m.group(1) for m in _PLACEHOLDER_RE.finditer(line.value)]
        if line.optional and not any(values.get(n, "").strip() for n in names):
            continue
        value = "" if line.section else render_value(line.value, values)
        result.append(
            CertificateLine(line.label, line.label_en, value, line.emphasis, line.section)
        )
    return tuple(result)


def load_templates(path: Path) -> dict[str, CertificateTemplate]:
    """Read the certificate templates, keyed by service code.

    Raises:
        CatalogueError: unreadable file or a malformed template (the message names it).
    """
    return parse_templates(read_json_resource(path, "Templat sertifikat"))


def check_template_services(
    templates: Mapping[str, CertificateTemplate], catalogue: Catalogue
) -> None:
    """Refuse a template for a service the catalogue does not know or gives no number series,
    and a service with a number series but no template (issuing it would make no document).

    Raises:
        CatalogueError: the message names the service.
    """
    for code, template in templates.items():
        if code not in catalogue:
            raise CatalogueError(f"Templat sertifikat {template.code}: layanan {code} tidak ada")
        if catalogue.get(code).number_series is None:
            raise CatalogueError(
                f"Templat sertifikat {template.code}: layanan {code} tidak punya "
                "'number_series' di katalog"
            )
    for code in catalogue.codes:
        if catalogue.get(code).number_series is not None and code not in templates:
            raise CatalogueError(
                f"Layanan {code} punya 'number_series' di katalog tetapi tidak punya templat "
                "sertifikat (resources/templates/certificates.json): menerbitkannya tidak akan "
                "menghasilkan dokumen"
            )


def parse_templates(data: object) -> dict[str, CertificateTemplate]:
    """Build the templates from decoded JSON, keyed by each service code they serve.

    Raises:
        CatalogueError: a malformed template, an unknown filter or a service served twice.
    """
    if not isinstance(data, dict) or data.get("version") != TEMPLATE_VERSION:
        raise CatalogueError(f"Templat sertifikat: harus objek dengan version {TEMPLATE_VERSION}")
    raw_templates = data.get("templates")
    if not isinstance(raw_templates, list):
        raise CatalogueError("Templat sertifikat: 'templates' harus berupa daftar")
    result: dict[str, CertificateTemplate] = {}
    for index, raw in enumerate(raw_templates):
        template = _parse_template(raw, f"Templat sertifikat #{index}")
        for service in template.services:
            if service in result:
                raise CatalogueError(f"Templat sertifikat: layanan {service} punya dua templat")
            result[service] = template
    return result


def _parse_template(raw: object, where: str) -> CertificateTemplate:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: harus berupa objek")
    try:
        template = CertificateTemplate(
            code=str(raw["code"]),
            services=tuple(str(s) for s in raw["services"]),
            title=str(raw["title"]),
            title_en=str(raw["title_en"]),
            number_phrase=str(raw["number_phrase"]),
            number_phrase_en=str(raw["number_phrase_en"]),
            header=tuple(_parse_line(x, where) for x in raw.get("header", [])),
            lines=tuple(_parse_line(x, where) for x in raw["lines"]),
            key_fields=tuple(str(k) for k in raw["key_fields"]),
            signer=str(raw["signer"]),
            show_nationality=bool(raw.get("show_nationality", True)),
            agency_header=bool(raw.get("agency_header", False)),
        )
    except (KeyError, TypeError) as exc:
        raise CatalogueError(f"{where}: kunci wajib tidak ada atau salah: {exc}") from None
    if template.signer not in ("registrar", "head"):
        raise CatalogueError(f"{where} ({template.code}): signer harus registrar atau head")
    return template


def _parse_line(raw: object, where: str) -> TemplateLine:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: baris harus berupa objek")
    value = str(raw.get("value", ""))
    for match in _PLACEHOLDER_RE.finditer(value):
        unknown = [f for f in match.group(2).split("|") if f and f not in FILTERS]
        if unknown:
            raise CatalogueError(f"{where}: filter tidak dikenal: {', '.join(unknown)}")
    return TemplateLine(
        label=str(raw.get("label", "")),
        label_en=str(raw.get("label_en", "")),
        value=value,
        emphasis=bool(raw.get("emphasis", False)),
        section=bool(raw.get("section", False)),
        optional=bool(raw.get("optional", False)),
    )


# -- verification ---------------------------------------------------------------------------


def canonical(fields: Mapping[str, str]) -> bytes:
    """Return the canonical byte form of key fields (sorted keys, compact JSON, UTF-8)."""
    return json.dumps(
        dict(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def signing_key(seed: bytes) -> Ed25519PrivateKey:
    """Return the office's Ed25519 signing key from its 32-byte seed."""
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_pem(key: Ed25519PrivateKey) -> bytes:
    """Return the public half of ``key`` as PEM (what a verifier without the database needs)."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """Read a PEM public key written by :func:`public_key_pem`.

    Raises:
        ValueError: the data is not an Ed25519 public key.
    """
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("bukan kunci publik Ed25519")
    return key


def load_public_keys(pem: bytes) -> dict[str, Ed25519PublicKey]:
    """Read every PEM public key of a file (the current key and retired ones), by key id.

    Raises:
        ValueError: no PEM block, or one that is not an Ed25519 public key.
    """
    blocks = re.findall(
        rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", pem, flags=re.DOTALL
    )
    if not blocks:
        raise ValueError("tidak ada kunci publik PEM")
    keys = [load_public_key(block) for block in blocks]
    return {key_id(key): key for key in keys}


def key_id(key: Ed25519PublicKey) -> str:
    """Return the short id of a public key written in the QR and the seal (8 hex digits)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:KEY_ID_LENGTH].upper()


def key_fingerprint(key: Ed25519PublicKey) -> str:
    """Return a short fingerprint of a public key (to compare with the published one)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:20].upper()
    return "-".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def _code_message(kind: DocumentKind, number: str, fields: Mapping[str, str]) -> bytes:
    return f"{QR_PREFIX}\n{kind.value}\n{number}\n".encode() + canonical(fields)


def verification_code(
    key: Ed25519PrivateKey, kind: DocumentKind, number: str, fields: Mapping[str, str]
) -> str:
    """Return the code of a document: the Ed25519 signature of its key fields in base32."""
    signature = key.sign(_code_message(kind, number, fields))
    return base64.b32encode(signature).decode().rstrip("=")


def code_is_valid(
    key: Ed25519PublicKey, kind: DocumentKind, number: str, fields: Mapping[str, str], code: str
) -> bool:
    """Whether ``code`` is the office's signature of these key fields."""
    try:
        signature = base64.b32decode(code + "=" * (-len(code) % 8))
        key.verify(signature, _code_message(kind, number, fields))
    except (ValueError, InvalidSignature):
        return False
    return True


def code_matches(keys: Mapping[str, Ed25519PublicKey], item: DocumentSeal) -> bool:
    """Whether a document's code is the signature of one of the office's keys: the key its
    id names, or any known key for a code from before key ids.
    """
    if item.key_id:
        key = keys.get(item.key_id)
        candidates = [key] if key is not None else []
    else:
        candidates = list(keys.values())
    return any(
        code_is_valid(key, item.kind, item.number, item.fields, item.code) for key in candidates
    )


def maker_key_id(
    keys: Mapping[str, Ed25519PublicKey],
    kind: DocumentKind,
    number: str,
    fields: Mapping[str, str],
    code: str,
) -> str:
    """Return the id of the key that made ``code`` (so a reprint's QR names it), or ""."""
    for ident, key in keys.items():
        if code_is_valid(key, kind, number, fields, code):
            return ident
    return ""


def display_code(code: str) -> str:
    """Return the short code printed for people: the first characters in groups of four."""
    head = code[:DISPLAY_CODE_LENGTH]
    return "-".join(head[i : i + 4] for i in range(0, len(head), 4))


def qr_payload(kind: DocumentKind, number: str, code: str, key: str = "") -> str:
    """Return the QR text: ``DDK2|C|3604-LU-28112026-0001|1A2B3C4D|ABCD...`` (no personal
    data); without a key id the older ``DDK1|C|<number>|<code>``.
    """
    if key:
        return f"{QR_PREFIX_KEYED}|{kind.letter}|{number}|{key}|{code}"
    return f"{QR_PREFIX}|{kind.letter}|{number}|{code}"


@dataclass(frozen=True, slots=True)
class QrContent:
    """A parsed QR payload (``key_id`` is "" for the older DDK1 form)."""

    kind: DocumentKind
    number: str
    code: str
    key_id: str = ""


def parse_qr_payload(text: str) -> QrContent | None:
    """Parse a scanned QR text (DDK2, or the older DDK1); None when it is not one of the desk's."""
    parts = text.strip().split("|")
    if len(parts) == 4 and parts[0] == QR_PREFIX:
        letter, number, key, code = parts[1], parts[2], "", parts[3]
    elif len(parts) == 5 and parts[0] == QR_PREFIX_KEYED:
        letter, number, key, code = parts[1], parts[2], parts[3].upper(), parts[4]
    else:
        return None
    if letter not in ("R", "C"):
        return None
    kind = DocumentKind.RECEIPT if letter == "R" else DocumentKind.CERTIFICATE
    return QrContent(kind, number, code, key)


_TYPED_RE = re.compile(
    r"^\s*(\S+)\s+([A-Z2-7]{4})-?([A-Z2-7]{4})-?([A-Z2-7]{4})-?([A-Z2-7]{4})\s*$", re.IGNORECASE
)


def parse_typed_code(text: str) -> tuple[str, str] | None:
    """Parse what an officer types from the paper: the number, then the printed code
    (``3604-LU-02112026-0001 ABCD-EFGH-JKLM-NPQR``); returns (number, code without dashes).
    """
    match = _TYPED_RE.match(text)
    if match is None:
        return None
    return match.group(1).upper(), "".join(match.group(i) for i in range(2, 6)).upper()


def embedded_metadata(documents: Sequence[DocumentSeal]) -> str:
    """Return the text of the PDF's private ``/DDKDesk`` entry: the seal placeholder and the
    documents' blocks (never ``Keywords``, which viewers show and index).
    """
    blocks = [
        {"k": d.kind.value, "n": d.number, "c": d.code, "f": dict(d.fields)}
        | ({"i": d.key_id} if d.key_id else {})
        for d in documents
    ]
    raw = json.dumps(blocks, sort_keys=True, ensure_ascii=False).encode()
    return f"{SEAL_PLACEHOLDER.decode()} {_BLOCK_MARK}{base64.urlsafe_b64encode(raw).decode()}"


def embedded_documents(pdf: bytes) -> tuple[DocumentSeal, ...]:
    """Return the documents a PDF says it holds (from its metadata); empty when none.

    Pass the sealed part of a file (:attr:`SealState.sealed_part`) to read only what the seal
    covers.
    """
    match = _BLOCK_RE.search(pdf)
    if match is None:
        return ()
    try:
        blocks = json.loads(base64.urlsafe_b64decode(match.group(1)))
        return tuple(
            DocumentSeal(
                DocumentKind(b["k"]), str(b["n"]), str(b["c"]), dict(b["f"]), str(b.get("i", ""))
            )
            for b in blocks
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return ()


def seal(pdf: bytes, key: Ed25519PrivateKey, signer_sha256: str = "") -> bytes:
    """Replace the seal placeholder with the key id, the pinned signer, the file's length and
    the Ed25519 signature over the file with all of these written in (same length, so no
    offsets move); a PDF without a placeholder is returned unchanged.

    Args:
        pdf: the file as drawn, with :data:`SEAL_PLACEHOLDER` in its metadata.
        key: the office's current seal key.
        signer_sha256: the SHA-256 (hex) of the certificate that will PAdES-sign the file
            next; "" when the file is not to be signed (then nothing may follow the seal).
    """
    if SEAL_PLACEHOLDER not in pdf:
        return pdf
    pin = signer_sha256.lower() or _NO_PIN
    if not re.fullmatch(r"[0-9a-f]{64}|-{64}", pin):
        raise ValueError("signer_sha256 harus SHA-256 heksadesimal")
    header = SEAL_MARK_KEYED + f"{key_id(key.public_key())}:{pin}:{len(pdf):010d}:".encode()
    unsigned = pdf.replace(SEAL_PLACEHOLDER, header + b"0" * _SEAL_HEX, 1)
    return pdf.replace(SEAL_PLACEHOLDER, header + key.sign(unsigned).hex().encode(), 1)


@dataclass(frozen=True, slots=True)
class SealState:
    """What the seal of a PDF says: valid or not (None: no seal), where the sealed part ends,
    which key made it, and the pinned PAdES signer.

    ``pinned_signer`` is the SHA-256 of the certificate that must sign the file, "" when the
    file was sealed not to be signed, None for the first seal form (which did not say).
    """

    valid: bool | None
    sealed_length: int = 0
    key_id: str = ""
    pinned_signer: str | None = None


def seal_state(pdf: bytes, keys: Mapping[str, Ed25519PublicKey]) -> SealState:
    """Check the seal over the file as first written (later appended bytes are not covered)
    with the key its id names (the first form, without an id: any known key).
    """
    keyed = _KEYED_SEAL_RE.search(pdf)
    if keyed is not None:
        return _keyed_seal_state(pdf, keyed, keys)
    match = _SEAL_RE.search(pdf)
    if match is None:
        return SealState(None)
    length = int(match.group(1))
    if length < match.end() or length > len(pdf):
        return SealState(False)
    placeholder = SEAL_MARK + b"0" * (_SEAL_LENGTH_DIGITS + 1 + _SEAL_HEX)
    original = pdf[: match.start()] + placeholder + pdf[match.end() : length]
    signature = bytes.fromhex(match.group(2).decode())
    for ident, key in keys.items():
        if _verifies(key, signature, original):
            return SealState(True, length, ident)
    return SealState(False, length)


def _keyed_seal_state(
    pdf: bytes, match: re.Match[bytes], keys: Mapping[str, Ed25519PublicKey]
) -> SealState:
    ident, pin, length = match.group(1).decode(), match.group(2).decode(), int(match.group(3))
    pinned = "" if pin == _NO_PIN else pin
    if length < match.end() or length > len(pdf):
        return SealState(False, 0, ident, pinned)
    key = keys.get(ident)
    original = pdf[: match.start(4)] + b"0" * _SEAL_HEX + pdf[match.end(4) : length]
    valid = key is not None and _verifies(key, bytes.fromhex(match.group(4).decode()), original)
    return SealState(valid, length, ident, pinned)


def _verifies(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of ``data`` in hex."""
    return hashlib.sha256(data).hexdigest()


CHECK_STATE_LABELS = {state.value: state.label for state in CheckState}
"""How a receipt names the state of a requirement."""

CHANNEL_NAMES = {channel.value: channel.receipt_name for channel in Channel}
"""How a receipt names the channel a request came through."""


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """What verification found about one document a PDF or a QR names.

    ``registered``, ``fields_match`` and ``voided`` are None when checked without the database.
    """

    kind: DocumentKind
    number: str
    registered: bool | None
    code_valid: bool
    fields_match: bool | None
    voided: bool | None = False

    @property
    def ok(self) -> bool:
        """Whether this document is genuine (and, where known, registered and current)."""
        return (
            self.code_valid
            and self.registered is not False
            and self.fields_match is not False
            and self.voided is not True
        )


class PadesLevel(enum.StrEnum):
    """How long a PAdES signature stays verifiable: B-B (until the certificate expires), B-T
    (a trusted timestamp proves when it was made), B-LT (and the validation data is embedded).
    """

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What the PAdES signature of a PDF says (pyHanko's validation, without network).

    ``covers_whole_file`` holds when nothing follows the signature but validation data (a
    DSS, document timestamps); ``signatures`` counts every signature in the file;
    ``cert_sha256`` is the SHA-256 of the signing certificate (to compare with the seal's pin).
    """

    intact: bool
    covers_whole_file: bool
    trusted: bool | None
    signer: str
    signed_at: dt.datetime | None = None
    cert_sha256: str = ""
    signatures: int = 1
    level: PadesLevel = PadesLevel.B_B
    timestamped_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        """Intact, over the whole file, by a certificate not known to be untrusted."""
        return self.intact and self.covers_whole_file and self.trusted is not False


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of verifying a PDF file.

    ``file_registered`` is None when verified offline (no database to look the SHA-256 up);
    ``appended`` tells that bytes follow the sealed part, which only the office's signature
    may be; ``pinned_signer`` is the seal's pin (see :class:`SealState`).
    """

    sha256: str
    seal_valid: bool | None
    file_registered: bool | None
    documents: tuple[DocumentCheck, ...]
    signature: SignatureCheck | None = None
    appended: bool = False
    key_fingerprint: str = ""
    pinned_signer: str | None = None
    metadata_changed: bool = False
    """Whether a later update changed the document-info entries holding the seal and blocks."""

    @property
    def ok(self) -> bool:
        """Whether the file is an unaltered PDF the desk issued, for current documents (a
        draft included: see :attr:`official`).
        """
        return (
            bool(self.documents)
            and self.seal_valid is True
            and self.file_registered is not False
            and self._tail_problem() is None
            and all(d.ok for d in self.documents)
        )

    @property
    def draft(self) -> bool:
        """Whether the file holds a certificate sealed without a signature: a DRAF."""
        unsigned = self.pinned_signer == "" or (
            self.pinned_signer is None and self.signature is None
        )
        return unsigned and any(d.kind is DocumentKind.CERTIFICATE for d in self.documents)

    @property
    def official(self) -> bool:
        """Whether the file is genuine and an official document (not a draft): ``SAH``."""
        return self.ok and not self.draft

    def _tail_problem(self) -> str | None:
        """What is wrong with what follows the seal, or None: only the office's signature."""
        sig, pin = self.signature, self.pinned_signer
        if self.metadata_changed:
            return "Data verifikasi berkas DIUBAH setelah disegel (pembaruan tambahan)."
        if sig is None:
            if pin:
                return "Berkas disegel untuk ditandatangani, tetapi tanda tangan digital TIDAK ADA."
            return "Berkas DIUBAH setelah disegel (ada tambahan isi)." if self.appended else None
        if pin == "":
            return (
                "Berkas disegel tanpa tanda tangan; tanda tangan yang ditambahkan kemudian DITOLAK."
            )
        if not sig.ok:
            return ""  # said by the signature's own lines
        if sig.signatures != 1:
            return "Ada tanda tangan LAIN selain tanda tangan dinas."
        if pin is not None and sig.cert_sha256 != pin:
            return f"Tanda tangan digital BUKAN oleh sertifikat dinas yang tersegel ({sig.signer})."
        if pin is None and sig.trusted is not True:
            return (
                "Penanda tangan tidak dapat dipastikan sebagai dinas: periksa dengan basis data "
                "atau dengan --trust SERTIFIKAT_DINAS."
            )
        return None

    def messages(self) -> list[str]:
        """Return Indonesian lines that explain the verdict."""
        if not self.documents:
            return [
                "Berkas ini bukan dokumen yang dibuat Disdukcapil Desk (tidak ada data verifikasi)."
            ]
        lines = [_SEAL_TEXT[self.seal_valid], *self._signature_lines(), self._register_line()]
        for d in self.documents:
            state = "sah" if d.ok else "TIDAK SAH"
            problems = [
                text
                for flag, text in (
                    (d.registered is False, "nomor tidak terdaftar"),
                    (not d.code_valid, "kode verifikasi salah"),
                    (d.fields_match is False, "data berbeda dari yang diterbitkan"),
                    (d.voided is True, "dokumen sudah dibatalkan"),
                )
                if flag
            ]
            detail = f" ({'; '.join(problems)})" if problems else ""
            lines.append(f"{d.number}: {state}{detail}")
        if self.file_registered is None:
            lines.append(
                "Diperiksa tanpa basis data (kunci publik "
                f"{self.key_fingerprint}): pendaftaran nomor dan pembatalan tidak diperiksa."
            )
        lines.append(self.verdict)
        return lines

    @property
    def verdict(self) -> str:
        """The last line: ``HASIL: SAH``, ``HASIL: DRAF ...`` or ``HASIL: TIDAK SAH``."""
        if self.official:
            return "HASIL: SAH"
        if self.ok:
            return (
                "HASIL: DRAF — segel sah, tetapi bukan dokumen resmi "
                "(tidak ditandatangani secara digital)"
            )
        return "HASIL: TIDAK SAH"

    def _register_line(self) -> str:
        if self.file_registered is None:
            return "SHA-256 berkas tidak dicocokkan (tanpa basis data)."
        if self.file_registered:
            return "SHA-256 berkas tercatat sebagai dokumen terbit."
        return "SHA-256 berkas TIDAK tercatat (bukan salinan persis dokumen yang diterbitkan)."

    def _signature_lines(self) -> list[str]:
        sig = self.signature
        tail = self._tail_problem()
        if sig is None:
            if not tail and self.draft and self.seal_valid:
                return ["DRAF: dokumen ini tidak ditandatangani secara digital."]
            return [tail] if tail else []
        if not sig.intact:
            return [f"Tanda tangan digital RUSAK ({sig.signer})."]
        if not sig.covers_whole_file:
            return ["Ada perubahan SETELAH tanda tangan digital."]
        trust = {
            True: "sertifikat dipercaya",
            False: "sertifikat TIDAK dipercaya",
            None: "kepercayaan sertifikat tidak diperiksa",
        }[sig.trusted]
        if self.pinned_signer and sig.cert_sha256 == self.pinned_signer:
            trust = "sertifikat dinas yang tersegel" + ("" if sig.trusted is None else f"; {trust}")
        lines = [f"Tanda tangan digital utuh: {sig.signer} ({trust})."]
        lines.append(f"Tingkat PAdES: {sig.level.value}{_LEVEL_NOTE[sig.level]}.")
        return [*lines, tail] if tail else lines


_LEVEL_NOTE = {
    PadesLevel.B_B: " (tanpa cap waktu tepercaya)",
    PadesLevel.B_T: " (dengan cap waktu tepercaya)",
    PadesLevel.B_LT: " (dengan cap waktu tepercaya dan data validasi tertanam)",
}


_SEAL_TEXT = {
    True: "Segel berkas utuh.",
    False: "Segel berkas RUSAK: isi berkas telah diubah.",
    None: "Berkas tidak bersegel.",
}


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The result of checking a scanned QR: the stored key fields to compare with the paper."""

    check: DocumentCheck | None
    fields: Mapping[str, str]
    message: str
