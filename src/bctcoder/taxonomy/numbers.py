"""Technique numbers: parsing and sorting "3.1", "10.11", "17.5"."""

from __future__ import annotations

import re

NUMBER_RE = re.compile(r"^\s*(\d{1,3})\.(\d{1,3})\s*$")


def is_technique_number(text: str) -> bool:
    """True for strings shaped like a technique number ("3.1", "10.11")."""
    return bool(NUMBER_RE.match(text or ""))


def number_key(number: str | None) -> tuple[int, ...]:
    """Sort key that orders "2.1" before "10.1" and "10.2" before "10.10"."""
    if not number:
        return (10**6,)
    parts = []
    for piece in number.split("."):
        parts.append(int(piece) if piece.isdigit() else 10**6)
    return tuple(parts)
