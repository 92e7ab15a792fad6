"""Shared pieces of the agreement statistics: the result type and input handling.

Everything here is pure: no I/O, no project objects. Ratings are plain Python
values (any hashable category); ``None``, float NaN and pandas' ``NA``/``NaT``
mean "this coder did not rate this unit".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Sequence

import numpy as np


@dataclass(frozen=True)
class Statistic:
    """One agreement coefficient.

    ``value`` is ``math.nan`` when the coefficient is undefined for the data;
    ``reason`` then says why in one readable sentence. ``details`` holds the
    ingredients (observed/expected agreement, unit counts, categories, ...) as
    plain Python data.
    """

    name: str
    value: float
    reason: str | None = None
    details: dict = field(default_factory=dict)

    @property
    def defined(self) -> bool:
        return not math.isnan(self.value)


def undefined(name: str, reason: str, **details: Any) -> Statistic:
    return Statistic(name=name, value=math.nan, reason=reason, details=details)


def is_missing(x: Any) -> bool:
    """True for None, NaN (Python or numpy float) and pandas' NA / NaT."""
    if x is None:
        return True
    if isinstance(x, (float, np.floating)):
        return math.isnan(x)
    return type(x).__name__ in ("NAType", "NaTType")


def plain(x: Any) -> Any:
    """A numpy scalar as the equivalent Python scalar; anything else unchanged."""
    return x.item() if isinstance(x, np.generic) else x


def check_hashable(x: Any) -> Any:
    try:
        hash(x)
    except TypeError:
        raise ValueError(
            f"rating {x!r} cannot be used as a category (it is not hashable); "
            "give one scalar rating per unit and coder"
        ) from None
    return x


def fmt(c: Any) -> str:
    return repr(c) if isinstance(c, str) else str(c)


def order_categories(values: Iterable[Hashable]) -> list:
    """Distinct values, sorted when they are mutually comparable, else in first-seen order."""
    seen: dict = {}
    for v in values:
        seen.setdefault(v, None)
    try:
        return sorted(seen)
    except TypeError:
        return list(seen)


def resolve_categories(
    observed: Iterable[Hashable], categories: Sequence | None, *, ordered: bool, what: str
) -> list:
    """The category list to use: the caller's (validated) or the observed values.

    With ``ordered=True`` the order matters (weighted kappa, ordinal alpha), so
    observed values that cannot be sorted are an error unless ``categories``
    gives the order.
    """
    observed = order_categories(observed)
    if categories is None:
        if ordered and len(observed) > 1:
            try:
                sorted(observed)
            except TypeError:
                raise ValueError(
                    f"{what} needs ordered categories but the ratings {observed!r} cannot be "
                    "sorted; pass categories=[...] in scale order"
                ) from None
        return observed
    cats = [check_hashable(plain(c)) for c in categories]
    if len(set(cats)) != len(cats):
        raise ValueError(f"categories contains duplicates: {cats!r}")
    allowed = set(cats)
    unknown = [v for v in observed if v not in allowed]
    if unknown:
        raise ValueError(f"ratings {unknown!r} are not among the given categories {cats!r}")
    return cats


def check_n_categories(n_categories: int | None, n_observed: int) -> int:
    """Number of categories for chance-agreement models that assume a uniform spread.

    Default: the number of distinct observed ratings, but at least 2 (a code
    that nobody applied is still a present/absent decision).
    """
    if n_categories is None:
        return max(2, n_observed)
    if isinstance(n_categories, bool) or not isinstance(n_categories, (int, np.integer)):
        raise ValueError(f"n_categories must be an integer, got {n_categories!r}")
    if n_categories < 2:
        raise ValueError(f"n_categories must be at least 2, got {n_categories}")
    if n_categories < n_observed:
        raise ValueError(
            f"n_categories={n_categories} but the ratings use {n_observed} distinct categories"
        )
    return int(n_categories)


def as_matrix(ratings: Any) -> tuple[np.ndarray, list]:
    """A units × coders object array (missing as None) and the coder labels.

    Accepts a list of rows, a 2-D numpy array or a pandas DataFrame (its column
    names become the coder labels).
    """
    labels = list(ratings.columns) if hasattr(ratings, "columns") else None
    try:
        arr = np.asarray(ratings, dtype=object)
    except ValueError:
        raise ValueError(
            "ratings must be a rectangular units × coders table (every row the same length)"
        ) from None
    if arr.size == 0:
        raise ValueError(f"empty input: ratings table has shape {arr.shape} (units × coders)")
    if arr.ndim != 2:
        raise ValueError(
            "ratings must be a units × coders table (a list of rows, one rating per coder; "
            f"got an array with {arr.ndim} dimension(s))"
        )
    out = np.empty(arr.shape, dtype=object)
    for idx, x in np.ndenumerate(arr):
        out[idx] = None if is_missing(x) else check_hashable(plain(x))
    if labels is None:
        labels = list(range(arr.shape[1]))
    return out, [plain(c) for c in labels]


def counts_matrix(
    matrix: np.ndarray, categories: Sequence | None = None, *, ordered: bool = False, what: str = ""
) -> tuple[np.ndarray, list]:
    """Units × categories table of how many coders put each unit in each category."""
    observed = [x for x in matrix.ravel() if x is not None]
    cats = resolve_categories(observed, categories, ordered=ordered, what=what)
    index = {c: i for i, c in enumerate(cats)}
    counts = np.zeros((matrix.shape[0], len(cats)), dtype=float)
    for (u, _), x in np.ndenumerate(matrix):
        if x is not None:
            counts[u, index[x]] += 1
    return counts, cats
