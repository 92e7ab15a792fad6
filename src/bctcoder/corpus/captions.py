"""Reading caption files (WebVTT, SubRip) into transcripts.

Each cue becomes one line of the canonical text.  A run of consecutive cues by
the same speaker forms one turn: its first line is ``Speaker: text`` and the
following lines carry the text only (continuation lines), so the turn's span is
pure utterance.  Cues without a speaker are bare lines with speaker ``""``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

import srt
import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from bctcoder.corpus.patterns import match_colon_label
from bctcoder.corpus.speakers import interviewer_label_set, is_interviewer
from bctcoder.corpus.transcript import Transcript, Turn
from bctcoder.errors import TranscriptError

_VOICE = re.compile(r"<v(?:\.[^\s>]*)*\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")


class Cue(NamedTuple):
    """One caption segment: speaker (``""`` if none), one-line text, start in seconds."""

    speaker: str
    text: str
    start: float


def _clean(line: str) -> str:
    return " ".join(_ASS_OVERRIDE.sub("", _TAG.sub("", line)).split())


def _segments(lines: Iterable[str], unescape: bool) -> list[tuple[str, str]]:
    """Split cue lines into (speaker, text) segments: a ``<v Name>`` line starts one."""
    segments: list[tuple[str, list[str]]] = []
    for raw in lines:
        voice = _VOICE.match(raw.strip())
        if voice or not segments:
            segments.append((voice.group(1).strip() if voice else "", []))
        segments[-1][1].append(html.unescape(_clean(raw)) if unescape else _clean(raw))
    result = []
    for speaker, parts in segments:
        text = " ".join(part for part in parts if part)
        if not speaker:
            label = match_colon_label(text)
            if label is not None and label.timestamp is None:
                speaker, text = label.speaker, text[label.utterance_start :]
        if text:
            result.append((speaker, text))
    return result


def vtt_cues(text: str, source: str) -> list[Cue]:
    """Parse WebVTT ``text`` into cues; speakers come from ``<v>`` tags or ``Name:``."""
    try:
        captions = webvtt.WebVTT.from_string(text).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise TranscriptError(f"not a valid WebVTT file ({exc})", source=source) from exc
    return [
        Cue(speaker, line, caption.start_time.in_milliseconds() / 1000)
        for caption in captions
        for speaker, line in _segments(caption.lines, unescape=True)
    ]


def srt_cues(text: str, source: str) -> list[Cue]:
    """Parse SubRip ``text`` into cues; speakers come from a leading ``Name:``."""
    try:
        subtitles = list(srt.parse(text))
    except (srt.SRTParseError, ValueError, OverflowError) as exc:  # OverflowError: hours past timedelta's range
        raise TranscriptError(f"not a valid SRT file ({exc})", source=source) from exc
    return [
        Cue(speaker, line, subtitle.start.total_seconds())
        for subtitle in subtitles
        for speaker, line in _segments(subtitle.content.split("\n"), unescape=False)
    ]


def cues_to_transcript(
    cues: list[Cue],
    source_format: str,
    source: str,
    interviewer_labels: Iterable[str] | None = None,
) -> Transcript:
    """Lay cues out as canonical text and merge same-speaker runs into turns."""
    if not cues:
        raise TranscriptError("no captions with text found", source=source)
    labels = interviewer_label_set(interviewer_labels)
    lines: list[str] = []
    turns: list[Turn] = []
    offset = 0
    previous: str | None = None
    for cue in cues:
        prefix = f"{cue.speaker}: " if cue.speaker and cue.speaker != previous else ""
        line = prefix + cue.text
        if cue.speaker == previous:
            turns[-1] = replace(turns[-1], end=offset + len(line))
        else:
            turns.append(
                Turn(
                    offset + len(prefix),
                    offset + len(line),
                    cue.speaker,
                    not is_interviewer(cue.speaker, labels),
                    cue.start,
                )
            )
        lines.append(line)
        offset += len(line) + 1
        previous = cue.speaker
    return Transcript.build("\n".join(lines), turns, source_format, "cues")
