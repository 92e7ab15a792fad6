"""The suggester interface: fit on (text, label) examples, predict label probabilities for texts.

Every suggester knows the label set through :class:`LabelInfo` (number, label,
our description and cue phrases, the official definition when imported), so
the ones that need no training data (zero-shot, the lexical baseline's cue
phrases) work before anything is coded.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

import numpy as np


@dataclass(frozen=True)
class LabelInfo:
    """What a suggester may know about one label (a technique or a corpus class)."""

    id: str                       # "3.1", or a corpus class such as "Question"
    label: str
    description: str | None = None
    cues: tuple[str, ...] = ()
    definition: str | None = None

    def prototype_texts(self) -> list[str]:
        """Short texts that describe the label: its name, description, cue phrases and definition."""
        texts = [self.label]
        if self.description:
            texts.append(self.description)
        texts.extend(self.cues)
        if self.definition:
            texts.append(self.definition)
        return texts


@dataclass
class Prediction:
    """Probabilities (rows = texts, columns = ``labels``) and the suggester that made them."""

    labels: list[str]
    probabilities: np.ndarray
    model: str

    def top_k(self, k: int = 3) -> list[list[tuple[str, float]]]:
        """For each text, the k most probable labels with their probabilities."""
        order = np.argsort(-self.probabilities, axis=1)[:, :k]
        return [[(self.labels[j], float(self.probabilities[i, j])) for j in row] for i, row in enumerate(order)]

    def uncertainty(self) -> np.ndarray:
        """1 − (margin between the two most probable labels): high when the model hesitates."""
        if self.probabilities.shape[1] < 2:
            return np.zeros(len(self.probabilities))
        top2 = -np.sort(-self.probabilities, axis=1)[:, :2]
        return 1.0 - (top2[:, 0] - top2[:, 1])


class Suggester(Protocol):
    """What every registered suggester provides."""

    name: str          # registry name with version, e.g. "zeroshot.v1"
    needs_embeddings: bool

    def fit(self, texts: Sequence[str], labels: Sequence[str], labels_info: Sequence[LabelInfo],
            groups: Sequence[str] | None = None) -> "Suggester":
        """Learn from labelled texts (may be empty) and the label descriptions."""

    def predict(self, texts: Sequence[str]) -> Prediction:
        """Label probabilities for each text."""


@dataclass
class TrainingSet:
    """Labelled texts for fitting: texts, labels, and the document each came from (for grouped CV)."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


def reads_turn_context(model: Any) -> bool:
    """Whether a suggester is given the previous turn of each passage in a project: it takes ``contexts`` and
    says it was built and measured for a transcript's previous turn (``turn_context = True``, so far
    ``lexical.v3``). Others that take contexts (``ensemble.v1``, built for ESConv's help-seeker message) are
    not given a kind of context they were never measured with."""
    return bool(getattr(model, "turn_context", False)) and accepts_contexts(model.fit)


def accepts_contexts(method: Callable) -> bool:
    """Whether a suggester's ``fit`` or ``predict`` takes ``contexts`` (the text before each passage)."""
    try:
        return "contexts" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
