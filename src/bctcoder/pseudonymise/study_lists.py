"""The study's own lists: its people (with aliases and fixed replacements), places, organisations, and words
never to flag; reading them from YAML or CSV; finding their mentions in a text.

Matching is whole-word and case-insensitive, and a name is also found with a possessive ("Sarah's": the span
stops before the apostrophe). A person's first name and surname alone are found too ("Grace" for "Grace
Okafor"). A single word that is also an ordinary word ("Hope", "Grace", "Price", or any word the project's
texts use in lower case) is found only where it is written as a name: capitalised and not at the start of a
sentence, or at a sentence start where the tagger calls it a proper noun; ``always=True`` on the entry finds
it everywhere, in any case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bctcoder.errors import InputError
from bctcoder.participants.csvfile import find_column, header_note, read_csv_rows
from bctcoder.pseudonymise.categories import ORGANISATION, PERSON, PLACE
from bctcoder.pseudonymise.name_patterns import is_capitalised, is_sentence_start
from bctcoder.pseudonymise.pattern_recognisers import Match
from bctcoder.pseudonymise.vocabulary import COMMON_WORD_NAMES, DATE_PREPOSITIONS, MONTH_LIKE_NAMES


@dataclass
class NameEntry:
    """One person, place or organisation of the study.

    ``aliases`` are other ways the transcripts write it (nicknames, misspellings, short forms);
    ``replacement`` the fixed text that replaces every mention ("[Participant 3]"), None to number it like
    any other; ``always`` finds a name that is also an ordinary word in any case and position."""

    name: str
    aliases: list[str] = field(default_factory=list)
    replacement: str | None = None
    always: bool = False

    def terms(self, *, name_parts: bool) -> list[tuple[str, bool]]:
        """The texts that mention this entry, each with whether it is a whole name or alias (True) or a part
        of one (a first name or surname alone: False, only when ``name_parts``)."""
        whole = [t for t in (self.name, *self.aliases) if t.strip()]
        terms = [(t.strip(), True) for t in whole]
        if name_parts:
            for text in whole:
                words = text.split()
                if len(words) > 1:
                    terms.extend((w, False) for w in (words[0], words[-1]) if len(w) > 1 and not w.endswith("."))
        seen: set[str] = set()
        unique = []
        for text, is_whole in terms:
            if text.casefold() not in seen:
                seen.add(text.casefold())
                unique.append((text, is_whole))
        return unique


@dataclass
class StudyLists:
    """The study's lists (see the module's docstring)."""

    people: list[NameEntry] = field(default_factory=list)
    places: list[NameEntry] = field(default_factory=list)
    organisations: list[NameEntry] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)

    @classmethod
    def from_names(cls, *, people: Iterable[str] = (), places: Iterable[str] = (),
                   organisations: Iterable[str] = (), ignore: Iterable[str] = ()) -> StudyLists:
        """Lists of plain names (no aliases, no fixed replacements): case attributes, say."""
        return cls([NameEntry(n.strip()) for n in people if n.strip()],
                   [NameEntry(n.strip()) for n in places if n.strip()],
                   [NameEntry(n.strip()) for n in organisations if n.strip()],
                   [n.strip() for n in ignore if n.strip()])

    def entries(self) -> Iterable[tuple[str, NameEntry]]:
        """Every entry with its category."""
        for category, entries in ((PERSON, self.people), (PLACE, self.places), (ORGANISATION, self.organisations)):
            for entry in entries:
                yield category, entry


def _merge_entries(first: list[NameEntry], second: list[NameEntry]) -> list[NameEntry]:
    merged: dict[str, NameEntry] = {}
    for entry in (*first, *second):
        key = " ".join(entry.name.casefold().split())
        known = merged.get(key)
        if known is None:
            merged[key] = NameEntry(entry.name, list(entry.aliases), entry.replacement, entry.always)
            continue
        have = {a.casefold() for a in known.aliases}
        known.aliases.extend(a for a in entry.aliases if a.casefold() not in have)
        known.replacement = entry.replacement or known.replacement
        known.always = known.always or entry.always
    return list(merged.values())


def merge_lists(first: StudyLists, second: StudyLists) -> StudyLists:
    """Both lists in one: entries with the same name (any case) become one, with the aliases of both and the
    second's replacement when it has one; ``ignore`` holds the words of both."""
    ignore = list(dict.fromkeys([*first.ignore, *second.ignore]))
    return StudyLists(_merge_entries(first.people, second.people), _merge_entries(first.places, second.places),
                      _merge_entries(first.organisations, second.organisations), ignore)


def _term_pattern(term: str) -> re.Pattern[str]:
    words = [re.sub("['’]", "['’]", re.escape(w)) for w in term.split()]
    return re.compile(r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])", re.IGNORECASE)


def is_common_word(word: str, lowercase_words: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a single word is also an ordinary word: a known one ("hope", "will") or one the project's
    texts use in lower case."""
    key = word.casefold()
    return " " not in key and (key in COMMON_WORD_NAMES or key in lowercase_words)


def written_as_name(text: str, start: int, end: int, *, proper_noun: Callable[[int], bool] | None = None) -> bool:
    """Whether the word at ``text[start:end]`` is written as a name: capitalised, and either not at a
    sentence start or called a proper noun there by ``proper_noun`` (given the start offset); a month name
    after "in", "since", ... is a month."""
    word = text[start:end]
    if not is_capitalised(word):
        return False
    if word.casefold() in MONTH_LIKE_NAMES:
        before = text[max(0, start - 20):start].split()
        if before and before[-1].casefold().strip(",") in DATE_PREPOSITIONS:
            return False
    if is_sentence_start(text, start):
        return proper_noun is not None and proper_noun(start)
    return True


def find_list_matches(text: str, lists: StudyLists, *, lowercase_words: frozenset[str] | set[str] = frozenset(),
                      proper_noun: Callable[[int], bool] | None = None) -> list[Match]:
    """Mentions of the study's people, places and organisations in ``text`` (see the module's docstring).

    ``lowercase_words`` are words the project's texts use in lower case (casefolded); ``proper_noun`` says
    whether the word at an offset is tagged as a proper noun (None: no tagger)."""
    found = []
    for category, entry in lists.entries():
        for term, is_whole in entry.terms(name_parts=category == PERSON):
            restricted = not entry.always and is_common_word(term, lowercase_words)
            for m in _term_pattern(term).finditer(text):
                if restricted and not written_as_name(text, m.start(), m.end(), proper_noun=proper_noun):
                    continue
                found.append(Match(m.start(), m.end(), category, 1.0 if is_whole else 0.95, "study-list"))
    return found


def ignored_spans(text: str, ignore: Iterable[str]) -> list[tuple[int, int]]:
    """Where the ``ignore`` words and phrases occur in ``text`` (whole words, any case)."""
    spans: list[tuple[int, int]] = []
    for term in ignore:
        if term.strip():
            spans.extend((m.start(), m.end()) for m in _term_pattern(term.strip()).finditer(text))
    return spans


# ---- reading the lists from files -------------------------------------------------------------------------

_KINDS = {"person": "people", "people": "people", "participant": "people", "staff": "people",
          "place": "places", "places": "places", "site": "places", "organisation": "organisations",
          "organisations": "organisations", "organization": "organisations", "organizations": "organisations",
          "org": "organisations", "ignore": "ignore"}
_TRUE = {"yes", "y", "true", "1", "always"}
_FALSE = {"", "no", "n", "false", "0"}


def _entry(value: Any, source: str, where: str) -> NameEntry:
    if isinstance(value, str):
        if not value.strip():
            raise InputError(f"{where}: an empty name", source=source)
        return NameEntry(value.strip())
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"].strip():
        raise InputError(f"{where}: each entry is a name or a mapping with a 'name'", source=source)
    unknown = set(value) - {"name", "aliases", "replacement", "always"}
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (use name, aliases, "
                         "replacement, always)", source=source)
    aliases = value.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise InputError(f"{where}: 'aliases' must be a list of names", source=source)
    replacement = value.get("replacement")
    if replacement is not None and not isinstance(replacement, str):
        raise InputError(f"{where}: 'replacement' must be text", source=source)
    always = value.get("always", False)
    if not isinstance(always, bool):
        raise InputError(f"{where}: 'always' must be true or false", source=source)
    return NameEntry(value["name"].strip(), [a.strip() for a in aliases if a.strip()],
                     replacement.strip() if replacement else None, always)


def study_lists_from_mapping(data: Any, source: str = "study lists") -> StudyLists:
    """Study lists from parsed YAML or JSON: ``{people: [...], places: [...], organisations: [...],
    ignore: [...]}``, each entry a name or ``{name, aliases, replacement, always}``."""
    if data is None:
        return StudyLists()
    if not isinstance(data, dict):
        raise InputError("expected a mapping with people, places, organisations and ignore", source=source)
    unknown = {str(k) for k in data} - {"people", "places", "organisations", "organizations", "ignore"}
    if unknown:
        raise InputError(f"unknown section(s) {', '.join(sorted(unknown))} (use people, places, organisations, "
                         "ignore)", source=source)
    lists = StudyLists()
    for section in ("people", "places", "organisations", "organizations"):
        values = data.get(section) or []
        if not isinstance(values, list):
            raise InputError(f"'{section}' must be a list", source=source)
        target = lists.organisations if section.startswith("organi") else getattr(lists, section)
        target.extend(_entry(v, source, f"{section} entry {i}") for i, v in enumerate(values, start=1))
    ignore = data.get("ignore") or []
    if not isinstance(ignore, list) or not all(isinstance(v, str) for v in ignore):
        raise InputError("'ignore' must be a list of words or phrases", source=source)
    lists.ignore = [v.strip() for v in ignore if v.strip()]
    return lists


def read_study_lists(path: str | Path) -> StudyLists:
    """Read study lists from a YAML file (``.yaml``/``.yml``, see :func:`study_lists_from_mapping`) or a CSV
    file with columns kind (person, place, organisation, ignore), name, aliases (separated by ``;``),
    replacement and always (yes/no); errors name the file and line."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read file ({exc.strerror})", source=str(path)) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(f"not valid YAML ({getattr(exc, 'problem', None) or exc})", source=str(path),
                             line=mark.line + 1 if mark is not None else None) from None
        return study_lists_from_mapping(data, str(path))
    header, rows = read_csv_rows(path)
    columns = {key: find_column(header, (key,)) for key in ("kind", "name", "aliases", "replacement", "always")}
    if columns["kind"] is None or columns["name"] is None:
        raise InputError("the study list needs columns 'kind' and 'name'" + header_note(header), source=str(path),
                         line=1)
    lists = StudyLists()
    for line, row in rows:
        def cell(key: str, row: dict[str, str] = row) -> str:
            column = columns[key]
            return row.get(column, "").strip() if column else ""
        kind = _KINDS.get(cell("kind").casefold())
        if kind is None:
            raise InputError(f"kind {cell('kind')!r} is not person, place, organisation or ignore", source=str(path),
                             line=line)
        name = cell("name")
        if not name:
            raise InputError("the name is empty", source=str(path), line=line)
        if kind == "ignore":
            lists.ignore.append(name)
            continue
        always = cell("always").casefold()
        if always not in _TRUE | _FALSE:
            raise InputError(f"always must be yes or no, not {cell('always')!r}", source=str(path), line=line)
        aliases = [a.strip() for a in re.split(r"[;|]", cell("aliases")) if a.strip()]
        getattr(lists, kind).append(NameEntry(name, aliases, cell("replacement") or None, always in _TRUE))
    return lists
