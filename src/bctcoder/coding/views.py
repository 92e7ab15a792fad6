"""What the workspace shows, read in a bounded number of statements whatever the project's size.

The document list and the reading view each cost a fixed handful of queries (joins and GROUP BYs, never a
query per document or per code), so a 500-transcript project opens as fast as the demo.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bctcoder.coding.service import coding_rows, require_document
from bctcoder.store.models import COUNTING_ORIGINS, Case, Code, CodeGroup, Coder, Coding, Document, Turn
from bctcoder.taxonomy.numbers import number_key
from bctcoder.taxonomy.service import normalise_label


def document_rows(session: Session) -> list[dict[str, Any]]:
    """One dict per document: name, case, role, format, characters, words, turns, codings (3 statements).

    ``codings`` counts the codings that count as evidence (manual, accepted, consensus), never pending or
    rejected suggestions; ``case`` and ``role`` are None for a document linked to no case."""
    turns = dict(session.execute(select(Turn.document_id, func.count()).group_by(Turn.document_id)).all())
    codings = dict(session.execute(select(Coding.document_id, func.count())
                                   .where(Coding.origin.in_(COUNTING_ORIGINS)).group_by(Coding.document_id)).all())
    stmt = (select(Document.id, Document.name, Document.text, Document.source_format, Document.layout,
                   Document.sha256, Case.key, Case.role, Document.fully_coded)
            .outerjoin(Case, Document.case_id == Case.id).order_by(Document.name))
    return [{"document": name, "case": _text_or_none(case), "role": _text_or_none(role), "format": fmt,
             "layout": layout, "characters": len(text), "words": len(text.split()), "turns": turns.get(doc_id, 0),
             "codings": codings.get(doc_id, 0), "sha256": sha, "fully_coded": bool(done)}
            for doc_id, name, text, fmt, layout, sha, case, role, done in session.execute(stmt)]


def _text_or_none(value: Any) -> str | None:
    """A key or role as text; None for none at all (also a NaN a driver or frame might hand back)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def document_names(session: Session) -> list[str]:
    """Document names in the order the workspace lists them."""
    return list(session.scalars(select(Document.name).order_by(Document.name)))


def pending_and_mine(session: Session, coder: str) -> tuple[dict[str, int], dict[str, int]]:
    """Per document: pending suggestions, and the codings of ``coder`` that count."""
    pending = dict(session.execute(select(Document.name, func.count(Coding.id)).join(Coding)
                                   .where(Coding.origin == "suggested").group_by(Document.name)).all())
    mine = dict(session.execute(select(Document.name, func.count(Coding.id)).join(Coding)
                                .join(Coder, Coding.coder_id == Coder.id)
                                .where(Coding.origin.in_(COUNTING_ORIGINS), Coder.name == coder)
                                .group_by(Document.name)).all())
    return pending, mine


def picker_codes(session: Session) -> list[dict[str, Any]]:
    """Every technique and inductive code for the technique picker, in taxonomy order (one statement)."""
    group = aliased(CodeGroup)
    rows = list(session.execute(select(Code.number, Code.label, Code.kind, Code.description, Code.cues,
                                       group.label).outerjoin(group, Code.group_id == group.id)).all())
    rows.sort(key=lambda r: (r[2] != "technique", number_key(r[0]), normalise_label(r[1])))
    return [{"id": number or label, "label": label, "group": group_label, "description": description or "",
             "cues": json.loads(cues) if cues else []}
            for number, label, _kind, description, cues, group_label in rows]


def reading_view(session: Session, name: str, visible_coders: list[str] | None) -> dict[str, Any]:
    """A transcript with its turns and the codings this reader may see (never rejected suggestions).

    ``visible_coders``: None for everyone's codings, else only these coders' codings plus the pending
    suggestions (blind mode)."""
    doc = require_document(session, name)
    turns = [{"start": t.start, "end": t.end, "speaker": t.speaker, "is_interviewee": t.is_interviewee,
              "timestamp": t.timestamp}
             for t in session.scalars(select(Turn).where(Turn.document_id == doc.id).order_by(Turn.start))]
    rows = [r for r in coding_rows(session, documents=[doc.name], known_texts={doc.id: doc.text})
            if r["origin"] != "rejected"]
    if visible_coders is not None:
        rows = [r for r in rows if r["coder"] in visible_coders or r["origin"] == "suggested"]
    return {"document": doc.name, "text": doc.text, "turns": turns, "codings": rows}
