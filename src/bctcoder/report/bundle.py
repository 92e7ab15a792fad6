"""``report all``: every table as CSV, plus one xlsx workbook, one docx and one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope
from bctcoder.report.builders import build_all
from bctcoder.report.model import Report
from bctcoder.report.render import render, to_csv, write_atomic


def write_bundle(session: Session, out: str | Path, *, by: str = "role", scope: Scope = Scope()) -> dict[str, Any]:
    """Write the full report set into folder ``out``; returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = build_all(session, scope, by=by)
    written = []
    csv_dir = out / "csv"
    csv_dir.mkdir(exist_ok=True)
    for table in report.tables:
        single = Report(table.name, table.title, [table])
        written.append(write_atomic(csv_dir / f"{table.name}.csv", to_csv(single)))
    for fmt in ("xlsx", "docx", "html", "md"):
        written.append(write_atomic(out / f"report.{fmt}", render(report, fmt)))
    return {"folder": str(out), "html": str(out / "report.html"), "files": [str(p) for p in written]}
