"""What a reader sees in a PDF, through poppler-utils (pdftotext, pdffonts, pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest

TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo")


def require_poppler() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"poppler-utils missing ({', '.join(missing)}): install poppler-utils")


def _run(*args: str, stdin: bytes) -> str:
    require_poppler()
    result = subprocess.run(args, input=stdin, capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8")


def layout_text(pdf: bytes) -> str:
    return _run("pdftotext", "-layout", "-enc", "UTF-8", "-", "-", stdin=pdf)


def raw_text(pdf: bytes) -> str:
    """The text in the order it was drawn: a table's cells one after another, so text that
    wraps inside its column stays together (the layout mode interleaves the columns)."""
    return _run("pdftotext", "-raw", "-enc", "UTF-8", "-", "-", stdin=pdf)


def squeezed(text: str) -> str:
    """Text without any whitespace: wrapped lines and column gaps no longer matter."""
    return "".join(text.split())


def contains(pdf_text: str, expected: str) -> bool:
    return squeezed(expected) in squeezed(pdf_text)


def fonts(pdf: bytes) -> list[dict[str, str]]:
    """pdffonts rows as dicts keyed by its column names (name, type, emb, ...)."""
    lines = _run("pdffonts", "-", stdin=pdf).splitlines()
    header, rule, rows = lines[0], lines[1], lines[2:]
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    names = [header[a:b + 1].strip() for a, b in spans]
    return [{name: row[a:b + 1].strip() for name, (a, b) in zip(names, spans)} for row in rows]


def page_info(pdf: bytes) -> tuple[int, float, float]:
    """Page count and the first page's width and height in points."""
    info = _run("pdfinfo", "-", stdin=pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    assert size, info
    return pages, float(size.group(1)), float(size.group(2))


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    x_max: float
    y_min: float


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">'
                   r"(.*?)</word>")


def words(pdf: bytes) -> list[Word]:
    """Every word with its box, to check alignment."""
    return [Word(unescape(m.group(4)), float(m.group(1)), float(m.group(3)), float(m.group(2)))
            for m in _WORD.finditer(_run("pdftotext", "-bbox", "-", "-", stdin=pdf))]


def save_png(pdf: bytes, target: Path) -> Path:
    """The first page as a 100 dpi PNG at `target` (without the .png suffix)."""
    require_poppler()
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", "-", str(target)],
                   input=pdf, check=True, timeout=60)
    return target.with_suffix(".png")
