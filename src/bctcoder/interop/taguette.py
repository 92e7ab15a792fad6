"""Import Taguette projects (a ``taguette.sqlite3`` database or a project exported as SQLite).

Schema followed: ``taguette/database/models.py`` of remram44/taguette (Taguette 1.x, as created by
``Base.metadata.create_all``), including the optional ``tags.parent_id`` of migration ``63d7ca28fc0c``.
Required: ``projects(id, name)``, ``documents(id, name, project_id, contents)``, ``highlights(id,
document_id, start_offset, end_offset, snippet)``, ``tags(id, project_id, path)`` and ``highlight_tags(
highlight_id, tag_id)``; ``documents.description``, ``tags.description``, ``tags.parent_id``,
``project_members`` and ``commands`` are used when present.

Offsets. ``documents.contents`` is HTML; a highlight's ``start_offset``/``end_offset`` count UTF-8 bytes of
the document's text nodes, tags excluded and entities decoded (``find_pos`` in ``taguette/extract.py``;
``describePos``/``lengthUTF8`` in ``taguette/static/js/taguette.js``). The HTML is parsed with lxml (CRLF
first turned into LF, as HTML parsers do) and converted to plain text: whitespace runs collapse to one
space, block elements (paragraphs, headings, list items, table cells...) and ``<br>`` end lines, and
``<pre>`` keeps its whitespace. Every output character remembers the byte offset of its source character,
so a highlight maps to the characters whose bytes it covers (a start inside a character moves forward to
the next one, as Taguette's ``split_utf8`` does), then onto the canonical text (:func:`canonical_map`).

Mapping. Each (highlight, tag) pair becomes a manual coding. A tag path is split on ``/`` into categories
and a code (``BCT/3.1 Social support``: the code ``3.1 Social support`` under ``BCT``), with ancestors from
``parent_id`` first; codes are resolved as in the QualCoder import (technique number or label, else an
inductive code under parent inductive codes). The coder is the user of the last ``highlight_add`` command of
the highlight (who last set its tags), else the project's only member, else ``taguette``; ``coder=`` forces
one. A highlight is skipped when its stored ``snippet`` (HTML, converted the same way) does not end with the
quote, whitespace ignored: snippets equal the quote, except that Taguette's ``extract`` run with
BeautifulSoup 4.12 or newer keeps the text left of the start in them. Documents are linked to the case whose
key equals their name, when there is one.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_left
from pathlib import Path
from typing import Any

from lxml import etree, html
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bctcoder.coding.events import EventType, log_event
from bctcoder.corpus.importer import match_case
from bctcoder.errors import InputError
from bctcoder.interop.placement import Placement
from bctcoder.interop.qualcoder import (
    DOC_SUFFIXES,
    add_imported_coding,
    canonical_map,
    check_text_size,
    open_tool_db,
    parse_time,
    resolve_code,
    sqlite_problem,
    store_document,
)
from bctcoder.store.models import Code
from bctcoder.taxonomy.service import find_code

FALLBACK_CODER = "taguette"
_REQUIRED = {"projects": {"id", "name"}, "documents": {"id", "name", "project_id", "contents"},
             "highlights": {"id", "document_id", "start_offset", "end_offset", "snippet"},
             "tags": {"id", "project_id", "path"}, "highlight_tags": {"highlight_id", "tag_id"}}
_BLOCKS = frozenset("address article aside blockquote caption dd div dl dt figcaption figure footer h1 h2 h3 "
                    "h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split())
_HIDDEN = frozenset({"head", "title", "script", "style", "template"})  # text Taguette counts but never shows
_PRE = frozenset({"pre", "listing", "textarea"})
_HTML_SPACE = " \t\n\f\r"


class HtmlText:
    """Plain text of an HTML document with, for each character, the UTF-8 byte offset Taguette gives it."""

    def __init__(self, markup: str) -> None:
        self.chars: list[str] = []
        self.bytes_at: list[int | None] = []  # None for line breaks the conversion inserts
        self.size = 0
        root = html.document_fromstring(markup.replace("\r\n", "\n").replace("\r", "\n"))
        self._walk(root, pre=False, hidden=False)

    @property
    def text(self) -> str:
        """The converted text (not yet canonical: trailing spaces may remain)."""
        return "".join(self.chars)

    def _break(self, hard: bool = False) -> None:
        if hard or (self.chars and self.chars[-1] != "\n"):
            self.chars.append("\n")
            self.bytes_at.append(None)

    def _data(self, data: str, pre: bool, hidden: bool) -> None:
        for c in data:
            if not hidden and (pre or c not in _HTML_SPACE):
                self.chars.append(c)
                self.bytes_at.append(self.size)
            elif not hidden and self.chars and self.chars[-1] not in " \n":
                self.chars.append(" ")
                self.bytes_at.append(self.size)
            self.size += len(c.encode("utf-8"))

    def _walk(self, el: Any, pre: bool, hidden: bool) -> None:
        if isinstance(el.tag, str):  # comments and processing instructions are not text nodes
            tag = el.tag.lower()
            inner_pre, inner_hidden = pre or tag in _PRE, hidden or tag in _HIDDEN
            if tag in _BLOCKS or tag == "br":
                self._break(hard=tag == "br")
            text = el.text or ""
            self._data(text[1:] if tag in _PRE and text.startswith("\n") else text, inner_pre, inner_hidden)
            for child in el:
                self._walk(child, inner_pre, inner_hidden)
            if tag in _BLOCKS:
                self._break()
        self._data(el.tail or "", pre, hidden)


def html_to_text(markup: str) -> str:
    """The plain text of an HTML fragment (as used for Taguette snippets)."""
    try:
        return HtmlText(markup).text if markup and markup.strip() else ""
    except (etree.ParserError, ValueError, RecursionError):
        return ""


class ByteMap:
    """Maps Taguette byte offsets of one document onto its canonical text."""

    def __init__(self, converted: HtmlText) -> None:
        self.text, self._mapping = canonical_map(converted.text)
        self._index = [i for i, b in enumerate(converted.bytes_at) if b is not None]
        self._bytes = [b for b in converted.bytes_at if b is not None]
        self._raw_len = len(converted.chars)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Canonical ``(start, end)`` of the characters whose bytes lie in ``[start, end)``."""
        first = bisect_left(self._bytes, start)
        last = bisect_left(self._bytes, end) - 1
        raw_start = self._index[first] if first < len(self._index) else self._raw_len
        raw_end = self._index[last] + 1 if last >= 0 else 0
        return self._mapping[raw_start], self._mapping[max(raw_start, raw_end)]


def _tag_paths(conn: sqlite3.Connection, columns: dict) -> dict[int, tuple[int, list[str], str, str]]:
    """tag id → (project id, categories, code name, description)."""
    has_parent, has_desc = "parent_id" in columns["tags"], "description" in columns["tags"]
    extra = (", parent_id" if has_parent else "") + (", description" if has_desc else "")
    rows = {r["id"]: r for r in conn.execute(f"SELECT id, project_id, path{extra} FROM tags")}
    out = {}
    for tag_id, row in rows.items():
        ancestors: list[str] = []
        parent, seen = row["parent_id"] if has_parent else None, {tag_id}
        while parent in rows and parent not in seen:
            seen.add(parent)
            ancestors.insert(0, rows[parent]["path"] or "")
            parent = rows[parent]["parent_id"]
        parts = [p for p in (row["path"] or "").split("/") if p.strip()] or [""]
        out[tag_id] = (row["project_id"], ancestors + parts[:-1], parts[-1], row["description"] if has_desc else "")
    return out


def _authors(conn: sqlite3.Connection, columns: dict) -> dict[int, tuple[str, str]]:
    """highlight id → (user login, date) of the last ``highlight_add`` command, when commands exist."""
    if not {"user_login", "payload", "date"} <= columns.get("commands", set()):
        return {}
    out = {}
    for row in conn.execute("SELECT user_login, date, payload FROM commands "
                            "WHERE payload LIKE '%highlight_add%' ORDER BY id"):
        try:
            payload = json.loads(row["payload"])
        except (TypeError, ValueError):
            continue
        if isinstance(payload, dict) and payload.get("type") == "highlight_add" \
                and isinstance(payload.get("highlight_id"), int):
            out[payload["highlight_id"]] = (row["user_login"], row["date"])
    return out


def import_taguette(session: Session, path: str | Path, *, user: str, project_id: int | None = None,
                    coder: str | None = None, interviewer_labels: list[str] | None = None) -> dict[str, Any]:
    """Import one Taguette project (``project_id``) or all of them, in the caller's transaction.

    Returns ``{source, tool, projects, documents, documents_matched, documents_linked, cases, codes_mapped,
    codes_created, codings, coders, speakers, skipped: [{item, reason}]}``. A file that is not a Taguette
    database raises InputError naming it before anything is stored.
    """
    db = Path(path)
    conn, columns = open_tool_db(db, "Taguette", _REQUIRED)
    try:
        projects = [dict(r) for r in conn.execute("SELECT id, name FROM projects ORDER BY id")]
        if project_id is not None:
            projects = [p for p in projects if p["id"] == project_id]
            if not projects:
                raise InputError(f"no Taguette project with id {project_id}", source=str(db))
        return _import(session, conn, columns, db, user, projects, coder, interviewer_labels)
    except sqlite3.Error as exc:
        raise InputError(f"cannot read the Taguette database: {sqlite_problem(exc)}", source=str(db)) from None
    except (TypeError, AttributeError) as exc:  # a value of another type than Taguette writes (no affinity)
        raise InputError(f"not a Taguette database (a value of an unexpected type: {exc})", source=str(db)) from None
    finally:
        conn.close()


def _import(session: Session, conn: sqlite3.Connection, columns: dict, db: Path, user: str,
            projects: list[dict], forced_coder: str | None, interviewer_labels: list[str] | None) -> dict[str, Any]:
    report: dict[str, Any] = {"source": str(db), "tool": "Taguette", "projects": [p["name"] for p in projects],
                              "documents": 0, "documents_matched": [], "documents_linked": 0, "cases": 0,
                              "codes_mapped": 0, "speakers": {},
                              "codes_created": 0, "codings": 0, "coders": [], "skipped": []}
    skipped, codes_before = report["skipped"], session.execute(select(func.count()).select_from(Code)).scalar_one()
    tags, authors = _tag_paths(conn, columns), _authors(conn, columns)
    codes: dict[int, Code] = {}
    wanted = {p["id"] for p in projects}
    for tag_id, (tag_project, parents, name, description) in tags.items():
        if tag_project not in wanted:
            continue
        existed = bool(name.strip()) and find_code(session, " ".join(name.split())) is not None
        code, reason = resolve_code(session, name, parents, description=description)
        if code is None:
            skipped.append({"item": f"tag {'/'.join(parents + [name])!r}", "reason": reason})
        else:
            codes[tag_id] = code
            report["codes_mapped"] += existed
    tags_of: dict[int, list[int]] = {}
    for row in conn.execute("SELECT highlight_id, tag_id FROM highlight_tags ORDER BY highlight_id, tag_id"):
        tags_of.setdefault(row["highlight_id"], []).append(row["tag_id"])
    members: dict[int, list[str]] = {}
    if {"project_id", "user_login"} <= columns.get("project_members", set()):
        for row in conn.execute("SELECT project_id, user_login FROM project_members ORDER BY user_login"):
            members.setdefault(row["project_id"], []).append(row["user_login"])
    description = ", description" if "description" in columns["documents"] else ""
    seen: set = set()
    for project in projects:
        only = members.get(project["id"], [])
        default_coder = only[0] if len(only) == 1 else FALLBACK_CODER
        for doc_row in conn.execute(f"SELECT id, name, contents{description} FROM documents "
                                    "WHERE project_id = ? ORDER BY id", (project["id"],)).fetchall():
            highlights = conn.execute("SELECT id, start_offset, end_offset, snippet FROM highlights "
                                      "WHERE document_id = ? ORDER BY start_offset, id", (doc_row["id"],)).fetchall()
            name = (doc_row["name"] or "").strip() or f"document{doc_row['id']}"
            name = Path(name).stem if Path(name).suffix.lower() in DOC_SUFFIXES and Path(name).stem else name
            lost = f"; {len(highlights)} highlight(s) not imported" if highlights else ""
            check_text_size(doc_row["contents"] or "", f"document {name!r}", str(db))
            try:
                bytemap = ByteMap(HtmlText(doc_row["contents"] or ""))
            except (etree.ParserError, ValueError, RecursionError) as exc:
                skipped.append({"item": f"document {name!r}", "reason": f"unreadable HTML ({exc}){lost}"})
                continue
            case = match_case(session, name)
            placed = store_document(session, user, name=name, text=bytemap.text,
                                    source=f"{db}#document={doc_row['id']}", source_format="taguette",
                                    memo=doc_row["description"] if description else None, case=case,
                                    skipped=skipped, matched=report["documents_matched"], seen=seen,
                                    interviewer_labels=interviewer_labels, speakers=report["speakers"])
            if placed is None:
                if highlights:
                    skipped.append({"item": f"highlights of {name!r}", "reason": "document not imported" + lost})
                continue
            report["documents"] += placed.how == "new"
            report["documents_linked"] += case is not None and placed.how == "new"
            for hl in highlights:
                tagged = tags_of.get(hl["id"], [])
                _add_highlight(session, placed, bytemap, hl, [codes[t] for t in tagged if t in codes], len(tagged),
                               forced_coder, authors, default_coder, report, seen)
    session.flush()
    report["codes_created"] = session.execute(select(func.count()).select_from(Code)).scalar_one() - codes_before
    report["coders"] = sorted(report["coders"])
    log_event(session, user, EventType.TAGUETTE_IMPORT, file=str(db), projects=report["projects"],
              documents=report["documents"], codings=report["codings"], codes_created=report["codes_created"],
              skipped=len(skipped))
    return report


def _add_highlight(session: Session, placed: Placement, bytemap: ByteMap, hl: sqlite3.Row, codes: list[Code],
                   n_tags: int, forced_coder: str | None, authors: dict, default_coder: str,
                   report: dict[str, Any], seen: set) -> None:
    """Turn one highlight into codings (one per imported tag), or report why not."""
    doc = placed.document
    item = f"highlight {hl['id']} in {doc.name!r}"
    try:
        start_byte, end_byte = int(hl["start_offset"]), int(hl["end_offset"])
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite REAL
        report["skipped"].append({"item": item, "reason": "offsets are not numbers"})
        return
    start, end = bytemap.span(start_byte, end_byte)
    quote = bytemap.text[start:end]
    snippet = "".join(html_to_text(hl["snippet"] or "").split())
    reason = ("it has no tags" if not n_tags else "none of its tags was imported" if not codes
              else f"byte offsets {start_byte}-{end_byte} select no text" if not quote.strip()
              else "its snippet does not match the text at its offsets"
              if snippet and not snippet.endswith("".join(quote.split())) else None)
    if reason:
        report["skipped"].append({"item": item, "reason": reason})
        return
    where = placed.span(start, end)
    if not isinstance(where, tuple):
        report["skipped"].append({"item": item, "reason": where})
        return
    login, date = authors.get(hl["id"], (None, None))
    coder = " ".join((forced_coder or login or default_coder).split()) or FALLBACK_CODER
    for code in codes:
        add_imported_coding(session, doc, where, code, coder, item=item, report=report, seen=seen,
                            when=parse_time(date))
