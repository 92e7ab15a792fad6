"""Scoring passages on a Dask cluster (``bctcoder suggest --scheduler ADDRESS`` or ``local:N``).

The model is fitted once, on this machine, as always; only scoring is spread: the fitted model is sent to
every worker once, the passages go out in batches, each batch comes back as probabilities, and the caller
writes everything in one transaction. Workers never touch the project database. Dask reruns the batch of a
worker that dies (``retries``), and results are keyed by batch number, so a batch finished twice is still
counted once: nothing is written twice. Needs the ``[dask]`` extra (``dask[distributed]``).
"""

from __future__ import annotations

import pickle
from typing import Any, Callable, Sequence

import numpy as np

from bctcoder.errors import InputError
from bctcoder.suggest.base import Prediction

DEFAULT_BATCH = 2_000
RETRIES = 3
Progress = Callable[[int, int], None]


def _predict_batch(model: Any, index: int, texts: list[str], contexts: list[str | None] | None = None
                   ) -> tuple[int, list[str], np.ndarray]:
    """Run on a worker: one batch's probabilities, with the batch number and label order."""
    prediction = model.predict(texts, contexts=contexts) if contexts is not None else model.predict(texts)
    return index, list(prediction.labels), np.asarray(prediction.probabilities)


def _client(scheduler: str) -> tuple[Any, Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--scheduler needs the [dask] extra: pip install 'bctcoder[dask]'",
                         source="--scheduler") from None
    if scheduler.startswith("local:"):
        try:
            workers = int(scheduler.split(":", 1)[1])
        except ValueError:
            workers = 0
        if not 1 <= workers <= 256:
            raise InputError(f"--scheduler {scheduler!r}: give local:N with N workers, 1 to 256",
                             source="--scheduler")
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout="20s"), None
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler {scheduler!r} ({exc})", source="--scheduler") from None


def check_portable(model: Any) -> None:
    """A model must travel to the workers: say so clearly when it cannot (e.g. a local database handle)."""
    try:
        pickle.dumps(model)
    except Exception as exc:   # pickling raises many kinds of errors
        raise InputError(f"the suggester {getattr(model, 'name', model)!r} cannot be sent to Dask workers "
                         f"({exc.__class__.__name__}); run without --scheduler", source="--scheduler") from None


def predict_on_cluster(model: Any, texts: Sequence[str], scheduler: str, *, batch_size: int = DEFAULT_BATCH,
                       progress: Progress | None = None, client: Any = None,
                       contexts: Sequence[str | None] | None = None) -> Prediction:
    """``model.predict(texts)`` (``model.predict(texts, contexts=contexts)`` with ``contexts``) computed in
    batches on a Dask cluster; the same result as locally."""
    if batch_size < 1:
        raise InputError("the batch size must be at least 1", source="--batch-size")
    check_portable(model)
    own, cluster = (None, None) if client is not None else _client(scheduler)
    client = client or own
    try:
        from dask.distributed import as_completed

        remote = client.scatter(model, broadcast=True)
        batches = [list(texts[i:i + batch_size]) for i in range(0, len(texts), batch_size)]
        context_batches = [None if contexts is None else list(contexts[i:i + batch_size])
                           for i in range(0, len(texts), batch_size)]
        futures = [client.submit(_predict_batch, remote, i, batch, context_batches[i], retries=RETRIES, pure=False)
                   for i, batch in enumerate(batches)]
        results: dict[int, tuple[list[str], np.ndarray]] = {}
        for future in as_completed(futures):
            index, labels, probabilities = future.result()
            results.setdefault(index, (labels, probabilities))   # a batch rerun after a failure counts once
            if progress is not None:
                progress(len(results), len(batches))
    finally:
        if own is not None:
            own.close()
        if cluster is not None:
            cluster.close()
    if not batches:
        return model.predict([], contexts=[]) if contexts is not None else model.predict([])
    labels = results[0][0]
    if any(results[i][0] != labels for i in results):
        raise InputError("the Dask workers returned different label orders; check that every worker runs the "
                         "same bctcoder version", source="--scheduler")
    probabilities = np.vstack([results[i][1] for i in range(len(batches))])
    return Prediction(labels=labels, probabilities=probabilities, model=getattr(model, "name", "suggester"))
