"""``ensemble.v1``: zero-shot, embedding and TF-IDF evidence combined by weights chosen on the coded passages.

``ensemble.v1`` is a product of experts over the same label set:
``a · log p_embedding + b · log p_tfidf + c · zero-shot score`` (then a softmax at temperature T), where

- ``p_embedding``: logistic regression on passage embeddings of the coded passages (balanced class weights),
  with every label's texts (name, description, cues, definition) as extra examples, so a technique never coded
  keeps a foothold;
- ``p_tfidf``: logistic regression on TF-IDF word (1–2) and character (2–5) n-grams of the passage, plus the
  words of its context at half weight;
- the zero-shot score is ``zeroshot.v2``'s.

The weights (a, b, c) are chosen from :data:`GRID` by an **inner cross-validation on the coded passages only**
(grouped by document when there are at least as many documents as inner folds, else by passage), maximising
top-1 + top-3 + macro-F1 of the out-of-fold predictions; the temperature T minimises their log-loss
(calibration). Then both classifiers are refitted on all coded passages. With fewer than ``min_examples``
coded passages (or one label) it is the zero-shot ranking.

The same out-of-fold scores, at that temperature, choose the decision thresholds (``thresholds``,
``default_threshold``: :mod:`bctcoder.suggest.thresholds`) when there are at least ``min_threshold_examples``
(30) coded passages; with fewer, ``default_threshold`` stays None (no thresholds).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.registry import register
from bctcoder.suggest.thresholds import BETA, MIN_POSITIVES, thresholds_from_rows
from bctcoder.suggest.zeroshot import ZeroShotV2, _Encoding, _softmax, _with_unknown, zeroshot_weights

# ------------------------------------------------------------------------------------------- ensemble.v1

_EPS = 1e-4

GRID = tuple((a, b, c, 0.0) for a in (0.5, 1.0) for b in (0.0, 0.5, 1.0) for c in (0.0, 0.3, 1.0))
"""Candidate weights (passage-embedding classifier, TF-IDF classifier, zero-shot score, context-embedding
classifier) tried by the inner CV. The context-embedding expert is off by default (it did not help on the
development corpora); pass ``grid=`` with a non-zero fourth weight to try it."""


def _inner_folds(groups: Sequence[str], n: int, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Inner folds grouped by document when there are enough documents, else by passage."""
    idx = np.arange(n)
    distinct = sorted(set(groups))
    rng = np.random.default_rng(seed)
    if len(distinct) >= k:
        order = [distinct[i] for i in rng.permutation(len(distinct))]
        sizes = {g: 0 for g in distinct}
        for g in groups:
            sizes[g] += 1
        order.sort(key=lambda g: -sizes[g])
        load, fold_of = [0] * k, {}
        for g in order:
            f = min(range(k), key=lambda i: (load[i], i))
            fold_of[g] = f
            load[f] += sizes[g]
        assignment = np.array([fold_of[g] for g in groups])
    else:
        assignment = rng.permutation(n) % k
    return [(idx[assignment != f], idx[assignment == f]) for f in range(k) if (assignment == f).any()]


class _TfidfModel:
    """TF-IDF word (1–2) and character (2–5, within words) n-grams of the passage, plus the context's words."""

    def __init__(self, C: float):
        self.C = C

    def fit(self, texts, contexts, labels):
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode",
                                     token_pattern=r"(?u)\b\w+\b|[?!]")
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                                     if len(texts) > 2000 else 1)
        self.use_context = any(contexts)
        self.classes_ = sorted(set(labels))
        try:
            blocks = [self.words.fit_transform(texts), self.chars.fit_transform(texts)]
        except ValueError:   # no words or characters to learn from
            self.model = None
            return self
        if self.use_context:
            self.context_words = TfidfVectorizer(sublinear_tf=True, strip_accents="unicode", min_df=1)
            try:
                blocks.append(0.5 * self.context_words.fit_transform([c or "" for c in contexts]))
            except ValueError:  # no words at all
                self.use_context = False
        X = hstack(blocks).tocsr()
        self.classes_ = sorted(set(labels))
        if len(self.classes_) < 2:
            self.model = None
            return self
        self.model = LogisticRegression(C=self.C, max_iter=300, tol=1e-3, class_weight="balanced")
        self.model.fit(X, labels)
        self.classes_ = list(self.model.classes_)
        return self

    def predict_proba(self, texts, contexts):
        from scipy.sparse import hstack

        if self.model is None:
            return np.full((len(texts), len(self.classes_)), 1.0 / max(1, len(self.classes_)))
        blocks = [self.words.transform(texts), self.chars.transform(texts)]
        if self.use_context:
            blocks.append(0.5 * self.context_words.transform([c or "" for c in contexts]))
        return self.model.predict_proba(hstack(blocks).tocsr())


class _EmbeddingModel:
    """Logistic regression on passage embeddings."""

    def __init__(self, C: float):
        self.C = C

    def fit(self, X, labels, sample_weight=None):
        from sklearn.linear_model import LogisticRegression

        self.classes_ = sorted(set(labels))
        if len(self.classes_) < 2:
            self.model = None
            return self
        self.model = LogisticRegression(C=self.C, max_iter=1000)
        self.model.fit(X, labels, sample_weight=sample_weight)
        self.classes_ = list(self.model.classes_)
        return self

    def predict_proba(self, X):
        if self.model is None:
            return np.full((len(X), len(self.classes_)), 1.0 / max(1, len(self.classes_)))
        return self.model.predict_proba(X)


class EnsembleSuggester(_Encoding):
    """A product of experts: ``a·log p_embedding + b·log p_tfidf + c·zero-shot score``, with (a, b, c) and a
    temperature chosen by an inner cross-validation on the coded passages (grouped by document)."""

    uses_context = True

    def __init__(self, name: str = "ensemble.v1", *, C_embedding: float = 16.0, C_tfidf: float = 8.0,
                 prototype_weight: float = 1.0, inner_folds: int = 5, seed: int = 0, min_examples: int = 10,
                 grid: Sequence[tuple[float, float, float, float]] = GRID, min_threshold_examples: int = 30,
                 min_positives: int = MIN_POSITIVES, threshold_beta: float = BETA, **kw):
        super().__init__(**kw)
        self.name = name
        self.C_embedding = C_embedding
        self.C_tfidf = C_tfidf
        self.prototype_weight = prototype_weight
        self.inner_folds = inner_folds
        self.seed = seed
        self.min_examples = min_examples
        self.grid = tuple(tuple(g) for g in grid)
        self.classes_: list[str] = []
        self.min_threshold_examples, self.min_positives, self.threshold_beta = (
            int(min_threshold_examples), int(min_positives), float(threshold_beta))
        self.thresholds: dict[str, float] = {}
        self.default_threshold: float | None = None

    def _fit_models(self, rows: np.ndarray):
        y = [self.classes_[i] for i in self._y[rows]]
        X = np.vstack([self._vt[rows], self.prototypes.vectors[self._proto_rows]])
        y_emb = y + [self.classes_[j] for j in self._proto_owner]
        counts = np.bincount(self._y[rows], minlength=len(self.classes_))
        balanced = len(rows) / (np.count_nonzero(counts) * counts[self._y[rows]])   # real passages: balanced
        w = np.concatenate([balanced, np.full(len(self._proto_rows), self.prototype_weight)])
        emb = _EmbeddingModel(self.C_embedding).fit(X, y_emb, w)
        tfidf = _TfidfModel(self.C_tfidf).fit([self._texts[i] for i in rows], [self._contexts[i] for i in rows], y)
        context = None
        if self._context and any(mix[3] for mix in self.grid):
            w_ctx = balanced * self._has_context[rows]
            if np.count_nonzero(w_ctx) >= 2:
                context = _EmbeddingModel(self.C_embedding).fit(self._vc[rows], y, w_ctx)
        return emb, tfidf, context

    def _expert_scores(self, models, vt: np.ndarray, vc: np.ndarray, texts, contexts) -> np.ndarray:
        """(n, labels, 3) log-probabilities of the passage-embedding, TF-IDF and context-embedding experts
        (0 for the context expert where there is none: it then leaves the ranking alone)."""
        K = len(self.classes_)
        out = np.zeros((len(texts), K, 3))
        experts = [(0, models[0], lambda m: m.predict_proba(vt)),
                   (1, models[1], lambda m: m.predict_proba(texts, contexts))]
        if models[2] is not None:
            experts.append((2, models[2], lambda m: m.predict_proba(vc)))
        for f, model, predict in experts:
            proba = predict(model)
            full = np.full((len(texts), K), _EPS, dtype=np.float64)
            for j, c in enumerate(model.classes_):
                full[:, self._index[c]] += proba[:, j]
            out[:, :, f] = np.log(full)
        if models[2] is not None:
            missing = ~np.linalg.norm(vc, axis=1).astype(bool)
            out[missing, :, 2] = 0.0
        return out

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None, contexts: Sequence[str | None] | None = None
            ) -> "EnsembleSuggester":
        texts, labels = list(texts), [str(x) for x in labels]
        contexts = list(contexts) if contexts is not None else [None] * len(texts)
        groups = [str(g) for g in groups] if groups is not None else [str(i) for i in range(len(texts))]
        info = _with_unknown(labels_info, labels)
        self.zero = ZeroShotV2(encode=self.encode).fit([], [], info)
        self.zero.weights = zeroshot_weights(labels_info)
        self.prototypes = self.zero.prototypes
        self.classes_ = list(self.prototypes.ids)
        self._index = {c: j for j, c in enumerate(self.classes_)}
        kinds = self.prototypes.kinds
        self._proto_rows = np.flatnonzero(np.isin(kinds, ("name", "description", "cue", "definition")))
        self._proto_owner = self.prototypes.owners[self._proto_rows]
        self.n_labelled = len(texts)
        self._context = any(contexts)
        self._texts, self._contexts = texts, contexts
        dim = self.prototypes.vectors.shape[1]
        self._vt = self.encode_optional(texts, dim)
        self._vc = self.encode_optional(contexts, dim)
        self._has_context = np.array([bool(c) for c in contexts], dtype=float)
        self._y = np.array([self._index[label] for label in labels], dtype=int)
        self.supervised = len(texts) >= self.min_examples and len(set(labels)) >= 2
        self.mix: tuple[float, ...] = (0.0, 0.0, 1.0, 0.0)
        self.temperature, self.inner_scores = 1.0, {}
        self.thresholds, self.default_threshold = {}, None
        if not self.supervised:
            self.models = None
            return self
        zero = self.zero.features(texts, contexts) @ self.zero.weights
        experts = np.zeros((len(texts), len(self.classes_), 3))
        for a, b in _inner_folds(groups, len(texts), self.inner_folds, self.seed):
            models = self._fit_models(a)
            experts[b] = self._expert_scores(models, self._vt[b], self._vc[b], [texts[i] for i in b],
                                             [contexts[i] for i in b])
        best: tuple[tuple[float, float], tuple[float, ...], np.ndarray] | None = None
        for mix in self.grid:
            if mix[3] and not self._context:
                continue
            scores = mix[0] * experts[:, :, 0] + mix[1] * experts[:, :, 1] + mix[2] * zero + \
                mix[3] * experts[:, :, 2]
            quality = _ranking_quality(scores, self._y)
            self.inner_scores[mix] = quality
            key = (sum(quality), -sum(mix))
            if best is None or key > best[0]:
                best = (key, mix, scores)
        assert best is not None  # GRID (and any sensible grid) holds a mix without the context expert
        self.mix = best[1]
        self.temperature = _fit_temperature(best[2], self._y)
        if len(texts) >= self.min_threshold_examples:
            chosen = thresholds_from_rows(_softmax(best[2] / self.temperature), self.classes_, texts, labels, groups,
                                          min_positives=self.min_positives, beta=self.threshold_beta)
            self.thresholds, self.default_threshold = chosen.per_label, chosen.default
        self.models = self._fit_models(np.arange(len(texts)))
        return self

    def predict(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> Prediction:
        texts = list(texts)
        contexts = list(contexts) if contexts is not None and self._context else [None] * len(texts)
        scores = self.zero.features(texts, contexts) @ self.zero.weights
        if self.supervised:
            dim = self.prototypes.vectors.shape[1]
            experts = self._expert_scores(self.models, self.encode_optional(texts, dim),
                                          self.encode_optional(contexts, dim), texts, contexts)
            scores = self.mix[0] * experts[:, :, 0] + self.mix[1] * experts[:, :, 1] + self.mix[2] * scores + \
                self.mix[3] * experts[:, :, 2]
        return Prediction(list(self.classes_), _softmax(scores / self.temperature), self.name)


def _ranking_quality(scores: np.ndarray, y: np.ndarray, min_support: int = 5) -> tuple[float, float, float]:
    """(top-1, top-3, macro-F1 over labels with ≥ min_support items) of scores against gold indices."""
    order = np.argsort(-scores, axis=1)
    top1 = float(np.mean(order[:, 0] == y))
    top3 = float(np.mean((order[:, :3] == y[:, None]).any(axis=1)))
    f1s = []
    for label in np.unique(y):
        support = int((y == label).sum())
        if support < min_support:
            continue
        predicted = order[:, 0] == label
        tp = int((predicted & (y == label)).sum())
        f1s.append(2 * tp / (support + int(predicted.sum())))
    return top1, top3, float(np.mean(f1s)) if f1s else top1


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the log-loss of softmax(scores / T) (golden-section search on log T)."""
    rows = np.arange(len(y))

    def loss(log_t: float) -> float:
        z = scores / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(-(z[rows, y] - np.log(np.exp(z).sum(axis=1))).mean())

    lo, hi = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(40):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if loss(a) < loss(b):
            hi = b
        else:
            lo = a
    return float(np.exp((lo + hi) / 2))


@register("ensemble.v1")
def make_ensemble(**options) -> EnsembleSuggester:
    """Zero-shot, embedding-classifier and TF-IDF evidence, mixed by weights chosen in an inner CV."""
    return EnsembleSuggester(**options)
