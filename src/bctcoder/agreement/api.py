"""The agreement half of the Project API: statistics between coders, blind coding, reconciliation."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from bctcoder.access.context import ProjectContext, requires
from bctcoder.access.roles import Action
from bctcoder.agreement import project_agreement, ratings_file, reconcile
from bctcoder.analysis.evidence import Scope
from bctcoder.coding.events import EventType, log_event
from bctcoder.errors import InputError
from bctcoder.taxonomy.service import get_meta, set_meta


class AgreementMixin(ProjectContext):
    """Inter-coder agreement, blind double coding and reconciliation (mixed into Project)."""

    @requires(Action.READ)
    def agreement(self, coders: Iterable[str], *, unit: str = "document", case_set: str | None = None,
                  taxonomy: str | None = None, include_inductive: bool = False,
                  missing: str = "listwise") -> dict[str, Any]:
        """Agreement per technique, per group and pooled, for two or more coders, and for every pair.

        ``unit``: ``document`` (technique presence per transcript), ``segment``
        (characters, NVivo's coding comparison; two coders) or ``turn`` (speaker
        turns). Returns plain data with DataFrames for techniques and groups,
        a ``pairs`` table (each pair over the transcripts it shares), the ``conventions`` used and warnings
        (e.g. pooled figures inflated by joint absences). ``missing`` (three or more coders): ``listwise``
        (transcripts all of them coded) or ``all`` (every transcript two or more of them coded).
        """
        self._require_whole_view("agreement between coders")
        with self.reading() as s:
            return project_agreement.agreement(s, list(coders), unit=unit,
                                               scope=Scope(case_set=case_set, taxonomy=taxonomy),
                                               include_inductive=include_inductive, missing=missing)

    @requires(Action.READ)
    def agreement_view(self, coders: Iterable[str] | None = None, *, missing: str = "listwise",
                       unit: str = "document") -> dict[str, Any]:
        """What an agreement page shows: the coders one can compare, the chosen ones (default: all), and the
        agreement report, or a sentence saying why it could not be computed (never an error for a choice)."""
        from bctcoder.report.builders import build_agreement, coders_to_compare

        self._require_whole_view("agreement between coders")
        with self.reading() as s:
            available = coders_to_compare(s, Scope())
            wanted = list(dict.fromkeys(coders or available))
            chosen = [c for c in wanted if c in available]
            view: dict[str, Any] = {"available": available, "chosen": chosen, "missing": missing, "unit": unit,
                                    "report": None, "message": None}
            unknown = [c for c in wanted if c not in available]
            if len(available) < 2:
                view["message"] = ("Agreement needs codings by two coders; so far "
                                   + (f"only {available[0]} has coded." if available else "nobody has coded."))
            elif len(chosen) < 2:
                view["message"] = "Choose at least two coders to compare." + (
                    f" No codings by {', '.join(unknown)}." if unknown else "")
            else:
                try:
                    view["report"] = build_agreement(s, Scope(coders=tuple(chosen)), unit=unit, missing=missing)
                except InputError as exc:
                    view["message"] = exc.reason[:1].upper() + exc.reason[1:] + "."
            return view

    @staticmethod
    def ratings_agreement(path: str | Path, level: str = "nominal", *, missing: str = "all",
                          categories: Sequence | None = None) -> dict[str, Any]:
        """Every applicable statistic for a ratings CSV (unit id, then one column per coder).

        ``missing``: ``all`` (Gwet's form, the default) or ``listwise``; ``categories``: the whole scale, in
        order for ordered levels (sets q and the weights)."""
        return ratings_file.ratings_agreement(path, level, missing=missing, categories=categories)

    @property
    def blind(self) -> bool:
        """Whether blind double coding is on (coders see only their own codings)."""
        with self.reading() as s:
            return bool(get_meta(s, "blind", False))

    @requires(Action.SET_BLIND)
    def set_blind(self, on: bool) -> None:
        """Turn blind double coding on or off."""
        with self.transaction() as s:
            set_meta(s, "blind", bool(on))
            log_event(s, self.user, EventType.PROJECT_BLIND, on=bool(on))

    @requires(Action.RECONCILE)
    def disagreements(self, first: str, second: str, *, include_resolved: bool = False,
                      case_set: str | None = None) -> list[dict[str, Any]]:
        """Each (document, technique) the two coders disagree on, with both coders' passages and quotes."""
        with self.reading() as s:
            return reconcile.disagreements(s, first, second, scope=Scope(case_set=case_set),
                                           include_resolved=include_resolved)

    @requires(Action.RECONCILE)
    def adjudication(self, first: str | None = None, second: str | None = None) -> dict[str, Any]:
        """What the adjudication page shows: the coders one can compare, the chosen two (default: the first
        two), and every disagreement between them with both versions (passages, quotes, memos), including
        those decided already, with the decision, who made it and when."""
        from bctcoder.report.builders import coders_to_compare

        with self.reading() as s:
            available = coders_to_compare(s, Scope())
            first = first or (available[0] if available else None)
            second = second or next((c for c in available if c != first), None)
            view: dict[str, Any] = {"available": available, "first": first, "second": second, "items": [],
                                    "message": None}
            if first is None or second is None or first == second:
                view["message"] = "Adjudication needs codings by two different coders."
                return view
            view["items"] = reconcile.disagreements(s, first, second, include_resolved=True)
            return view

    @requires(Action.RECONCILE)
    def decide(self, first: str, second: str, document: str, code: str, decision: str,
               memo: str | None = None) -> dict[str, Any]:
        """Record a reconciliation decision (first, second, both, none) as codings of the consensus coder."""
        with self.transaction() as s:
            return reconcile.decide(s, self.user, first, second, document, code, decision, memo=memo)

    @requires(Action.RECONCILE)
    def apply_decisions(self, first: str, second: str, path: str | Path, *,
                        keep_agreements: bool = True) -> dict[str, Any]:
        """Apply a decisions CSV (document, code, decision) in one transaction; the passages both coders
        coded identically join the consensus too unless ``keep_agreements=False``."""
        with self.transaction() as s:
            return reconcile.apply_decisions(s, self.user, first, second, path, keep_agreements=keep_agreements)

    @requires(Action.RECONCILE)
    def accept_agreements(self, first: str, second: str) -> dict[str, Any]:
        """Copy identical codings of both coders into the consensus coder."""
        with self.transaction() as s:
            return reconcile.accept_agreements(s, self.user, first, second)
