"""Recognisers for identifiers with a fixed shape: UK postcodes, NHS numbers, e-mail addresses, phone numbers,
postal addresses. Pure Python (``re`` only), usable without Presidio or spaCy.

Each ``find_*`` function takes a text and returns :class:`Match` records with code-point offsets. The
Presidio engine wraps them as recognisers (:mod:`bctcoder.pseudonymise.presidio_engine`); without Presidio,
:func:`find_patterns` (with the date and age recognisers) runs them all.

Decisions: postcodes are matched in capitals only (as written in addresses); an outward code alone ("LS6")
only after "postcode"/"post code" or before "area"/"postcode", since bare two-to-four character codes are
everywhere in transcripts ("SP2", "M1", "A1"). NHS numbers need a valid modulus-11 check digit, except
right after the words "NHS number". Phone numbers: UK numbers from 0 or +44 with 10–11 digits, international
numbers from + or 00 with 8–15 digits, any grouping by spaces or hyphens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from bctcoder.pseudonymise.categories import ADDRESS, EMAIL, NHS_NUMBER, PHONE, POSTCODE
from bctcoder.pseudonymise.vocabulary import GENERIC_STREET_NAMES, STREET_SUFFIXES, STREET_SUFFIXES_WITHOUT_NUMBER


class Match(NamedTuple):
    """One span a recogniser found in a text (no document yet)."""

    start: int
    end: int
    category: str
    score: float
    source: str


_INWARD = r"\d[ABD-HJLNP-UW-Z]{2}"
_OUTWARD = r"(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|[A-PR-UWYZ]\d[A-HJKPSTUW])"
_POSTCODE = re.compile(rf"(?<![A-Za-z0-9])(?:GIR ?0AA|{_OUTWARD} ?{_INWARD})(?![A-Za-z0-9])")
_OUTWARD_ONLY = re.compile(
    rf"(?i:\bpost ?code)(?:\s+(?i:is|was|of|area))?\s*[:\-]?\s*(?P<code>{_OUTWARD})(?![A-Za-z0-9])(?!\s?{_INWARD})"
    rf"|(?<![A-Za-z0-9])(?P<code2>{_OUTWARD})\s+(?i:area|postcode|post code|district)\b")


def find_postcodes(text: str) -> list[Match]:
    """Full UK postcodes ("LS6 3QF", "BD96RJ") and outward codes named as postcodes ("postcode LS6")."""
    found = [Match(m.start(), m.end(), POSTCODE, 0.95, "pattern:postcode") for m in _POSTCODE.finditer(text)]
    for m in _OUTWARD_ONLY.finditer(text):
        group = "code" if m.group("code") else "code2"
        found.append(Match(m.start(group), m.end(group), POSTCODE, 0.7, "pattern:postcode"))
    return found


def nhs_number_is_valid(digits: str) -> bool:
    """Whether ten digits form an NHS number: the modulus-11 check digit matches (and is not 10)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


_NHS = re.compile(r"(?<![\w+])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w])")
_NHS_CONTEXT = re.compile(r"(?i)\bNHS\s*(?:number|no\.?|num|#)\s*(?:is|was|:)?\s*$")


def find_nhs_numbers(text: str) -> list[Match]:
    """Ten-digit numbers in 3-3-4 grouping (spaces, hyphens or none) with a valid check digit, or any such
    number straight after "NHS number"."""
    found = []
    for m in _NHS.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if nhs_number_is_valid(digits):
            found.append(Match(m.start(), m.end(), NHS_NUMBER, 1.0, "pattern:nhs-number"))
        elif _NHS_CONTEXT.search(text, max(0, m.start() - 40), m.start()):
            found.append(Match(m.start(), m.end(), NHS_NUMBER, 0.7, "pattern:nhs-number"))
    return found


_EMAIL = re.compile(r"(?<![\w.+\-@])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w\-@])")


def find_emails(text: str) -> list[Match]:
    """E-mail addresses (our own pattern: no network look-up of top-level domains)."""
    return [Match(m.start(), m.end(), EMAIL, 1.0, "pattern:email") for m in _EMAIL.finditer(text)]


_PHONE_RUN = re.compile(r"(?<![\w+/.])(?:\+|\(0|0)[\d()]*(?:[ \-][(]?\d[\d()]*)*")
_PHONE_GROUP = re.compile(r"[ \-]")


def _phone_digits_ok(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate.replace("(0)", ""))
    if candidate.startswith("+"):
        if digits.startswith("44"):
            return len(digits) in (11, 12)
        return 8 <= len(digits) <= 15
    if digits.startswith("00"):
        return 10 <= len(digits) <= 17
    return len(digits) in (10, 11) and digits[1] in "1235789"


def find_phone_numbers(text: str) -> list[Match]:
    """UK and international phone numbers in any grouping; the longest run of groups that has a valid
    number of digits wins, so a number followed by another figure is still found."""
    found = []
    for m in _PHONE_RUN.finditer(text):
        run = m.group()
        if run.count("(") != run.count(")"):
            run = run.rstrip("()")
        best = None
        ends = [g.start() for g in _PHONE_GROUP.finditer(run)] + [len(run)]
        for end in ends:
            if _phone_digits_ok(run[:end]) and run[:end].count("(") == run[:end].count(")"):
                best = end
        if best is not None:
            found.append(Match(m.start(), m.start() + best, PHONE, 0.8, "pattern:phone"))
    return found


_NAME_WORD = r"(?:St\.?\s+)?[A-Z][a-z'’\-]*[a-z]"
_SUFFIX = "|".join(sorted({re.escape(s) for s in STREET_SUFFIXES}, key=len, reverse=True))
_ADDRESS = re.compile(
    r"(?<![\w£$€.,/\-])"
    r"(?:(?:Flat|Unit|Apartment|Apt|Room|Suite|Studio|Block)\.?\s+\d{1,4}[A-Za-z]?,?\s+)?"
    r"\d{1,3}[A-Za-z]?(?:\s?[-–]\s?\d{1,3}[A-Za-z]?)?,?\s+"
    rf"(?:{_NAME_WORD}\s+){{1,3}}(?:{_SUFFIX})\b")
_STREET = re.compile(
    rf"(?<![\w\-])(?P<name>(?:{_NAME_WORD}\s+){{1,3}})"
    rf"(?:{'|'.join(STREET_SUFFIXES_WITHOUT_NUMBER)})\b")
_LEADING_FUNCTION_WORDS = frozenset({"on", "in", "at", "the", "to", "from", "down", "up", "along", "near", "off",
                                     "by", "and", "of", "round", "around", "past", "onto", "into", "so", "then",
                                     "but", "we", "i", "it", "there", "that", "this", "our", "my", "over",
                                     "behind", "opposite", "just", "top", "bottom", "end", "corner"})


def find_addresses(text: str) -> list[Match]:
    """Postal addresses: a house number (after "Flat 3," and the like) and a street name ending in a street
    word ("14 Mill Lane", "Flat 2, 41 Roundhay Road"); and street names without a number when their last word
    can only be a street ("on Harehills Lane"), except generic ones ("the High Street")."""
    found = [Match(m.start(), m.end(), ADDRESS, 0.9, "pattern:address") for m in _ADDRESS.finditer(text)]
    for m in _STREET.finditer(text):
        words = m.group("name").split()
        start = m.start()
        while words and words[0].casefold() in _LEADING_FUNCTION_WORDS:
            start = text.index(words[0], start) + len(words[0])
            while text[start].isspace():
                start += 1
            words.pop(0)
        if not words or " ".join(words).casefold() in GENERIC_STREET_NAMES or \
                all(w.casefold() in GENERIC_STREET_NAMES for w in words):
            continue
        found.append(Match(start, m.end(), ADDRESS, 0.6, "pattern:street"))
    return found


SHAPE_RECOGNISERS: dict[str, Callable[[str], list[Match]]] = {
    "postcode": find_postcodes,
    "nhs-number": find_nhs_numbers,
    "email": find_emails,
    "phone": find_phone_numbers,
    "address": find_addresses,
}
"""The recognisers of this module by name."""
