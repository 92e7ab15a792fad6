"""The context every part of the Project API shares: the database, the actor, transactions, and blind mode.

:class:`ProjectContext` declares what the API's parts (codings, analysis, agreement, suggestions, exchange,
access) rely on, so each part is typed against it instead of against undeclared attributes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bctcoder.access.roles import Action, Actor
from bctcoder.analysis.evidence import Scope
from bctcoder.errors import BctcoderError, BusyError, DatabaseError, PermissionDenied
from bctcoder.store import database
from bctcoder.taxonomy.service import get_meta

if TYPE_CHECKING:
    from bctcoder.suggest.service import FittedModels

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound="ProjectContext")

BUSY_MESSAGE = ("the project is busy with another change (an import or another coder's save); "
                "nothing was changed — try again in a moment")
_BUSY_SQLSTATES = {"40001", "40P01", "55P03"}   # PostgreSQL: serialization failure, deadlock, lock not available


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "another writer holds the lock", not a real failure."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc.orig or exc).lower()
    return ("database is locked" in text or "database table is locked" in text
            or getattr(exc.orig, "sqlstate", None) in _BUSY_SQLSTATES)


def requires(action: Action) -> Callable[[Callable[Concatenate[C, P], R]], Callable[Concatenate[C, P], R]]:
    """Decorate an API method: its actor must be allowed ``action`` (checked before anything is read)."""

    def decorate(method: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
        @functools.wraps(method)
        def checked(self: C, *args: P.args, **kwargs: P.kwargs) -> R:
            self.actor.require(action)
            return method(self, *args, **kwargs)

        checked.__requires__ = action  # type: ignore[attr-defined]
        return checked

    return decorate


class ProjectContext:
    """Database, actor and the two kinds of session; blind mode's filter for every read."""

    url: str
    engine: Engine
    actor: Actor
    last_backup: Path | None = None
    fitted_models: FittedModels | None = None

    def _init_context(self, url: str, engine: Engine, actor: Actor, backup: Path | None = None) -> None:
        self.url = url
        self.engine = engine
        self.actor = actor
        self.last_backup = backup
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def user(self) -> str:
        """The acting person's name (written into codings and the event log)."""
        return self.actor.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one write transaction: committed at the end, rolled back on any error.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE``: concurrent writers wait their turn (the
        busy timeout) rather than fail; a writer still waiting after that gets :class:`BusyError`.
        """
        try:
            with self.engine.connect() as conn:
                conn.info[database.WRITE_FLAG] = True
                try:
                    with conn.begin():
                        with Session(bind=conn, expire_on_commit=False) as session:
                            yield session
                            session.flush()
                finally:
                    conn.info.pop(database.WRITE_FLAG, None)
        except SQLAlchemyError as exc:
            raise _library_error(exc) from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end)."""
        try:
            with self._sessions() as session:
                yield session
                session.rollback()
        except SQLAlchemyError as exc:
            raise _library_error(exc) from exc

    # -- blind mode: decided here, for every read --------------------------------------------------
    def _blind_on(self, session: Session) -> bool:
        return bool(get_meta(session, "blind", False))

    def _visible_coders(self, session: Session, requested: Iterable[str] | str | None) -> list[str] | None:
        """The coders whose codings this actor may see: only their own in blind mode unless they may unblind."""
        if self.actor.sees_only_own_codings(self._blind_on(session)):
            return [self.actor.name]
        if isinstance(requested, str):
            requested = [c.strip() for c in requested.split(",") if c.strip()]
        return list(requested) if requested else None

    def _require_whole_view(self, what: str) -> None:
        """Refuse, in blind mode, what cannot be limited to the actor's own codings (agreement, exports)."""
        with self.reading() as s:
            if self.actor.sees_only_own_codings(self._blind_on(s)):
                raise PermissionDenied(f"blind coding is on: {what} would show other coders' codings, so only "
                                       "the owner can do it until blind mode is turned off")

    def _scope(self, coders: Iterable[str] | str | None = None, case_set: str | None = None,
               taxonomy: str | None = None) -> Scope:
        with self.reading() as s:
            visible = self._visible_coders(s, coders)
            own_only = self.actor.sees_only_own_codings(self._blind_on(s))
        return replace(Scope.of(visible, case_set, taxonomy), own_only=own_only)


def _library_error(exc: SQLAlchemyError) -> BctcoderError:
    if is_busy(exc):
        return BusyError(BUSY_MESSAGE)
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return DatabaseError(f"database error: {detail}")


def public_methods(cls: type) -> dict[str, Any]:
    """Public callables of an API class (for the test that every one declares its rule)."""
    return {name: getattr(cls, name) for name in dir(cls)
            if not name.startswith("_") and callable(getattr(cls, name, None))}
