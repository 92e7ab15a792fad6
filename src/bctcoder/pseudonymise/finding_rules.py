"""The rules detection applies to what the recognisers return, before overlaps are resolved.

Per finding (:func:`tidy_finding`): spans are trimmed (spaces, punctuation, a possessive "'s", a leading
"the", a title before a name, "last"/"next" before a date); spaCy's labels are corrected by the words around
and the last word ("Dr Anand" is a person, "lives in Hull" a place, "John Charles Centre" an organisation,
"Roundhay Road" an address); names must be written with a
capital; general names (the NHS, GP, A&E, Samaritans, weekdays; see
:data:`~bctcoder.pseudonymise.vocabulary.GENERIC_IDENTIFIERS`) and the study's ``ignore`` words are dropped;
a name that is also an ordinary word ("Hope", "Will", or any word the project writes in lower case) is kept
only where it is written as a name (:func:`~bctcoder.pseudonymise.study_lists.written_as_name`).

Across the project (:func:`known_name_findings`): every first name, surname and single name found as a
person anywhere is a person wherever else it is written as a name ("Grace" after "Grace Okafor"), and a
capitalised word of five or more letters one edit from such a name is one too ("Johnathan").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from bctcoder.pseudonymise.categories import ADDRESS, DATE, NAMED_CATEGORIES, ORGANISATION, PERSON, PHONE, PLACE
from bctcoder.pseudonymise.findings import Finding
from bctcoder.pseudonymise.name_matching import normalise_name, spelling_variant
from bctcoder.pseudonymise.name_patterns import is_sentence_start
from bctcoder.pseudonymise.study_lists import is_common_word, written_as_name
from bctcoder.pseudonymise.vocabulary import (
    COUNTRIES,
    GENERIC_IDENTIFIERS,
    GENERIC_ORGANISATION_WORDS,
    MONTHS,
    ORGANISATION_KEYWORDS,
    RELATIONS,
    STREET_SUFFIXES_WITHOUT_NUMBER,
    TITLES,
    WEEKDAYS,
)

_EDGE = " \t\r\n.,;:!?\"“”‘'’()[]{}-–—…*"
_LEADING_DATE_WORDS = ("the ", "last ", "next ", "this ", "that ", "every ", "on ", "in ", "of ")
_CONTEXT_SOURCES = ("study-list", "pattern:title", "pattern:relation", "pattern:introduction", "speaker-label")
_NOT_NAME_WORDS = frozenset(MONTHS) | WEEKDAYS | TITLES | RELATIONS | {
    "i", "i'm", "god", "okay", "ok", "yeah", "yes", "no", "mum", "dad", "hi", "hello", "thanks", "sorry", "um",
    "erm", "uh", "mm", "oh", "aye", "bless", "lord", "christ", "jesus"}
_WEAK_SOURCES = frozenset({"spacy", "project-names", "project-names:spelling", "pattern:capitalised"})
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


def tidy_span(text: str, start: int, end: int, category: str) -> tuple[int, int] | None:
    """The span trimmed as the module's docstring says, or None when nothing is left."""
    while start < end and text[start] in _EDGE and not (category == PHONE and text[start] in "+("):
        start += 1
    while end > start and text[end - 1] in _EDGE and not (category == PHONE and text[end - 1] == ")"):
        end -= 1
    if category in NAMED_CATEGORIES and end - start > 2 and text[end - 2:end] in ("'s", "’s"):
        end -= 2
    if category in NAMED_CATEGORIES | {DATE}:
        changed = True
        while changed:
            changed = False
            lowered = text[start:end].casefold()
            leading = _LEADING_DATE_WORDS if category == DATE else ("the ",)
            for word in leading:
                if lowered.startswith(word) and end - start > len(word):
                    start += len(word)
                    changed = True
                    break
            if category == PERSON:
                first = _WORD.match(text, start)
                if first and first.group().casefold().rstrip(".") in TITLES and first.end() < end:
                    after = first.end() + (1 if text[first.end():first.end() + 1] == "." else 0)
                    while after < end and text[after].isspace():
                        after += 1
                    if after < end and text[after].isupper():
                        start, changed = after, True
    while start < end and text[start].isspace():
        start += 1
    return (start, end) if start < end else None


def corrected_category(span: str, category: str, source: str) -> str:
    """spaCy's category corrected by the span's last word: an organisation word makes an organisation, a
    street word an address."""
    if source != "spacy" or category not in NAMED_CATEGORIES:
        return category
    words = span.split()
    last = words[-1].casefold() if words else ""
    if len(words) >= 2 and last in ORGANISATION_KEYWORDS and any(
            w.casefold() not in GENERIC_ORGANISATION_WORDS for w in words[:-1]):
        return ORGANISATION
    if len(words) >= 2 and words[-1] in STREET_SUFFIXES_WITHOUT_NUMBER:
        return ADDRESS
    return category


def generic(span: str, ignore: Iterable[str]) -> bool:
    """Whether a name is too general to identify anyone, or one the study said to ignore."""
    key = normalise_name(span)
    return key in GENERIC_IDENTIFIERS or key in {normalise_name(i) for i in ignore}


def plausible_name(span: str, category: str, source: str) -> bool:
    """Whether a person, place or organisation span looks like a name: a capitalised word in it (study-list
    matches excepted), no digits, at most eight words, and (for people) not only titles, months or
    greetings."""
    if source == "study-list":
        return True
    words = span.split()
    if not words or len(words) > 8 or any(c.isdigit() for c in span):
        return False
    if not words[0][:1].isupper():
        return False
    if category == PERSON:
        keys = [w.casefold().rstrip(".").replace("’", "'").removesuffix("'s") for w in words]
        if all(k in _NOT_NAME_WORDS for k in keys):
            return False
    return True


def tidy_finding(text: str, finding: Finding, *, ignore: Sequence[str], ignored: Sequence[tuple[int, int]],
                 lowercase_words: frozenset[str] | set[str], proper_noun: Callable[[int], bool] | None
                 ) -> Finding | None:
    """A finding after the per-finding rules (see the module's docstring), or None when it is dropped."""
    category = finding.category
    if finding.source == "spacy" and category in NAMED_CATEGORIES:
        category = _person_or_place(text, finding.start, finding.end, category)
    span = tidy_span(text, finding.start, finding.end, category)
    if span is None:
        return None
    start, end = span
    value = text[start:end]
    category = corrected_category(value, category, finding.source)
    if any(s <= start and end <= e for s, e in ignored):
        return None
    if category in NAMED_CATEGORIES:
        if generic(value, ignore) or not plausible_name(value, category, finding.source):
            return None
        single = " " not in value.strip()
        if (finding.source not in _CONTEXT_SOURCES and single and is_common_word(value, lowercase_words)
                and not written_as_name(text, start, end, proper_noun=proper_noun)):
            return None
    return Finding(finding.document, start, end, value, category, finding.score, finding.source)


_PLACE_CUE = re.compile(r"(?i:\bin|\bnear|moved to|move to|moving to|grew up in|born in|lives? in|living in)\s+$")


def _person_or_place(text: str, start: int, end: int, category: str) -> str:
    """spaCy's category corrected by the words around the span: a title before it makes a person ("Dr
    Anand"), "in", "near", "moved to" before a "person" make a place ("lives in Hull"), as does a country."""
    first = _WORD.match(text, start)
    if first and first.group().casefold() in TITLES and first.end() < end:
        return PERSON
    if category == PERSON and text[end:end + 2] not in ("'s", "’s") and (
            _PLACE_CUE.search(text, max(0, start - 20), start) or normalise_name(text[start:end]) in COUNTRIES):
        return PLACE
    return category


def proper_noun_test(doc: Any) -> Callable[[int], bool] | None:
    """For a tagged spaCy ``Doc``: a test of whether the word starting at an offset is a name at the start
    of a sentence: inside a PERSON entity, or followed by a verb in the past, a modal, a possessive or a
    verb in the third person other than "is" ("Grace came", "Grace would", "Grace's", "Grace says"; not
    "Hope that", "Will it", "Hope is"). None when the pipeline does not tag."""
    if doc is None or not len(doc) or not doc.has_annotation("TAG"):
        return None
    tokens = {token.idx: token for token in doc}
    in_person = {token.idx for entity in doc.ents if entity.label_ == "PERSON" for token in entity}

    def test(offset: int) -> bool:
        token = tokens.get(offset)
        if token is None:
            return False
        if offset in in_person:
            return True
        following = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if following is None or token.tag_ in ("MD", "VB", "VBP", "VBD", "IN", "DT", "PRP"):
            return False
        if following.tag_ == "VBZ":
            return following.lower_ not in ("is", "'s", "’s")
        return following.tag_ in ("VBD", "MD", "POS")
    return test


def known_name_findings(texts: Mapping[str, str], findings: Sequence[Finding], *,
                        lowercase_words: frozenset[str] | set[str], ignored: Mapping[str, Sequence[tuple[int, int]]],
                        proper_nouns: Mapping[str, Callable[[int], bool] | None]) -> list[Finding]:
    """New person findings for names found as people elsewhere in the project, and for spelling variants
    of them (see the module's docstring). Overlaps with existing findings are left to the merge."""
    people: set[str] = set()
    as_person: Counter[str] = Counter()   # evidence that a word is a name, against that it is a place or
    as_other: Counter[str] = Counter()    # organisation: 2 from a list or a pattern with context, 1 from a model
    for finding in findings:
        weight = 1 if finding.source in _WEAK_SOURCES else 2
        if finding.category == PERSON:
            for word in _WORD.findall(finding.text):
                word = word.removesuffix("'s").removesuffix("’s")
                as_person[word.casefold()] += weight
                if len(word) > 1 and word.casefold() not in _NOT_NAME_WORDS and word[0].isupper() and \
                        word.casefold().replace("’", "'").split("'")[0] != "i":
                    people.add(word)
        elif finding.category in (PLACE, ORGANISATION):
            as_other[finding.text.casefold()] += weight
    others = {key for key, count in as_other.items() if count >= as_person[key]}
    people = {p for p in people if p.casefold() not in others and p.casefold() not in GENERIC_IDENTIFIERS}
    if not people:
        return []
    pattern = re.compile(r"(?<![\w'’])(?:" + "|".join(re.escape(p) for p in sorted(people, key=len, reverse=True))
                         + r")(?![\w])")
    long_names = [p for p in people if len(p) >= 5]
    candidate = re.compile(r"(?<![\w'’\-])[A-Z][a-z]{4,}(?![\w\-])")
    # One sense per interview: a name that is also a word ("Hope") found as a person in a document is that
    # person at the start of a sentence of the same document too, where the capital says nothing.
    named_here: dict[str, set[str]] = {}
    for finding in findings:
        if finding.category == PERSON:
            named_here.setdefault(finding.document, set()).update(
                w.removesuffix("'s").removesuffix("’s") for w in _WORD.findall(finding.text))
    found = []
    for document, text in texts.items():
        proper_noun = proper_nouns.get(document)
        skip = ignored.get(document, ())
        for m in pattern.finditer(text):
            if any(s <= m.start() and m.end() <= e for s, e in skip):
                continue
            if is_common_word(m.group(), lowercase_words) and not written_as_name(
                    text, m.start(), m.end(), proper_noun=proper_noun) and not (
                    m.group() in named_here.get(document, ()) and is_sentence_start(text, m.start())):
                continue
            found.append(Finding(document, m.start(), m.end(), m.group(), PERSON, 0.7, "project-names"))
        for m in candidate.finditer(text):
            word = m.group()
            key = word.casefold()
            if (word in people or key in lowercase_words or key in _NOT_NAME_WORDS or key in others
                    or key in GENERIC_IDENTIFIERS or is_sentence_start(text, m.start())):
                continue
            if any(spelling_variant(word, name) for name in long_names):
                found.append(Finding(document, m.start(), m.end(), word, PERSON, 0.55, "project-names:spelling"))
    return found
