"""The shipped font is registered once, whoever prints first, and every style uses it."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from clinic_desk.printing import fonts
from clinic_desk.printing.paper import Paper


def test_registering_from_many_threads_at_once_loads_the_font_once() -> None:
    script = """
from concurrent.futures import ThreadPoolExecutor
from reportlab.pdfbase import ttfonts
from clinic_desk.printing import fonts
loads = []
original = ttfonts.TTFont.__init__
def counting(self, *args, **kwargs):
    loads.append(args)
    original(self, *args, **kwargs)
ttfonts.TTFont.__init__ = counting
with ThreadPoolExecutor(8) as pool:
    names = set(pool.map(lambda _: fonts.register_fonts(), range(32)))
print(len(loads), names == {fonts.FONT_NAME}, fonts.register_fonts() == fonts.FONT_NAME)
"""
    # A fresh interpreter: in this one another test may have registered the font already.
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.split() == ["1", "True", "True"]


def test_registering_again_is_harmless() -> None:
    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(lambda _: fonts.register_fonts(), range(8))) == {fonts.FONT_NAME}


def test_styles_use_the_shipped_font_and_break_chinese_lines() -> None:
    for paper in Paper:
        st = fonts.styles(paper.spec.font_size)
        for style in vars(st).values():
            assert style.fontName == fonts.FONT_NAME
            assert style.wordWrap == "CJK"


def test_pdf_text_replaces_the_narrow_no_break_space_the_font_lacks() -> None:
    assert fonts.pdf_text("2:32\u202fPM") == "2:32 PM"
    assert fonts.markup("A & B <Dental>") == "A &amp; B &lt;Dental&gt;"
