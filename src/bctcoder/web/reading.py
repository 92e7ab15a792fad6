"""The reading view's data: a transcript cut into segments that each carry the codings covering them.

Server-side, so the page works without JavaScript and renders fast: boundaries of all codings are sorted
once, and every run of text between two boundaries becomes one segment with the ids of its codings.
Offsets stay code points; each segment tells the browser where it starts, so a selection can be turned
back into code-point offsets exactly (emoji and combining marks included).
"""

from __future__ import annotations

from bisect import bisect_right
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


def build_turns(text: str, turns: list[dict[str, Any]], codings: list[dict[str, Any]]) -> list[TurnView]:
    """Turns (or the whole text as one turn when there are none) cut into coded segments."""
    if not turns:
        turns = [{"start": 0, "end": len(text), "speaker": "", "is_interviewee": True}]
    points = {0, len(text)}
    for c in codings:
        points.add(c["start"])
        points.add(c["end"])
    bounds = sorted(points)
    by_start = sorted(codings, key=lambda c: (c["start"], c["end"]))
    views = []
    previous_end = 0
    for t in turns:
        line_start = text.rfind("\n", 0, t["start"]) + 1
        label_text = text[max(line_start, previous_end):t["start"]]
        previous_end = t["end"]
        cuts = [t["start"]] + [b for b in bounds[bisect_right(bounds, t["start"]):] if b < t["end"]] + [t["end"]]
        segments = []
        for a, b in zip(cuts, cuts[1:]):
            if a == b:
                continue
            covering = [c for c in by_start if c["start"] < b and c["end"] > a]
            segments.append(Segment(a, b, text[a:b], [c["id"] for c in covering],
                                    bool(covering) and all(c["origin"] == "suggested" for c in covering)))
        margin = [c for c in by_start if c["start"] < t["end"] and c["end"] > t["start"]]
        views.append(TurnView(t["start"], t["end"], t["speaker"], t["is_interviewee"], label_text.strip(),
                              segments, margin))
    return views
