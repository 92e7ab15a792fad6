"""Krippendorff's alpha for any number of coders, missing ratings and four metrics.

Written from Krippendorff (2011), "Computing Krippendorff's alpha-reliability":

* values in units rated by fewer than two coders are not pairable and are dropped;
* the coincidence matrix is ``o[c, k] = sum_u (pairs c-k in unit u) / (m_u - 1)``
  where ``m_u`` is the number of ratings of unit ``u``;
* ``n_c`` are its row sums and ``n`` their total (the number of pairable values);
* ``alpha = 1 - (n - 1) * sum o[c,k] d2[c,k] / sum n_c n_k d2[c,k]``, with the
  difference function ``d2`` of the chosen level:

  nominal   0 if c == k else 1
  ordinal   (sum_{g=c..k} n_g - (n_c + n_k) / 2) ** 2, over ranks of the ordered values
  interval  (c - k) ** 2
  ratio     ((c - k) / (c + k)) ** 2
"""

from __future__ import annotations

from numbers import Real
from typing import Any, Sequence

import numpy as np

from ._common import Statistic, as_matrix, counts_matrix, fmt, undefined

LEVELS = ("nominal", "ordinal", "interval", "ratio")
NAME = "krippendorff_alpha"


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    return level


def _numeric(cats: list, level: str) -> np.ndarray:
    bad = [c for c in cats if not isinstance(c, Real)]
    if bad:
        raise ValueError(f"{level} alpha needs numeric ratings; got {bad!r}")
    values = np.array([float(c) for c in cats], dtype=float)
    if level == "ratio" and (values < 0).any():
        raise ValueError(f"ratio alpha needs non-negative ratings; got {values[values < 0].tolist()!r}")
    return values


def _squared_differences(cats: list, n_c: np.ndarray, level: str) -> np.ndarray:
    k = len(cats)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cum = np.cumsum(n_c)
        lo = np.minimum.outer(np.arange(k), np.arange(k))
        hi = np.maximum.outer(np.arange(k), np.arange(k))
        between = cum[hi] - cum[lo] + n_c[lo]  # sum of n_g for g from lo to hi inclusive
        d = between - (n_c[lo] + n_c[hi]) / 2.0
        return np.where(lo == hi, 0.0, d * d)
    values = _numeric(cats, level)
    diff = np.subtract.outer(values, values)
    if level == "interval":
        return diff * diff
    total = np.add.outer(values, values)
    safe = np.where(total == 0, 1.0, total)  # only c == k == 0 sums to 0, and its difference is 0
    return (diff / safe) ** 2


def alpha_from_coincidence(
    o: np.ndarray, cats: list, level: str = "nominal", **extra: Any
) -> Statistic:
    """Alpha from a coincidence matrix ``o`` (categories in ``cats`` order)."""
    _check_level(level)
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    details: dict = {"level": level, "n_pairable_values": n, **extra}
    if n < 2:
        return undefined(NAME, "no unit was rated by two or more coders", **details)
    d2 = _squared_differences(cats, n_c, level)
    observed = float((o * d2).sum())
    expected = float((np.outer(n_c, n_c) * d2).sum())
    details.update(do=observed / n, de=expected / (n * (n - 1.0)))
    if expected <= 0.0:
        used = [cats[i] for i in np.flatnonzero(n_c > 0)]
        if len(used) == 1:
            reason = (
                f"no variation: every pairable rating is {fmt(used[0])} "
                "(expected disagreement is 0)"
            )
        else:
            reason = "expected disagreement is 0 for this metric"
        return undefined(NAME, reason, **details)
    alpha = 1.0 - (n - 1.0) * observed / expected
    return Statistic(NAME, alpha, None, details)


def krippendorff_alpha(
    ratings: Any, level: str = "nominal", categories: Sequence | None = None
) -> Statistic:
    """Krippendorff's alpha for a units × coders table (None/NaN = not rated).

    ``categories`` optionally fixes the value order for ``level="ordinal"``
    (needed when the ratings are labels that do not sort in scale order).
    """
    _check_level(level)
    matrix, coders = as_matrix(ratings)
    counts, cats = counts_matrix(
        matrix, categories, ordered=level == "ordinal", what="ordinal alpha"
    )
    m = counts.sum(axis=1)
    used = m >= 2
    c = counts[used]
    share = c / (m[used] - 1.0)[:, None]
    o = share.T @ c - np.diag(share.sum(axis=0))
    return alpha_from_coincidence(
        o,
        cats,
        level,
        n_units=int(matrix.shape[0]),
        n_units_used=int(used.sum()),
        n_coders=len(coders),
        categories=cats,
    )
