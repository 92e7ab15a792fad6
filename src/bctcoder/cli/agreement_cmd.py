"""``bctcoder agreement``, ``bctcoder reconcile`` and ``bctcoder blind``: thin callers of the agreement API."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from bctcoder.cli.common import open_project
from bctcoder.cli.output import Format, emit, emit_object, flatten, literal, make_console
from bctcoder.errors import InputError
from bctcoder.report.model import Report
from bctcoder.report.render import render, to_json, write_atomic

console = make_console()
err = make_console(stderr=True)


class AgreementFormat(str, Enum):
    """Output formats of agreement results."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def agreement(project: Optional[str] = typer.Argument(None, help="Project file or URL (or use --data)."),
              coders: Optional[str] = typer.Option(None, "--coders", help="Coders to compare, e.g. A,B."),
              unit: str = typer.Option("document", "--unit", help="document, segment or turn."),
              set_: Optional[str] = typer.Option(None, "--set", help="Only cases in this case set."),
              taxonomy: Optional[str] = typer.Option(None, "--taxonomy", help="Only this taxonomy's techniques."),
              data: Optional[Path] = typer.Option(None, "--data",
                                                  help="Any ratings CSV: unit id, one column per coder."),
              level: str = typer.Option("nominal", "--level", help="With --data: nominal, ordinal, interval, ratio."),
              missing: Optional[str] = typer.Option(
                  None, "--missing", help="Units some coders did not rate: 'all' (Gwet's form: every unit rated by "
                                          "two or more) or 'listwise' (only units every coder rated). Default: all "
                                          "for --data, listwise for a project."),
              scale: Optional[str] = typer.Option(
                  None, "--scale", "--categories",
                  help="With --data: the whole scale, e.g. 1-5 or low,mid,high (in order): sets q for PABAK, AC1 "
                       "and AC2 and the weights of weighted kappa and AC2."),
              format: AgreementFormat = typer.Option(AgreementFormat.table, "--format", "-f"),
              out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (needed for xlsx).")) -> None:
    """Agreement between coders of a project (per technique, group, pooled, every pair), or on any ratings table."""
    if (project is None) == (data is None):
        raise InputError("give a PROJECT or --data FILE.csv (not both)", source="agreement")
    if data is not None:
        _ratings(data, level, missing or "all", scale, format)
        return
    if scale is not None:
        raise InputError("--scale applies to --data ratings; a project's scale is present/absent", source="--scale")
    if not coders:
        raise InputError("name the coders to compare, e.g. --coders A,B", source="--coders")
    if project is None:
        raise InputError("give a PROJECT (or --data FILE.csv)", source="agreement")
    with open_project(project) as p:
        report = p.report("agreement", coders=flatten([coders]), case_set=set_, taxonomy=taxonomy, unit=unit,
                          missing=missing or "listwise")
    if format == AgreementFormat.table:
        short = ["first", "second", "documents", "scope", "id", "label", "n", "both", "first_only", "second_only",
                 "any_coder", "all_coders", "percent_agreement", "cohen_kappa", "pabak", "gwet_ac1",
                 "positive_agreement", "fleiss_kappa", "krippendorff_alpha"]
        for table in report.tables:
            columns = [c for c in short if c in table.frame.columns]
            emit(table.records(), Format.table, columns=columns, title=table.title, console=console)
        for note in report.tables[0].notes:
            console.print(literal(note, "yellow" if "inflated" in note or "undefined" in note else ""),
                          soft_wrap=True)
        return
    per_technique = [t for t in report.tables if t.name == "techniques"] or report.tables[:1]
    content = render(report, format.value) if format != AgreementFormat.csv else render(
        Report("agreement", "", per_technique), "csv")
    if out is None:
        if format == AgreementFormat.xlsx:
            raise InputError("xlsx is a binary format: give --out FILE", source="--format")
        assert isinstance(content, str)   # every format but xlsx renders as text
        print(content, end="" if content.endswith("\n") else "\n")
    else:
        write_atomic(out, content)
        err.print(f"Wrote {out}", soft_wrap=True)


def _ratings(data: Path, level: str, missing: str, scale: Optional[str], format: AgreementFormat) -> None:
    from bctcoder.agreement.weights import parse_scale
    from bctcoder.project import Project

    try:
        categories = parse_scale(scale) if scale is not None else None
    except ValueError as exc:
        raise InputError(str(exc), source="--scale") from None
    result = Project.ratings_agreement(data, level, missing=missing, categories=categories)
    if format == AgreementFormat.json:
        print(to_json(Report("ratings", "Agreement", [], data=result)))
        return
    skip = ("file", "level", "units", "units_used", "coders", "missing", "categories", "undefined", "conventions",
            "definitions")
    rows = [{"statistic": k, "value": v, "note": result["undefined"].get(k)} for k, v in result.items()
            if k not in skip]
    emit(rows, Format(format.value) if format.value in ("table", "csv") else Format.table,
         title=f"{result['units']} units, coders {', '.join(result['coders'])}, {level} level")
    if format == AgreementFormat.table:
        for note in result["conventions"]:
            console.print(literal(note), soft_wrap=True)


def reconcile(project: str = typer.Argument(..., help="Project file or URL."),
              coders: str = typer.Option(..., "--coders", help="The two coders, e.g. A,B."),
              decisions: Optional[Path] = typer.Option(None, "--decisions",
                                                       help="Apply a CSV of decisions (document,code,decision)."),
              accept_agreements: bool = typer.Option(False, "--accept-agreements",
                                                     help="Copy identical codings into the consensus coder."),
              decisions_only: bool = typer.Option(False, "--decisions-only",
                                                  help="With --decisions: do not also copy the passages both "
                                                       "coders coded identically."),
              show_all: bool = typer.Option(False, "--all", help="Also list disagreements already decided."),
              format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List disagreements between two blind coders, or record decisions as a 'consensus' coder.

    Workflow: ``reconcile P --coders A,B --format csv > decisions.csv``; fill the decision column with
    A, B, both or none; ``reconcile P --coders A,B --decisions decisions.csv`` (the consensus is then the
    agreements plus the decisions). Default reports then count each reconciled technique as decided;
    ``--coder consensus`` shows the consensus alone.
    """
    names = flatten([coders])
    if len(names) != 2:
        raise InputError("reconcile compares exactly two coders, e.g. --coders A,B", source="--coders")
    first, second = names
    with open_project(project) as p:
        if accept_agreements:
            emit_object(p.accept_agreements(first, second), format)
        if decisions is not None:
            result = p.apply_decisions(first, second, decisions, keep_agreements=not decisions_only)
            emit_object({k: v for k, v in result.items() if k != "decisions"}, format)
            return
        if accept_agreements:
            return
        items = p.disagreements(first, second, include_resolved=show_all)
    rows = [{"document": d["document"], "code": d["code"], "label": d["label"], "kind": d["kind"],
             first: " | ".join(q["quote"] for q in d[first]), second: " | ".join(q["quote"] for q in d[second]),
             "decision": "", "resolved": d["resolved"]} for d in items]
    if format == Format.json:
        emit_object({"coders": names, "disagreements": items}, format)
    else:
        emit(rows, format, title=f"{len(rows)} disagreement(s) between {first} and {second}")


def blind(project: str = typer.Argument(..., help="Project file or URL."),
          state: str = typer.Argument(..., help="on or off")) -> None:
    """Turn blind double coding on or off (listings then show one coder's codings at a time: --as NAME)."""
    if state not in ("on", "off"):
        raise InputError(f"state must be on or off, not {state!r}", source="blind")
    with open_project(project) as p:
        p.set_blind(state == "on")
    console.print(f"Blind coding is {state}.")
