"""Deciding which mentions of people are the same person, across the whole project.

A mention belongs, in this order, to: the study-list person whose name or alias it is; the study-list
person whose first name or surname it is (when only one has it); the full name found in the project that it
is (a full name is two or more words); the full name whose first name or surname it is (one in the same
document first, else the only one in the project); a name it is a spelling variant of (five or more letters,
one edit apart: "Johnathan" → "Jonathan"); else a person of its own. A first name shared by two full names
of the project is not guessed: it becomes a person of its own, for the reviewer to settle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bctcoder.pseudonymise.categories import PERSON
from bctcoder.pseudonymise.findings import Finding
from bctcoder.pseudonymise.name_matching import normalise_name, spelling_variant
from bctcoder.pseudonymise.study_lists import NameEntry
from bctcoder.pseudonymise.vocabulary import TITLES


@dataclass(frozen=True)
class Person:
    """An entity: its key ("person:sarah whitfield") and its fixed replacement (None: numbered)."""

    key: str
    replacement: str | None


def _words(name: str) -> list[str]:
    words = [w.strip(".,") for w in normalise_name(name).split()]
    while len(words) > 1 and words[0] in TITLES:
        words.pop(0)
    return [w for w in words if w]


class PeopleResolver:
    """Assigns each person mention an entity (see the module's docstring)."""

    def __init__(self, entries: Sequence[NameEntry], findings: Sequence[Finding]):
        self.whole: dict[str, Person] = {}        # study-list names and aliases
        self.parts: dict[str, set[Person]] = {}   # study-list first names and surnames
        for entry in entries:
            person = Person("person:" + " ".join(_words(entry.name)), entry.replacement)
            for text in (entry.name, *entry.aliases):
                words = _words(text)
                if not words:
                    continue
                self.whole.setdefault(" ".join(words), person)
                if len(words) > 1:
                    for word in (words[0], words[-1]):
                        self.parts.setdefault(word, set()).add(person)
        self.full_names: dict[str, Person] = {}   # full names found in the project, not in the list
        self.by_part: dict[str, list[tuple[str, Person]]] = {}   # word → (document, person) of full names
        self.singles: dict[str, Person] = {}
        for finding in findings:
            if finding.category != PERSON:
                continue
            words = _words(finding.text)
            if len(words) < 2 or self._listed(words) is not None:
                continue
            key = " ".join(words)
            person = self.full_names.setdefault(key, Person("person:" + key, None))
            for word in (words[0], words[-1]):
                self.by_part.setdefault(word, []).append((finding.document, person))

    def _listed(self, words: list[str]) -> Person | None:
        key = " ".join(words)
        if key in self.whole:
            return self.whole[key]
        if len(words) == 1:
            people = self.parts.get(key, set())
            return next(iter(people)) if len(people) == 1 else None
        first, last = words[0], words[-1]
        for person in self.parts.get(last, set()):
            for alias, listed in self.whole.items():
                if listed == person and " " not in alias and (alias == first or spelling_variant(alias, first)):
                    return person
        return None

    def resolve(self, finding: Finding) -> Person:
        """The entity of one person mention."""
        words = _words(finding.text) or [normalise_name(finding.text)]
        key = " ".join(words)
        listed = self._listed(words)
        if listed is not None:
            return listed
        if len(words) > 1:
            return self.full_names.setdefault(key, Person("person:" + key, None))
        candidates = self.by_part.get(key, [])
        same_document = {p for d, p in candidates if d == finding.document}
        everywhere = {p for _d, p in candidates}
        for group in (same_document, everywhere):
            if len(group) == 1:
                return next(iter(group))
            if len(group) > 1:
                return self.singles.setdefault(key, Person("person:" + key, None))
        for alias, person in self.whole.items():
            if " " not in alias and spelling_variant(alias, key):
                return person
        for part, people in self.parts.items():
            if len(people) == 1 and spelling_variant(part, key):
                return next(iter(people))
        for part, entries in self.by_part.items():
            people_with_part = {p for _d, p in entries}
            if len(people_with_part) == 1 and spelling_variant(part, key):
                return next(iter(people_with_part))
        for single, person in self.singles.items():
            if spelling_variant(single, key):
                return person
        return self.singles.setdefault(key, Person("person:" + key, None))
