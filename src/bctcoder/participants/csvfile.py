"""Reading user CSV files with line numbers for error messages.

Files come from Excel, LibreOffice, R, SPSS and hand editing, so the reader accepts UTF-8 (with or without
a byte-order mark), UTF-16 (with a BOM, or recognisably without: every other byte zero) and Windows-1252, and
fields separated by commas, semicolons (Excel in much of Europe) or tabs, whichever splits the header line
into the most fields (commas on a tie). The header it returns knows how the file was read, so a message
about a missing column can say so (:func:`header_note`). Cells that bctcoder's own exports guarded against
spreadsheet formulas (``'=x``) are read back as written (:func:`bctcoder.spreadsheet_safety.csv_text`).
A file with a NUL character is binary, not CSV; files over :data:`MAX_CSV_BYTES`, headers over
:data:`MAX_COLUMNS` and fields over the csv module's 128 KB are refused before any row is used.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from bctcoder.errors import InputError, LimitError
from bctcoder.spreadsheet_safety import csv_text

DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
"""Field separators the reader recognises, and how messages name them."""
MAX_CSV_BYTES = 64 * 1024 * 1024
"""The largest CSV file read (a table of cases, codings or ratings is far smaller)."""
MAX_COLUMNS = 1_000
"""The most columns a header may have (each may become an attribute, a coder or a value)."""


class CsvHeader(list):
    """A CSV file's header cells, with how the file was read: ``encoding`` and ``delimiter``."""

    encoding: str = "UTF-8"
    delimiter: str = ","

    def describe(self) -> str:
        """How the file was read, in words: "UTF-16 with fields separated by semicolons"."""
        return f"{self.encoding} with fields separated by {DELIMITERS.get(self.delimiter, repr(self.delimiter))}"


def header_note(header: list[str]) -> str:
    """For a message about a missing column: the columns found and how the file was read."""
    found = ", ".join(repr(h) for h in header if h) or "none"
    how = f"; read as {header.describe()}" if isinstance(header, CsvHeader) else ""
    return f" (columns found: {found}{how})"


def _mostly_zero(half: bytes) -> bool:
    return len(half) >= 2 and half.count(0) > 0.4 * len(half)


def _hardly_zero(half: bytes) -> bool:
    return half.count(0) < 0.1 * len(half)


def _decode(raw: bytes, source: str) -> tuple[str, str]:
    """The file's text and the name of its encoding."""
    if raw.startswith(codecs.BOM_UTF8):
        encodings = [("utf-8-sig", "UTF-8")]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = [("utf-16", "UTF-16")]
    elif _mostly_zero(raw[1::2]) and _hardly_zero(raw[::2]):   # ASCII-heavy UTF-16: every other byte 0
        encodings = [("utf-16-le", "UTF-16 (little-endian, no BOM)")]
    elif _mostly_zero(raw[::2]) and _hardly_zero(raw[1::2]):
        encodings = [("utf-16-be", "UTF-16 (big-endian, no BOM)")]
    else:
        encodings = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
    for codec, name in encodings:
        try:
            return raw.decode(codec), name
        except UnicodeDecodeError:
            continue
    tried = " or ".join(name for _codec, name in encodings)
    raise InputError(f"cannot decode as {tried}; save the file as UTF-8 CSV", source=source)


def _delimiter(text: str) -> str:
    """The separator that splits the first non-blank line into the most fields (a comma on a tie)."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    best, fields = ",", 1
    for candidate in DELIMITERS:
        try:
            count = len(next(csv.reader([line], delimiter=candidate), []))
        except csv.Error:
            continue
        if count > fields:
            best, fields = candidate, count
    return best


def read_csv_rows(path: str | Path, *, blank_first: str | None = None
                  ) -> tuple[CsvHeader, list[tuple[int, dict[str, str]]]]:
    """Read a CSV with a header; returns (header, [(line number, row dict)]).

    Blank rows are skipped; line numbers are 1-based file lines (the header is
    line 1). Errors name the file. ``blank_first`` names a first column whose
    header cell is empty (as R's ``write.csv`` writes row names).
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CSV_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", source=str(path)) from None
    if len(raw) > MAX_CSV_BYTES:
        raise LimitError(f"the file is larger than the {MAX_CSV_BYTES // (1024 * 1024)} MB accepted for a CSV file",
                         source=str(path))
    text, encoding = _decode(raw, str(path))
    if not text.strip():
        raise InputError("file is empty", source=str(path))
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError("the file holds a NUL character: a binary file, not CSV text", source=str(path), line=line)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = CsvHeader()
    header.encoding, header.delimiter = encoding, delimiter
    try:
        header.extend(csv_text(h.strip()) for h in next(reader))
    except csv.Error as exc:
        raise InputError(f"not a CSV file ({exc}; read as {header.describe()})", source=str(path),
                         line=1) from None
    if len(header) > MAX_COLUMNS:
        raise LimitError(f"the header has {len(header):,} columns, more than the {MAX_COLUMNS:,} accepted",
                         source=str(path), line=1)
    if blank_first and header and not header[0]:
        header[0] = blank_first
    if not any(header):
        raise InputError("the first line must be a header", source=str(path), line=1)
    seen = set()
    for name in header:
        if name and name.lower() in seen:
            raise InputError(f"column {name!r} appears twice in the header", source=str(path), line=1)
        seen.add(name.lower())
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
                raise InputError(f"{len(values)} fields but the header has {len(header)} (read as "
                                 f"{header.describe()})", source=str(path), line=line)
            row = {h: (csv_text(values[i].strip()) if i < len(values) else "") for i, h in enumerate(header) if h}
            rows.append((line, row))
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc}; read as {header.describe()})", source=str(path),
                         line=reader.line_num) from None
    return header, rows


def find_column(header: list[str], names: tuple[str, ...]) -> str | None:
    """The header name matching one of ``names`` (case-insensitive), or None."""
    lowered = {h.lower().strip(): h for h in header if h}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None
