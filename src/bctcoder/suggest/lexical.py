"""The lexical baseline: TF-IDF word and character n-grams with a logistic regression.

Needs only scikit-learn (a core dependency), so suggestions work without the ``[suggest]`` extra. Each
label's description and cue phrases are added as (down-weighted) training examples, so the model can
suggest before any passage is coded and never forgets a label that has no codings yet.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.registry import register


class LexicalSuggester:
    """TF-IDF (1–2 word n-grams + 2–5 character n-grams) → multinomial logistic regression."""

    needs_embeddings = False

    def __init__(self, name: str = "lexical.v1", C: float = 4.0, prototype_weight: float = 0.5):
        self.name = name
        self.C = C
        self.prototype_weight = prototype_weight
        self.classes_: list[str] = []

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None) -> "LexicalSuggester":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion

        X, y, w = list(texts), list(labels), [1.0] * len(texts)
        for info in labels_info:
            for proto in info.prototype_texts():
                X.append(proto)
                y.append(info.id)
                w.append(self.prototype_weight)
        self.vectorizer = FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
        ])
        features = self.vectorizer.fit_transform(X)
        self.classes_ = sorted(set(y))
        if len(self.classes_) == 1:
            self.model = None
            return self
        self.model = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        self.model.fit(features, y, sample_weight=np.asarray(w))
        self.classes_ = list(self.model.classes_)
        return self

    def predict(self, texts: Sequence[str]) -> Prediction:
        if self.model is None:
            return Prediction(self.classes_, np.ones((len(texts), 1)), self.name)
        probabilities = self.model.predict_proba(self.vectorizer.transform(list(texts)))
        return Prediction(list(self.classes_), probabilities, self.name)


@register("lexical.v1")
def make_lexical(**options) -> LexicalSuggester:
    """The lexical baseline (scikit-learn only)."""
    return LexicalSuggester(**options)
