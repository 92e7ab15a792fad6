"""Storing transcripts in a project: one document (+ speaker turns) per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bctcoder.coding.events import EventType, log_event
from bctcoder.errors import InputError
from bctcoder.store.models import Case, Document, Turn

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, name)`` after each file is read."""


def match_case(session: Session, name: str) -> Case | None:
    """The case whose key equals a file stem (exactly, then ignoring case)."""
    case = session.scalar(select(Case).where(Case.key == name))
    if case is None:
        case = session.scalar(select(Case).where(func.lower(Case.key) == name.lower()))
    return case


def import_transcripts(session: Session, paths: Iterable[str | Path], user: str, *, case: str | None = None,
                       allow_unlinked: bool = False, interviewer_labels: Iterable[str] | None = None,
                       progress: ProgressCallback | None = None, source: str | None = None) -> dict[str, Any]:
    """Read each file and store it as a document linked to a case.

    The case is ``case`` when given (one file only), else the case whose key is
    the file's stem. A file whose canonical text is already in the project is
    reported as a duplicate and not stored twice. Any unreadable file aborts
    the whole import (the caller's transaction rolls back). What was read but
    deserves a look (lines repaired from Windows-1252, tracked changes read as
    accepted) is listed under ``warnings`` as ``{"file", "warning"}``. Each imported document lists its
    ``speakers`` (turns, whether counted as the interviewer, whether that was guessed). ``source`` names where
    a file came from when it is not the file itself (the recordings a transcript was made from).
    """
    from bctcoder.corpus.readers import read_transcript

    files = [Path(p) for p in paths]
    if not files:
        raise InputError("no transcript files given", source="transcripts")
    if case is not None and len(files) > 1:
        raise InputError("--case applies to one file; name files after their cases to import several",
                         source="transcripts")
    imported: list[dict[str, Any]] = []
    duplicates: list[dict[str, Any]] = []
    warnings: list[dict[str, str]] = []
    for i, path in enumerate(files, start=1):
        if not path.is_file():
            raise InputError("no such file", source=str(path))
        notes: list[str] = []
        transcript = read_transcript(path, interviewer_labels=interviewer_labels, notes=notes,
                                     participant=case if case is not None else path.stem)
        warnings.extend({"file": str(path), "warning": note} for note in notes)
        name = path.stem
        same = session.scalar(select(Document).where(Document.sha256 == transcript.sha256))
        if same is not None:
            duplicates.append({"file": str(path), "document": same.name})
            if progress:
                progress(i, len(files), name)
            continue
        if session.scalar(select(Document.id).where(Document.name == name)) is not None:
            raise InputError(f"a different document named {name!r} is already in the project", source=str(path))
        case_row = None
        if case is not None:
            case_row = session.scalar(select(Case).where(Case.key == case))
            if case_row is None:
                raise InputError(f"no case {case!r} in the project (import cases first)", source=str(path))
        else:
            case_row = match_case(session, name)
            if case_row is None and not allow_unlinked:
                raise InputError(f"no case named {name!r}: name the file after its case, pass --case KEY, "
                                 "or --unlinked", source=str(path))
        doc = Document(name=name, case_id=case_row.id if case_row else None, text=transcript.text,
                       sha256=transcript.sha256, source_format=transcript.source_format,
                       source_path=source or str(path),
                       layout=transcript.layout)
        session.add(doc)
        session.flush()
        session.add_all(Turn(document_id=doc.id, start=t.start, end=t.end, speaker=t.speaker,
                             is_interviewee=t.is_interviewee, timestamp=t.timestamp) for t in transcript.turns)
        log_event(session, user, EventType.DOCUMENT_IMPORT, document=name, file=source or str(path),
                  sha256=transcript.sha256,
                  case=case_row.key if case_row else None, turns=len(transcript.turns))
        imported.append({"document": name, "case": case_row.key if case_row else None,
                         "format": transcript.source_format, "layout": transcript.layout,
                         "characters": len(transcript.text), "turns": len(transcript.turns),
                         "speakers": transcript.speaker_summary()})
        if progress:
            progress(i, len(files), name)
    session.flush()
    return {"imported": imported, "duplicates": duplicates, "warnings": warnings}
