"""Calibrated confidence (#15): temperature scaling never changes the ranking, only the numbers."""

from __future__ import annotations

import numpy as np

from bctcoder.suggest import registry
from bctcoder.suggest.base import LabelInfo
from bctcoder.suggest.calibrated import best_temperature, temper


def test_temper_keeps_the_order_and_recovers_a_known_temperature():
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(4000, 5)) * 2.0
    true = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    gold = np.array([rng.choice(5, p=row) for row in true])
    overconfident = temper(true, 0.4)                       # sharper than the truth
    assert (overconfident.argmax(axis=1) == true.argmax(axis=1)).all()
    assert abs(best_temperature(overconfident, gold) - 2.5) < 0.5  # undoes the sharpening (1 / 0.4)
    assert np.allclose(temper(true, 1.0), true)


TOPICS = {"goal": "goal plan target aim week", "support": "help friend listen talk there",
          "reward": "treat prize praise earned reward"}


def topic_passages(words_each: int = 4, noise: str = "the a and so it was", documents: int = 12):
    """Three techniques told apart by their words, three passages each in every document: (labels_info,
    texts, labels, groups)."""
    rng = np.random.default_rng(1)
    texts, labels, groups = [], [], []
    for doc in range(documents):
        for label, vocab in TOPICS.items():
            for _ in range(3):
                texts.append(" ".join(rng.choice(vocab.split(), words_each)) + " " +
                             " ".join(rng.choice(noise.split(), 3)))
                labels.append(label)
                groups.append(f"d{doc}")
    return [LabelInfo(k, k) for k in TOPICS], texts, labels, groups


def test_lexical_v2_ranks_like_lexical_v1_with_tempered_numbers():
    labels_info, texts, labels, groups = topic_passages()
    plain = registry.create("lexical.v1").fit(texts, labels, labels_info, groups) or registry.create("lexical.v1")
    calibrated = registry.create("lexical.v2").fit(texts, labels, labels_info, groups)
    probe = ["plan a goal for the week", "a friend to listen", "praise as a reward"]
    a, b = plain.predict(probe), calibrated.predict(probe)
    assert b.model == "lexical.v2" and calibrated.temperature != 1.0
    assert (np.argsort(-a.probabilities, axis=1) == np.argsort(-b.probabilities, axis=1)).all()
    assert np.allclose(b.probabilities.sum(axis=1), 1.0)
