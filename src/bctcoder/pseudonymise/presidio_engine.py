"""Presidio as the framework: our recognisers registered in an ``AnalyzerEngine`` built around a spaCy
pipeline we load ourselves (:mod:`bctcoder.pseudonymise.spacy_pipeline`), one engine per pipeline per
process.

The registry holds only our recognisers: the pure-Python ones of :mod:`.pattern_catalogue` (wrapped by
:class:`FunctionRecogniser`),
Presidio's ``PhoneRecognizer`` (the ``phonenumbers`` library, region GB; offline), and
:class:`SpacyEntityRecogniser`, which maps spaCy's labels to our categories. Presidio's e-mail and URL
recognisers are left out: they look top-level domains up with ``tldextract``, which may fetch the public
suffix list over the network. The study's lists are passed per call as an ad-hoc recogniser.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bctcoder.errors import InputError
from bctcoder.pseudonymise.categories import CATEGORIES, DATE, ORGANISATION, PERSON, PHONE, PLACE
from bctcoder.pseudonymise.pattern_catalogue import PATTERN_RECOGNISERS
from bctcoder.pseudonymise.pattern_recognisers import Match
from bctcoder.pseudonymise.spacy_pipeline import INSTALL_HINT, has_entities, has_tags, load_pipeline
from bctcoder.pseudonymise.vocabulary import MONTHS

try:
    from presidio_analyzer import AnalyzerEngine, LocalRecognizer, RecognizerRegistry, RecognizerResult
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer
except ImportError:   # the [pseudonymise] extra is not installed: analysis_engine() says so
    PRESIDIO_AVAILABLE = False
    LocalRecognizer = object  # type: ignore[misc,assignment]
else:
    PRESIDIO_AVAILABLE = True

SPACY_LABELS: dict[str, str] = {"PERSON": PERSON, "GPE": PLACE, "LOC": PLACE, "FAC": PLACE, "ORG": ORGANISATION,
                                "DATE": DATE}
"""spaCy entity labels and the category each becomes (others are not identifiers here)."""
SOURCE_KEY = "bctcoder_source"
"""The key of a result's ``recognition_metadata`` that names our source ("spacy", "pattern:postcode")."""

_SPECIFIC_DATE = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in MONTHS) + r")\b|(?<!\d)(?:19|20)\d{2}(?!\d)"
                            r"|(?<!\d)\d{1,2}[/.\-]\d{1,2}(?!\d)")
SPACY_SCORE = 0.65
"""spaCy's findings score below the patterns' and the lists' for the same span: they decide a tie."""


def _result(match: Match) -> Any:
    return RecognizerResult(entity_type=match.category, start=match.start, end=match.end, score=match.score,
                            recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: match.source,
                                                  SOURCE_KEY: match.source})


class FunctionRecogniser(LocalRecognizer):  # type: ignore[misc,valid-type]
    """A pure-Python recogniser (text → matches) as a Presidio recogniser."""

    def __init__(self, name: str, function: Callable[[str], list[Match]]):
        self.function = function
        super().__init__(supported_entities=list(CATEGORIES), supported_language="en", name=name)

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
        """Presidio results for the function's matches of the requested entities."""
        return [_result(m) for m in self.function(text) if m.category in entities]


class SpacyEntityRecogniser(LocalRecognizer):  # type: ignore[misc,valid-type]
    """spaCy's named entities as our categories (:data:`SPACY_LABELS`); dates only when specific (a digit or
    a month name: "3 March", "2019", not "last week")."""

    def __init__(self) -> None:
        super().__init__(supported_entities=list(CATEGORIES), supported_language="en", name="spacy")

    def load(self) -> None:
        """Nothing to load: the pipeline ran before (its ``Doc`` is in the NLP artefacts)."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
        """Results for the entities spaCy found in the document."""
        if nlp_artifacts is None or nlp_artifacts.tokens is None:
            return []
        results = []
        for entity in nlp_artifacts.tokens.ents:
            category = SPACY_LABELS.get(entity.label_)
            if category is None or category not in entities:
                continue
            if category == DATE and not _SPECIFIC_DATE.search(entity.text):
                continue
            results.append(_result(Match(entity.start_char, entity.end_char, category, SPACY_SCORE, "spacy")))
        return results


class ListRecogniser(LocalRecognizer):  # type: ignore[misc,valid-type]
    """The study's lists for one call (see :func:`bctcoder.pseudonymise.study_lists.find_list_matches`)."""

    def __init__(self, find: Callable[[str, Any], list[Match]]):
        self.find = find
        super().__init__(supported_entities=list(CATEGORIES), supported_language="en", name="study-list")

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
        """Results for the list entries mentioned in the text."""
        doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
        return [_result(m) for m in self.find(text, doc) if m.category in entities]


@dataclass(frozen=True)
class AnalysisEngine:
    """A Presidio analyzer with its spaCy pipeline; ``entities``/``tags``: whether the pipeline recognises
    named entities and tags parts of speech."""

    pipeline: str
    analyzer: Any
    nlp_engine: Any
    entities: bool
    tags: bool


def _presidio_required() -> None:
    if not PRESIDIO_AVAILABLE:
        raise InputError(f"pseudonymisation needs Presidio and spaCy: {INSTALL_HINT}")


class _LoadedSpacyEngine(SpacyNlpEngine if PRESIDIO_AVAILABLE else object):  # type: ignore[misc]
    """Presidio's spaCy engine around a pipeline already loaded (its ``load`` would download a missing
    model and probe for a GPU)."""

    def __init__(self, language: Any, name: str):
        labels = list(language.get_pipe("ner").labels) if "ner" in language.pipe_names else []
        super().__init__(models=[{"lang_code": "en", "model_name": name}],
                         ner_model_configuration=NerModelConfiguration(labels_to_ignore=labels))
        self.nlp = {"en": language}

    def load(self) -> None:
        """Already loaded."""


@functools.lru_cache(maxsize=4)
def analysis_engine(pipeline: str) -> AnalysisEngine:
    """The analyzer for a pipeline name from :func:`~bctcoder.pseudonymise.spacy_pipeline.pipeline_name`,
    built once per process."""
    _presidio_required()
    language = load_pipeline(pipeline)
    nlp_engine = _LoadedSpacyEngine(language, pipeline)
    recognisers: list[Any] = [FunctionRecogniser(f"pattern:{name}", function)
                              for name, function in PATTERN_RECOGNISERS.items()]
    recognisers.append(PhoneRecognizer(supported_entity=PHONE, supported_regions=("GB",), leniency=1,
                                       name="presidio:phone"))
    if has_entities(language):
        recognisers.append(SpacyEntityRecogniser())
    registry = RecognizerRegistry(recognizers=recognisers, supported_languages=["en"])
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"],
                              default_score_threshold=0.0)
    return AnalysisEngine(pipeline, analyzer, nlp_engine, has_entities(language), has_tags(language))


def result_source(result: Any) -> str:
    """Our source name of a Presidio result."""
    metadata = result.recognition_metadata or {}
    return str(metadata.get(SOURCE_KEY) or metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY) or "presidio")
