"""Codings: add, change, delete and list them; every change goes into the event log."""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.coding.events import log_event
from bctcoder.errors import InputError, NotFoundError
from bctcoder.store.models import ORIGINS, Case, Code, Coder, Coding, Document, utcnow
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


def add_coding(session: Session, user: str, *, document: str | int, start: int, end: int, code: str,
               coder: str, origin: str = "manual", confidence: float | None = None, memo: str | None = None,
               exemplar: bool = False, model: str | None = None) -> Coding:
    """Code ``document.text[start:end]`` with ``code`` for ``coder``; returns the new coding."""
    doc = require_document(session, document)
    check_span(doc, start, end)
    check_origin_confidence(origin, confidence)
    code_row = require_code(session, code)
    coder_row = get_coder(session, coder)
    coding = Coding(document_id=doc.id, start=start, end=end, code_id=code_row.id, coder_id=coder_row.id,
                    origin=origin, confidence=confidence, memo=memo or None, exemplar=bool(exemplar), model=model)
    session.add(coding)
    session.flush()
    log_event(session, user, "coding.add", coding=coding.id, document=doc.name, start=start, end=end,
              code=code_label(code_row), coder=coder_row.name, origin=origin)
    return coding


_EDITABLE = {"start", "end", "code", "origin", "confidence", "memo", "exemplar", "coder"}


def update_coding(session: Session, user: str, coding_id: int, **changes: Any) -> Coding:
    """Change fields of a coding (span, code, origin, confidence, memo, exemplar, coder)."""
    coding = session.get(Coding, coding_id)
    if coding is None:
        raise NotFoundError(f"no coding {coding_id}")
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise InputError(f"cannot change {', '.join(sorted(unknown))} of a coding", source="coding")
    before = coding_dict(session, coding)
    if "code" in changes:
        coding.code_id = require_code(session, changes.pop("code")).id
    if "coder" in changes:
        coding.coder_id = get_coder(session, changes.pop("coder")).id
    for key, value in changes.items():
        setattr(coding, key, value)
    doc = session.get(Document, coding.document_id)
    check_span(doc, coding.start, coding.end)
    check_origin_confidence(coding.origin, coding.confidence)
    coding.updated_at = utcnow()
    session.flush()
    session.refresh(coding)
    after = coding_dict(session, coding)
    changed = {k: [before[k], after[k]] for k in after if before.get(k) != after[k] and k != "updated_at"}
    log_event(session, user, "coding.update", coding=coding.id, changes=changed)
    return coding


def delete_coding(session: Session, user: str, coding_id: int) -> None:
    """Delete a coding, keeping a copy of it in the event log."""
    coding = session.get(Coding, coding_id)
    if coding is None:
        raise NotFoundError(f"no coding {coding_id}")
    log_event(session, user, "coding.delete", coding=coding_id, was=coding_dict(session, coding))
    session.delete(coding)
    session.flush()


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
        "created_at": c.created_at.isoformat(timespec="seconds") if c.created_at else None,
        "updated_at": c.updated_at.isoformat(timespec="seconds") if c.updated_at else None,
    }


def coding_rows(session: Session, *, coders: Iterable[str] | None = None, origins: Iterable[str] | None = None,
                documents: Iterable[str] | None = None, codes: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Codings as plain dicts, filtered by coder names, origins, document names, code numbers/labels.

    One joined query; each document's text is read once to cut the quotes.
    """
    stmt = (select(Coding.id, Document.id, Document.name, Case.key, Case.role, Code.number, Code.label, Code.kind,
                   Coder.name, Coding.origin, Coding.confidence, Coding.model, Coding.start, Coding.end, Coding.memo,
                   Coding.exemplar, Coding.created_at, Coding.updated_at)
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
    texts: dict[int, str] = {}
    out = []
    for (cid, doc_id, doc_name, case, role, number, label, kind, coder, origin, confidence, model, start, end, memo,
         exemplar, created, updated) in session.execute(stmt):
        if doc_id not in texts:
            texts[doc_id] = session.scalar(select(Document.text).where(Document.id == doc_id))
        out.append({
            "id": cid, "document": doc_name, "case": case, "role": role, "code": number or label,
            "code_label": label, "kind": kind, "coder": coder, "origin": origin, "confidence": confidence,
            "model": model, "start": start, "end": end, "quote": texts[doc_id][start:end], "memo": memo,
            "exemplar": bool(exemplar),
            "created_at": created.isoformat(timespec="seconds") if created else None,
            "updated_at": updated.isoformat(timespec="seconds") if updated else None,
        })
    return out


UNDOABLE = ("coding.add", "coding.update", "coding.delete")


def undo_last(session: Session, user: str) -> dict[str, Any]:
    """Undo ``user``'s most recent coding change that has not been undone yet (add, update or delete)."""
    import json

    from bctcoder.store.models import Event

    undone = set()
    for payload in session.scalars(select(Event.payload).where(Event.user == user, Event.action == "undo")):
        undone.add(json.loads(payload).get("event"))
    stmt = select(Event).where(Event.user == user, Event.action.in_(UNDOABLE)).order_by(Event.id.desc())
    target = next((e for e in session.scalars(stmt) if e.id not in undone), None)
    if target is None:
        raise NotFoundError("nothing to undo")
    payload = json.loads(target.payload)
    if target.action == "coding.add":
        coding = session.get(Coding, payload["coding"])
        if coding is not None:
            session.delete(coding)
    elif target.action == "coding.delete":
        was = payload["was"]
        doc = require_document(session, was["document"])
        session.add(Coding(id=was["id"], document_id=doc.id, start=was["start"], end=was["end"],
                           code_id=require_code(session, was["code"]).id, coder_id=get_coder(session, was["coder"]).id,
                           origin=was["origin"], confidence=was["confidence"], model=was["model"], memo=was["memo"],
                           exemplar=was["exemplar"]))
    else:
        coding = session.get(Coding, payload["coding"])
        if coding is not None:
            for key, (old, _new) in payload.get("changes", {}).items():
                if key == "code":
                    coding.code_id = require_code(session, old).id
                elif key == "coder":
                    coding.coder_id = get_coder(session, old).id
                elif key in ("start", "end", "origin", "confidence", "memo", "exemplar"):
                    setattr(coding, key, old)
    session.flush()
    session.add(Event(user=user, action="undo", payload=json.dumps({"event": target.id, "action": target.action})))
    session.flush()
    return {"undone": target.action, "coding": payload.get("coding")}
