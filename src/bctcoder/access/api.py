"""``project.access``: accounts, sign-in and sessions, through the same gate as everything else."""

from __future__ import annotations

from typing import Any

from bctcoder.access import accounts
from bctcoder.access.context import ProjectContext
from bctcoder.access.roles import Action, Actor
from bctcoder.access.throttle import SignInThrottle
from bctcoder.errors import InputError, NotSignedIn

MAX_NAME = 200


class AccessAPI:
    """Who may sign in, and as whom. Managing accounts needs the owner's ``manage_users`` right; signing in
    and looking a session up are open to anyone (they are how an actor comes to exist)."""

    def __init__(self, context: ProjectContext):
        self._context = context

    @property
    def actor(self) -> Actor:
        return self._context.actor

    # -- accounts (owner) --------------------------------------------------------------------------
    def users(self) -> list[dict[str, Any]]:
        """Accounts and their roles (never the password hashes)."""
        self.actor.require(Action.MANAGE_USERS)
        with self._context.reading() as s:
            return accounts.list_users(s)

    def add_user(self, name: str, password: str, role: str = "coder") -> dict[str, Any]:
        """Create an account."""
        self.actor.require(Action.MANAGE_USERS)
        with self._context.transaction() as s:
            return accounts.add_user(s, self.actor.name, name, password, role)

    def set_role(self, name: str, role: str) -> None:
        """Change an account's role; its open sessions end at once."""
        self.actor.require(Action.MANAGE_USERS)
        with self._context.transaction() as s:
            accounts.set_role(s, self.actor.name, name, role)

    def remove_user(self, name: str) -> None:
        """Delete an account; its open sessions end at once (its codings stay)."""
        self.actor.require(Action.MANAGE_USERS)
        with self._context.transaction() as s:
            accounts.remove_user(s, self.actor.name, name)

    # -- sign-in and sessions (anyone) -------------------------------------------------------------
    def has_users(self) -> bool:
        """Whether any account exists."""
        with self._context.reading() as s:
            return accounts.has_users(s)

    def sign_in(self, name: str, password: str, *, address: str | None,
                throttle: SignInThrottle) -> tuple[Actor, str, str]:
        """Check a name and password; returns (actor, session token, CSRF token).

        Raises :class:`TooManyAttempts` while the account or address must wait, :class:`NotSignedIn` for a
        wrong name or password (the same answer for both)."""
        name = (name or "").strip()[:MAX_NAME]
        throttle.check(name, address)
        with self._context.reading() as s:
            actor = accounts.verify(s, name, password) if accounts.has_users(s) else None
        if actor is None:
            throttle.failed(name, address)
            raise NotSignedIn("wrong name or password")
        throttle.succeeded(name)
        with self._context.transaction() as s:
            token, csrf = accounts.start_session(s, actor, account=True)
        return actor, token, csrf

    def start_owner_session(self, name: str | None = None) -> tuple[str, str]:
        """A session for the person who started the server (the access-token sign-in), as owner, coding
        under ``name`` (asked for once in the browser; default: the actor's own name)."""
        if not self.actor.is_owner:
            raise InputError("only the project's owner gets an access-token session", source="token")
        coder = (self.actor.name if name is None else name).strip()
        if not coder or len(coder) > MAX_NAME:
            raise InputError(f"a coder name has 1 to {MAX_NAME} characters", source="name")
        with self._context.transaction() as s:
            return accounts.start_session(s, Actor(coder, self.actor.role), account=False)

    def sign_out(self, token: str | None) -> None:
        """End a session; copies of its cookie stop working too."""
        if token:
            with self._context.transaction() as s:
                accounts.end_session(s, token)

    def session(self, token: str | None) -> tuple[Actor, str]:
        """The actor and CSRF token behind a session token, re-read now (raises :class:`NotSignedIn`)."""
        with self._context.reading() as s:
            found = accounts.session_actor(s, token)
        if found is None:
            raise NotSignedIn("not signed in (or the session has ended)")
        return found
