"""``bctcoder cases ...`` and ``bctcoder roles ...``: list and link cases, list and add roles."""

from __future__ import annotations

from typing import Any, Optional

import typer
from typer.core import TyperGroup

from bctcoder.cli.common import ProjectArg, open_project
from bctcoder.cli.errors import friendly
from bctcoder.cli.output import Format, emit, emit_object, literal, make_console

console = make_console()


class ListByDefault(TyperGroup):
    """``bctcoder cases PROJECT`` still lists the cases: a first word that is not a subcommand means ``list``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["list", *args]
        return super().parse_args(ctx, args)


cases_app = typer.Typer(cls=ListByDefault, no_args_is_help=True,
                        help="List cases, or link a transcript to a case (cases list|link).")
roles_app = typer.Typer(no_args_is_help=True, help="List the roles cases may have, or add one (roles list|add).")


@cases_app.command("list")
@friendly
def cases_list(project: str = ProjectArg, format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List cases with their role and attributes."""
    with open_project(project) as p:
        frame = p.cases()
    emit(frame.astype(object).where(frame.notna(), None).to_dict("records"), format)


@cases_app.command("link")
@friendly
def cases_link(project: str = ProjectArg, document: str = typer.Argument(..., help="Document name."),
               case: Optional[str] = typer.Argument(None, help="Case key (leave out with --unlink)."),
               unlink: bool = typer.Option(False, "--unlink", help="Remove the document's link to its case."),
               format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Link a document (transcript) to a case, e.g. after importing transcripts before the cases."""
    if (case is None) != unlink:
        from bctcoder.errors import InputError

        raise InputError("give a CASE to link to, or --unlink (not both)", source="cases link")
    with open_project(project) as p:
        emit_object(p.link_document(document, None if unlink else case), format)


@roles_app.command("list")
@friendly
def roles_list(project: str = ProjectArg, format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """The roles cases may have (e.g. PW, SP) with their descriptions."""
    with open_project(project) as p:
        roles = p.roles
    emit([{"role": code, "description": text} for code, text in roles.items()], format)


@roles_app.command("add")
@friendly
def roles_add(project: str = ProjectArg, role: str = typer.Argument(..., help="Role code, e.g. BSR or Carer."),
              description: Optional[str] = typer.Option(None, "--description", "-d",
                                                        help="What the role means (e.g. 'Bank support worker').")
              ) -> None:
    """Allow a further role for cases (then use it in the cases CSV)."""
    with open_project(project) as p:
        p.add_role(role, description)
        text = p.roles[role.strip()]
    console.print(literal(f"Role {role.strip()} ({text}) is available."), soft_wrap=True)
