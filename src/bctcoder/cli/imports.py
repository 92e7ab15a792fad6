"""``bctcoder import ...``: cases, partnerships, transcripts, codings, presence."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bctcoder.cli.common import ProjectArg, open_project
from bctcoder.cli.errors import friendly
from bctcoder.cli.output import Format, emit, emit_object, literal, make_console

app = typer.Typer(help="Import cases, partnerships, transcripts, codings or presence records.", no_args_is_help=True)
console = make_console(stderr=True)


@app.command("cases")
@friendly
def import_cases(project: str = ProjectArg, file: Path = typer.Argument(..., help="CSV: case,role,<attributes>"),
                 update: bool = typer.Option(False, help="Update cases that already exist."),
                 format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import cases (participants) and their attributes from CSV."""
    with open_project(project) as p:
        emit_object(p.import_cases(file, update=update), format)


@app.command("partnerships")
@friendly
def import_partnerships(project: str = ProjectArg, file: Path = typer.Argument(..., help="CSV: pw,sp"),
                        format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import PW–SP partnerships (dyads) from CSV."""
    with open_project(project) as p:
        emit_object(p.import_partnerships(file), format)


@app.command("transcripts")
@friendly
def import_transcripts(project: str = ProjectArg,
                       files: list[Path] = typer.Argument(..., help="Transcript files: .txt .docx .odt .vtt .srt"),
                       case: Optional[str] = typer.Option(None, help="Case key (when importing one file)."),
                       unlinked: bool = typer.Option(False, "--unlinked", help="Allow files with no matching case."),
                       interviewer: Optional[list[str]] = typer.Option(
                           None, help="Speaker label(s) of the interviewer (default: Interviewer, I, Q, ...)."),
                       format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import transcripts; each file becomes a document linked to the case named like the file."""
    with open_project(project) as p, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=len(files) < 3,
    ) as bar:
        task = bar.add_task("Reading transcripts", total=len(files))
        result = p.import_transcripts(files, case=case, allow_unlinked=unlinked, interviewer_labels=interviewer,
                                      progress=lambda done, total, name: bar.update(task, completed=done))
    show_imported(result, format, console)


def show_imported(result: dict, format: Format, notes: Any) -> None:
    """An import report: the documents (with their speakers) on stdout, skipped duplicates and warnings on
    ``notes``; JSON as it is."""
    if format == Format.json:
        emit_object(result, format)
        return
    emit([{k: v for k, v in row.items() if k != "speakers"} for row in result["imported"]], format, title="Imported")
    out = make_console()
    for row in result["imported"]:
        out.print(literal(f"{row['document']}: " + speakers_line(row["speakers"])), soft_wrap=True)
    for dup in result["duplicates"]:
        notes.print(literal(f"Skipped {dup['file']}: same text as document {dup['document']!r} (already "
                            "imported)"), soft_wrap=True)
    for w in result.get("warnings", []):
        notes.print(literal(f"Warning: {w['file']}: {w['warning']}", "yellow"), soft_wrap=True)


def speakers_line(speakers: list[dict]) -> str:
    """``Interviewer (12 turns, interviewer), P04 (11 turns)``, saying when the interviewer was guessed."""
    parts = []
    for s in speakers:
        role = ""
        if s["interviewer"]:
            role = ", interviewer (guessed: most questions; --interviewer NAME to set)" if s["guessed"] else \
                ", interviewer"
        parts.append(f"{s['speaker']} ({s['turns']} turn{'s' if s['turns'] != 1 else ''}{role})")
    if speakers and not any(s["interviewer"] for s in speakers):
        parts.append("no interviewer recognised (--interviewer NAME to mark one)")
    return "speakers " + ", ".join(parts) if parts else "no speaker turns"


@app.command("codings")
@friendly
def import_codings(project: str = ProjectArg, file: Path = typer.Argument(..., help="CSV of codings"),
                   coder: Optional[str] = typer.Option(None, help="Coder for rows without a coder column."),
                   skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                                     help="Import the valid rows and list the rejected ones."),
                   no_new_codes: bool = typer.Option(False, "--no-new-codes",
                                                     help="Reject unknown codes instead of creating inductive codes."),
                   format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import codings from CSV (document, code, coder, start, end, quote, ...)."""
    with open_project(project) as p:
        result = p.import_codings(file, coder=coder, create_codes=not no_new_codes, skip_invalid=skip_invalid)
    emit_object(result, format)


@app.command("presence")
@friendly
def import_presence(project: str = ProjectArg, file: Path = typer.Argument(..., help="CSV of presence records"),
                    by: Optional[str] = typer.Option(None, help="Attribute whose values are the columns (e.g. role)."),
                    coder: Optional[str] = typer.Option(None, help="Coder the records belong to."),
                    format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Import presence records: a published table (--by role) or code,scope,target,present rows."""
    with open_project(project) as p:
        emit_object(p.import_presence(file, by=by, coder=coder), format)
