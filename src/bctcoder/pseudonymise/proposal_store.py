"""Proposed replacements in the project: stored after detection, reviewed by the owner, read back (#16).

A proposal is one mention of an identifier (its span in a transcript, the text, its category) and the
bracketed replacement proposed for the entity it names. Detecting again keeps every decision already taken
on the same span (and an edited replacement), drops pending proposals that are no longer found, and adds the
new ones. Editing the replacement of one mention renames the whole entity, so the same person stays the same
"[Participant 3]" in every transcript.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bctcoder.errors import InputError, NotFoundError
from bctcoder.store.models import PSEUDONYM_DECISIONS, Attribute, Case, CaseValue, Document, PseudonymProposal, utcnow

DECISION_WORDS = {"accept": "accepted", "accepted": "accepted", "reject": "rejected", "rejected": "rejected",
                  "pending": "pending", "edit": "accepted"}
"""What a reviewer may write (CLI, CSV, web) and the decision it records; ``edit`` accepts a new replacement."""
MAX_REPLACEMENT_CHARS = 200
MAX_PAGE = 500

PEOPLE_ATTRIBUTES = frozenset({"name", "full name", "first name", "participant name", "staff name", "pw name",
                               "peer worker name", "nickname", "known as"})
PLACE_ATTRIBUTES = frozenset({"site", "location", "place", "town", "city", "area", "locality", "borough"})
ORGANISATION_ATTRIBUTES = frozenset({"organisation", "organization", "service", "trust", "hospital", "team",
                                     "provider", "charity"})


def identifier_kind(attribute: str) -> str | None:
    """Whether a case attribute holds people's names, places or organisations (``"people"``, ``"places"``,
    ``"organisations"``), by its name (case, spaces and underscores ignored); None for any other attribute."""
    key = " ".join(attribute.replace("_", " ").casefold().split())
    for kind, names in (("people", PEOPLE_ATTRIBUTES), ("places", PLACE_ATTRIBUTES),
                        ("organisations", ORGANISATION_ATTRIBUTES)):
        if key in names:
            return kind
    return None


def case_identifiers(session: Session) -> dict[str, list[Any]]:
    """Names, places and organisations the cases themselves record (attributes such as ``name``, ``site``,
    ``organisation``): the study's own lists, which catch what a general model misses. People come with their
    case key (a participant's name is replaced by their study identifier, ``[SP3]``)."""
    found: dict[str, dict[str, str | None]] = {"people": {}, "places": {}, "organisations": {}}
    rows = session.execute(select(Attribute.name, CaseValue.value, Case.key).join(
        CaseValue, CaseValue.attribute_id == Attribute.id).join(Case, CaseValue.case_id == Case.id).where(
        CaseValue.status == "value"))
    for attribute, value, case_key in rows:
        kind = identifier_kind(str(attribute))
        text = str(value or "").strip()
        if kind is None or not text or len(text) > 200:
            continue
        found[kind].setdefault(text, case_key if kind == "people" else None)
    return {"people": sorted(found["people"].items()), "places": sorted(found["places"]),
            "organisations": sorted(found["organisations"])}


def document_texts(session: Session) -> dict[str, str]:
    """Every transcript's text by document name, in name order (the order replacements are numbered in)."""
    return dict(session.execute(select(Document.name, Document.text).order_by(Document.name)).all())


def replace_proposals(session: Session, proposals: Iterable[Any], *, user: str) -> dict[str, Any]:
    """Store freshly detected ``proposals`` (objects with document, start, end, text, category, score,
    source, replacement, entity), keeping the decisions already taken on the same spans."""
    ids = dict(session.execute(select(Document.name, Document.id)).all())
    kept = {(p.document_id, p.start, p.end): p for p in session.scalars(select(PseudonymProposal))}
    seen: set[tuple[int, int, int]] = set()
    added = 0
    for proposal in proposals:
        key = (ids[proposal.document], proposal.start, proposal.end)
        seen.add(key)
        row = kept.get(key)
        if row is not None and row.decision != "pending":
            continue
        if row is None:
            row = PseudonymProposal(document_id=key[0], start=proposal.start, end=proposal.end)
            session.add(row)
            added += 1
        row.original, row.category = proposal.text, proposal.category
        row.replacement, row.entity = proposal.replacement[:MAX_REPLACEMENT_CHARS], proposal.entity[:300]
        row.score, row.source, row.decision = float(proposal.score), str(proposal.source)[:100], "pending"
    dropped = [k for k, row in kept.items() if k not in seen and row.decision == "pending"]
    for key in dropped:
        session.delete(kept[key])
    session.flush()
    return {"found": len(seen), "new": added, "dropped": len(dropped), **summary(session)}


def summary(session: Session) -> dict[str, Any]:
    """Counts of proposals by decision and by category."""
    decisions = dict(session.execute(select(PseudonymProposal.decision, func.count()).group_by(
        PseudonymProposal.decision)).all())
    categories = dict(session.execute(select(PseudonymProposal.category, func.count()).group_by(
        PseudonymProposal.category)).all())
    entities = session.scalar(select(func.count(func.distinct(PseudonymProposal.entity)))) or 0
    return {"decisions": {d: decisions.get(d, 0) for d in PSEUDONYM_DECISIONS},
            "categories": dict(sorted(categories.items())), "entities": entities}


def _row(p: PseudonymProposal, document: str, text: str, context: int) -> dict[str, Any]:
    return {"id": p.id, "document": document, "start": p.start, "end": p.end, "category": p.category,
            "original": p.original, "replacement": p.replacement, "entity": p.entity, "decision": p.decision,
            "score": round(p.score, 3), "source": p.source, "decided_by": p.decided_by,
            "before": text[max(0, p.start - context):p.start].split("\n")[-1],
            "after": text[p.end:p.end + context].split("\n")[0]}


def proposal_page(session: Session, *, decision: str | None = None, category: str | None = None,
                  document: str | None = None, offset: int = 0, limit: int | None = 100,
                  context: int = 60) -> dict[str, Any]:
    """One page of proposals (document order) with a little context either side, and the total."""
    if decision is not None and decision not in PSEUDONYM_DECISIONS:
        raise InputError(f"decision must be one of {', '.join(PSEUDONYM_DECISIONS)}, not {decision!r}",
                         source="decision")
    query = select(PseudonymProposal, Document.name).join(Document, PseudonymProposal.document_id == Document.id)
    if decision is not None:
        query = query.where(PseudonymProposal.decision == decision)
    if category is not None:
        query = query.where(PseudonymProposal.category == category.upper())
    if document is not None:
        query = query.where(Document.name == document)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(Document.name, PseudonymProposal.start).offset(max(0, offset))
    if limit is not None:
        query = query.limit(max(1, min(limit, MAX_PAGE)))
    texts: dict[str, str] = {}
    rows = []
    for p, name in session.execute(query):
        if name not in texts:
            texts[name] = session.scalar(select(Document.text).where(Document.name == name)) or ""
        rows.append(_row(p, name, texts[name], context))
    return {"total": total, "offset": offset, "rows": rows, **summary(session)}


def decide(session: Session, decisions: Sequence[tuple[int, str, str | None]], *, user: str) -> dict[str, Any]:
    """Record ``(id, decision, replacement)`` decisions: accept, reject, pending, or edit (accept with a new
    replacement, which the entity's other mentions take too unless they were edited themselves)."""
    counts: Counter[str] = Counter()
    renamed = 0
    for proposal_id, word, replacement in decisions:
        decision = DECISION_WORDS.get(str(word).strip().casefold())
        if decision is None:
            raise InputError(f"decision must be accept, reject, edit or pending, not {word!r}",
                             source=f"proposal {proposal_id}")
        row = session.get(PseudonymProposal, int(proposal_id))
        if row is None:
            raise NotFoundError(f"no proposal {proposal_id} in the project (detect again to renumber?)")
        new = (replacement or "").strip()
        if word.strip().casefold() == "edit" and not new:
            raise InputError("an edit needs the new replacement text", source=f"proposal {proposal_id}")
        if len(new) > MAX_REPLACEMENT_CHARS or "\n" in new:
            raise InputError(f"a replacement has at most {MAX_REPLACEMENT_CHARS} characters on one line",
                             source=f"proposal {proposal_id}")
        if new and new != row.replacement:
            old = row.replacement
            for other in session.scalars(select(PseudonymProposal).where(
                    PseudonymProposal.entity == row.entity, PseudonymProposal.replacement == old)):
                other.replacement = new
                renamed += 1
        row.decision, row.decided_by, row.decided_at = decision, user, utcnow()
        counts[decision] += 1
    session.flush()
    return {"decided": dict(counts), "renamed": renamed, **summary(session)}


def decide_where(session: Session, decision: str, *, user: str, category: str | None = None,
                 only_pending: bool = True) -> dict[str, Any]:
    """One decision for many proposals at once (all pending ones, or those of one category)."""
    word = DECISION_WORDS.get(decision.strip().casefold())
    if word is None or decision.strip().casefold() == "edit":
        raise InputError(f"decision must be accept, reject or pending, not {decision!r}", source="decision")
    query = select(PseudonymProposal.id)
    if only_pending:
        query = query.where(PseudonymProposal.decision == "pending")
    if category is not None:
        query = query.where(PseudonymProposal.category == category.upper())
    ids = list(session.scalars(query))
    return decide(session, [(i, word, None) for i in ids], user=user)


def accepted_replacements(session: Session) -> dict[str, list[dict[str, Any]]]:
    """The accepted proposals by document name, in text order: what applying will replace."""
    rows = session.execute(select(Document.name, PseudonymProposal).join(
        Document, PseudonymProposal.document_id == Document.id).where(
        PseudonymProposal.decision == "accepted").order_by(Document.name, PseudonymProposal.start))
    out: dict[str, list[dict[str, Any]]] = {}
    for name, p in rows:
        out.setdefault(name, []).append({"id": p.id, "start": p.start, "end": p.end, "original": p.original,
                                         "replacement": p.replacement, "category": p.category})
    return out


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PseudonymProposal).where(
        PseudonymProposal.decision == "pending")) or 0


def clear(session: Session) -> None:
    """Remove every proposal (the pseudonymised copy keeps none: they hold the identifiers)."""
    session.execute(delete(PseudonymProposal))
