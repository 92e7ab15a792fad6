"""The event log: an append-only, typed audit trail of every change to a project.

Event types are a closed set (:class:`EventType`); logging an unknown type is a programming error. Coding
events carry typed payloads (:class:`CodingAdded`, :class:`CodingUpdated`, :class:`CodingDeleted`,
:class:`Undone`) that undo relies on, each with the coding's row ``version`` after the change. Payload
strings are bounded (:data:`MAX_EVENT_TEXT`), so the log never keeps unbounded copies of what users typed.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.store.models import Event

MAX_EVENT_TEXT = 10_000   # characters per string in a payload (memos are capped at the same length)


class EventType(StrEnum):
    """Every kind of change bctcoder records."""

    PROJECT_CREATE = "project.create"
    PROJECT_BLIND = "project.blind"
    PROJECT_IMPORT_QDPX = "project.import_qdpx"
    ROLE_ADD = "role.add"
    CODE_ADD = "code.add"
    CODES_PROMOTE = "codes.promote"
    TAXONOMY_IMPORT_BCTO = "taxonomy.import_bcto"
    TAXONOMY_IMPORT_CODEBOOK = "taxonomy.import_codebook"
    CODEBOOK_IMPORT = "codebook.import"
    CASES_IMPORT = "cases.import"
    CASE_SET = "case.set"
    CASE_SET_SELECT = "case_set.select"
    PARTNERSHIPS_IMPORT = "partnerships.import"
    PARTNERSHIP_ADD = "partnership.add"
    DOCUMENT_IMPORT = "document.import"
    DOCUMENT_LINK = "document.link"
    DOCUMENT_FULLY_CODED = "document.fully_coded"
    TURN_SPEAKER = "turn.speaker"
    PSEUDONYMS_DETECT = "pseudonyms.detect"
    PSEUDONYMS_REVIEW = "pseudonyms.review"
    PSEUDONYMS_APPLY = "pseudonyms.apply"
    QUALCODER_IMPORT = "qualcoder.import"
    TAGUETTE_IMPORT = "taguette.import"
    CODINGS_IMPORT = "codings.import"
    PRESENCE_IMPORT = "presence.import"
    CODING_ADD = "coding.add"
    CODING_UPDATE = "coding.update"
    CODING_DELETE = "coding.delete"
    UNDO = "undo"
    SUGGEST_CHOOSE = "suggest.choose"
    SUGGEST_RUN = "suggest.run"
    SUGGEST_ACCEPT = "suggest.accept"
    SUGGEST_REJECT = "suggest.reject"
    SUGGEST_CHANGE = "suggest.change"
    RECONCILE_DECIDE = "reconcile.decide"
    RECONCILE_ACCEPT_AGREEMENTS = "reconcile.accept_agreements"
    USER_ADD = "user.add"
    USER_ROLE = "user.role"
    USER_REMOVE = "user.remove"
    USER_LOGIN = "user.login"
    USER_LOGOUT = "user.logout"


UNDOABLE = (EventType.CODING_ADD, EventType.CODING_UPDATE, EventType.CODING_DELETE)


class CodingAdded(TypedDict):
    coding: int
    version: int
    document: str
    start: int
    end: int
    code: str
    coder: str
    origin: str


class CodingUpdated(TypedDict):
    coding: int
    version: int
    changes: dict[str, list[Any]]     # field -> [before, after]


class CodingDeleted(TypedDict):
    coding: int
    was: dict[str, Any]               # the coding as it was, quote included


class Undone(TypedDict):
    event: int
    action: str
    coding: int
    version: int | None               # the row's version after the undo (None: the coding is gone)


def _bounded(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_EVENT_TEXT:
        return value[:MAX_EVENT_TEXT] + f"… [{len(value) - MAX_EVENT_TEXT} more characters not kept]"
    if isinstance(value, dict):
        return {k: _bounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_bounded(v) for v in value]
    return value


def log_event(session: Session, user: str, event_type: EventType | str, /, **payload: Any) -> Event:
    """Append an event inside the caller's transaction, so it commits or rolls back with the change."""
    kind = EventType(event_type)   # ValueError for a type outside the closed set
    event = Event(user=user, action=kind.value,
                  payload=json.dumps(_bounded(payload), sort_keys=True, default=str, ensure_ascii=False))
    session.add(event)
    return event


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
