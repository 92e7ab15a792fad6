"""Writing the pseudonymised copy of a project and the key that undoes it (#16).

The source project is never changed. Its verified copy (``store.copy``) gets every accepted replacement in
every transcript (made by Presidio's anonymizer when the extra is installed, and checked against our own
offset map). Turns and codings are re-mapped so each coding stays on its words (a coding that covered a name
now covers its replacement), and every quote is checked: it must equal the original quote with the
replacements substituted, or nothing is kept. The copy keeps no identifying residue: the proposals, the
event log (it names files and texts), cached passage embeddings and source file paths are removed; memos and
the case attributes that hold names, places and organisations get the same replacements. The key (original ↔
replacement, document and both positions) goes to a separate CSV file for the owner to keep apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from bctcoder.coding.events import EventType, log_event
from bctcoder.corpus.transcript import text_sha256
from bctcoder.errors import InputError, ProjectError
from bctcoder.pseudonymise.key_file import KeyRow, write_key_csv
from bctcoder.pseudonymise.proposal_store import clear, identifier_kind
from bctcoder.store import copy as project_copy
from bctcoder.store import database
from bctcoder.store.models import Attribute, Case, CaseValue, Coding, Document, Event, PassageEmbedding, Turn
from bctcoder.taxonomy.service import get_meta, set_meta

PSEUDONYMISED_META = "pseudonymised"
"""Meta key a pseudonymised copy carries (when, how many replacements); its absence means "original"."""


PLACEHOLDERS = {"people": "[name]", "places": "[place]", "organisations": "[organisation]"}
"""What an identifying case attribute becomes when no replacement of the same text was accepted."""


def _expected_quote(text: str, start: int, end: int, replacements: list[dict[str, Any]]) -> str:
    """The original quote ``text[start:end]`` widened to whole replaced spans, replacements substituted."""
    for r in replacements:
        if r["start"] < start < r["end"]:
            start = r["start"]
        if r["start"] < end < r["end"]:
            end = r["end"]
    out, at = [], start
    for r in replacements:
        if r["start"] >= start and r["end"] <= end:
            out += [text[at:r["start"]], r["replacement"]]
            at = r["end"]
    return "".join(out) + text[at:end]


def _whole_words(replacements: Mapping[str, str]) -> re.Pattern[str] | None:
    names = sorted((o for o in replacements if o.strip()), key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def _anonymised(text: str, spans: list[tuple[int, int, str]]) -> tuple[str, list[tuple[int, int]]] | None:
    """Presidio's anonymizer making the replacements (one operator per mention), when it is installed: the
    new text and each replacement's new span, in order; None without the [pseudonymise] extra."""
    try:
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult
    except ImportError:
        return None
    results = [RecognizerResult(f"M{i}", start, end, 1.0) for i, (start, end, _) in enumerate(spans)]
    operators = {f"M{i}": OperatorConfig("replace", {"new_value": new}) for i, (_, _, new) in enumerate(spans)}
    done = AnonymizerEngine().anonymize(text, results, operators=operators)
    placed = {int(item.entity_type[1:]): (item.start, item.end) for item in done.items}
    return done.text, [placed[i] for i in range(len(spans))]


def _rewrite_document(session: Session, doc: Document, replacements: list[dict[str, Any]]) -> dict[str, int]:
    from bctcoder.pseudonymise.offsets import apply_replacements

    original = doc.text
    spans = [(r["start"], r["end"], r["replacement"]) for r in replacements]
    new_text, offsets = apply_replacements(original, spans)
    presidio = _anonymised(original, spans)
    if presidio is not None and (presidio[0] != new_text or presidio[1] != [offsets.span(s, e) for s, e, _ in spans]):
        raise ProjectError(f"{doc.name}: Presidio's anonymizer and bctcoder's offset map disagree about the "
                           "replacements; nothing was written")
    for turn in session.scalars(select(Turn).where(Turn.document_id == doc.id)):
        turn.start, turn.end = offsets.span(turn.start, turn.end)
    codings = list(session.scalars(select(Coding).where(Coding.document_id == doc.id)))
    for coding in codings:
        expected = _expected_quote(original, coding.start, coding.end, replacements)
        coding.start, coding.end = offsets.span(coding.start, coding.end)
        if new_text[coding.start:coding.end] != expected:
            raise ProjectError(f"{doc.name}: coding {coding.id} would not keep its words after the replacements; "
                               "nothing was written")
    for r in replacements:
        r["new_start"], r["new_end"] = offsets.span(r["start"], r["end"])
    doc.text, doc.sha256, doc.source_path = new_text, text_sha256(new_text), None
    return {"replacements": len(replacements), "codings": len(codings)}


def _rewrite_residue(session: Session, by_original: Mapping[str, str]) -> int:
    """Memos and identifying case attributes: the same replacements, whole words; returns fields changed."""
    pattern = _whole_words(by_original)
    changed = 0

    def scrub(value: str | None) -> str | None:
        nonlocal changed
        if not value or pattern is None:
            return value
        new = pattern.sub(lambda m: by_original[m.group(1)], value)
        changed += new != value
        return new

    with_memos: tuple[Any, ...] = (Coding, Document, Case)
    for model in with_memos:
        for row in session.scalars(select(model).where(model.memo.is_not(None))):
            row.memo = scrub(row.memo)
    folded = {o.casefold(): r for o, r in by_original.items()}
    for value, attribute in session.execute(select(CaseValue, Attribute).join(
            Attribute, CaseValue.attribute_id == Attribute.id).where(CaseValue.status == "value")):
        kind = identifier_kind(attribute.name)
        placeholder = PLACEHOLDERS[kind] if kind else None
        if placeholder and value.value:
            value.value = folded.get(value.value.strip().casefold(), placeholder)
            changed += 1
    return changed


def write_copy(source: Engine, accepted: dict[str, list[dict[str, Any]]], dest_url: str, key_path: Path, *,
               user: str, source_label: str) -> dict[str, Any]:
    """Copy ``source`` to the empty database ``dest_url``, apply the ``accepted`` replacements there, and
    write the key to ``key_path`` (which must not exist). On any failure nothing is left at either place."""
    if key_path.exists():
        raise InputError("the key file already exists; choose a new name (a key is never overwritten)",
                         source=str(key_path))
    if not key_path.parent.is_dir():
        raise InputError(f"the folder {key_path.parent} does not exist", source=str(key_path))
    project_copy.copy_project(source, dest_url)
    dest = database.make_engine(dest_url)
    key_rows: list[KeyRow] = []
    try:
        with dest.begin() as conn, Session(bind=conn, expire_on_commit=False) as session:
            totals = {"documents": 0, "replacements": 0, "codings": 0}
            by_original: dict[str, str] = {}
            for name, replacements in sorted(accepted.items()):
                doc = session.scalar(select(Document).where(Document.name == name))
                if doc is None:
                    raise ProjectError(f"{name}: document missing from the copy; nothing was written")
                counts = _rewrite_document(session, doc, replacements)
                totals["documents"] += 1
                totals["replacements"] += counts["replacements"]
                totals["codings"] += counts["codings"]
                for r in replacements:
                    by_original.setdefault(r["original"], r["replacement"])
                    key_rows.append(KeyRow(name, r["start"], r["end"], r["original"], r["replacement"],
                                           r["category"], r["new_start"], r["new_end"]))
            residue = _rewrite_residue(session, by_original)
            for doc in session.scalars(select(Document).where(Document.source_path.is_not(None))):
                doc.source_path = None
            clear(session)
            session.execute(delete(Event))
            session.execute(delete(PassageEmbedding))
            stamp = {"from": source_label, "replacements": totals["replacements"], "by": user}
            set_meta(session, PSEUDONYMISED_META, stamp)
            log_event(session, user, EventType.PSEUDONYMS_APPLY, **totals, fields_scrubbed=residue)
            session.flush()
        write_key_csv(key_path, key_rows)
    except BaseException:
        project_copy.drop_everything(dest)
        dest.dispose()
        raise
    dest.dispose()
    return {"destination": dest_url, "key": str(key_path), **totals, "fields_scrubbed": residue,
            "key_rows": len(key_rows)}


def pseudonymised_stamp(session: Session) -> dict[str, Any] | None:
    """What a pseudonymised copy says about itself, or None for an original project."""
    value = get_meta(session, PSEUDONYMISED_META)
    return value if isinstance(value, dict) else None
