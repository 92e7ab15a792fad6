"""Embedding-based suggesters (the ``[suggest]`` extra): zero-shot, supervised, and their hybrid.

- ``zeroshot.v1``: cosine similarity between a passage and each label's prototype texts (label, our
  description, cue phrases, the official BCTO definition when imported); the best-matching prototype counts,
  turned into probabilities with a softmax at a fixed temperature. Needs no coded data.
- ``supervised.v1``: logistic regression on passage embeddings, trained on accepted codings (plus the
  prototypes as weak examples so every label exists).
- ``hybrid.v1`` (the default): the supervised model mixed with the zero-shot prior, trusting the supervised
  side more as labels accumulate: ``w = n / (n + k)``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.embedders import Embedder, EmbeddingCache
from bctcoder.suggest.registry import register

EncodeFn = Callable[[Sequence[str]], np.ndarray]


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class _EmbeddingBase:
    needs_embeddings = True

    def __init__(self, name: str, embedder: Embedder | None = None, cache: EmbeddingCache | None = None,
                 encode: EncodeFn | None = None):
        self.name = name
        self._embedder = embedder
        self._cache = cache
        self._encode = encode
        self.classes_: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings through the injected function, or the (lazily loaded) embedder and cache."""
        if self._encode is not None:
            return self._encode(list(texts))
        if self._embedder is None:
            self._embedder = Embedder()
        return self._embedder.encode(list(texts), cache=self._cache)


class ZeroShotSuggester(_EmbeddingBase):
    """Nearest label prototype by cosine similarity."""

    def __init__(self, name: str = "zeroshot.v1", temperature: float = 0.05, **kw):
        super().__init__(name, **kw)
        self.temperature = temperature

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None) -> "ZeroShotSuggester":
        protos, owners = [], []
        for info in labels_info:
            for text in info.prototype_texts():
                protos.append(text)
                owners.append(info.id)
        self.classes_ = [info.id for info in labels_info]
        self._owner_index = np.array([self.classes_.index(o) for o in owners])
        self._prototypes = self.encode(protos)
        return self

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        """Best prototype similarity per label (rows = passages, columns = classes_)."""
        sims = vectors @ self._prototypes.T
        best = np.full((len(vectors), len(self.classes_)), -1.0, dtype=np.float32)
        for j in range(len(self.classes_)):
            cols = self._owner_index == j
            if cols.any():
                best[:, j] = sims[:, cols].max(axis=1)
        return best

    def predict_vectors(self, vectors: np.ndarray) -> Prediction:
        return Prediction(list(self.classes_), _softmax(self.similarities(vectors), self.temperature), self.name)

    def predict(self, texts: Sequence[str]) -> Prediction:
        return self.predict_vectors(self.encode(texts))


class SupervisedSuggester(_EmbeddingBase):
    """Logistic regression on embeddings of labelled passages (prototypes as weak extra examples)."""

    def __init__(self, name: str = "supervised.v1", C: float = 8.0, prototype_weight: float = 0.3, **kw):
        super().__init__(name, **kw)
        self.C = C
        self.prototype_weight = prototype_weight

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None) -> "SupervisedSuggester":
        from sklearn.linear_model import LogisticRegression

        X_texts, y, w = list(texts), list(labels), [1.0] * len(texts)
        for info in labels_info:
            for proto in info.prototype_texts():
                X_texts.append(proto)
                y.append(info.id)
                w.append(self.prototype_weight)
        X = self.encode(X_texts)
        self.n_labelled = len(texts)
        self.classes_ = sorted(set(y))
        if len(self.classes_) < 2:
            self.model = None
            return self
        self.model = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")
        self.model.fit(X, y, sample_weight=np.asarray(w))
        self.classes_ = list(self.model.classes_)
        return self

    def predict_vectors(self, vectors: np.ndarray) -> Prediction:
        if self.model is None:
            return Prediction(list(self.classes_), np.ones((len(vectors), 1)), self.name)
        return Prediction(list(self.classes_), self.model.predict_proba(vectors), self.name)

    def predict(self, texts: Sequence[str]) -> Prediction:
        return self.predict_vectors(self.encode(texts))


class HybridSuggester(_EmbeddingBase):
    """Supervised probabilities mixed with the zero-shot prior: ``w·p_sup + (1−w)·p_zero``, ``w = n/(n+k)``."""

    def __init__(self, name: str = "hybrid.v1", k: float = 30.0, **kw):
        super().__init__(name, **kw)
        self.k = k
        self.zero = ZeroShotSuggester(encode=self.encode)
        self.supervised = SupervisedSuggester(encode=self.encode)

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None) -> "HybridSuggester":
        self.zero.fit([], [], labels_info)
        self.supervised.fit(texts, labels, labels_info)
        self.classes_ = list(self.zero.classes_)
        self.weight = len(texts) / (len(texts) + self.k)
        return self

    def predict(self, texts: Sequence[str]) -> Prediction:
        vectors = self.encode(texts)
        zero = self.zero.predict_vectors(vectors)
        sup = self.supervised.predict_vectors(vectors)
        aligned = np.zeros_like(zero.probabilities)
        index = {c: j for j, c in enumerate(self.classes_)}
        for j, c in enumerate(sup.labels):
            if c in index:
                aligned[:, index[c]] = sup.probabilities[:, j]
        probabilities = self.weight * aligned + (1 - self.weight) * zero.probabilities
        return Prediction(list(self.classes_), probabilities, self.name)


@register("zeroshot.v1")
def make_zeroshot(**options) -> ZeroShotSuggester:
    """Zero-shot similarity to label descriptions and cue phrases."""
    return ZeroShotSuggester(**options)


@register("supervised.v1")
def make_supervised(**options) -> SupervisedSuggester:
    """Logistic regression on embeddings of accepted codings."""
    return SupervisedSuggester(**options)


@register("hybrid.v1")
def make_hybrid(**options) -> HybridSuggester:
    """Supervised model with a zero-shot prior (the default when the [suggest] extra is installed)."""
    return HybridSuggester(**options)
