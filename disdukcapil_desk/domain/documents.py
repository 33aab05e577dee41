"""What the desk's documents say, and how a genuine one is told from an altered one (domain).

The reports layer draws plain data: :class:`ReceiptData` and :class:`CertificateData`. A
certificate's wording is data, not code: ``resources/templates/certificates.json`` holds one
template per certificate type (titles in Indonesian and English, the body lines with their
field mapping, the key fields and the signer), so a new type is a template entry, not a module.

Verification, without personal data in the QR:

- the QR carries only ``DDK1|<R or C>|<number>|<code>``; the code is an HMAC-SHA256 (office
  secret) over the canonical key fields of the document, so a scanned code is checked against
  the stored fields;
- every PDF carries, in its ``Keywords`` metadata, the key fields and codes of its documents and
  a *seal*: an HMAC-SHA256 over the whole file. Changing any byte (one field of the text, the
  metadata, a picture) breaks the seal; recomputing it needs the office secret.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from disdukcapil_desk.domain.catalogue import read_json_resource
from disdukcapil_desk.domain.errors import CatalogueError
from disdukcapil_desk.domain.terbilang import date_long, date_words, number_words, ordinal_words

QR_PREFIX = "DDK1"
SEAL_MARK = b"DDKSEAL:"
_SEAL_HEX = 64
SEAL_PLACEHOLDER = SEAL_MARK + b"0" * _SEAL_HEX
_BLOCK_MARK = "DDKV:"
_SEAL_RE = re.compile(re.escape(SEAL_MARK) + rb"([0-9a-f]{64})")
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


@dataclass(frozen=True, slots=True)
class Verification:
    """What a document carries to be verified: its QR text and its embedded block."""

    kind: DocumentKind
    number: str
    code: str
    fields: Mapping[str, str]

    @property
    def qr_text(self) -> str:
        """The QR payload: number and code only."""
        return qr_payload(self.kind, self.number, self.code)


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
    due_date: dt.date
    delivery: str
    officer_name: str
    officer_nip: str
    place: str
    printed_at: dt.datetime
    call_centre: str
    verification: Verification
    reprint_count: int = 0


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signs a certificate: title (with the regency), name and NIP."""

    title: str
    title_en: str
    name: str
    nip: str


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
    verification: Verification
    draft: bool = True
    reprint_count: int = 0
    show_nationality: bool = True
    letterhead: Letterhead | None = None
    """The kop printed instead of the national heading (SKPWNI), or None."""


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


_SEX = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}
_SEX_EN = {"L": "MALE", "P": "FEMALE"}
FILTERS: dict[str, Callable[[str], str]] = {
    "upper": _upper,
    "title": str.title,
    "date_words": _date_filter(date_words),
    "date_long": _date_filter(date_long),
    "date_digits": _date_filter(lambda d: f"{d:%d-%m-%Y}"),
    "number_words": _int_filter(number_words),
    "ordinal_words": _int_filter(ordinal_words),
    "sex": lambda v: _SEX.get(v.upper(), v),
    "sex_en": lambda v: _SEX_EN.get(v.upper(), v),
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


def verification_code(
    key: bytes, kind: DocumentKind, number: str, fields: Mapping[str, str]
) -> str:
    """Return the 16-character code (base32 of an HMAC-SHA256) of a document's key fields."""
    message = f"{kind.value}\n{number}\n".encode() + canonical(fields)
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16]


def qr_payload(kind: DocumentKind, number: str, code: str) -> str:
    """Return the QR text: ``DDK1|C|3604-LU-28112026-0001|ABCD...`` (no personal data)."""
    return f"{QR_PREFIX}|{kind.letter}|{number}|{code}"


@dataclass(frozen=True, slots=True)
class QrContent:
    """A parsed QR payload."""

    kind: DocumentKind
    number: str
    code: str


def parse_qr_payload(text: str) -> QrContent | None:
    """Parse a scanned QR text; None when it is not one of the desk's."""
    parts = text.strip().split("|")
    if len(parts) != 4 or parts[0] != QR_PREFIX or parts[1] not in ("R", "C"):
        return None
    kind = DocumentKind.RECEIPT if parts[1] == "R" else DocumentKind.CERTIFICATE
    return QrContent(kind, parts[2], parts[3])


def embedded_keywords(documents: Sequence[Verification]) -> str:
    """Return the PDF ``Keywords`` text: the seal placeholder and the documents' blocks."""
    blocks = [
        {"k": d.kind.value, "n": d.number, "c": d.code, "f": dict(d.fields)} for d in documents
    ]
    raw = json.dumps(blocks, sort_keys=True, ensure_ascii=False).encode()
    return f"{SEAL_PLACEHOLDER.decode()} {_BLOCK_MARK}{base64.urlsafe_b64encode(raw).decode()}"


def embedded_documents(pdf: bytes) -> tuple[Verification, ...]:
    """Return the documents a PDF says it holds (from its metadata); empty when none."""
    match = _BLOCK_RE.search(pdf)
    if match is None:
        return ()
    try:
        blocks = json.loads(base64.urlsafe_b64decode(match.group(1)))
        return tuple(
            Verification(DocumentKind(b["k"]), str(b["n"]), str(b["c"]), dict(b["f"]))
            for b in blocks
        )
    except (ValueError, KeyError, TypeError):
        return ()


def seal(pdf: bytes, key: bytes) -> bytes:
    """Replace the seal placeholder with the HMAC of the whole file (same length, so no offsets
    move); a PDF without a placeholder is returned unchanged.
    """
    if SEAL_PLACEHOLDER not in pdf:
        return pdf
    mac = hmac.new(key, pdf, hashlib.sha256).hexdigest().encode()
    return pdf.replace(SEAL_PLACEHOLDER, SEAL_MARK + mac, 1)


def seal_state(pdf: bytes, key: bytes) -> bool | None:
    """Return True when the seal matches the file, False when not, None when there is none."""
    match = _SEAL_RE.search(pdf)
    if match is None:
        return None
    unsealed = pdf[: match.start()] + SEAL_PLACEHOLDER + pdf[match.end() :]
    expected = hmac.new(key, unsealed, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(expected, match.group(1))


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of ``data`` in hex."""
    return hashlib.sha256(data).hexdigest()


CHECK_STATE_LABELS = {
    "pending": "Belum diperiksa",
    "sesuai": "Sesuai",
    "tidak_ada": "Tidak ada",
    "tidak_terbaca": "Tidak terbaca",
    "tidak_sesuai": "Tidak sesuai",
}
"""How a receipt names the state of a requirement."""

CHANNEL_NAMES = {
    "whatsapp": "WhatsApp",
    "web": "Formulir web",
    "email": "Surel (e-mail)",
    "import": "Loket (impor berkas)",
}
"""How a receipt names the channel a request came through."""


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """What verification found about one document a PDF or a QR names."""

    kind: DocumentKind
    number: str
    registered: bool
    code_valid: bool
    fields_match: bool
    voided: bool = False

    @property
    def ok(self) -> bool:
        """Whether this document is genuine and current."""
        return self.registered and self.code_valid and self.fields_match and not self.voided


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of verifying a PDF file."""

    sha256: str
    seal_valid: bool | None
    file_registered: bool
    documents: tuple[DocumentCheck, ...]

    @property
    def ok(self) -> bool:
        """Whether the file is an unaltered PDF the desk issued, for current documents."""
        return (
            bool(self.documents)
            and self.seal_valid is True
            and self.file_registered
            and all(d.ok for d in self.documents)
        )

    def messages(self) -> list[str]:
        """Return Indonesian lines that explain the verdict."""
        if not self.documents:
            return [
                "Berkas ini bukan dokumen yang dibuat Disdukcapil Desk (tidak ada data verifikasi)."
            ]
        lines = [
            {
                True: "Segel berkas utuh.",
                False: "Segel berkas RUSAK: isi berkas telah diubah.",
                None: "Berkas tidak bersegel.",
            }[self.seal_valid],
            "SHA-256 berkas tercatat sebagai dokumen terbit."
            if self.file_registered
            else "SHA-256 berkas TIDAK tercatat (bukan salinan persis dokumen yang diterbitkan).",
        ]
        for d in self.documents:
            state = "sah" if d.ok else "TIDAK SAH"
            problems = [
                text
                for flag, text in (
                    (not d.registered, "nomor tidak terdaftar"),
                    (not d.code_valid, "kode verifikasi salah"),
                    (not d.fields_match, "data berbeda dari yang diterbitkan"),
                    (d.voided, "dokumen sudah dibatalkan"),
                )
                if flag
            ]
            detail = f" ({'; '.join(problems)})" if problems else ""
            lines.append(f"{d.number}: {state}{detail}")
        lines.append("HASIL: SAH" if self.ok else "HASIL: TIDAK SAH")
        return lines


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The result of checking a scanned QR: the stored key fields to compare with the paper."""

    check: DocumentCheck | None
    fields: Mapping[str, str]
    message: str
