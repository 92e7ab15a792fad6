"""Several techniques per passage: calibrated per-technique thresholds vs one global threshold vs top-1 (#15).

Held out only. Every row comes from ``bctcoder evaluate`` (:func:`bctcoder.suggest.evaluate.evaluate`): K-fold
cross-validation grouped by document, each test fold predicted by a model fitted on the other folds; the
thresholds are chosen **inside each training fold** (on the out-of-fold predictions of that fold's own
calibration, :mod:`bctcoder.suggest.thresholds`), never on the test fold. Examples with the same document and
text are one item with a label set (:mod:`bctcoder.suggest.multilabel`).

Corpora (under ``--corpora``, default ``$BCTCODER_CORPORA`` or ``../shared/corpora``):

- ``hbcp``: HBCP physical activity, ``hbcp/physical_activity_62_papers.json`` (the default files of
  ``bctcoder evaluate --corpus hbcp``), 5-fold CV grouped by paper; a highlight coded with several techniques
  is one item with several labels; no "nothing here" items (only coded highlights are in the corpus).
- ``pa``: PA counselling coach sentences, 5-fold CV grouped by dialogue; Strategy1 only (at most one label,
  ``None`` = nothing here).
- ``pa+2``: the same with Strategy2 as a second gold label (``--secondary-labels``): trained on and scored as
  multi-label.

Decisions per row: ``calibrated`` (per-technique thresholds where a technique had ≥ ``min_positives`` positive
items in the training fold, else the global one), ``global`` (one threshold for all), ``top1`` (the most
probable label), ``topk`` (the 3 most probable techniques, always: a project's ranking before thresholds).

Usage::

    python benchmarks/bench_multilabel.py [--corpora DIR] [--suggesters lexical.v2] [--sets hbcp,pa,pa+2]
                                          [--min-positives 40] [--beta 1] [--embedding-cache DIR]
                                          [--speed] [--json]

``lexical.v2`` takes about 2 minutes for HBCP and 1 minute for each PA set on 2 shared cores (``nice`` it).
Exits 0 with a note when the corpora are absent.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "hbcp": ("hbcp", False, "HBCP PA 62 papers (EPPI JSON), 5-fold CV by paper"),
    "pa": ("pa-counseling", False, "PA counselling, Strategy1, 5-fold CV by dialogue"),
    "pa+2": ("pa-counseling", True, "PA counselling, Strategy1+2, 5-fold CV by dialogue"),
}
COLUMNS = ("example_precision", "example_recall", "example_f1", "micro_f1", "macro_f1", "hamming_loss",
           "subset_accuracy", "none_correct", "labels_per_item")


def command(name: str, suggester: str, options: dict[str, Any]) -> str:
    corpus, secondary, _ = SETS[name]
    if options:   # threshold options are not CLI options of `bctcoder evaluate`: this benchmark's command
        flag = {"min_positives": "--min-positives", "threshold_beta": "--beta"}
        extra = " ".join(f"{flag[k]} {v}" for k, v in options.items())
        return f"python benchmarks/bench_multilabel.py --sets {name} --suggesters {suggester} {extra}"
    return (f"bctcoder evaluate --corpus {corpus} --suggester {suggester}" + (" --secondary-labels" if secondary
                                                                                else "") + " -f json")


def run_set(name: str, suggester: str, corpora: Path, options: dict[str, Any], cache_dir: Path | None = None
            ) -> dict[str, Any]:
    """One evaluation (5-fold CV), its multi-label block and the command that reproduces it."""
    from bctcoder.suggest.corpora import default_corpus_files, load_corpus
    from bctcoder.suggest.evaluate import NpyCache, evaluate
    from bctcoder.suggest.multilabel import with_secondary_labels

    corpus, secondary, split = SETS[name]
    os.environ["BCTCODER_CORPORA"] = str(corpora)
    data = load_corpus(corpus, default_corpus_files(corpus))
    examples = with_secondary_labels(data.examples) if secondary else data.examples
    started = time.perf_counter()
    result = evaluate(examples, data.labels_info, suggester, cv=5, seed=0, options=options or None,
                      cache=NpyCache(cache_dir) if cache_dir else None,
                      progress=lambda m: print(f"  {name} {suggester}: {m}", file=sys.stderr, flush=True))
    block = result["multilabel"]
    return {"set": name, "split": split, "suggester": suggester, "options": options,
            "command": command(name, suggester, options), "seconds": round(time.perf_counter() - started, 1),
            "items": block["items"], "several": block["several"], "empty": block["empty"],
            "top1": block["top1"], "top3": block["top3"], "decisions": block["decisions"],
            "thresholds": block["thresholds"]}


def speed(corpora: Path) -> dict[str, Any]:
    """Seconds to predict and decide 1,000 passages with ``lexical.v2`` fitted on PA counselling."""
    from bctcoder.suggest import registry
    from bctcoder.suggest.corpora import default_corpus_files, load_corpus
    from bctcoder.suggest.multilabel import suggestion_ranking

    os.environ["BCTCODER_CORPORA"] = str(corpora)
    data = load_corpus("pa-counseling", default_corpus_files("pa-counseling"))
    ex = data.examples
    model = registry.create("lexical.v2").fit([e.text for e in ex], [e.label for e in ex], data.labels_info,
                                              [e.group for e in ex])
    texts = [ex[i % len(ex)].text + f" ({i})" for i in range(1000)]
    started = time.perf_counter()
    ranked, used = suggestion_ranking(model, model.predict(texts), 3, "calibrated")
    return {"passages": 1000, "seconds": round(time.perf_counter() - started, 3), "decision": used,
            "suggestions": sum(len(r) for r in ranked)}


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| split | suggester | decision | items (several / none) | item top-1 | ex-P | ex-R | ex-F1 | micro-F1 | "
            "macro-F1 | Hamming | subset acc. | none left empty | labels/item | command |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]

    def f(x, digits=3):
        return "—" if x is None else f"{x:.{digits}f}"

    for row in rows:
        for decision, m in row["decisions"].items():
            if m is None:
                continue
            lines.append(f"| {row['split']} | {row['suggester']}{_opts(row['options'])} | {decision} | "
                         f"{row['items']} ({row['several']} / {row['empty']}) | {f(row['top1'])} | "
                         f"{f(m['example_precision'])} | {f(m['example_recall'])} | {f(m['example_f1'])} | "
                         f"{f(m['micro_f1'])} | {f(m['macro_f1'])} | {f(m['hamming_loss'], 5)} | "
                         f"{f(m['subset_accuracy'])} | {f(m['none_correct'])} | {f(m['labels_per_item'], 2)} | "
                         f"`{row['command']}` |")
    return "\n".join(lines)


def _opts(options: dict[str, Any]) -> str:
    return f" ({', '.join(f'{k}={v}' for k, v in options.items())})" if options else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=Path(os.environ.get("BCTCODER_CORPORA",
                                                                             ROOT.parent / "shared" / "corpora")))
    parser.add_argument("--suggesters", default="lexical.v2")
    parser.add_argument("--sets", default="hbcp,pa,pa+2")
    parser.add_argument("--min-positives", type=int, default=None, help="threshold option (default 40)")
    parser.add_argument("--beta", type=float, default=None, help="F-beta the thresholds maximise (default 1)")
    parser.add_argument("--embedding-cache", type=Path, default=None, help="ensemble.v1: keep embeddings here")
    parser.add_argument("--speed", action="store_true", help="also time 1,000 suggestions after fitting")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.corpora / "hbcp").is_dir() or not (args.corpora / "pa_counseling").is_dir():
        print(f"corpora not found under {args.corpora}: nothing measured")
        return 0
    options: dict[str, Any] = {}
    if args.min_positives is not None:
        options["min_positives"] = args.min_positives
    if args.beta is not None:
        options["threshold_beta"] = args.beta
    rows = []
    for suggester in args.suggesters.split(","):
        for name in args.sets.split(","):
            rows.append(run_set(name.strip(), suggester.strip(), args.corpora, options, args.embedding_cache))
    out: dict[str, Any] = {"rows": rows}
    if args.speed:
        out["speed"] = speed(args.corpora)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(table(rows))
    for row in rows:
        fold = [t for t in row["thresholds"] if t]
        if fold:
            print(f"\n{row['split']}, {row['suggester']}: default thresholds per fold "
                  f"{[t['default'] for t in fold]}, techniques with their own "
                  f"{[len(t['per_label']) for t in fold]}; {row['seconds']} s")
    if args.speed:
        print(f"\nspeed: {out['speed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
