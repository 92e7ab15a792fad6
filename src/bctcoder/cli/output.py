"""Rendering plain rows as a table, CSV or JSON for the CLI.

User text (quotes, labels, names, memos, paths, error messages) must reach the terminal literally: Rich would
read ``[...]`` as markup (dropping text, or raising ``MarkupError`` on a stray ``[/bold]``) and ``:name:`` as an
emoji code. So every console of the CLI comes from :func:`make_console`, which interprets nothing in strings,
and tables and styled lines are built from :class:`rich.text.Text` objects; styling is only ever applied
through ``Text`` styles, never by formatting markup into a string.
"""

from __future__ import annotations

import io
import json
import math
from enum import Enum
from typing import Any, Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bctcoder.spreadsheet_safety import SafeCsvWriter


def make_console(*, stderr: bool = False) -> Console:
    """A console that prints strings exactly as given: no markup, no emoji codes, no highlighting."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def literal(value: Any, style: str = "") -> Text:
    """``value`` as text that Rich shows verbatim (optionally in one style)."""
    return Text(str(value), style=style)


class Format(str, Enum):
    """Output formats for tabular commands."""

    table = "table"
    csv = "csv"
    json = "json"


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def rows_to_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """CSV text with a header (lists become '; '-joined text); text a spreadsheet would run as a formula
    gets a leading ``'`` (:mod:`bctcoder.spreadsheet_safety`)."""
    columns = columns or (list(rows[0]) if rows else [])
    buf = io.StringIO()
    writer = SafeCsvWriter(buf)
    writer.writerow(columns)
    for row in rows:
        writer.writerow("; ".join(map(str, v)) if isinstance(v, list) else _clean(v)
                        for v in (row.get(c) for c in columns))
    return buf.getvalue()


def emit(rows: list[dict[str, Any]], fmt: Format, *, columns: list[str] | None = None, title: str | None = None,
         console: Console | None = None) -> None:
    """Print rows in the chosen format to standard output."""
    console = console or make_console()
    if fmt == Format.json:
        data = [{k: _clean(v) for k, v in row.items()} for row in rows]
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    if fmt == Format.csv:
        print(rows_to_csv(rows, columns), end="")
        return
    columns = columns or (list(rows[0]) if rows else [])
    table = Table(title=literal(title, "table.title") if title is not None else None, show_lines=False)
    for col in columns:
        table.add_column(literal(col), overflow="fold")
    for row in rows:
        table.add_row(*[literal(_cell(row.get(c))) for c in columns])
    console.print(table)
    if not rows:
        console.print(literal("(none)"))


def _cell(value: Any) -> str:
    value = _clean(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def emit_object(obj: dict[str, Any], fmt: Format, console: Console | None = None) -> None:
    """Print one result object (JSON, or key: value lines)."""
    if fmt == Format.json:
        print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))
        return
    console = console or make_console()
    for key, value in obj.items():
        if isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False, default=str)
        console.print(Text.assemble(literal(key, "bold"), ": ", literal(value)), soft_wrap=True)


def flatten(items: Iterable[Any]) -> list[str]:
    """Split comma-separated option values and drop blanks."""
    out: list[str] = []
    for item in items:
        out.extend(p.strip() for p in str(item).split(",") if p.strip())
    return out
