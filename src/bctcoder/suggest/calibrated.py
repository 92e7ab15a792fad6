"""Calibrated confidence: any suggester, with its probabilities tempered so that "80 %" means 80 %.

``Calibrated(base)`` fits the base suggester on K-1 folds of its own training data at a time (folds by
document, so no document is on both sides), collects the out-of-fold probabilities, and chooses the
temperature ``T`` that minimises their negative log-likelihood: probabilities become ``p ** (1/T)``,
renormalised. Then the base is fitted on all the data; predictions are tempered with ``T``. The ranking of
labels never changes (top-1, top-3 and F1 stay as they were), only how confident the numbers are. With too
little data (fewer than ``min_examples`` examples or two documents) ``T`` stays 1.

Registered: ``lexical.v2`` (= calibrated ``lexical.v1``; a new version because the numbers a project stores
differ). Held out (PA counselling, 5-fold CV by dialogue): ECE .189 → .101, top-1/top-3/F1 unchanged.

``lexical.v3`` = calibrated :class:`~bctcoder.suggest.lexical.ContextLexicalSuggester`: ``lexical.v2`` plus the
previous turn (with its speaker's role) as its own TF-IDF block at weight 0.3, the weight chosen on development
data only (ESConv train split by dialogue; PA counselling CV; ``benchmarks/bench_context.py``). Held out (ESConv
train → valid, 2,722 supporter turns): macro-F1 .4669 → .4674, top-1 .5165 → .5180, top-3 .7939 → .7976, ECE
.0171 → .0183: no measurable gain, so it is **not** a default; a project may choose it
(``set_suggester("lexical.v3")``). Without contexts it ranks and scores exactly as ``lexical.v2``.

**Two stages** (``top_label=True``): after the temperature, the top label's confidence is mapped through a
logistic curve fitted on the same out-of-fold predictions (:mod:`bctcoder.suggest.top_label`), for models one
temperature cannot fix. Registered: ``lexical.v4``, ``supervised.v2``,
``hybrid.v2`` and ``zeroshot.v3`` (calibrated ``lexical.v1``, ``supervised.v1``, ``hybrid.v1``, ``zeroshot.v2``;
the uncalibrated versions stay registered so stored suggestions keep saying which model made them).
``lexical.v4`` is the fallback suggester without the ``[suggest]`` extra. Held out (HBCP 62 papers, 5-fold CV
by paper), ECE: lexical .137 (``lexical.v2``) → .057, supervised .071, hybrid .068, zero-shot .065; the ranking
is that of the uncalibrated model.

The same out-of-fold probabilities, calibrated, choose the decision thresholds (:mod:`bctcoder.suggest.thresholds`):
``model.thresholds`` (technique → threshold, for techniques with enough positive passages) and
``model.default_threshold`` (for the others; None when there are too few data, then there are no thresholds).
Options ``min_positives`` and ``threshold_beta`` of the registered factories set how they are chosen.
"""

from __future__ import annotations

import inspect
import zlib
from typing import Any, Callable, Sequence

import numpy as np

from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.registry import create, register
from bctcoder.suggest.thresholds import BETA, MIN_POSITIVES, thresholds_from_rows
from bctcoder.suggest.top_label import TopLabelScaling, fit_top_label

TEMPERATURES = np.geomspace(0.05, 20.0, 81)


def temper(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``p ** (1/T)``, renormalised per row (T = 1 changes nothing)."""
    if temperature == 1.0:
        return probabilities
    logp = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    logp -= logp.max(axis=1, keepdims=True)
    out = np.exp(logp)
    return out / out.sum(axis=1, keepdims=True)


def best_temperature(probabilities: np.ndarray, gold: np.ndarray) -> float:
    """The temperature with the smallest negative log-likelihood of the gold labels (column indices)."""
    rows = np.arange(len(gold))
    losses = [-np.log(np.clip(temper(probabilities, t)[rows, gold], 1e-12, 1.0)).mean() for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(losses))])


def _accepts(method: Callable, name: str) -> bool:
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


class Calibrated:
    """A suggester whose probabilities are temperature-scaled on its own out-of-fold predictions."""

    def __init__(self, name: str, make_base: Callable[[], Any], folds: int = 3, min_examples: int = 30,
                 min_positives: int = MIN_POSITIVES, threshold_beta: float = BETA, top_label: bool = False):
        self.name, self.make_base, self.folds, self.min_examples = name, make_base, folds, min_examples
        self.top_label = bool(top_label)          # second stage: calibrate the top label's confidence
        self.scaling = TopLabelScaling()
        self.min_positives, self.threshold_beta = int(min_positives), float(threshold_beta)
        self.base = make_base()
        self.needs_embeddings = getattr(self.base, "needs_embeddings", False)
        self.temperature = 1.0
        self.thresholds: dict[str, float] = {}          # technique → threshold (enough positives)
        self.default_threshold: float | None = None      # every other technique; None: no thresholds
        self.turn_context = False    # lexical.v3 sets it: fed the previous turn in projects (base.reads_turn_context)

    @property
    def n_training_examples(self) -> int:
        return int(getattr(self, "_n_training", getattr(self.base, "n_training_examples", 0)))

    @n_training_examples.setter
    def n_training_examples(self, value: int) -> None:   # the project service records it after fitting
        self._n_training = int(value)

    def _fit(self, model: Any, texts, labels, labels_info, groups, contexts) -> Any:
        extra = {"contexts": contexts} if contexts is not None and _accepts(model.fit, "contexts") else {}
        return model.fit(texts, labels, labels_info, groups, **extra) or model

    def _predict(self, model: Any, texts, contexts) -> Prediction:
        extra = {"contexts": contexts} if contexts is not None and _accepts(model.predict, "contexts") else {}
        return model.predict(texts, **extra)

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None, contexts: Sequence[str | None] | None = None) -> Calibrated:
        texts, labels = list(texts), list(labels)
        groups = list(groups) if groups is not None else [str(i) for i in range(len(texts))]
        fold_of = np.array([zlib.crc32(g.encode("utf-8")) % self.folds for g in groups])
        self.temperature, self.thresholds, self.default_threshold = 1.0, {}, None
        self.scaling = TopLabelScaling()
        if len(texts) >= self.min_examples and len(set(groups)) >= 2 and len(set(fold_of)) >= 2:
            names = [info.id for info in labels_info] + sorted(set(labels) - {info.id for info in labels_info})
            column = {label: j for j, label in enumerate(names)}
            scores, gold, rows = [], [], []
            ctx = list(contexts) if contexts is not None else None
            for k in sorted(set(fold_of)):
                train = [int(i) for i in np.flatnonzero(fold_of != k)]
                held = [int(i) for i in np.flatnonzero(fold_of == k)]
                model = self._fit(self.make_base(), [texts[i] for i in train], [labels[i] for i in train],
                                  labels_info, [groups[i] for i in train],
                                  None if ctx is None else [ctx[i] for i in train])
                prediction = self._predict(model, [texts[i] for i in held],
                                           None if ctx is None else [ctx[i] for i in held])
                aligned = np.zeros((len(held), len(names)))
                for j, label in enumerate(prediction.labels):
                    if label in column:
                        aligned[:, column[label]] = np.asarray(prediction.probabilities)[:, j]
                scores.append(aligned)
                gold.append(np.array([column[labels[i]] for i in held]))
                rows += held
            self.temperature = best_temperature(np.vstack(scores), np.concatenate(gold))
            calibrated = temper(np.vstack(scores), self.temperature)
            if self.top_label:
                self.scaling = fit_top_label(calibrated, np.concatenate(gold))
                calibrated = self.scaling.apply(calibrated)
            chosen = thresholds_from_rows(calibrated, names,
                                          [texts[i] for i in rows], [labels[i] for i in rows],
                                          [groups[i] for i in rows], min_positives=self.min_positives,
                                          beta=self.threshold_beta)
            self.thresholds, self.default_threshold = chosen.per_label, chosen.default
        self.base = self._fit(self.make_base(), texts, labels, labels_info, groups, contexts)
        return self

    def predict(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> Prediction:
        prediction = self._predict(self.base, list(texts), contexts)
        return Prediction(labels=list(prediction.labels),
                          probabilities=self.scaling.apply(temper(np.asarray(prediction.probabilities),
                                                                  self.temperature)),
                          model=self.name)


@register("lexical.v2")
def lexical_v2(**options: Any) -> Calibrated:
    """lexical.v1 with calibrated confidence and thresholds."""
    chosen = _threshold_options(options)
    return Calibrated("lexical.v2", lambda: create("lexical.v1", **options), **chosen)


def _threshold_options(options: dict[str, Any]) -> dict[str, Any]:
    """Take the threshold options (``min_positives``, ``threshold_beta``) out of a factory's options."""
    return {k: options.pop(k) for k in ("min_positives", "threshold_beta") if k in options}


LEXICAL_V3_CONTEXT_WEIGHT = 0.3
"""The context block's weight in ``lexical.v3``, chosen on development data (benchmarks/bench_context.py)."""


@register("lexical.v3")
def lexical_v3(**options: Any) -> Calibrated:
    """lexical.v2 that also reads the previous turn (its own TF-IDF block, down-weighted): options
    ``context_weight`` (0 = lexical.v2), ``context_chars``, ``C``, ``prototype_weight``."""
    from bctcoder.suggest.lexical import ContextLexicalSuggester

    options.setdefault("context_weight", LEXICAL_V3_CONTEXT_WEIGHT)
    chosen = _threshold_options(options)
    model = Calibrated("lexical.v3", lambda: ContextLexicalSuggester("lexical.v3", **options), **chosen)
    model.turn_context = True          # built and measured for a transcript's previous turn
    return model


def _two_stage(name: str, base: str, options: dict[str, Any]) -> Calibrated:
    """``base`` calibrated in two stages (temperature, then the top label's confidence) with thresholds, on the
    default 3 inner folds. Five (out-of-fold models closer to the final one) were tried first: HBCP lexical ECE
    .071 with 5 against .057 with 3 in the same cross-validation, and fitting took longer (32 s against 23 s for
    200 coded passages, ``benchmarks/bench_suggest.py``)."""
    chosen = _threshold_options(options)
    return Calibrated(name, lambda: create(base, **options), top_label=True, **chosen)


@register("lexical.v4")
def lexical_v4(**options: Any) -> Calibrated:
    """lexical.v1 calibrated in two stages (temperature, top-label confidence), with thresholds."""
    return _two_stage("lexical.v4", "lexical.v1", options)


@register("supervised.v2")
def supervised_v2(**options: Any) -> Calibrated:
    """supervised.v1 calibrated in two stages, with thresholds."""
    return _two_stage("supervised.v2", "supervised.v1", options)


@register("hybrid.v2")
def hybrid_v2(**options: Any) -> Calibrated:
    """hybrid.v1 calibrated in two stages, with thresholds."""
    return _two_stage("hybrid.v2", "hybrid.v1", options)


@register("zeroshot.v3")
def zeroshot_v3(**options: Any) -> Calibrated:
    """zeroshot.v2 calibrated in two stages on the project's codings (uncalibrated until there are enough)."""
    return _two_stage("zeroshot.v3", "zeroshot.v2", options)
