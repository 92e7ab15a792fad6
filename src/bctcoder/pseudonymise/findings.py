"""What detection finds and what replacement proposes: plain frozen records, and overlap resolution.

Offsets are Unicode code-point offsets into the document's text (Python ``str`` indices): ``text[start:end]``
is the finding's ``text``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One identifier found in one document.

    ``score`` is the recogniser's confidence (0–1); ``source`` names the recogniser ("spacy", "study-list",
    "pattern:postcode", ...), for the reviewer and for debugging."""

    document: str
    start: int
    end: int
    text: str
    category: str
    score: float
    source: str


@dataclass(frozen=True)
class Proposal:
    """A finding with the replacement proposed for it.

    ``entity`` groups mentions of the same thing across the whole project ("person:sarah whitfield");
    ``id`` is the caller's (a database row's) identifier, None until stored."""

    document: str
    start: int
    end: int
    text: str
    category: str
    score: float
    source: str
    replacement: str
    entity: str
    id: int | None = None

    @property
    def finding(self) -> Finding:
        """The finding this proposal replaces."""
        return Finding(self.document, self.start, self.end, self.text, self.category, self.score, self.source)


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Findings with no two overlapping in the same document, sorted by (document order, start).

    Where findings overlap, the longest span wins, then the higher score (then the earlier start), so an
    organisation that contains a place ("Leeds General Infirmary") stays one organisation. Exact duplicates
    collapse to one. Documents keep the order in which they first appear in ``findings``."""
    by_document: dict[str, list[Finding]] = {}
    for finding in findings:
        by_document.setdefault(finding.document, []).append(finding)
    resolved: list[Finding] = []
    for items in by_document.values():
        ranked = sorted(items, key=lambda f: (-(f.end - f.start), -f.score, f.start, f.category))
        kept: list[Finding] = []   # sorted by start, never overlapping
        starts: list[int] = []
        for candidate in ranked:
            at = bisect.bisect_left(starts, candidate.start)
            if at > 0 and kept[at - 1].end > candidate.start:
                continue
            if at < len(kept) and kept[at].start < candidate.end:
                continue
            kept.insert(at, candidate)
            starts.insert(at, candidate.start)
        resolved.extend(kept)
    return resolved
