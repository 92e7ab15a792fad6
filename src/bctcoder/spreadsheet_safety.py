"""Exports that spreadsheets cannot run: the one rule against formula injection, for every CSV and xlsx writer.

Excel, LibreOffice and Google Sheets treat a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (or the start of one). Transcripts, quotes, memos and code labels are text
participants and other tools wrote, so an exported cell like ``=HYPERLINK(...)`` or ``-2+3+cmd|...`` must
never reach a spreadsheet as a formula.

The rule:

* **CSV**: a text cell that starts with one of those characters, after any number of apostrophes, gets one
  more ``'`` in front (spreadsheets show the rest as text). Numbers are never touched, nor is text that is
  exactly a number ("-3", "+1.5"), which a spreadsheet reads as that number and nothing else.
  :func:`csv_text` undoes it, so our own CSV files read back exactly (the readers of cases, codings, presence,
  ratings and codebook CSV files call it);
  the apostrophes make the escaping reversible: ``'=x`` is written ``''=x`` and read back as ``'=x``.
  ``raw=True`` writes the exact text instead, for those who need it and know where the file goes. Every CSV
  writer of bctcoder (reports, ``report all``, codings, codebooks, the CLI's ``--format csv``) writes through
  :class:`SafeCsvWriter`.
* **xlsx**: every text cell is written as a string cell (never a formula: openpyxl would otherwise turn text
  starting with ``=`` into one) with Excel's "quote prefix" style when it starts like a formula, so it stays
  text even when someone edits it. The cell holds the exact text, so xlsx needs no ``raw``; only characters
  XML cannot carry (control characters) are left out, as no xlsx file can hold them.
"""

from __future__ import annotations

import csv
import re
from typing import Any

__all__ = ["FORMULA_STARTS", "SafeCsvWriter", "append_xlsx_row", "csv_cell", "csv_row", "csv_text",
           "starts_like_formula"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""

_GUARDED = re.compile(r"'*[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # control characters an xlsx cell cannot hold


def starts_like_formula(text: str) -> bool:
    """Whether a CSV cell with this text needs a guard: it starts (after any apostrophes) with a formula
    character and is not simply a number."""
    return bool(_GUARDED.match(text)) and not _PLAIN_NUMBER.fullmatch(text)


def csv_cell(value: Any, *, raw: bool = False) -> Any:
    """``value`` as a CSV writer should get it: text that would start a formula gets a leading ``'``;
    anything else (numbers, None, safe text), and everything when ``raw``, is returned unchanged."""
    if raw or not isinstance(value, str) or not starts_like_formula(value):
        return value
    return "'" + value


def csv_row(values: Any, *, raw: bool = False) -> list[Any]:
    """:func:`csv_cell` applied to each value of a row."""
    return [csv_cell(v, raw=raw) for v in values]


class SafeCsvWriter:
    """``csv.writer`` (lines ending in a line feed) that guards every row with :func:`csv_row` (unless ``raw``).

    It also quotes every field of a row holding a carriage return: with line-feed line ends the csv module
    would leave such a field unquoted, and spreadsheets would cut the row in two there."""

    def __init__(self, stream: Any, *, raw: bool = False):
        self.raw = raw
        self._minimal = csv.writer(stream, lineterminator="\n")
        self._quoted = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, values: Any) -> None:
        """Write one row (an iterable of cells; None is written as an empty cell)."""
        row = csv_row(values, raw=self.raw)
        carriage_return = any(isinstance(v, str) and "\r" in v for v in row)
        (self._quoted if carriage_return else self._minimal).writerow(row)


def csv_text(cell: str) -> str:
    """A cell read from a CSV file, with the guard :func:`csv_cell` added taken off again."""
    if cell.startswith("'") and _GUARDED.match(cell, 1):
        return cell[1:]
    return cell


def append_xlsx_row(sheet: Any, values: list[Any]) -> None:
    """Append a row to an openpyxl worksheet with every text value as a plain string cell (never a formula),
    quote-prefixed when it starts like one; control characters, which no xlsx cell can hold, are removed."""
    values = [_NOT_IN_XLSX.sub("", v) if isinstance(v, str) else v for v in values]
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=row, column=column)
            cell.data_type = "s"
            if value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
