"""Suggestion scoring on a Dask cluster gives the same suggestions as one process (#14), even when a worker
dies mid-run. Slow: starts worker processes; CI runs it with the [dask] extra."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
pytestmark = pytest.mark.slow

from bctcoder.suggest.base import Prediction  # noqa: E402
from bctcoder.suggest.distributed import predict_on_cluster  # noqa: E402


def _pending(project):
    frame = project.suggestions()
    return sorted(zip(frame["document"], frame["start"], frame["end"], frame["code"], frame["confidence"].round(9)))


def test_local_cluster_gives_the_same_suggestions(demo):
    demo.suggest(suggester="lexical.v1")
    alone = _pending(demo)
    batches = []
    result = demo.suggest(suggester="lexical.v1", scheduler="local:2", batch_size=15,
                          progress=lambda done, total: batches.append((done, total)))
    assert _pending(demo) == alone and result["suggestions"] == len(alone)
    assert batches[-1][0] == batches[-1][1] > 1


class SlowModel:
    """A picklable stand-in model: slow enough per batch to kill a worker while it works."""

    name = "slow"

    def predict(self, texts):
        time.sleep(0.3)
        import numpy as np

        scores = np.array([[len(t) % 7, len(t) % 5, 1.0] for t in texts], dtype=float)
        return Prediction(labels=["a", "b", "c"], probabilities=scores / scores.sum(axis=1, keepdims=True),
                          model=self.name)


def test_a_worker_that_dies_mid_run_has_its_batch_redone_once():
    from dask.distributed import Client, LocalCluster

    texts = [f"passage number {i} " + "x" * (i % 13) for i in range(240)]
    expected = SlowModel().predict(texts).probabilities
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        killed = []

        def kill_one() -> None:
            time.sleep(1.0)
            worker = next(iter(cluster.workers.values()))
            pid = worker.process.process.pid
            os.kill(pid, signal.SIGKILL)    # the OS process dies, as in a crash
            killed.append(pid)

        threading.Thread(target=kill_one, daemon=True).start()
        done = []
        got = predict_on_cluster(SlowModel(), texts, "", batch_size=10, client=client,
                                 progress=lambda d, t: done.append(d))
    assert got.probabilities.shape == expected.shape
    assert (got.probabilities == expected).all()
    assert killed, "the worker was not killed while the batches ran"
    assert done == list(range(1, 25))       # every batch counted once
