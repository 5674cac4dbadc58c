"""The paper a document is laid out for.

An 80 mm thermal roll has no page height: the page is exactly as long as its content, so the
printer feeds no blank paper. A5 and A4 are ordinary sheets; registers that need the width
lie on A4 turned sideways.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm


@dataclass(frozen=True)
class PaperSpec:
    width: float  # points
    height: float | None  # points; None for a roll (the content decides)
    margin_x: float
    margin_top: float
    margin_bottom: float
    font_size: float
    #: Raster resolution when the PDF is painted onto a printer (thermal heads are 203 dpi).
    print_dpi: int

    @property
    def is_roll(self) -> bool:
        return self.height is None

    @property
    def is_landscape(self) -> bool:
        return self.height is not None and self.width > self.height

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin_x


class Paper(Enum):
    """Stable string values, so a remembered choice (printer per document type) can be stored."""

    ROLL_80MM = "roll_80mm"
    A5 = "a5"
    A4 = "a4"
    A4_LANDSCAPE = "a4_landscape"

    @property
    def spec(self) -> PaperSpec:
        return _SPECS[self]


_SPECS: dict[Paper, PaperSpec] = {
    # 80 mm paper, 72 mm printable on common heads: 4 mm each side. The bottom margin leaves
    # room between the last line and the tear-off bar.
    Paper.ROLL_80MM: PaperSpec(width=80 * mm, height=None, margin_x=4 * mm, margin_top=3 * mm,
                               margin_bottom=8 * mm, font_size=8.5, print_dpi=203),
    Paper.A5: PaperSpec(width=A5[0], height=A5[1], margin_x=12 * mm, margin_top=12 * mm,
                        margin_bottom=12 * mm, font_size=10, print_dpi=300),
    Paper.A4: PaperSpec(width=A4[0], height=A4[1], margin_x=18 * mm, margin_top=18 * mm,
                        margin_bottom=18 * mm, font_size=11, print_dpi=300),
    Paper.A4_LANDSCAPE: PaperSpec(width=A4[1], height=A4[0], margin_x=12 * mm,
                                  margin_top=12 * mm, margin_bottom=14 * mm, font_size=9,
                                  print_dpi=300),
}
