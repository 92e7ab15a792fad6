"""The reading view's data: a transcript cut into segments that each carry the codings covering them.

Server-side, so the page works without JavaScript and renders fast: boundaries of all codings are sorted
once, and every run of text between two boundaries becomes one segment with the ids of its codings.
Offsets stay code points; each segment tells the browser where it starts, so a selection can be turned
back into code-point offsets exactly (emoji and combining marks included).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Segment:
    start: int
    end: int
    text: str
    codings: list[int] = field(default_factory=list)
    suggested: bool = False


@dataclass
class TurnView:
    start: int
    end: int
    speaker: str
    is_interviewee: bool
    label_text: str          # the text before the utterance on its line ("Interviewer: ")
    segments: list[Segment]
    margin: list[dict[str, Any]]


_TIME_PREFIX = re.compile(r"^\s*[\[(]?\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?[\])]?\s*")


def shown_label(label_text: str, speaker: str) -> str:
    """The label as written, unless the turn's speaker was assigned since (a transcribed "Unassigned"):
    then the assigned speaker, after the line's time stamp when it has one."""
    if not speaker or not label_text or speaker in label_text:
        return label_text
    found = _TIME_PREFIX.match(label_text)
    return (found.group(0) if found else "") + speaker + ":"


def build_turns(text: str, turns: list[dict[str, Any]], codings: list[dict[str, Any]]) -> list[TurnView]:
    """Turns (or the whole text as one turn when there are none) cut into coded segments.

    A sweep over the sorted boundaries keeps the set of codings open at each point, so the cost grows with
    the number of boundaries, not boundaries × codings.
    """
    if not turns:
        turns = [{"start": 0, "end": len(text), "speaker": "", "is_interviewee": True}]
    starts: dict[int, list[dict[str, Any]]] = {}
    ends: dict[int, list[int]] = {}
    for c in codings:
        starts.setdefault(c["start"], []).append(c)
        ends.setdefault(c["end"], []).append(c["id"])
    points = sorted({0, len(text)} | set(starts) | set(ends) | {t["start"] for t in turns} | {t["end"] for t in turns})
    open_now: dict[int, dict[str, Any]] = {}
    covering_at: dict[int, list[dict[str, Any]]] = {}
    for x in points:
        for cid in ends.get(x, ()):
            open_now.pop(cid, None)
        for c in starts.get(x, ()):
            open_now[c["id"]] = c
        covering_at[x] = list(open_now.values())
    by_start = sorted(codings, key=lambda c: (c["start"], c["end"]))
    views = []
    previous_end = 0
    for t in turns:
        line_start = text.rfind("\n", 0, t["start"]) + 1
        label_text = text[max(line_start, previous_end):t["start"]]
        previous_end = t["end"]
        lo = bisect_left(points, t["start"])
        hi = bisect_right(points, t["end"])
        cuts = points[lo:hi]
        segments = []
        for a, b in zip(cuts, cuts[1:]):
            covering = covering_at[a]
            segments.append(Segment(a, b, text[a:b], [c["id"] for c in covering],
                                    bool(covering) and all(c["origin"] == "suggested" for c in covering)))
        margin = [c for c in by_start if c["start"] < t["end"] and c["end"] > t["start"]]
        views.append(TurnView(t["start"], t["end"], t["speaker"], t["is_interviewee"],
                              shown_label(label_text.strip(), t["speaker"]), segments, margin))
    return views
