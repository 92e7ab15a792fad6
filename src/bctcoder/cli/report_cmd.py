"""``bctcoder report ...``, ``bctcoder compare`` and ``bctcoder select``: thin callers of the analysis API."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from bctcoder.cli.common import ProjectArg, PseudonymisedOpt, open_project
from bctcoder.cli.errors import friendly
from bctcoder.cli.output import Format, emit, flatten, literal, make_console
from bctcoder.errors import InputError
from bctcoder.report.render import BINARY_FORMATS, render, write_atomic

app = typer.Typer(help="Tables and reports: table1, table2, summary, groups, fit, coverage, matrix, dyads, "
                       "quotes, all.", no_args_is_help=True)
console = make_console()
err = make_console(stderr=True)


class ReportFormat(str, Enum):
    """Output formats of reports."""

    table = "table"
    md = "md"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
    docx = "docx"
    html = "html"


FormatOpt = typer.Option(ReportFormat.table, "--format", "-f", help="table, md, csv, json, xlsx, docx or html.")
OutOpt = typer.Option(None, "--out", "-o", help="Write to this file (required for xlsx and docx).")
ByOpt = typer.Option("role", "--by", help="Case attribute whose values are compared (role, setting, sex...).")
CodersOpt = typer.Option(None, "--coder", help="Only these coders' codings (repeat or comma-separate).")
SetOpt = typer.Option(None, "--set", help="Only cases in this named case set.")
TaxOpt = typer.Option(None, "--taxonomy", help="Only techniques of this taxonomy (e.g. bcttv1).")
RawOpt = typer.Option(False, "--raw", help="CSV: write text exactly, even text a spreadsheet would run as a "
                                           "formula (by default such cells get a leading ').")


def _show(report, fmt: ReportFormat, out: Optional[Path], raw: bool = False) -> None:
    if fmt == ReportFormat.table:
        if out is not None:
            raise InputError("--out needs a file format (md, csv, json, xlsx, docx, html)", source="--format")
        for table in report.tables:
            emit(table.records(), Format.table, title=table.title, console=console)
            for note in table.notes:
                console.print(literal(note, "dim"), soft_wrap=True)
        return
    content = render(report, fmt.value, raw=raw)
    if out is None:
        if fmt.value in BINARY_FORMATS:
            raise InputError(f"{fmt.value} is a binary format: give --out FILE", source="--format")
        print(content, end="" if str(content).endswith("\n") else "\n")
        return
    write_atomic(out, content)
    err.print(f"Wrote {out}", soft_wrap=True)


def _run(project: str, name: str, fmt: ReportFormat, out: Optional[Path], coder, case_set, taxonomy=None,
         raw: bool = False, pseudonymised: bool = False, **options) -> None:
    with open_project(project, pseudonymised=pseudonymised) as p:
        report = p.report(name, coders=flatten(coder) if coder else None, case_set=case_set, taxonomy=taxonomy,
                          **options)
    _show(report, fmt, out, raw)


@app.command("table1")
@friendly
def table1(project: str = ProjectArg, attributes: Optional[str] = typer.Option(
               None, help="Comma-separated attributes to show (default: all)."),
           by: str = ByOpt, set_: Optional[str] = SetOpt, format: ReportFormat = FormatOpt,
           out: Optional[Path] = OutOpt, raw: bool = RawOpt,
           pseudonymised: bool = PseudonymisedOpt) -> None:
    """Table 1 as journals print it: one column per role (or --by value) with its n, cells n (%), declined and
    missing rows, numeric characteristics as mean (SD); median [IQR]; range."""
    _run(project, "table1", format, out, None, set_, raw=raw, pseudonymised=pseudonymised,
         attributes=flatten([attributes]) if attributes else None, by=by)


def _attribute_report(name: str, doc: str):
    """A report command taking --by, --coder, --set, --taxonomy, --format, --out and --raw."""

    def command(project: str = ProjectArg, by: str = ByOpt, coder: Optional[list[str]] = CodersOpt,
                set_: Optional[str] = SetOpt, taxonomy: Optional[str] = TaxOpt, format: ReportFormat = FormatOpt,
                out: Optional[Path] = OutOpt, raw: bool = RawOpt,
           pseudonymised: bool = PseudonymisedOpt) -> None:
        _run(project, name, format, out, coder, set_, taxonomy, raw, pseudonymised, by=by)

    command.__doc__ = doc
    command.__name__ = name
    return command


for _name, _doc in [
    ("table2", "Table 2: each technique evidenced by which roles (or values of --by), grouped by taxonomy group."),
    ("summary", "The study's headline figures: supported, per role, both, neither, groups covered, emphasis."),
    ("groups", "Taxonomy groups ranked by the share of their techniques supported."),
    ("fit", "Taxonomy fit: never-evidenced techniques, ranked groups, inductive codes, proposed extension."),
]:
    app.command(_name)(friendly(_attribute_report(_name, _doc)))


@app.command("coverage")
@friendly
def coverage(project: str = ProjectArg, level: str = typer.Option("document", help="document, case or role."),
             coder: Optional[list[str]] = CodersOpt, set_: Optional[str] = SetOpt,
             format: ReportFormat = FormatOpt, out: Optional[Path] = OutOpt, raw: bool = RawOpt,
           pseudonymised: bool = PseudonymisedOpt) -> None:
    """Coverage (NVivo's definition): references and percent of characters coded, per code."""
    _run(project, "coverage", format, out, coder, set_, raw=raw, pseudonymised=pseudonymised, level=level)


@app.command("matrix")
@friendly
def matrix(project: str = ProjectArg, counts: bool = typer.Option(False, "--counts", help="Quote counts, not 0/1."),
           coder: Optional[list[str]] = CodersOpt, set_: Optional[str] = SetOpt, taxonomy: Optional[str] = TaxOpt,
           format: ReportFormat = FormatOpt, out: Optional[Path] = OutOpt, raw: bool = RawOpt,
           pseudonymised: bool = PseudonymisedOpt) -> None:
    """Case × technique matrix and Jaccard similarity within and between roles."""
    _run(project, "matrix", format, out, coder, set_, taxonomy, raw, pseudonymised, counts=counts)


@app.command("dyads")
@friendly
def dyads(project: str = ProjectArg, coder: Optional[list[str]] = CodersOpt, set_: Optional[str] = SetOpt,
          format: ReportFormat = FormatOpt, out: Optional[Path] = OutOpt, raw: bool = RawOpt,
           pseudonymised: bool = PseudonymisedOpt) -> None:
    """PW–SP partnerships: techniques both partners evidenced, or only one."""
    _run(project, "dyads", format, out, coder, set_, raw=raw, pseudonymised=pseudonymised)


@app.command("quotes")
@friendly
def quotes(project: str = ProjectArg, code: Optional[list[str]] = typer.Option(None, help="Only these codes."),
           limit: int = typer.Option(10, help="At most this many quotes per code (0 = all)."),
           coder: Optional[list[str]] = CodersOpt, set_: Optional[str] = SetOpt, format: ReportFormat = FormatOpt,
           out: Optional[Path] = OutOpt, raw: bool = RawOpt,
           pseudonymised: bool = PseudonymisedOpt) -> None:
    """Verbatim quotes per technique with case and role, exemplars first."""
    _run(project, "quotes", format, out, coder, set_, raw=raw, pseudonymised=pseudonymised,
         codes=flatten(code) if code else None,
         limit=limit or None)


@app.command("all")
@friendly
def all_reports(project: str = ProjectArg, out: Path = typer.Option(..., "--out", "-o", help="Folder to write."),
                by: str = ByOpt, coder: Optional[list[str]] = CodersOpt, set_: Optional[str] = SetOpt,
                paper: str = typer.Option("a4", "--paper", help="Paper for report.docx: a4 or letter."),
                raw: bool = RawOpt,
           pseudonymised: bool = PseudonymisedOpt) -> None:
    """Write every table (CSV), report.xlsx, report.docx, report.md and a self-contained report.html."""
    with open_project(project, pseudonymised=pseudonymised) as p:
        result = p.write_all_reports(out, by=by, coders=flatten(coder) if coder else None, case_set=set_,
                                     paper=paper, raw=raw)
    console.print(literal(f"Wrote {len(result['files'])} files to {result['folder']}; open {result['html']}"),
                  soft_wrap=True)


def compare(project: str = ProjectArg,
            reference: str = typer.Option("marks2022", "--reference", help="Published profile to compare with."),
            by: str = ByOpt, coder: Optional[list[str]] = CodersOpt, set_: Optional[str] = SetOpt,
            format: ReportFormat = FormatOpt, out: Optional[Path] = OutOpt, raw: bool = RawOpt,
           pseudonymised: bool = PseudonymisedOpt) -> None:
    """Compare the project's techniques with a published study's (found in one and not the other, by group)."""
    _run(project, "compare", format, out, coder, set_, raw=raw, pseudonymised=pseudonymised,
         reference_name=reference, by=by)


def select(project: str = ProjectArg, name: str = typer.Option(..., "--name", help="Name of the case set."),
           top: int = typer.Option(..., "--top", help="How many transcripts per role."),
           code: Optional[list[str]] = typer.Option(None, "--code", help="Codes to rank by (repeatable)."),
           group: Optional[str] = typer.Option(None, "--group", help="Taxonomy group to rank by (e.g. 3)."),
           role: Optional[list[str]] = typer.Option(None, "--role", help="Only these roles."),
           replace: bool = typer.Option(False, "--replace", help="Replace an existing set of that name."),
           format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Select the transcripts richest in chosen codes (coverage), top N per role, as a named case set."""
    with open_project(project) as p:
        result = p.select_cases(name, top=top, codes=flatten(code) if code else None, group=group,
                                roles=flatten(role) if role else None, replace=replace)
    emit(result["ranking"].to_dict("records"), format, title=f"Case set '{name}': {', '.join(result['cases'])}")
    if result.get("note") and format == Format.table:
        console.print(literal(result["note"], "yellow"), soft_wrap=True)


def sets(project: str = ProjectArg, format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List named case sets."""
    with open_project(project) as p:
        emit(p.case_sets(), format)
