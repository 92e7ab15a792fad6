"""What a report is made of: titled tables (optionally with group headings) and notes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class ReportTable:
    """One table of a report.

    ``group_by`` names two columns (id, label) whose values become group
    heading rows in docx, html and md output (as journals print Table 2); the
    columns themselves are then dropped from those renderings.
    """

    name: str
    title: str
    frame: pd.DataFrame
    group_by: tuple[str, str] | None = None
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict]:
        """Rows as JSON-safe dicts (via pandas' C JSON writer: fast on large tables)."""
        return frame_records(self.frame)


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame as a list of JSON-safe dicts (NaN becomes None)."""
    import json

    if frame.empty:
        return []
    return json.loads(frame.to_json(orient="records", force_ascii=False, date_format="iso"))


@dataclass
class Report:
    """A named report: tables plus an optional summary object (for JSON) and SVG figures (for HTML)."""

    name: str
    title: str
    tables: list[ReportTable]
    data: dict | None = None
    figures: list[tuple[str, str]] = field(default_factory=list)  # (caption, svg markup)
