"""The event log: an append-only audit trail of every change to a project."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.store.models import Event


def log_event(session: Session, user: str, action: str, **payload: Any) -> None:
    """Append an event (inside the caller's transaction, so it commits or rolls back with the change)."""
    session.add(Event(user=user, action=action, payload=json.dumps(payload, sort_keys=True, default=str,
                                                                   ensure_ascii=False)))


def event_rows(session: Session, limit: int | None = None, action: str | None = None) -> list[dict[str, Any]]:
    """Events, newest first, as plain dicts."""
    stmt = select(Event).order_by(Event.id.desc())
    if action:
        stmt = stmt.where(Event.action == action)
    if limit:
        stmt = stmt.limit(limit)
    return [
        {"id": e.id, "at": e.at.isoformat(timespec="seconds"), "user": e.user, "action": e.action,
         "payload": json.loads(e.payload)}
        for e in session.scalars(stmt)
    ]
