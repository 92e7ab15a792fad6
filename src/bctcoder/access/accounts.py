"""Accounts and server-side sessions for the web workspace.

Accounts: a name, an argon2 password hash and a role (owner, coder, viewer). Sessions: the browser's cookie
holds a random token; the database holds only its SHA-256, the account it belongs to and its CSRF token.
Every request looks the session up again, so signing out, removing an account or changing its role takes
effect on the next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bctcoder.access.roles import Actor, Role, parse_role
from bctcoder.coding.events import EventType, log_event
from bctcoder.errors import BctcoderError, InputError, NotFoundError
from bctcoder.store.models import AppUser, WebSession, utcnow

MIN_PASSWORD = 8
MAX_PASSWORD = 1024          # argon2 hashes anything, but a megabyte "password" is an attack, not a password
SESSION_HOURS = 12


def _hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise BctcoderError("accounts need the [web] extra: pip install 'bctcoder[web]'") from None
    return PasswordHasher()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _end_sessions(session: Session, name: str) -> int:
    result = session.execute(delete(WebSession).where(WebSession.user == name, WebSession.account.is_(True)))
    return int(getattr(result, "rowcount", 0) or 0)


def add_user(session: Session, actor: str, name: str, password: str, role: str = "coder") -> dict[str, Any]:
    """Create a user (error if the name exists)."""
    name = (name or "").strip()
    if not name:
        raise InputError("a user needs a name", source="name")
    if len(name) > 200:
        raise InputError("a user name has at most 200 characters", source="name")
    checked = parse_role(role, "--role")
    if len(password or "") < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters", source="password")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"the password must have at most {MAX_PASSWORD} characters", source="password")
    if session.scalar(select(AppUser).where(AppUser.name == name)) is not None:
        raise InputError(f"user {name!r} already exists", source="name")
    session.add(AppUser(name=name, password_hash=_hasher().hash(password), role=checked.value))
    session.flush()
    log_event(session, actor, EventType.USER_ADD, name=name, role=checked.value)
    return {"name": name, "role": checked.value}


def set_role(session: Session, actor: str, name: str, role: str) -> None:
    """Change a user's role; their open sessions end (they sign in again under the new role)."""
    checked = parse_role(role, "--role")
    user = session.scalar(select(AppUser).where(AppUser.name == name))
    if user is None:
        raise NotFoundError(f"no user {name!r}")
    user.role = checked.value
    _end_sessions(session, name)
    log_event(session, actor, EventType.USER_ROLE, name=name, role=checked.value)


def remove_user(session: Session, actor: str, name: str) -> None:
    """Delete a user and end their sessions (their codings stay, under their coder name)."""
    user = session.scalar(select(AppUser).where(AppUser.name == name))
    if user is None:
        raise NotFoundError(f"no user {name!r}")
    session.delete(user)
    _end_sessions(session, name)
    log_event(session, actor, EventType.USER_REMOVE, name=name)


def list_users(session: Session) -> list[dict[str, Any]]:
    """Users and roles (never the hashes)."""
    return [{"name": u.name, "role": u.role, "created_at": u.created_at.isoformat(timespec="seconds")}
            for u in session.scalars(select(AppUser).order_by(AppUser.name))]


def verify(session: Session, name: str, password: str) -> Actor | None:
    """The account when the password is right, else None (same effort for unknown names)."""
    hasher = _hasher()
    password = (password or "")[:MAX_PASSWORD]
    user = session.scalar(select(AppUser).where(AppUser.name == name))
    if user is None:
        try:  # spend the same effort as a real check
            hasher.verify(hasher.hash("not-a-user-password"), password or "x")
        except Exception:  # noqa: S110 - a wrong password is the expected outcome here
            pass
        return None
    try:
        hasher.verify(user.password_hash, password)
    except Exception:
        return None
    return Actor(user.name, Role(user.role))


def has_users(session: Session) -> bool:
    """Whether any account exists."""
    return session.scalar(select(AppUser.id).limit(1)) is not None


def start_session(session: Session, actor: Actor, *, account: bool) -> tuple[str, str]:
    """Record a new signed-in browser; returns (cookie token, CSRF token). Expired sessions are swept."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(id=_digest(token), user=actor.name, account=account, csrf=csrf, created_at=now,
                           expires_at=now + timedelta(hours=SESSION_HOURS)))
    if account:
        log_event(session, actor.name, EventType.USER_LOGIN)
    return token, csrf


def end_session(session: Session, token: str) -> None:
    """Sign a browser out: its token stops working everywhere, copies of the cookie included."""
    row = session.get(WebSession, _digest(token))
    if row is not None:
        if row.account:
            log_event(session, row.user, EventType.USER_LOGOUT)
        session.delete(row)


def session_actor(session: Session, token: str | None) -> tuple[Actor, str] | None:
    """The actor and CSRF token of a live session, with the account's role as it is now; None when the
    session is unknown, ended, expired, or its account was removed."""
    if not token:
        return None
    row = session.get(WebSession, _digest(token))
    if row is None or row.expires_at < utcnow():
        return None
    if not row.account:
        return Actor(row.user, Role.OWNER), row.csrf
    role = session.scalar(select(AppUser.role).where(AppUser.name == row.user))
    if role is None:
        return None
    return Actor(row.user, Role(role)), row.csrf
