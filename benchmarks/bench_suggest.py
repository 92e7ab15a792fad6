"""Time suggestions for 1,000 passages after the model is loaded (issue #6's speed target), and peak memory.

Fits the chosen suggester on the built-in technique descriptions plus 200 labelled synthetic passages, then
predicts the top-3 techniques for 1,000 new passages (distinct sentences, nothing cached), and again with the
embeddings cached.

    python benchmarks/bench_suggest.py                       # hybrid.v1 (needs the [suggest] extra)
    python benchmarks/bench_suggest.py --suggester lexical.v1
    python benchmarks/bench_suggest.py --backend torch        # exact sentence-transformers vectors

The first ONNX run exports the model into the user's cache folder; that one-off export is timed apart
from loading.
"""

from __future__ import annotations

import argparse
import random
import resource
import time

from bctcoder.suggest.base import LabelInfo
from bctcoder.suggest.embedders import Embedder, MemoryCache
from bctcoder.suggest.registry import create
from bctcoder.taxonomy.builtin import builtin_rows

WORDS = ("she listened to me and we made a plan for the week walking together helped me feel calmer "
         "I wrote it down in a diary my peer worker had been through it too so I trusted her").split()


def sentences(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + f" ({seed}-{i})." for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suggester", default="hybrid.v1")
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--backend", default=None, help="embedding backend: auto (default), torch, onnx, onnx-int8")
    args = parser.parse_args()
    labels = [LabelInfo(r["id"], r["label"], r["description"], tuple(r["cues"])) for r in builtin_rows()]
    suggester = create(args.suggester)
    export = 0.0
    if getattr(suggester, "needs_embeddings", False) and args.backend != "torch":
        t0 = time.perf_counter()
        Embedder(backend=args.backend)   # exports to the cache folder on first use, else just loads
        export = time.perf_counter() - t0
    t0 = time.perf_counter()
    backend = "-"
    if getattr(suggester, "needs_embeddings", False):
        suggester._embedder = Embedder(backend=args.backend)
        suggester._cache = MemoryCache()
        backend = suggester._embedder.backend
    load = time.perf_counter() - t0
    rng = random.Random(1)
    train = sentences(200, 1)
    train_labels = [rng.choice(labels).id for _ in train]
    t0 = time.perf_counter()
    suggester.fit(train, train_labels, labels)
    fit = time.perf_counter() - t0
    passages = sentences(args.passages, 2)
    t0 = time.perf_counter()
    top = suggester.predict(passages).top_k(3)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    suggester.predict(passages)
    warm = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert len(top) == args.passages
    print(f"suggester {args.suggester}, embedding backend {backend}: first load/export {export:.1f} s, "
          f"model load {load:.1f} s, fit {fit:.1f} s")
    print(f"{args.passages} passages: {cold:.2f} s uncached, {warm:.2f} s with cached embeddings; "
          f"peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
