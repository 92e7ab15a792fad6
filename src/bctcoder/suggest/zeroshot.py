"""``zeroshot.v2``: ranking techniques for a passage before anything is coded.

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
            out[present] = self.encode([t for t in texts if t])
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
