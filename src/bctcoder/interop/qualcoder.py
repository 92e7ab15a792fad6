"""Import a QualCoder project (its ``data.qda`` SQLite database) into a bctcoder project.

Schema followed: database version ``v14``, as created by ``MainWindow.new_project`` in
``src/qualcoder/__main__.py`` of ccbogel/QualCoder ("QualCoder 3.9"; tested on that layout). Only columns
that older versions (v1-v13, QualCoder 2.x-3.x) also have are required: ``source`` (id, name,
fulltext, memo), ``code_cat`` (catid, name, supercatid), ``code_name`` (cid, name, memo, catid, color),
``code_text`` (cid, fid, seltext, pos0, pos1, owner, date, memo, important) and, when present, ``cases``,
``case_text`` (caseid, fid), ``attribute_type`` and ``attribute`` (name, attr_type, value, id).

- Text sources (``fulltext`` not null) become documents in canonical form, every offset re-based
  (:func:`canonical_map`); image, audio and video sources are reported as skipped.
- ``pos0``/``pos1`` are read as ``str`` indices into ``fulltext`` (code points). QualCoder takes them from a
  Qt text cursor (UTF-16 units, a CRLF pair one position), so when ``seltext`` does not match that reading
  the Qt reading is tried; a coding matching neither (newlines and whitespace loosened) is skipped.
- A code named with a technique number or label is that technique; other codes become inductive codes
  under parent inductive codes named after their ``code_cat`` path. ``owner`` is the coder (``qualcoder``
  when empty), ``date`` the coding time, ``important`` the exemplar flag; the origin is ``manual``.
- Case names are keys. The role is the case attribute ``role`` (``PW``, ``peer worker``...; other values
  are added to the project's roles), else ``unknown`` (also added). Other case attributes become typed
  attributes (``numeric`` → integer or number). A document links to the one case ``case_text`` gives it
  (several: left unlinked), else to a case named like it.
- Hostile files: a database that is not SQLite, lacks a table or column, holds non-UTF-8 text or values of
  other types is refused (InputError naming it); a source text longer than :data:`MAX_SOURCE_CHARS` too
  (LimitError). A bad item inside a readable database (offsets, a NUL in a text) is skipped and reported.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bctcoder.coding.events import EventType, log_event
from bctcoder.coding.locate import same_quote
from bctcoder.coding.service import get_coder
from bctcoder.corpus.importer import match_case
from bctcoder.corpus.parsing import parse_text
from bctcoder.corpus.safe_archive import MAX_TEXT_FILE_BYTES
from bctcoder.corpus.textnorm import normalize_text
from bctcoder.errors import InputError, LimitError, TaxonomyError, TranscriptError
from bctcoder.interop.placement import Placement, coding_keys, find_existing
from bctcoder.participants.cases import DECLINED_MARKERS, DEFAULT_ROLES, normalise_role, set_value
from bctcoder.store.models import Attribute, Case, Code, Coding, Document, Turn
from bctcoder.taxonomy.numbers import is_technique_number
from bctcoder.taxonomy.service import add_inductive_code, find_code, get_meta, set_meta

UNKNOWN_ROLE = "unknown"
MAX_SOURCE_CHARS = MAX_TEXT_FILE_BYTES
"""The longest source text (characters) an import accepts, as for a transcript file."""
FALLBACK_CODER = "qualcoder"
DOC_SUFFIXES = {".txt", ".md", ".docx", ".doc", ".odt", ".pdf", ".rtf", ".htm", ".html", ".epub"}
_REQUIRED = {"project": {"databaseversion"}, "source": {"id", "name", "fulltext", "memo"},
             "code_cat": {"catid", "name", "supercatid"}, "code_name": {"cid", "name", "catid", "memo"},
             "code_text": {"cid", "fid", "seltext", "pos0", "pos1", "owner", "date", "memo"}}


# -- helpers shared with the Taguette importer -------------------------------------------------------------

def open_tool_db(path: Path, tool: str, required: dict[str, set[str]]) -> tuple[sqlite3.Connection, dict]:
    """Open ``path`` read-only as the ``tool``'s SQLite database; returns it and its tables' columns.

    Raises InputError naming the file when it is missing, not SQLite, or lacks a required table or column.
    """
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        conn.row_factory = _text_rows(path, tool)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        columns = {n: {r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')} for n in names}
    except sqlite3.Error as exc:
        raise InputError(f"not a {tool} database (cannot read it as SQLite: {sqlite_problem(exc)})",
                         source=str(path)) from None
    problems = [f"no table {t}" if t not in columns else f"table {t} lacks {', '.join(sorted(c - columns[t]))}"
                for t, c in required.items() if t not in columns or c - columns[t]]
    if problems:
        conn.close()
        raise InputError(f"not a {tool} database: {'; '.join(problems)}", source=str(path))
    return conn, columns


def _text_rows(path: Path, tool: str) -> Any:
    """A row factory giving :class:`sqlite3.Row`s whose BLOB values are decoded as UTF-8 text (tools store
    text; a blob that is not UTF-8 is refused with InputError naming the file, never imported as junk)."""
    def factory(cursor: sqlite3.Cursor, row: tuple) -> sqlite3.Row:
        if any(isinstance(value, bytes) for value in row):
            try:
                row = tuple(v.decode("utf-8") if isinstance(v, bytes) else v for v in row)
            except UnicodeDecodeError:
                raise InputError(f"not a {tool} database (binary data where text was expected)",
                                 source=str(path)) from None
        return sqlite3.Row(cursor, row)
    return factory


def sqlite_problem(exc: sqlite3.Error) -> str:
    """SQLite's message on one short line (it may quote a whole undecodable text, newlines and all)."""
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:200] + "..."


def check_text_size(text: str, what: str, source: str) -> None:
    """Refuse (LimitError naming ``source``) a text longer than a transcript file may be."""
    if len(text) > MAX_SOURCE_CHARS:
        raise LimitError(f"{what} has {len(text):,} characters, more than the {MAX_SOURCE_CHARS:,} accepted",
                         source=source)


def canonical_map(raw: str) -> tuple[str, list[int]]:
    """``normalize_text(raw)`` and, for every boundary ``i`` of ``raw`` (0..len), its index in that text.

    Removed characters (BOM, the CR of CRLF, trailing spaces, trailing blank lines) map to where they would
    have been, so the span ``raw[s:e]`` becomes ``text[m[s]:m[e]]``.
    """
    n, chars = len(raw), list(raw)
    keep = [not (i == 0 and c == "\ufeff") and not (c == "\r" and raw[i + 1:i + 2] == "\n")
            for i, c in enumerate(raw)]
    lines: list[list[int]] = [[]]
    breaks: list[int] = []  # breaks[k] separates lines[k] and lines[k + 1]
    for i in (i for i in range(n) if keep[i]):
        if chars[i] in "\r\n":
            chars[i] = "\n"
            breaks.append(i)
            lines.append([])
        else:
            lines[-1].append(i)
    for line in lines:
        while line and chars[line[-1]].isspace():
            keep[line.pop()] = False
    while lines and not lines[-1]:
        lines.pop()
        if lines:
            keep[breaks.pop()] = False
    mapping = [0] * (n + 1)
    for i in range(n):
        mapping[i + 1] = mapping[i] + keep[i]
    text = "".join(c for c, k in zip(chars, keep) if k)
    if text != normalize_text(raw):  # pragma: no cover - guards the invariant
        raise ValueError("offset-preserving normalisation disagrees with normalize_text")
    return text, mapping


def resolve_code(session: Session, name: str, parents: list[str], *, description: str | None = None,
                 colour: str | None = None) -> tuple[Code | None, str | None]:
    """The project code for another tool's code ``name`` under the category path ``parents``.

    A technique number or label maps to the technique and an existing inductive code is reused; otherwise an
    inductive code is created under parent inductive codes named after ``parents``. Returns ``(None,
    reason)`` for a technique number that the project's taxonomies lack.
    """
    name = " ".join((name or "").split())
    code = find_code(session, name) if name else None
    if code is not None:
        return code, None
    if not name or is_technique_number(name.split(None, 1)[0]):
        return None, ("technique number not in the project's taxonomies" if name else "empty code name")
    parent = None
    for label in filter(None, (" ".join(p.split()) for p in parents)):
        try:
            add_inductive_code(session, label, parent=parent)
            parent = label
        except TaxonomyError:  # a category named like a technique number cannot be an inductive code
            parent = None
    return add_inductive_code(session, name, description=description or None, parent=parent,
                              colour=colour or None), None


def parse_time(value: Any) -> datetime | None:
    """A naive datetime from ISO-like text (``2024-05-01 10:20:30``; aware times become UTC), else None."""
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")) if value else None
        if parsed is not None and parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # not a time, or one that leaves the calendar in UTC
        return None
    return parsed


def store_document(session: Session, user: str, *, name: str, text: str, source: str, source_format: str,
                   memo: str | None, case: Case | None, skipped: list[dict],
                   matched: list[dict] | None = None, seen: set | None = None,
                   interviewer_labels: list[str] | None = None,
                   speakers: dict[str, list[dict]] | None = None) -> Placement | None:
    """Store canonical ``text`` with its speaker turns, or find the project's copy of it.

    A document already in the project is matched by its canonical text first (any name), then by name; a
    match gets the import's case link when it has none, is listed in ``matched``, and its codings join ``seen``
    so that importing the same codings again adds nothing. Returns None (and says why in ``skipped``) for an
    empty or unreadable text. A new document's speakers (turns, interviewer, guessed or not) go to
    ``speakers``; ``interviewer_labels`` names the interviewer (default: the usual labels, else a guess)."""
    item = f"document {name!r}"
    if "\x00" in text:  # as for a transcript file: NUL characters mean binary content, not a text
        skipped.append({"item": item, "reason": "not a text (binary content: NUL characters)"})
        return None
    try:
        transcript = parse_text(text, source=source, source_format="txt", interviewer_labels=interviewer_labels,
                                participant=case.key if case is not None else None)
    except TranscriptError as exc:
        skipped.append({"item": item, "reason": exc.reason})
        return None
    existing, how = find_existing(session, transcript.sha256, name)
    if existing is not None:
        if case is not None and existing.case_id is None:
            existing.case_id = case.id
        if matched is not None:
            matched.append({"document": existing.name, "imported_as": name, "matched_by": how})
        if seen is not None:
            seen.update(coding_keys(session, existing.id))
        return Placement(existing, how, transcript.text)
    doc = Document(name=name, case_id=case.id if case else None, text=transcript.text, sha256=transcript.sha256,
                   source_format=source_format, source_path=source, layout=transcript.layout, memo=memo or None)
    session.add(doc)
    session.flush()
    session.add_all(Turn(document_id=doc.id, start=t.start, end=t.end, speaker=t.speaker,
                         is_interviewee=t.is_interviewee, timestamp=t.timestamp) for t in transcript.turns)
    log_event(session, user, EventType.DOCUMENT_IMPORT, document=name, file=source, sha256=transcript.sha256,
              case=case.key if case else None, turns=len(transcript.turns))
    if speakers is not None:
        speakers[name] = transcript.speaker_summary()
    return Placement(doc, "new", transcript.text)


def add_imported_coding(session: Session, doc: Document, span: tuple[int, int], code: Code, coder: str, *,
                        item: str, report: dict[str, Any], seen: set, when: datetime | None = None,
                        memo: str | None = None, exemplar: bool = False) -> None:
    """Add one manual coding (skipping empty and duplicate spans) and count it in ``report``."""
    start, end = span
    quote = doc.text[start:end]
    start, end = start + len(quote) - len(quote.lstrip()), end - len(quote) + len(quote.rstrip())
    key = (doc.id, start, end, code.id, coder)
    reason = "the selection is only whitespace" if start >= end else \
        "duplicate of another coding (same span, code, coder)" if key in seen else None
    if reason:
        report["skipped"].append({"item": item, "reason": reason})
        return
    seen.add(key)
    times = {"created_at": when, "updated_at": when} if when else {}
    session.add(Coding(document_id=doc.id, start=start, end=end, code_id=code.id,
                       coder_id=get_coder(session, coder).id, origin="manual", memo=memo or None,
                       exemplar=bool(exemplar), **times))
    report["codings"] += 1
    if coder not in report["coders"]:
        report["coders"].append(coder)


# -- QualCoder ---------------------------------------------------------------------------------------------

def _qt_positions(text: str) -> dict[int, int]:
    """Qt cursor position → code-point index (Qt counts UTF-16 units, and a CRLF pair as one position)."""
    positions, unit = {0: 0}, 0
    for i, c in enumerate(text):
        if not (c == "\r" and text[i + 1:i + 2] == "\n"):
            unit += 2 if ord(c) > 0xFFFF else 1
        positions.setdefault(unit, i + 1)
    return positions


def _loose(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n").replace("\u2028", "\n")


def locate_selection(text: str, qt: dict[int, int], pos0: Any, pos1: Any,
                     seltext: str | None) -> tuple[tuple[int, int] | None, str | None]:
    """The code-point span of a QualCoder selection in raw ``fulltext``, or ``(None, reason)``."""
    try:
        pos0, pos1 = int(pos0), int(pos1)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite REAL
        return None, f"offsets {pos0!r}-{pos1!r} are not numbers"
    candidates = [(pos0, pos1)] if 0 <= pos0 < pos1 <= len(text) else []
    if qt.get(pos0) is not None and qt.get(pos1) is not None:
        if qt[pos0] < qt[pos1] and (qt[pos0], qt[pos1]) not in candidates:
            candidates.append((qt[pos0], qt[pos1]))
    if not candidates:
        return None, f"offsets {pos0}-{pos1} are outside the text (0-{len(text)})"
    if not seltext or not seltext.strip():
        return candidates[0], None
    want = _loose(seltext)
    for match in (lambda a: _loose(a) == want, lambda a: same_quote(a, want)):
        for s, e in candidates:
            if match(text[s:e]):
                return (s, e), None
    return None, f"seltext does not match the text at {pos0}-{pos1}"


def _category_path(catid: Any, cats: dict[int, sqlite3.Row]) -> list[str]:
    path, seen = [], set()
    while catid in cats and catid not in seen:
        seen.add(catid)
        path.append(cats[catid]["name"] or "")
        catid = cats[catid]["supercatid"]
    return path[::-1]


def _attribute_type(valuetype: str | None, values: list[str]) -> str:
    filled = [v.strip() for v in values if (v or "").strip() and v.strip().casefold() not in DECLINED_MARKERS]
    return "text" if (valuetype or "").lower() != "numeric" else "integer" if filled and all(
        v.lstrip("+-").isdigit() for v in filled) else "number"


def _import_cases(session: Session, conn: sqlite3.Connection, columns: dict, default_role: str,
                  report: dict[str, Any]) -> dict[int, Case]:
    """Create (or reuse, unchanged) the project's cases for QualCoder's cases; returns caseid → Case."""
    if "cases" not in columns:
        return {}
    skipped, attrs, types = report["skipped"], [], {}
    if {"attribute", "attribute_type"} <= set(columns):
        attrs = list(conn.execute("SELECT name, value, id FROM attribute WHERE attr_type = 'case'"))
        types = {r["name"]: r["valuetype"] for r in conn.execute("SELECT name, valuetype FROM attribute_type")
                 } if {"name", "valuetype"} <= columns["attribute_type"] else {}
        n_file = conn.execute("SELECT count(*) FROM attribute WHERE attr_type = 'file'").fetchone()[0]
        if n_file:
            skipped.append({"item": f"{n_file} file attribute value(s)", "reason": "file attributes are not imported"})
    by_case: dict[int, dict[str, str]] = {}
    for row in attrs:
        by_case.setdefault(row["id"], {})[row["name"]] = row["value"] or ""
    roles = dict(get_meta(session, "roles", DEFAULT_ROLES))
    cases: dict[int, Case] = {}
    for row in conn.execute("SELECT caseid, name, memo FROM cases ORDER BY caseid"):
        key = " ".join((row["name"] or "").split())
        existing = session.scalar(select(Case).where(Case.key == key)) if key else None
        if existing is not None:
            cases[row["caseid"]], report["cases_existing"] = existing, report["cases_existing"] + 1
        if not key or existing is not None:
            skipped.extend([] if key else [{"item": f"case {row['caseid']}", "reason": "case has no name"}])
            continue
        values = by_case.get(row["caseid"], {})
        cell = next((v.strip() for n, v in values.items() if n.strip().casefold() == "role" and v.strip()), "")
        role = (normalise_role(cell, roles) if cell else None) or cell or default_role
        if role not in roles:
            roles[role] = "Role not recorded in the imported project" if role == UNKNOWN_ROLE else role
            set_meta(session, "roles", roles)
            report["roles_added"].append(role)
        case = Case(key=key, role=role, memo=row["memo"] or None)
        session.add(case)
        session.flush()
        cases[row["caseid"]] = case
        report["cases"] += 1
        for name, value in values.items():
            if name.strip().casefold() == "role":
                continue
            attr = session.scalar(select(Attribute).where(Attribute.name == name))
            if attr is None:
                type_ = _attribute_type(types.get(name), [r["value"] for r in attrs if r["name"] == name])
                attr = Attribute(name=name, type=type_,
                                 position=session.scalar(select(func.count()).select_from(Attribute)))
                session.add(attr)
                session.flush()
            try:
                set_value(session, case, attr, value, source=f"case {key!r}")
            except InputError as exc:
                skipped.append({"item": f"case {key!r} attribute {name!r}", "reason": exc.reason})
    session.flush()
    return cases


def import_qualcoder(session: Session, path: str | Path, *, user: str, default_role: str = UNKNOWN_ROLE,
                     interviewer_labels: list[str] | None = None) -> dict[str, Any]:
    """Import a QualCoder project folder (or its ``data.qda``) in the caller's transaction.

    Returns ``{source, tool, database_version, documents, documents_matched, cases, cases_existing, roles_added,
    codes_mapped, codes_created, codings, coders, speakers, skipped: [{item, reason}]}``. Documents already in
    the project (same canonical text, else same name) are matched and get the codings. A file that is not a
    QualCoder database raises InputError naming it before anything is stored.
    """
    path = Path(path)
    db = path / "data.qda" if path.is_dir() else path
    conn, columns = open_tool_db(db, "QualCoder", _REQUIRED)
    try:
        return _import(session, conn, columns, db, user, default_role, interviewer_labels)
    except sqlite3.Error as exc:
        raise InputError(f"cannot read the QualCoder database: {sqlite_problem(exc)}", source=str(db)) from None
    except (TypeError, AttributeError) as exc:  # a value of another type than QualCoder writes (no affinity)
        raise InputError(f"not a QualCoder database (a value of an unexpected type: {exc})", source=str(db)) from None
    finally:
        conn.close()


def _import(session: Session, conn: sqlite3.Connection, columns: dict, db: Path, user: str,
            default_role: str, interviewer_labels: list[str] | None) -> dict[str, Any]:
    version = conn.execute("SELECT databaseversion FROM project").fetchone()
    report: dict[str, Any] = {"source": str(db), "tool": "QualCoder", "database_version": version[0] if version
                              else None, "documents": 0, "documents_matched": [], "cases": 0, "cases_existing": 0,
                              "roles_added": [], "speakers": {},
                              "codes_mapped": 0, "codes_created": 0, "codings": 0, "coders": [], "skipped": []}
    skipped, codes_before = report["skipped"], session.execute(select(func.count()).select_from(Code)).scalar_one()
    cases = _import_cases(session, conn, columns, default_role, report)

    cats = {r["catid"]: r for r in conn.execute("SELECT catid, name, supercatid FROM code_cat")}
    color = ", color" if "color" in columns["code_name"] else ""
    codes: dict[int, Code] = {}
    for row in conn.execute(f"SELECT cid, name, memo, catid{color} FROM code_name ORDER BY cid"):
        existed = find_code(session, " ".join((row["name"] or "").split())) is not None
        code, reason = resolve_code(session, row["name"], _category_path(row["catid"], cats),
                                    description=row["memo"], colour=row["color"] if color else None)
        if code is None:
            skipped.append({"item": f"code {row['name']!r}", "reason": reason})
        else:
            codes[row["cid"]] = code
            report["codes_mapped"] += existed

    links: dict[int, set[int]] = {}
    for r in conn.execute("SELECT caseid, fid FROM case_text") if "case_text" in columns else ():
        if r["caseid"] in cases:
            links.setdefault(r["fid"], set()).add(r["caseid"])
    important = ", important" if "important" in columns["code_text"] else ""
    by_source: dict[int, list[sqlite3.Row]] = {}
    for r in conn.execute(f"SELECT rowid AS ctid, cid, fid, seltext, pos0, pos1, owner, date, memo{important} "
                          "FROM code_text ORDER BY fid, pos0, pos1, cid"):
        by_source.setdefault(r["fid"], []).append(r)

    seen: set = set()
    for src in conn.execute("SELECT id, name, fulltext, memo FROM source ORDER BY id").fetchall():
        rows = by_source.pop(src["id"], [])
        lost = f"; {len(rows)} coding(s) not imported" if rows else ""
        if src["fulltext"] is None or not str(src["fulltext"]).strip():
            skipped.append({"item": f"source {src['name']!r}", "reason": "not a text source" + lost})
            continue
        raw = str(src["fulltext"])
        check_text_size(raw, f"source {src['name']!r}", str(db))
        text, mapping = canonical_map(raw)
        name = (src["name"] or "").strip() or f"source{src['id']}"
        name = Path(name).stem if Path(name).suffix.lower() in DOC_SUFFIXES and Path(name).stem else name
        linked = sorted(links.get(src["id"], set()))
        if len(linked) > 1:
            skipped.append({"item": f"link of document {name!r} to a case", "reason": "several cases cover it ("
                            + ", ".join(cases[c].key for c in linked) + "); left unlinked"})
        case = cases[linked[0]] if len(linked) == 1 else None if linked else match_case(session, name)
        placed = store_document(session, user, name=name, text=text, source=f"{db}#source={src['id']}",
                                source_format="qualcoder", memo=src["memo"], case=case, skipped=skipped,
                                matched=report["documents_matched"], seen=seen,
                                interviewer_labels=interviewer_labels, speakers=report["speakers"])
        if placed is None:
            if rows:
                skipped.append({"item": f"source {src['name']!r}", "reason": "document not imported" + lost})
            continue
        doc = placed.document
        report["documents"] += placed.how == "new"
        qt = _qt_positions(raw)
        for r in rows:
            item = f"coding {r['ctid']} in {name!r}"
            span, reason = (None, f"its code (cid {r['cid']}) was not imported") if r["cid"] not in codes else \
                locate_selection(raw, qt, r["pos0"], r["pos1"], r["seltext"])
            where = placed.span(mapping[span[0]], mapping[span[1]]) if span is not None else reason
            if not isinstance(where, tuple):
                skipped.append({"item": item, "reason": where})
                continue
            add_imported_coding(session, doc, where, codes[r["cid"]],
                                " ".join((r["owner"] or "").split()) or FALLBACK_CODER, item=item, report=report,
                                seen=seen, when=parse_time(r["date"]), memo=r["memo"],
                                exemplar=bool(r["important"]) if important else False)
    for fid, rows in by_source.items():
        skipped.append({"item": f"{len(rows)} coding(s) of source id {fid}", "reason": "no such source"})
    session.flush()
    report["codes_created"] = session.execute(select(func.count()).select_from(Code)).scalar_one() - codes_before
    report["coders"] = sorted(report["coders"])
    log_event(session, user, EventType.QUALCODER_IMPORT, file=str(db), database_version=report["database_version"],
              documents=report["documents"], cases=report["cases"], codings=report["codings"],
              codes_created=report["codes_created"], skipped=len(skipped))
    return report
