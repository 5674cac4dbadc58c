"""The one font of every printed document, and paragraph styles built on it.

ReportLab cannot embed the OpenType CJK fonts and its built-in CID fonts are not embedded, so
documents use the WenQuanYi Micro Hei TrueType collection shipped in `resources/fonts/`
(Chinese, Latin and digits in one face). Registering it parses a 5 MB file (~150 ms), so it
happens once per process, whichever thread prints first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from clinic_desk.paths import cjk_font_path

FONT_NAME = "ClinicDeskCJK"

_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Register the shipped font with ReportLab (idempotent, thread-safe); return its name."""
    global _registered
    if _registered:
        return FONT_NAME
    with _lock:
        if not _registered:
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(cjk_font_path()), subfontIndex=0))
            # The face has one weight: let <b>/<i> in markup fall back to it instead of failing.
            pdfmetrics.registerFontFamily(FONT_NAME, normal=FONT_NAME, bold=FONT_NAME,
                                          italic=FONT_NAME, boldItalic=FONT_NAME)
            _registered = True
    return FONT_NAME


def pdf_text(text: str) -> str:
    """Text safe for the font: Babel's English times use U+202F, which the font lacks."""
    return text.replace("\u202f", " ")


def markup(text: str) -> str:
    """Clinic data (names, addresses) as Paragraph markup: `&` and `<` must not become tags."""
    return escape(pdf_text(text)).replace("\n", "<br/>")


MUTED = colors.Color(0.35, 0.35, 0.35)
STAMP_RED = colors.Color(0.78, 0.08, 0.08)


@dataclass(frozen=True)
class Styles:
    """Paragraph styles for one base size (roll paper prints smaller than A5/A4)."""

    body: ParagraphStyle
    body_right: ParagraphStyle
    strong: ParagraphStyle
    strong_right: ParagraphStyle
    small: ParagraphStyle
    small_right: ParagraphStyle
    clinic: ParagraphStyle
    centered: ParagraphStyle
    title: ParagraphStyle
    copy_mark: ParagraphStyle
    section: ParagraphStyle


@cache
def styles(base_size: float) -> Styles:
    """Styles for a base font size; cached because every document of a paper reuses them."""
    font = register_fonts()

    def style(name: str, size: float, align: int = TA_LEFT, color: colors.Color = colors.black,
              space_before: float = 0, space_after: float = 0) -> ParagraphStyle:
        return ParagraphStyle(
            f"{name}-{base_size}", fontName=font, fontSize=size, leading=round(size * 1.3, 1),
            alignment=align, textColor=color, wordWrap="CJK", spaceBefore=space_before,
            spaceAfter=space_after)

    small = base_size * 0.85
    big = base_size * 1.25
    return Styles(
        body=style("body", base_size),
        body_right=style("body-right", base_size, TA_RIGHT),
        strong=style("strong", big),
        strong_right=style("strong-right", big, TA_RIGHT),
        small=style("small", small, color=MUTED),
        small_right=style("small-right", small, TA_RIGHT, color=MUTED),
        clinic=style("clinic", base_size * 1.5, TA_CENTER, space_after=base_size * 0.2),
        centered=style("centered", small, TA_CENTER, color=MUTED),
        title=style("title", base_size * 1.6, TA_CENTER, space_before=base_size * 0.5,
                    space_after=base_size * 0.3),
        copy_mark=style("copy", big, TA_CENTER, color=STAMP_RED),
        section=style("section", base_size, space_before=base_size * 0.3),
    )
