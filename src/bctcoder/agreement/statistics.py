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

from ._common import Statistic, as_matrix
from .krippendorff import LEVELS, krippendorff_alpha
from .multi_coder import (
    brennan_prediger_multi,
    conger_kappa,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    gwet_ac1_multi,
    light_kappa,
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


def all_statistics(
    ratings: Any, level: str = "nominal", categories: Sequence | None = None
) -> dict[str, Statistic]:
    """Every statistic that applies to a units × coders table, by name.

    Two coders: percent_agreement, cohen_kappa (plus cohen_kappa_linear and
    cohen_kappa_quadratic for ordered levels), pabak, gwet_ac1, scott_pi,
    krippendorff_alpha. More coders: percent_agreement (mean over coder pairs),
    fleiss_kappa, gwet_ac1, brennan_prediger, krippendorff_alpha.

    ``categories`` is the full category set (in scale order for ordered
    levels); it fixes the number of categories for PABAK / Brennan-Prediger /
    AC1 and the weights of the weighted kappas. Without it the observed ratings
    are used (and at least two categories are assumed).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    matrix, _ = as_matrix(ratings)
    n_coders = matrix.shape[1]
    if n_coders < 2:
        raise ValueError(f"need at least two coders; the ratings table has {n_coders} column")
    q = max(2, len(categories)) if categories is not None else None
    out: dict[str, Statistic] = {}
    if n_coders == 2:
        a, b = list(matrix[:, 0]), list(matrix[:, 1])
        out["percent_agreement"] = percent_agreement(a, b)
        out["cohen_kappa"] = cohen_kappa(a, b, categories=categories)
        if level in ORDERED_LEVELS:
            out["cohen_kappa_linear"] = cohen_kappa(a, b, "linear", categories)
            out["cohen_kappa_quadratic"] = cohen_kappa(a, b, "quadratic", categories)
        out["pabak"] = pabak(a, b, q)
        out["gwet_ac1"] = gwet_ac1(a, b, q)
        out["scott_pi"] = scott_pi(a, b)
    else:
        out["percent_agreement"] = percent_agreement_multi(ratings)
        out["fleiss_kappa"] = fleiss_kappa(ratings, categories)
        out["gwet_ac1"] = gwet_ac1_multi(ratings, q, categories)
        out["brennan_prediger"] = brennan_prediger_multi(ratings, q, categories)
    out["krippendorff_alpha"] = krippendorff_alpha(
        ratings, level, categories if level == "ordinal" else None
    )
    return out


__all__ = [
    "LEVELS",
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
    "krippendorff_alpha",
    "light_kappa",
    "negative_agreement",
    "pabak",
    "percent_agreement",
    "percent_agreement_multi",
    "positive_agreement",
    "prevalence_index",
    "scott_pi",
]
