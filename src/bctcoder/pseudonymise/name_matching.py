"""Comparing names: the normal form two mentions are compared in, and spelling variants one edit apart."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"['’]s?$")


def normalise_name(text: str) -> str:
    """The form mentions are compared in: case folded, one space between words, curly apostrophes straight,
    a possessive ending and a leading "the" removed ("The Becklin Centre's" → "becklin centre")."""
    value = _SPACES.sub(" ", text.replace("’", "'").strip()).casefold()
    value = _POSSESSIVE.sub("", value).strip()
    if value.startswith("the "):
        value = value[4:]
    return value


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion, substitution or swap of two
    neighbouring letters (case-insensitive): "Johnathan"/"Jonathan", "Sarah"/"Sarha"."""
    a, b = a.casefold(), b.casefold()
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 1:] == b[i + 1:]:
            return True                                              # one substitution
        return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]   # a swap
    return a[i:] == b[i + 1:]                                        # one insertion


def spelling_variant(a: str, b: str, *, min_length: int = 5) -> bool:
    """Whether two different single names are spelling variants of each other: both at least
    ``min_length`` letters and one edit apart (shorter names are too often different names: Jane/Janet)."""
    return a.casefold() != b.casefold() and min(len(a), len(b)) >= min_length and within_one_edit(a, b)
