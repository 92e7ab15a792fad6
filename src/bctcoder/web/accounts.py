"""Web accounts: users with argon2-hashed passwords and a role in the project (owner, coder, viewer)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.coding.events import log_event
from bctcoder.errors import BctcoderError, InputError, NotFoundError
from bctcoder.store.models import AppUser

ROLES = ("owner", "coder", "viewer")
MIN_PASSWORD = 8


def _hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise BctcoderError("accounts need the [web] extra: pip install 'bctcoder[web]'") from None
    return PasswordHasher()


def add_user(session: Session, actor: str, name: str, password: str, role: str = "coder") -> dict[str, Any]:
    """Create a user (error if the name exists)."""
    name = (name or "").strip()
    if not name:
        raise InputError("a user needs a name", source="name")
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}", source="--role")
    if len(password or "") < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters", source="password")
    if session.scalar(select(AppUser).where(AppUser.name == name)) is not None:
        raise InputError(f"user {name!r} already exists", source="name")
    session.add(AppUser(name=name, password_hash=_hasher().hash(password), role=role))
    session.flush()
    log_event(session, actor, "user.add", name=name, role=role)
    return {"name": name, "role": role}


def set_role(session: Session, actor: str, name: str, role: str) -> None:
    """Change a user's role."""
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}", source="--role")
    user = session.scalar(select(AppUser).where(AppUser.name == name))
    if user is None:
        raise NotFoundError(f"no user {name!r}")
    user.role = role
    log_event(session, actor, "user.role", name=name, role=role)


def remove_user(session: Session, actor: str, name: str) -> None:
    """Delete a user (their codings stay, under their coder name)."""
    user = session.scalar(select(AppUser).where(AppUser.name == name))
    if user is None:
        raise NotFoundError(f"no user {name!r}")
    session.delete(user)
    log_event(session, actor, "user.remove", name=name)


def list_users(session: Session) -> list[dict[str, Any]]:
    """Users and roles (never the hashes)."""
    return [{"name": u.name, "role": u.role, "created_at": u.created_at.isoformat(timespec="seconds")}
            for u in session.scalars(select(AppUser).order_by(AppUser.name))]


def verify(session: Session, name: str, password: str) -> dict[str, Any] | None:
    """The user's name and role when the password is right, else None (same timing for unknown names)."""
    hasher = _hasher()
    user = session.scalar(select(AppUser).where(AppUser.name == name))
    if user is None:
        try:  # spend the same effort as a real check
            hasher.verify(hasher.hash("not-a-user-password"), password or "x")
        except Exception:
            pass
        return None
    try:
        hasher.verify(user.password_hash, password or "")
    except Exception:
        return None
    return {"name": user.name, "role": user.role}


def has_users(session: Session) -> bool:
    """Whether any account exists."""
    return session.scalar(select(AppUser.id).limit(1)) is not None
