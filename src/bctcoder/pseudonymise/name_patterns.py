"""Recognisers for names from the words around them, and the text tests the name rules share. Pure Python.

* a title before a capitalised word: "Dr Patel", "Mrs Hussain", "Auntie May" (the title stays outside the
  span: "Dr [Person 2]");
* a relation or role before a capitalised word: "my sister Karen", "my mum, Rose,", "my manager, Steve
  Marsh";
* an introduction: "my name's Hope", "a lad called Danny";
* an organisation's name by its last word: capitalised words ending in "Hospital", "Infirmary", "Surgery",
  "Health Centre", "College", "Church", ... ("Harehills Health Centre", "University of Leeds", "St James's
  Hospital"), when at least one word is not generic ("the Job Centre" is not a name).
"""

from __future__ import annotations

import re

from bctcoder.pseudonymise.categories import ORGANISATION, PERSON, PLACE
from bctcoder.pseudonymise.pattern_recognisers import Match
from bctcoder.pseudonymise.vocabulary import (
    COMMON_WORD_NAMES,
    GENERIC_IDENTIFIERS,
    GENERIC_ORGANISATION_WORDS,
    MONTH_LIKE_NAMES,
    MONTHS,
    NAME_INTRODUCERS,
    NATIONALITIES_AND_FAITHS,
    RELATIONS,
    TITLES,
    WEEKDAYS,
)

NAME_WORD = r"(?:Mc|Mac|[A-Z]['’])?[A-Z][a-z]+(?:['’\-][A-Z]?[a-z]+)*"
"""A capitalised word as names are written: "Sarah", "O'Brien", "McDonald", "Anne-Marie", "Grace's"."""
_CAP = NAME_WORD
_TITLE = re.compile(
    rf"\b(?:{'|'.join(sorted((t.capitalize() for t in TITLES), key=len, reverse=True))})\.?\s+"
    rf"(?P<name>{_CAP}(?:\s+{_CAP})?)(?![\w'’])")
_RELATION = re.compile(
    r"\b(?i:my|his|her|their|our|your|the|a|an|this)\s+"
    r"(?:(?i:little|big|older|younger|eldest|oldest|youngest|best|old|new|late|ex|ex-|other|twin|step|"
    r"previous|first|second|support|peer|care)\s+)*"
    rf"(?i:{'|'.join(sorted((re.escape(r) for r in RELATIONS), key=len, reverse=True))})\s*,?\s+"
    rf"(?P<name>{_CAP}(?:\s+{_CAP})?)(?![\w'’])")
_INTRODUCER = re.compile(
    rf"\b(?i:{'|'.join(sorted((re.escape(p) for p in NAME_INTRODUCERS), key=len, reverse=True))})\s+"
    rf"(?P<name>{_CAP})(?!\s+[A-Z])(?![\w'’])")
_ORGANISATION_WORD = r"(?:[A-Z][\w'’\-]*|St\.?|&|NHS)"
_ORGANISATION_KEYWORD = (r"(?:Hospital|Infirmary|Surgery|Practice|Clinic|Centre|Center|Trust|School|College|"
                         r"University|Academy|Council|Church|Chapel|Mosque|Temple|Gurdwara|Synagogue|Club|Library|"
                         r"Foundation|Charity|Society|Association|Partnership|Institute|Ltd|Limited|PLC|plc|"
                         r"Logistics|House|Hospice|Nursery|Pharmacy|Cathedral)")
_ORGANISATION = re.compile(
    rf"(?<![\w'’])(?:{_ORGANISATION_WORD}(?:\s+(?:and|of|for|the|&|on|upon)\s+|\s+|-))*"
    rf"{_ORGANISATION_WORD}\s+{_ORGANISATION_KEYWORD}(?![\w'’])"
    rf"(?:\s+(?:of|for)\s+(?:the\s+)?{_CAP}(?:\s+{_CAP})*)?"
    rf"|(?<![\w'’])(?:University|College|Church|Hospital|Council|School|Academy|Institute)\s+of\s+"
    rf"(?:the\s+)?{_CAP}(?:\s+{_CAP})*")
_ORGANISATION_LEADING = frozenset({"the", "a", "an", "at", "in", "on", "to", "from", "when", "our", "my", "we",
                                   "i", "and", "but", "so", "then", "with", "by", "for", "of", "this", "that",
                                   "went", "go", "after", "before", "since", "until", "if", "or", "yes", "no",
                                   "yeah", "well", "oh", "it", "she", "he", "they", "you", "there", "his", "her",
                                   "their", "your", "also", "even", "just", "now", "like", "both", "into",
                                   "nhs"})
_NOT_NAMES = frozenset(MONTHS) | WEEKDAYS | {"i", "i'm", "god", "christmas", "easter", "english", "british",
                                              "nhs", "gp", "mum", "dad", "mam", "okay", "ok", "yeah", "yes",
                                              "no", "and", "but", "so", "the", "then", "bless", "love"}
_SENTENCE_END = re.compile(r"[.!?…:;]|^|\n")


def is_sentence_start(text: str, position: int) -> bool:
    """Whether ``position`` starts a sentence: only spaces, opening quotes or brackets lie between it and the
    start of the text, a line break, or a full stop, question mark, exclamation mark, colon or semicolon."""
    i = position - 1
    while i >= 0 and (text[i] in " \t\"'“‘(['’”-–—" ):
        i -= 1
    return i < 0 or text[i] in ".!?…:;\n\r"


def is_capitalised(word: str) -> bool:
    """Whether a word starts with a capital letter."""
    return bool(word) and word[0].isupper()


def _name_ok(name: str, *, after_title: bool = False) -> bool:
    for word in name.split():
        key = word.casefold()
        if after_title and key in MONTH_LIKE_NAMES:      # "Auntie May" is a name
            continue
        if key in _NOT_NAMES or key.rstrip("'’s") in _NOT_NAMES or key in TITLES:
            return False
    return True


def find_titled_names(text: str) -> list[Match]:
    """Names after titles, relations and introductions (see the module's docstring)."""
    found = []
    for pattern, score, source in ((_TITLE, 0.9, "pattern:title"), (_RELATION, 0.85, "pattern:relation"),
                                   (_INTRODUCER, 0.85, "pattern:introduction")):
        for m in pattern.finditer(text):
            name = m.group("name")
            if pattern is _RELATION:
                # "my sister Karen Smith" but not "my mum Rose Hill Road": keep only the first word when the
                # second is not a name-like word followed by a non-capitalised one
                words = name.split()
                if len(words) == 2 and not _name_ok(words[1]):
                    name = words[0]
            if not _name_ok(name, after_title=pattern is _TITLE):
                continue
            start = m.start("name")
            found.append(Match(start, start + len(name), PERSON, score, source))
    return found


def _organisation(text: str, start: int, end: int) -> Match | None:
    words = text[start:end].split()
    while words and (words[0].casefold() in _ORGANISATION_LEADING or
                     (words[0].casefold() in _NOT_NAMES and is_sentence_start(text, start))):
        start = text.index(words[0], start) + len(words[0])
        while start < len(text) and text[start].isspace():
            start += 1
        words.pop(0)
    if len(words) < 2:
        return None
    distinctive = [w for w in words if w.casefold().strip("'’") not in GENERIC_ORGANISATION_WORDS
                   and w.casefold().rstrip("'’s") not in GENERIC_ORGANISATION_WORDS and w[:1].isupper()]
    if not distinctive:
        return None
    return Match(start, end, ORGANISATION, 0.8, "pattern:organisation")


_AND = re.compile(r"\s+(?:and|&)\s+")


def find_organisation_names(text: str) -> list[Match]:
    """Organisations named by their last word ("Harehills Health Centre", "University of Leeds"). Two joined
    by "and" are two when the first is a name of its own ("the University of Leeds and St James's
    Hospital"), one otherwise ("Leeds and York Partnership NHS Foundation Trust")."""
    found = []
    for m in _ORGANISATION.finditer(text):
        start = m.start()
        for joint in _AND.finditer(text, m.start(), m.end()):
            left = _ORGANISATION.fullmatch(text, start, joint.start())
            if left is not None:
                first = _organisation(text, start, joint.start())
                if first is not None:
                    found.append(first)
                start = joint.end()
        organisation = _organisation(text, start, m.end())
        if organisation is not None:
            found.append(organisation)
    return found


_CAPITALISED_WORD = re.compile(rf"(?<![\w'’\-]){NAME_WORD}(?![\w'’\-])")
_JOIN = re.compile(r"[ \t]+(?:of[ \t]+)?")
_PLACE_BEFORE = re.compile(r"\b(?i:in|from|near|around|outside|across|towards|moved to|lives? in|live in|up in|"
                           r"down in|over in|back in|born in|grew up in)\s+$")


def _ordinary(word: str, lowercase_words: frozenset[str] | set[str]) -> bool:
    key = word.casefold().replace("’", "'").removesuffix("'s")
    return (key in lowercase_words or key in _NOT_NAMES or key.split("'")[0] == "i" or key.rstrip("s") in _NOT_NAMES
            or key in TITLES or key in NATIONALITIES_AND_FAITHS or key in GENERIC_IDENTIFIERS)


def find_capitalised_names(text: str, lowercase_words: frozenset[str] | set[str]) -> list[Match]:
    """For use without a named-entity model: runs of capitalised words ("Potternewton Park", "Dawn Ridley")
    none of which the texts also write in lower case or is a month, weekday, title, nationality, faith or
    general name; a single word only where any word would not be capitalised (not at a sentence start). A
    place after "in", "from", "near", ..., else a person. Crude (the category is a guess), but it finds names
    the lists do not hold."""
    joined: list[list[re.Match[str]]] = []
    for word in _CAPITALISED_WORD.finditer(text):
        if joined and _JOIN.fullmatch(text, joined[-1][-1].end(), word.start()):
            joined[-1].append(word)
        else:
            joined.append([word])
    runs: list[list[re.Match[str]]] = []
    for candidates in joined:
        plain = [not _ordinary(w.group(), lowercase_words) for w in candidates]
        keep = [ok or (w.group().casefold() in COMMON_WORD_NAMES and any(plain[max(0, i - 1):i + 2]))
                for i, (w, ok) in enumerate(zip(candidates, plain))]   # "Frank Doyle": a name-word beside a name
        run: list[re.Match[str]] = []
        for word, kept in zip(candidates, keep):
            if kept:
                run.append(word)
            if (not kept or word is candidates[-1]) and run:
                if any(not _ordinary(w.group(), lowercase_words) for w in run):
                    runs.append(run)
                run = []
    found = []
    for run in runs:
        start, end = run[0].start(), run[-1].end()
        if len(run) == 1 and is_sentence_start(text, start):
            continue
        if text[end - 2:end] in ("'s", "’s"):
            end -= 2
        category = PLACE if _PLACE_BEFORE.search(text, max(0, start - 20), start) else PERSON
        found.append(Match(start, end, category, 0.5, "pattern:capitalised"))
    return found
