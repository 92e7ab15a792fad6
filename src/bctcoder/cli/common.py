"""Shared CLI arguments and helpers."""

from __future__ import annotations

from pathlib import Path

import typer

from bctcoder.project import Project

ProjectArg = typer.Argument(..., help="Project file (.bctcoder SQLite file) or database URL.",
                            envvar="BCTCODER_PROJECT", show_default=False)


class CliActor:
    """Who CLI commands act for: the OS user (or ``BCTCODER_USER``), or ``bctcoder --user NAME``, as owner:
    whoever can open the project file can already read and change all of it."""

    name: str | None = None


def open_project(path: str, *, pseudonymised: bool = False) -> Project:
    """Open a project for a command, acting as the CLI's actor (the caller closes it); ``pseudonymised``
    refuses any project but a pseudonymised copy (the ``--pseudonymised`` option of reports and exports)."""
    return Project.open(path, user=CliActor.name, pseudonymised=pseudonymised)


PseudonymisedOpt = typer.Option(False, "--pseudonymised", help="Refuse unless the project is a pseudonymised "
                                "copy (made with 'bctcoder pseudonymise --apply'): for files that leave the team.")


def existing_file(path: Path) -> Path:
    """Resolve a file argument; missing files are reported by the library with their name."""
    return path
