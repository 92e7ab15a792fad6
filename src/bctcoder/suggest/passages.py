"""Passages to suggest for: interviewee speaker turns split into sentences, or whole turns, or windows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.errors import InputError
from bctcoder.store.models import Case, Document, Turn

MODES = ("sentence", "turn", "window")
_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+[\"'’”)\]]*|$)")
MIN_WORDS = 4


@dataclass(frozen=True)
class Passage:
    """A span of a document to suggest techniques for (offsets in code points)."""

    document_id: int
    document: str
    start: int
    end: int
    text: str
    case: str | None
    role: str | None


def sentence_spans(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans in ``text`` (shifted by ``base``); fragments shorter than 4 words join a neighbour."""
    spans = []
    for m in _SENTENCE.finditer(text):
        a, b = m.start(), m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append([a, b])
    merged: list[list[int]] = []
    for span in spans:
        if merged and len(text[merged[-1][0]:merged[-1][1]].split()) < MIN_WORDS:
            merged[-1][1] = span[1]
        else:
            merged.append(span)
    if len(merged) > 1 and len(text[merged[-1][0]:merged[-1][1]].split()) < MIN_WORDS:
        merged[-2][1] = merged[-1][1]
        merged.pop()
    return [(a + base, b + base) for a, b in merged]


def passages(session: Session, *, documents: Iterable[str] | None = None, mode: str = "sentence",
             window: int = 3, interviewee_only: bool = True) -> list[Passage]:
    """Passages of the chosen documents (all by default): sentences, whole turns or sliding windows."""
    if mode not in MODES:
        raise InputError(f"passage mode must be one of {', '.join(MODES)}, not {mode!r}", source="--passages")
    stmt = select(Document).order_by(Document.name)
    if documents:
        names = list(documents)
        stmt = stmt.where(Document.name.in_(names))
        found = set(session.scalars(select(Document.name).where(Document.name.in_(names))))
        missing = [n for n in names if n not in found]
        if missing:
            raise InputError(f"no document {missing[0]!r} in the project", source="--documents")
    out: list[Passage] = []
    cases: dict[int | None, tuple[str | None, str | None]] = {
        cid: (key, role) for cid, key, role in session.execute(select(Case.id, Case.key, Case.role))}
    for doc in session.scalars(stmt):
        case, role = cases.get(doc.case_id, (None, None))
        turns = session.scalars(select(Turn).where(Turn.document_id == doc.id).order_by(Turn.start)).all()
        if interviewee_only:
            turns = [t for t in turns if t.is_interviewee]
        spans: list[tuple[int, int]] = []
        for t in turns:
            if mode == "turn":
                spans.append((t.start, t.end))
                continue
            sentences = sentence_spans(doc.text[t.start:t.end], t.start)
            if mode == "sentence":
                spans.extend(sentences)
            else:
                step = max(1, window - 1)
                for i in range(0, max(1, len(sentences) - window + 1), step):
                    chunk = sentences[i:i + window]
                    spans.append((chunk[0][0], chunk[-1][1]))
        out.extend(Passage(doc.id, doc.name, a, b, doc.text[a:b], case, role) for a, b in spans)
    return out
