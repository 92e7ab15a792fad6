"""Suggestion scoring on Dask (#14): throughput with 1 and 2 single-threaded workers against one process.

Fits ``--suggester`` (default lexical.v1) on the demo project's codings, generates ``--passages`` passages
(default 100,000) from a fixed vocabulary, and scores them: in this process, then on a LocalCluster of 1 and
of 2 worker processes (each with one thread), in batches of ``--batch-size``. Cluster start-up is timed
apart from scoring. Prints passages per second and the speed-up against one process; checks that every
cluster run gives exactly the single-process probabilities.

    python benchmarks/bench_dask.py
    python benchmarks/bench_dask.py --passages 20000 --suggester lexical.v1
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from bctcoder.demo.build import build_demo
from bctcoder.project import Project
from bctcoder.suggest.distributed import predict_on_cluster
from bctcoder.suggest.service import ProjectEmbeddingCache, fit_suggester, training_data

WORDS = ("support listen plan goal walk talk felt better week together hope group call phone practise step worry "
         "calm breathe routine friend family work sleep appointment medication diary notice change peer lived "
         "experience trust judged understood again told").split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2_000)
    parser.add_argument("--suggester", default="lexical.v1")
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    rng = random.Random(7)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + "." for _ in range(args.passages)]
    with tempfile.TemporaryDirectory() as tmp:
        build_demo(Path(tmp), suggester=args.suggester)
        with Project.open(Path(tmp) / "demo.bctcoder", user="bench") as p:
            with p.reading() as s:
                data = training_data(s, args.suggester)
            model = fit_suggester(data, None, ProjectEmbeddingCache(read=p.reading))
    t0 = time.perf_counter()
    alone = np.vstack([model.predict(texts[i:i + args.batch_size]).probabilities
                       for i in range(0, len(texts), args.batch_size)])
    single = time.perf_counter() - t0
    print(f"{args.passages} passages, {args.suggester}, batches of {args.batch_size}")
    print(f"one process         {args.passages / single:9.0f} passages/s   ({single:.1f} s)")
    for workers in (1, 2):
        t0 = time.perf_counter()
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            started = time.perf_counter() - t0
            t1 = time.perf_counter()
            got = predict_on_cluster(model, texts, "", batch_size=args.batch_size, client=client)
            scoring = time.perf_counter() - t1
        assert np.array_equal(got.probabilities, alone), "the cluster's result differs from one process"
        print(f"{workers} worker(s)         {args.passages / scoring:9.0f} passages/s   ({scoring:.1f} s; start-up "
              f"{started:.1f} s)   speed-up ×{single / scoring:.2f}, per worker ×{single / scoring / workers:.2f}")


if __name__ == "__main__":
    main()
