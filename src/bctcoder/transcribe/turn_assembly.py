"""From recognised segments to speaker turns.

Whisper yields segments (a sentence or so, with start and end times, and each word's times) per track; a
segment is split where its words pause (:func:`split_at_word_gaps`). Segments of all tracks are
put on the one timeline in order of start time; consecutive segments of the same speaker join into one turn
while the gap between them is shorter than the pause threshold (``DEFAULT_PAUSE``, 1 s). With one mono file
every segment has the speaker ``Unassigned``, so turns are split at pauses only.

Speaker labels are written as ``Speaker:`` at the start of transcript lines and in WebVTT ``<v Speaker>``
tags, so :func:`speaker_label` makes every name one that bctcoder's transcript reader reads back unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bctcoder.corpus.patterns import MAX_LABEL_CHARS, MAX_LABEL_WORDS, match_colon_label
from bctcoder.errors import InputError

UNASSIGNED = "Unassigned"
DEFAULT_PAUSE = 1.0

# colons end a label; brackets, angle brackets and ampersands would read as a time, a tag or an entity
_NOT_IN_LABELS = re.compile(r"[:\uff1a<>\[\]{}&]")


@dataclass(frozen=True)
class Segment:
    """One stretch of recognised speech: speaker, start and end in seconds on the timeline, text."""

    speaker: str
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SpokenTurn:
    """Consecutive segments of one speaker with no pause between them as long as the threshold."""

    speaker: str
    start: float
    end: float
    text: str
    segments: tuple[Segment, ...]


def clean_text(text: str) -> str:
    """Whisper's text with whitespace (line breaks included) collapsed to single spaces."""
    return " ".join(text.split())


def speaker_label(name: str | None, fallback: str = "Speaker") -> str:
    """``name`` as a speaker label bctcoder reads back unchanged: no colons, brackets or angle brackets,
    starting with a letter or digit, not only digits (``3`` becomes ``Speaker 3``), at most four words and
    40 characters; ``fallback`` (itself a valid label) when nothing usable is left."""
    label = " ".join(_NOT_IN_LABELS.sub(" ", name or "").split())
    while label and not label[0].isalnum():
        label = label[1:].lstrip()
    label = " ".join(label.split()[:MAX_LABEL_WORDS])[:MAX_LABEL_CHARS].rstrip()
    if label.isdigit():
        label = f"Speaker {label}"[:MAX_LABEL_CHARS]
    found = match_colon_label(f"[00:00:00] {label}: x") if label else None
    return label if found is not None and found.speaker == label else fallback


def check_pause(pause: float) -> float:
    """``pause`` as a number of seconds, 0 or more (else a one-line :class:`InputError`)."""
    try:
        value = float(pause)
    except (TypeError, ValueError):
        raise InputError(f"the pause must be a number of seconds, not {pause!r}", source="--pause") from None
    if not math.isfinite(value) or value < 0:
        raise InputError(f"the pause must be 0 seconds or more, not {pause!r}", source="--pause")
    return value


def split_at_word_gaps(speaker: str, start: float, end: float, text: str, words: Sequence[Any] | None,
                       pause: float = DEFAULT_PAUSE) -> list[Segment]:
    """One whisper segment as segments split wherever ``pause`` seconds or more pass between two words.

    With silence skipped (the VAD filter), one whisper segment can run across a silence in which another
    track's speaker talks; its words keep their own times, so splitting there puts each part back where it
    was said. ``words`` are faster-whisper ``Word`` objects (``start``, ``end``, ``word``); without them the
    segment is kept whole.
    """
    if not words:
        return [Segment(speaker, start, end, text)]
    parts: list[Segment] = []
    current: list[Any] = []
    for word in words:
        if current and float(word.start) - float(current[-1].end) >= pause:
            parts.append(_joined(speaker, current))
            current = []
        current.append(word)
    parts.append(_joined(speaker, current))
    return [part for part in parts if part.text]


def _joined(speaker: str, words: Sequence[Any]) -> Segment:
    return Segment(speaker, float(words[0].start), float(words[-1].end), clean_text("".join(w.word for w in words)))


def assemble_turns(segments: Iterable[Segment], pause: float = DEFAULT_PAUSE) -> list[SpokenTurn]:
    """Merge segments (of any number of speakers) into turns on one timeline.

    Segments are ordered by start time (ties keep the given order, i.e. track order); a segment continues
    the previous turn when it has the same speaker and starts less than ``pause`` seconds after that turn
    ends, else it opens a new turn. Segments with no text are dropped.
    """
    pause = check_pause(pause)
    ordered = sorted((seg for seg in segments if clean_text(seg.text)), key=lambda seg: (seg.start, seg.end))
    turns: list[SpokenTurn] = []
    for seg in ordered:
        text = clean_text(seg.text)
        last = turns[-1] if turns else None
        if last is not None and last.speaker == seg.speaker and seg.start - last.end < pause:
            turns[-1] = SpokenTurn(last.speaker, last.start, max(last.end, seg.end), f"{last.text} {text}",
                                   last.segments + (seg,))
        else:
            turns.append(SpokenTurn(seg.speaker, seg.start, max(seg.start, seg.end), text, (seg,)))
    return turns


def speaker_summary(turns: Sequence[SpokenTurn], speakers: Sequence[str] = ()) -> list[dict[str, object]]:
    """Each speaker (``speakers`` first, in order, even when silent) with turns, words and seconds spoken."""
    rows: dict[str, dict[str, object]] = {
        s: {"speaker": s, "turns": 0, "words": 0, "seconds": 0.0} for s in speakers}
    totals: dict[str, list[float]] = {s: [0, 0, 0.0] for s in speakers}
    for turn in turns:
        rows.setdefault(turn.speaker, {"speaker": turn.speaker})
        counts = totals.setdefault(turn.speaker, [0, 0, 0.0])
        counts[0] += 1
        counts[1] += len(turn.text.split())
        counts[2] += sum(max(0.0, seg.end - seg.start) for seg in turn.segments)
    for speaker, (n, words, seconds) in totals.items():
        rows[speaker].update(turns=int(n), words=int(words), seconds=round(seconds, 1))
    return list(rows.values())
