"""Evaluating a suggester on a project's own codings (``bctcoder evaluate PROJECT --cv K``).

The examples are the passages the project's coders coded with a technique (manual, accepted, consensus; the
same evidence reports count) and rejected-only passages as "(none)"; folds are by document, so the model is
always scored on transcripts it was not trained on. Besides the passage-level metrics, the result says how
the model's document-level verdicts agree with the coders', the way Table 2 counts: a technique is present in
a transcript when a passage there has it (the coders' label, or the model's top-1 on the held-out passage).
The model sees only the passages the coders coded, so "model only" means it gave a coded passage a technique
the coders did not find anywhere in that transcript.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from bctcoder.agreement.statistics import from_2x2
from bctcoder.suggest.corpora import Example

NONE = "(none)"


def presence_agreement(examples: Sequence[Example], labels: Sequence[str], probabilities: np.ndarray
                       ) -> dict[str, Any]:
    """Per technique over documents: both, coders only, model only, neither; PABAK and Cohen's kappa."""
    top = [labels[j] for j in np.asarray(probabilities).argmax(axis=1)]
    docs = sorted({e.group for e in examples})
    human = {(e.group, e.label) for e in examples}
    model = {(e.group, t) for e, t in zip(examples, top)}
    techniques = sorted(({e.label for e in examples} | set(top)) - {NONE})
    rows, pooled = [], np.zeros((2, 2), dtype=int)
    for technique in techniques:
        table = np.zeros((2, 2), dtype=int)
        for d in docs:
            table[int((d, technique) not in human), int((d, technique) not in model)] += 1
        pooled += table
        stats = from_2x2(table)
        rows.append({"label": technique, "both": int(table[0, 0]), "coders_only": int(table[0, 1]),
                     "model_only": int(table[1, 0]), "neither": int(table[1, 1]),
                     "pabak": _round(stats["pabak"].value), "cohen_kappa": _round(stats["cohen_kappa"].value)})
    overall = from_2x2(pooled) if pooled.sum() else None
    return {"documents": len(docs), "techniques": rows,
            "pooled": None if overall is None else {
                "both": int(pooled[0, 0]), "coders_only": int(pooled[0, 1]), "model_only": int(pooled[1, 0]),
                "neither": int(pooled[1, 1]), "pabak": _round(overall["pabak"].value),
                "cohen_kappa": _round(overall["cohen_kappa"].value)}}


def _round(value: float) -> float | None:
    return None if value != value else round(float(value), 4)
