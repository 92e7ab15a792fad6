"""Reading user CSV files with line numbers for error messages."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bctcoder.errors import InputError


def read_csv_rows(path: str | Path, *, blank_first: str | None = None
                  ) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Read a CSV with a header; returns (header, [(line number, row dict)]).

    Blank rows are skipped; line numbers are 1-based file lines (the header is
    line 1). Errors name the file. ``blank_first`` names a first column whose
    header cell is empty (as R's ``write.csv`` writes row names).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", source=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError("cannot decode as UTF-8", source=str(path)) from None
    if not text.strip():
        raise InputError("file is empty", source=str(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise InputError(f"not a CSV file ({exc})", source=str(path), line=1) from None
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
                raise InputError(
                    f"{len(values)} fields but the header has {len(header)}", source=str(path), line=line
                )
            row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h}
            rows.append((line, row))
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=str(path), line=reader.line_num) from None
    return header, rows


def find_column(header: list[str], names: tuple[str, ...]) -> str | None:
    """The header name matching one of ``names`` (case-insensitive), or None."""
    lowered = {h.lower().strip(): h for h in header if h}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None
