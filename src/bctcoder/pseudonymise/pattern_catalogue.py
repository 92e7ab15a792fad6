"""Every pure-Python recogniser in one place, and :func:`find_patterns`, which runs them all without Presidio
or spaCy (the Presidio engine registers the same functions)."""

from __future__ import annotations

from collections.abc import Callable

from bctcoder.pseudonymise.date_and_age_recognisers import find_ages, find_dates
from bctcoder.pseudonymise.name_patterns import find_organisation_names, find_titled_names
from bctcoder.pseudonymise.pattern_recognisers import SHAPE_RECOGNISERS, Match

PATTERN_RECOGNISERS: dict[str, Callable[[str], list[Match]]] = {
    **SHAPE_RECOGNISERS,
    "date": find_dates,
    "age": find_ages,
    "titled-name": find_titled_names,
    "organisation-name": find_organisation_names,
}
"""Every pure-Python recogniser by name."""


def find_patterns(text: str) -> list[Match]:
    """Every pure-Python recogniser run on ``text`` (no Presidio, no spaCy, no study lists): postcodes, NHS
    numbers, e-mail addresses, phone numbers, postal addresses, dates, ages, names after titles or relations,
    organisations named by their last word. Overlapping matches are all returned, sorted."""
    found: list[Match] = []
    for recogniser in PATTERN_RECOGNISERS.values():
        found.extend(recogniser(text))
    return sorted(found)
