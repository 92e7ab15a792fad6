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


QUESTION_SHARE = 0.3


def guess_interviewer(turns: list[tuple[str, str]], participant: str | None = None) -> str | None:
    """The speaker who is most likely the interviewer, or None when the transcript does not say.

    ``turns`` are (speaker, utterance). Among labelled speakers with two or more turns whose label does not
    name the ``participant`` (the case key), the one whose turns most often end with a question mark, if
    at least ``QUESTION_SHARE`` of them do and no other speaker asks as often. One speaker alone is never
    the interviewer.
    """
    asked: dict[str, list[int]] = {}
    for speaker, text in turns:
        if speaker:
            counts = asked.setdefault(speaker, [0, 0])
            counts[0] += 1
            counts[1] += text.rstrip().endswith(("?", "\uff1f"))
    if len(asked) < 2:
        return None
    who = normalize_label(participant) if participant else ""
    shares = {s: q / n for s, (n, q) in asked.items()
              if n >= 2 and not (who and (who in normalize_label(s) or normalize_label(s) in who))}
    if not shares:
        return None
    best = max(shares, key=lambda s: shares[s])
    others = [v for s, v in shares.items() if s != best]
    if shares[best] < QUESTION_SHARE or (others and max(others) >= shares[best]):
        return None
    return best
