"""Speaker labels at the start of transcript lines ("Interviewer:", "PW1:", "SP2:").

A label that names a role or a study code is not an identifier: :func:`mask_role_labels` blanks it out (with
spaces, so every offset stays where it was) before anything looks for identifiers, so "SP2" is never a
postcode and "Interviewer" never an organisation. A label that is a name ("Sarah:") is left in the text and
reported by :func:`name_labels`, since it identifies the speaker.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bctcoder.corpus.patterns import match_colon_label
from bctcoder.pseudonymise.vocabulary import RELATIONS, ROLE_LABEL_WORDS

_WORDS = re.compile(r"[^\W\d_]+")
_NAME_WORD = re.compile(r"[A-Z][a-z'’\-]+")


class LabelSpan(NamedTuple):
    """A speaker label's span in the text (the label itself, without the colon)."""

    start: int
    end: int
    text: str


def speaker_labels(text: str) -> list[LabelSpan]:
    """Every speaker label at the start of a line ("Name:" or "[00:01] Name:")."""
    labels = []
    offset = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        found = match_colon_label(content.rstrip())
        if found is not None:
            at = content.find(found.speaker)
            if at >= 0:
                labels.append(LabelSpan(offset + at, offset + at + len(found.speaker), found.speaker))
        offset += len(line)
    return labels


def is_role_label(label: str) -> bool:
    """Whether a label names a role or a code rather than a person: it holds a digit ("PW1", "Participant
    12"), is in capitals and short ("SP", "INT"), or consists of role words ("Interviewer", "Peer worker")."""
    if any(c.isdigit() for c in label):
        return True
    words = [w.casefold() for w in _WORDS.findall(label)]
    if not words:
        return True
    if label.isupper() and len(label) <= 4:
        return True
    return all(w in ROLE_LABEL_WORDS or w in RELATIONS for w in words)


def mask_role_labels(text: str) -> str:
    """``text`` with every role or code speaker label (and its colon) replaced by spaces; same length."""
    chars = list(text)
    for label in speaker_labels(text):
        if is_role_label(label.text):
            end = label.end
            while end < len(text) and text[end] in " \t:\uff1a":
                end += 1
            for i in range(label.start, end):
                chars[i] = " "
    return "".join(chars)


def name_labels(text: str) -> list[LabelSpan]:
    """Speaker labels that are people's names: one to three capitalised words, not role words."""
    names = []
    for label in speaker_labels(text):
        words = label.text.split()
        if not is_role_label(label.text) and 1 <= len(words) <= 3 and all(_NAME_WORD.fullmatch(w) for w in words):
            names.append(label)
    return names
