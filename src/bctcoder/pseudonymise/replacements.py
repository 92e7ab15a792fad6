"""Consistent replacements in the UK Data Service's bracket style: :func:`propose_replacements`.

* People: the study list's fixed replacement ("[Participant 3]"), else "[Person 1]", "[Person 2]", ...
  numbered by first appearance; mentions of one person share one label (:mod:`.people`).
* Places: "[Town A]", "[Town B]", ...; countries "[Country A]", ...; the list's replacement when it has one.
* Organisations, lettered separately for each kind named by their words: "[Hospital A]" (Hospital,
  Infirmary), "[GP practice A]" (Surgery, Practice, Health or Medical Centre), "[NHS trust A]" (Trust),
  "[University A]", "[School A]" (School, College, Academy), "[Council A]", "[Church A]" (Church, Chapel,
  Cathedral), "[Place of worship A]" (Mosque, Temple, Gurdwara, Synagogue), else "[Organisation A]". A
  mention that is another organisation's name without its last word ("St James's" for "St James's
  Hospital") is that organisation.
* Dates by policy: ``month`` keeps month and year ("[March 2019]"; "[2019]" for a year alone; "[date]"
  without a year), ``year`` keeps the year ("[2019]"), ``remove`` keeps nothing ("[date]").
* Ages: the decade of life, "[age 30s]". Phone, e-mail, address, NHS number, postcode: "[phone number]",
  "[email address]", "[address]", "[NHS number]", "[postcode]".

Numbering and lettering follow the order of the findings' documents as given, then position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bctcoder.errors import InputError
from bctcoder.pseudonymise.categories import (
    ADDRESS,
    AGE,
    DATE,
    EMAIL,
    NHS_NUMBER,
    ORGANISATION,
    PERSON,
    PHONE,
    PLACE,
    POSTCODE,
)
from bctcoder.pseudonymise.date_and_age_recognisers import age_band, date_parts
from bctcoder.pseudonymise.findings import Finding, Proposal
from bctcoder.pseudonymise.name_matching import normalise_name
from bctcoder.pseudonymise.people import PeopleResolver
from bctcoder.pseudonymise.study_lists import NameEntry, StudyLists
from bctcoder.pseudonymise.vocabulary import COUNTRIES, MONTH_NAMES

DATE_POLICIES: tuple[str, ...] = ("month", "year", "remove")
"""The ways dates may be replaced (see the module's docstring)."""
FIXED_LABELS: dict[str, str] = {PHONE: "[phone number]", EMAIL: "[email address]", ADDRESS: "[address]",
                                NHS_NUMBER: "[NHS number]", POSTCODE: "[postcode]"}
"""The replacement of every mention of these categories."""

_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\btrusts?\b"), "NHS trust"),
    (re.compile(r"\b(?:hospitals?|infirmary)\b"), "Hospital"),
    (re.compile(r"\b(?:surgery|practice|(?:health|medical) cent(?:re|er))\b"), "GP practice"),
    (re.compile(r"\buniversity\b"), "University"),
    (re.compile(r"\b(?:school|college|academy)\b"), "School"),
    (re.compile(r"\bcouncil\b"), "Council"),
    (re.compile(r"\b(?:church|chapel|cathedral)\b"), "Church"),
    (re.compile(r"\b(?:mosque|temple|gurdwara|synagogue)\b"), "Place of worship"),
]
_KIND_WORD = re.compile(r"\s+(?:hospitals?|infirmary|surgery|practice|(?:health|medical)\s+cent(?:re|er)|cent(?:re|er)|"
                        r"trust|university|school|college|academy|council|church|chapel|cathedral|mosque|temple|"
                        r"gurdwara|synagogue|club|library)$")


def organisation_kind(name: str) -> str:
    """The kind an organisation's name says ("Leeds General Infirmary" → "Hospital"), by the last kind word
    in it; "Organisation" when none."""
    key = normalise_name(name)
    best, at = "Organisation", -1
    for pattern, kind in _KINDS:
        for m in pattern.finditer(key):
            if m.start() > at:
                best, at = kind, m.start()
    return best


def letters(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA", ..."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def date_replacement(text: str, policy: str = "month") -> str:
    """The replacement of a date under a policy (see the module's docstring)."""
    if policy not in DATE_POLICIES:
        raise InputError(f"date policy {policy!r} is not one of {', '.join(DATE_POLICIES)}")
    month, year = date_parts(text)
    if policy == "remove" or year is None:
        return "[date]"
    if policy == "year" or month is None:
        return f"[{year}]"
    return f"[{MONTH_NAMES[month - 1]} {year}]"


def _entry_index(entries: Sequence[NameEntry]) -> dict[str, NameEntry]:
    index: dict[str, NameEntry] = {}
    for entry in entries:
        for text in (entry.name, *entry.aliases):
            index.setdefault(normalise_name(text), entry)
    return index


class _Lettering:
    """Letters per kind ("Town", "Hospital") by first appearance, and fixed replacements."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    def label(self, entity: str, kind: str, fixed: str | None) -> str:
        if entity not in self.labels:
            if fixed:
                self.labels[entity] = fixed
            else:
                count = self.counts.get(kind, 0)
                self.counts[kind] = count + 1
                self.labels[entity] = f"[{kind} {letters(count)}]"
        return self.labels[entity]


def _ordered(findings: Sequence[Finding]) -> list[Finding]:
    order: dict[str, int] = {}
    for finding in findings:
        order.setdefault(finding.document, len(order))
    return sorted(findings, key=lambda f: (order[f.document], f.start, f.end))


def propose_replacements(findings: Sequence[Finding], lists: StudyLists | None = None, *,
                         dates: str = "month") -> list[Proposal]:
    """A replacement and an entity key for every finding (see the module's docstring), in the order of
    documents as given, then position."""
    if dates not in DATE_POLICIES:
        raise InputError(f"date policy {dates!r} is not one of {', '.join(DATE_POLICIES)}")
    lists = lists or StudyLists()
    ordered = _ordered(findings)
    people = PeopleResolver(lists.people, ordered)
    places = _entry_index(lists.places)
    organisations = _entry_index(lists.organisations)
    organisation_names = {normalise_name(f.text) for f in ordered if f.category == ORGANISATION}
    organisation_names |= set(organisations)
    short_names = {normalise_name(_KIND_WORD.sub("", name)): name for name in sorted(organisation_names, key=len)
                   if _KIND_WORD.search(name)}   # "st james" → "st james's hospital"
    numbered: dict[str, int] = {}
    lettering = _Lettering()
    proposals = []
    for finding in ordered:
        key = normalise_name(finding.text)
        if finding.category == PERSON:
            person = people.resolve(finding)
            entity = person.key
            if person.replacement:
                replacement = person.replacement
            else:
                numbered.setdefault(entity, len(numbered) + 1)
                replacement = f"[Person {numbered[entity]}]"
        elif finding.category == PLACE:
            entry = places.get(key)
            name = normalise_name(entry.name) if entry else key
            entity = "place:" + name
            kind = "Country" if name in COUNTRIES else "Town"
            replacement = lettering.label(entity, kind, entry.replacement if entry else None)
        elif finding.category == ORGANISATION:
            if key not in organisations and key in short_names:
                key = short_names[key]
            entry = organisations.get(key)
            name = normalise_name(entry.name) if entry else key
            entity = "organisation:" + name
            kind = organisation_kind(entry.name if entry else finding.text)
            replacement = lettering.label(entity, kind, entry.replacement if entry else None)
        elif finding.category == DATE:
            entity, replacement = "date:" + key, date_replacement(finding.text, dates)
        elif finding.category == AGE:
            entity, replacement = "age:" + key, age_band(finding.text)
        else:
            value = re.sub(r"\D", "", key) if finding.category in (PHONE, NHS_NUMBER) else key.replace(" ", "")
            entity = f"{finding.category.lower()}:{value}"
            replacement = FIXED_LABELS.get(finding.category, "[identifier]")
        proposals.append(Proposal(finding.document, finding.start, finding.end, finding.text, finding.category,
                                  finding.score, finding.source, replacement, entity))
    return proposals
