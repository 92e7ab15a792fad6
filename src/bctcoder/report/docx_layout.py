"""Page geometry and column widths for Word tables, measured from the text they hold.

Widths are in points. Text is measured with Arial/Helvetica character widths (Liberation Sans, which
LibreOffice uses in Arial's place, has the same metrics), so a column is as wide as its content needs:
narrow for short numbers, wide for labels and quotes, and never narrower than its longest word (up to
:data:`UNBREAKABLE` characters; longer words may break).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bctcoder.errors import InputError

MM = 72 / 25.4
PAPERS = {"a4": (210 * MM, 297 * MM), "letter": (8.5 * 72, 11 * 72)}
MARGIN = 20 * MM
UNBREAKABLE = 15            # words up to this many characters are never broken inside a cell
CELL_PADDING = 2 * 4.3 + 1.5  # left + right cell margins (0.06 in each) and a little slack
BOLD = 1.08
MAX_WANTED = 520.0           # a column never asks for more than this (long quotes wrap)

# Helvetica/Arial advance widths (1/1000 em) for printable ASCII 32..126.
_ASCII = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
          556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
          1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
          667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
          333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
          556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]
_OTHER = {"“": 333, "”": 333, "‘": 222, "’": 222, "–": 556, "—": 1000, "…": 1000, "×": 584, "\u200b": 0}
_WORDS = re.compile(r"\S+")
_HEADER_WORDS = re.compile(r"[^\s_]+_*|_+")   # headers may also wrap after an underscore


def paper_size(paper: str) -> tuple[float, float]:
    """(width, height) in points of a portrait page: ``a4`` (the default) or ``letter``."""
    try:
        return PAPERS[paper.lower()]
    except KeyError:
        raise InputError(f"unknown paper size {paper!r} (one of {', '.join(PAPERS)})", source="paper") from None


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of one line of ``text`` at ``size`` points."""
    units = 0
    for ch in text:
        code = ord(ch)
        units += _ASCII[code - 32] if 32 <= code < 127 else _OTHER.get(ch, 600)
    return units * size / 1000 * (BOLD if bold else 1.0)


def _longest_word(text: str, size: float, bold: bool, words: re.Pattern[str]) -> float:
    best = 0.0
    for word in words.findall(text):
        for part in word.split("-"):  # a hyphen is a break opportunity
            best = max(best, text_width(part[:UNBREAKABLE], size, bold))
    return best


@dataclass
class ColumnMeasure:
    """What one column needs: ``least`` (its longest word), ``wanted`` (its longest cell on one line, header
    wrapped at words), ``full`` (as ``wanted`` with the header on one line too)."""

    least: float
    wanted: float
    full: float


def measure(header: str, cells: list[str], size: float) -> ColumnMeasure:
    """Measure a column from its header (bold, may wrap at spaces and underscores) and its cells' text."""
    least = _longest_word(header, size, True, _HEADER_WORDS)
    longest = 0.0
    for text in cells:
        if not text:
            continue
        for line in text.split("\n"):
            longest = max(longest, text_width(line, size))
        least = max(least, _longest_word(text, size, False, _WORDS))
    longest = min(longest, MAX_WANTED)
    wanted = max(least, longest)
    full = max(wanted, min(text_width(header, size, True), MAX_WANTED))
    return ColumnMeasure(least + CELL_PADDING, wanted + CELL_PADDING, full + CELL_PADDING)


def widths(columns: list[ColumnMeasure], available: float) -> list[float]:
    """Column widths (points) summing to at most ``available``.

    All content on one line if it fits; else headers wrap at words; else every column keeps its longest word
    and the space left goes to the columns with the most text; only if even the longest words do not fit are
    all columns scaled down (words then break)."""
    if not columns:
        return []
    least = [c.least for c in columns]
    wanted = [c.wanted for c in columns]
    full = [c.full for c in columns]
    if sum(full) <= available:
        return full
    if sum(wanted) <= available:
        spare = available - sum(wanted)
        extra = [f - w for f, w in zip(full, wanted)]
        k = spare / sum(extra) if sum(extra) else 0.0
        return [w + e * k for w, e in zip(wanted, extra)]
    if sum(least) <= available:
        return _share(least, wanted, available)
    k = available / sum(least)
    return [m * k for m in least]


def _share(least: list[float], wanted: list[float], available: float) -> list[float]:
    """Every column gets its ``least``; the space left goes first, in full, to the columns that need little more
    to hold their content on one line (short labels, "PW, SP"), then to the others in proportion to their
    text (the quotes)."""
    result = list(least)
    spare = available - sum(least)
    extra = [w - m for w, m in zip(wanted, least)]
    pending = sorted(range(len(least)), key=lambda i: extra[i])
    while pending:
        fair = spare / len(pending)
        if extra[pending[0]] > fair:
            break
        i = pending.pop(0)
        result[i] += extra[i]
        spare -= extra[i]
    rest = sum(extra[i] for i in pending)
    for i in pending:
        result[i] += spare * extra[i] / rest if rest else 0.0
    return result


def needs_landscape(columns: list[ColumnMeasure], portrait_width: float, many: int = 6) -> bool:
    """A table goes on a landscape page when its longest words do not fit a portrait page, or when it has
    more than ``many`` columns whose content would have to wrap there."""
    if sum(c.least for c in columns) > portrait_width:
        return True
    return len(columns) > many and sum(c.wanted for c in columns) > portrait_width
