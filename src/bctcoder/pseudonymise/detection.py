"""Finding identifiers in a project's documents: :func:`detect_identifiers`.

Steps: role and code speaker labels are blanked (same offsets); the spaCy pipeline runs over every document
(once, in a batch); Presidio's analyzer runs our recognisers and the study's lists on each (without a
named-entity model, runs of capitalised words stand in for it:
:func:`~bctcoder.pseudonymise.name_patterns.find_capitalised_names`); the rules of
:mod:`.finding_rules` tidy and filter each finding; names found as people anywhere are looked for
everywhere; overlaps are resolved (longest span, then highest score). Nothing here opens a network
connection or downloads anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from bctcoder.errors import InputError
from bctcoder.pseudonymise.categories import PERSON
from bctcoder.pseudonymise.finding_rules import known_name_findings, proper_noun_test, tidy_finding
from bctcoder.pseudonymise.findings import Finding, resolve_overlaps
from bctcoder.pseudonymise.name_patterns import find_capitalised_names
from bctcoder.pseudonymise.spacy_pipeline import pipeline_name
from bctcoder.pseudonymise.speaker_labels import mask_role_labels, name_labels
from bctcoder.pseudonymise.study_lists import StudyLists, find_list_matches, ignored_spans

_LOWER_WORD = re.compile(r"(?<![\w'’\-])[a-z][a-z'’\-]*[a-z](?![\w'’\-])")
_ADDRESS_LIKE = re.compile(r"\S*(?:@|://|www\.)\S*")   # e-mail and web addresses: their words are not words
_BATCH = 16


def lowercase_words(texts: Mapping[str, str]) -> frozenset[str]:
    """Every word the texts write in lower case (where it is not a name)."""
    words: set[str] = set()
    for text in texts.values():
        words.update(_LOWER_WORD.findall(_ADDRESS_LIKE.sub(" ", text)))
    return frozenset(words)


def detect_identifiers(texts: Mapping[str, str], lists: StudyLists | None = None, *,
                       nlp: str | None | bool = None) -> list[Finding]:
    """Identifiers in ``texts`` (document name → text), sorted by document (in the order given) and start.

    ``lists`` are the study's people, places, organisations and words to ignore; ``nlp`` chooses the spaCy
    pipeline (see :mod:`bctcoder.pseudonymise.spacy_pipeline`: None picks the configured or installed one,
    False uses none). Raises InputError when Presidio or spaCy is not installed, or the pipeline asked for
    is not."""
    if not isinstance(texts, Mapping):
        raise InputError("texts must map document names to their text")
    for name, text in texts.items():
        if not isinstance(text, str):
            raise InputError(f"the text of document {name!r} is not text")
    from bctcoder.pseudonymise.presidio_engine import ListRecogniser, analysis_engine, result_source

    lists = lists or StudyLists()
    engine = analysis_engine(pipeline_name(nlp))
    lower = lowercase_words(texts)
    masked = {name: mask_role_labels(text) for name, text in texts.items()}

    def list_matches(text: str, doc: Any) -> list[Any]:
        test = proper_noun_test(doc) if engine.tags else None
        return find_list_matches(text, lists, lowercase_words=lower, proper_noun=test)

    list_recogniser = ListRecogniser(list_matches)
    findings: list[Finding] = []
    ignored: dict[str, list[tuple[int, int]]] = {}
    proper_nouns: dict[str, Callable[[int], bool] | None] = {}
    names = list(masked)
    batches = engine.nlp_engine.process_batch([masked[n] for n in names], "en", batch_size=_BATCH)
    for name, (_text, artifacts) in zip(names, batches):
        text = texts[name]
        results = engine.analyzer.analyze(text=masked[name], language="en", nlp_artifacts=artifacts,
                                          ad_hoc_recognizers=[list_recogniser])
        ignored[name] = ignored_spans(masked[name], lists.ignore)
        proper_noun = proper_noun_test(artifacts.tokens) if engine.tags else None
        proper_nouns[name] = proper_noun
        raw = [Finding(name, r.start, r.end, text[r.start:r.end], r.entity_type, float(r.score), result_source(r))
               for r in results]
        raw.extend(Finding(name, label.start, label.end, label.text, PERSON, 0.8, "speaker-label")
                   for label in name_labels(text))
        if not engine.entities:   # no named-entity model: capitalised words stand in
            raw.extend(Finding(name, m.start, m.end, text[m.start:m.end], m.category, m.score, m.source)
                       for m in find_capitalised_names(masked[name], lower))
        for finding in raw:
            tidied = tidy_finding(masked[name], finding, ignore=lists.ignore, ignored=ignored[name],
                                  lowercase_words=lower, proper_noun=proper_noun)
            if tidied is not None:
                findings.append(tidied)
    findings.extend(known_name_findings(masked, findings, lowercase_words=lower, ignored=ignored,
                                        proper_nouns=proper_nouns))
    order = {name: i for i, name in enumerate(names)}
    resolved = resolve_overlaps(findings)
    return sorted(resolved, key=lambda f: (order[f.document], f.start, f.end))
