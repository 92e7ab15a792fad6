"""Exchange commands: ``bctcoder export qdpx|qdc|codebook`` and ``bctcoder import qdpx|qdc|codebook|
qualcoder|taguette``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bctcoder.cli.common import ProjectArg, PseudonymisedOpt, open_project
from bctcoder.cli.output import Format, emit_object, flatten, literal, make_console

console = make_console()


InterviewerOpt = typer.Option(None, "--interviewer",
                              help="Speaker label(s) of the interviewer (default: Interviewer, I, Q, ..., else "
                                   "guessed: the speaker asking most questions).")


def _report(result: dict, format: Format) -> None:
    if format == Format.json:
        emit_object(result, format)
        return
    from bctcoder.cli.imports import speakers_line
    from bctcoder.interop.refi.project_file import report_lines

    if "counts" in result:
        for line in report_lines(result):
            console.print(literal(line), soft_wrap=True)
        return
    shown = {k: v for k, v in result.items() if k not in ("mapped", "skipped", "warnings", "speakers",
                                                          "documents_matched")}
    emit_object(shown, format)
    for m in result.get("documents_matched", []):
        console.print(literal(f"  matched {m['imported_as']!r} to the project's document {m['document']!r} "
                              f"({m['matched_by']})"), soft_wrap=True)
    for name, speakers in result.get("speakers", {}).items():
        console.print(literal(f"  {name}: {speakers_line(speakers)}"), soft_wrap=True)
    for m in result.get("mapped", [])[:200]:
        console.print(literal(f"  {m.get('name')!s} → {m.get('code')!s} ({m.get('how')})"), soft_wrap=True)
    for item in result.get("skipped", []):
        console.print(literal(f"  skipped {item.get('item')}: {item.get('reason')}"), soft_wrap=True)


def export_qdpx(project: str = ProjectArg, file: Path = typer.Argument(..., help="The .qdpx file to write."),
                origin: Optional[list[str]] = typer.Option(None, "--origin", help="Only codings of these origins."),
                format: Format = typer.Option(Format.table, "--format", "-f"),
               pseudonymised: bool = PseudonymisedOpt) -> None:
    """Export the whole project as REFI-QDA (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    with open_project(project, pseudonymised=pseudonymised) as p:
        result = p.export_qdpx(file, origins=flatten(origin) if origin else None)
    emit_object({k: v for k, v in result.items()}, format)


def export_qdc(project: str = ProjectArg, file: Path = typer.Argument(..., help="The .qdc file to write."),
               format: Format = typer.Option(Format.table, "--format", "-f"),
               pseudonymised: bool = PseudonymisedOpt) -> None:
    """Export the codebook (taxonomy and inductive codes) as a REFI-QDA codebook (.qdc)."""
    with open_project(project, pseudonymised=pseudonymised) as p:
        emit_object(p.export_qdc(file), format)


def export_codebook(project: str = ProjectArg, file: Path = typer.Argument(..., help="A .csv or .xlsx file."),
                    format: Format = typer.Option(Format.table, "--format", "-f"),
               pseudonymised: bool = PseudonymisedOpt) -> None:
    """Export the codebook as CSV or XLSX."""
    with open_project(project, pseudonymised=pseudonymised) as p:
        emit_object(p.export_codebook(file), format)


def import_qdpx(project: str = ProjectArg, file: Path = typer.Argument(..., help="A .qdpx or .qde file."),
                no_taxonomy_match: bool = typer.Option(False, "--no-taxonomy-match",
                                                       help="Import every code as an inductive code."),
                sources_dir: Optional[Path] = typer.Option(
                    None, "--sources-dir", metavar="DIR",
                    help="Folder holding source texts the file refers to outside itself (absolute:// or "
                         "relative:// paths); nothing outside it is read."),
                interviewer: Optional[list[str]] = InterviewerOpt,
                format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import a REFI-QDA project (one transaction); prints what was imported, mapped and skipped."""
    with open_project(project) as p:
        _report(p.import_qdpx(file, taxonomy_match=not no_taxonomy_match, sources_dir=sources_dir,
                              interviewer_labels=interviewer), format)


def import_qdc(project: str = ProjectArg, file: Path = typer.Argument(..., help="A .qdc codebook."),
               format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import a REFI-QDA codebook: codes map to techniques by number or label, the rest become inductive."""
    with open_project(project) as p:
        _report(p.import_qdc(file), format)


def import_codebook(project: str = ProjectArg, file: Path = typer.Argument(..., help="A .csv, .xlsx or .yaml."),
                    format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import a codebook table, mapping codes onto the taxonomy or creating inductive codes."""
    with open_project(project) as p:
        _report(p.import_codebook_table(file), format)


def import_qualcoder(project: str = ProjectArg,
                     path: Path = typer.Argument(..., help="A QualCoder project folder or its data.qda."),
                     interviewer: Optional[list[str]] = InterviewerOpt,
                     format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import a QualCoder project (texts, codes, codings, cases, attributes); transcripts already in the
    project get the codings."""
    with open_project(project) as p:
        _report(p.import_qualcoder(path, interviewer_labels=interviewer), format)


def import_taguette(project: str = ProjectArg, path: Path = typer.Argument(..., help="A Taguette SQLite database."),
                    project_id: Optional[int] = typer.Option(None, "--project-id", help="Only this Taguette project."),
                    interviewer: Optional[list[str]] = InterviewerOpt,
                    format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import a Taguette database (highlights' UTF-8 byte offsets converted to characters)."""
    with open_project(project) as p:
        _report(p.import_taguette(path, project_id=project_id, interviewer_labels=interviewer), format)
