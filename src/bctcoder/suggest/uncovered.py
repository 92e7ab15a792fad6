"""What the taxonomy misses: cluster interviewee passages that no technique describes well.

A passage is "uncovered" when its best zero-shot similarity to any technique's prototypes (label,
description, cue phrases, definition) is below a threshold. Uncovered passages are clustered (k-means on
their embeddings); each cluster is listed with its most typical quotes and the words that set it apart —
candidates for new techniques, as the study's inductive stage found group 17.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
from sqlalchemy.orm import Session

from bctcoder.suggest.neural import ZeroShotSuggester
from bctcoder.suggest.passages import passages
from bctcoder.suggest.service import ProjectEmbeddingCache, labels_info


def uncovered(session: Session, *, threshold: float = 0.30, clusters: int | None = None, quotes: int = 3,
              documents: Iterable[str] | None = None, seed: int = 0) -> dict[str, Any]:
    """Clusters of poorly explained interviewee passages with representative quotes and distinctive words."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    items = passages(session, documents=documents, mode="sentence")
    if not items:
        return {"threshold": threshold, "passages": 0, "uncovered": 0, "clusters": []}
    zero = ZeroShotSuggester(cache=ProjectEmbeddingCache(session))
    zero.fit([], [], labels_info(session))
    vectors = zero.encode([p.text for p in items])
    best = zero.similarities(vectors).max(axis=1)
    low = np.where(best < threshold)[0]
    result: dict[str, Any] = {"threshold": threshold, "passages": len(items), "uncovered": int(len(low)),
                              "clusters": []}
    if len(low) < 2:
        return result
    k = clusters or max(2, min(8, len(low) // 5))
    k = min(k, len(low))
    km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(vectors[low])
    texts = [items[i].text for i in low]
    tfidf = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1)
    matrix = tfidf.fit_transform(texts)
    vocab = np.array(tfidf.get_feature_names_out())
    for c in range(k):
        members = np.where(km.labels_ == c)[0]
        if not len(members):
            continue
        centre = km.cluster_centers_[c]
        order = members[np.argsort(-(vectors[low][members] @ centre))]
        inside = np.asarray(matrix[members].mean(axis=0)).ravel()
        outside = np.asarray(matrix[np.setdiff1d(np.arange(len(low)), members)].mean(axis=0)).ravel() \
            if len(members) < len(low) else np.zeros_like(inside)
        words = list(vocab[np.argsort(-(inside - outside))[:5]])
        result["clusters"].append({
            "cluster": c + 1, "size": int(len(members)), "words": words,
            "cases": sorted({items[low[i]].case for i in members if items[low[i]].case}),
            "quotes": [{"quote": items[low[i]].text, "document": items[low[i]].document,
                        "case": items[low[i]].case, "role": items[low[i]].role,
                        "similarity": round(float(best[low[i]]), 3)} for i in order[:quotes]],
        })
    result["clusters"].sort(key=lambda c: -c["size"])
    return result
