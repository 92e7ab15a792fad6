"""The web's half of sign-in: cookies, the per-request gate, CSRF, safe redirects.

Who may do what is decided by the library (:mod:`bctcoder.access`); this module only carries the session
token between the browser and the library:

- the browser's cookie (signed, HttpOnly, SameSite=Strict, ``Secure`` whenever the server listens beyond
  this machine) holds a random session token and, before sign-in, a CSRF token for the sign-in form;
- on every request the gate asks the library who that token belongs to *now* (:meth:`AccessAPI.session`):
  signing out, removing an account or changing its role takes effect on the next request;
- the gate runs before any request body is read, so nobody unsigned-in makes the server parse anything;
- every write carries the session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from bctcoder.access.roles import Actor
from bctcoder.errors import NotSignedIn

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SESSION_KEY = "sid"
LOGIN_CSRF_KEY = "login_csrf"


def current_actor(request: Request) -> Actor:
    """The signed-in actor the gate found for this request (raises :class:`NotSignedIn`)."""
    actor = getattr(request.state, "actor", None)
    if actor is None:
        raise NotSignedIn("not signed in")
    return actor


def csrf_token(request: Request) -> str:
    """The CSRF token pages embed: the session's once signed in, else the sign-in form's."""
    token = getattr(request.state, "csrf", None)
    if token:
        return token
    if LOGIN_CSRF_KEY not in request.session:
        request.session[LOGIN_CSRF_KEY] = secrets.token_urlsafe(32)
    return request.session[LOGIN_CSRF_KEY]


def _matches(sent: object, expected: object) -> bool:
    return bool(sent and expected) and hmac.compare_digest(str(sent), str(expected))


async def check_csrf(request: Request) -> None:
    """Reject a write whose CSRF token (header or form field) does not match the session's."""
    if request.method not in WRITE_METHODS:
        return
    expected = getattr(request.state, "csrf", None) or request.session.get(LOGIN_CSRF_KEY)
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        field = form.get("csrf_token")
        sent = field if isinstance(field, str) else None
    if not _matches(sent, expected):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token: reload the page and try again")


def safe_next(value: str | None) -> str:
    """Where to go after sign-in: a path on this server only (never ``//host``, ``/\\host`` or a URL)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ch in value for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def token_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of an access token."""
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
