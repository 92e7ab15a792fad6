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
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

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

    def _own_only(self, session: Session) -> bool:
        """Whether this actor sees only their own codings now (blind mode on, and no right to unblind)."""
        return self.actor.sees_only_own_codings(self._blind_on(session))

    def _require_whole_view(self, what: str, session: Session | None = None) -> None:
        """Refuse, in blind mode, what cannot be limited to the actor's own codings (agreement, exports)."""
        if session is None:
            with self.reading() as s:
                return self._require_whole_view(what, s)
        if self._own_only(session):
            raise PermissionDenied(f"blind coding is on: {what} would show other coders' codings, so only "
                                   "the owner can do it until blind mode is turned off")
        return None

    def _scope(self, coders: Iterable[str] | str | None = None, case_set: str | None = None,
               taxonomy: str | None = None, *, session: Session | None = None) -> Scope:
        """The evidence this actor may see: the requested coders, or only their own in blind mode. Pass the
        caller's open ``session`` to read the blind-mode setting in it."""
        if session is None:
            with self.reading() as s:
                return self._scope(coders, case_set, taxonomy, session=s)
        if self._own_only(session):
            return replace(Scope.of([self.actor.name], case_set, taxonomy), own_only=True)
        return Scope.of(coders, case_set, taxonomy)


def _library_error(exc: SQLAlchemyError) -> BctcoderError:
    if is_busy(exc):
        return BusyError(BUSY_MESSAGE)
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return DatabaseError(f"database error: {detail}")
