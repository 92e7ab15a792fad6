"""Shared CLI arguments and helpers."""

from __future__ import annotations

from pathlib import Path

import typer

from bctcoder.project import Project

ProjectArg = typer.Argument(..., help="Project file (.bctcoder SQLite file) or database URL.",
                            envvar="BCTCODER_PROJECT", show_default=False)


def open_project(path: str) -> Project:
    """Open a project for a command (the caller closes it)."""
    return Project.open(path)


def existing_file(path: Path) -> Path:
    """Resolve a file argument; missing files are reported by the library with their name."""
    return path
