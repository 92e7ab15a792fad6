"""Several techniques per passage (#15): the thresholded decision, the project's ranking, multi-label metrics.

**Decision** (:func:`decide`). A passage gets every technique whose calibrated probability reaches its
threshold (:mod:`bctcoder.suggest.thresholds`), at most ``top_k`` of them, most probable first; nothing when a
"no technique" label is the most probable outcome. Three decisions are compared in :func:`evaluate_items`:

- ``calibrated``: each technique's own threshold where the training data allowed one, else the default;
- ``global``: the default (one threshold chosen over all techniques pooled) for every technique;
- ``top1``: the most probable label alone (nothing when it is "no technique"), no threshold;
- ``topk``: the ``top_k`` most probable techniques, always (a project's ranking before thresholds, with
  ``min_confidence`` 0).

**In a project** (:func:`suggestion_ranking`), ``thresholds="calibrated"`` (the default) or ``"global"``
apply to suggesters that chose thresholds when fitted: the calibrated family ``lexical.v2``/``lexical.v3``
(at least 30 training examples from two documents) and ``ensemble.v1`` (at least 30 coded passages), both on
their own out-of-fold predictions; ``"none"`` is the ranking of before: the ``top_k`` most probable techniques,
filtered by ``min_confidence`` only. Suggesters without thresholds (``lexical.v1``, ``hybrid.v1``, zero-shot,
or any of the others with too few codings) always get ``"none"``, whatever was asked; the run's result says
which was used. ``min_confidence`` still drops suggestions below it.

**Metrics** (:func:`multilabel_metrics`): examples with the same document and text are one item whose gold
set is their labels, "no technique" labels removed (an empty set = "nothing here"). With Y the gold and Z the
predicted set of an item, over the techniques L (every label but "no technique"):

- example-based precision |Y∩Z|/|Z|, recall |Y∩Z|/|Y|, F1 2|Y∩Z|/(|Y|+|Z|), averaged over items; an item
  with both sets empty scores 1, one with only one of them empty scores 0;
- label-based ``micro_f1`` (TP, FP, FN pooled over techniques) and ``macro_f1`` (mean F1 over techniques with at
  least ``min_support`` gold items, ``macro_labels`` of them);
- ``hamming_loss``: Σ|Y Δ Z| / (items × |L|); ``subset_accuracy``: share of items with Z = Y;
- ``none_correct``: share of the ``none_items`` (Y empty) left empty; ``labels_per_item``: mean |Z|.

Item-level ``top1``/``top3``: a hit when the most probable label (one of the 3 most probable) is in the gold
set, the "no technique" label standing for an empty set.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from bctcoder.errors import InputError
from bctcoder.suggest.base import Prediction
from bctcoder.suggest.corpora import Example
from bctcoder.suggest.thresholds import NONE_LABELS, group_items, is_none_label, model_thresholds, pool_rows

THRESHOLD_MODES = ("calibrated", "global", "none")
"""What a project's suggest run may ask for (``thresholds=``)."""
DECISIONS = ("calibrated", "global", "top1", "topk")
"""The decisions compared by the evaluation (the first two need thresholds)."""


def decide(probabilities: np.ndarray, labels: Sequence[str], per_label: dict[str, float], default: float, *,
           top_k: int = 3, none_labels: Sequence[str] = NONE_LABELS) -> list[list[tuple[str, float]]]:
    """For each row: the techniques at or above their threshold (``per_label``, else ``default``), at most
    ``top_k``, most probable first; none where a "no technique" label is the most probable."""
    P = np.asarray(probabilities, dtype=float)
    labels = list(labels)
    if P.size == 0:
        return [[] for _ in range(P.shape[0])]
    is_none = np.array([is_none_label(label, none_labels) for label in labels])
    limit = np.array([np.inf if is_none[j] else per_label.get(label, default) for j, label in enumerate(labels)])
    mask = (P >= limit[None, :]) & ~is_none[P.argmax(axis=1)][:, None]
    out: list[list[tuple[str, float]]] = []
    for i in range(P.shape[0]):
        cols = np.flatnonzero(mask[i])
        cols = cols[np.argsort(-P[i, cols], kind="stable")][:top_k]
        out.append([(labels[j], float(P[i, j])) for j in cols])
    return out


def check_mode(thresholds: str) -> str:
    if thresholds not in THRESHOLD_MODES:
        raise InputError(f"--thresholds must be one of {', '.join(THRESHOLD_MODES)} (got {thresholds!r})",
                         source="--thresholds")
    return thresholds


def suggestion_ranking(model: Any, prediction: Prediction | None, top_k: int, thresholds: str = "calibrated"
                       ) -> tuple[list[list[tuple[str, float]]], str]:
    """The techniques to suggest for each predicted passage, and the decision used (see the module docstring):
    with thresholds, exactly those to store; with ``"none"``, the ``top_k + 1`` most probable labels
    ("no technique" among them, skipped when stored)."""
    chosen = model_thresholds(model)
    used = thresholds if chosen is not None else "none"
    if prediction is None:
        return [], used
    if used == "none" or chosen is None:
        return prediction.top_k(top_k + 1), "none"
    per_label, default = chosen
    return decide(prediction.probabilities, prediction.labels, per_label if used == "calibrated" else {}, default,
                  top_k=top_k), used


def with_secondary_labels(examples: Sequence[Example]) -> list[Example]:
    """Each example, plus one example per secondary label (``Example.extra``: PA counselling's Strategy2) with
    the same text, document and context, so that the secondary label is part of the item's gold set."""
    out: list[Example] = []
    for e in examples:
        out.append(e)
        out.extend(Example(e.text, x, e.group, e.context, source=e.source) for x in e.extra if x != e.label)
    return out


# ------------------------------------------------------------------------------------------------ metrics

def multilabel_metrics(gold: Sequence[frozenset[str]], predicted: Sequence[Sequence[str]],
                       techniques: Sequence[str], *, min_support: int = 5) -> dict[str, Any]:
    """Multi-label scores of predicted sets against gold sets over the label space ``techniques``."""
    n = len(gold)
    if n == 0:
        return {"items": 0}
    space = list(techniques)
    ex_p, ex_r, ex_f = [], [], []
    tp = dict.fromkeys(space, 0)
    fp = dict.fromkeys(space, 0)
    fn = dict.fromkeys(space, 0)
    wrong = subset = none_items = none_ok = size = 0
    for Y, Z_ in zip(gold, predicted):
        Z = set(Z_)
        hit = len(Y & Z)
        both_empty = not Y and not Z
        ex_p.append(1.0 if both_empty else hit / len(Z) if Z else 0.0)
        ex_r.append(1.0 if both_empty else hit / len(Y) if Y else 0.0)
        ex_f.append(1.0 if both_empty else 2 * hit / (len(Y) + len(Z)))
        for label in Y & Z:
            tp[label] = tp.get(label, 0) + 1
        for label in Z - Y:
            fp[label] = fp.get(label, 0) + 1
        for label in Y - Z:
            fn[label] = fn.get(label, 0) + 1
        wrong += len(Y ^ Z)
        subset += Y == Z
        size += len(Z)
        if not Y:
            none_items += 1
            none_ok += not Z
    TP, FP, FN = sum(tp.values()), sum(fp.values()), sum(fn.values())
    counted = [2 * tp[label] / (2 * tp[label] + fp.get(label, 0) + fn[label])
               for label in tp if tp[label] + fn.get(label, 0) >= min_support]
    return {
        "items": n,
        "example_precision": round(float(np.mean(ex_p)), 4),
        "example_recall": round(float(np.mean(ex_r)), 4),
        "example_f1": round(float(np.mean(ex_f)), 4),
        "micro_f1": round(2 * TP / (2 * TP + FP + FN), 4) if TP + FP + FN else None,
        "macro_f1": round(float(np.mean(counted)), 4) if counted else None,
        "macro_labels": len(counted),
        "hamming_loss": round(wrong / (n * max(len(space), 1)), 6),
        "subset_accuracy": round(subset / n, 4),
        "none_items": none_items,
        "none_correct": round(none_ok / none_items, 4) if none_items else None,
        "labels_per_item": round(size / n, 4),
    }


def evaluate_items(examples: Sequence[Example], labels: Sequence[str], probabilities: np.ndarray,
                   fold_of_row: Sequence[int], fold_thresholds: Sequence[tuple[dict[str, float], float] | None],
                   *, top_k: int = 3, min_support: int = 5, none_labels: Sequence[str] = NONE_LABELS
                   ) -> dict[str, Any]:
    """Multi-label results of held-out predictions (rows = ``examples``, columns = ``labels``), each row
    decided with the thresholds its fold's model chose on its own training data (None: it chose none, then
    only ``top1`` is scored)."""
    labels = list(labels)
    keys = [(int(k), e.group, e.text) for k, e in zip(fold_of_row, examples)]
    item_of_row, gold = group_items(keys, [e.label for e in examples], none_labels)
    P = pool_rows(probabilities, item_of_row, len(gold))
    fold = np.zeros(len(gold), dtype=int)
    fold[item_of_row] = np.asarray(fold_of_row, dtype=int)
    techniques = [label for label in labels if not is_none_label(label, none_labels)]
    none_in_labels = [label for label in labels if is_none_label(label, none_labels)]
    full = [Y or frozenset(none_in_labels[:1]) for Y in gold]       # "nothing here" = the none label
    order = np.argsort(-P, axis=1, kind="stable")[:, :3]
    result: dict[str, Any] = {
        "items": len(gold), "several": sum(len(Y) > 1 for Y in gold), "empty": sum(not Y for Y in gold),
        "top_k": top_k,
        "top1": round(float(np.mean([labels[row[0]] in Y for row, Y in zip(order, full)])), 4),
        "top3": round(float(np.mean([any(labels[j] in Y for j in row) for row, Y in zip(order, full)])), 4),
    }
    decisions: dict[str, Any] = {}
    available = all(t is not None for t in fold_thresholds)
    for name in DECISIONS:
        if name in ("calibrated", "global") and not available:
            decisions[name] = None
            continue
        predicted = _decided(name, P, labels, fold, fold_thresholds, top_k, none_labels)
        decisions[name] = multilabel_metrics(gold, predicted, techniques, min_support=min_support)
    result["decisions"] = decisions
    result["thresholds"] = [None if t is None else {"default": t[1], "per_label": dict(sorted(t[0].items()))}
                            for t in fold_thresholds]
    return result


def _decided(name: str, P: np.ndarray, labels: list[str], fold: np.ndarray,
             fold_thresholds: Sequence[tuple[dict[str, float], float] | None], top_k: int,
             none_labels: Sequence[str]) -> list[list[str]]:
    """The predicted set of every item under one of :data:`DECISIONS`."""
    if name == "topk":
        technique = np.array([not is_none_label(label, none_labels) for label in labels])
        ranked = np.argsort(-P, axis=1, kind="stable")
        return [[labels[j] for j in row[technique[row]][:top_k]] for row in ranked]
    predicted: list[list[str]] = [[] for _ in range(len(P))]
    for k in sorted(set(fold.tolist())):
        rows = np.flatnonzero(fold == k)
        chosen = fold_thresholds[k]
        per_label: dict[str, float] = {}
        default, cap = 0.0, 1                                    # top1: the most probable, if a technique
        if name != "top1":
            assert chosen is not None
            per_label, default, cap = (chosen[0] if name == "calibrated" else {}), chosen[1], top_k
        for i, row in zip(rows, decide(P[rows], labels, per_label, default, top_k=cap, none_labels=none_labels)):
            predicted[i] = [label for label, _ in row]
    return predicted


def format_lines(block: dict[str, Any] | None) -> list[str]:
    """A compact table of a result's ``multilabel`` block (for :func:`bctcoder.suggest.evaluate.format_table`)."""
    if not block or not block.get("items"):
        return []

    def f(x):
        return "—" if x is None else f"{x:.3f}"

    lines = ["", f"multi-label: {block['items']} items ({block['several']} with several labels, {block['empty']} "
                 f"with none), top-1 {f(block['top1'])}, top-3 {f(block['top3'])}, at most {block['top_k']} a passage",
             f"{'decision':<11} {'ex-P':>6} {'ex-R':>6} {'ex-F1':>6} {'micro':>6} {'macro':>6} {'hamming':>8} "
             f"{'subset':>6} {'none-ok':>7} {'labels':>6}"]
    for name, m in block["decisions"].items():
        if m is None:
            lines.append(f"{name:<11} (the suggester chose no thresholds)")
            continue
        lines.append(f"{name:<11} {f(m['example_precision']):>6} {f(m['example_recall']):>6} "
                     f"{f(m['example_f1']):>6} {f(m['micro_f1']):>6} {f(m['macro_f1']):>6} "
                     f"{m['hamming_loss']:>8.5f} {f(m['subset_accuracy']):>6} {f(m['none_correct']):>7} "
                     f"{m['labels_per_item']:>6.2f}")
    per_fold = [t for t in block.get("thresholds", []) if t is not None]
    if per_fold:
        lines.append("thresholds (chosen in each training fold): default " + ", ".join(
            f"{t['default']:.2f}" for t in per_fold) + "; own thresholds for " + ", ".join(
            str(len(t["per_label"])) for t in per_fold) + " techniques")
    return lines
