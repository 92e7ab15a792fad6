"""Label ranking from several kinds of evidence: ``zeroshot.v2`` (no coded data) and ``ensemble.v1``.

Both score every (passage, label) pair with a small vector of features and turn the scores into
probabilities with a *conditional logit* (a softmax over the labels of ``features · w``):

- **prototype similarity** (cosine between the passage embedding and the label's name, our description, its
  cue phrases (best and mean) and the official definition when imported), for the passage and, when the
  caller gives one, its context (the surrounding sentence, the other speaker's turn);
- **lexical match**: the share of the label name's content words (crudely stemmed) found in the passage;

and, in ``ensemble.v1`` only, evidence from coded examples:

- **nearest neighbours**: the best and the mean of the three best cosine similarities to coded passages of
  the label (passage alone, and passage + context);
- **two classifiers**: log-probabilities of a logistic regression on embeddings (passage ⊕ context) and of
  one on TF-IDF word and character n-grams (the ``lexical.v1`` features, plus the context's words);
- **label frequency** among the coded passages (log, add-one), and whether the label was coded at all.

``zeroshot.v2`` uses fixed weights, fitted once on a corpus that is not used to report its quality (the HBCP
smoking-cessation FLAIR training file, 494 spans of 118 papers; see ``ZEROSHOT_WEIGHTS``). ``ensemble.v1``
learns its weights from the coded passages: the classifier and neighbour features of each training passage
are computed *out of fold* (an inner cross-validation grouped by document; neighbours never come from the
passage's own document), so the weights learn how far each kind of evidence can be trusted on unseen
documents, and are pulled towards the zero-shot weights (and 0 for the supervised features) by an L2 penalty,
so a project with few codings starts from the zero-shot ranking. The labels with no coded passage still get
probabilities (from the prototype features), so a technique never coded can still be suggested.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

import numpy as np

from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.embedders import Embedder, EmbeddingCache
from bctcoder.suggest.registry import register

EncodeFn = Callable[[Sequence[str]], np.ndarray]

_STOP = frozenset("""a an and are as at be by for from has have in into is it its of on or that the their them
they this to was were will with about behaviour behavior behaviours behaviors person people""".split())

PROTOTYPE_FEATURES = ("name", "description", "cue_max", "cue_mean", "definition", "template", "lexical_name",
                      "lexical_description")
"""Zero-shot features per view (passage, context); then LABEL_FEATURES, constant per label."""
LABEL_FEATURES = ("hub_name", "hub_description")
"""Per-label constants: how similar a label's name (description) is to all label texts on average ("hubs"
attract every passage, so the weights can discount them)."""

TEMPLATES = ("The intervention included {}.", "Participants received {}.", "{} was used to change behaviour.")
"""Sentences that put a label name into the register of an intervention description."""


def _stem(word: str) -> str:
    for suffix in ("ational", "ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "al", "ive", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:7]


def content_stems(text: str | None) -> set[str]:
    """Crudely stemmed content words of a text (stop words and 1–2 letter words left out)."""
    if not text:
        return set()
    return {_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in _STOP}


def _softmax(scores: np.ndarray) -> np.ndarray:
    z = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class _Encoding:
    """Embeddings through an injected function, or a lazily loaded embedder (and cache)."""

    needs_embeddings = True

    def __init__(self, embedder: Embedder | None = None, cache: EmbeddingCache | None = None,
                 encode: EncodeFn | None = None):
        self._embedder = embedder
        self._cache = cache
        self._encode = encode

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if self._encode is not None:
            out = np.asarray(self._encode(texts), dtype=np.float32) if texts else None
        else:
            if self._embedder is None:
                self._embedder = Embedder()
            out = self._embedder.encode(texts, cache=self._cache) if texts else None
        if out is None:
            return np.zeros((0, getattr(self, "_dim", 0)), dtype=np.float32)
        self._dim = out.shape[1]
        return out

    def encode_optional(self, texts: Sequence[str | None], dimension: int) -> np.ndarray:
        """Embeddings of texts that may be missing (zero vectors for those)."""
        out = np.zeros((len(texts), dimension), dtype=np.float32)
        present = [i for i, t in enumerate(texts) if t]
        if present:
            out[present] = self.encode([texts[i] for i in present])
        return out


class LabelPrototypes:
    """Embedded label texts and words, and the zero-shot features of passages against them."""

    def __init__(self, labels_info: Sequence[LabelInfo], encode: Callable[[Sequence[str]], np.ndarray]):
        self.ids = [info.id for info in labels_info]
        texts: list[str] = []
        kind_of: list[tuple[int, str]] = []   # (label index, kind) per prototype text
        self.name_words: list[set[str]] = []
        self.description_words: list[set[str]] = []
        for j, info in enumerate(labels_info):
            names = [info.label]
            definitions = [line.strip() for line in (info.definition or "").splitlines() if line.strip()]
            for line in definitions:   # "set behaviour goal: A ..." (BCTO class name, then definition)
                head, sep, _ = line.partition(":")
                if sep and 0 < len(head) <= 80:
                    names.append(head)
            description = info.description or info.label
            items = [(n, "name") for n in names] + [(description, "description")]
            items += [(c, "cue") for c in (info.cues or (description,))]
            items += [(d, "definition") for d in (definitions or [description])]
            items += [(t.format(info.label if t.startswith("{") else info.label.lower()), "template")
                      for t in TEMPLATES]
            for text, kind in items:
                texts.append(text)
                kind_of.append((j, kind))
            words = set()
            for name in names:
                words |= content_stems(name)
            self.name_words.append(words)
            self.description_words.append(content_stems(description) | words)
        self.vectors = np.asarray(encode(texts), dtype=np.float32)
        owners = np.array([j for j, _ in kind_of])
        kinds = np.array([k for _, k in kind_of])
        self._columns = {kind: [np.flatnonzero((owners == j) & (kinds == kind)) for j in range(len(self.ids))]
                         for kind in ("name", "description", "cue", "definition", "template")}
        sims = self.vectors @ self.vectors.T
        self.label_features = np.zeros((len(self.ids), len(LABEL_FEATURES)), dtype=np.float32)
        for j in range(len(self.ids)):
            others = owners != j
            for f, kind in enumerate(("name", "description")):
                self.label_features[j, f] = sims[np.ix_(self._columns[kind][j], np.flatnonzero(others))].mean()

    def features(self, vectors: np.ndarray, texts: Sequence[str | None]) -> np.ndarray:
        """(n, labels, len(PROTOTYPE_FEATURES)) zero-shot features of passages (zeros for missing ones)."""
        n, k = len(vectors), len(self.ids)
        out = np.zeros((n, k, len(PROTOTYPE_FEATURES)), dtype=np.float32)
        if n == 0:
            return out
        present = np.array([bool(t) for t in texts])
        sims = vectors @ self.vectors.T
        for j in range(k):
            out[:, j, 0] = sims[:, self._columns["name"][j]].max(axis=1)
            out[:, j, 1] = sims[:, self._columns["description"][j]].max(axis=1)
            cue = sims[:, self._columns["cue"][j]]
            out[:, j, 2] = cue.max(axis=1)
            out[:, j, 3] = cue.mean(axis=1)
            out[:, j, 4] = sims[:, self._columns["definition"][j]].max(axis=1)
            out[:, j, 5] = sims[:, self._columns["template"][j]].mean(axis=1)
        for i, text in enumerate(texts):
            words = content_stems(text)
            if words:
                for j in range(k):
                    name, description = self.name_words[j], self.description_words[j]
                    if name:
                        out[i, j, 6] = len(words & name) / len(name)
                    out[i, j, 7] = len(words & description) / len(words)
        out[~present] = 0.0
        return out

    def all_features(self, text_vectors: np.ndarray, texts: Sequence[str | None], context_vectors: np.ndarray,
                     contexts: Sequence[str | None]) -> np.ndarray:
        """Passage view, context view and label constants: (n, labels, ZEROSHOT_DIM)."""
        n = len(texts)
        constants = np.broadcast_to(self.label_features[None], (n, *self.label_features.shape))
        return np.concatenate([self.features(text_vectors, texts), self.features(context_vectors, contexts),
                               constants], axis=2)


ZEROSHOT_DIM = 2 * len(PROTOTYPE_FEATURES) + len(LABEL_FEATURES)


def fit_conditional_logit(F: np.ndarray, y: np.ndarray, *, prior: np.ndarray, l2: float,
                          sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Weights w maximising Σ sᵢ log softmax(Fᵢ·w)[yᵢ] / Σ sᵢ − l2/2 ‖w − prior‖² (L-BFGS)."""
    from scipy.optimize import minimize

    n = F.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    s = s / s.sum()
    F = F.astype(np.float64)
    rows = np.arange(n)
    gold = F[rows, y]

    def objective(w):
        scores = F @ w
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        z = e.sum(axis=1)
        p = e / z[:, None]
        ll = scores[rows, y] - np.log(z)
        diff = w - prior
        loss = -(s * ll).sum() + 0.5 * l2 * diff @ diff
        expected = np.einsum("nk,nkd->nd", p, F)
        grad = (s[:, None] * (expected - gold)).sum(axis=0) + l2 * diff
        return loss, grad

    result = minimize(objective, prior.astype(np.float64), jac=True, method="L-BFGS-B",
                      options={"maxiter": 500})
    return result.x


# Fitted with fit_conditional_logit (see ZEROSHOT_L2) on the HBCP FLAIR *training* CoNLL file (smoking
# cessation, 494 spans of 118 papers, all 94 labels as candidates), once with our descriptions only and once with
# the BCTO definitions; order: PROTOTYPE_FEATURES for the passage, the same for its context, LABEL_FEATURES.
ZEROSHOT_L2 = 1e-2
ZEROSHOT_WEIGHTS = {
    "ours": np.array([3.09, 1.413, 2.337, 2.362, 1.413, 2.15, 1.409, 1.612,
                      1.511, 0.772, 1.694, 1.573, 0.772, 1.61, 1.0, 0.445,
                      -2.549, -0.7]),
    "official": np.array([2.839, 1.632, 2.356, 2.311, 2.755, 1.912, 1.854, 2.089,
                          0.935, 0.901, 1.626, 1.484, 2.057, 1.413, 1.375, 0.785,
                          -1.801, -0.536]),
}


class ZeroShotV2(_Encoding):
    """Zero-shot ranking from label texts with fixed feature weights (``ZEROSHOT_WEIGHTS``)."""

    uses_context = True

    def __init__(self, name: str = "zeroshot.v2", weights: Sequence[float] | None = None, **kw):
        super().__init__(**kw)
        self.name = name
        self.weights = None if weights is None else np.asarray(weights, dtype=float)
        self.classes_: list[str] = []

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None, contexts: Sequence[str | None] | None = None) -> "ZeroShotV2":
        self.prototypes = LabelPrototypes(_with_unknown(labels_info, labels), self.encode)
        self.classes_ = list(self.prototypes.ids)
        if self.weights is None:
            self.weights = zeroshot_weights(labels_info)
        return self

    def features(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> np.ndarray:
        """(n, labels, ZEROSHOT_DIM) features of passages (and their contexts)."""
        texts = list(texts)
        contexts = list(contexts) if contexts is not None else [None] * len(texts)
        dim = self.prototypes.vectors.shape[1]
        vt = self.encode_optional(texts, dim)
        vc = self.encode_optional(contexts, dim)
        return self.prototypes.all_features(vt, texts, vc, contexts)

    def predict(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> Prediction:
        F = self.features(texts, contexts)
        return Prediction(list(self.classes_), _softmax(F @ self.weights), self.name)


def zeroshot_weights(labels_info: Sequence[LabelInfo]) -> np.ndarray:
    """The shipped zero-shot weights for a label set (with or without official definitions)."""
    official = any(info.definition for info in labels_info)
    return ZEROSHOT_WEIGHTS["official" if official else "ours"].astype(float)


def _with_unknown(labels_info: Sequence[LabelInfo], labels: Sequence[str]) -> list[LabelInfo]:
    """The label set plus a bare LabelInfo for every training label it lacks (e.g. "(none)")."""
    out = list(labels_info)
    known = {info.id for info in out}
    for label in dict.fromkeys(labels):
        if label not in known:
            out.append(LabelInfo(label, label))
            known.add(label)
    return out


@register("zeroshot.v2")
def make_zeroshot_v2(**options) -> ZeroShotV2:
    """Zero-shot ranking from label names, descriptions, cues, definitions and word overlap."""
    return ZeroShotV2(**options)


# ------------------------------------------------------------------------------------------- ensemble.v1

SUPERVISED_FEATURES = ("logp_embedding", "logp_tfidf", "knn_max", "knn_mean3", "knn_max_context",
                       "knn_mean3_context", "log_frequency", "coded")
"""Evidence from coded passages, per (passage, label)."""

SUPERVISED_PRIOR = np.array([0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
"""Where the supervised weights start (and are pulled back to) before the coded passages say otherwise."""

_EPS = 1e-4


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
        blocks = [self.words.fit_transform(texts), self.chars.fit_transform(texts)]
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
            return np.ones((len(texts), 1))
        blocks = [self.words.transform(texts), self.chars.transform(texts)]
        if self.use_context:
            blocks.append(0.5 * self.context_words.transform([c or "" for c in contexts]))
        return self.model.predict_proba(hstack(blocks).tocsr())


class _EmbeddingModel:
    """Logistic regression on passage ⊕ context embeddings."""

    def __init__(self, C: float):
        self.C = C

    def fit(self, X, labels):
        from sklearn.linear_model import LogisticRegression

        self.classes_ = sorted(set(labels))
        if len(self.classes_) < 2:
            self.model = None
            return self
        self.model = LogisticRegression(C=self.C, max_iter=1000, class_weight="balanced")
        self.model.fit(X, labels)
        self.classes_ = list(self.model.classes_)
        return self

    def predict_proba(self, X):
        if self.model is None:
            return np.ones((len(X), 1))
        return self.model.predict_proba(X)


class EnsembleSuggester(_Encoding):
    """Zero-shot and supervised evidence combined by a conditional logit learned out of fold."""

    uses_context = True

    def __init__(self, name: str = "ensemble.v1", *, C_embedding: float = 16.0, C_tfidf: float = 8.0,
                 inner_folds: int = 3, strength: float = 20.0, balance: float = 0.5, seed: int = 0,
                 min_examples: int = 4, **kw):
        super().__init__(**kw)
        self.name = name
        self.C_embedding = C_embedding
        self.C_tfidf = C_tfidf
        self.inner_folds = inner_folds
        self.strength = strength
        self.balance = balance
        self.seed = seed
        self.min_examples = min_examples
        self.classes_: list[str] = []

    # -- features ---------------------------------------------------------------------------------------
    def _views(self, vt: np.ndarray, vc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        both = vt + vc
        norms = np.linalg.norm(both, axis=1, keepdims=True)
        both = both / np.where(norms > 0, norms, 1.0)
        return np.hstack([vt, vc]) if self._context else vt, both

    def _supervised(self, train: np.ndarray, query_t: np.ndarray, query_c: np.ndarray,
                    query_texts: list[str], query_contexts: list[str | None], *, models=None) -> np.ndarray:
        """(n_query, labels, len(SUPERVISED_FEATURES)) from the training rows ``train``."""
        K = len(self.classes_)
        out = np.zeros((len(query_t), K, len(SUPERVISED_FEATURES)), dtype=np.float32)
        y = self._y[train]
        if models is None:
            emb = _EmbeddingModel(self.C_embedding).fit(self._X[train], [self.classes_[i] for i in y])
            tfidf = _TfidfModel(self.C_tfidf).fit([self._texts[i] for i in train],
                                                  [self._contexts[i] for i in train],
                                                  [self.classes_[i] for i in y])
        else:
            emb, tfidf = models
        X_query, both_query = self._views(query_t, query_c)
        for f, (model, proba) in enumerate(((emb, emb.predict_proba(X_query)),
                                            (tfidf, tfidf.predict_proba(query_texts, query_contexts)))):
            full = np.full((len(query_t), K), _EPS, dtype=np.float64)
            for j, c in enumerate(model.classes_):
                full[:, self._index[c]] += proba[:, j]
            out[:, :, f] = np.log(full)
        sims = query_t @ self._vt[train].T
        sims_both = both_query @ self._both[train].T
        counts = np.bincount(y, minlength=K)
        for j in np.flatnonzero(counts):
            cols = y == j
            for f, S in ((2, sims), (4, sims_both)):
                block = S[:, cols]
                out[:, j, f] = block.max(axis=1)
                top = min(3, block.shape[1])
                out[:, j, f + 1] = np.sort(block, axis=1)[:, -top:].mean(axis=1)
        out[:, :, 6] = np.log((counts + 1.0) / (counts.sum() + K))[None, :]
        out[:, :, 7] = (counts > 0)[None, :]
        return out

    # -- fit / predict ----------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None, contexts: Sequence[str | None] | None = None
            ) -> "EnsembleSuggester":
        texts, labels = list(texts), [str(x) for x in labels]
        contexts = list(contexts) if contexts is not None else [None] * len(texts)
        groups = [str(g) for g in groups] if groups is not None else [str(i) for i in range(len(texts))]
        info = _with_unknown(labels_info, labels)
        self.prototypes = LabelPrototypes(info, self.encode)
        self.classes_ = list(self.prototypes.ids)
        self._index = {c: j for j, c in enumerate(self.classes_)}
        self.zero_weights = zeroshot_weights(labels_info)
        self.n_labelled = len(texts)
        dim = self.prototypes.vectors.shape[1]
        self._context = any(contexts)
        self._texts, self._contexts = texts, contexts
        self._vt = self.encode_optional(texts, dim)
        vc = self.encode_optional(contexts, dim)
        self._X, self._both = self._views(self._vt, vc)
        self._y = np.array([self._index[label] for label in labels], dtype=int)
        prior = np.concatenate([self.zero_weights, SUPERVISED_PRIOR])
        self.supervised = len(texts) >= self.min_examples and len(set(labels)) >= 2
        if not self.supervised:
            self.weights = prior
            self.models = None
            return self
        Z = self.prototypes.all_features(self._vt, texts, vc, contexts)
        S = np.zeros((len(texts), len(self.classes_), len(SUPERVISED_FEATURES)), dtype=np.float32)
        for a, b in _inner_folds(groups, len(texts), self.inner_folds, self.seed):
            S[b] = self._supervised(a, self._vt[b], vc[b], [texts[i] for i in b], [contexts[i] for i in b])
        F = np.concatenate([Z, S], axis=2)
        counts = np.bincount(self._y, minlength=len(self.classes_)).astype(float)
        weight = counts[self._y] ** (-self.balance)
        self.weights = fit_conditional_logit(F, self._y, prior=prior, l2=self.strength / len(texts),
                                             sample_weight=weight)
        every = np.arange(len(texts))
        y_names = [self.classes_[i] for i in self._y]
        self.models = (_EmbeddingModel(self.C_embedding).fit(self._X, y_names),
                       _TfidfModel(self.C_tfidf).fit(texts, contexts, y_names))
        self._every = every
        return self

    def features(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> np.ndarray:
        texts = list(texts)
        contexts = list(contexts) if contexts is not None else [None] * len(texts)
        if not self._context:
            contexts = [None] * len(texts)
        dim = self.prototypes.vectors.shape[1]
        vt = self.encode_optional(texts, dim)
        vc = self.encode_optional(contexts, dim)
        Z = self.prototypes.all_features(vt, texts, vc, contexts)
        if not self.supervised:
            S = np.zeros((len(texts), len(self.classes_), len(SUPERVISED_FEATURES)), dtype=np.float32)
        else:
            S = self._supervised(self._every, vt, vc, texts, contexts, models=self.models)
        return np.concatenate([Z, S], axis=2)

    def predict(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> Prediction:
        F = self.features(texts, contexts)
        return Prediction(list(self.classes_), _softmax(F @ self.weights), self.name)


@register("ensemble.v1")
def make_ensemble(**options) -> EnsembleSuggester:
    """Zero-shot, nearest-neighbour, embedding and TF-IDF evidence, weighted by a conditional logit."""
    return EnsembleSuggester(**options)
