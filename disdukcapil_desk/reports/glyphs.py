"""Every text the desk prints renders, or the desk refuses to print it (reports layer).

A font without a glyph for a character draws nothing or an empty box: an akta with a blank
"telah lahir" line, a receipt with tofu. Before any PDF is made, each document's texts are
looked up in the character maps of the bundled fonts (the Liberation families: Latin with
its diacritics, Greek, Cyrillic); a character missing from them is refused with a
:class:`UnprintableText` naming the field and the character.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache

from reportlab.pdfbase import pdfmetrics

from disdukcapil_desk.domain.documents import CertificateData, ReceiptData
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.recap import REGISTER_COLUMNS, RecapData, RegisterRow
from disdukcapil_desk.reports.fonts import SANS, SANS_BOLD, SERIF, SERIF_BOLD
from disdukcapil_desk.reports.styles import ensure_fonts

DESK_FONTS = (
    SANS,
    SANS_BOLD,
    "DeskSans-Italic",
    "DeskSans-BoldItalic",
    SERIF,
    SERIF_BOLD,
    "DeskSerif-Italic",
    "DeskSerif-BoldItalic",
)
"""Every font a document of the desk may draw a text in."""
_NOT_DRAWN = frozenset(" \t\n\r")
_NOT_PRINTED = frozenset({"verification"})
"""Fields that go into the QR and the PDF's data, not onto the page as text."""
"""Whitespace the layout turns into space or a new line; it is never drawn as a glyph."""


class UnprintableText(DeskError):
    """A text holds a character the document's fonts cannot draw."""

    def __init__(self, field: str, char: str) -> None:
        """Say which field, which character, and what to do."""
        name = unicodedata.name(char, "tanpa nama")
        super().__init__(
            f"Dokumen tidak dicetak: isian «{field}» memuat karakter «{char}» (U+{ord(char):04X} "
            f"{name}) yang tidak dapat digambar oleh huruf cetak dokumen. Tulis dengan huruf "
            "Latin (nama: ejaan Latin seperti pada KK atau akta), lalu cetak lagi."
        )
        self.field = field
        self.char = char


@cache
def _drawable(fonts: tuple[str, ...]) -> frozenset[int]:
    """The code points every one of ``fonts`` has a glyph for."""
    ensure_fonts()
    maps = [set(pdfmetrics.getFont(name).face.charToGlyph) for name in fonts]
    return frozenset(set.intersection(*maps))


def missing_glyphs(text: str, fonts: Sequence[str] = DESK_FONTS) -> str:
    """The characters of ``text`` that one of ``fonts`` cannot draw, in order, each once."""
    drawable = _drawable(tuple(fonts))
    found: dict[str, None] = {}
    for char in text:
        if char not in _NOT_DRAWN and ord(char) not in drawable:
            found[char] = None
    return "".join(found)


def check_texts(texts: Iterable[tuple[str, str]], fonts: Sequence[str] = DESK_FONTS) -> None:
    """Refuse the first ``(field, text)`` holding a character ``fonts`` cannot draw.

    Raises:
        UnprintableText: naming the field and the character.
    """
    for field, text in texts:
        missing = missing_glyphs(text, fonts)
        if missing:
            raise UnprintableText(field, missing[0])


def printed_texts(
    value: object, where: str = "", labels: Mapping[str, str] | None = None
) -> Iterator[tuple[str, str]]:
    """Every string held by ``value`` (dataclasses, sequences and mappings walked), each with
    a name for the officer: a line's own label when it has one, else its place in the data
    (``labels`` renames the top-level fields).
    """
    if isinstance(value, str):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        label = getattr(value, "label", None)
        for item in dataclasses.fields(value):
            if item.name in _NOT_PRINTED:
                continue
            if isinstance(label, str) and label:
                name = label
            elif where:
                name = f"{where}.{item.name}"
            else:
                name = (labels or {}).get(item.name, item.name)
            yield from printed_texts(getattr(value, item.name), name)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from printed_texts(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from printed_texts(item, where)


_RECEIPT_LABELS = {
    "applicant_name": "Nama Pemohon",
    "subject_name": "Atas Nama",
    "service_name": "Jenis Layanan",
    "desa": "Desa/Kelurahan",
    "kecamatan": "Kecamatan",
    "officer_name": "Petugas",
    "checklist": "Persyaratan",
    "letterhead": "Kop",
}


def check_receipt(data: ReceiptData) -> None:
    """Refuse a receipt (A4 or slip) with a text its fonts cannot draw."""
    check_texts(printed_texts(data, labels=_RECEIPT_LABELS))


def check_certificate(data: CertificateData) -> None:
    """Refuse a certificate with a text its fonts cannot draw."""
    check_texts(printed_texts(data))


def check_documents(documents: Iterable[CertificateData | ReceiptData]) -> None:
    """Refuse a batch of certificates and A4 receipts when one holds a text its fonts cannot
    draw.
    """
    for document in documents:
        if isinstance(document, CertificateData):
            check_certificate(document)
        else:
            check_receipt(document)


def check_recap(data: RecapData) -> None:
    """Refuse a recap whose figures, titles or signers hold a text its fonts cannot draw."""
    check_texts(printed_texts(data))


def checked_register(rows: Iterable[RegisterRow]) -> Iterator[RegisterRow]:
    """The register rows as they stream, each refused before it is laid out when a text in
    it cannot be drawn (the PDF is then not written).
    """
    headers = [column.header for column in REGISTER_COLUMNS]
    for number, row in enumerate(rows, start=1):
        check_texts(
            (f"register baris {number}, {header}", value)
            for header, value in zip(headers, row, strict=False)
            if isinstance(value, str)
        )
        yield row
