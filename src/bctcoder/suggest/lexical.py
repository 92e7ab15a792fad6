"""The lexical baseline: TF-IDF word and character n-grams with a logistic regression.

Needs only scikit-learn (a core dependency), so suggestions work without the ``[suggest]`` extra. Each
label's description and cue phrases are added as (down-weighted) training examples, so the model can
suggest before any passage is coded and never forgets a label that has no codings yet.

:class:`ContextLexicalSuggester` adds the passage's *context* (the previous turn: the interviewer's question,
the help-seeker's message ...) as a separate TF-IDF block with its own vocabulary, scaled by
``context_weight``: "the question says *goal*" is a different feature from "the passage says *goal*". A
context may start with the previous speaker's role (``"Interviewer: ..."``, see
:func:`bctcoder.suggest.passages.format_context`); the role is then one more word of the context block.
Only the last ``context_chars`` characters of a context are used (the end of a turn is what the passage
answers). Without any context the model is exactly :class:`LexicalSuggester`. Registered, calibrated, as
``lexical.v3`` (see :mod:`bctcoder.suggest.calibrated`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.registry import register

CONTEXT_CHARS = 400
"""How much of a context (its last characters) the context-aware suggesters use."""


def tail(text: str | None, limit: int = CONTEXT_CHARS) -> str | None:
    """The last ``limit`` characters of ``text``, starting at a word boundary where possible (None stays None)."""
    if text is None:
        return None
    text = " ".join(text.split())
    if len(text) <= limit:
        return text or None
    cut = text[-limit:]
    space = cut.find(" ")
    return cut[space + 1:] if 0 <= space < limit // 4 else cut


class LexicalSuggester:
    """TF-IDF (1–2 word n-grams + 2–5 character n-grams) → multinomial logistic regression."""

    needs_embeddings = False

    def __init__(self, name: str = "lexical.v1", C: float = 4.0, prototype_weight: float = 0.5):
        self.name = name
        self.C = C
        self.prototype_weight = prototype_weight
        self.classes_: list[str] = []

    def _training_rows(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo]
                       ) -> tuple[list[str], list[str], list[float]]:
        X, y, w = list(texts), list(labels), [1.0] * len(texts)
        for info in labels_info:
            for proto in info.prototype_texts():
                X.append(proto)
                y.append(info.id)
                w.append(self.prototype_weight)
        return X, y, w

    @staticmethod
    def _passage_vectorizer():
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion

        return FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
        ])

    def _fit_model(self, features, y: list[str], w: list[float]) -> None:
        from sklearn.linear_model import LogisticRegression

        self.classes_ = sorted(set(y))
        if len(self.classes_) == 1:
            self.model = None
            return
        self.model = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        self.model.fit(features, y, sample_weight=np.asarray(w))
        self.classes_ = list(self.model.classes_)

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None) -> "LexicalSuggester":
        X, y, w = self._training_rows(texts, labels, labels_info)
        self.vectorizer = self._passage_vectorizer()
        self._fit_model(self.vectorizer.fit_transform(X), y, w)
        return self

    def _predict_features(self, features, n: int) -> Prediction:
        if self.model is None:
            return Prediction(self.classes_, np.ones((n, 1)), self.name)
        return Prediction(list(self.classes_), self.model.predict_proba(features), self.name)

    def predict(self, texts: Sequence[str]) -> Prediction:
        texts = list(texts)
        if self.model is None:
            return self._predict_features(None, len(texts))
        return self._predict_features(self.vectorizer.transform(texts), len(texts))


class ContextLexicalSuggester(LexicalSuggester):
    """:class:`LexicalSuggester` plus the context's words (1–2 grams, own vocabulary) × ``context_weight``."""

    def __init__(self, name: str = "lexical-context", C: float = 4.0, prototype_weight: float = 0.5,
                 context_weight: float = 0.3, context_chars: int = CONTEXT_CHARS,
                 context_ngrams: int = 2, context_marks: bool = False):
        super().__init__(name, C, prototype_weight)
        self.context_weight = float(context_weight)
        self.context_chars = int(context_chars)
        self.context_ngrams = int(context_ngrams)
        self.context_marks = bool(context_marks)    # "?" and "!" are words of the context too
        self.use_context = False

    def _contexts(self, contexts: Sequence[str | None] | None, n: int) -> list[str]:
        if contexts is None:
            return [""] * n
        contexts = list(contexts)
        if len(contexts) != n:
            raise ValueError(f"{len(contexts)} contexts for {n} texts")
        return [tail(c, self.context_chars) or "" for c in contexts]

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None, contexts: Sequence[str | None] | None = None
            ) -> "ContextLexicalSuggester":
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = list(texts)
        X, y, w = self._training_rows(texts, labels, labels_info)
        self.vectorizer = self._passage_vectorizer()
        features = self.vectorizer.fit_transform(X)
        ctx = self._contexts(contexts, len(texts)) + [""] * (len(X) - len(texts))   # label texts: none
        self.use_context = self.context_weight > 0 and any(ctx)
        if self.use_context:
            pattern = r"(?u)\b\w+\b|[?!]" if self.context_marks else r"(?u)\b\w\w+\b"
            self.context_vectorizer = TfidfVectorizer(ngram_range=(1, self.context_ngrams), sublinear_tf=True,
                                                      min_df=1, strip_accents="unicode", token_pattern=pattern)
            try:
                block = self.context_vectorizer.fit_transform(ctx)
            except ValueError:   # contexts without a single word
                self.use_context = False
            else:
                features = hstack([features, self.context_weight * block]).tocsr()
        self._fit_model(features, y, w)
        return self

    def predict(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> Prediction:
        from scipy.sparse import hstack

        texts = list(texts)
        if self.model is None:
            return self._predict_features(None, len(texts))
        features = self.vectorizer.transform(texts)
        if self.use_context:
            block = self.context_vectorizer.transform(self._contexts(contexts, len(texts)))
            features = hstack([features, self.context_weight * block]).tocsr()
        return self._predict_features(features, len(texts))


@register("lexical.v1")
def make_lexical(**options) -> LexicalSuggester:
    """The lexical baseline (scikit-learn only)."""
    return LexicalSuggester(**options)
