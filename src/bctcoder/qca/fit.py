"""Parameters of fit for sufficiency and necessity (Ragin 2006, 2008; Dușa 2019, ch. 5).

With ``X`` the membership in an expression and ``Y`` in the outcome:

* sufficiency inclusion ``inclS = sum(min(X, Y)) / sum(X)``
* proportional reduction in inconsistency
  ``PRI = (sum(min(X, Y)) - sum(min(X, Y, 1-Y))) / (sum(X) - sum(min(X, Y, 1-Y)))``
* sufficiency coverage ``covS = sum(min(X, Y)) / sum(Y)``
* necessity inclusion ``inclN = covS``, necessity coverage ``covN = inclS``
* relevance of necessity ``RoN = sum(1 - X) / sum(1 - min(X, Y))``

Undefined ratios (zero denominators) are NaN.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from bctcoder.qca.data import QcaData, Term, format_term, term_membership


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else math.nan


def inclusion_pri(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sufficiency inclusion and PRI of membership ``x`` in outcome ``y``."""
    xy = np.minimum(x, y)
    xyn = np.minimum(xy, 1.0 - y)
    return _ratio(xy.sum(), x.sum()), _ratio(xy.sum() - xyn.sum(), x.sum() - xyn.sum())


def sufficiency(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """``inclS``, ``PRI`` and ``covS`` of membership ``x`` as sufficient for ``y``."""
    incl, pri = inclusion_pri(x, y)
    return {"inclS": incl, "PRI": pri, "covS": _ratio(np.minimum(x, y).sum(), y.sum())}


def necessity_fit(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """``inclN``, ``RoN`` and ``covN`` of membership ``x`` as necessary for ``y``."""
    xy = np.minimum(x, y)
    return {
        "inclN": _ratio(xy.sum(), y.sum()),
        "RoN": _ratio((1.0 - x).sum(), (1.0 - xy).sum()),
        "covN": _ratio(xy.sum(), x.sum()),
    }


def solution_membership(qd: QcaData, terms: Sequence[Term]) -> np.ndarray:
    """Membership of every case in a disjunction of terms (maximum over the terms)."""
    m = np.zeros(len(qd.cases))
    for term in terms:
        m = np.maximum(m, term_membership(qd, term))
    return m


def model_fit(qd: QcaData, terms: Sequence[Term]) -> tuple[pd.DataFrame, dict[str, float]]:
    """Fit of each term of a solution and of the whole solution.

    Returns a DataFrame indexed by term (columns ``inclS``, ``PRI``, ``covS``,
    ``covU``) and a dict with the solution's ``inclS``, ``PRI`` and ``covS``.
    ``covU`` (unique coverage) is the solution's coverage minus the coverage of
    the solution without that term.
    """
    solution = sufficiency(solution_membership(qd, terms), qd.y)
    records = []
    for k, term in enumerate(terms):
        own = sufficiency(term_membership(qd, term), qd.y)
        others = [t for i, t in enumerate(terms) if i != k]
        rest = sufficiency(solution_membership(qd, others), qd.y)["covS"] if others else 0.0
        own["covU"] = solution["covS"] - rest
        records.append(own)
    names = [format_term(t, qd.conditions, qd.multivalue) for t in terms]
    table = pd.DataFrame.from_records(records, index=names, columns=["inclS", "PRI", "covS", "covU"])
    return table, solution
