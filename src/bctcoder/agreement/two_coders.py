"""Agreement between two coders: percent agreement, Cohen's kappa (weighted or not),
Scott's pi, Gwet's AC1, Brennan-Prediger / PABAK, specific (positive/negative)
agreement and the prevalence and bias indices.

Every coefficient is computed from the k × k contingency table of the units that
both coders rated (rows coder A, columns coder B); units either coder left
unrated are dropped and counted in ``details["n_dropped"]``. With ``p`` the
table as proportions, ``r``/``c`` its row/column margins, ``po = trace(p)`` and
``pi = (r + c) / 2``, the chance-agreement terms are

* Cohen (1960, weighted: 1968): ``pe = sum_ij w_ij r_i c_j``
* Scott (1955):                ``pe = sum_k pi_k ** 2``
* Gwet (2008) AC1:             ``pe = sum_k pi_k (1 - pi_k) / (q - 1)``
* Brennan & Prediger (1981):   ``pe = 1 / q``  (q = 2: PABAK = 2 po - 1, Byrt et al. 1993)

and each coefficient is ``(po - pe) / (1 - pe)``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._common import (
    Statistic,
    check_hashable,
    check_n_categories,
    fmt,
    is_missing,
    plain,
    resolve_categories,
    undefined,
)
from .krippendorff import alpha_from_coincidence
from .weights import WEIGHTS as _WEIGHTED
from .weights import check_weights, weight_matrix

WEIGHTS = (None, *_WEIGHTED)
_NO_PAIRS = "no unit was rated by both coders"


def _num(x: float) -> int | float:
    x = float(x)
    return int(x) if x.is_integer() else x


def _pairs(a: Any, b: Any) -> tuple[list[tuple], int]:
    pairs, dropped, _ = _ratings(a, b)
    return pairs, dropped


def _ratings(a: Any, b: Any) -> tuple[list[tuple], int, list]:
    """The units both coders rated (as pairs), how many were dropped, and every rating given."""
    a, b = list(a), list(b)
    if not a and not b:
        raise ValueError("empty input: both rating sequences are empty")
    if len(a) != len(b):
        raise ValueError(
            f"the two coders' rating sequences differ in length ({len(a)} vs {len(b)}); "
            "give one rating (None if not rated) per unit for each coder"
        )
    pairs, dropped, seen = [], 0, []
    for x, y in zip(a, b):
        given = [check_hashable(plain(v)) for v in (x, y) if not is_missing(v)]
        seen += given
        if len(given) < 2:
            dropped += 1
        else:
            pairs.append((given[0], given[1]))
    return pairs, dropped, seen


def _table(
    a: Any, b: Any, categories: Sequence | None = None, *, ordered: bool = False, what: str = ""
) -> tuple[np.ndarray, list, int]:
    pairs, dropped, seen = _ratings(a, b)
    # the categories are every rating given, also by a coder whose partner left the unit unrated
    cats = resolve_categories(seen, categories, ordered=ordered, what=what)
    index = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)), dtype=float)
    for x, y in pairs:
        table[index[x], index[y]] += 1
    return table, cats, dropped


def _check_table(table: Any, shape: tuple | None = None) -> np.ndarray:
    try:
        t = np.asarray(table, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("table must be a square table of non-negative counts") from None
    if t.ndim != 2 or t.shape[0] != t.shape[1] or t.shape[0] == 0:
        raise ValueError(f"table must be square (coder A rows × coder B columns); got shape {t.shape}")
    if shape is not None and t.shape != shape:
        raise ValueError(f"table must have shape {shape}; got {t.shape}")
    if not np.isfinite(t).all() or (t < 0).any():
        raise ValueError("table counts must be finite and non-negative")
    if t.sum() == 0:
        raise ValueError("empty input: the table holds no units (all counts are 0)")
    return t


def _base(t: np.ndarray, cats: list, dropped: int) -> tuple[float, float, np.ndarray, np.ndarray, dict]:
    """Total, observed agreement and the two margins as proportions.

    Sums are taken over the counts before dividing so that integer tables give
    exact values (perfect agreement is exactly 1.0).
    """
    n = float(t.sum())
    details = {"n_units": _num(n), "n_dropped": dropped, "categories": list(cats)}
    return n, float(np.trace(t)) / n, t.sum(axis=1) / n, t.sum(axis=0) / n, details


def _single_category_reason(r: np.ndarray, c: np.ndarray, cats: list, what: str) -> str:
    used = [cats[i] for i in np.flatnonzero((r + c) > 0)]
    if len(used) == 1:
        return f"no variation: every unit rated {fmt(used[0])} by both coders ({what} is 1)"
    return f"{what} is 1"


def _chance_corrected(name: str, po: float, pe: float, details: dict, reason: str) -> Statistic:
    details = {**details, "po": po, "pe": pe}
    if 1.0 - pe <= 1e-12:
        return undefined(name, reason, **details)
    return Statistic(name, (po - pe) / (1.0 - pe), None, details)


def _kappa(t: np.ndarray, cats: list, dropped: int, weights: str | None) -> Statistic:
    name = "cohen_kappa" if weights is None else f"cohen_kappa_{weights}"
    w = weight_matrix(cats, weights)
    if t.sum() == 0:
        return undefined(name, _NO_PAIRS, n_units=0, n_dropped=dropped)
    n, po, r, c, details = _base(t, cats, dropped)
    details["weights"] = weights
    if weights is not None:
        po = float((w * t).sum()) / n
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    pe = float((w * np.outer(rows, cols)).sum()) / (n * n)
    reason = _single_category_reason(r, c, cats, "expected agreement")
    return _chance_corrected(name, po, pe, details, reason)


def _percent(t: np.ndarray, cats: list, dropped: int) -> Statistic:
    name = "percent_agreement"
    if t.sum() == 0:
        return undefined(name, _NO_PAIRS, n_units=0, n_dropped=dropped)
    n, po, _, _, details = _base(t, cats, dropped)
    details["agreements"] = _num(np.trace(t))
    return Statistic(name, po, None, details)


def _scott(t: np.ndarray, cats: list, dropped: int) -> Statistic:
    name = "scott_pi"
    if t.sum() == 0:
        return undefined(name, _NO_PAIRS, n_units=0, n_dropped=dropped)
    n, po, r, c, details = _base(t, cats, dropped)
    pooled = t.sum(axis=1) + t.sum(axis=0)
    pe = float((pooled * pooled).sum()) / (4.0 * n * n)
    reason = _single_category_reason(r, c, cats, "expected agreement")
    return _chance_corrected(name, po, pe, details, reason)


def _ac1(t: np.ndarray, cats: list, dropped: int, n_categories: int | None) -> Statistic:
    name = "gwet_ac1"
    if t.sum() == 0:
        return undefined(name, _NO_PAIRS, n_units=0, n_dropped=dropped)
    n, po, r, c, details = _base(t, cats, dropped)
    pi = (r + c) / 2.0
    q = check_n_categories(n_categories, int((pi > 0).sum())) if n_categories is not None else max(2, len(cats))
    details["n_categories"] = q
    pe = float((pi * (1.0 - pi)).sum()) / (q - 1.0)
    return _chance_corrected(name, po, pe, details, "expected agreement is 1")


def _bp(t: np.ndarray, cats: list, dropped: int, n_categories: int | None, name: str) -> Statistic:
    if t.sum() == 0:
        return undefined(name, _NO_PAIRS, n_units=0, n_dropped=dropped)
    n, po, r, c, details = _base(t, cats, dropped)
    q = check_n_categories(n_categories, int(((r + c) > 0).sum())) if n_categories is not None else max(2, len(cats))
    details["n_categories"] = q
    return _chance_corrected(name, po, 1.0 / q, details, "expected agreement is 1")


# --------------------------------------------------------------------------- public API


def percent_agreement(a: Any, b: Any) -> Statistic:
    """Share of units (rated by both coders) that got the same category."""
    return _percent(*_table(a, b))


def cohen_kappa(
    a: Any, b: Any, weights: str | None = None, categories: Sequence | None = None
) -> Statistic:
    """Cohen's kappa; ``weights="linear"``, ``"quadratic"`` or ``"ordinal"`` for the weighted kappa.

    Weights (see :mod:`.weights`) use the category values when they are numbers,
    else their positions in ``categories`` order; by default the categories are
    the sorted observed ratings: pass ``categories`` (the whole scale) so that
    scale points nobody used still count.
    """
    check_weights(weights)
    t, cats, dropped = _table(
        a, b, categories, ordered=weights is not None, what="weighted kappa"
    )
    return _kappa(t, cats, dropped, weights)


def cohen_kappa_from_table(
    table: Any, weights: str | None = None, categories: Sequence | None = None
) -> Statistic:
    """Cohen's kappa from a square contingency table (rows coder A, columns coder B)."""
    t = _check_table(table)
    cats = list(categories) if categories is not None else list(range(t.shape[0]))
    if len(cats) != t.shape[0]:
        raise ValueError(f"{len(cats)} categories given for a {t.shape[0]}×{t.shape[0]} table")
    return _kappa(t, cats, 0, weights)


def scott_pi(a: Any, b: Any) -> Statistic:
    """Scott's pi: chance agreement from the pooled distribution of both coders."""
    return _scott(*_table(a, b))


def gwet_ac1(a: Any, b: Any, n_categories: int | None = None) -> Statistic:
    """Gwet's AC1 for two coders (q = ``n_categories``, default observed categories, at least 2)."""
    return _ac1(*_table(a, b), n_categories)


def brennan_prediger(a: Any, b: Any, n_categories: int | None = None) -> Statistic:
    """Brennan-Prediger coefficient, chance agreement ``1/q`` (q: see :func:`gwet_ac1`)."""
    return _bp(*_table(a, b), n_categories, "brennan_prediger")


def pabak(a: Any, b: Any, n_categories: int | None = None) -> Statistic:
    """Prevalence- and bias-adjusted kappa: Brennan-Prediger; with 2 categories ``2 po - 1``."""
    return _bp(*_table(a, b), n_categories, "pabak")


def _binary(a: Any, b: Any, positive: Any) -> tuple[np.ndarray, int]:
    """2 × 2 table [[both yes, A yes B no], [A no B yes, both no]] of binary ratings."""
    pairs, dropped = _pairs(a, b)
    values = {v for p in pairs for v in p}
    if len(values) > 2:
        raise ValueError(f"binary ratings expected, got {len(values)} categories: {sorted(map(repr, values))}")
    if len(values) == 2 and positive not in values:
        raise ValueError(f"positive={positive!r} is not one of the two observed ratings {sorted(map(repr, values))}")
    t = np.zeros((2, 2), dtype=float)
    for x, y in pairs:
        t[0 if x == positive else 1, 0 if y == positive else 1] += 1
    return t, dropped


def _specific(t: np.ndarray, dropped: int, which: str) -> Statistic:
    name = f"{which}_agreement"
    (a, b), (c, d) = t
    both = a if which == "positive" else d
    details = {"n_units": _num(t.sum()), "n_dropped": dropped, "table": t.tolist()}
    if 2 * both + b + c == 0:
        return undefined(name, f"no unit was rated {which} by either coder", **details)
    return Statistic(name, float(2 * both / (2 * both + b + c)), None, details)


def _index(t: np.ndarray, dropped: int, which: str) -> Statistic:
    name = f"{which}_index"
    (a, b), (c, d) = t
    n = float(t.sum())
    details = {"n_units": _num(n), "n_dropped": dropped, "table": t.tolist()}
    if n == 0:
        return undefined(name, _NO_PAIRS, **details)
    return Statistic(name, float((a - d) / n if which == "prevalence" else (b - c) / n), None, details)


def positive_agreement(a: Any, b: Any, positive: Any = 1) -> Statistic:
    """Specific positive agreement ``2a / (2a + b + c)`` (a: both coders rated ``positive``)."""
    return _specific(*_binary(a, b, positive), "positive")


def negative_agreement(a: Any, b: Any, positive: Any = 1) -> Statistic:
    """Specific negative agreement ``2d / (2d + b + c)`` (d: neither coder rated ``positive``)."""
    return _specific(*_binary(a, b, positive), "negative")


def prevalence_index(a: Any, b: Any, positive: Any = 1) -> Statistic:
    """Byrt et al.'s prevalence index ``(a - d) / n`` (signed; report ``abs`` if preferred)."""
    return _index(*_binary(a, b, positive), "prevalence")


def bias_index(a: Any, b: Any, positive: Any = 1) -> Statistic:
    """Byrt et al.'s bias index ``(b - c) / n``: b = A positive and B not, c = the reverse."""
    return _index(*_binary(a, b, positive), "bias")


def from_2x2(table: Any) -> dict[str, Statistic]:
    """All two-coder statistics from a 2 × 2 table [[yes/yes, yes/no], [no/yes, no/no]]
    (rows coder A yes/no, columns coder B yes/no)."""
    t = _check_table(table, (2, 2))
    cats = ["yes", "no"]
    alpha = alpha_from_coincidence(
        t + t.T, cats, "nominal", n_units=_num(t.sum()), n_units_used=_num(t.sum()), n_coders=2,
        categories=cats,
    )
    return {
        "percent_agreement": _percent(t, cats, 0),
        "cohen_kappa": _kappa(t, cats, 0, None),
        "pabak": _bp(t, cats, 0, 2, "pabak"),
        "gwet_ac1": _ac1(t, cats, 0, 2),
        "scott_pi": _scott(t, cats, 0),
        "krippendorff_alpha": alpha,
        "positive_agreement": _specific(t, 0, "positive"),
        "negative_agreement": _specific(t, 0, "negative"),
        "prevalence_index": _index(t, 0, "prevalence"),
        "bias_index": _index(t, 0, "bias"),
    }
