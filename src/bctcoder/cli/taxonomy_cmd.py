"""``bctcoder taxonomy ...`` and ``bctcoder codes ...``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bctcoder.cli.common import open_project
from bctcoder.cli.errors import friendly
from bctcoder.cli.output import Format, emit, emit_object, literal, make_console
from bctcoder.errors import NotFoundError
from bctcoder.taxonomy.builtin import DEFAULT_TAXONOMY, builtin_rows
from bctcoder.taxonomy.numbers import number_key

app = typer.Typer(help="Browse taxonomies; import the BCT Ontology or a codebook.", no_args_is_help=True)
codes_app = typer.Typer(help="List, add and promote codes (techniques and inductive codes).", no_args_is_help=True)
console = make_console()

LIST_COLUMNS = ["id", "label", "group_id", "group_label", "extension"]
ProjectOpt = typer.Option(None, "--project", "-p", envvar="BCTCODER_PROJECT",
                          help="A project: list its taxonomy instead of a built-in one.")


@app.command("list")
@friendly
def list_techniques(taxonomy: Optional[str] = typer.Option(None, help="bcttv1 or bcttv1+relational (default)."),
                    project: Optional[str] = ProjectOpt,
                    format: Format = typer.Option(Format.table, "--format", "-f"),
                    full: bool = typer.Option(False, help="Include descriptions and cue phrases.")) -> None:
    """List the techniques of a taxonomy (built-in, or a project's with --project)."""
    if project:
        with open_project(project) as p:
            rows = p.techniques(taxonomy=taxonomy)
    else:
        rows = builtin_rows(taxonomy or DEFAULT_TAXONOMY)
    columns = LIST_COLUMNS + (["description", "cues", "official_definition"] if full else [])
    if format == Format.json:
        rows = [{k: r[k] for k in columns + (["taxonomy", "version", "description", "cues"] if not full else
                                             ["taxonomy", "version"])} for r in rows]
    emit(rows, format, columns=columns if format != Format.json else None)


@app.command("show")
@friendly
def show(technique: str = typer.Argument(..., help="Number or label, e.g. 3.1"),
         taxonomy: Optional[str] = typer.Option(None, help="Built-in taxonomy to look in."),
         project: Optional[str] = ProjectOpt,
         format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Show one technique with its description, cue phrases and (if imported) official definition."""
    if project:
        with open_project(project) as p:
            row = p.technique(technique)
    else:
        from bctcoder.taxonomy.service import normalise_label

        rows = builtin_rows(taxonomy or DEFAULT_TAXONOMY)
        match = [r for r in rows if r["id"] == technique.strip()] or [
            r for r in rows if normalise_label(r["label"]) == normalise_label(technique)]
        if not match:
            raise NotFoundError(f"no technique {technique!r} in {taxonomy or DEFAULT_TAXONOMY}")
        row = match[0]
    emit_object(row, format)


@app.command("import-bcto")
@friendly
def import_bcto(project: str = typer.Argument(..., envvar="BCTCODER_PROJECT", help="Project file or URL."),
                file: Path = typer.Argument(..., help="BCT Ontology file (bcto.xlsx, or .owl)"),
                format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Attach the official BCT Ontology definitions to the project's BCTTv1 techniques."""
    with open_project(project) as p:
        emit_object(p.import_bcto(file), format)


@app.command("import-codebook")
@friendly
def import_codebook(project: str = typer.Argument(..., envvar="BCTCODER_PROJECT", help="Project file or URL."),
                    file: Path = typer.Argument(..., help="Codebook CSV or YAML (id, label, group, description)"),
                    name: Optional[str] = typer.Option(None, help="Name of the new taxonomy (default: file name)."),
                    format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Install a user codebook as a taxonomy of the project."""
    with open_project(project) as p:
        emit_object(p.import_codebook(file, name=name), format)


@codes_app.command("list")
@friendly
def codes_list(project: str = typer.Argument(..., envvar="BCTCODER_PROJECT", help="Project file or URL."),
               inductive: bool = typer.Option(False, "--inductive", help="Only inductive codes."),
               used: bool = typer.Option(False, "--used", help="Only codes with codings."),
               tree: bool = typer.Option(False, "--tree", help="Show the code tree: groups, techniques, and "
                                                                "inductive codes under their parents."),
               format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List the project's codes (techniques and inductive codes) with their number of codings."""
    with open_project(project) as p:
        rows = p.codes()
    if inductive:
        rows = [r for r in rows if r["kind"] == "inductive"]
    if used:
        rows = [r for r in rows if r["codings"]]
    rows.sort(key=lambda r: (r["kind"] != "technique", number_key(r["id"] if r["kind"] == "technique" else None)))
    if tree and format == Format.table:
        for line in tree_lines(rows):
            console.print(literal(line), soft_wrap=True)
        return
    emit(rows, format, columns=["id", "label", "kind", "group_id", "group_label", "parent", "codings"])


def tree_lines(rows: list[dict]) -> list[str]:
    """The codes as an indented tree: each taxonomy group, its techniques, and inductive codes under their
    parent (a technique or another inductive code); counts of codings in brackets."""
    children: dict[str | None, list[dict]] = {}
    for r in rows:
        if r["kind"] == "inductive":
            children.setdefault(r["parent"], []).append(r)
    lines: list[str] = []

    def below(key: str, depth: int) -> None:
        for child in children.pop(key, []):
            lines.append("  " * depth + f"{child['label']} ({child['codings']})")
            below(child["label"], depth + 1)

    group = None
    for r in rows:
        if r["kind"] != "technique":
            continue
        if r["group_id"] != group:
            group = r["group_id"]
            lines.append(f"{group} {r['group_label']}")
        lines.append(f"  {r['id']} {r['label']} ({r['codings']})")
        below(r["id"], 2)
    roots = [key for key in children if key is None or key not in {r["label"] for r in rows}]
    if roots:
        lines.append("Inductive codes")
    for key in roots:
        for child in children.pop(key, []):
            lines.append(f"  {child['label']} ({child['codings']})")
            below(child["label"], 2)
    return lines


@codes_app.command("add")
@friendly
def codes_add(project: str = typer.Argument(..., envvar="BCTCODER_PROJECT", help="Project file or URL."),
              label: str = typer.Argument(..., help="Label of the new inductive code"),
              description: Optional[str] = typer.Option(None, help="What the code means."),
              parent: Optional[str] = typer.Option(None, help="Parent inductive code (for grouping)."),
              format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Add an inductive code (a code outside the taxonomy)."""
    with open_project(project) as p:
        emit_object(p.add_inductive_code(label, description, parent), format)


@codes_app.command("promote")
@friendly
def codes_promote(project: str = typer.Argument(..., envvar="BCTCODER_PROJECT", help="Project file or URL."),
                  codes: list[str] = typer.Argument(..., help="Inductive codes to promote, in order"),
                  group: str = typer.Option(..., help="Label of the new technique group."),
                  extension: str = typer.Option("project-extension", help="Name of the taxonomy extension."),
                  format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Promote inductive codes into a numbered group of a taxonomy extension (as the study's group 17)."""
    with open_project(project) as p:
        rows = p.promote_codes(list(codes), group_label=group, extension=extension)
    emit(rows, format, columns=LIST_COLUMNS)
