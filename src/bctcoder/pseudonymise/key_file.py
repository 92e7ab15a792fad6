"""The key: which original text each replacement stands for, where, in the old text and in the new.

The key re-identifies participants: the owner keeps it apart from the pseudonymised transcripts (another
file, another place). :func:`key_rows` computes it from the proposals that were applied;
:func:`pseudonymise_document` applies a document's proposals and returns its new text, offset map and key
rows together; :func:`write_key_csv` writes a key as CSV (guarded against spreadsheet formulas).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from bctcoder.errors import InputError
from bctcoder.file_errors import cannot_write
from bctcoder.pseudonymise.findings import Proposal
from bctcoder.pseudonymise.offsets import OffsetMap, apply_replacements
from bctcoder.spreadsheet_safety import SafeCsvWriter


@dataclass(frozen=True)
class KeyRow:
    """One replacement made: the original text at ``[start, end)`` of the old text became ``replacement``
    at ``[new_start, new_end)`` of the new."""

    document: str
    start: int
    end: int
    original: str
    replacement: str
    category: str
    new_start: int
    new_end: int


KEY_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(KeyRow))
"""The key file's columns, in order."""


def _by_document(proposals: Iterable[Proposal]) -> dict[str, list[Proposal]]:
    grouped: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        grouped.setdefault(proposal.document, []).append(proposal)
    for items in grouped.values():
        items.sort(key=lambda p: (p.start, p.end))
    return grouped


def key_rows(proposals: Iterable[Proposal]) -> list[KeyRow]:
    """Key rows for applied proposals (each document's proposals must not overlap: ValueError), in the
    order of documents as given, then position. No text is needed: new offsets follow from the old ones
    and the replacements' lengths."""
    rows = []
    for document, items in _by_document(proposals).items():
        shift = 0
        previous_end = -1
        for p in items:
            if p.start < previous_end:
                raise ValueError(f"proposals overlap in document {document!r} at {p.start}")
            new_start = p.start + shift
            rows.append(KeyRow(document, p.start, p.end, p.text, p.replacement, p.category, new_start,
                               new_start + len(p.replacement)))
            shift += len(p.replacement) - (p.end - p.start)
            previous_end = p.end
    return rows


def pseudonymise_document(text: str, proposals: Sequence[Proposal]) -> tuple[str, OffsetMap, list[KeyRow]]:
    """Apply one document's proposals to its text: the new text, its offset map and its key rows.

    Each proposal's ``text`` must be what the document holds at its offsets (else ValueError: the
    document changed since detection)."""
    documents = {p.document for p in proposals}
    if len(documents) > 1:
        raise ValueError(f"proposals of {len(documents)} documents given for one text")
    ordered = sorted(proposals, key=lambda p: (p.start, p.end))
    for p in ordered:
        if text[p.start:p.end] != p.text:
            raise ValueError(f"document {p.document!r} holds {text[p.start:p.end]!r} at {p.start}–{p.end}, not "
                             f"{p.text!r}: it changed since detection")
    new_text, offsets = apply_replacements(text, [(p.start, p.end, p.replacement) for p in ordered])
    return new_text, offsets, key_rows(ordered)


def write_key_csv(path: str | Path, rows: Iterable[KeyRow]) -> None:
    """Write key rows as CSV (UTF-8, columns :data:`KEY_COLUMNS`), cells guarded against formulas. A key is
    never overwritten (an existing file is refused) and never left half-written (a temporary sibling, then a
    rename)."""
    path = Path(path)
    if path.exists():
        raise InputError("the key file already exists; choose a new name (a key is never overwritten)",
                         source=str(path))
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("x", encoding="utf-8", newline="") as handle:
            writer = SafeCsvWriter(handle)
            writer.writerow(KEY_COLUMNS)
            for row in rows:
                writer.writerow(astuple(row))
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise cannot_write(exc, path) from None
