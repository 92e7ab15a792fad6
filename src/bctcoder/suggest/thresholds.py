"""Decision thresholds per technique, chosen on out-of-fold calibrated probabilities of the training data (#15).

A suggester calibrated by :class:`~bctcoder.suggest.calibrated.Calibrated` already predicts every training
example once with a model that was not trained on it (K folds by document). Those out-of-fold probabilities,
tempered with the chosen temperature, are what the thresholds are chosen on; the data a model is later
evaluated on never are.

- **Items.** Training rows with the same document and text are one item whose gold set is the rows' labels
  (a passage coded with two techniques is two rows, one item); "no technique" labels (:data:`NONE_LABELS`)
  leave the set empty. The item's probabilities are the mean of its rows'.
- **Decision.** An item gets technique ``t`` when its most probable label is not a "no technique" label and
  ``p(t) >= threshold(t)`` (see :func:`bctcoder.suggest.multilabel.decide`).
- **Per technique.** For each technique with at least :data:`MIN_POSITIVES` positive items, the threshold from
  :data:`THRESHOLD_GRID` that maximises that technique's F-beta (beta = :data:`BETA`, 1: F1) over the items.
- **Global.** One threshold from the same grid maximising the F-beta pooled over all techniques (micro): the
  ``default`` for techniques with fewer positives (and for those whose best F-beta is 0), and the single
  threshold of the "global" decision.
- **Ties.** F is flat between two probabilities of the data: of the grid values with the best F, the middle of
  the first run of consecutive ones is taken. The grid is fixed, so the choice is bounded and deterministic.

The ``top_k`` cap of the suggestions is not part of the choice. Without any positive item (or too little
data for out-of-fold predictions) there are no thresholds: ``default`` is None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable, Sequence

import numpy as np

NONE_LABELS = ("(none)", "None")
"""Labels that mean "no technique": a project's ``(none)``, the PA counselling corpus's ``None``."""
THRESHOLD_GRID = np.round(np.arange(0.01, 0.9501, 0.01), 2)
"""The candidate thresholds: 0.01, 0.02, ..., 0.95."""
MIN_POSITIVES = 40
"""Positive out-of-fold items a technique needs for a threshold of its own. Held out (benchmarks/bench_multilabel.py,
lexical.v2), own thresholds from 8 or 20 positive items were worse than the one global threshold on all three
sets (HBCP, PA counselling with and without Strategy2); from 40 on they are on par with it."""
BETA = 1.0
"""F-beta maximised (1: F1; below 1 favours precision)."""


@dataclass(frozen=True)
class Thresholds:
    """Chosen thresholds: ``per_label`` for techniques with enough positives, ``default`` for the rest."""

    per_label: dict[str, float] = field(default_factory=dict)
    default: float | None = None
    positives: dict[str, int] = field(default_factory=dict)    # positive items of each technique


def is_none_label(label: str, none_labels: Sequence[str] = NONE_LABELS) -> bool:
    return label in none_labels


def group_items(keys: Sequence[Hashable], labels: Sequence[str], none_labels: Sequence[str] = NONE_LABELS
                ) -> tuple[np.ndarray, list[frozenset[str]]]:
    """Rows with equal keys are one item: (the item of every row, each item's gold set without "no technique"
    labels), items in order of their first row."""
    index: dict[Hashable, int] = {}
    item_of_row = np.empty(len(keys), dtype=int)
    sets: list[set[str]] = []
    for r, (key, label) in enumerate(zip(keys, labels)):
        i = index.setdefault(key, len(index))
        if i == len(sets):
            sets.append(set())
        item_of_row[r] = i
        if not is_none_label(label, none_labels):
            sets[i].add(label)
    return item_of_row, [frozenset(s) for s in sets]


def pool_rows(probabilities: np.ndarray, item_of_row: np.ndarray, n_items: int) -> np.ndarray:
    """The mean probability row of each item's rows."""
    P = np.asarray(probabilities, dtype=float)
    sums = np.zeros((n_items, P.shape[1]))
    np.add.at(sums, item_of_row, P)
    counts = np.bincount(item_of_row, minlength=n_items).astype(float)
    return sums / np.maximum(counts, 1.0)[:, None]


def _best(scores: np.ndarray, grid: np.ndarray) -> float:
    """The middle of the first run of grid values with the best score."""
    best = np.flatnonzero(scores >= scores.max() - 1e-12)
    gaps = np.flatnonzero(np.diff(best) > 1)
    run_end = best[gaps[0]] if gaps.size else best[-1]
    return float(grid[(best[0] + run_end) // 2])


def choose_thresholds(probabilities: np.ndarray, labels: Sequence[str], gold_sets: Sequence[frozenset[str]], *,
                      min_positives: int = MIN_POSITIVES, beta: float = BETA,
                      grid: np.ndarray = THRESHOLD_GRID, none_labels: Sequence[str] = NONE_LABELS) -> Thresholds:
    """Thresholds from item probabilities (rows = items, columns = ``labels``) and the items' gold sets."""
    P = np.asarray(probabilities, dtype=float)
    labels = list(labels)
    techniques = [j for j, label in enumerate(labels) if not is_none_label(label, none_labels)]
    if P.size == 0 or not techniques:
        return Thresholds()
    column = {label: j for j, label in enumerate(labels)}
    Y = np.zeros(P.shape, dtype=bool)
    for i, gold in enumerate(gold_sets):
        for label in gold:
            if label in column:
                Y[i, column[label]] = True
    Y, Q = Y[:, techniques], P[:, techniques]
    positives = Y.sum(axis=0)
    if not positives.any():
        return Thresholds()
    none_cols = [j for j in range(len(labels)) if j not in set(techniques)]
    gate = ~np.isin(P.argmax(axis=1), none_cols)          # "no technique" most probable: nothing
    Q = np.where(gate[:, None], Q, -1.0)
    b2 = beta * beta
    tp = np.zeros((len(grid), len(techniques)))
    fp = np.zeros_like(tp)
    for g, t in enumerate(grid):
        predicted = Q >= t
        tp[g] = (predicted & Y).sum(axis=0)
        fp[g] = (predicted & ~Y).sum(axis=0)
    fn = positives[None, :] - tp

    def fbeta(tp_, fp_, fn_):
        denominator = (1 + b2) * tp_ + b2 * fn_ + fp_
        return np.divide((1 + b2) * tp_, denominator, out=np.zeros_like(tp_, dtype=float), where=denominator > 0)

    pooled = fbeta(tp.sum(axis=1), fp.sum(axis=1), fn.sum(axis=1))
    default = _best(pooled, grid)
    per_label: dict[str, float] = {}
    for c, j in enumerate(techniques):
        if positives[c] >= min_positives:
            scores = fbeta(tp[:, c], fp[:, c], fn[:, c])
            if scores.max() > 0:
                per_label[labels[j]] = _best(scores, grid)
    return Thresholds(per_label, default, {labels[j]: int(positives[c]) for c, j in enumerate(techniques)
                                           if positives[c]})


def thresholds_from_rows(probabilities: np.ndarray, labels: Sequence[str], texts: Sequence[str],
                         row_labels: Sequence[str], groups: Sequence[str], **options: Any) -> Thresholds:
    """:func:`choose_thresholds` on out-of-fold rows (one per (text, label)), grouped into items by
    (document, text)."""
    item_of_row, sets = group_items(list(zip(groups, texts)), row_labels)
    return choose_thresholds(pool_rows(probabilities, item_of_row, len(sets)), labels, sets, **options)


def model_thresholds(model: Any) -> tuple[dict[str, float], float] | None:
    """A fitted suggester's (per-technique thresholds, default threshold), or None when it has none."""
    default = getattr(model, "default_threshold", None)
    if default is None:
        return None
    return dict(getattr(model, "thresholds", None) or {}), float(default)
