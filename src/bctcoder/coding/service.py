"""Codings: add, change, delete and list them; every change goes into the event log."""

from __future__ import annotations

import json
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.access.roles import Action, Actor
from bctcoder.coding.events import UNDOABLE, EventType, log_event
from bctcoder.errors import ConflictError, InputError, LimitError, NotFoundError, TaxonomyError
from bctcoder.store.models import ORIGINS, Case, Code, Coder, Coding, Document, Event, utcnow
from bctcoder.taxonomy.service import require_code


def get_coder(session: Session, name: str, *, create: bool = True) -> Coder:
    """The coder with this name, created on first use."""
    name = (name or "").strip()
    if not name:
        raise InputError("a coder name is required", source="coder")
    coder = session.scalar(select(Coder).where(Coder.name == name))
    if coder is None:
        if not create:
            raise NotFoundError(f"no coder {name!r} in the project")
        coder = Coder(name=name)
        session.add(coder)
        session.flush()
    return coder


def require_document(session: Session, ref: str | int) -> Document:
    """A document by name (or numeric id)."""
    doc = None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        doc = session.get(Document, int(ref))
    if doc is None:
        doc = session.scalar(select(Document).where(Document.name == str(ref)))
    if doc is None:
        raise NotFoundError(f"no document {ref!r} in the project")
    return doc


def check_span(doc: Document, start: int, end: int, source: str = "coding", line: int | None = None) -> None:
    """Offsets must satisfy 0 <= start < end <= len(text)."""
    if not (0 <= start < end <= len(doc.text)):
        raise InputError(
            f"offsets {start}-{end} are outside document {doc.name!r} (0-{len(doc.text)})", source=source, line=line
        )


def check_origin_confidence(origin: str, confidence: float | None, source: str = "coding",
                            line: int | None = None) -> None:
    """Reject unknown origins and confidences outside [0, 1]."""
    if origin not in ORIGINS:
        raise InputError(f"unknown origin {origin!r} (one of {', '.join(ORIGINS)})", source=source, line=line)
    if confidence is not None and not (0.0 <= confidence <= 1.0):
        raise InputError(f"confidence {confidence} is outside 0-1", source=source, line=line)


MAX_MEMO = 10_000   # characters in a memo on a coding (a long analytic note, not a document)


def check_memo(memo: str | None, source: str = "memo", line: int | None = None) -> None:
    """Memos are bounded: a 200 MB "memo" would bloat the project and every page that shows it."""
    if memo is not None and len(memo) > MAX_MEMO:
        raise LimitError(f"a memo has at most {MAX_MEMO:,} characters (this one has {len(memo):,})",
                         source=source, line=line)


def add_coding(session: Session, user: str, *, document: str | int, start: int, end: int, code: str,
               coder: str, origin: str = "manual", confidence: float | None = None, memo: str | None = None,
               exemplar: bool = False, model: str | None = None) -> Coding:
    """Code ``document.text[start:end]`` with ``code`` for ``coder``; returns the new coding."""
    doc = require_document(session, document)
    check_span(doc, start, end)
    check_origin_confidence(origin, confidence)
    check_memo(memo)
    code_row = require_code(session, code)
    coder_row = get_coder(session, coder)
    coding = Coding(document_id=doc.id, start=start, end=end, code_id=code_row.id, coder_id=coder_row.id,
                    origin=origin, confidence=confidence, memo=memo or None, exemplar=bool(exemplar), model=model)
    session.add(coding)
    session.flush()
    log_event(session, user, EventType.CODING_ADD, coding=coding.id, version=coding.version, document=doc.name,
              start=start, end=end, code=code_label(code_row), coder=coder_row.name, origin=origin)
    return coding


_EDITABLE = {"start", "end", "code", "origin", "confidence", "memo", "exemplar", "coder"}
_OWNER_ONLY = {"origin", "confidence", "coder"}   # who a coding belongs to and how it counts


def editable_coding(session: Session, actor: Actor, coding_id: int) -> Coding:
    """The coding, if this actor may change it: their own, a pending suggestion they may review, or any
    coding for whoever may edit any. Otherwise the same "no coding" answer as for a missing id, so ids of
    other coders' codings cannot be probed."""
    coding = session.get(Coding, coding_id)
    if coding is not None:
        if actor.can(Action.EDIT_ANY_CODING) or coding.coder.name == actor.name:
            return coding
        if coding.origin == "suggested" and actor.can(Action.REVIEW_SUGGESTIONS):
            return coding
    raise NotFoundError(f"no coding {coding_id} that you can change")


def update_coding(session: Session, actor: Actor, coding_id: int, *, expected_version: int | None = None,
                  **changes: Any) -> Coding:
    """Change fields of a coding (span, code, memo, exemplar; origin, confidence and coder need the right to
    edit any coding). With ``expected_version`` (the version the editor opened), a coding someone changed
    since is not overwritten: ConflictError carries both versions."""
    coding = editable_coding(session, actor, coding_id)
    if expected_version is not None and coding.version != expected_version:
        current = coding_dict(session, coding)
        raise ConflictError(
            f"coding {coding_id} was changed since you opened it (it is now version {coding.version}, you had "
            f"version {expected_version}); nothing was saved: look at both versions and save again",
            current=current, yours={k: v for k, v in changes.items()})
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise InputError(f"cannot change {', '.join(sorted(unknown))} of a coding", source="coding")
    if set(changes) & _OWNER_ONLY:
        actor.require(Action.EDIT_ANY_CODING)
    if "memo" in changes:
        check_memo(changes["memo"])
    before = coding_dict(session, coding)
    if "code" in changes:
        coding.code_id = require_code(session, changes.pop("code")).id
    if "coder" in changes:
        coding.coder_id = get_coder(session, changes.pop("coder")).id
    for key, value in changes.items():
        setattr(coding, key, value)
    doc = session.get(Document, coding.document_id)
    assert doc is not None  # the foreign key guarantees it
    check_span(doc, coding.start, coding.end)
    check_origin_confidence(coding.origin, coding.confidence)
    coding.updated_at = utcnow()
    session.flush()
    session.refresh(coding)
    after = coding_dict(session, coding)
    changed = {k: [before[k], after[k]] for k in after
               if before.get(k) != after[k] and k not in ("updated_at", "version", "quote")}
    log_event(session, actor.name, EventType.CODING_UPDATE, coding=coding.id, version=coding.version,
              changes=changed)
    return coding


def delete_coding(session: Session, actor: Actor, coding_id: int) -> None:
    """Delete a coding, keeping a copy of it in the event log."""
    coding = editable_coding(session, actor, coding_id)
    was = coding_dict(session, coding)   # the quote is kept for the audit trail (bounded like every string)
    log_event(session, actor.name, EventType.CODING_DELETE, coding=coding_id, was=was)
    session.delete(coding)
    session.flush()


def change_suggestion(session: Session, actor: Actor, coding_id: int, code: str) -> Coding:
    """Accept a pending suggestion under another code, in one step (nothing changes if the code is unknown)."""
    actor.require(Action.REVIEW_SUGGESTIONS)
    code_row = require_code(session, code)   # checked before anything is written
    coding = session.get(Coding, coding_id)
    if coding is None or coding.origin != "suggested":
        raise NotFoundError(f"coding {coding_id} is not a pending suggestion")
    was = code_label(coding.code)
    coding.code = code_row
    coding.origin = "accepted"
    coding.coder = get_coder(session, actor.name)
    coding.updated_at = utcnow()
    session.flush()
    log_event(session, actor.name, EventType.SUGGEST_CHANGE, coding=coding.id, version=coding.version,
              suggested=was, code=code_label(code_row))
    return coding


def code_label(code: Code) -> str:
    """"3.1 Social support (unspecified)" for techniques, the label for inductive codes."""
    return f"{code.number} {code.label}" if code.number else code.label


def coding_dict(session: Session, c: Coding) -> dict[str, Any]:
    """A coding as a plain dict, with its quote and its case."""
    doc = c.document
    case = session.get(Case, doc.case_id) if doc.case_id else None
    code = c.code
    return {
        "id": c.id,
        "document": doc.name,
        "case": case.key if case else None,
        "role": case.role if case else None,
        "code": code.number or code.label,
        "code_label": code.label,
        "kind": code.kind,
        "coder": c.coder.name,
        "origin": c.origin,
        "confidence": c.confidence,
        "model": c.model,
        "start": c.start,
        "end": c.end,
        "quote": doc.text[c.start:c.end],
        "memo": c.memo,
        "exemplar": bool(c.exemplar),
        "version": c.version,
        "created_at": c.created_at.isoformat(timespec="seconds") if c.created_at else None,
        "updated_at": c.updated_at.isoformat(timespec="seconds") if c.updated_at else None,
    }


def coding_rows(session: Session, *, coders: Iterable[str] | None = None, origins: Iterable[str] | None = None,
                documents: Iterable[str] | None = None, codes: Iterable[str] | None = None,
                known_texts: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """Codings as plain dicts, filtered by coder names, origins, document names, code numbers/labels.

    ``known_texts`` (document id → text) spares reading again the texts the caller already holds.

    One joined query, then one for the texts of the documents the quotes are cut from.
    """
    stmt = (select(Coding.id, Document.id, Document.name, Case.key, Case.role, Code.number, Code.label, Code.kind,
                   Coder.name, Coding.origin, Coding.confidence, Coding.model, Coding.start, Coding.end, Coding.memo,
                   Coding.exemplar, Coding.created_at, Coding.updated_at, Coding.version)
            .join(Document, Coding.document_id == Document.id).outerjoin(Case, Document.case_id == Case.id)
            .join(Code, Coding.code_id == Code.id).join(Coder, Coding.coder_id == Coder.id)
            .order_by(Document.name, Coding.start, Coding.end, Coding.id))
    if coders is not None:
        stmt = stmt.where(Coder.name.in_(list(coders)))
    if origins is not None:
        stmt = stmt.where(Coding.origin.in_(list(origins)))
    if documents is not None:
        stmt = stmt.where(Document.name.in_(list(documents)))
    if codes is not None:
        ids = [require_code(session, c).id for c in codes]
        stmt = stmt.where(Coding.code_id.in_(ids))
    found = session.execute(stmt).all()
    texts: dict[int, str] = dict(known_texts or {})
    doc_ids = sorted({row[1] for row in found} - set(texts))
    if doc_ids:   # one more query for all the texts the quotes are cut from
        texts = {i: t for i, t in session.execute(select(Document.id, Document.text).where(Document.id.in_(doc_ids)))}
    out = []
    for (cid, doc_id, doc_name, case, role, number, label, kind, coder, origin, confidence, model, start, end, memo,
         exemplar, created, updated, version) in found:
        out.append({
            "id": cid, "document": doc_name, "case": case, "role": role, "code": number or label,
            "code_label": label, "kind": kind, "coder": coder, "origin": origin, "confidence": confidence,
            "model": model, "start": start, "end": end, "quote": texts[doc_id][start:end], "memo": memo,
            "exemplar": bool(exemplar), "version": version,
            "created_at": created.isoformat(timespec="seconds") if created else None,
            "updated_at": updated.isoformat(timespec="seconds") if updated else None,
        })
    return out


def undo_last(session: Session, actor: Actor) -> dict[str, Any]:
    """Undo the actor's own latest coding change (add, update or delete) that has not been undone yet.

    Only when nobody has touched that coding since: its row version must still be the one the change (or
    the actor's own later undo) left. Otherwise :class:`ConflictError`, and nothing changes."""
    actor.require(Action.CODE)
    own = list(session.scalars(select(Event).where(
        Event.user == actor.name, Event.action.in_([*UNDOABLE, EventType.UNDO])).order_by(Event.id.desc())))
    payloads = {e.id: json.loads(e.payload) for e in own}
    undone = {payloads[e.id].get("event") for e in own if e.action == EventType.UNDO}
    target = next((e for e in own if e.action != EventType.UNDO and e.id not in undone), None)
    if target is None:
        raise NotFoundError("nothing to undo")
    payload = payloads[target.id]
    coding_id = int(payload["coding"])
    latest_own = next(e for e in own if e.id >= target.id and payloads[e.id].get("coding") == coding_id
                      and (e.id == target.id or e.action == EventType.UNDO))
    latest = payloads[latest_own.id]
    expected = None if latest_own.action == EventType.CODING_DELETE else latest.get("version", "unknown")
    what = _describe(target.action, payload)
    current = session.get(Coding, coding_id)
    if expected == "unknown":
        raise ConflictError(f"your last change ({what}) was made before this version of bctcoder recorded "
                            "row versions, so it cannot be undone safely; change the coding by hand")
    if target.action == EventType.CODING_DELETE:
        if current is not None:
            raise ConflictError(f"cannot undo ({what}): coding {coding_id} exists again")
        current = _restore(session, coding_id, payload["was"], what)
    elif current is None or current.version != expected:
        whom = "deleted" if current is None else "changed"
        raise ConflictError(f"cannot undo your last change ({what}): someone else has {whom} that coding since; "
                            "nothing was undone")
    elif target.action == EventType.CODING_ADD:
        session.delete(current)
        current = None
    else:
        for key, (old, _new) in payload.get("changes", {}).items():
            if key == "code":
                current.code_id = require_code(session, old).id
            elif key == "coder":
                current.coder_id = get_coder(session, old).id
            elif key in ("start", "end", "origin", "confidence", "memo", "exemplar"):
                setattr(current, key, old)
        current.updated_at = utcnow()
    session.flush()
    log_event(session, actor.name, EventType.UNDO, event=target.id, action=target.action, coding=coding_id,
              version=current.version if current is not None else None)
    return {"undone": target.action, "coding": coding_id, "description": what}


def _describe(action: str, payload: dict[str, Any]) -> str:
    verb = {EventType.CODING_ADD: "added", EventType.CODING_UPDATE: "changed",
            EventType.CODING_DELETE: "deleted"}.get(EventType(action), action)
    code = payload.get("code") or payload.get("was", {}).get("code") or ""
    return f"{verb} coding {payload.get('coding')}{' ' + str(code) if code else ''}"


def _restore(session: Session, coding_id: int, was: dict[str, Any], what: str) -> Coding:
    try:
        doc = require_document(session, was["document"])
        code_id = require_code(session, was["code"]).id
    except (NotFoundError, TaxonomyError):
        raise ConflictError(f"cannot undo ({what}): its document or code no longer exists") from None
    coding = Coding(id=coding_id, document_id=doc.id, start=was["start"], end=was["end"], code_id=code_id,
                    coder_id=get_coder(session, was["coder"]).id, origin=was["origin"],
                    confidence=was["confidence"], model=was["model"], memo=was["memo"],
                    exemplar=was["exemplar"])
    session.add(coding)
    session.flush()
    return coding
