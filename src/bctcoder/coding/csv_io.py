"""Codings and presence records in and out of CSV files.

Codings CSV columns: ``document, code, coder, start, end, quote, origin,
confidence, memo, exemplar`` (only ``document`` and ``code`` are required;
``coder`` may come from the command line). A row with offsets is checked
against its quote; a row with only a quote is located in the document, exactly
first, then ignoring differences in whitespace, then also taking typographic
variants (curly/straight quotes, dashes, the ellipsis, non-breaking spaces) as
equal, with a note saying which. Exports guard text against spreadsheet
formulas (see :mod:`bctcoder.spreadsheet_safety`); the import reads it back.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bctcoder.coding.events import EventType, log_event
from bctcoder.coding.locate import locate_quote, same_quote, typography_differences
from bctcoder.coding.service import check_origin_confidence, coding_rows, get_coder
from bctcoder.errors import BctcoderError, InputError
from bctcoder.participants.csvfile import find_column, header_note, read_csv_rows
from bctcoder.spreadsheet_safety import SafeCsvWriter
from bctcoder.store.models import Coder, Coding, Document, Presence
from bctcoder.taxonomy.code_index import code_index
from bctcoder.taxonomy.numbers import is_technique_number
from bctcoder.taxonomy.service import add_inductive_code, find_code

CODING_EXPORT_COLUMNS = ["id", "document", "case", "role", "code", "code_label", "kind", "coder", "origin",
                         "confidence", "model", "start", "end", "quote", "memo", "exemplar", "created_at",
                         "updated_at"]
_YES = {"yes", "y", "1", "true", "x", "present"}
_NO = {"no", "n", "0", "false", "", "absent"}


def _flag(cell: str, source: str, line: int, field: str) -> bool:
    text = (cell or "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InputError(f"field {field!r}: {cell!r} is not yes/no", source=source, line=line)


def _int(cell: str, source: str, line: int, field: str) -> int | None:
    cell = (cell or "").strip()
    if not cell:
        return None
    try:
        return int(cell)
    except ValueError:
        raise InputError(f"field {field!r}: {cell!r} is not a whole number", source=source, line=line) from None


def _resolve_row(session: Session, row: dict[str, str], cols: dict[str, str | None], docs: dict[str, Document],
                 source: str, line: int, default_coder: str | None, create_codes: bool) -> dict[str, Any]:
    """Turn one CSV row into the fields of a coding, or raise InputError naming the line."""
    def get(name: str) -> str:
        col = cols.get(name)
        return row.get(col, "").strip() if col else ""

    doc_name = get("document")
    doc = docs.get(doc_name)
    if doc is None:
        doc = session.scalar(select(Document).where(Document.name == doc_name))
        if doc is None:
            raise InputError(f"unknown document {doc_name!r}", source=source, line=line)
        docs[doc_name] = doc
    code_ref = get("code")
    if not code_ref:
        raise InputError("empty code", source=source, line=line)
    code = find_code(session, code_ref)
    if code is None and (is_technique_number(code_ref.split(None, 1)[0]) or not create_codes):
        raise InputError(f"unknown code {code_ref!r}", source=source, line=line)
    coder = get("coder") or default_coder
    if not coder:
        raise InputError("no coder (add a 'coder' column or pass --coder)", source=source, line=line)
    start, end = _int(get("start"), source, line, "start"), _int(get("end"), source, line, "end")
    quote_col = cols.get("quote")
    quote = row.get(quote_col, "") if quote_col else ""
    how = "offsets"
    if start is not None or end is not None:
        if start is None or end is None:
            raise InputError("give both start and end, or neither", source=source, line=line)
        if not (0 <= start < end <= len(doc.text)):
            raise InputError(f"offsets {start}-{end} are outside document {doc.name!r} (0-{len(doc.text)})",
                             source=source, line=line)
        if quote.strip() and not same_quote(doc.text[start:end], quote):
            raise InputError(f"quote does not match the text at {start}-{end} of {doc.name!r}",
                             source=source, line=line)
    else:
        if not quote.strip():
            raise InputError("a row needs offsets (start, end) or a quote", source=source, line=line)
        spans, how = locate_quote(doc.text, quote)
        if not spans:
            raise InputError(f"quote not found in {doc.name!r}: {quote.strip()[:60]!r}", source=source, line=line)
        if len(spans) > 1:
            raise InputError(f"quote occurs {len(spans)} times in {doc.name!r}; give start and end to choose",
                             source=source, line=line)
        start, end = spans[0]
    note = None
    if how == "typography":
        note = (f"quote found in {doc.name!r} at {start}-{end} with "
                + "; ".join(typography_differences(doc.text[start:end], quote.strip())))
    origin = get("origin") or "manual"
    conf_text = get("confidence")
    try:
        confidence = float(conf_text) if conf_text else None
    except ValueError:
        raise InputError(f"field 'confidence': {conf_text!r} is not a number", source=source, line=line) from None
    check_origin_confidence(origin, confidence, source=source, line=line)
    exemplar = _flag(get("exemplar"), source, line, "exemplar") if cols.get("exemplar") else False
    # a new inductive code is created only once the whole row is known to be good (nothing to roll back)
    return {"doc": doc, "code": code, "new_code": code_ref, "coder": coder, "start": start, "end": end,
            "origin": origin, "confidence": confidence, "memo": get("memo") or None, "exemplar": exemplar,
            "model": get("model") or None, "located": how, "note": note}


def import_codings_csv(session: Session, path: str | Path, user: str, *, coder: str | None = None,
                       create_codes: bool = True, skip_invalid: bool = False) -> dict[str, Any]:
    """Import codings from CSV in one transaction.

    Strict by default: the first bad row aborts the import with an error naming
    its line. With ``skip_invalid`` bad rows are left out and listed with their
    reasons. Rows identical to an existing coding are skipped as duplicates.
    """
    source = str(path)
    header, rows = read_csv_rows(path)
    cols = {name: find_column(header, aliases) for name, aliases in {
        "document": ("document", "doc", "transcript", "source"), "code": ("code", "bct", "technique"),
        "coder": ("coder", "user"), "start": ("start",), "end": ("end",), "quote": ("quote", "text"),
        "origin": ("origin",), "confidence": ("confidence",), "memo": ("memo", "note"),
        "exemplar": ("exemplar",), "model": ("model",)}.items()}
    for required in ("document", "code"):
        if cols[required] is None:
            raise InputError(f"no {required!r} column{header_note(header)}", source=source, line=1)
    docs: dict[str, Document] = {}
    coders: dict[str, Coder] = {}
    existing: dict[int, set[tuple[int, int, int, int]]] = {}
    new_codings: list[dict[str, Any]] = []
    code_index(session)  # codes are looked up in an index built once, not with a query and a scan per row
    added, duplicates, rejected, located = 0, 0, [], {"offsets": 0, "exact": 0, "whitespace": 0}
    new_inductive: set[str] = set()
    notes: list[dict[str, Any]] = []
    for line, row in rows:
        try:
            fields = _resolve_row(session, row, cols, docs, source, line, coder, create_codes)
            if fields["code"] is None:
                fields["code"] = add_inductive_code(session, fields["new_code"])
        except BctcoderError as exc:
            if not skip_invalid:
                raise
            rejected.append({"line": line, "reason": getattr(exc, "reason", str(exc))})
            continue
        if fields["code"].kind == "inductive":
            new_inductive.add(fields["code"].label)
        coder_row = coders.get(fields["coder"])
        if coder_row is None:
            coder_row = coders[fields["coder"]] = get_coder(session, fields["coder"])
        doc_id = fields["doc"].id
        if doc_id not in existing:
            existing[doc_id] = {tuple(key) for key in session.execute(  # type: ignore[misc]
                select(Coding.start, Coding.end, Coding.code_id, Coding.coder_id)
                .where(Coding.document_id == doc_id))}
        key = (fields["start"], fields["end"], fields["code"].id, coder_row.id)
        if key in existing[doc_id]:
            duplicates += 1
            continue
        existing[doc_id].add(key)
        new_codings.append({"document_id": doc_id, "start": fields["start"], "end": fields["end"],
                            "code_id": fields["code"].id, "coder_id": coder_row.id, "origin": fields["origin"],
                            "confidence": fields["confidence"], "memo": fields["memo"],
                            "exemplar": fields["exemplar"], "model": fields["model"]})
        located[fields["located"]] = located.get(fields["located"], 0) + 1
        if fields["note"]:
            notes.append({"line": line, "note": fields["note"]})
        added += 1
    if new_codings:  # one bulk INSERT (ORM objects would be inserted one statement each)
        session.execute(insert(Coding), new_codings)
    session.flush()
    log_event(session, user, EventType.CODINGS_IMPORT, file=source, added=added, duplicates=duplicates,
              rejected=len(rejected))
    result = {"added": added, "duplicates": duplicates, "rejected": rejected, "located": located,
              "inductive_codes": sorted(new_inductive)}
    if notes:  # quotes found only by taking typographic variants as equal, and which
        result["notes"] = notes
    return result


def codings_to_csv(rows: list[dict[str, Any]], *, raw: bool = False) -> str:
    """Render coding dicts as CSV text (the export format, re-importable). Text a spreadsheet would run as a
    formula (a quote starting with "-", a memo starting with "=") gets a leading ``'``, which the import takes
    off again (:mod:`bctcoder.spreadsheet_safety`); ``raw`` writes the exact text."""
    buf = io.StringIO()
    writer = SafeCsvWriter(buf, raw=raw)
    writer.writerow(CODING_EXPORT_COLUMNS)
    for row in rows:
        out = dict(row, exemplar="yes" if row.get("exemplar") else "")
        writer.writerow([out.get(column) for column in CODING_EXPORT_COLUMNS])
    return buf.getvalue()


def export_codings_csv(session: Session, *, raw: bool = False, **filters: Any) -> str:
    """All codings (filtered like :func:`coding_rows`) as CSV text (``raw``: see :func:`codings_to_csv`)."""
    return codings_to_csv(coding_rows(session, **filters), raw=raw)


def import_presence_csv(session: Session, path: str | Path, user: str, *, by: str | None = None,
                        coder: str | None = None) -> dict[str, Any]:
    """Import presence records (no text spans) from CSV.

    Wide form (``by`` given, e.g. ``role``): a ``bct``/``code`` column and one
    column per value of that attribute holding yes/no or 1/0. Long form:
    columns ``code, scope, target, present`` (+ ``attribute`` when scope is
    ``attribute``). A record replaces an earlier one with the same key.
    """
    source = str(path)
    header, rows = read_csv_rows(path)
    code_col = find_column(header, ("bct", "code", "technique", "number"))
    if code_col is None:
        raise InputError(f"no 'bct' or 'code' column{header_note(header)}", source=source, line=1)
    coder_id = get_coder(session, coder).id if coder else None
    records: list[tuple[Any, str, str | None, str, bool]] = []
    if by:
        value_cols = [h for h in header if h and h != code_col and h.lower() not in ("label", "group", "name")]
        if not value_cols:
            raise InputError(f"no value columns for {by!r} besides {code_col!r}", source=source, line=1)
        for line, row in rows:
            code = _presence_code(session, row[code_col], source, line)
            for col in value_cols:
                records.append((code, "attribute", by, col, _flag(row.get(col, ""), source, line, col)))
    else:
        scope_col, target_col = find_column(header, ("scope",)), find_column(header, ("target",))
        present_col, attr_col = find_column(header, ("present",)), find_column(header, ("attribute",))
        if not (scope_col and target_col and present_col):
            raise InputError("expected columns code, scope, target, present (or pass --by ATTRIBUTE)"
                             + header_note(header), source=source, line=1)
        for line, row in rows:
            code = _presence_code(session, row[code_col], source, line)
            scope = row[scope_col].strip().lower()
            if scope not in ("document", "case", "attribute"):
                raise InputError(f"scope {scope!r} must be document, case or attribute", source=source, line=line)
            attribute = row.get(attr_col, "").strip() if attr_col else ""
            if scope == "attribute" and not attribute:
                raise InputError("scope 'attribute' needs an 'attribute' column value", source=source, line=line)
            records.append((code, scope, attribute or None, row[target_col].strip(),
                            _flag(row[present_col], source, line, "present")))
    for code, scope, attr_name, target, present in records:
        existing = session.scalar(select(Presence).where(
            Presence.code_id == code.id, Presence.scope == scope, Presence.target == target,
            Presence.attribute.is_(None) if attr_name is None else Presence.attribute == attr_name,
            Presence.coder_id.is_(None) if coder_id is None else Presence.coder_id == coder_id))
        if existing is not None:
            existing.present, existing.source = present, source
        else:
            session.add(Presence(code_id=code.id, scope=scope, attribute=attr_name, target=target,
                                 coder_id=coder_id, present=present, source=source))
    session.flush()
    log_event(session, user, EventType.PRESENCE_IMPORT, file=source, records=len(records), by=by)
    return {"records": len(records), "present": sum(1 for r in records if r[4])}


def _presence_code(session: Session, ref: str, source: str, line: int):
    code = find_code(session, ref.strip())
    if code is None:
        raise InputError(f"unknown code {ref.strip()!r}", source=source, line=line)
    return code


def presence_rows(session: Session) -> list[dict[str, Any]]:
    """Presence records as plain dicts."""
    out = []
    for p in session.scalars(select(Presence).order_by(Presence.id)):
        coder = session.get(Coder, p.coder_id) if p.coder_id else None
        out.append({"code": p.code.number or p.code.label, "scope": p.scope, "attribute": p.attribute,
                    "target": p.target, "present": p.present, "coder": coder.name if coder else None,
                    "source": p.source})
    return out
