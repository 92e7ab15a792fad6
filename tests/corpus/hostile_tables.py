"""Hostile and malformed tables and tool databases, written on demand into a test's folder (nothing binary is
committed): CSV files that attack the reader (:data:`CSV_CASES`), .xlsx workbooks, and copies of valid
QualCoder and Taguette databases changed by one SQL statement (:func:`altered_sqlite`).

Every writer takes the path to write and returns it. The zip-level cases of
:mod:`tests.corpus.hostile_files` apply to an .xlsx through :func:`xlsx_members`.
"""

from __future__ import annotations

import codecs
import io
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

MB = 1000 * 1000

# -- CSV ---------------------------------------------------------------------------------------------------


def _text(header: str, row: str) -> str:
    return f"{header}\n{row}\n"


CSV_CASES: dict[str, Callable[[str, str], bytes]] = {
    "empty file": lambda h, r: b"",
    "only a byte-order mark": lambda h, r: codecs.BOM_UTF8,
    "binary junk": lambda h, r: bytes(range(256)) * 64,
    "a PNG image": lambda h, r: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
    # "⁄" is E2 81 84: cut after two bytes, the text is neither UTF-8 nor Windows-1252 (0x81 is undefined)
    "truncated UTF-8 multibyte character": lambda h, r: _text(h, r).encode("utf-8") + b"Z\xc3\xbcrich \xe2\x81",
    "UTF-16 without BOM cut mid-character": lambda h, r: _text(h, r).encode("utf-16-le") + b"\x00",
    "NUL byte in a cell": lambda h, r: _text(h, r.replace(",", ",\x00", 1)).encode("utf-8"),
    "10 MB single field": lambda h, r: (f"{h}\n" + r.replace(",", ',"' + "x" * (10 * MB) + '",', 1)).encode(),
    "100,000 columns": lambda h, r: _text(h + "".join(f",extra{i}" for i in range(100_000)), r).encode(),
    "ragged row with extra fields": lambda h, r: _text(h, r + ",surplus,more surplus").encode(),
    "duplicate header": lambda h, r: _text(h + "," + h.split(",")[-1].upper(), r + ",x").encode(),
    "unterminated quote": lambda h, r: _text(h, '"' + r).encode(),
    "blank header line": lambda h, r: _text(",,,", r).encode(),
}
"""Hostile CSV files, each made from a valid header line and data row (name → bytes)."""

CODEBOOK_CASES = sorted(set(CSV_CASES) - {"100,000 columns", "ragged row with extra fields"})
"""Cases a codebook table must refuse (it reads only the columns it knows, so extra columns are harmless)."""


def hostile_csv(path: Path, case: str, header: str, row: str) -> Path:
    """Write the CSV ``case`` (a key of :data:`CSV_CASES`) made from a valid ``header`` and ``row``."""
    path.write_bytes(CSV_CASES[case](header, row))
    return path


FORMULAS = ["=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "=HYPERLINK(\"http://example.invalid\",\"x\")",
            "=cmd|' /C calc'!A0"]
"""Cell texts a spreadsheet would run as formulas: an import keeps them as plain text."""


# -- XLSX --------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _workbook_members() -> tuple[tuple[str, bytes], ...]:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "label", "group", "description"])
    book.active.append(["HOPE", "Hope", "Affect", "Looking forward"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return tuple((name, archive.read(name)) for name in archive.namelist())


SHEET = "xl/worksheets/sheet1.xml"


def xlsx_members(replace: dict[str, bytes | None] | None = None) -> dict[str, bytes]:
    """A one-sheet codebook workbook made by openpyxl; ``replace`` maps member names to new bytes, or to None
    to leave the member out."""
    members = dict(_workbook_members())
    for name, data in (replace or {}).items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    return members


# -- SQLite databases of other tools -----------------------------------------------------------------------

def altered_sqlite(source: Path, target: Path, statements: Iterable[str | tuple[str, tuple]]) -> Path:
    """A copy of the SQLite database ``source`` at ``target`` after running ``statements`` (SQL, or SQL and
    parameters) on it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    conn = sqlite3.connect(target)
    try:
        for statement in statements:
            sql, params = (statement, ()) if isinstance(statement, str) else statement
            conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()
    return target


def truncated_copy(source: Path, target: Path, keep: float = 0.5) -> Path:
    """The first ``keep`` of ``source``'s bytes (a database cut short by a failed copy)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def other_tool_sqlite(path: Path) -> Path:
    """A SQLite database of some other program (a browser history)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT, title TEXT)")
    conn.execute("INSERT INTO moz_places (url, title) VALUES ('https://example.invalid', 'x')")
    conn.commit()
    conn.close()
    return path


def deep_html(depth: int = 100_000, tag: str = "div") -> str:
    """HTML nested ``depth`` elements deep around one line of speech."""
    return f"<{tag}>" * depth + "P1: deep down" + f"</{tag}>" * depth


def html_laughs() -> str:
    """An HTML document whose DOCTYPE declares exponentially growing entities."""
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    return f"<!DOCTYPE html [{entities}]><p>P1: &lol9;</p>"


def html_external_entity(secret: Path) -> str:
    """An HTML document that asks for ``secret`` through an external entity."""
    return f'<!DOCTYPE html [<!ENTITY e SYSTEM "file://{secret}">]><p>P1: &e;</p>'
