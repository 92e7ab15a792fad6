"""Recall and precision of identifier detection (#16) on the synthetic annotated transcripts.

Each file of ``benchmarks/pseudonymisation_set/`` is a transcript whose identifiers are marked inline,
``{{PERSON|Sarah}}``; the marks are stripped to get the text and the gold spans. ``study_list.yaml`` is the
study's list. The rules were tuned on the development half (files 01–06) only; the held-out half (07–12)
is reported separately and was not used for tuning. Each half is detected as a project of its own.

Recall of a category: gold spans fully covered by a predicted span (of any category: the identifier is
removed); "typed" recall counts only predictions of the gold span's category (the replacement label is
right too). Precision: predicted spans that overlap a gold span of any category / all predicted spans.

    python benchmarks/bench_pseudonymise.py                 # markdown tables, all four configurations
    python benchmarks/bench_pseudonymise.py --json          # the same as JSON
    python benchmarks/bench_pseudonymise.py --half dev --errors   # misses and false alarms (development half)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from bctcoder.pseudonymise import CATEGORIES, Finding, StudyLists, detect_identifiers, read_study_lists

SET = Path(__file__).resolve().parent / "pseudonymisation_set"
MARK = re.compile(r"\{\{([A-Z_]+)\|([^{}|]+)\}\}")
HALVES = {"dev": ("01", "02", "03", "04", "05", "06"), "heldout": ("07", "08", "09", "10", "11", "12")}


def load_annotated(path: Path) -> tuple[str, list[tuple[int, int, str]]]:
    """A marked-up transcript's plain text and its gold spans (start, end, category)."""
    marked = path.read_text(encoding="utf-8")
    text, gold, at = [], [], 0
    length = 0
    for m in MARK.finditer(marked):
        before = marked[at:m.start()]
        text.append(before)
        length += len(before)
        category, value = m.group(1), m.group(2)
        if category not in CATEGORIES:
            raise SystemExit(f"{path.name}: unknown category {category}")
        gold.append((length, length + len(value), category))
        text.append(value)
        length += len(value)
        at = m.end()
    text.append(marked[at:])
    return "".join(text), gold


def load_half(folder: Path, half: str) -> tuple[dict[str, str], dict[str, list[tuple[int, int, str]]]]:
    texts, gold = {}, {}
    for path in sorted(folder.glob("*.txt")):
        if path.name[:2] in HALVES[half]:
            texts[path.name], gold[path.name] = load_annotated(path)
    return texts, gold


def score(texts: dict[str, str], gold: dict[str, list[tuple[int, int, str]]], found: list[Finding]
          ) -> dict[str, Any]:
    """Recall per category (any and typed), precision per predicted category and overall."""
    predicted: dict[str, list[Finding]] = {}
    for f in found:
        predicted.setdefault(f.document, []).append(f)
    per: dict[str, dict[str, int]] = {c: {"gold": 0, "covered": 0, "typed": 0, "predicted": 0, "correct": 0}
                                      for c in CATEGORIES}
    misses, false_alarms = [], []
    for document, spans in gold.items():
        preds = predicted.get(document, [])
        for start, end, category in spans:
            per[category]["gold"] += 1
            covering = [p for p in preds if p.start <= start and end <= p.end]
            if covering:
                per[category]["covered"] += 1
            if any(p.category == category for p in covering):
                per[category]["typed"] += 1
            if not covering:
                misses.append((document, category, texts[document][start:end]))
        for p in preds:
            per[p.category]["predicted"] += 1
            if any(p.start < end and start < p.end for start, end, _c in spans):
                per[p.category]["correct"] += 1
            else:
                false_alarms.append((document, p.category, p.text, p.source))
    rows = {}
    for category, n in per.items():
        rows[category] = {
            "gold": n["gold"], "recall": n["covered"] / n["gold"] if n["gold"] else None,
            "typed_recall": n["typed"] / n["gold"] if n["gold"] else None, "predicted": n["predicted"],
            "precision": n["correct"] / n["predicted"] if n["predicted"] else None}
    total_gold = sum(n["gold"] for n in per.values())
    total_predicted = sum(n["predicted"] for n in per.values())
    overall = {"gold": total_gold, "recall": sum(n["covered"] for n in per.values()) / total_gold,
               "typed_recall": sum(n["typed"] for n in per.values()) / total_gold, "predicted": total_predicted,
               "precision": (sum(n["correct"] for n in per.values()) / total_predicted) if total_predicted else None}
    return {"categories": rows, "overall": overall, "misses": misses, "false_alarms": false_alarms}


def run(folder: Path, half: str, use_list: bool, nlp: str | bool | None) -> dict[str, Any]:
    texts, gold = load_half(folder, half)
    lists = read_study_lists(folder / "study_list.yaml") if use_list else StudyLists()
    detect_identifiers({"warm-up": "Warm up."}, nlp=nlp)          # load the pipeline outside the timing
    started = time.perf_counter()
    found = detect_identifiers(texts, lists, nlp=nlp)
    seconds = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts.values())
    result = score(texts, gold, found)
    result.update(half=half, study_list=use_list, spacy=nlp is not False, documents=len(texts), words=words,
                  seconds=round(seconds, 3))
    return result


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def markdown(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        title = (f"### {'held-out (07–12)' if r['half'] == 'heldout' else 'development (01–06)'}, "
                 f"{'with' if r['study_list'] else 'without'} the study list, "
                 f"{'with' if r['spacy'] else 'without'} spaCy — {r['documents']} transcripts, {r['words']:,} words, "
                 f"{r['seconds']:.2f} s")
        lines += [title, "", "| category | gold | recall | typed recall | predicted | precision |",
                  "|---|---|---|---|---|---|"]
        for category, row in r["categories"].items():
            if row["gold"] or row["predicted"]:
                lines.append(f"| {category} | {row['gold']} | {_fmt(row['recall'])} | {_fmt(row['typed_recall'])} | "
                             f"{row['predicted']} | {_fmt(row['precision'])} |")
        o = r["overall"]
        lines += [f"| **all** | {o['gold']} | {_fmt(o['recall'])} | {_fmt(o['typed_recall'])} | {o['predicted']} | "
                  f"{_fmt(o['precision'])} |", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET, help="folder of annotated transcripts")
    parser.add_argument("--half", choices=("dev", "heldout", "both"), default="both")
    parser.add_argument("--nlp", default=None, help="spaCy pipeline (default: the installed one)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms")
    args = parser.parse_args(argv)
    halves = ("dev", "heldout") if args.half == "both" else (args.half,)
    results = [run(args.set, half, use_list, args.nlp if use_spacy else False)
               for half in halves for use_spacy in (True, False) for use_list in (True, False)]
    if args.json:
        json.dump(results if args.errors else [{k: v for k, v in r.items() if k not in ("misses", "false_alarms")}
                                               for r in results], sys.stdout, indent=1)
        print()
    else:
        print(markdown(results))
        if args.errors:
            for r in results:
                print(f"## {r['half']} list={r['study_list']} spacy={r['spacy']}")
                for miss in r["misses"]:
                    print("  MISS", *miss)
                for alarm in r["false_alarms"]:
                    print("  FALSE", *alarm)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
