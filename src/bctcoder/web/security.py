"""Sign-in, sessions, roles and CSRF protection for the web workspace.

Two ways in:

- the **access token** printed by ``bctcoder serve`` (like Jupyter): opening ``/?token=...`` signs the
  browser in as the project's owner; used on this machine, where only the person who started the server
  has the token;
- **accounts** (``bctcoder users add``): name and password, with a role per project (owner, coder,
  viewer). Required when the server listens beyond this machine.

Sessions are signed cookies (HttpOnly, SameSite=Strict). Every write (form or API) must carry the
session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class CurrentUser:
    """Who is signed in, and what they may do."""

    name: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role in ("owner", "coder")

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


class NotSignedIn(Exception):
    """Raised by ``current_user`` when no session exists (pages redirect to the sign-in page)."""


def sign_in(request: Request, name: str, role: str) -> None:
    """Start a session for this user with a fresh CSRF token."""
    request.session.clear()
    request.session.update({"user": name, "role": role, "csrf": secrets.token_urlsafe(32)})


def sign_out(request: Request) -> None:
    """End the session."""
    request.session.clear()


def current_user(request: Request) -> CurrentUser:
    """The signed-in user (raises NotSignedIn)."""
    name, role = request.session.get("user"), request.session.get("role")
    if not name or role not in ("owner", "coder", "viewer"):
        raise NotSignedIn()
    return CurrentUser(name, role)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (for templates)."""
    return request.session.get("csrf", "")


async def check_csrf(request: Request) -> None:
    """Reject a write whose CSRF token (header or form field) does not match the session's."""
    if request.method not in WRITE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        sent = form.get("csrf_token")
    if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


def require_writer(user: CurrentUser) -> None:
    """Viewers may not change anything."""
    if not user.can_write:
        raise HTTPException(status_code=403, detail="your role (viewer) cannot change this project")


def require_owner(user: CurrentUser) -> None:
    """Only owners manage the taxonomy, cases and users."""
    if not user.is_owner:
        raise HTTPException(status_code=403, detail="only the project's owner can do this")


def token_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of an access token."""
    return bool(given and expected and hmac.compare_digest(given, expected))
