"""Page sizes, fonts, colours and small drawing helpers shared by the desk's PDFs (reports)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from disdukcapil_desk.domain.documents import METADATA_KEY
from disdukcapil_desk.paths import resource_path
from disdukcapil_desk.reports.fonts import SANS, SANS_BOLD, SERIF, SERIF_BOLD, register_fonts

__all__ = [
    "A4",
    "DRAFT",
    "INK",
    "MUTED",
    "RULE",
    "SANS",
    "SANS_BOLD",
    "SERIF",
    "SERIF_BOLD",
    "Slip",
    "ensure_fonts",
    "new_canvas",
    "wrap",
]

INK: Color = HexColor("#111111")
MUTED: Color = HexColor("#555555")
RULE: Color = HexColor("#222222")
DRAFT: Color = Color(0.80, 0.10, 0.10, alpha=0.13)
SLIP_WIDTH = 80 * mm


@dataclass(frozen=True, slots=True)
class Slip:
    """The 80 mm counter-printer profile: width and margin (the height follows the content)."""

    width: float = SLIP_WIDTH
    margin: float = 4 * mm


def ensure_fonts() -> None:
    """Register the bundled fonts once (idempotent)."""
    register_fonts(resource_path("fonts"))


def new_canvas(
    buffer: BytesIO,
    *,
    title: str,
    subject: str,
    verification: str,
    pagesize: tuple[float, float] = A4,
) -> Canvas:
    """Return a canvas with the desk's fonts, metadata and deterministic output.

    ``verification`` (the seal placeholder and the documents' blocks) goes into the private
    document-info entry ``/DDKDesk``, not into ``Keywords`` which viewers show and index.
    ``invariant`` keeps the same content from producing different bytes (no timestamps or
    random IDs), which keeps the stored SHA-256 meaningful.
    """
    ensure_fonts()
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1, initialFontName=SANS)
    info = _DeskInfo()
    info.verification = verification
    canvas._doc.info = info  # ReportLab has no public way to add an entry of one's own
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setAuthor("Disdukcapil Desk")
    canvas.setCreator("Disdukcapil Desk")
    return canvas


class _DeskInfo(PDFInfo):  # type: ignore[misc]
    """ReportLab's document-info dictionary plus the desk's private verification entry."""

    verification = ""

    def format(self, document: object) -> bytes:
        """The dictionary as ReportLab writes it, with ``/DDKDesk`` and without ``Keywords``."""
        entries = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "CreationDate": PDFDate(ts=document._timeStamp, dateFormatter=self._dateFormatter),  # type: ignore[attr-defined]
            "Producer": PDFString(self.producer),
            "Creator": PDFString(self.creator),
            "Subject": PDFString(self.subject),
            "Trapped": PDFName(self.trapped),
            METADATA_KEY.lstrip("/"): PDFString(self.verification),
        }
        entries["ModDate"] = entries["CreationDate"]
        return bytes(PDFDictionary(entries).format(document))


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (words longer than a line stay whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current or not lines:
        lines.append(current)
    return lines
