"""Held-out quality of the suggesters on the public corpora in ../shared/corpora (not shipped with bctcoder).

Runs, for each suggester:

- HBCP physical activity, 62 papers (EPPI-Reviewer JSON): 5-fold cross-validation grouped by paper, with our
  label descriptions only and with the official BCTO definitions added (``../shared/taxonomy/bcto.xlsx``);
- HBCP smoking cessation (FLAIR CoNLL): train on ``flair_train``, test on ``flair_test`` (zeroshot.v2's fixed
  weights were fitted on ``flair_train``, so only ``flair_test`` is held out for it);
- ESConv: train on ``train.jsonl``, test on ``valid.jsonl`` (8 supporter strategies);
- PA counseling: 5-fold cross-validation grouped by dialogue (Strategy1 of coach sentences).

Usage::

    python benchmarks/bench_suggest_quality.py [--only hbcp,flair,esconv,pa] [--suggesters a,b]
        [--embedding-cache DIR] [--json OUT] [--seed 0]

Embedding everything once takes ~15 minutes on 2 CPU cores (ESConv is most of it); ``--embedding-cache``
keeps the vectors for later runs. Exits 0 with a note when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
BCTO = SHARED / "taxonomy" / "bcto.xlsx"

DEFAULT_SUGGESTERS = ("lexical.v1", "zeroshot.v1", "zeroshot.v2", "supervised.v1", "hybrid.v1", "ensemble.v1")
ZERO_SHOT = {"zeroshot.v1", "zeroshot.v2"}


def tasks(only: set[str]):
    """(key, description, corpus, train files, test files or None, definitions file or None)."""
    out = []
    if "hbcp" in only:
        files = [CORPORA / "hbcp" / "physical_activity_62_papers.json"]
        out.append(("hbcp-pa62", "HBCP PA 62 papers, 5-fold CV by paper (our descriptions)", "hbcp", files, None,
                    None))
        out.append(("hbcp-pa62+bcto", "HBCP PA 62 papers, 5-fold CV by paper (+ BCTO definitions)", "hbcp", files,
                    None, BCTO))
    if "flair" in only:
        out.append(("hbcp-flair", "HBCP smoking (FLAIR CoNLL) train -> test", "hbcp",
                    [CORPORA / "hbcp" / "flair_train_conll.tsv"], [CORPORA / "hbcp" / "flair_test_conll.tsv"], None))
    if "esconv" in only:
        out.append(("esconv", "ESConv strategies train -> valid", "esconv", [CORPORA / "esconv" / "train.jsonl"],
                    [CORPORA / "esconv" / "valid.jsonl"], None))
    if "pa" in only:
        out.append(("pa-counseling", "PA coaching Strategy1, 5-fold CV by dialogue", "pa-counseling",
                    [CORPORA / "pa_counseling" / "simulated_dialog"], None, None))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="hbcp,flair,esconv,pa")
    parser.add_argument("--suggesters", default=",".join(DEFAULT_SUGGESTERS))
    parser.add_argument("--embedding-cache", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write every result (with per-label rows) here")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not CORPORA.is_dir():
        print(f"skipped: reference corpora {CORPORA} are absent (only in the team's checkout)")
        return 0

    from bctcoder.suggest.corpora import load_corpus
    from bctcoder.suggest.embedders import MemoryCache
    from bctcoder.suggest.evaluate import NpyCache, evaluate

    cache = NpyCache(args.embedding_cache) if args.embedding_cache else MemoryCache()
    suggesters = [s for s in args.suggesters.split(",") if s]
    rows, results = [], []
    for key, description, corpus, train, test, definitions in tasks(set(args.only.split(","))):
        data = load_corpus(corpus, train, definitions=definitions)
        test_examples = load_corpus(corpus, test, definitions=definitions).examples if test else None
        print(f"\n== {description}: {len(data.examples)} examples"
              + (f", test {len(test_examples)}" if test_examples else "")
              + f"\n   labels: {data.label_mapping}", flush=True)
        for name in suggesters:
            if definitions is not None and name in ("lexical.v1",):
                continue   # the lexical baseline's result hardly depends on the definitions: run once
            started = time.perf_counter()
            result = evaluate(data.examples, data.labels_info, name, cv=None if test_examples else 5,
                              test=test_examples, seed=args.seed, cache=cache)
            result.update(task=key, description=description, label_mapping=data.label_mapping)
            results.append(result)
            row = {"task": key, "suggester": name, "n_test": result["n_test"], "top1": result["top1"],
                   "top3": result["top3"], "macro_f1": result["macro_f1"], "macro_labels": result["macro_labels"],
                   "micro_f1": result["micro_f1"], "ece": result["calibration"]["ece"],
                   "seconds": round(time.perf_counter() - started)}
            rows.append(row)
            print(f"   {name:<14} top-1 {row['top1']:.3f}  top-3 {row['top3']:.3f}  macro-F1 {row['macro_f1']:.3f} "
                  f"({row['macro_labels']} labels)  ECE {row['ece']:.3f}  [{row['seconds']} s]", flush=True)
    print("\n| task | suggester | n_test | top-1 | top-3 | macro-F1 | micro-F1 | ECE |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['task']} | {r['suggester']} | {r['n_test']} | {r['top1']:.3f} | {r['top3']:.3f} | "
              f"{r['macro_f1']:.3f} ({r['macro_labels']}) | {r['micro_f1']:.3f} | {r['ece']:.3f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
