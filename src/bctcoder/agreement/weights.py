"""Agreement weights for ordered scales (weighted kappa, Gwet's AC2).

A weight ``w[k, l]`` in [0, 1] is the credit given when one coder chose
category ``k`` and another ``l``; ``w[k, k] = 1``. Written from Cohen (1968)
and Gwet (2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 3):

* ``linear``     ``1 - |x_k - x_l| / (x_max - x_min)``
* ``quadratic``  ``1 - (x_k - x_l)**2 / (x_max - x_min)**2``
* ``ordinal``    ``1 - m_kl / max(m)`` with ``m_kl = C(|k - l| + 1, 2)`` over
  the category ranks ``k, l`` (only the order counts, not the distances)

``x`` are the category values when every category is a number (the distances
of the declared scale), otherwise the category positions 1..q in the given
order. Declare the whole scale (``categories``) so that points nobody used
still count: the weights depend on the scale's ends.
"""

from __future__ import annotations

from numbers import Real
from typing import Sequence

import numpy as np

WEIGHTS = ("linear", "quadratic", "ordinal")


def check_weights(weights: str | None) -> str | None:
    if weights is not None and weights not in WEIGHTS:
        raise ValueError(f"weights must be None (unweighted), 'linear', 'quadratic' or 'ordinal'; got {weights!r}")
    return weights


def scale_values(categories: Sequence) -> np.ndarray:
    """The x values of the categories: their numbers if all are numeric, else positions 1..q."""
    cats = list(categories)
    if cats and all(isinstance(c, Real) and not isinstance(c, bool) for c in cats):
        return np.array([float(c) for c in cats], dtype=float)
    return np.arange(1, len(cats) + 1, dtype=float)


def weight_matrix(categories: Sequence, weights: str | None) -> np.ndarray:
    """The q × q weight matrix for ``categories`` (identity when ``weights`` is None)."""
    check_weights(weights)
    q = len(categories)
    if weights is None or q < 2:
        return np.eye(q)
    if weights == "ordinal":
        rank = np.arange(q)
        gap = np.abs(np.subtract.outer(rank, rank)) + 1.0
        m = gap * (gap - 1.0) / 2.0
        return 1.0 - m / m.max()
    x = scale_values(categories)
    span = float(x.max() - x.min())
    if span == 0:
        return np.eye(q)
    d = np.abs(np.subtract.outer(x, x)) / span
    return 1.0 - d if weights == "linear" else 1.0 - d * d


def parse_scale(text: str) -> list:
    """A scale from the command line: ``1-5`` (integers, inclusive) or ``low,mid,high`` / ``1,2,3``.

    Items that all read as numbers become numbers (ints where whole).
    """
    text = text.strip()
    if not text:
        raise ValueError("the scale is empty; give e.g. 1-5 or low,mid,high")
    if "," not in text and "-" in text.lstrip("-"):
        head, _, tail = text.lstrip("-").partition("-")
        head = text[: len(text) - len(text.lstrip("-"))] + head
        try:
            lo, hi = int(head), int(tail)
        except ValueError:
            raise ValueError(f"scale {text!r}: a range must be two whole numbers like 1-5") from None
        if hi <= lo:
            raise ValueError(f"scale {text!r}: the range must go up (e.g. 1-5)")
        if hi - lo > 1000:
            raise ValueError(f"scale {text!r}: at most 1,001 points")
        return list(range(lo, hi + 1))
    items = [t.strip() for t in text.split(",")]
    if any(not t for t in items):
        raise ValueError(f"scale {text!r} has an empty item")
    if len(set(items)) != len(items):
        raise ValueError(f"scale {text!r} names a category twice")
    try:
        numbers = [float(t) for t in items]
    except ValueError:
        return items
    return [int(n) if n.is_integer() else n for n in numbers]
