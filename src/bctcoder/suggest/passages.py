"""Passages to suggest for: interviewee speaker turns split into sentences, or whole turns, or windows.

Every passage carries its *context*: the previous speaker turn (usually the interviewer's question, else the
participant's own previous turn), as ``"Interviewer: ..."`` / ``"Participant: ..."`` and cut to its last
:data:`~bctcoder.suggest.lexical.CONTEXT_CHARS` characters (:func:`format_context`). A coded span gets its
context the same way (:func:`span_contexts`), so a suggester is trained and asked with the same kind of text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.errors import InputError
from bctcoder.store.models import Case, Document, Turn
from bctcoder.suggest.lexical import CONTEXT_CHARS, tail

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
    context: str | None = None     # the previous turn (:func:`format_context`)


def format_context(text: str, interviewee: bool, limit: int = CONTEXT_CHARS) -> str | None:
    """The previous turn as a suggester's context: its speaker's role, then its last ``limit`` characters."""
    cut = tail(text, limit)
    if cut is None:
        return None
    return f"{'Participant' if interviewee else 'Interviewer'}: {cut}"


def context_at(text: str, turns: Sequence[Turn], starts: Sequence[int], position: int) -> str | None:
    """The context of a span starting at ``position``: the turn before the one it lies in (the last turn before
    it when it lies in none). ``turns`` = every turn of the document, in order; ``starts`` their starts."""
    i = bisect.bisect_right(starts, position) - 1     # the last turn starting at or before the span
    if i >= 0 and position < turns[i].end:
        i -= 1                                         # the span lies in turn i: its context is the one before
    if i < 0:
        return None
    return format_context(text[turns[i].start:turns[i].end], bool(turns[i].is_interviewee))


def span_contexts(session: Session, spans: Sequence[tuple[int, int]]) -> list[str | None]:
    """The context of each (document id, start) span, as :func:`passages` gives it to a passage there."""
    out: list[str | None] = []
    loaded: dict[int, tuple[str, list[Turn], list[int]]] = {}
    for doc_id, start in spans:
        if doc_id not in loaded:
            doc = session.get(Document, doc_id)
            turns = list(session.scalars(select(Turn).where(Turn.document_id == doc_id).order_by(Turn.start)))
            loaded[doc_id] = (doc.text if doc is not None else "", turns, [t.start for t in turns])
        text, turns, starts = loaded[doc_id]
        out.append(context_at(text, turns, starts, start))
    return out


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
        every = list(session.scalars(select(Turn).where(Turn.document_id == doc.id).order_by(Turn.start)))
        starts = [t.start for t in every]
        turns = [t for t in every if t.is_interviewee] if interviewee_only else every
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
        out.extend(Passage(doc.id, doc.name, a, b, doc.text[a:b], case, role,
                           context_at(doc.text, every, starts, a)) for a, b in spans)
    return out
