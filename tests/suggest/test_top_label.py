"""Two-stage calibration (#15): a temperature, then the top label's confidence; the ranking never changes."""

from __future__ import annotations

import numpy as np
import pytest

from bctcoder.suggest import registry
from bctcoder.suggest.calibrated import best_temperature, temper
from bctcoder.suggest.evaluate import metrics
from bctcoder.suggest.top_label import TopLabelScaling, fit_top_label
from tests.suggest.test_calibrated import topic_passages


def _rows(rng, n: int, k: int = 40) -> np.ndarray:
    logits = rng.normal(size=(n, k)) * rng.uniform(0.5, 4.0, size=(n, 1))
    P = np.exp(logits - logits.max(axis=1, keepdims=True))
    return P / P.sum(axis=1, keepdims=True)


def _gold_flat(rng, P: np.ndarray) -> np.ndarray:
    """Gold labels of a model that is under-confident when it doubts and over-confident when sure (the shape
    lexical.v1 has on the HBCP papers): the top label is right with probability .3 + .45 c."""
    top = P.argmax(axis=1)
    right = rng.random(len(P)) < 0.3 + 0.45 * P.max(axis=1)
    other = (top + rng.integers(1, P.shape[1], size=len(P))) % P.shape[1]
    return np.where(right, top, other)


def _ece(P: np.ndarray, gold: np.ndarray) -> float:
    labels = [str(j) for j in range(P.shape[1])]
    return metrics([str(g) for g in gold], labels, P)["calibration"]["ece"]


def test_the_top_label_stays_on_top_and_the_others_keep_their_order():
    rng = np.random.default_rng(0)
    P = _rows(rng, 500)
    for scaling in (TopLabelScaling(0.1, -2.0), TopLabelScaling(3.0, 1.0), TopLabelScaling(0.05, -20.0)):
        Q = scaling.apply(P)
        assert np.allclose(Q.sum(axis=1), 1.0)
        assert (np.argsort(-P, axis=1, kind="stable") == np.argsort(-Q, axis=1, kind="stable")).all()
    one_hot = np.eye(4)[[0, 2]]                      # everything on one label: the rest share what is taken away
    Q = TopLabelScaling(0.3, -1.0).apply(one_hot)
    assert (Q.argmax(axis=1) == [0, 2]).all() and np.allclose(Q.sum(axis=1), 1.0) and Q.max() < 1.0
    assert TopLabelScaling().apply(P) is P
    sure = np.array([[1 - 4e-13, 2.6e-14, 3.7e-13, 1e-15]])     # a very sure row, pushed surer still
    Q = TopLabelScaling(4.7, -8.3).apply(sure)
    assert (np.argsort(-Q, axis=1) == [[0, 2, 1, 3]]).all() and Q[0, 0] < 1.0


def test_the_curve_is_recovered_from_out_of_fold_rows():
    rng = np.random.default_rng(1)
    P = _rows(rng, 6000)
    c = P.max(axis=1)
    truth = 1 / (1 + np.exp(-(0.4 * np.log(c / (1 - c)) - 0.3)))
    gold = np.where(rng.random(len(P)) < truth, P.argmax(axis=1), (P.argmax(axis=1) + 1) % P.shape[1])
    fitted = fit_top_label(P, gold)
    assert abs(fitted.slope - 0.4) < 0.08 and abs(fitted.intercept + 0.3) < 0.15


def test_too_few_rows_or_nothing_to_learn_is_the_identity():
    rng = np.random.default_rng(2)
    P = _rows(rng, 20)
    assert fit_top_label(P, P.argmax(axis=1)).is_identity                 # fewer than MIN_ROWS
    P = _rows(rng, 200)
    assert fit_top_label(P, P.argmax(axis=1)).is_identity                 # always right


def test_a_shape_one_temperature_cannot_fix_is_fixed_on_held_out_rows():
    rng = np.random.default_rng(3)
    fit_P, test_P = _rows(rng, 3000), _rows(rng, 3000)
    fit_gold, test_gold = _gold_flat(rng, fit_P), _gold_flat(rng, test_P)
    T = best_temperature(fit_P, fit_gold)
    tempered = temper(test_P, T)
    scaling = fit_top_label(temper(fit_P, T), fit_gold)
    two_stage = scaling.apply(tempered)
    assert _ece(tempered, test_gold) > 0.10                 # the defect: temperature alone stays off
    assert _ece(two_stage, test_gold) < 0.04
    assert (two_stage.argmax(axis=1) == test_P.argmax(axis=1)).all()


@pytest.mark.parametrize("name", ["lexical.v4"])
def test_two_stage_lexical_ranks_like_lexical_v1(name):
    # words shared between techniques in the noise, so that the model is unsure of some passages
    labels_info, texts, labels, groups = topic_passages(2, "the a and so it was goal help treat")
    plain = registry.create("lexical.v1")
    plain.fit(texts, labels, labels_info, groups)
    model = registry.create(name).fit(texts, labels, labels_info, groups)
    probe = ["plan a goal for the week", "a friend to listen", "praise as a reward", "so it was"]
    a, b = plain.predict(probe), model.predict(probe)
    assert b.model == name and model.folds == 3 and model.top_label
    assert (np.argsort(-a.probabilities, axis=1) == np.argsort(-b.probabilities, axis=1)).all()
    assert np.allclose(b.probabilities.sum(axis=1), 1.0)


def test_every_current_suggester_is_calibrated():
    for name in ("lexical.v4", "supervised.v2", "hybrid.v2", "zeroshot.v3"):
        model = registry.create(name)
        assert model.top_label and model.name == name


def test_a_superseded_suggester_says_so_where_its_numbers_are_shown():
    from bctcoder.suggest.evaluate import evaluate, format_table
    from tests.suggest.test_evaluate import LABELS, synthetic

    for old, new in registry.SUPERSEDED.items():
        assert new in registry.available() and registry.calibration_note(old).startswith(f"{old}'s confidences")
        assert registry.calibration_note(new) is None
    assert registry.calibration_note("ensemble.v1") is None
    old = evaluate(synthetic(), LABELS, "lexical.v1", cv=3)
    assert "lexical.v4 is its calibrated successor" in old["note"]
    assert "note: lexical.v1's confidences are not calibrated" in format_table(old)
    assert "note" not in evaluate(synthetic(), LABELS, "lexical.v4", cv=3)
