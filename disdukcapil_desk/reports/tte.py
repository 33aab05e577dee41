"""Checking a signed PDF (TTE) before the desk accepts it (reports layer).

The file must be a PDF (size, magic bytes, readable by pyHanko's own reader: no external
tool), carry at least one signature, every signature intact, and the last one cover the whole
file (only validation data may follow it). Trust is reported, not required: the signer's
certificate from SIAK chains to BSrE's root, which the desk does not bundle.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from typing import Any

from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.siak import MAX_SIGNED_PDF_BYTES, TteCheck
from disdukcapil_desk.reports.signing import check_signature

_MAGIC_WINDOW = 1024
"""A PDF reader looks for ``%PDF-`` within the first kilobyte (ISO 32000 readers tolerate
junk before it)."""


class TteRefused(DeskError):
    """The file cannot be accepted as the signed document."""


def check_signed_pdf(pdf: bytes, trust_roots_der: Sequence[bytes] = ()) -> TteCheck:
    """Check a signed PDF and say who signed it and when.

    Args:
        pdf: the file's bytes.
        trust_roots_der: certificates the desk trusts (the office's own chain, if any).

    Raises:
        TteRefused: too big, not a PDF, unreadable, unsigned, a broken signature, or something
            appended after the signature.
    """
    if len(pdf) > MAX_SIGNED_PDF_BYTES:
        raise TteRefused(
            f"Berkas terlalu besar ({len(pdf) / 1_048_576:.1f} MB); paling besar "
            f"{MAX_SIGNED_PDF_BYTES // 1_048_576} MB untuk PDF bertanda tangan"
        )
    if b"%PDF-" not in pdf[:_MAGIC_WINDOW]:
        raise TteRefused("Berkas ini bukan PDF: pilih PDF bertanda tangan elektronik dari SIAK")
    _readable(pdf)
    check = check_signature(pdf, tuple(trust_roots_der))
    if check is None:
        raise TteRefused(
            "PDF ini belum ditandatangani secara elektronik (TTE): tidak ada tanda tangan "
            "digital. Unduh dari SIAK berkas yang sudah di-TTE."
        )
    if not check.intact:
        raise TteRefused(
            "Tanda tangan digital pada PDF rusak atau tidak sah: isi berkas berubah setelah "
            "ditandatangani"
        )
    if not check.covers_whole_file:
        raise TteRefused(
            "Ada tambahan pada PDF setelah ditandatangani: tanda tangan tidak mencakup seluruh "
            "berkas. Unduh ulang PDF asli dari SIAK."
        )
    return TteCheck(
        sha256=hashlib.sha256(pdf).hexdigest(),
        signer=check.signer,
        signed_at=check.signed_at,
        trusted=bool(check.trusted),
        signatures=check.signatures,
    )


def _readable(pdf: bytes) -> None:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        _ = reader.root["/Pages"]
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise TteRefused("PDF rusak atau tidak terbaca") from None


def pdf_mentions(pdf: bytes, text: str) -> bool:
    """Whether ``text`` appears in the PDF's page contents or document information.

    A best effort: text drawn with a subset font (glyph codes, not letters) or only in an image
    is not found; the caller warns rather than refuses.
    """
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    needles = (text.encode(), text.encode().hex().encode(), text.encode().hex().upper().encode())
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        info = reader.trailer_view.get("/Info")
        if info is not None and any(text in str(v) for v in info.get_object().values()):
            return True
        return any(
            any(n in data for n in needles) for data in _page_contents(reader.root["/Pages"])
        )
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _page_contents(node: Any, depth: int = 0) -> list[bytes]:
    """The decoded content streams of every page under ``node`` (a page tree)."""
    node = node.get_object()
    if depth > 32:
        return []
    if "/Kids" in node:
        return [data for kid in node["/Kids"] for data in _page_contents(kid, depth + 1)]
    contents = node.get("/Contents")
    if contents is None:
        return []
    contents = contents.get_object()
    streams = contents if isinstance(contents, list) else [contents]
    return [bytes(s.get_object().data) for s in streams]
