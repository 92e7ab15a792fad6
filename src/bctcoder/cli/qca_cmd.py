"""``bctcoder qca``: Qualitative Comparative Analysis of a project's cases or of any CSV data set."""

from __future__ import annotations

import csv
import io
import math
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import typer

from bctcoder.cli.common import open_project
from bctcoder.cli.output import flatten
from bctcoder.errors import InputError
from bctcoder.qca.project_data import data_qca
from bctcoder.qca.text_output import format_text, to_json

MISSING_CELLS = {"", "na", "nan", "n/a"}


class QcaFormat(str, Enum):
    """Output formats of ``bctcoder qca``."""

    text = "text"
    json = "json"


def _cell(cell: str, column: str, source: str, line: int) -> float:
    cell = cell.strip()
    try:
        return math.nan if cell.casefold() in MISSING_CELLS else float(cell)
    except ValueError:
        raise InputError(f"column {column!r}: {cell!r} is not a number", source=source, line=line) from None


def read_data_csv(path: Path) -> pd.DataFrame:
    """Read a CSV of cases × sets: a header row, first column the case name, numeric cells.

    Blank and ``NA`` cells become NaN (cases are dropped when such a column is
    used). Errors name the file and line: unreadable file, bad header, ragged
    row, empty or duplicate case name, non-numeric cell.
    """
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", source=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    index: list[str] = []
    rows: list[list[float]] = []
    seen: set[str] = set()
    try:
        header = [h.strip() for h in next(reader, [])]
        columns = header[1:]
        if not columns or not all(columns) or len(set(columns)) != len(columns):
            raise InputError("the header must name every column after the first (the case name), each once",
                             source=source, line=1)
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise InputError(f"{len(values)} fields but the header has {len(header)}", source=source, line=line)
            case = values[0].strip()
            if not case or case in seen:
                raise InputError(f"{'duplicate' if case else 'empty'} case name {case!r}", source=source, line=line)
            index.append(case)
            seen.add(case)
            rows.append([_cell(cell, name, source, line) for name, cell in zip(columns, values[1:])])
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=source, line=reader.line_num) from None
    if not rows:
        raise InputError("no cases below the header", source=source)
    return pd.DataFrame(rows, index=pd.Index(index, name=header[0] or "case"), columns=columns)


def parse_incl_cut(text: str) -> tuple[float, float]:
    """``"0.8"`` or ``"0.8,0.6"`` (inclusion cut-offs for OUT = 1 and for contradictions)."""
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"{text!r} is not one number or two comma-separated numbers", source="--incl-cut") from None
    if len(values) not in (1, 2):
        raise InputError(f"{text!r}: give one number or two comma-separated numbers", source="--incl-cut")
    return (values[0], values[-1])


def parse_calibrations(items: list[str] | None) -> dict[str, list[float]]:
    """``NAME=e,c,i`` (or ``NAME=k`` / crisp thresholds) options as a mapping name → thresholds."""
    out: dict[str, list[float]] = {}
    for item in items or []:
        name, sep, values = item.rpartition("=")
        try:
            numbers = [float(v) for v in values.split(",") if v.strip()]
        except ValueError:
            numbers = []
        if not sep or not name.strip() or not numbers:
            raise InputError(f"{item!r}: write NAME=e,c,i (or NAME=threshold)", source="--calibrate")
        out[name.strip()] = numbers
    return out


def qca(project: Optional[str] = typer.Argument(None, help="Project file (leave out with --data).",
                                                show_default=False),
        data: Optional[Path] = typer.Option(None, "--data", help="CSV of cases × sets (first column: case name) "
                                            "instead of a project."),
        outcome: str = typer.Option(..., "--outcome", help="Outcome: attribute, NAME=VALUE (role=PW) or "
                                    "technique; ~NAME for its negation."),
        conditions: Optional[str] = typer.Option(None, "--conditions", help="Comma-separated conditions: "
                                                 "attributes, NAME=VALUE, technique numbers (default with "
                                                 "--data: every other column)."),
        fuzzy: bool = typer.Option(False, "--fuzzy", help="Fuzzy sets: technique membership 0 "
                                   "without quotes, 0.5 + quotes/6 up to 1 (k=3); calibrations are e,c,i."),
        calibrate: Optional[list[str]] = typer.Option(None, "--calibrate", help="NAME=e,c,i (fuzzy, direct "
                                                      "method) or NAME=threshold(s) (crisp); repeatable."),
        incl_cut: str = typer.Option("1", "--incl-cut", help="Inclusion cut-off, or two: '0.8,0.6' (OUT=1, C)."),
        n_cut: int = typer.Option(1, "--n-cut", help="Fewest cases for a row not to be a remainder."),
        dir_exp: Optional[str] = typer.Option(None, "--dir-exp", help="Directional expectations for the "
                                              "intermediate solution, R style: 'DEV, URB, ~IND'."),
        negate: bool = typer.Option(False, "--negate", help="Analyse the negated outcome (~OUTCOME)."),
        include_c: bool = typer.Option(False, "--include-contradictions", help="Let contradictions be used."),
        coder: Optional[list[str]] = typer.Option(None, "--coder", help="Only these coders' codings."),
        set_: Optional[str] = typer.Option(None, "--set", help="Only cases in this named case set."),
        format: QcaFormat = typer.Option(QcaFormat.text, "--format", "-f", help="text (like R QCA) or json."),
        ) -> None:
    """QCA: truth table, complex/parsimonious/intermediate solutions with fit, and necessity."""
    if (project is None) == (data is None):
        raise InputError("give either a PROJECT or --data FILE.csv (exactly one)", source="qca")
    options: dict[str, Any] = dict(incl_cut=parse_incl_cut(incl_cut), n_cut=n_cut, dir_exp=dir_exp,
                                   negate_outcome=negate, include="?C" if include_c else "?")
    calibration = parse_calibrations(calibrate)
    if data is not None:
        if coder or set_:
            raise InputError("--coder and --set apply to a project, not to --data", source="--data")
        result = data_qca(read_data_csv(data), outcome, conditions, fuzzy=fuzzy, calibration=calibration,
                          source=str(data), **options)
    else:
        if not conditions:
            raise InputError("name the conditions (comma-separated)", source="--conditions")
        assert project is not None   # exactly one of project and --data, checked above
        with open_project(project) as p:
            result = p.qca(outcome, conditions, fuzzy=fuzzy, calibration=calibration,
                           coders=flatten(coder) if coder else None, case_set=set_, **options)
    text = to_json(result) if format == QcaFormat.json else format_text(result)
    print(text, end="" if text.endswith("\n") else "\n")
