"""Held-out evaluation of suggesters: grouped cross-validation or a train/test split, and learning curves.

Every number comes from predictions on texts the model was neither trained nor tuned on: with ``cv=K`` the
examples are split into K folds **by group** (paper or dialogue, never by passage, so no document is in both
the training and the test side of a fold) and each example is predicted once, by the model trained on the
other folds; the pooled predictions are then scored. With ``test=`` the model is trained on ``examples`` and
scored on ``test``. Suggesters that tune themselves (``ensemble.v1``) do so by an inner grouped CV *inside*
the training folds.

Metrics (see :func:`metrics`):

- ``top1``: share of test items whose most probable label is the gold label; ``top3``: gold among the 3 most
  probable.
- ``per_label``: precision, recall, F1 and support (gold items) of the top-1 decision, for every label that is
  gold or predicted at least once.
- ``macro_f1``: mean F1 over labels with at least ``min_support`` (5) gold test items (``macro_labels`` says
  how many); ``micro_f1``: F1 pooled over all labels (with one gold and one predicted label per item this
  equals ``top1``).
- ``calibration``: expected calibration error of the top-1 confidence over 10 equal-width bins (``ece``), and
  the bins (count, mean confidence, accuracy).
- ``multilabel``: the same predictions as items (examples with one document and text) with label *sets*,
  decided with the thresholds each training fold's model chose on its own training data (``calibrated``,
  ``global``) or by top-1, and scored with multi-label metrics (:mod:`bctcoder.suggest.multilabel`).
- ``learning_curve`` (when asked): top-1 on the test side after training on the first n examples in
  active-learning order (each batch = the pool items the current model is least sure of, by the margin between
  its two best labels) and in random order, for each n in ``sizes``, pooled over folds.
"""

from __future__ import annotations

import inspect
import json
import math
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from bctcoder.errors import InputError
from bctcoder.suggest import multilabel, registry
from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.corpora import Example
from bctcoder.suggest.embedders import Embedder, MemoryCache
from bctcoder.suggest.thresholds import model_thresholds

__all__ = ["BEST", "NpyCache", "best_suggester", "evaluate", "format_table", "grouped_folds", "limit_examples",
           "metrics"]

BEST = "ensemble.v1"
"""The suggester with the best held-out results (see the benchmark); needs the [suggest] extra."""


def best_suggester() -> str:
    """:data:`BEST` when the embedding extra is installed, else the lexical fallback."""
    from bctcoder.suggest.embedders import suggest_extra_installed

    return BEST if suggest_extra_installed() else registry.FALLBACK


class NpyCache:
    """An embedding cache kept on disk (``<dir>/<model>.texts.json`` + ``<model>.vectors.npy``), for repeated
    evaluation runs; same interface as :class:`MemoryCache`."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._mem: dict[str, dict[str, np.ndarray]] = {}

    def _files(self, model: str) -> tuple[Path, Path]:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model)
        return self.dir / f"{safe}.texts.json", self.dir / f"{safe}.vectors.npy"

    def _load(self, model: str) -> dict[str, np.ndarray]:
        if model not in self._mem:
            texts_file, vectors_file = self._files(model)
            store: dict[str, np.ndarray] = {}
            if texts_file.exists() and vectors_file.exists():
                texts = json.loads(texts_file.read_text(encoding="utf-8"))
                vectors = np.load(vectors_file)
                if len(texts) == len(vectors):
                    store = dict(zip(texts, vectors))
            self._mem[model] = store
        return self._mem[model]

    def get_many(self, model: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        store = self._load(model)
        return {t: store[t] for t in texts if t in store}

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        store = self._load(model)
        store.update(vectors)
        texts = list(store)
        texts_file, vectors_file = self._files(model)
        np.save(vectors_file, np.stack([store[t] for t in texts]).astype(np.float32))
        texts_file.write_text(json.dumps(texts), encoding="utf-8")


# ---------------------------------------------------------------------------------------------- splitting

def grouped_folds(groups: Sequence[str], k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """K (train indices, test indices) pairs; every group falls wholly on one side of each fold.

    Groups are shuffled with ``seed``, then dealt to folds largest-first onto the currently smallest fold
    (sklearn's GroupKFold balancing on a seeded order).
    """
    group_arr = np.asarray([str(g) for g in groups])
    unique = sorted(set(group_arr.tolist()))
    if k < 2:
        raise InputError(f"--cv must be at least 2 (got {k})", source="--cv")
    if k > len(unique):
        raise InputError(f"--cv {k} needs at least {k} documents/dialogues, found {len(unique)}", source="--cv")
    rng = np.random.default_rng(seed)
    order = [unique[i] for i in rng.permutation(len(unique))]
    sizes = {g: int((group_arr == g).sum()) for g in unique}
    order.sort(key=lambda g: -sizes[g])            # stable: ties keep the seeded order
    load = [0] * k
    fold_of: dict[str, int] = {}
    for g in order:
        f = min(range(k), key=lambda i: (load[i], i))
        fold_of[g] = f
        load[f] += sizes[g]
    assignment = np.array([fold_of[g] for g in group_arr])
    idx = np.arange(len(group_arr))
    return [(idx[assignment != f], idx[assignment == f]) for f in range(k)]


def limit_examples(examples: Sequence[Example], limit: int | None, seed: int = 0) -> list[Example]:
    """At most ``limit`` examples, taken as whole groups in a seeded random order (None: all)."""
    examples = list(examples)
    if limit is None or limit >= len(examples):
        return examples
    if limit < 1:
        raise InputError("--limit must be at least 1", source="--limit")
    by_group: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        by_group.setdefault(e.group, []).append(i)
    names = sorted(by_group)
    keep: list[int] = []
    for j in np.random.default_rng(seed).permutation(len(names)):
        members = by_group[names[j]]
        if keep and len(keep) + len(members) > limit:
            continue
        keep.extend(members)
        if len(keep) >= limit:
            break
    return [examples[i] for i in sorted(keep)]


# ------------------------------------------------------------------------------------------------ metrics

def metrics(gold: Sequence[str], labels: Sequence[str], probabilities: np.ndarray, *, min_support: int = 5,
            bins: int = 10) -> dict[str, Any]:
    """Scores of predictions: ``probabilities`` rows = items, columns = ``labels``; ``gold`` the true labels."""
    gold = [str(g) for g in gold]
    labels = list(labels)
    P = np.asarray(probabilities, dtype=float)
    n = len(gold)
    if n == 0:
        return {"n_test": 0, "top1": None, "top3": None, "macro_f1": None, "micro_f1": None, "macro_labels": 0,
                "per_label": [], "calibration": {"ece": None, "bins": []}}
    order = np.argsort(-P, axis=1, kind="stable")
    index = {c: j for j, c in enumerate(labels)}
    gold_idx = np.array([index.get(g, -1) for g in gold])
    top1 = float(np.mean(order[:, 0] == gold_idx))
    top3 = float(np.mean([(g >= 0 and g in row[:3]) for g, row in zip(gold_idx, order)]))
    predicted = [labels[j] for j in order[:, 0]]
    names = sorted(set(gold) | set(predicted), key=_label_key)
    per_label: list[dict[str, Any]] = []
    for name in names:
        tp = sum(1 for g, p in zip(gold, predicted) if g == name and p == name)
        support = sum(1 for g in gold if g == name)
        n_pred = sum(1 for p in predicted if p == name)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label.append({"label": name, "precision": round(precision, 4), "recall": round(recall, 4),
                          "f1": round(f1, 4), "support": support, "predicted": n_pred})
    counted = [row["f1"] for row in per_label if row["support"] >= min_support]
    tp_all = sum(1 for g, p in zip(gold, predicted) if g == p)
    micro = tp_all / n  # pooled TP/(TP+FP) = TP/(TP+FN) = TP/n with one gold and one predicted label per item
    confidence = P[np.arange(n), order[:, 0]]
    correct = order[:, 0] == gold_idx
    which = np.minimum(np.floor(confidence * bins + 1e-9).astype(int), bins - 1)   # [lo, hi), last [lo, 1]
    bin_rows, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = which == b
        count = int(inside.sum())
        if count:
            conf, acc = float(confidence[inside].mean()), float(correct[inside].mean())
            ece += count / n * abs(conf - acc)
            bin_rows.append({"lo": round(lo, 2), "hi": round(hi, 2), "count": count,
                             "confidence": round(conf, 4), "accuracy": round(acc, 4)})
    return {
        "n_test": n,
        "top1": round(top1, 4),
        "top3": round(top3, 4),
        "macro_f1": round(float(np.mean(counted)), 4) if counted else None,
        "micro_f1": round(micro, 4),
        "macro_labels": len(counted),
        "min_support": min_support,
        "per_label": sorted(per_label, key=lambda r: (-r["support"], _label_key(r["label"]))),
        "calibration": {"ece": round(ece, 4), "bins": bin_rows},
    }


def _label_key(label: str) -> tuple:
    parts = label.split(".")
    if all(p.isdigit() for p in parts):
        return (0, *map(int, parts))
    return (1, label)


# --------------------------------------------------------------------------------------------- evaluation

class _Encoder:
    """Embeds every distinct text once per run (through a cache) and serves later requests from it."""

    def __init__(self, embedder: Embedder | None, cache):
        self._embedder = embedder
        self.cache = cache if cache is not None else MemoryCache()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder()
        return self._embedder

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encode(list(texts), cache=self.cache)

    def warm(self, texts: Sequence[str]) -> None:
        distinct = sorted({t for t in texts if t})
        if distinct:
            self(distinct)


def _accepts(method: Callable, name: str) -> bool:
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _make(name: str, encoder: _Encoder, options: dict[str, Any] | None):
    probe = registry.create(name, **(options or {}))
    if getattr(probe, "needs_embeddings", False):
        return registry.create(name, encode=encoder, **(options or {}))
    return probe


def _fit_predict(name: str, encoder: _Encoder, options, labels_info, train: list[Example], test: list[Example],
                 use_context: bool) -> Prediction:
    return _fit_model_predict(name, encoder, options, labels_info, train, test, use_context)[1]


def _fit_model_predict(name: str, encoder: _Encoder, options, labels_info, train: list[Example],
                       test: list[Example], use_context: bool) -> tuple[Any, Prediction]:
    model = _make(name, encoder, options)
    kwargs_fit, kwargs_pred = {}, {}
    if use_context and _accepts(model.fit, "contexts"):
        kwargs_fit["contexts"] = [e.context for e in train]
        kwargs_pred["contexts"] = [e.context for e in test]
    model.fit([e.text for e in train], [e.label for e in train], labels_info, [e.group for e in train],
              **kwargs_fit)
    return model, model.predict([e.text for e in test], **kwargs_pred)


def _align(prediction: Prediction, labels: list[str]) -> np.ndarray:
    index = {c: j for j, c in enumerate(labels)}
    out = np.zeros((prediction.probabilities.shape[0], len(labels)))
    for j, c in enumerate(prediction.labels):
        if c in index:
            out[:, index[c]] = prediction.probabilities[:, j]
    return out


def _default_sizes(n_train: int) -> list[int]:
    sizes, s = [0], 10
    while s < n_train:
        sizes.append(s)
        s *= 2
    sizes.append(n_train)
    return sizes


def evaluate(examples: Sequence[Example], labels_info: Sequence[LabelInfo], suggester: str | None = None, *,
             cv: int | None = None, test: Sequence[Example] | None = None, seed: int = 0,
             use_context: bool = True, learning_curve: bool = False, curve_sizes: Sequence[int] | None = None,
             min_support: int = 5, options: dict[str, Any] | None = None, embedder: Embedder | None = None,
             cache=None, progress: Callable[[str], None] | None = None,
             return_predictions: bool = False, multilabel_top_k: int = 3) -> dict[str, Any]:
    """Evaluate a registered suggester on labelled examples; returns plain data (see the module docstring).

    Give ``cv=K`` for K-fold cross-validation grouped by ``Example.group``, or ``test=`` for a train/test
    split (``examples`` = training side). ``suggester`` defaults to :func:`best_suggester`. ``use_context``
    passes ``Example.context`` to suggesters whose ``fit``/``predict`` take ``contexts``. The multi-label
    decisions suggest at most ``multilabel_top_k`` techniques a passage.
    """
    started = time.perf_counter()
    name = suggester or best_suggester()
    examples = list(examples)
    labels_info = list(labels_info)
    if not examples:
        raise InputError("no labelled examples to evaluate on")
    if test is None and cv is None:
        cv = 5
    if test is not None and cv is not None:
        raise InputError("give either a test set or --cv, not both", source="--cv")
    encoder = _Encoder(embedder, cache)
    say = progress or (lambda message: None)

    if test is not None:
        test = list(test)
        if not test:
            raise InputError("the test set has no labelled examples", source="--test")
        overlap = {e.group for e in examples} & {e.group for e in test}
        splits_examples = [(examples, test)]
        mode = {"mode": "split", "n_train": len(examples), "shared_groups": len(overlap)}
    else:
        assert cv is not None  # defaults to 5 when no test set is given
        folds = grouped_folds([e.group for e in examples], int(cv), seed)
        splits_examples = [([examples[i] for i in tr], [examples[i] for i in te]) for tr, te in folds]
        mode = {"mode": "cv", "cv": int(cv)}

    probe = registry.create(name, **(options or {}))
    if getattr(probe, "needs_embeddings", False):
        say("embedding texts ...")
        every = [e.text for e in examples] + [e.text for e in (test or [])]
        if use_context:
            every += [e.context for e in examples + list(test or []) if e.context]
        every += [t for info in labels_info for t in info.prototype_texts()]
        encoder.warm(every)

    labels = [info.id for info in labels_info]
    for e in examples + list(test or []):
        if e.label not in labels:
            labels.append(e.label)
    gold: list[str] = []
    rows: list[np.ndarray] = []
    fold_rows = []
    tested: list[Example] = []
    fold_of_row: list[int] = []
    fold_thresholds = []          # what each fold's model chose on its training side only
    for k, (train, held_out) in enumerate(splits_examples):
        say(f"fold {k + 1}/{len(splits_examples)}: train {len(train)}, test {len(held_out)}")
        model, prediction = _fit_model_predict(name, encoder, options, labels_info, train, held_out, use_context)
        fold_thresholds.append(model_thresholds(model))
        fold_of_row += [k] * len(held_out)
        P = _align(prediction, labels)
        fold_gold = [e.label for e in held_out]
        fold_top1 = float(np.mean(np.asarray(labels)[P.argmax(axis=1)] == np.asarray(fold_gold)))
        fold_rows.append({"fold": k + 1, "n_train": len(train), "n_test": len(held_out),
                          "groups_test": len({e.group for e in held_out}), "top1": round(fold_top1, 4)})
        gold += fold_gold
        rows.append(P)
        tested += held_out
    P = np.vstack(rows)
    result: dict[str, Any] = {"suggester": name, **mode, "seed": seed, "use_context": use_context,
                              "n_examples": len(examples) + len(test or []), "n_groups":
                              len({e.group for e in examples + list(test or [])}), "n_labels": len(labels_info)}
    if getattr(probe, "needs_embeddings", False):
        result["embedding_model"] = encoder.embedder.name   # e.g. all-MiniLM-L6-v2+int8 (ONNX, int8)
    result.update(metrics(gold, labels, P, min_support=min_support))
    result["multilabel"] = multilabel.evaluate_items(tested, labels, P, fold_of_row, fold_thresholds,
                                                     top_k=multilabel_top_k, min_support=min_support)
    result["folds"] = fold_rows
    if len(fold_rows) > 1:
        result["top1_fold_sd"] = round(float(np.std([f["top1"] for f in fold_rows], ddof=1)), 4)
    if learning_curve:
        say("learning curve ...")
        result["learning_curve"] = _learning_curve(name, encoder, options, labels_info, splits_examples,
                                                   labels, use_context, seed, curve_sizes)
    if note := registry.calibration_note(name):
        result["note"] = note
    result["seconds"] = round(time.perf_counter() - started, 1)
    if return_predictions:
        result["_predictions"] = {"labels": labels, "probabilities": P, "gold": gold,
                                  "examples": tested}
    return result


def _learning_curve(name, encoder, options, labels_info, splits, labels, use_context, seed, sizes) -> dict[str, Any]:
    n_min = min(len(train) for train, _ in splits)
    sizes = sorted({int(s) for s in (sizes or _default_sizes(n_min)) if 0 <= int(s) <= n_min})
    if not sizes:
        raise InputError(f"learning-curve sizes must lie between 0 and {n_min}")
    correct = {"active": np.zeros(len(sizes)), "random": np.zeros(len(sizes))}
    total = 0
    rng = np.random.default_rng(seed)
    names = np.asarray(labels)
    for train, held_out in splits:
        gold = np.asarray([e.label for e in held_out])
        total += len(held_out)
        random_order = list(rng.permutation(len(train)))
        chosen: list[int] = []
        for s_i, size in enumerate(sizes):
            # random order: the first `size` of a fixed permutation
            subset = [train[i] for i in random_order[:size]]
            P = _align(_fit_predict(name, encoder, options, labels_info, subset, held_out, use_context), labels)
            correct["random"][s_i] += float((names[P.argmax(axis=1)] == gold).sum())
            # active order: the model trained on the items chosen so far scores the test side and the pool;
            # the next batch is the pool items it is least sure of (margin between its two best labels)
            if size > len(chosen) and not chosen and size == sizes[0]:
                chosen = [int(i) for i in random_order[:size]]     # a first batch with no model yet: random
            pool = [i for i in range(len(train)) if i not in set(chosen)]
            pred = _fit_predict(name, encoder, options, labels_info, [train[i] for i in chosen],
                                list(held_out) + [train[i] for i in pool], use_context)
            P = _align(pred, labels)
            correct["active"][s_i] += float((names[P[:len(held_out)].argmax(axis=1)] == gold).sum())
            if s_i + 1 < len(sizes) and pool:
                need = sizes[s_i + 1] - len(chosen)
                pool_pred = Prediction(pred.labels, pred.probabilities[len(held_out):], pred.model)
                ranked = np.argsort(-pool_pred.uncertainty(), kind="stable")
                chosen += [pool[j] for j in ranked[:need]]
    return {"sizes": sizes,
            "active_top1": [round(float(c / total), 4) for c in correct["active"]],
            "random_top1": [round(float(c / total), 4) for c in correct["random"]],
            "n_test": total,
            "strategy": "active: margin uncertainty sampling in batches up to each size; random: a fixed "
                        "random order; top-1 pooled over folds"}


# ------------------------------------------------------------------------------------------------- output

def format_table(result: dict[str, Any], *, max_labels: int | None = 40) -> str:
    """A plain-text report of one evaluation result."""
    lines = []
    head = f"suggester {result['suggester']}"
    if result.get("embedding_model"):
        head += f" ({result['embedding_model']})"
    if result.get("corpus"):
        head = f"corpus {result['corpus']}, " + head
    if result.get("mode") == "cv":
        head += f", {result['cv']}-fold CV grouped by document (seed {result['seed']})"
    else:
        head += f", train {result.get('n_train')} → test {result['n_test']}"
    lines.append(head)
    if result.get("label_mapping"):
        lines.append(f"labels: {result['label_mapping']}")
    if result.get("note"):
        lines.append(f"note: {result['note']}")

    def f(x):
        return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"

    lines.append(f"n_test {result['n_test']}  top-1 {f(result['top1'])}  top-3 {f(result['top3'])}  "
                 f"macro-F1 {f(result['macro_f1'])} ({result['macro_labels']} labels with ≥{result['min_support']} "
                 f"items)  micro-F1 {f(result['micro_f1'])}  ECE {f(result['calibration']['ece'])}")
    lines.append("")
    lines.append(f"{'label':<32} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    shown = result["per_label"] if max_labels is None else result["per_label"][:max_labels]
    for row in shown:
        lines.append(f"{row['label'][:32]:<32} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} "
                     f"{row['support']:>8}")
    if max_labels is not None and len(result["per_label"]) > max_labels:
        lines.append(f"... {len(result['per_label']) - max_labels} more labels (use --format json)")
    bins = result["calibration"]["bins"]
    if bins:
        lines.append("")
        lines.append("calibration: " + ", ".join(f"{b['lo']:.1f}-{b['hi']:.1f}: n={b['count']} "
                                                   f"conf {b['confidence']:.2f} acc {b['accuracy']:.2f}"
                                                   for b in bins))
    lines += multilabel.format_lines(result.get("multilabel"))
    curve = result.get("learning_curve")
    if curve:
        lines.append("")
        lines.append(f"{'labelled':>8} {'active top-1':>13} {'random top-1':>13}")
        for s, a, r in zip(curve["sizes"], curve["active_top1"], curve["random_top1"]):
            lines.append(f"{s:>8} {a:>13.3f} {r:>13.3f}")
    return "\n".join(lines)
