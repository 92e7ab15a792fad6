"""Suggesters that combine several kinds of evidence: ``zeroshot.v2`` (no coded data) and ``ensemble.v1``.

``zeroshot.v2`` scores every (passage, label) pair with a small vector of features and turns the scores into
probabilities with a softmax of ``features · w``:

- **prototype similarity**: cosine between the passage embedding and the label's name (plus the BCTO class
  names when official definitions are imported), our description, its cue phrases (best and mean), the
  official definition, and the name put into intervention-report sentences ("Participants received ...");
- **word overlap**: the share of the label name's content words (crudely stemmed) found in the passage, and
  the share of the passage's content words found in the label's description;

each for the passage and, when the caller gives one, its context (the surrounding sentence, the other
speaker's turn), plus two per-label constants that let the weights discount "hub" labels whose texts resemble
every other label's. The weights ``w`` are fixed (``ZEROSHOT_WEIGHTS``), fitted once by a conditional logit on
a corpus that is not used to report its quality: the HBCP smoking-cessation FLAIR *training* file (494 spans
of 118 papers, all 94 labels as candidates), with and without the BCTO definitions.

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
        self.owners, self.kinds = owners, kinds
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
                 grid: Sequence[tuple[float, float, float, float]] = GRID, **kw):
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
        self.mix, self.temperature, self.inner_scores = (0.0, 0.0, 1.0, 0.0), 1.0, {}
        if not self.supervised:
            self.models = None
            return self
        zero = self.zero.features(texts, contexts) @ self.zero.weights
        experts = np.zeros((len(texts), len(self.classes_), 3))
        for a, b in _inner_folds(groups, len(texts), self.inner_folds, self.seed):
            models = self._fit_models(a)
            experts[b] = self._expert_scores(models, self._vt[b], self._vc[b], [texts[i] for i in b],
                                             [contexts[i] for i in b])
        best = None
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
        self.mix = best[1]
        self.temperature = _fit_temperature(best[2], self._y)
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
    """Zero-shot, nearest-neighbour, embedding and TF-IDF evidence, weighted by a conditional logit."""
    return EnsembleSuggester(**options)
