"""``bctcoder serve`` and ``bctcoder users``: the browser workspace and its accounts."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from typing import Optional

import typer

from bctcoder.cli.common import ProjectArg, open_project
from bctcoder.cli.output import Format, emit, make_console
from bctcoder.errors import BctcoderError, InputError

console = make_console()
users_app = typer.Typer(help="Accounts for the web workspace (roles: owner, coder, viewer).", no_args_is_help=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str) -> int:
    """A port nobody listens on."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def serve(project: str = ProjectArg,
          host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only)."),
          port: int = typer.Option(0, "--port", help="Port (default: a free one)."),
          token: Optional[str] = typer.Option(None, "--token", help="Access token (default: a random one)."),
          allow_remote: bool = typer.Option(False, "--allow-remote",
                                            help="Required to listen beyond this machine; turns accounts on."),
          accounts: bool = typer.Option(False, "--accounts", help="Require name-and-password sign-in."),
          ) -> None:
    """Open the coding workspace in the browser (prints the address with its access token)."""
    try:
        import uvicorn

        from bctcoder.web.app import create_app
    except ImportError:
        raise BctcoderError("the web workspace needs the [web] extra: pip install 'bctcoder[web]'") from None
    remote = not _is_loopback(host)
    if remote and not allow_remote:
        raise InputError(f"{host} is reachable from other machines: add --allow-remote (accounts are then "
                         "required) or keep the default 127.0.0.1", source="--host")
    need_accounts = accounts or remote
    if need_accounts:
        with open_project(project) as p:
            if not p.access.has_users():
                raise InputError("accounts are required but none exist: bctcoder users add PROJECT NAME --role owner",
                                 source="--accounts")
    token = token or secrets.token_urlsafe(24)
    port = port or free_port(host)
    app = create_app(project, token=None if remote else token, accounts=need_accounts, loopback_only=not remote)
    shown = f"[{host}]" if ":" in host else host
    if remote:
        console.print(f"bctcoder workspace: http://{shown}:{port}/ (sign in with your account)", soft_wrap=True)
    else:
        console.print(f"bctcoder workspace: http://{shown}:{port}/?token={token}", soft_wrap=True)
    console.print("Press Ctrl+C to stop.")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@users_app.command("add")
def users_add(project: str = ProjectArg, name: str = typer.Argument(...),
              role: str = typer.Option("coder", "--role", help="owner, coder or viewer"),
              password: Optional[str] = typer.Option(None, "--password", help="Password (default: asked)."),
              password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin.")
              ) -> None:
    """Add a user."""
    if password_stdin:
        import sys

        password = sys.stdin.readline().rstrip("\n")
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with open_project(project) as p:
        p.access.add_user(name, password, role)
    console.print(f"Added {name} ({role}).", soft_wrap=True)


@users_app.command("list")
def users_list(project: str = ProjectArg, format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List users and roles."""
    with open_project(project) as p:
        emit(p.access.users(), format)


@users_app.command("role")
def users_role(project: str = ProjectArg, name: str = typer.Argument(...), role: str = typer.Argument(...)) -> None:
    """Change a user's role (their open sessions end at once)."""
    with open_project(project) as p:
        p.access.set_role(name, role)
    console.print(f"{name} is now {role}.", soft_wrap=True)


@users_app.command("remove")
def users_remove(project: str = ProjectArg, name: str = typer.Argument(...)) -> None:
    """Remove a user and end their sessions at once (their codings stay)."""
    with open_project(project) as p:
        p.access.remove_user(name)
    console.print(f"Removed {name}.", soft_wrap=True)
