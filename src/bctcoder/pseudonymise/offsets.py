"""Applying replacements to a text and carrying offsets (codings, turns) from the old text to the new.

Rules of :class:`OffsetMap`: a position outside every replaced span moves by the change in length of the
replacements before it; a start that falls inside a replaced span moves to the start of its replacement,
an end that falls inside one to the end of its replacement. So a coding that covered part of a name covers
its whole replacement, and a coding that covered the text around it still does.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ReplacedSpan:
    """One replacement: ``[start, end)`` of the original text became ``[new_start, new_end)``."""

    start: int
    end: int
    new_start: int
    new_end: int


class OffsetMap:
    """Maps positions and spans of the original text to the text after :func:`apply_replacements`."""

    def __init__(self, spans: Sequence[ReplacedSpan], original_length: int, new_length: int):
        self.spans = list(spans)
        self.original_length = original_length
        self.new_length = new_length
        self._starts = [s.start for s in self.spans]

    def _check(self, position: int) -> None:
        if not 0 <= position <= self.original_length:
            raise ValueError(f"position {position} is outside the original text (0..{self.original_length})")

    def _map(self, position: int, *, as_end: bool) -> int:
        self._check(position)
        # the last replaced span starting before the position (a span starting at it moves nothing yet)
        at = bisect.bisect_left(self._starts, position) - 1
        if at < 0:
            return position
        span = self.spans[at]
        if position < span.end:   # strictly inside
            return span.new_end if as_end else span.new_start
        return span.new_end + (position - span.end)

    def position(self, index: int) -> int:
        """Where position ``index`` of the original text is in the new one (inside a replaced span: the
        start of its replacement)."""
        return self._map(index, as_end=False)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the new text for ``[start, end)`` of the original (see the module's docstring)."""
        if start > end:
            raise ValueError(f"span start {start} is after its end {end}")
        return self._map(start, as_end=False), self._map(end, as_end=True)


def apply_replacements(text: str, replacements: Sequence[tuple[int, int, str]]) -> tuple[str, OffsetMap]:
    """``text`` with each ``(start, end, replacement)`` applied, and the map of its offsets.

    Replacements must be sorted, within the text, non-empty (start < end) and not overlapping (one may
    end where the next starts); otherwise ValueError."""
    pieces: list[str] = []
    spans: list[ReplacedSpan] = []
    previous = 0
    length = 0
    for start, end, replacement in replacements:
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"replacement span ({start}, {end}) is empty or outside the text (0..{len(text)})")
        if start < previous:
            raise ValueError(f"replacement span ({start}, {end}) overlaps or precedes the one before it "
                             f"(ending at {previous}): replacements must be sorted and not overlap")
        pieces.append(text[previous:start])
        length += start - previous
        pieces.append(replacement)
        spans.append(ReplacedSpan(start, end, length, length + len(replacement)))
        length += len(replacement)
        previous = end
    pieces.append(text[previous:])
    new_text = "".join(pieces)
    return new_text, OffsetMap(spans, len(text), len(new_text))
