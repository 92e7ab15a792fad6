"""Re-basing REFI-QDA selection offsets onto bctcoder's canonical text.

Other tools store a source's plain text as they read it (CRLF line ends,
trailing spaces, a BOM, trailing blank lines) and count selection positions in
code points of *that* text. bctcoder keeps only the canonical form
(:func:`bctcoder.corpus.textnorm.normalize_text`): BOM removed, CRLF and lone CR
turned into LF, trailing whitespace of every line and trailing blank lines
dropped. :func:`canonical_with_offsets` performs the same normalisation while
recording which raw characters survive, so every raw position ``p`` maps to
``p - (characters removed before p)`` in the canonical text: a CRLF counts as one
character, a removed trailing space as none.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

__all__ = ["OffsetMap", "canonical_with_offsets"]


@dataclass(frozen=True)
class OffsetMap:
    """The canonical text of a raw source text and the raw positions that were removed from it."""

    text: str
    removed: tuple[int, ...]  # sorted raw indices of characters that are not in ``text``
    raw_length: int

    def position(self, raw: int) -> int:
        """The canonical position of raw position ``raw`` (0 <= raw <= raw_length)."""
        return raw - bisect_left(self.removed, raw)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """A raw selection ``[start, end)`` in canonical offsets, or None when nothing of it survives."""
        if not (0 <= start < end <= self.raw_length):
            return None
        new_start, new_end = self.position(start), self.position(end)
        return (new_start, new_end) if new_start < new_end else None

    @property
    def changed(self) -> bool:
        """Whether normalisation removed any character (so offsets were re-based)."""
        return bool(self.removed)


def canonical_with_offsets(raw: str) -> OffsetMap:
    """Normalise ``raw`` exactly like ``normalize_text`` and keep the raw → canonical offset map.

    A lone CR becomes LF (kept, one for one); the CR of a CRLF, a leading BOM,
    trailing whitespace on each line and trailing blank lines are removed.
    """
    removed: list[int] = []
    index = 0
    if raw.startswith("\ufeff"):
        removed.append(0)
        index = 1
    # Split into lines on CRLF, CR or LF, remembering where each line starts in ``raw``.
    lines: list[tuple[int, str]] = []  # (raw start, line text)
    breaks: list[int] = []  # raw index of the kept line-break character after each line but the last
    start = index
    n = len(raw)
    while index < n:
        char = raw[index]
        if char == "\r":
            lines.append((start, raw[start:index]))
            if index + 1 < n and raw[index + 1] == "\n":
                removed.append(index)  # the CR of a CRLF
                breaks.append(index + 1)
                index += 2
            else:
                breaks.append(index)  # a lone CR, turned into LF
                index += 1
            start = index
        elif char == "\n":
            lines.append((start, raw[start:index]))
            breaks.append(index)
            index += 1
            start = index
        else:
            index += 1
    lines.append((start, raw[start:]))
    kept_lengths = [len(text.rstrip()) for _, text in lines]
    last = len(lines) - 1
    while last > 0 and kept_lengths[last] == 0:
        last -= 1
    pieces: list[str] = []
    for number, ((line_start, text), kept) in enumerate(zip(lines, kept_lengths)):
        if number > last:
            # a trailing blank line: it and the break before it are removed
            removed.append(breaks[number - 1])
            removed.extend(range(line_start, line_start + len(text)))
            continue
        if number > 0:
            pieces.append("\n")
        pieces.append(text[:kept])
        removed.extend(range(line_start + kept, line_start + len(text)))
    removed.sort()
    return OffsetMap("".join(pieces), tuple(removed), n)
