"""Reconciling blind double coding: list disagreements, record decisions as a ``consensus`` coder.

A disagreement is a (document, technique) where the two coders differ: one
used the technique and the other did not (``presence``), or both did on
different passages (``span``). A decision copies the chosen coder's passages
(``first``, ``second`` or ``both``) into codings of the consensus coder with
origin ``consensus``, or records that the technique is absent (``none``). The
original codings are never changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, load_evidence, techniques_frame
from bctcoder.coding.events import EventType, log_event
from bctcoder.coding.service import get_coder
from bctcoder.errors import InputError
from bctcoder.participants.csvfile import find_column, read_csv_rows
from bctcoder.store.models import CONSENSUS_CODER, COUNTING_ORIGINS, Code, Coder, Coding, Document, Event, Presence
from bctcoder.taxonomy.service import require_code

CONSENSUS = CONSENSUS_CODER
DECISIONS = ("first", "second", "both", "none")


def _resolved(session: Session, consensus_id: int | None) -> set[tuple[str, int]]:
    """(document, code_id) pairs that already have a consensus decision."""
    if consensus_id is None:
        return set()
    done: set[tuple[str, int]] = {(name, code_id) for name, code_id in session.execute(
        select(Document.name, Coding.code_id).join(Document, Coding.document_id == Document.id)
        .where(Coding.coder_id == consensus_id))}
    done |= {(target, code_id) for target, code_id in session.execute(select(Presence.target, Presence.code_id).where(
        Presence.coder_id == consensus_id, Presence.scope == "document"))}
    return done


def disagreements(session: Session, first: str, second: str, *, scope: Scope = Scope(),
                  include_resolved: bool = False, consensus: str = CONSENSUS) -> list[dict[str, Any]]:
    """Every (document, technique) on which the two coders differ, with each coder's passages and quotes."""
    evidence = load_evidence(session, Scope(coders=(first, second), case_set=scope.case_set),
                             kinds=("technique", "inductive"))
    docs = set(evidence.loc[evidence["coder"] == first, "document"]) & set(
        evidence.loc[evidence["coder"] == second, "document"])
    evidence = evidence[evidence["document"].isin(docs)]
    cons = session.scalar(select(Coder.id).where(Coder.name == consensus))
    resolved = _resolved(session, cons)
    tech = techniques_frame(session).set_index("code_id")
    texts = dict(session.execute(select(Document.name, Document.text).where(Document.name.in_(docs))).all())
    memos = dict(session.execute(select(Coding.id, Coding.memo).where(
        Coding.id.in_([int(i) for i in evidence["coding_id"]]), Coding.memo.is_not(None))).all())
    decided = _decisions(session) if include_resolved else {}
    out = []
    for (doc, code_id), part in evidence.groupby(["document", "code_id"], sort=True):
        passages = {who: sorted(zip(part.loc[part["coder"] == who, "start"], part.loc[part["coder"] == who, "end"],
                                    part.loc[part["coder"] == who, "coding_id"])) for who in (first, second)}
        a = [(s, e) for s, e, _ in passages[first]]
        b = [(s, e) for s, e, _ in passages[second]]
        if a == b:
            continue
        kind = "span" if a and b else "presence"
        done = (doc, code_id) in resolved
        if done and not include_resolved:
            continue
        code = session.get(Code, int(code_id))
        assert code is not None  # the evidence rows refer to existing codes
        out.append({
            "document": doc, "code": code.number or code.label, "label": code.label,
            "group_id": tech["group_id"].get(code_id) if code_id in tech.index else None,
            "kind": kind, "resolved": done,
            "decided": decided.get((doc, code.number or code.label)) if done else None,
            **{who: [{"start": int(s), "end": int(e), "quote": texts[doc][s:e], "memo": memos.get(int(cid))}
                     for s, e, cid in passages[who]] for who in (first, second)},
        })
    return out


def _decisions(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest decision per (document, code) from the event log: decision, who and when."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for at, user, payload in session.execute(select(Event.at, Event.user, Event.payload).where(
            Event.action == EventType.RECONCILE_DECIDE).order_by(Event.id)):
        data = json.loads(payload)
        found[(data.get("document"), data.get("code"))] = {
            "decision": data.get("decision"), "by": user, "at": at.isoformat(timespec="seconds")}
    return found


def decide(session: Session, user: str, first: str, second: str, document: str, code: str, decision: str, *,
           consensus: str = CONSENSUS, memo: str | None = None) -> dict[str, Any]:
    """Record one decision as consensus codings (or a consensus absence record)."""
    decision = decision.strip().lower()
    aliases = {first.lower(): "first", second.lower(): "second", "a": "first", "b": "second", "absent": "none",
               "neither": "none"}
    decision = aliases.get(decision, decision)
    if decision not in DECISIONS:
        raise InputError(f"decision {decision!r} must be {first}, {second}, both or none", source="decision")
    doc = session.scalar(select(Document).where(Document.name == document))
    if doc is None:
        raise InputError(f"unknown document {document!r}", source="decision")
    code_row = require_code(session, code)
    cons = get_coder(session, consensus)
    chosen = {"first": [first], "second": [second], "both": [first, second], "none": []}[decision]
    spans = set()
    for name in chosen:
        coder = session.scalar(select(Coder).where(Coder.name == name))
        if coder is None:
            raise InputError(f"no coder {name!r}", source="--coders")
        for c in session.scalars(select(Coding).where(Coding.document_id == doc.id, Coding.code_id == code_row.id,
                                                      Coding.coder_id == coder.id,
                                                      Coding.origin.in_(COUNTING_ORIGINS))):
            spans.add((c.start, c.end, c.exemplar))
    # replace any earlier decision on the same (document, code)
    for old in session.scalars(select(Coding).where(Coding.document_id == doc.id, Coding.code_id == code_row.id,
                                                    Coding.coder_id == cons.id)):
        session.delete(old)
    for old_presence in session.scalars(select(Presence).where(
            Presence.code_id == code_row.id, Presence.scope == "document", Presence.target == doc.name,
            Presence.coder_id == cons.id)):
        session.delete(old_presence)
    session.flush()
    made = [Coding(document_id=doc.id, start=start, end=end, code_id=code_row.id, coder_id=cons.id,
                   origin="consensus", memo=memo, exemplar=exemplar) for start, end, exemplar in sorted(spans)]
    session.add_all(made)
    if not spans:
        session.add(Presence(code_id=code_row.id, scope="document", target=doc.name, coder_id=cons.id,
                             present=False, source=f"reconcile {first}/{second}"))
    session.flush()
    log_event(session, user, EventType.RECONCILE_DECIDE, document=document,
              code=code_row.number or code_row.label, decision=decision,
              coders=[first, second], spans=len(spans), codings=[c.id for c in made])
    return {"document": document, "code": code, "decision": decision, "consensus_codings": len(spans)}


def apply_decisions(session: Session, user: str, first: str, second: str, path: str | Path, *,
                    consensus: str = CONSENSUS, keep_agreements: bool = True) -> dict[str, Any]:
    """Apply a decisions CSV (columns document, code, decision[, memo]); blank decisions are skipped.

    ``keep_agreements`` (the default) also copies every passage both coders coded identically into the
    consensus, so the consensus is the agreements plus the decisions, not the decisions alone."""
    source = str(path)
    header, rows = read_csv_rows(path)
    cols = {k: find_column(header, names) for k, names in
            {"document": ("document",), "code": ("code",), "decision": ("decision",), "memo": ("memo",)}.items()}
    missing = [k for k in ("document", "code", "decision") if cols[k] is None]
    if missing:
        raise InputError(f"no {missing[0]!r} column", source=source, line=1)
    doc_col, code_col, decision_col, memo_col = cols["document"], cols["code"], cols["decision"], cols["memo"]
    assert doc_col is not None and code_col is not None and decision_col is not None  # checked just above
    applied, skipped = [], 0
    for line, row in rows:
        if not row[decision_col].strip():
            skipped += 1
            continue
        try:
            applied.append(decide(session, user, first, second, row[doc_col], row[code_col],
                                  row[decision_col], consensus=consensus,
                                  memo=row.get(memo_col) if memo_col else None))
        except InputError as exc:
            raise InputError(exc.reason, source=source, line=line) from None
    kept = accept_agreements(session, user, first, second, consensus=consensus)["added"] if keep_agreements else 0
    return {"applied": len(applied), "skipped": skipped, "agreements_kept": kept, "decisions": applied}


def accept_agreements(session: Session, user: str, first: str, second: str, *,
                      consensus: str = CONSENSUS) -> dict[str, Any]:
    """Copy passages both coders coded identically (same code, same span) into the consensus coder."""
    evidence = load_evidence(session, Scope(coders=(first, second)), kinds=("technique", "inductive"))
    keys = evidence.groupby(["document_id", "code_id", "start", "end"])["coder"].nunique()
    same = keys[keys == 2].index
    cons = get_coder(session, consensus)
    existing = set(session.execute(select(Coding.document_id, Coding.code_id, Coding.start, Coding.end)
                                   .where(Coding.coder_id == cons.id)).all())
    made = []
    for doc_id, code_id, start, end in same:
        key = (int(doc_id), int(code_id), int(start), int(end))
        if key in existing:
            continue
        made.append(Coding(document_id=key[0], code_id=key[1], start=key[2], end=key[3], coder_id=cons.id,
                           origin="consensus"))
    session.add_all(made)
    session.flush()
    log_event(session, user, EventType.RECONCILE_ACCEPT_AGREEMENTS, coders=[first, second], added=len(made),
              codings=[c.id for c in made])
    return {"added": len(made)}
