"""Calibration of raw values into set memberships (Ragin 2008, ch. 5; Dușa 2019, ch. 4).

The direct method maps the crossover threshold to 0.5 and the exclusion and
inclusion thresholds to ``1 - idm`` and ``idm`` (0.05 and 0.95 by default)
through the logistic function: the log-odds of membership are
``(x - c) / (i - c) * log(idm / (1 - idm))`` above the crossover and
``(x - c) / (c - e) * log(idm / (1 - idm))`` below it. With ``e > c > i`` the
set is calibrated decreasingly (higher raw values, lower membership).
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence, cast

import numpy as np
import pandas as pd

from bctcoder.errors import InputError


def _as_array(values) -> np.ndarray:
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError("values to calibrate must be numeric", source="values") from None
    if x.ndim != 1:
        x = x.reshape(-1)
    if np.isnan(x).any():
        raise InputError("values to calibrate contain missing values", source="values")
    return x


def _direct(x: np.ndarray, thresholds: Sequence[float], idm: float) -> np.ndarray:
    if len(thresholds) != 3:
        raise InputError("direct calibration needs three thresholds (exclusion, crossover, inclusion)",
                         source="thresholds")
    e, c, i = (float(t) for t in thresholds)
    if not (e < c < i or e > c > i):
        raise InputError("the crossover must lie strictly between the exclusion and inclusion thresholds",
                         source="thresholds")
    if not 0.5 < idm < 1:
        raise InputError("idm (membership at the inclusion threshold) must lie in (0.5, 1)", source="idm")
    scale = math.log(idm / (1.0 - idm))
    span = np.where((x - c) * (i - c) >= 0, abs(i - c), abs(c - e))
    log_odds = (x - c) / span * scale * (1 if i > e else -1)
    return 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700.0, 700.0)))


def _crisp(x: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    cuts = np.asarray([float(t) for t in thresholds])
    if cuts.size == 0:
        raise InputError("crisp calibration needs at least one threshold", source="thresholds")
    if np.any(np.diff(cuts) <= 0):
        raise InputError("crisp thresholds must be strictly increasing", source="thresholds")
    return np.searchsorted(cuts, x, side="right").astype(float)


def calibrate(values, thresholds: Sequence[float] | float, method: str = "direct", idm: float = 0.95):
    """Calibrate raw ``values`` into set membership.

    ``method="direct"``: fuzzy memberships from ``thresholds=(e, c, i)`` with
    the logistic function (``idm`` is the membership at the inclusion
    threshold; R QCA's default 0.95). ``method="crisp"``: levels 0, 1, 2, ...
    counting how many of the increasing ``thresholds`` each value reaches (a
    value equal to a threshold goes to the upper level). A pandas Series comes
    back as a Series with the same index; anything else as a numpy array.
    """
    x = _as_array(values)
    cuts: list[float]
    try:
        cuts = list(cast(Iterable[float], thresholds))
    except TypeError:  # a single number
        cuts = [cast(float, thresholds)]
    if method == "direct":
        out = _direct(x, cuts, idm)
    elif method == "crisp":
        out = _crisp(x, cuts)
    else:
        raise InputError(f"unknown calibration method {method!r} (use 'direct' or 'crisp')", source="method")
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name)
    return out
