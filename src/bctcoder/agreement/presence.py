"""Agreement on presence/absence ratings (a technique coded in a unit or not), vectorised.

The input is a units × coders float matrix of 1 (coded), 0 (not coded) and NaN
(this coder did not code this unit's transcript). The scale is declared, not
observed: two categories, so q = 2 for PABAK / Brennan-Prediger and AC1 even
for a technique nobody used. The formulas are those of :mod:`.multi_coder`
and :mod:`.two_coders` (one observed agreement ``pa`` for every
coefficient), computed from category counts so that a project's thousands of
(unit, technique) cells stay fast.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from ._common import Statistic, undefined
from .krippendorff import alpha_from_coincidence
from .multi_coder import _core, _finish, _fleiss, conger_chance, uniform_chance

CATEGORIES = [0, 1]
Q = 2


def counts(matrix: np.ndarray) -> np.ndarray:
    """Units × [absent, present] counts of the coders who rated each unit."""
    present = np.nansum(matrix == 1, axis=1)
    rated = np.sum(~np.isnan(matrix), axis=1)
    return np.column_stack([rated - present, present]).astype(float)


def _alpha(c: np.ndarray) -> Statistic:
    m = c.sum(axis=1)
    used = m >= 2
    cu = c[used]
    share = cu / (m[used] - 1.0)[:, None]
    o = share.T @ cu - np.diag(share.sum(axis=0))
    return alpha_from_coincidence(o, CATEGORIES, "nominal", n_units_used=int(used.sum()), categories=CATEGORIES)


def _conger(matrix: np.ndarray, c: np.ndarray) -> Statistic:
    """Conger's kappa (Cohen's with two coders); each coder's shares over the units that coder rated."""
    name = "conger_kappa"
    core, bad = _core(c, CATEGORIES, name)
    if bad is not None:
        return bad
    rated = ~np.isnan(matrix)
    n_rated = rated.sum(axis=0)
    active = n_rated > 0
    p1 = np.nansum(matrix == 1, axis=0)[active] / n_rated[active]
    pe = conger_chance(np.column_stack([1.0 - p1, p1]))
    return _finish(name, core["pa"], pe, core["details"], "no variation: every rating is the same")


def _uniform(c: np.ndarray, name: str) -> Statistic:
    core, bad = _core(c, CATEGORIES, name)
    if bad is not None:
        return bad
    return _finish(name, core["pa"], uniform_chance(name, core["pi"], Q), {**core["details"], "n_categories": Q},
                   "expected agreement is 1")


def _mean_pairwise(matrix: np.ndarray) -> Statistic:
    values = []
    for i, j in combinations(range(matrix.shape[1]), 2):
        both = ~np.isnan(matrix[:, i]) & ~np.isnan(matrix[:, j])
        if both.any():
            values.append(float((matrix[both, i] == matrix[both, j]).mean()))
    if not values:
        return undefined("mean_pairwise_agreement", "no two coders rated the same unit")
    return Statistic("mean_pairwise_agreement", float(np.mean(values)), None, {"n_pairs_defined": len(values)})


def statistics(matrix: np.ndarray) -> dict[str, Statistic]:
    """Every presence coefficient for a units × coders matrix (1, 0, NaN)."""
    c = counts(matrix)
    pa, bad = _core(c, CATEGORIES, "percent_agreement")
    out: dict[str, Statistic] = {
        "percent_agreement": bad if bad is not None else Statistic("percent_agreement", pa["pa"], None,
                                                                   pa["details"]),
        "fleiss_kappa": _fleiss(c, CATEGORIES),
        "conger_kappa": _conger(matrix, c),
        "gwet_ac1": _uniform(c, "gwet_ac1"),
        "brennan_prediger": _uniform(c, "brennan_prediger"),
        "krippendorff_alpha": _alpha(c),
    }
    if matrix.shape[1] > 2:
        out["mean_pairwise_agreement"] = _mean_pairwise(matrix)
    return out


def value(stat: Statistic) -> float | None:
    """A coefficient rounded to four decimals, None when undefined."""
    return None if not stat.defined else round(float(stat.value), 4)


def multi_coder_row(matrix: np.ndarray) -> dict[str, Any]:
    """The table row for three or more coders: units, how many any/all coders coded, and the coefficients."""
    rated = ~np.isnan(matrix)
    present = np.nan_to_num(matrix, nan=0.0) == 1
    row: dict[str, Any] = {
        "n": int(matrix.shape[0]),
        "any_coder": int(present.any(axis=1).sum()),
        "all_coders": int(((present == rated).all(axis=1) & present.any(axis=1)).sum()),
        "prevalence": round(float(np.nanmean(matrix)), 4) if rated.any() else None,
    }
    stats = statistics(matrix)
    for key in ("percent_agreement", "mean_pairwise_agreement", "fleiss_kappa", "gwet_ac1", "brennan_prediger",
                "krippendorff_alpha"):
        row[key] = value(stats[key]) if key in stats else None
    row["note"] = stats["fleiss_kappa"].reason
    return row
