"""The codings part of the Project API: add, change, delete, undo, list, import, export; the workspace's views.

Every method acts for the project's actor and checks its right first (:func:`requires`); blind mode and "whose
coding may be changed" are decided here and in :mod:`bctcoder.coding.service`, never by a caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from bctcoder.access.context import ProjectContext, requires
from bctcoder.access.roles import Action
from bctcoder.analysis.coverage import document_coverage
from bctcoder.coding import csv_io, views
from bctcoder.coding import service as coding_service
from bctcoder.coding.events import event_rows
from bctcoder.coding.history import coding_history
from bctcoder.errors import NotFoundError, ProjectError
from bctcoder.store.models import Coder, Coding


class CodingMixin(ProjectContext):
    """Codings and the reading view (mixed into :class:`bctcoder.project.Project`)."""

    # -- writes ------------------------------------------------------------------------------------
    @requires(Action.CODE)
    def add_coding(self, document: str, start: int, end: int, code: str, *, coder: str | None = None,
                   origin: str = "manual", confidence: float | None = None, memo: str | None = None,
                   exemplar: bool = False, model: str | None = None) -> dict[str, Any]:
        """Code ``text[start:end]`` of a document; returns the coding as a dict (with its quote).

        Coding for someone else (``coder``) or with another origin than ``manual`` needs the right to edit
        any coding (the owner)."""
        if (coder not in (None, self.actor.name)) or origin != "manual":
            self.actor.require(Action.EDIT_ANY_CODING)
        with self.transaction() as s:
            coding = coding_service.add_coding(s, self.user, document=document, start=start, end=end, code=code,
                                               coder=coder or self.user, origin=origin, confidence=confidence,
                                               memo=memo, exemplar=exemplar, model=model)
            return coding_service.coding_dict(s, coding)

    @requires(Action.CODE)
    def update_coding(self, coding_id: int, *, expected_version: int | None = None, **changes: Any) -> dict[str, Any]:
        """Change a coding's span, code, memo or exemplar flag (origin, confidence, coder: the owner).
        ``expected_version``: refuse (ConflictError with both versions) if the coding changed since."""
        with self.transaction() as s:
            coding = coding_service.update_coding(s, self.actor, coding_id, expected_version=expected_version,
                                                  **changes)
            return coding_service.coding_dict(s, coding)

    @requires(Action.CODE)
    def delete_coding(self, coding_id: int) -> None:
        """Delete a coding (the event log keeps a copy)."""
        with self.transaction() as s:
            coding_service.delete_coding(s, self.actor, coding_id)

    @requires(Action.CODE)
    def undo(self) -> dict[str, Any]:
        """Undo the actor's own latest coding change, if nobody has touched that coding since
        (:class:`ConflictError` otherwise; nothing changes)."""
        with self.transaction() as s:
            return coding_service.undo_last(s, self.actor)

    @requires(Action.REVIEW_SUGGESTIONS)
    def change_suggestion(self, coding_id: int, code: str) -> dict[str, Any]:
        """Accept a pending suggestion under another code, in one transaction."""
        with self.transaction() as s:
            return coding_service.coding_dict(s, coding_service.change_suggestion(s, self.actor, coding_id, code))

    @requires(Action.IMPORT)
    def import_codings(self, path: str | Path, *, coder: str | None = None, create_codes: bool = True,
                       skip_invalid: bool = False) -> dict[str, Any]:
        """Import codings from CSV (offsets checked against quotes; quotes located when no offsets)."""
        with self.transaction() as s:
            return csv_io.import_codings_csv(s, path, self.user, coder=coder, create_codes=create_codes,
                                             skip_invalid=skip_invalid)

    @requires(Action.IMPORT)
    def import_presence(self, path: str | Path, *, by: str | None = None, coder: str | None = None) -> dict:
        """Import presence records (a published Table 2, or document/case-level presence)."""
        with self.transaction() as s:
            return csv_io.import_presence_csv(s, path, self.user, by=by, coder=coder)

    # -- reads -------------------------------------------------------------------------------------
    def _coders_for_listing(self, s: Any, coders: Iterable[str] | None, as_coder: str | None,
                            unblind: bool) -> list[str] | None:
        blind = self._blind_on(s)
        if self.actor.sees_only_own_codings(blind):
            return [self.actor.name]
        if as_coder is not None:
            return [as_coder]
        if not unblind and blind:
            raise ProjectError("blind coding is on: codings are shown to one coder at a time "
                               "(pass as_coder=NAME, CLI --as NAME; or turn blind mode off)")
        return list(coders) if coders is not None else None

    @requires(Action.READ)
    def codings(self, *, coders: Iterable[str] | None = None, origins: Iterable[str] | None = None,
                documents: Iterable[str] | None = None, codes: Iterable[str] | None = None,
                as_coder: str | None = None, unblind: bool = False) -> pd.DataFrame:
        """Codings as a DataFrame (one row per coding, with quote, case and role).

        In blind mode a coder sees only their own codings; the owner passes ``as_coder`` to see one coder's,
        or ``unblind=True`` (reconciling) to see everyone's."""
        with self.reading() as s:
            visible = self._coders_for_listing(s, coders, as_coder, unblind)
            rows = coding_service.coding_rows(s, coders=visible, origins=origins, documents=documents, codes=codes)
            return pd.DataFrame(rows, columns=csv_io.CODING_EXPORT_COLUMNS)

    @requires(Action.READ)
    def export_codings(self, path: str | Path | None = None, *, as_coder: str | None = None,
                       unblind: bool = False, **filters: Any) -> str:
        """Codings as CSV text; written to ``path`` when given (blind mode as in :meth:`codings`)."""
        with self.reading() as s:
            filters["coders"] = self._coders_for_listing(s, filters.get("coders"), as_coder, unblind)
            text = csv_io.export_codings_csv(s, **filters)
        if path is not None:
            from bctcoder.report.render import write_atomic

            write_atomic(path, text)
        return text

    @requires(Action.READ)
    def presence(self) -> pd.DataFrame:
        """Stored presence records (blind mode: the reader's own and those without a coder)."""
        with self.reading() as s:
            rows = csv_io.presence_rows(s)
            if self._own_only(s):
                rows = [r for r in rows if r["coder"] in (None, self.actor.name)]
        return pd.DataFrame(rows, columns=["code", "scope", "attribute", "target", "present", "coder", "source"])

    @requires(Action.READ)
    def coders(self) -> list[str]:
        """Names of every coder in the project."""
        with self.reading() as s:
            return list(s.scalars(select(Coder.name).order_by(Coder.name)))

    @requires(Action.READ)
    def events(self, limit: int | None = None, action: str | None = None) -> list[dict[str, Any]]:
        """The event log, newest first (blind mode: a coder sees only their own events)."""
        with self.reading() as s:
            own_only = self._own_only(s)
            rows = event_rows(s, limit=None if own_only else limit, action=action)
        if own_only:
            rows = [r for r in rows if r["user"] == self.actor.name][:limit]
        return rows

    @requires(Action.READ)
    def history(self, coding: int | None = None) -> list[dict[str, Any]]:
        """Each coding's history (who created, changed, accepted, rejected, adjudicated or undid it, and when),
        from the event log; one coding's with ``coding``. Blind mode: a coder sees only their own actions."""
        with self.reading() as s:
            own = [self.actor.name] if self._own_only(s) else None
            rows = coding_history(s, None if coding is None else [coding], users=own)
            if coding is not None and own is None and not rows and s.get(Coding, coding) is None:
                raise NotFoundError(f"no coding {coding} (see 'bctcoder codings list')")
            return rows

    @requires(Action.READ)
    def document_list(self) -> list[dict[str, Any]]:
        """The workspace's document list: each document with its coverage (of the codings this reader may
        see), pending suggestions and the reader's own codings, in a fixed number of statements."""
        with self.reading() as s:
            scope = self._scope(session=s)
            coverage = document_coverage(s, scope)
            cov = dict(zip(coverage["document"], coverage["coverage"]))
            pending, mine = views.pending_and_mine(s, self.actor.name)
            return [d | {"coverage": cov.get(d["document"], 0), "pending": pending.get(d["document"], 0),
                         "mine": mine.get(d["document"], 0)} for d in views.document_rows(s)]

    @requires(Action.READ)
    def document_view(self, name: str) -> dict[str, Any]:
        """The reading view's data: text, turns, visible codings, the picker's codes, neighbouring documents."""
        with self.reading() as s:
            blind = self._own_only(s)
            view = views.reading_view(s, name, [self.actor.name] if blind else None)
            names = views.document_names(s)
            codes = views.picker_codes(s)
        position = names.index(view["document"])
        return view | {"codes": codes, "blind": blind, "can_write": self.actor.can_write,
                       "can_assign_speakers": self.actor.can(Action.ASSIGN_SPEAKERS),
                       "previous": names[position - 1] if position > 0 else None,
                       "next": names[position + 1] if position < len(names) - 1 else None}
