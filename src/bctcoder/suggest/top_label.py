"""Top-label calibration: the second stage of a calibrated suggester (#15).

One temperature cannot fix every model. On the HBCP papers, ``lexical.v1`` spreads its probability over ~90
techniques: sharpened until it is right on average (temperature .41), it is too sure of its top label where it
is sure (118 held-out passages said .97 and were right .73 of the time) and not sure enough where it doubts
(ECE .137). So after the temperature, the confidence ``c`` of each passage's **top** label is mapped through a
logistic curve fitted on the same out-of-fold predictions (Platt scaling of the top-label confidence; Gupta &
Ramdas, "Top-label calibration", ICLR 2022)::

    c' = sigmoid(a * logit(c) + b)        a > 0: a higher c stays a higher c'

and the other labels share ``1 - c'`` in their old proportions. The top label stays on top (``c'`` is never
let below what keeps it there), so the ranking, top-1, top-3 and per-technique F1 of the ranking are unchanged;
what changes is how sure the numbers say the model is. Held out (HBCP, 5-fold CV by paper; lexical.v2 →
lexical.v4): ECE .137 → .057.

Fitted only with enough out-of-fold rows (``MIN_ROWS``) holding both right and wrong top labels; otherwise
the identity (``a = 1, b = 0``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_ROWS = 30
"""Out-of-fold rows needed to fit the curve (fewer: the identity)."""
SLOPE_RANGE = (0.05, 5.0)
"""The slope ``a`` is kept in this range: positive (monotone) and never a step."""
_EPS = 1e-6


def _logit(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, _EPS, 1 - _EPS)
    return np.log(c / (1 - c))


@dataclass(frozen=True)
class TopLabelScaling:
    """``c' = sigmoid(slope * logit(c) + intercept)`` for each row's top label; the rest keep their proportions."""

    slope: float = 1.0
    intercept: float = 0.0

    @property
    def is_identity(self) -> bool:
        return self.slope == 1.0 and self.intercept == 0.0

    def apply(self, probabilities: np.ndarray) -> np.ndarray:
        """Rescaled rows (a copy): each row's top label gets its calibrated confidence, the ranking unchanged."""
        P = np.asarray(probabilities, dtype=float)
        if self.is_identity or P.size == 0 or P.shape[1] < 2:
            return P
        rows = np.arange(len(P))
        top = P.argmax(axis=1)
        c0 = P[rows, top]
        rest = P.copy()
        rest[rows, top] = 0.0
        rest_sum = rest.sum(axis=1)
        empty = rest_sum <= 0.0                        # a row that put everything on one label
        if empty.any():
            rest[empty] = 1.0
            rest[empty, top[empty]] = 0.0
            rest_sum = rest.sum(axis=1)
        c1 = 1.0 / (1.0 + np.exp(-(self.slope * _logit(c0) + self.intercept)))
        c1 = np.minimum(c1, 1.0 - 1e-9)            # never exactly 1: the others keep their order below it
        runner_up = rest.max(axis=1)
        c1 = np.maximum(c1, runner_up / (rest_sum + runner_up) + 1e-9)   # the top label stays on top
        out = rest * ((1.0 - c1) / rest_sum)[:, None]
        out[rows, top] = c1
        return out


def fit_top_label(probabilities: np.ndarray, gold: np.ndarray, min_rows: int = MIN_ROWS) -> TopLabelScaling:
    """Fit the curve on out-of-fold probabilities and gold column indices (maximum likelihood, lightly
    regularised logistic regression of "top label right" on the logit of its confidence)."""
    from sklearn.linear_model import LogisticRegression

    P = np.asarray(probabilities, dtype=float)
    gold = np.asarray(gold)
    if len(P) < min_rows:
        return TopLabelScaling()
    right = (P.argmax(axis=1) == gold).astype(int)
    if right.min() == right.max():                  # all right or all wrong: nothing to fit a curve to
        return TopLabelScaling()
    x = _logit(P.max(axis=1))[:, None]
    model = LogisticRegression(C=100.0).fit(x, right)
    fitted = float(model.coef_[0, 0])
    slope = float(np.clip(fitted, *SLOPE_RANGE))
    intercept = float(model.intercept_[0])
    if slope != fitted:                             # slope held at the bound: refit the intercept alone
        from scipy.optimize import minimize_scalar

        z = slope * x[:, 0]

        def loss(b: float) -> float:
            return float(np.mean(np.logaddexp(0.0, -(z + b)) * right + np.logaddexp(0.0, z + b) * (1 - right)))

        intercept = float(minimize_scalar(loss, bounds=(-20.0, 20.0), method="bounded").x)
    return TopLabelScaling(round(slope, 6), round(intercept, 6))
