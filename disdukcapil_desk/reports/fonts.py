"""The TrueType fonts every PDF of the desk embeds (reports layer).

ReportLab's built-in Helvetica is not embedded and lacks some glyphs; the desk registers the
bundled Liberation fonts once and makes them the default everywhere, including graphics (the QR
code's ``Drawing`` would otherwise fall back to Helvetica).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.graphics import shapes
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

SANS = "DeskSans"
SANS_BOLD = "DeskSans-Bold"
SERIF = "DeskSerif"
SERIF_BOLD = "DeskSerif-Bold"

_FAMILIES = {
    SANS: ("LiberationSans", SANS_BOLD, "DeskSans-Italic", "DeskSans-BoldItalic"),
    SERIF: ("LiberationSerif", SERIF_BOLD, "DeskSerif-Italic", "DeskSerif-BoldItalic"),
}
_STYLES = (("Regular", 0, 0), ("Bold", 1, 0), ("Italic", 0, 1), ("BoldItalic", 1, 1))


def register_fonts(fonts_dir: Path) -> None:
    """Register the desk's fonts from ``fonts_dir`` (idempotent) and make Sans the default.

    Raises:
        FileNotFoundError: a font file is missing from the bundle.
    """
    if SANS in pdfmetrics.getRegisteredFontNames():
        return
    for family, (file_stem, bold, italic, bold_italic) in _FAMILIES.items():
        names = {(0, 0): family, (1, 0): bold, (0, 1): italic, (1, 1): bold_italic}
        for style, is_bold, is_italic in _STYLES:
            path = fonts_dir / f"{file_stem}-{style}.ttf"
            if not path.is_file():
                raise FileNotFoundError(f"font missing from the bundle: {path}")
            name = names[(is_bold, is_italic)]
            pdfmetrics.registerFont(TTFont(name, str(path)))
            addMapping(family, is_bold, is_italic, name)
        pdfmetrics.registerFontFamily(
            family, normal=family, bold=bold, italic=italic, boldItalic=bold_italic
        )
    shapes.STATE_DEFAULTS["fontName"] = SANS
