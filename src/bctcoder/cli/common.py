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


def open_project(path: str) -> Project:
    """Open a project for a command, acting as the CLI's actor (the caller closes it)."""
    return Project.open(path, user=CliActor.name)


def existing_file(path: Path) -> Path:
    """Resolve a file argument; missing files are reported by the library with their name."""
    return path
