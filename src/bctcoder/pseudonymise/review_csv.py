"""Reviewing proposals in a spreadsheet: :func:`write_review_csv` and :func:`read_review_csv`.

Columns: ``id, document, start, end, category, original, replacement, decision, context``. The reviewer
fills ``decision`` with ``accept``, ``reject`` or ``edit`` (then ``replacement`` holds the new text) or
``pending``; a blank decision leaves the proposal as it is. ``context`` shows the words around the
original (``…before [[original]] after…``) and is not read back; columns a reviewer adds are ignored.

Reading is strict: the whole file is refused, with one line naming the file and line, when a decision is
not one of those words, an id is not a whole number or appears twice, an edit has no replacement, a
replacement runs over several lines, or (given the proposals the file was written from) an id is unknown or
a row's document, offsets, original or category no longer match its proposal, or an accepted row changed
the replacement (write ``edit``). Cells are written guarded against spreadsheet formulas
(:mod:`bctcoder.spreadsheet_safety`) and read back exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bctcoder.errors import InputError
from bctcoder.file_errors import cannot_write
from bctcoder.participants.csvfile import find_column, header_note, read_csv_rows
from bctcoder.pseudonymise.categories import CATEGORIES
from bctcoder.pseudonymise.findings import Proposal
from bctcoder.spreadsheet_safety import SafeCsvWriter

REVIEW_COLUMNS: tuple[str, ...] = ("id", "document", "start", "end", "category", "original", "replacement",
                                   "decision", "context")
"""The review file's columns, in order."""
DECISIONS: tuple[str, ...] = ("accept", "reject", "edit", "pending")
"""What the decision column may hold (besides blank: no change)."""
_SPELLINGS = {"accept": "accept", "accepted": "accept", "reject": "reject", "rejected": "reject", "edit": "edit",
              "edited": "edit", "pending": "pending"}
_WRITTEN = {"accepted": "accept", "rejected": "reject", "pending": "", "accept": "accept", "reject": "reject",
            "edit": "edit"}
CONTEXT_CHARS = 60
MAX_REPLACEMENT_CHARS = 200


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on proposal ``id``: ``decision`` is accept, reject, edit or pending;
    ``replacement`` the replacement column (the new text for an edit); ``category`` the category column;
    ``line`` where it is in the file."""

    id: int
    decision: str
    replacement: str
    category: str
    line: int


def number_proposals(proposals: Iterable[Proposal], first: int = 1) -> list[Proposal]:
    """The proposals with ids ``first``, ``first + 1``, ... (for use without a database)."""
    return [replace(p, id=i) for i, p in enumerate(proposals, start=first)]


def _field(item: Proposal | Mapping[str, Any], name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name if name != "original" else "text")


def _context(item: Proposal | Mapping[str, Any], texts: Mapping[str, str] | None) -> str:
    original = str(_field(item, "original"))
    if isinstance(item, Mapping) and "context" in item:
        return str(item["context"] or "")
    if isinstance(item, Mapping) and ("before" in item or "after" in item):
        before, after = str(item.get("before") or ""), str(item.get("after") or "")
    elif texts is not None and _field(item, "document") in texts:
        text = texts[str(_field(item, "document"))]
        start, end = int(_field(item, "start")), int(_field(item, "end"))
        before, after = text[max(0, start - CONTEXT_CHARS):start], text[end:end + CONTEXT_CHARS]
    else:
        return ""
    flat = " ".join(before.split()) + (" " if before[-1:].isspace() else "")
    tail = (" " if after[:1].isspace() else "") + " ".join(after.split())
    return f"…{flat}[[{original}]]{tail}…"


def write_review_csv(path: str | Path, proposals: Iterable[Proposal | Mapping[str, Any]], *,
                     texts: Mapping[str, str] | None = None) -> int:
    """Write proposals (:class:`Proposal` objects, or mappings with the same keys and ``original``) for
    review; each needs an ``id``. ``texts`` (document → text) gives the context column for proposals;
    mappings may carry ``context``, or ``before`` and ``after``. A mapping's ``decision`` (accepted,
    rejected, pending) is written as accept, reject or blank. Returns the number of rows."""
    path = Path(path)
    rows = []
    for item in proposals:
        identifier = _field(item, "id")
        if identifier is None:
            raise ValueError("every proposal needs an id to be reviewed (store them, or use number_proposals)")
        decision = _field(item, "decision") if isinstance(item, Mapping) else None
        rows.append([int(identifier), _field(item, "document"), int(_field(item, "start")), int(_field(item, "end")),
                     _field(item, "category"), _field(item, "original"), _field(item, "replacement"),
                     _WRITTEN.get(str(decision or "pending"), ""), _context(item, texts)])
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = SafeCsvWriter(handle)
            writer.writerow(REVIEW_COLUMNS)
            for row in rows:
                writer.writerow(row)
    except OSError as exc:
        raise cannot_write(exc, path) from None
    return len(rows)


def _integer(value: str, column: str, source: str, line: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise InputError(f"{column} must be a whole number, not {value!r}", source=source, line=line) from None
    if number < 0:
        raise InputError(f"{column} must not be negative, not {value!r}", source=source, line=line)
    return number


def _check_against(row: dict[str, str], columns: dict[str, str | None], proposal: Proposal | Mapping[str, Any],
                   decision: str, replacement: str, category: str, source: str, line: int) -> None:
    identifier = _field(proposal, "id")
    for key in ("document", "start", "end", "original"):
        column = columns[key]
        if column is None:
            continue
        expected = str(_field(proposal, key))
        if row[column] != expected and row[column].strip() != expected.strip():
            raise InputError(f"{key} {row[column]!r} does not match proposal {identifier} ({expected!r}): the file "
                             "is from an earlier detection; write the review file again", source=source, line=line)
    if decision == "accept" and replacement and replacement != str(_field(proposal, "replacement")):
        raise InputError(f"the replacement of proposal {identifier} was changed but the decision is 'accept': "
                         "write 'edit' to use the new replacement", source=source, line=line)
    if decision == "accept" and category and category != str(_field(proposal, "category")):
        raise InputError(f"the category of proposal {identifier} was changed but the decision is 'accept': write "
                         "'edit' to change it", source=source, line=line)


def read_review_csv(path: str | Path, proposals: Iterable[Proposal | Mapping[str, Any]] | None = None
                    ) -> list[Decision]:
    """The decisions of a reviewed file, in file order; rows with a blank decision are not returned (they
    stay as they were). ``proposals`` (those the file was written from), when given, are checked against
    (see the module's docstring). Raises InputError naming the file and line."""
    source = str(path)
    header, rows = read_csv_rows(path)
    columns = {key: find_column(header, (key,)) for key in REVIEW_COLUMNS}
    missing = [key for key in ("id", "replacement", "decision") if columns[key] is None]
    if missing:
        raise InputError(f"the review file needs column(s) {', '.join(missing)}" + header_note(header),
                         source=source, line=1)
    known = {int(_field(p, "id")): p for p in proposals} if proposals is not None else None
    seen: dict[int, int] = {}
    decisions = []
    for line, row in rows:
        def cell(key: str, row: dict[str, str] = row) -> str:
            column = columns[key]
            return row.get(column, "") if column else ""
        identifier = _integer(cell("id"), "id", source, line)
        if identifier in seen:
            raise InputError(f"id {identifier} appears twice (also on line {seen[identifier]})", source=source,
                             line=line)
        seen[identifier] = line
        for key in ("start", "end"):
            if columns[key] is not None:
                _integer(cell(key), key, source, line)
        word = cell("decision").strip().casefold()
        decision = _SPELLINGS.get(word) if word else None
        if word and decision is None:
            raise InputError(f"decision {cell('decision')!r} is not one of {', '.join(DECISIONS)} (or blank)",
                             source=source, line=line)
        replacement = cell("replacement").strip()
        if "\n" in replacement or "\r" in replacement or len(replacement) > MAX_REPLACEMENT_CHARS:
            raise InputError(f"a replacement is one line of at most {MAX_REPLACEMENT_CHARS} characters",
                             source=source, line=line)
        category = cell("category").strip().upper()
        if category and category not in CATEGORIES:
            raise InputError(f"category {cell('category')!r} is not one of {', '.join(CATEGORIES)}", source=source,
                             line=line)
        if decision in ("edit", "accept") and not replacement:
            raise InputError(f"decision {decision!r} needs a replacement", source=source, line=line)
        if known is not None:
            proposal = known.get(identifier)
            if proposal is None:
                raise InputError(f"id {identifier} is not a proposal of this project (detect again and write the "
                                 "review file again?)", source=source, line=line)
            if decision is not None:
                _check_against(row, columns, proposal, decision, replacement, category, source, line)
        if decision is not None:
            decisions.append(Decision(identifier, decision, replacement, category, line))
    return decisions
