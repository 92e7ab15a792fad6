"""Codebook tables (CSV, XLSX) in and out, and the code mapping every codebook import shares.

A table has the columns ``id``, ``label``, ``group``, ``description`` (exports add ``kind``, ``cues``
joined with ``"; "`` and ``official_definition``): techniques with their number as id and
``"<group number> <group label>"`` as group, inductive codes with their label as id and parent code
as group, parents first. Imports (tables here, ``.qdc`` in :mod:`bctcoder.interop.refi.codebook`)
never change the taxonomy: a name starting with a technique number ("3.1", "BCT 3.1: ...") or matching
a technique label (case, spacing, punctuation, US/UK spelling, small typos) maps to that technique;
anything else becomes an inductive code. Functions run in the caller's transaction, never commit.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.coding.events import EventType, log_event
from bctcoder.corpus.safe_archive import SafeArchive
from bctcoder.errors import InputError
from bctcoder.file_errors import cannot_write
from bctcoder.spreadsheet_safety import SafeCsvWriter, append_xlsx_row, csv_text
from bctcoder.store.models import Code, CodeGroup
from bctcoder.taxonomy.code_index import code_index
from bctcoder.taxonomy.codebook import CodebookEntry, read_codebook
from bctcoder.taxonomy.numbers import is_technique_number, number_key
from bctcoder.taxonomy.service import add_inductive_code, find_code, normalise_label

__all__ = ["TABLE_COLUMNS", "code_name", "codebook_table_rows", "ensure_inductive", "export_codebook_table",
           "import_codebook_table", "inductive_label", "leading_technique_number", "match_group",
           "match_technique", "ordered_codes", "read_codebook_table", "write_atomic"]

TABLE_COLUMNS = ("id", "label", "group", "description", "kind", "cues", "official_definition")
"""Columns of an exported codebook table, in order."""

_NUMBER_PREFIX = re.compile(
    r"^\s*(?:BCTs?\s*[-:#.]?\s*)?(\d{1,3})\.(\d{1,3})(?=$|[\s:;,)\]\-\u2013\u2014/]|\.(?!\d))", re.IGNORECASE)
_GROUP_PREFIX = re.compile(r"^\s*(?:group\s*)?(\d{1,3})(?:\s*[.:)\-\u2013\u2014]\s*|\s+|$)(.*)$", re.IGNORECASE)


def leading_technique_number(name: str | None) -> str | None:
    """The technique number a code name starts with ("3.1", "03.01 x", "BCT 3.1: x"), canonical; else None."""
    match = _NUMBER_PREFIX.match(name or "")
    return f"{int(match.group(1))}.{int(match.group(2))}" if match else None


def match_technique(session: Session, name: str | None) -> tuple[Code | None, str | None]:
    """The technique a code name stands for and how it was found (``"number"`` or ``"label"``).

    A leading technique number wins; otherwise the whole name, then the name
    without an unknown number prefix, is compared with technique labels
    (normalised; then a close spelling match that is clearly better than any
    other label). Returns ``(None, None)`` when nothing matches.
    """
    name = (name or "").strip()
    if not name:
        return None, None
    index = code_index(session)  # attached to the session: find_code below answers from it too
    number = leading_technique_number(name)
    if number is not None:
        code = find_code(session, number, kinds=("technique",))
        if code is not None:
            return code, "number"
    candidates = [name]
    if number is not None:
        rest = _NUMBER_PREFIX.sub("", name, count=1).strip(" :;,.-\u2013\u2014/)]")
        if rest:
            candidates.append(rest)
    for candidate in candidates:
        if not is_technique_number(candidate.split(None, 1)[0]):
            code = find_code(session, candidate, kinds=("technique",))
            if code is not None:
                return code, "label"
    code = next(filter(None, (index.fuzzy_technique(c) for c in candidates)), None)
    return (code, "label") if code is not None else (None, None)


def match_group(session: Session, name: str | None) -> CodeGroup | None:
    """The taxonomy group a name stands for: "3 Social support", "Group 3: ...", "3", or the group label."""
    name = (name or "").strip()
    if not name:
        return None
    index = code_index(session)
    match = _GROUP_PREFIX.match(name)
    if match:
        rest = normalise_label(match.group(2))
        for group in index.groups_numbered(str(int(match.group(1)))):
            if not rest or rest == normalise_label(group.label):
                return group
        return None
    return index.group_labelled(name)


def inductive_label(name: str | None) -> tuple[str | None, str | None]:
    """``(label, None)``: the label a code name gets as an inductive code; ``(None, reason)`` if it cannot.

    Inductive codes may not look like technique numbers, so a name starting with a
    number missing from the taxonomy, "18.1 Foo", becomes "Foo (18.1)" (as the
    REFI project import does); a bare "18.1" becomes "code 18.1".
    """
    label = (name or "").strip()
    if not label:
        return None, "the code has no name"
    head, *rest = label.split(None, 1)
    if is_technique_number(head):
        label = f"{rest[0]} ({head})" if rest else f"code {head}"
        if is_technique_number(label.split(None, 1)[0]):
            return None, f"{name!r} looks like technique numbers missing from this project's taxonomies"
    return label, None


def ensure_inductive(session: Session, label: str, *, description: str | None = None, colour: str | None = None,
                     parent_id: int | None = None) -> tuple[Code, bool]:
    """The inductive code with this label, created (under ``parent_id``) when missing; ``(code, created)``.

    An existing code is returned unchanged. Get ``label`` from :func:`inductive_label`.
    """
    existing = find_code(session, label, kinds=("inductive",))
    if existing is not None:
        return existing, False
    code = add_inductive_code(session, label, description=description or None, colour=colour,
                              parent_id=parent_id)
    return code, code.kind == "inductive"  # else the label is a technique's after all


def ordered_codes(session: Session) -> tuple[list[Code], list[tuple[Code, int]]]:
    """Techniques in taxonomy order, and inductive codes in tree order as ``(code, depth)``, parents first.

    Inductive codes whose parent is a technique or missing are roots; a (corrupt)
    cycle of parents is broken where it is first met.
    """
    codes = list(session.scalars(select(Code)))
    techniques = sorted((c for c in codes if c.kind == "technique"), key=_technique_key)
    inductive = sorted((c for c in codes if c.kind == "inductive"), key=lambda c: (c.label.casefold(), c.id))
    ids = {c.id for c in inductive}
    children: dict[int | None, list[Code]] = {}
    for code in inductive:
        children.setdefault(code.parent_id if code.parent_id in ids else None, []).append(code)
    out: list[tuple[Code, int]] = []
    seen: set[int] = set()

    def walk(code: Code, depth: int) -> None:
        seen.add(code.id)
        out.append((code, depth))
        for child in children.get(code.id, []):
            if child.id not in seen:
                walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    for code in inductive:  # codes caught in a parent cycle
        if code.id not in seen:
            walk(code, 0)
    return techniques, out


def _technique_key(code: Code) -> tuple:
    """Taxonomy, group position, then technique number."""
    group = code.group
    return (code.taxonomy_id or 0, group.position if group else 10**6, number_key(code.number), code.id)


def code_name(code: Code) -> str:
    """How a code is named in exchange files: ``"<number> <label>"`` for techniques, the label otherwise."""
    return f"{code.number} {code.label}" if code.kind == "technique" and code.number else code.label


def codebook_table_rows(session: Session) -> list[dict[str, str]]:
    """The project's codebook as table rows (see :data:`TABLE_COLUMNS`)."""
    techniques, inductive = ordered_codes(session)
    rows = []
    for code in techniques:
        group = code.group
        rows.append(_table_row(code, f"{group.number} {group.label}" if group else ""))
    for code, _depth in inductive:
        parent = session.get(Code, code.parent_id) if code.parent_id is not None else None
        rows.append(_table_row(code, code_name(parent) if parent is not None else ""))
    return rows


def _table_row(code: Code, group: str) -> dict[str, str]:
    """One exported table row."""
    cues = json.loads(code.cues) if code.cues else []
    return {"id": code.number if code.kind == "technique" and code.number else code.label,
            "label": code.label, "group": group, "description": code.description or "", "kind": code.kind,
            "cues": "; ".join(str(c) for c in cues), "official_definition": code.official_definition or ""}


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write bytes via ``NAME.part`` and a rename, so no reader sees half a file; InputError if impossible."""
    path, tmp = Path(path), Path(path).with_name(Path(path).name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise cannot_write(exc, path) from exc
    return path


def export_codebook_table(session: Session, path: str | Path, format: str | None = None, *,
                          raw: bool = False) -> dict[str, Any]:
    """Write the codebook as CSV (UTF-8) or XLSX, atomically; ``format`` defaults from the suffix. Text a
    spreadsheet would run as a formula is guarded (:mod:`bctcoder.spreadsheet_safety`; in CSV unless ``raw``).

    Returns ``{"path", "format", "techniques", "inductive"}``.
    """
    path = Path(path)
    fmt = (format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")).lower()
    if fmt not in ("csv", "xlsx"):
        raise InputError(f"unknown codebook table format {format!r} (csv or xlsx)", source="format")
    rows = codebook_table_rows(session)
    if fmt == "csv":
        buf = io.StringIO()
        writer = SafeCsvWriter(buf, raw=raw)
        writer.writerow(TABLE_COLUMNS)
        for row in rows:
            writer.writerow([row[column] for column in TABLE_COLUMNS])
        data = buf.getvalue().encode("utf-8")
    else:
        data = _xlsx_bytes(rows)
    write_atomic(path, data)
    kinds = [r["kind"] for r in rows]
    return {"path": str(path), "format": fmt, "techniques": kinds.count("technique"),
            "inductive": kinds.count("inductive")}


def _xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    """The rows as an XLSX workbook with one sheet, ``Codebook``."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Codebook"
    append_xlsx_row(sheet, list(TABLE_COLUMNS))
    for row in rows:
        append_xlsx_row(sheet, [row[c] for c in TABLE_COLUMNS])  # always text: "=x" never becomes a formula
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def read_codebook_table(path: str | Path) -> list[CodebookEntry]:
    """Codebook entries from ``.xlsx`` (first sheet, header row) or anything :func:`read_codebook` reads."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        return read_codebook(path)
    if path.suffix.lower() != ".xlsx":   # a CSV, perhaps our own export: cells guarded against formulas read back
        return [replace(e, id=csv_text(e.id), label=csv_text(e.label), group=e.group and csv_text(e.group),
                        description=e.description and csv_text(e.description)) for e in read_codebook(path)]
    from openpyxl import load_workbook

    with SafeArchive(path, what=".xlsx file", invalid="cannot read as an XLSX workbook") as archive:
        archive.verify_all()  # bombs, hostile member names and entities are refused before openpyxl reads it
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:  # read-only sheets are parsed while iterating: damage shows up here too
            rows = [(n, [_cell_text(cell) for cell in cells])
                    for n, cells in enumerate(book.worksheets[0].iter_rows(), start=1)]
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises zipfile, KeyError, IndexError, ParseError... on bad files
        detail = " ".join(str(exc).split())[:200]
        raise InputError(f"cannot read as an XLSX workbook ({exc.__class__.__name__}: {detail})",
                         source=str(path)) from None
    return _xlsx_entries([(n, cells) for n, cells in rows if any(cells)], str(path))


def _cell_text(cell: Any) -> str:
    """A cell as text; a number formatted "0.00" keeps its decimals ("10.10", not "10.1")."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    places = re.fullmatch(r"0\.(0+)", str(getattr(cell, "number_format", "") or ""))
    if isinstance(value, float) and places:
        return f"{value:.{len(places.group(1))}f}"
    return str(value).strip()


def _xlsx_entries(rows: list[tuple[int, list[str]]], source: str) -> list[CodebookEntry]:
    """Entries from non-blank rows (first is the header); errors name the file and the row."""
    def error(message: str, row: int | None) -> InputError:
        exc = InputError(f"row {row}: {message}" if row is not None else message, source=source)
        exc.line = row
        return exc

    if not rows:
        raise error("the first sheet is empty", None)
    header_row, header = rows[0]
    names = [h.lower() for h in header]
    columns = {field: names.index(next(a for a in aliases if a in names))
               for field, aliases in (("id", ("id", "code", "number")), ("label", ("label", "name")),
                                      ("group", ("group",)), ("description", ("description",)))
               if any(a in names for a in aliases)}
    for field, expected in (("id", "'id' or 'code'"), ("label", "'label' or 'name'")):
        if field not in columns:
            raise error(f"header has no {field} column (expected {expected})", header_row)
    if len(rows) == 1:
        raise error("codebook has no codes below the header", header_row)
    entries: list[CodebookEntry] = []
    first: dict[str, int] = {}
    for row, cells in rows[1:]:
        ident, label, group, description = (
            (cells[columns[f]] if f in columns and columns[f] < len(cells) else "") or None
            for f in ("id", "label", "group", "description"))
        if ident is None:
            raise error("code without id" + (f" (label {label!r})" if label else ""), row)
        if label is None:
            raise error(f"code {ident!r} has no label", row)
        if ident in first:
            raise error(f"duplicate id {ident!r} (first on row {first[ident]})", row)
        first[ident] = row
        entries.append(CodebookEntry(ident, label, group, description, row))
    return entries


def import_codebook_table(session: Session, path: str | Path, *, user: str,
                          create_inductive: bool = True) -> dict[str, Any]:
    """Map a CSV/XLSX (or YAML) codebook onto the project's taxonomy; create the rest as inductive codes.

    A row maps to a technique by its id when that is a technique number, else by
    its label (:func:`match_technique`); techniques are never changed. Other rows
    become inductive codes with their description, under their group as parent
    code (a group naming a taxonomy group is ignored; one naming a code nests under
    it; any other becomes an inductive parent code). Returns ``{"mapped": [{"name",
    "code", "how"}], "created_inductive": n, "skipped": [{"item", "reason"}]}``.
    """
    entries = read_codebook_table(path)
    report: dict[str, Any] = {"mapped": [], "created_inductive": 0, "skipped": []}
    created: set[int] = set()
    for entry in entries:
        code, how = (None, None)
        if is_technique_number(entry.id):
            code, how = match_technique(session, entry.id)
        if code is None:
            code, how = match_technique(session, entry.label)
        if code is not None:
            report["mapped"].append({"name": entry.label, "code": code.number, "how": how})
            continue
        label, problem = inductive_label(entry.label)
        if problem is None and not create_inductive:
            problem = "no matching technique (creating inductive codes is turned off)"
        if problem is not None:
            report["skipped"].append({"item": entry.label, "reason": problem})
            continue
        assert label is not None  # inductive_label gives a label whenever there is no problem
        parent_id = _table_parent(session, entry.group, created, report)
        code, new = ensure_inductive(session, label, description=entry.description, parent_id=parent_id)
        if new:
            created.add(code.id)
            report["created_inductive"] += 1
        elif code.id in created and entry.description and not code.description:
            code.description = entry.description  # a parent created earlier from a group cell
        report["mapped"].append({"name": entry.label, "code": code.label if code.kind == "inductive"
                                 else code.number, "how": "inductive" if code.kind == "inductive" else "label"})
    log_event(session, user, EventType.CODEBOOK_IMPORT, file=str(path), format=Path(path).suffix.lstrip(".").lower(),
              mapped=len(report["mapped"]), created_inductive=report["created_inductive"],
              skipped=len(report["skipped"]))
    return report


def _table_parent(session: Session, group: str | None, created: set[int], report: dict[str, Any]) -> int | None:
    """The code id an inductive row's group cell names (creating an inductive parent if needed)."""
    if not group or match_group(session, group) is not None:
        return None
    code, _how = match_technique(session, group)
    if code is None:
        code = find_code(session, group, kinds=("inductive",))
    if code is not None:
        return code.id
    label, problem = inductive_label(group)
    if problem is not None:
        return None
    assert label is not None  # inductive_label gives a label whenever there is no problem
    code, new = ensure_inductive(session, label)
    if new:
        created.add(code.id)
        report["created_inductive"] += 1
        report["mapped"].append({"name": group, "code": code.label, "how": "inductive"})
    return code.id
