"""``report all``: every table as CSV, plus one xlsx workbook, one docx and one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope
from bctcoder.file_errors import cannot_write
from bctcoder.report.builders import build_all
from bctcoder.report.docx_layout import paper_size
from bctcoder.report.model import Report, ReportTable
from bctcoder.report.render import for_documents, render, to_csv, to_docx, write_atomic

DOCX_MAX_ROWS = 60    # longer tables are cut in the Word report (the xlsx and CSV files have every row)
DOCX_KEEP_ROWS = 30   # ... to their first rows
FULL_IN_WORD = {"table1", "table2"}   # the paper's own tables are never cut (Table 2 lists every technique)


def _where(table: ReportTable) -> str:
    return f"report.xlsx (sheet '{table.name[:31]}') and csv/{table.name}.csv"


def word_report(report: Report, *, paper: str = "a4") -> bytes:
    """The bundle's report.docx: long tables cut to their first rows, each pointing to report.xlsx and csv/."""
    short = for_documents(report, DOCX_MAX_ROWS, keep_rows=DOCX_KEEP_ROWS, where=_where)
    short = Report(short.name, short.title, [whole if whole.name in FULL_IN_WORD else cut
                                             for whole, cut in zip(report.tables, short.tables)],
                   short.data, short.figures)
    intro = (f"Tables longer than {DOCX_MAX_ROWS} rows (except Tables 1 and 2) show their first {DOCX_KEEP_ROWS} "
             "rows here; every table is in full in report.xlsx and in csv/ (one file per table).")
    return to_docx(short, paper=paper, intro=intro)


def write_bundle(session: Session, out: str | Path, *, by: str = "role", scope: Scope = Scope(),
                 paper: str = "a4", raw: bool = False) -> dict[str, Any]:
    """Write the full report set into folder ``out``; returns the paths written. The Word report is printed on
    ``paper`` ("a4" or "letter") and cuts tables longer than :data:`DOCX_MAX_ROWS` rows, pointing to the full
    table in report.xlsx and csv/. CSV text a spreadsheet would run as a formula gets a leading ``'`` unless
    ``raw`` (:mod:`bctcoder.spreadsheet_safety`).

    The folders are made first, then everything is rendered before the first file is written, and each file
    is written whole (``NAME.part``, then renamed); a folder that cannot be made or written to is an
    :class:`InputError` naming it."""
    paper_size(paper)  # an unknown paper size fails before anything is written
    out = Path(out)
    csv_dir = out / "csv"
    for folder in (out, csv_dir):   # a folder that cannot be made fails at once, not after the rendering
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise cannot_write(exc, folder, "make folder") from exc
    report = build_all(session, scope, by=by)
    files: list[tuple[Path, str | bytes]] = []
    for table in report.tables:
        single = Report(table.name, table.title, [table])
        files.append((csv_dir / f"{table.name}.csv", to_csv(single, raw=raw)))
    for fmt in ("xlsx", "docx", "html", "md"):
        files.append((out / f"report.{fmt}", word_report(report, paper=paper) if fmt == "docx"
                      else render(report, fmt, raw=raw)))
    written = [write_atomic(path, content) for path, content in files]
    return {"folder": str(out), "html": str(out / "report.html"), "files": [str(p) for p in written]}
