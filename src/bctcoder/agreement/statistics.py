"""Inter-coder agreement statistics: the public entry point.

Pure functions over plain data (sequences or units × coders tables; any
hashable category; None/NaN for "not rated"), each returning a
:class:`Statistic`. Undefined coefficients come back as NaN with a reason,
never as an exception or a numpy warning; malformed input (empty, ragged,
mismatched lengths) raises ``ValueError``.

Implemented by us from the published formulas; the modules cite them:
:mod:`.two_coders`, :mod:`.multi_coder`, :mod:`.krippendorff`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ._common import Statistic, as_matrix, resolve_categories, undefined
from .krippendorff import LEVELS, krippendorff_alpha
from .multi_coder import (
    brennan_prediger_multi,
    conger_kappa,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    gwet_ac1_multi,
    gwet_ac2,
    light_kappa,
    mean_pairwise_agreement,
    percent_agreement_multi,
)
from .two_coders import (
    bias_index,
    brennan_prediger,
    cohen_kappa,
    cohen_kappa_from_table,
    from_2x2,
    gwet_ac1,
    negative_agreement,
    pabak,
    percent_agreement,
    positive_agreement,
    prevalence_index,
    scott_pi,
)

ORDERED_LEVELS = ("ordinal", "interval", "ratio")
MISSING = ("all", "listwise")
DEFAULT_MISSING = "all"


def _keep_units(matrix: np.ndarray, missing: str) -> np.ndarray:
    if missing not in MISSING:
        raise ValueError(f"missing must be 'all' or 'listwise'; got {missing!r}")
    if missing == "all":
        return matrix
    complete = np.array([all(x is not None for x in row) for row in matrix], dtype=bool)
    return matrix[complete]


def all_statistics(
    ratings: Any, level: str = "nominal", categories: Sequence | None = None, missing: str = DEFAULT_MISSING
) -> dict[str, Statistic]:
    """Every statistic that applies to a units × coders table, by name.

    ``percent_agreement`` is always the observed agreement ``pa`` that the
    chance-corrected coefficients start from. Two coders: cohen_kappa, pabak,
    gwet_ac1, scott_pi; more coders: mean_pairwise_agreement, fleiss_kappa,
    conger_kappa, gwet_ac1, brennan_prediger. Ordered levels add the weighted
    kappas (two coders) and Gwet's AC2 with linear, quadratic and ordinal
    weights; every table gets krippendorff_alpha at ``level``.

    ``categories`` declares the whole scale (in order for ordered levels): it
    sets q for PABAK / Brennan-Prediger / AC1 / AC2 and the weights. Without it
    the categories are every rating observed anywhere in the table (not only
    in units kept), and q is at least 2.

    ``missing``: ``"all"`` (default; Gwet 2014) uses every unit rated by two or
    more coders for observed agreement and every rating for the chance terms;
    ``"listwise"`` first drops each unit not rated by every coder.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    matrix, labels = as_matrix(ratings)
    n_coders = matrix.shape[1]
    if n_coders < 2:
        raise ValueError(f"need at least two coders; the ratings table has {n_coders} column")
    ordered = level in ORDERED_LEVELS
    cats = resolve_categories((x for x in matrix.ravel() if x is not None), categories, ordered=ordered,
                              what=f"{level} agreement")
    q = max(2, len(cats))
    kept = _keep_units(matrix, missing)
    names = _names(n_coders, ordered)
    if not len(kept) or not any(sum(x is not None for x in row) >= 2 for row in kept):
        why = ("no unit was rated by every coder (missing='listwise')" if missing == "listwise"
               else "no unit was rated by two or more coders")
        return {n: undefined(n, why) for n in names}
    rows = pd.DataFrame([list(r) for r in kept], columns=labels, dtype=object)
    incomplete = any(x is None for r in kept for x in r)
    out: dict[str, Statistic] = {}
    if n_coders == 2 and not incomplete:
        a, b = [r[0] for r in kept], [r[1] for r in kept]
        out["percent_agreement"] = percent_agreement(a, b)
        out["cohen_kappa"] = cohen_kappa(a, b, categories=cats)
        if ordered:
            for w in ("linear", "quadratic"):
                out[f"cohen_kappa_{w}"] = cohen_kappa(a, b, w, cats)
        out["pabak"] = pabak(a, b, q)
        out["gwet_ac1"] = gwet_ac1(a, b, q)
        out["scott_pi"] = scott_pi(a, b)
    elif n_coders == 2:
        both = [r for r in kept if r[0] is not None and r[1] is not None]
        out["percent_agreement"] = percent_agreement_multi(rows)
        out["cohen_kappa"] = _renamed(conger_kappa(rows, cats), "cohen_kappa")
        if ordered:
            for w in ("linear", "quadratic"):
                out[f"cohen_kappa_{w}"] = cohen_kappa([r[0] for r in both], [r[1] for r in both], w, cats)
        out["pabak"] = _renamed(brennan_prediger_multi(rows, q, cats), "pabak")
        out["gwet_ac1"] = gwet_ac1_multi(rows, q, cats)
        out["scott_pi"] = _renamed(fleiss_kappa(rows, cats), "scott_pi")
    else:
        out["percent_agreement"] = percent_agreement_multi(rows)
        out["mean_pairwise_agreement"] = mean_pairwise_agreement(rows)
        out["fleiss_kappa"] = fleiss_kappa(rows, cats)
        out["conger_kappa"] = conger_kappa(rows, cats)
        out["gwet_ac1"] = gwet_ac1_multi(rows, q, cats)
        out["brennan_prediger"] = brennan_prediger_multi(rows, q, cats)
    if ordered:
        for w in ("linear", "quadratic", "ordinal"):
            out[f"gwet_ac2_{w}"] = gwet_ac2(rows, w, cats)
    out["krippendorff_alpha"] = krippendorff_alpha(rows, level, cats if level == "ordinal" else None)
    return out


def _names(n_coders: int, ordered: bool) -> list[str]:
    if n_coders == 2:
        names = ["percent_agreement", "cohen_kappa"]
        names += ["cohen_kappa_linear", "cohen_kappa_quadratic"] if ordered else []
        names += ["pabak", "gwet_ac1", "scott_pi"]
    else:
        names = ["percent_agreement", "mean_pairwise_agreement", "fleiss_kappa", "conger_kappa", "gwet_ac1",
                 "brennan_prediger"]
    names += ["gwet_ac2_linear", "gwet_ac2_quadratic", "gwet_ac2_ordinal"] if ordered else []
    return names + ["krippendorff_alpha"]


def _renamed(stat: Statistic, name: str) -> Statistic:
    return Statistic(name, stat.value, stat.reason, stat.details)


__all__ = [
    "DEFAULT_MISSING",
    "LEVELS",
    "MISSING",
    "Statistic",
    "all_statistics",
    "bias_index",
    "brennan_prediger",
    "brennan_prediger_multi",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "conger_kappa",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "from_2x2",
    "gwet_ac1",
    "gwet_ac1_multi",
    "gwet_ac2",
    "krippendorff_alpha",
    "light_kappa",
    "mean_pairwise_agreement",
    "negative_agreement",
    "pabak",
    "percent_agreement",
    "percent_agreement_multi",
    "positive_agreement",
    "prevalence_index",
    "scott_pi",
]
