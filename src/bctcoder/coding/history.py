"""Each coding's history from the event log: who created, changed, accepted, rejected, adjudicated or undid it.

Every change goes through the typed event log (:mod:`bctcoder.coding.events`), so the history is a reading of
that log, never a second record that could disagree with it. A coding that arrived with an import (the log
names the file, not each coding) starts with the row's own creation time, coder and origin.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.coding.events import EventType
from bctcoder.store.models import Code, Coder, Coding, Document, Event

WHAT = {
    EventType.CODING_ADD: "created",
    EventType.CODING_UPDATE: "changed",
    EventType.CODING_DELETE: "deleted",
    EventType.UNDO: "undone",
    EventType.SUGGEST_ACCEPT: "accepted (suggestion)",
    EventType.SUGGEST_REJECT: "rejected (suggestion)",
    EventType.SUGGEST_CHANGE: "suggestion changed",
    EventType.RECONCILE_DECIDE: "adjudicated (consensus)",
    EventType.RECONCILE_ACCEPT_AGREEMENTS: "agreed by both coders (consensus)",
}
COLUMNS = ["coding", "at", "user", "what", "details"]


def _ids(payload: dict[str, Any]) -> list[int]:
    found = payload.get("codings", [])
    ids = [i for i in found if isinstance(i, int)] if isinstance(found, list) else []
    if isinstance(payload.get("coding"), int):
        ids.append(payload["coding"])
    return ids


def _details(action: str, payload: dict[str, Any]) -> str:
    if action == EventType.CODING_UPDATE:
        return "; ".join(f"{k}: {v[0]!r} → {v[1]!r}" for k, v in payload.get("changes", {}).items()
                         if isinstance(v, list) and len(v) == 2)
    if action == EventType.CODING_ADD:
        return (f"{payload.get('code')} in {payload.get('document')} {payload.get('start')}-{payload.get('end')} "
                f"by {payload.get('coder')} ({payload.get('origin')})")
    if action == EventType.RECONCILE_DECIDE:
        return (f"{payload.get('code')} in {payload.get('document')}: decision {payload.get('decision')!r} "
                f"between {', '.join(payload.get('coders', []))}")
    if action == EventType.UNDO:
        return f"undid {payload.get('action')}"
    if action in (EventType.SUGGEST_ACCEPT, EventType.SUGGEST_REJECT):
        return f"as {payload.get('coder')}"
    return ""


def coding_history(session: Session, coding_ids: Iterable[int] | None = None,
                   users: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows (coding, at, user, what, details), oldest first; only ``coding_ids`` and events by ``users`` when
    given."""
    wanted = set(coding_ids) if coding_ids is not None else None
    who = set(users) if users is not None else None
    rows: list[dict[str, Any]] = []
    seen_created: set[int] = set()
    stmt = select(Event).where(Event.action.in_([str(a) for a in WHAT])).order_by(Event.id)
    for event in session.scalars(stmt):
        if who is not None and event.user not in who:
            continue
        try:
            payload = json.loads(event.payload)
        except ValueError:
            continue
        for coding_id in _ids(payload):
            if wanted is not None and coding_id not in wanted:
                continue
            if event.action in (EventType.CODING_ADD, EventType.RECONCILE_DECIDE,
                                EventType.RECONCILE_ACCEPT_AGREEMENTS):
                seen_created.add(coding_id)
            rows.append({"coding": coding_id, "at": event.at.isoformat(timespec="seconds"), "user": event.user,
                         "what": WHAT[EventType(event.action)], "details": _details(event.action, payload)})
    codings = select(Coding.id, Coding.created_at, Coder.name, Coding.origin, Code.number, Code.label,
                     Document.name).join(Coder, Coding.coder_id == Coder.id).join(
        Code, Coding.code_id == Code.id).join(Document, Coding.document_id == Document.id)
    if wanted is not None:
        codings = codings.where(Coding.id.in_(wanted))
    first = []
    for cid, created, coder, origin, number, label, document in session.execute(codings):
        if cid in seen_created or (who is not None and coder not in who):
            continue
        first.append({"coding": cid, "at": created.isoformat(timespec="seconds") if created else "",
                      "user": coder, "what": "imported" if origin in ("manual", "consensus") else origin,
                      "details": f"{number or label} in {document} by {coder} ({origin}); the log names the "
                                 "import, not each coding"})
    return sorted(first + rows, key=lambda r: (r["coding"], r["at"]))
