"""The analysis half of the Project API (mixed into :class:`bctcoder.project.Project`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from bctcoder.access.context import ProjectContext, requires
from bctcoder.access.roles import Action
from bctcoder.analysis import coverage as coverage_mod
from bctcoder.analysis import crosscase, reference, selection, tables
from bctcoder.analysis import fit as fit_mod
from bctcoder.analysis import quotes as quotes_mod
from bctcoder.errors import NotFoundError


class AnalysisMixin(ProjectContext):
    """Tables, summaries and comparisons; every method is read-only except ``select_cases``."""

    @requires(Action.READ)
    def table1(self, attributes: Iterable[str] | None = None, *, by: str = "role",
               case_set: str | None = None) -> dict[str, pd.DataFrame]:
        """Sample characteristics: ``journal`` (Table 1 as journals print it: one column per value of ``by``
        with its n, cells n (%)), ``cases`` (one row per case) and ``totals`` (long form)."""
        with self.reading() as s:
            return tables.table1(s, list(attributes) if attributes else None,
                                 self._scope(None, case_set, session=s), by=by)

    @requires(Action.READ)
    def table2(self, by: str = "role", *, coders=None, case_set: str | None = None,
               taxonomy: str | None = None) -> pd.DataFrame:
        """Technique presence by the values of ``by`` with the category (PW only, Both, Neither...)."""
        with self.reading() as s:
            return tables.table2(s, by, self._scope(coders, case_set, taxonomy, session=s))[0]

    @requires(Action.READ)
    def summary(self, by: str = "role", *, coders=None, case_set: str | None = None,
                taxonomy: str | None = None) -> dict[str, Any]:
        """The study's headline figures (supported, per value yes/only, both, neither, groups covered...)."""
        with self.reading() as s:
            return tables.summary(s, by, self._scope(coders, case_set, taxonomy, session=s))

    @requires(Action.READ)
    def groups(self, by: str = "role", *, coders=None, case_set: str | None = None,
               taxonomy: str | None = None) -> pd.DataFrame:
        """Taxonomy groups ranked by the share of their techniques supported."""
        with self.reading() as s:
            return tables.groups(s, by, self._scope(coders, case_set, taxonomy, session=s))

    @requires(Action.READ)
    def fit(self, by: str = "role", *, coders=None, case_set: str | None = None,
            taxonomy: str | None = None) -> dict[str, Any]:
        """Taxonomy fit: never-evidenced techniques, ranked groups, inductive codes, proposed extension."""
        with self.reading() as s:
            return fit_mod.fit(s, by, self._scope(coders, case_set, taxonomy, session=s))

    @requires(Action.READ)
    def coverage(self, level: str = "document", *, coders=None, case_set: str | None = None) -> pd.DataFrame:
        """NVivo-style coverage per document, case or role and code."""
        with self.reading() as s:
            return coverage_mod.coverage(s, self._scope(coders, case_set, session=s), level)

    @requires(Action.READ)
    def matrix(self, *, counts: bool = False, coders=None, case_set: str | None = None,
               taxonomy: str | None = None) -> pd.DataFrame:
        """Case × technique matrix of presence (0/1) or quote counts."""
        with self.reading() as s:
            return crosscase.matrix(s, self._scope(coders, case_set, taxonomy, session=s), counts=counts)

    @requires(Action.READ)
    def dyads(self, *, coders=None, case_set: str | None = None) -> list[dict[str, Any]]:
        """Each partnership's techniques seen by both partners, the first only, the second only."""
        with self.reading() as s:
            return crosscase.dyads(s, self._scope(coders, case_set, session=s))

    @requires(Action.READ)
    def similarity(self, *, coders=None, case_set: str | None = None) -> dict[str, Any]:
        """Jaccard similarity between cases, with means within and between roles."""
        with self.reading() as s:
            return crosscase.similarity(s, self._scope(coders, case_set, session=s))

    @requires(Action.READ)
    def quotes(self, codes: Iterable[str] | None = None, *, limit: int | None = 10, coders=None,
               case_set: str | None = None) -> pd.DataFrame:
        """Verbatim quotes per technique, exemplars first."""
        with self.reading() as s:
            return quotes_mod.quotes(s, self._scope(coders, case_set, session=s),
                                     codes=list(codes) if codes else None, limit=limit)

    @requires(Action.READ)
    def compare(self, reference_name: str = "marks2022", by: str = "role", *, coders=None,
                case_set: str | None = None) -> dict[str, Any]:
        """Compare the project's technique profile with a published one (e.g. ``marks2022``)."""
        with self.reading() as s:
            return reference.compare(s, reference_name, by, self._scope(coders, case_set, session=s))

    @requires(Action.READ)
    def rank_documents(self, codes: Iterable[str] | None = None, group: str | None = None) -> pd.DataFrame:
        """Transcripts ranked per role by coverage of the chosen codes or group."""
        self._require_whole_view("ranking transcripts by everyone's coverage")
        with self.reading() as s:
            return selection.rank_documents(s, codes=list(codes) if codes else None, group=group)

    @requires(Action.MANAGE_CASES)
    def select_cases(self, name: str, *, top: int, codes: Iterable[str] | None = None, group: str | None = None,
                     roles: Iterable[str] | None = None, replace: bool = False) -> dict[str, Any]:
        """Store the top ``top`` cases per role by coverage as a named case set (usable as ``case_set=``)."""
        with self.transaction() as s:
            return selection.select_cases(s, self.user, name, top=top, codes=list(codes) if codes else None,
                                          group=group, roles=roles, replace=replace)

    @requires(Action.READ)
    def case_sets(self) -> list[dict[str, Any]]:
        """Named case sets and their members."""
        with self.reading() as s:
            return selection.case_sets(s)

    @requires(Action.READ)
    def qca(self, outcome: str, conditions: Sequence[str] | str, *, fuzzy: bool = False,
            calibration: dict[str, Any] | None = None, incl_cut: float | tuple[float, float] = 1.0, n_cut: int = 1,
            include: str = "?", dir_exp=None, negate_outcome: bool = False, coders=None,
            case_set: str | None = None) -> dict[str, Any]:
        """QCA of the cases: outcome and conditions are attributes, ``NAME=VALUE`` or technique numbers.

        Returns plain data (truth table, complex/parsimonious/intermediate solutions with fit, necessity,
        the data set and the ``dropped`` cases); see :func:`bctcoder.qca.project_data.run_qca`.
        """
        from bctcoder.qca.project_data import project_qca

        with self.reading() as s:
            return project_qca(s, outcome, conditions, scope=self._scope(coders, case_set, session=s),
                               fuzzy=fuzzy, calibration=calibration, incl_cut=incl_cut, n_cut=n_cut, include=include,
                               dir_exp=dir_exp, negate_outcome=negate_outcome)

    @requires(Action.READ)
    def report(self, name: str, *, coders=None, case_set: str | None = None, taxonomy: str | None = None,
               **options: Any):
        """Build a named report (see :data:`bctcoder.report.builders.BUILDERS`) as a Report object."""
        from bctcoder.report.builders import build, coders_to_compare

        with self.reading() as s:
            scope = self._scope(coders, case_set, taxonomy, session=s)
            if name == "agreement":
                self._require_whole_view("the agreement report", s)
                if len(coders_to_compare(s, scope)) < 2:
                    raise NotFoundError("the agreement report needs codings by two coders")
            return build(s, name, scope, **options)

    @requires(Action.READ)
    def results_overview(self, by: str = "role") -> dict[str, Any]:
        """What the results page shows: the summary, groups in taxonomy order, the case × technique counts
        and each case's role (blind mode: from the reader's own codings)."""
        with self.reading() as s:
            scope = self._scope(session=s)
            grp = tables.groups(s, by, scope)
            order = grp["id"].map(lambda v: int(v) if str(v).isdigit() else 10**6)
            return {"summary": tables.summary(s, by, scope), "groups": grp.loc[order.sort_values().index],
                    "matrix": crosscase.matrix(s, scope, counts=True), "case_roles": crosscase.case_roles(s, scope)}

    @requires(Action.READ)
    def write_report(self, name: str, path: str | Path, fmt: str | None = None, *, raw: bool = False,
                     **options: Any) -> Path:
        """Build a report and write it to ``path`` (format from ``fmt`` or the file's suffix); ``raw`` writes
        CSV text exactly, even text a spreadsheet would run as a formula."""
        from bctcoder.report.render import render, write_atomic

        fmt = fmt or Path(path).suffix.lstrip(".").lower()
        report = self.report(name, **options)
        return write_atomic(path, render(report, fmt, raw=raw))

    @requires(Action.READ)
    def write_all_reports(self, out: str | Path, *, by: str = "role", coders=None,
                          case_set: str | None = None, paper: str = "a4", raw: bool = False) -> dict[str, Any]:
        """Write every table (CSV), one workbook (xlsx), one document (docx) and one HTML report to ``out``
        (``raw``: CSV text exactly, even text a spreadsheet would run as a formula)."""
        from bctcoder.report.bundle import write_bundle

        with self.reading() as s:
            return write_bundle(s, out, by=by, scope=self._scope(coders, case_set, session=s), paper=paper,
                                raw=raw)
