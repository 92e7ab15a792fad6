"""The evaluation harness on fixed predictions and synthetic data (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from bctcoder.errors import InputError
from bctcoder.suggest.evaluate import grouped_folds, metrics


def test_metrics_by_hand():
    labels = ["A", "B", "C"]
    P = np.array([[0.7, 0.2, 0.1],    # gold A: top-1 right
                  [0.5, 0.4, 0.1],    # gold B: top-1 wrong (A), top-3 right
                  [0.1, 0.2, 0.7],    # gold C: right
                  [0.6, 0.3, 0.1]])   # gold C: wrong, but in top-3
    m = metrics(["A", "B", "C", "C"], labels, P, min_support=1)
    assert m["n_test"] == 4
    assert m["top1"] == pytest.approx(0.5)
    assert m["top3"] == pytest.approx(1.0)
    per = {r["label"]: r for r in m["per_label"]}
    # A: predicted twice (rows 1, 2, 4 → A,A,_,A): tp 1, predicted 3 → precision 1/3, recall 1
    assert per["A"]["precision"] == pytest.approx(round(1 / 3, 4)) and per["A"]["recall"] == 1.0
    assert per["B"]["f1"] == 0.0 and per["B"]["support"] == 1
    assert per["C"]["precision"] == 1.0 and per["C"]["recall"] == 0.5
    f1 = {"A": 0.5, "B": 0.0, "C": 2 * 1 * 0.5 / 1.5}
    assert m["macro_f1"] == pytest.approx(sum(f1.values()) / 3, abs=1e-3)
    assert m["micro_f1"] == pytest.approx(0.5)


def test_macro_f1_only_over_labels_with_enough_support():
    labels = ["A", "B"]
    gold = ["A"] * 5 + ["B"]
    P = np.array([[0.9, 0.1]] * 6)
    m = metrics(gold, labels, P, min_support=5)
    assert m["macro_labels"] == 1
    assert m["macro_f1"] == pytest.approx(2 * (5 / 6) * 1 / (5 / 6 + 1), abs=1e-3)


def test_grouped_folds_never_split_a_document():
    groups = [f"doc{i // 3}" for i in range(30)]
    folds = grouped_folds(groups, 5, seed=3)
    assert len(folds) == 5
    seen = np.zeros(30, dtype=int)
    for train, test in folds:
        assert not {groups[i] for i in train} & {groups[i] for i in test}
        seen[test] += 1
    assert (seen == 1).all()
    with pytest.raises(InputError, match="--cv"):
        grouped_folds(groups, 11)
