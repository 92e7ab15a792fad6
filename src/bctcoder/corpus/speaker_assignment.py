"""Saying who speaks a turn after the fact: transcribed recordings split at pauses leave turns unassigned.

A turn is identified by its document and start offset (offsets never change, so the codings on it stay
put). ``role`` is ``interviewer`` or ``participant``; the turn then counts as an interviewee turn (or not)
everywhere: suggestions, "no technique" examples and the reading view. The speaker label becomes the name
given, else ``Interviewer`` or the document's case key (``Participant`` for an unlinked document).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.errors import InputError, NotFoundError
from bctcoder.store.models import Document, Turn

SPEAKER_ROLES = ("interviewer", "participant")
UNASSIGNED_SPEAKER = "Unassigned"
"""The label transcription gives turns whose speaker it cannot tell (one mixed recording)."""
MAX_SPEAKER_CHARS = 200


def assign_speaker(session: Session, doc: Document, start: int, role: str, *, speaker: str | None = None,
                   following: bool = False) -> dict[str, Any]:
    """Set the speaker of the turn of ``doc`` that starts at ``start``.

    With ``following``, every later turn that still carries the same label as that turn had is set too
    (a coder who knows the rest of a recording alternates can settle it turn by turn instead)."""
    if role not in SPEAKER_ROLES:
        raise InputError(f"role must be one of {', '.join(SPEAKER_ROLES)}, not {role!r}", source="role")
    name = (speaker or "").strip() or ("Interviewer" if role == "interviewer" else
                                       (doc.case.key if doc.case is not None else "Participant"))
    if len(name) > MAX_SPEAKER_CHARS or "\n" in name:
        raise InputError(f"a speaker name has at most {MAX_SPEAKER_CHARS} characters on one line",
                         source="speaker")
    turn = session.scalar(select(Turn).where(Turn.document_id == doc.id, Turn.start == start))
    if turn is None:
        raise NotFoundError(f"no turn starts at {start} in {doc.name!r}")
    targets = [turn]
    if following:
        targets += list(session.scalars(select(Turn).where(
            Turn.document_id == doc.id, Turn.start > start, Turn.speaker == turn.speaker).order_by(Turn.start)))
    previous = turn.speaker
    for target in targets:
        target.speaker = name
        target.is_interviewee = role == "participant"
    session.flush()
    return {"document": doc.name, "start": start, "turns": len(targets), "speaker": name, "role": role,
            "previous": previous}
