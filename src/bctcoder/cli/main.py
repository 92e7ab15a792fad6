"""The ``bctcoder`` command line: a thin layer over :class:`bctcoder.project.Project`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import typer

from bctcoder import __version__
from bctcoder.cli import (
    agreement_cmd,
    imports,
    interop_cmd,
    participants_cmd,
    pseudonymise_cmd,
    qca_cmd,
    report_cmd,
    suggest_cmd,
    taxonomy_cmd,
    transcribe_cmd,
    web_cmd,
)
from bctcoder.cli.common import CliActor, ProjectArg, PseudonymisedOpt, open_project
from bctcoder.cli.errors import friendly
from bctcoder.cli.output import Format, emit, emit_object, flatten, literal, make_console
from bctcoder.project import Project
from bctcoder.taxonomy.builtin import DEFAULT_TAXONOMY

app = typer.Typer(
    help="bctcoder: code interview transcripts against the Behaviour Change Technique Taxonomy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(imports.app, name="import")
app.add_typer(participants_cmd.cases_app, name="cases")
app.add_typer(participants_cmd.roles_app, name="roles")
app.add_typer(report_cmd.app, name="report")
app.command("compare")(friendly(report_cmd.compare))
app.command("select")(friendly(report_cmd.select))
app.command("sets")(friendly(report_cmd.sets))
app.command("agreement")(friendly(agreement_cmd.agreement))
app.command("reconcile")(friendly(agreement_cmd.reconcile))
app.command("blind")(friendly(agreement_cmd.blind))
app.command("suggest")(friendly(suggest_cmd.suggest))
app.command("suggestions")(friendly(suggest_cmd.suggestions))
app.command("accept")(friendly(suggest_cmd.accept))
app.command("reject")(friendly(suggest_cmd.reject))
app.command("queue")(friendly(suggest_cmd.queue))
report_cmd.app.command("uncovered")(friendly(suggest_cmd.uncovered))
app.command("serve")(friendly(web_cmd.serve))
for _command in web_cmd.users_app.registered_commands:
    if _command.callback is not None:
        _command.callback = friendly(_command.callback)
app.add_typer(web_cmd.users_app, name="users")
app.command("qca")(friendly(qca_cmd.qca))
app.command("transcribe")(friendly(transcribe_cmd.transcribe))
app.command("pseudonymise")(friendly(pseudonymise_cmd.pseudonymise))
imports.app.command("audio")(friendly(transcribe_cmd.import_audio))
app.add_typer(taxonomy_cmd.app, name="taxonomy")
app.add_typer(taxonomy_cmd.codes_app, name="codes")
export_app = typer.Typer(help="Export codings and other data.", no_args_is_help=True)
app.add_typer(export_app, name="export")
codings_app = typer.Typer(help="List, add, change and delete codings.", no_args_is_help=True)
app.add_typer(codings_app, name="codings")
console = make_console()


def _version(value: bool) -> None:
    if value:
        print(f"bctcoder {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Show the version and exit."),
         user: Optional[str] = typer.Option(None, "--user", envvar="BCTCODER_USER",
                                            help="Act as this person (event log, codings, undo); default: "
                                                 "your OS user name.")) -> None:
    """bctcoder: code interview transcripts against the Behaviour Change Technique Taxonomy."""
    CliActor.name = user


@app.command()
@friendly
def init(path: str = typer.Argument(..., help="New project file (e.g. study.bctcoder) or database URL."),
         taxonomy: str = typer.Option(DEFAULT_TAXONOMY, help="bcttv1, or bcttv1+relational (BCTTv1 + group 17)."),
         ) -> None:
    """Create a new project."""
    with Project.create(path, taxonomy=taxonomy, user=CliActor.name) as p:
        info = p.info()
    console.print(f"Created {path} with taxonomy {taxonomy} ({info['techniques']} techniques).", soft_wrap=True)


@app.command()
@friendly
def info(project: str = ProjectArg, format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Show what a project holds: taxonomy, cases, documents, codings."""
    with open_project(project) as p:
        emit_object(p.info(), format)


@app.command("copy")
@friendly
def copy_project(source: str = typer.Argument(..., help="The project to copy (file or database URL)."),
                 dest: str = typer.Argument(..., help="An empty database URL or a new file, e.g. "
                                                      "postgresql+psycopg://user@host/study"),
                 format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Copy a whole project to another database (SQLite ↔ PostgreSQL), in one transaction, verified."""
    with open_project(source) as p:
        result = p.copy_to(dest)
    if format == Format.json:
        emit_object(result, format)
        return
    rows = sum(result["rows"].values())
    console.print(literal(f"Copied {rows} rows ({result['source_backend']} → {result['destination_backend']}) to "
                          f"{result['destination']}; row counts of every table and the checksum of every text "
                          f"and coding match (sha256 {result['sha256'][:16]}…)."), soft_wrap=True)


@app.command()
@friendly
def history(project: str = ProjectArg,
            coding: Optional[int] = typer.Option(None, "--coding", help="Only this coding's history."),
            format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Who created, changed, accepted, rejected, adjudicated or undid each coding, and when (from the event log)."""
    with open_project(project) as p:
        rows = p.history(coding)
    emit(rows, format, columns=["coding", "at", "user", "what", "details"])


@app.command()
@friendly
def documents(project: str = ProjectArg, format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List documents (transcripts) with case, role, size, turns and codings."""
    with open_project(project) as p:
        rows = p.documents().to_dict("records")
    emit(rows, format, columns=["document", "case", "role", "format", "layout", "words", "turns", "codings",
                                "fully_coded"] if format == Format.table else None)


@app.command("fully-coded")
@friendly
def fully_coded(project: str = ProjectArg, document: str = typer.Argument(..., help="Document name."),
                off: bool = typer.Option(False, "--off", help="Take the mark back.")) -> None:
    """Mark a transcript as fully coded: its uncoded interviewee passages then teach "no technique", and it
    gets no more suggestions."""
    with open_project(project) as p:
        result = p.mark_fully_coded(document, not off)
    console.print(literal(f"{result['document']} is {'' if result['fully_coded'] else 'not '}marked fully coded."),
                  soft_wrap=True)


@app.command()
@friendly
def events(project: str = ProjectArg, limit: int = typer.Option(50, help="How many (newest first)."),
           format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Show the event log (who changed what, when)."""
    with open_project(project) as p:
        emit(p.events(limit=limit), format)


@codings_app.command("list")
@friendly
def codings_list(project: str = ProjectArg,
                 coder: Optional[list[str]] = typer.Option(None, help="Only these coders (repeat or comma-separate)."),
                 document: Optional[list[str]] = typer.Option(None, help="Only these documents."),
                 code: Optional[list[str]] = typer.Option(None, help="Only these codes."),
                 origin: Optional[list[str]] = typer.Option(None, help="Only these origins."),
                 as_coder: Optional[str] = typer.Option(None, "--as", help="Blind mode: show this coder's codings."),
                 format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List codings with their quotes."""
    with open_project(project) as p:
        frame = p.codings(coders=flatten(coder) if coder else None, documents=flatten(document) if document else None,
                          codes=flatten(code) if code else None, origins=flatten(origin) if origin else None,
                          as_coder=as_coder)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    emit(rows, format, columns=["id", "document", "code", "coder", "origin", "start", "end", "quote"]
         if format == Format.table else None)


@codings_app.command("add")
@friendly
def codings_add(project: str = ProjectArg, document: str = typer.Argument(...), start: int = typer.Argument(...),
                end: int = typer.Argument(...), code: str = typer.Argument(..., help="Technique number or code label"),
                coder: Optional[str] = typer.Option(None, help="Coder name (default: your user name)."),
                memo: Optional[str] = typer.Option(None), exemplar: bool = typer.Option(False, "--exemplar"),
                format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Code text[start:end] of a document (offsets in characters from 0)."""
    with open_project(project) as p:
        emit_object(p.add_coding(document, start, end, code, coder=coder, memo=memo, exemplar=exemplar), format)


@codings_app.command("delete")
@friendly
def codings_delete(project: str = ProjectArg, coding_id: int = typer.Argument(...)) -> None:
    """Delete a coding (the event log keeps a copy)."""
    with open_project(project) as p:
        p.delete_coding(coding_id)
    console.print(f"Deleted coding {coding_id}.")


@codings_app.command("undo")
@friendly
def codings_undo(project: str = ProjectArg) -> None:
    """Undo your own latest coding change (refused if someone has changed that coding since)."""
    with open_project(project) as p:
        result = p.undo()
    console.print(f"Undid: {result['description']}.", soft_wrap=True)


@export_app.command("codings")
@friendly
def export_codings(project: str = ProjectArg,
                   file: Optional[Path] = typer.Argument(None, help="CSV file to write (default: standard output)."),
                   coder: Optional[list[str]] = typer.Option(None, help="Only these coders."),
                   origin: Optional[list[str]] = typer.Option(None, help="Only these origins."),
                   as_coder: Optional[str] = typer.Option(None, "--as", help="Blind mode: this coder's codings."),
                   raw: bool = typer.Option(False, "--raw", help="Write text exactly, even text a spreadsheet "
                                            "would run as a formula (by default such cells get a leading ')."),
                                      pseudonymised: bool = PseudonymisedOpt,
                   ) -> None:
    """Export codings as CSV (re-importable with 'bctcoder import codings')."""
    from bctcoder.report.render import write_atomic

    with open_project(project, pseudonymised=pseudonymised) as p:
        text = p.export_codings(None, coders=flatten(coder) if coder else None,
                                origins=flatten(origin) if origin else None, as_coder=as_coder, raw=raw)
    if file is None:
        print(text, end="")
    else:
        write_atomic(file, text)
        make_console(stderr=True).print(f"Wrote {text.count(chr(10)) - 1} codings to {file}", soft_wrap=True)


@app.command()
@friendly
def demo(out: Path = typer.Option(Path("bctcoder-demo"), help="Folder to build the demo project in."),
         force: bool = typer.Option(False, help="Replace an existing demo project in that folder."),
         suggester: str = typer.Option("default", help="Suggester for the uncoded passages: 'default' (the best "
                                       "installed), a registry name, or '' for none."),
         ) -> None:
    """Build the fictional demo study (cases, transcripts, two coders) and show what it holds."""
    from bctcoder.demo.build import build_demo

    result = build_demo(out, force=force, suggester=suggester)
    console.print(result["summary"], soft_wrap=True)


_exports: list[tuple[str, Callable[..., Any]]] = [
    ("qdpx", interop_cmd.export_qdpx), ("qdc", interop_cmd.export_qdc), ("codebook", interop_cmd.export_codebook)]
for _name, _fn in _exports:
    export_app.command(_name)(friendly(_fn))
_imports: list[tuple[str, Callable[..., Any]]] = [
    ("qdpx", interop_cmd.import_qdpx), ("qdc", interop_cmd.import_qdc), ("codebook", interop_cmd.import_codebook),
    ("qualcoder", interop_cmd.import_qualcoder), ("taguette", interop_cmd.import_taguette)]
for _name, _fn in _imports:
    imports.app.command(_name)(friendly(_fn))


def _register_evaluate() -> None:
    from bctcoder.suggest.evaluate_cli import evaluate_command

    app.command("evaluate")(friendly(evaluate_command))


_register_evaluate()


def run() -> None:
    """Console-script entry point."""
    app()
