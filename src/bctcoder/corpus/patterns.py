"""Recognising speaker labels at the start of a transcript line.

Each matcher takes one canonical line (no newline, no trailing whitespace) and
returns a :class:`LabelMatch` or ``None``.  Labels are limited to four words
and 40 characters, must start with a letter or digit and may not be all digits
(so times such as ``10:30`` and list numbers such as ``1:`` are not labels).
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 4

_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
# ASCII colon (must be followed by whitespace) and the full-width colon (need not be).
_COLONS = ":\uff1a"
_WORD = rf"[^\s{_COLONS}]+"
_LABEL = rf"[^\W_][^\s{_COLONS}]*(?:[ \t]+{_WORD}){{0,{MAX_LABEL_WORDS - 1}}}"

_COLON_RE = re.compile(
    rf"[ \t]*(?:[\[(]?(?P<ts>{_CLOCK})[\])]?[ \t]+)?(?P<label>{_LABEL})[ \t]*(?::(?=\s|$)|\uff1a)"
)
_BRACKET_RE = re.compile(rf"[ \t]*\[(?P<label>[^\[\]]{{1,{MAX_LABEL_CHARS}}})\][ \t]*[{_COLONS}]?")
_OTTER_RE = re.compile(
    rf"[ \t]*(?P<label>[^\W_][^\s{_COLONS}]*(?:[ \t]+{_WORD}){{0,{MAX_LABEL_WORDS - 1}}}?)"
    rf"[ \t]+(?P<ts>(?:\d{{1,2}}:)?\d{{1,2}}:\d{{2}})"
)
_CLOCK_RE = re.compile(_CLOCK)


class LabelMatch(NamedTuple):
    """A speaker label found at the start of a line.

    ``utterance_start`` is the index in the line of the first non-whitespace
    character after the label (the line length when nothing follows it).
    """

    speaker: str
    utterance_start: int
    timestamp: float | None = None


def parse_clock(value: str) -> float:
    """Convert ``[H:]MM:SS[.fff]`` (comma or dot before the fraction) to seconds."""
    seconds = 0.0
    for part in value.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def _skip_space(line: str, index: int) -> int:
    while index < len(line) and line[index].isspace():
        index += 1
    return index


def _plausible(label: str) -> bool:
    return (
        0 < len(label) <= MAX_LABEL_CHARS
        and len(label.split()) <= MAX_LABEL_WORDS
        and not label.isdigit()
    )


def match_colon_label(line: str) -> LabelMatch | None:
    """Match ``Speaker: text`` (optionally preceded by a ``[00:01:02]`` time)."""
    found = _COLON_RE.match(line)
    if found is None:
        return None
    label = found.group("label").strip()
    if not _plausible(label):
        return None
    clock = found.group("ts")
    timestamp = parse_clock(clock) if clock else None
    return LabelMatch(label, _skip_space(line, found.end()), timestamp)


def match_bracket_label(line: str) -> LabelMatch | None:
    """Match ``[id] text``; a bracketed time such as ``[00:01]`` is not a label."""
    found = _BRACKET_RE.match(line)
    if found is None:
        return None
    label = found.group("label").strip()
    if not _plausible(label) or _CLOCK_RE.fullmatch(label):
        return None
    return LabelMatch(label, _skip_space(line, found.end()))


def match_otter_header(line: str) -> LabelMatch | None:
    """Match an Otter.ai header line ``Name  MM:SS`` or ``Name  H:MM:SS``.

    The whole line is the header, so ``utterance_start`` is the line length.
    """
    found = _OTTER_RE.fullmatch(line)
    if found is None:
        return None
    label = found.group("label").strip()
    if not _plausible(label):
        return None
    return LabelMatch(label, len(line), parse_clock(found.group("ts")))
