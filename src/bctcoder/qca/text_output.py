"""Printing a QCA result (from :func:`bctcoder.qca.project_data.run_qca`) as text like R's QCA package, or JSON."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

TT_LEGEND = (
    "  OUT: output value\n"
    "    n: number of cases in configuration\n"
    " incl: sufficiency inclusion score\n"
    "  PRI: proportional reduction in inconsistency\n"
)

TITLES = {"complex": "Complex solution", "parsimonious": "Parsimonious solution",
          "intermediate": "Intermediate solution"}


def _num(value: Any, width: int = 5) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-".center(width)
    return f"{float(value):.3f}".rjust(width)


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return [line(header).rstrip(), *(line(r).rstrip() for r in rows)]


def format_truth_table(result: dict[str, Any]) -> str:
    """The observed truth table rows with OUT, n, incl, PRI and cases, as R prints them."""
    table: pd.DataFrame = result["truth_table"]
    conditions = result["conditions"]
    header = ["", *conditions, "OUT", "n", "incl", "PRI", "cases"]
    rows = []
    for number, row in table.iterrows():
        rows.append([str(number), *(str(int(row[c])) for c in conditions), str(row["OUT"]), str(int(row["n"])),
                     _num(row["incl"]), _num(row["PRI"]), ",".join(map(str, row["cases"]))])
    counts = table["OUT"].value_counts()
    summary = (f"n OUT = 1/0/C: {counts.get(1, 0)}/{counts.get(0, 0)}/{counts.get('C', 0)}\n"
               f"  Total      : {int(table['n'].sum())}")
    body = "\n".join(_table(header, rows, right=set(range(1, len(header) - 1))))
    return f"{TT_LEGEND}\n{body}\n\n{summary}\n"


def format_model(model: dict[str, Any], outcome: str) -> str:
    """``M1: A*B + C -> OUT`` and its fit table (inclS PRI covS covU per term, then the solution)."""
    fit: pd.DataFrame = model["fit"]
    header = ["", "", "inclS", "PRI", "covS", "covU"]
    rows = [[f"{k}", str(term), *(_num(r[c]) for c in ("inclS", "PRI", "covS", "covU"))]
            for k, (term, r) in enumerate(fit.iterrows(), 1)]
    total = ["", model["name"], _num(model["inclS"]), _num(model["PRI"]), _num(model["covS"]), ""]
    lines = _table(header, [*rows, total], right={2, 3, 4, 5})
    rule = "-" * max(len(line) for line in lines)
    out = [f"{model['name']}: {model['expression']} -> {outcome}", "", lines[0], rule, *lines[1:-1], rule,
           lines[-1]]
    return "\n".join(out) + "\n"


def format_solution(solution: dict[str, Any]) -> str:
    """One solution: its title, each model with its fit, and the remainders it used."""
    parts = [TITLES.get(solution["type"], solution["type"]), ""]
    for model in solution["models"]:
        if model.get("origin"):
            parts.append(f"From {model['origin']}:\n")
        parts.append(format_model(model, solution["outcome"]))
    if solution.get("simplifying_assumptions"):
        parts.append("Simplifying assumptions (remainder rows): "
                     + ", ".join(map(str, solution["simplifying_assumptions"])) + "\n")
    if solution.get("easy_counterfactuals"):
        parts.append("Easy counterfactuals (remainder rows): "
                     + ", ".join(map(str, solution["easy_counterfactuals"])) + "\n")
    return "\n".join(parts)


def format_necessity(result: dict[str, Any]) -> str:
    """The necessity table: inclN, RoN, covN per condition and negation."""
    table: pd.DataFrame = result["necessity"]
    rows = [[f"{k}", str(name), *(_num(r[c]) for c in ("inclN", "RoN", "covN"))]
            for k, (name, r) in enumerate(table.iterrows(), 1)]
    lines = _table(["", "", "inclN", "RoN", "covN"], rows, right={2, 3, 4})
    rule = "-" * max(len(line) for line in lines)
    return "\n".join([lines[0], rule, *lines[1:], rule]) + "\n"


def format_text(result: dict[str, Any]) -> str:
    """The whole result as text resembling R QCA's printed output."""
    ic1, ic0 = result["incl_cut"]
    cut = f"{ic1:g}" if ic1 == ic0 else f"{ic1:g}, {ic0:g}"
    parts = [f"QCA of {result['outcome']} on {', '.join(result['conditions'])}: {result['cases']} cases "
             f"(inclusion cut-off {cut}, frequency cut-off {result['n_cut']})"]
    dropped = result.get("dropped") or []
    if dropped:
        parts.append(f"Dropped {len(dropped)} case(s): "
                     + "; ".join(f"{d['case']} ({d['reason']})" for d in dropped))
    parts.append("\nTruth table\n")
    parts.append(format_truth_table(result))
    if result.get("note"):
        parts.append(f"Note: {result['note']}\n")
    for solution in result["solutions"]:
        parts.append(format_solution(solution))
    parts.append(f"Necessity of each condition for {result['outcome']}\n")
    parts.append(format_necessity(result))
    return "\n".join(parts)


def _clean(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return [_clean(r) for r in value.reset_index().to_dict("records")]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def to_dict(result: dict[str, Any]) -> dict[str, Any]:
    """The result as JSON-ready data: DataFrames become lists of records (fit tables keyed by ``term``)."""
    out = dict(result)
    out["truth_table"] = _clean(result["truth_table"].rename_axis("row"))
    out["necessity"] = _clean(result["necessity"].rename_axis("condition"))
    if "data" in result:
        out["data"] = _clean(result["data"].rename_axis("case"))
    out["solutions"] = [
        {**s, "models": [{**m, "fit": _clean(m["fit"].rename_axis("term"))} for m in s["models"]]}
        for s in result["solutions"]]
    return _clean(out)


def to_json(result: dict[str, Any]) -> str:
    """The result as indented JSON (truth table, every solution's models with terms and fit, necessity)."""
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False, allow_nan=False)
