"""Deciding which speaker labels denote the interviewer."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

DEFAULT_INTERVIEWER_LABELS: frozenset[str] = frozenset(
    {
        "interviewer",
        "int",
        "i",
        "q",
        "researcher",
        "facilitator",
        "moderator",
        "interviewer 1",
        "interviewer 2",
        "sur",
    }
)


def normalize_label(label: str) -> str:
    """Return ``label`` case-folded, without punctuation, whitespace collapsed."""
    kept = "".join(ch for ch in label if not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.casefold().split())


def interviewer_label_set(labels: Iterable[str] | None = None) -> frozenset[str]:
    """Return the normalised interviewer labels (the defaults when ``labels`` is None)."""
    if labels is None:
        return DEFAULT_INTERVIEWER_LABELS
    if isinstance(labels, str):
        labels = [labels]
    return frozenset(normalize_label(label) for label in labels)


def is_interviewer(speaker: str, labels: frozenset[str]) -> bool:
    """Whether ``speaker`` is an interviewer given normalised ``labels``.

    A speaker is the interviewer when its normalised label is in ``labels`` or
    starts with ``"interviewer"``; the empty speaker never is.
    """
    key = normalize_label(speaker)
    if not key:
        return False
    return key in labels or key.startswith("interviewer")
