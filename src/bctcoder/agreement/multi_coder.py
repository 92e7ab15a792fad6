"""Agreement among any number of coders, missing ratings allowed.

Written from Fleiss (1971) and Gwet (2014, *Handbook of Inter-Rater
Reliability*, 4th ed., ch. 2 and 5), with ``r_ik`` the number of coders who put
unit ``i`` in category ``k`` and ``r_i`` the number of coders who rated unit ``i``:

* observed agreement, over the ``n2`` units rated at least twice:
  ``pa = mean_i sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))``
* category shares, over all ``n`` units rated at least once:
  ``pi_k = mean_i r_ik / r_i``
* chance agreement: Fleiss ``sum_k pi_k**2``; Gwet AC1
  ``sum_k pi_k (1 - pi_k) / (q - 1)``; Brennan-Prediger ``1 / q``
* weighted (Gwet's AC2, ch. 3): ``r*_ik = sum_l w_kl r_il`` replaces the
  second ``r_ik`` in ``pa`` and ``pe = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)``
  with ``T_w`` the sum of all weights (see :mod:`.weights`)

With complete data this is exactly Fleiss' kappa; with missing ratings it is
Gwet's extension. Units nobody rated are ignored. ``pa`` is the one observed
agreement bctcoder reports (as ``percent_agreement``); the mean of the pairwise
percent agreements is a different number, reported only as
``mean_pairwise_agreement``.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Sequence

import numpy as np

from ._common import Statistic, as_matrix, check_n_categories, counts_matrix, fmt, undefined
from .two_coders import _kappa, _percent, _table
from .weights import check_weights, weight_matrix


def _core(counts: np.ndarray, cats: list, name: str,
          w: np.ndarray | None = None) -> tuple[dict, Statistic | None]:
    """Observed agreement (weighted with ``w``) and category shares; an undefined Statistic when no unit
    is pairable."""
    r = counts.sum(axis=1)
    rated = r >= 1
    counts, r = counts[rated], r[rated]
    multi = r >= 2
    details: dict = {
        "n_units": int(rated.sum()),
        "n_units_used": int(multi.sum()),
        "categories": list(cats),
    }
    if not multi.any():
        return details, undefined(name, "no unit was rated by two or more coders", **details)
    cm, rm = counts[multi], r[multi]
    agreeing = cm if w is None else cm @ w.T
    pa = float(((cm * (agreeing - 1.0)).sum(axis=1) / (rm * (rm - 1.0))).mean())
    pi = (counts / r[:, None]).mean(axis=0)
    details.update(pa=pa, category_shares={c: float(v) for c, v in zip(cats, pi)})
    return {"details": details, "pa": pa, "pi": pi, "cm": cm, "rm": rm}, None


def _finish(name: str, pa: float, pe: float, details: dict, reason: str) -> Statistic:
    details = {**details, "pe": pe}
    if 1.0 - pe <= 1e-12:
        return undefined(name, reason, **details)
    return Statistic(name, (pa - pe) / (1.0 - pe), None, details)


def _check_counts(counts: Any) -> np.ndarray:
    try:
        c = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("counts must be a units × categories table of non-negative counts") from None
    if c.ndim != 2 or c.shape[0] == 0 or c.shape[1] == 0:
        raise ValueError(f"empty input or wrong shape: counts must be units × categories, got {c.shape}")
    if not np.isfinite(c).all() or (c < 0).any():
        raise ValueError("counts must be finite and non-negative")
    return c


def fleiss_kappa_from_counts(counts: Any, categories: Sequence | None = None) -> Statistic:
    """Fleiss' kappa from a units × categories table of how many coders chose each category.

    ``details["per_category"]`` holds Fleiss' category-specific kappas
    ``1 - mean_i[r_ik (r_i - r_ik) / (r_i (r_i - 1))] / (pi_k (1 - pi_k))``
    (NaN for a category used by nobody or by everybody).
    """
    c = _check_counts(counts)
    cats = list(categories) if categories is not None else list(range(c.shape[1]))
    if len(cats) != c.shape[1]:
        raise ValueError(f"{len(cats)} categories given for a table with {c.shape[1]} columns")
    return _fleiss(c, cats)


def _fleiss(c: np.ndarray, cats: list) -> Statistic:
    name = "fleiss_kappa"
    core, bad = _core(c, cats, name)
    if bad is not None:
        return bad
    pi, cm, rm = core["pi"], core["cm"], core["rm"]
    spread = pi * (1.0 - pi)
    disagree = (cm * (rm[:, None] - cm) / (rm * (rm - 1.0))[:, None]).mean(axis=0)
    safe = np.where(spread > 0, spread, 1.0)
    per = np.where(spread > 0, 1.0 - disagree / safe, np.nan)
    details = {**core["details"], "per_category": {k: float(v) for k, v in zip(cats, per)}}
    pe = float((pi * pi).sum())
    r_all = c.sum(axis=1)
    m = r_all[r_all > 0]
    total_spread = float(spread.sum())
    if total_spread > 0 and len(m) and (m == m[0]).all() and m[0] >= 2:
        # Fleiss, Nee & Landis (1979): standard error under the null of chance agreement,
        # defined for complete data (every unit rated by the same number of coders).
        n_units, r = float(len(m)), float(m[0])
        var = (total_spread**2 - float((spread * ((1.0 - pi) - pi)).sum())) * 2.0 / (
            n_units * r * (r - 1.0) * total_spread**2
        )
        if var > 0:
            details["z"] = (core["pa"] - pe) / (1.0 - pe) / var**0.5
    used = [k for k, v in zip(cats, pi) if v > 0]
    reason = (
        f"no variation: every rating is {fmt(used[0])} (expected agreement is 1)"
        if len(used) == 1
        else "expected agreement is 1"
    )
    return _finish(name, core["pa"], pe, details, reason)


def fleiss_kappa(ratings: Any, categories: Sequence | None = None) -> Statistic:
    """Fleiss' kappa for a units × coders table (None/NaN = not rated; Gwet's extension)."""
    matrix, coders = as_matrix(ratings)
    counts, cats = counts_matrix(matrix, categories)
    stat = _fleiss(counts, cats)
    return Statistic(stat.name, stat.value, stat.reason, {**stat.details, "n_coders": len(coders)})


def uniform_chance(name: str, pi: np.ndarray, q: int) -> float:
    """Chance agreement of the uniform-spread models: AC1 ``sum_k pi_k (1 - pi_k) / (q - 1)``, else
    Brennan-Prediger ``1 / q``."""
    return float((pi * (1.0 - pi)).sum()) / (q - 1.0) if name == "gwet_ac1" else 1.0 / q


def conger_chance(shares: np.ndarray) -> float:
    """Conger's chance agreement from each coder's category shares (rows = coders who rated anything)."""
    r = float(len(shares))
    variance = shares.var(axis=0, ddof=1) if r > 1 else np.zeros(shares.shape[1])
    return float((shares.mean(axis=0) ** 2 - variance / r).sum())


def _uniform_model(ratings: Any, name: str, n_categories: int | None, categories: Sequence | None) -> Statistic:
    matrix, coders = as_matrix(ratings)
    counts, cats = counts_matrix(matrix, categories)
    used = int((counts.sum(axis=0) > 0).sum())
    if n_categories is None and categories is not None:
        n_categories = max(2, len(cats))
    q = check_n_categories(n_categories, used)
    core, bad = _core(counts, cats, name)
    if bad is not None:
        return bad
    details = {**core["details"], "n_coders": len(coders), "n_categories": q}
    return _finish(name, core["pa"], uniform_chance(name, core["pi"], q), details, "expected agreement is 1")


def gwet_ac1_multi(
    ratings: Any, n_categories: int | None = None, categories: Sequence | None = None
) -> Statistic:
    """Gwet's AC1 for any number of coders (units × coders, missing allowed).

    q is ``n_categories``, else ``len(categories)``, else the number of observed
    categories, and at least 2.
    """
    return _uniform_model(ratings, "gwet_ac1", n_categories, categories)


def brennan_prediger_multi(
    ratings: Any, n_categories: int | None = None, categories: Sequence | None = None
) -> Statistic:
    """Brennan-Prediger (Randolph's free-marginal) kappa for any number of coders."""
    return _uniform_model(ratings, "brennan_prediger", n_categories, categories)


def gwet_ac2(ratings: Any, weights: str | None = "quadratic", categories: Sequence | None = None) -> Statistic:
    """Gwet's AC2: AC1 with agreement weights for ordered categories, any number of coders, missing allowed.

    ``categories`` is the whole scale in order (default: the observed ratings,
    sorted); q is its length. ``weights=None`` gives AC1.
    """
    check_weights(weights)
    matrix, coders = as_matrix(ratings)
    counts, cats = counts_matrix(matrix, categories, ordered=weights is not None, what="AC2")
    name = "gwet_ac1" if weights is None else f"gwet_ac2_{weights}"
    w = weight_matrix(cats, weights)
    core, bad = _core(counts, cats, name, w)
    if bad is not None:
        return bad
    q = len(cats)
    details = {**core["details"], "n_coders": len(coders), "n_categories": q, "weights": weights}
    if q < 2:
        return undefined(name, f"no variation: every rating is {fmt(cats[0])} and no scale was declared",
                         **details)
    pi = core["pi"]
    pe = float(w.sum()) / (q * (q - 1.0)) * float((pi * (1.0 - pi)).sum())
    return _finish(name, core["pa"], pe, details, "expected agreement is 1")


def conger_kappa(ratings: Any, categories: Sequence | None = None) -> Statistic:
    """Conger's (1980) kappa, with Gwet's treatment of missing ratings.

    Observed agreement as for Fleiss; chance agreement
    ``sum_k (mean_g p_gk ** 2 - var_g(p_gk) / r)`` where ``p_gk`` is the share of
    the units coder ``g`` rated that went to category ``k``, the variance is the
    unbiased one over the ``r`` coders who rated anything.
    """
    matrix, coders = as_matrix(ratings)
    counts, cats = counts_matrix(matrix, categories)
    name = "conger_kappa"
    core, bad = _core(counts, cats, name)
    if bad is not None:
        return bad
    index = {k: i for i, k in enumerate(cats)}
    shares = []
    for g in range(matrix.shape[1]):
        col = [x for x in matrix[:, g] if x is not None]
        if col:
            row = np.zeros(len(cats))
            for x in col:
                row[index[x]] += 1
            shares.append(row / len(col))
    details = {**core["details"], "n_coders": len(coders), "n_coders_used": len(shares)}
    return _finish(name, core["pa"], conger_chance(np.array(shares)), details, "expected agreement is 1")


def _pairwise(ratings: Any, name: str, stat) -> Statistic:
    matrix, coders = as_matrix(ratings)
    if matrix.shape[1] < 2:
        raise ValueError(f"need at least two coders; the ratings table has {matrix.shape[1]} column")
    pairs, values = [], []
    for i, j in combinations(range(matrix.shape[1]), 2):
        s = stat(*_table(matrix[:, i], matrix[:, j]))
        pairs.append({"coders": [coders[i], coders[j]], "value": s.value, "reason": s.reason,
                      "n_units": s.details.get("n_units", 0)})
        if s.defined:
            values.append(s.value)
    details = {"n_coders": len(coders), "pairs": pairs, "n_pairs_defined": len(values)}
    if not values:
        return undefined(name, f"undefined for every pair of coders ({pairs[0]['reason']})", **details)
    return Statistic(name, float(np.mean(values)), None, details)


def percent_agreement_multi(ratings: Any) -> Statistic:
    """Observed agreement ``pa`` for any number of coders: within each unit rated by two or more coders, the
    share of coder pairs that chose the same category, averaged over those units (Fleiss 1971; Gwet 2014).

    It is the ``pa`` that Fleiss' kappa, AC1 and Brennan-Prediger correct for chance; with two coders it is
    the share of units both rated that got the same category.
    """
    matrix, coders = as_matrix(ratings)
    counts, cats = counts_matrix(matrix)
    core, bad = _core(counts, cats, "percent_agreement")
    if bad is not None:
        return bad
    return Statistic("percent_agreement", core["pa"], None, {**core["details"], "n_coders": len(coders)})


def mean_pairwise_agreement(ratings: Any) -> Statistic:
    """Mean over coder pairs of each pair's percent agreement (pairs with no shared unit skipped).

    Not the ``pa`` of Fleiss' kappa or AC1 (it weights units differently when ratings are missing, and
    pairs equally): report it under its own name.
    """
    return _pairwise(ratings, "mean_pairwise_agreement", _percent)


def light_kappa(ratings: Any) -> Statistic:
    """Light's kappa: the mean of Cohen's kappa over all coder pairs (undefined pairs skipped)."""
    return _pairwise(ratings, "light_kappa", lambda t, c, d: _kappa(t, c, d, None))


__all__ = [
    "brennan_prediger_multi",
    "conger_kappa",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "gwet_ac1_multi",
    "gwet_ac2",
    "light_kappa",
    "mean_pairwise_agreement",
    "percent_agreement_multi",
]
