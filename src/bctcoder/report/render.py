"""Renderers: a Report as Markdown, CSV, JSON, xlsx, docx or self-contained HTML.

Text formats return ``str``; xlsx and docx return ``bytes``. Files are written
atomically (to ``NAME.part``, then renamed) so an interrupted run never leaves a
half-written report.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import math
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from bctcoder import __version__
from bctcoder.errors import InputError
from bctcoder.file_errors import cannot_write
from bctcoder.report.model import Report, ReportTable
from bctcoder.spreadsheet_safety import SafeCsvWriter, append_xlsx_row

TEXT_FORMATS = ("md", "csv", "json", "html")
BINARY_FORMATS = ("xlsx", "docx")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _grouped(table: ReportTable):
    """Yield ("group", label) and ("row", values) items; group columns removed from rows."""
    frame = table.frame
    columns = list(frame.columns)
    if not table.group_by or table.group_by[0] not in columns:
        for row in frame.itertuples(index=False):
            yield "row", list(row)
        return
    gid, glabel = table.group_by
    keep = [c for c in columns if c not in (gid, glabel)]
    current = object()
    for _, row in frame.iterrows():
        key = row[gid]
        if key != current:
            current = key
            yield "group", f"{row[gid]} {row[glabel]}" if pd.notna(row[gid]) else "Other codes"
        yield "row", [row[c] for c in keep]


def _columns(table: ReportTable) -> list[str]:
    cols = list(table.frame.columns)
    if table.group_by and table.group_by[0] in cols:
        cols = [c for c in cols if c not in table.group_by]
    return cols


def to_markdown(report: Report) -> str:
    """Pipe tables with group headings as bold rows."""
    single = len(report.tables) == 1 and report.tables[0].title == report.title
    out = [] if single else [f"# {report.title}", ""]
    for table in report.tables:
        cols = _columns(table)
        out += [f"## {table.title}", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for kind, item in _grouped(table):
            if kind == "group":
                out.append("| **" + item.replace("|", "\\|") + "** |" + " |" * (len(cols) - 1))
            else:
                out.append("| " + " | ".join(_cell(v).replace("|", "\\|").replace("\n", " ") for v in item) + " |")
        out += [""] + [f"_{n}_" for n in table.notes] + ([""] if table.notes else [])
    return "\n".join(out).rstrip() + "\n"


def _csv_value(value: Any) -> Any:
    """A value as a CSV cell: text stays text (which the writer guards), numbers are formatted as numbers."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (str, list, tuple)):
        return _cell(value)
    return _Formatted(_cell(value))


class _Formatted:
    """A number (or date) formatted for CSV: written as it is, never guarded as text ("-3" stays "-3")."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def to_csv(report: Report, *, raw: bool = False) -> str:
    """CSV of the tables (several tables are separated by a blank line). Text that a spreadsheet would run as
    a formula gets a leading ``'`` (see :mod:`bctcoder.spreadsheet_safety`); ``raw`` writes it exactly."""
    parts = []
    for table in report.tables:
        buf = io.StringIO()
        writer = SafeCsvWriter(buf, raw=raw)
        writer.writerow([str(c) for c in table.frame.columns])
        for row in table.frame.itertuples(index=False):
            writer.writerow([_csv_value(v) for v in row])
        parts.append(buf.getvalue())
    return "\n".join(parts)


def _jsonable(obj: Any, raw: list[str]) -> Any:
    """Make ``obj`` JSON-safe; DataFrames become placeholders whose JSON (from pandas' C writer) is
    collected in ``raw`` and spliced in after dumping."""
    if isinstance(obj, pd.DataFrame):
        raw.append(obj.to_json(orient="records", force_ascii=False, date_format="iso") if len(obj) else "[]")
        return f"\u0000raw{len(raw) - 1}\u0000"
    if isinstance(obj, dict):
        return {str(k): _jsonable(v, raw) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v, raw) for v in obj]
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def _dumps(obj: Any) -> str:
    raw: list[str] = []
    text = json.dumps(_jsonable(obj, raw), indent=2, ensure_ascii=False, default=str)
    for i, chunk in enumerate(raw):
        text = text.replace(f'"\\u0000raw{i}\\u0000"', chunk, 1)
    return text


def to_json(report: Report) -> str:
    """The report's data object when it has one, else {table name: rows} (one table: its rows)."""
    if report.data is not None:
        return _dumps(report.data)
    if len(report.tables) == 1:
        return _dumps(report.tables[0].frame)
    return _dumps({t.name: t.frame for t in report.tables})


def to_xlsx(report: Report) -> bytes:
    """One sheet per table, bold frozen header, autosized columns. Text cells are always text, never
    formulas (see :mod:`bctcoder.spreadsheet_safety`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in report.tables:
        name = (table.name or "table")[:31]
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        ws = wb.create_sheet(name)
        append_xlsx_row(ws, list(map(str, table.frame.columns)))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.frame.itertuples(index=False):
            append_xlsx_row(ws, [_xlsx_value(v) for v in row])
        ws.freeze_panes = "A2"
        for i, col in enumerate(table.frame.columns, start=1):
            width = max([len(str(col))] + [len(_cell(v)) for v in table.frame.iloc[:200, i - 1]])
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(max(8, width + 2), 80)
        for note in table.notes:
            ws.append([])
            append_xlsx_row(ws, [note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    if hasattr(v, "item"):
        return v.item()
    return v


def to_docx(report: Report, *, paper: str = "a4", intro: str | None = None) -> bytes:
    """Journal-style tables on A4 (``paper="letter"`` for US Letter) pages: a caption, a header row repeated on
    every page, group heading rows in bold, notes in small type; columns as wide as their content, wide tables
    on landscape pages, the figures as images (when matplotlib is installed)."""
    from bctcoder.report.docx_writer import write_docx

    return write_docx(report, paper=paper, intro=intro)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d1d1f;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
th,td{border-bottom:1px solid #e3e3e3;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f4f6;position:sticky;top:0}tr.group td{font-weight:600;background:#fafafa;padding-top:.6rem}
td.yes{color:#0a6b2d;font-weight:600}.note{font-size:.8rem;color:#555}figure{margin:1.5rem 0}
figcaption{font-size:.85rem;color:#444;margin-top:.3rem}nav a{margin-right:.8rem;font-size:.85rem}
.meta{color:#666;font-size:.85rem}
"""


def to_html(report: Report) -> str:
    """One self-contained page: no external scripts, styles or images (figures are inline SVG)."""
    esc = html.escape
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{esc(report.title)}</title>",
             f"<style>{_CSS}</style></head><body><h1>{esc(report.title)}</h1>",
             f"<p class=\"meta\">Generated by bctcoder {__version__} on "
             f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}</p>"]
    if len(report.tables) > 1:
        parts.append("<nav>" + "".join(f"<a href=\"#{esc(t.name)}\">{esc(t.title)}</a>" for t in report.tables)
                     + "</nav>")
    for caption, svg in report.figures:
        parts.append(f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>")
    for table in report.tables:
        cols = _columns(table)
        parts.append(f"<h2 id=\"{esc(table.name)}\">{esc(table.title)}</h2><table><thead><tr>"
                     + "".join(f"<th>{esc(str(c))}</th>" for c in cols) + "</tr></thead><tbody>")
        for kind, item in _grouped(table):
            if kind == "group":
                parts.append(f"<tr class=\"group\"><td colspan=\"{len(cols)}\">{esc(item)}</td></tr>")
            else:
                cells = []
                for v in item:
                    text = _cell(v)
                    cls = " class=\"yes\"" if text in ("Yes",) else ""
                    cells.append(f"<td{cls}>{esc(text)}</td>")
                parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
        parts += [f"<p class=\"note\">{esc(n)}</p>" for n in table.notes]
    parts.append("</body></html>")
    return "\n".join(parts)


DOCUMENT_MAX_ROWS = 1000
DOCUMENT_MAX_COLUMNS = 40


def for_documents(report: Report, max_rows: int = DOCUMENT_MAX_ROWS,
                  max_columns: int = DOCUMENT_MAX_COLUMNS, *, keep_rows: int | None = None,
                  where: Callable[[ReportTable], str] | None = None) -> Report:
    """A copy of ``report`` fit for reading (docx, html): tables longer than ``max_rows`` cut to their first
    ``keep_rows`` (default ``max_rows``) rows and very wide tables (e.g. a matrix of hundreds of cases) left
    out, each with a note pointing to the full data (``where(table)`` names the file(s) that hold it)."""
    tables = []
    keep = max_rows if keep_rows is None else min(keep_rows, max_rows)
    for t in report.tables:
        if t.frame.shape[1] > max_columns:
            note = (f"{t.title}: {t.frame.shape[1]} columns, too wide to print; see "
                    f"{where(t) if where else 'the CSV or xlsx output'}.")
            tables.append(ReportTable(t.name, t.title, t.frame.iloc[:0, :4], None, [note]))
        elif len(t.frame) > max_rows:
            pointer = (f"Only the first {keep} of {len(t.frame)} rows are shown. The full table ({len(t.frame)} "
                       f"rows) is in {where(t)}." if where else
                       f"First {keep} of {len(t.frame)} rows; the CSV and xlsx outputs have them all.")
            tables.append(ReportTable(t.name, t.title, t.frame.head(keep), t.group_by, t.notes + [pointer]))
        else:
            tables.append(t)
    return Report(report.name, report.title, tables, report.data, report.figures)


RENDERERS: dict[str, Callable[[Report], str | bytes]] = {
    "md": to_markdown, "csv": to_csv, "json": to_json, "html": to_html, "xlsx": to_xlsx, "docx": to_docx,
}


def render(report: Report, fmt: str, *, paper: str = "a4", raw: bool = False) -> str | bytes:
    """Render a report in one of md, csv, json, html, xlsx, docx (on ``paper``: "a4" or "letter").

    CSV text that a spreadsheet would run as a formula is written with a leading ``'`` unless ``raw``
    (xlsx cells are always text, never formulas)."""
    if fmt in ("docx", "html"):
        report = for_documents(report)
    if fmt == "docx":
        return to_docx(report, paper=paper)
    if fmt == "csv":
        return to_csv(report, raw=raw)
    try:
        return RENDERERS[fmt](report)
    except KeyError:
        raise InputError(f"unknown format {fmt!r} (one of {', '.join(RENDERERS)})", source="--format") from None


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write a file via a temporary sibling and a rename, so readers never see half a file.

    A file-system failure (a folder that is not writable, a name that is a folder, a full disk) becomes an
    :class:`InputError` naming ``path`` and what to do; the temporary file is removed."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise cannot_write(exc, path) from exc
    return path
