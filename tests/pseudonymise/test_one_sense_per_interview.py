"""A name that is also a word, at the start of a sentence: a person where the same interview names that
person, a word where it does not (needs the [pseudonymise] extra)."""

from __future__ import annotations

import pytest

from bctcoder.pseudonymise import detect_identifiers
from bctcoder.pseudonymise.study_lists import NameEntry, StudyLists
from tests.pseudonymise.conftest import require_extra

pytestmark = pytest.mark.slow


def test_sentence_start_names_follow_the_rest_of_the_interview():
    require_extra()
    texts = {
        "A": "Interviewer: Who supports you?\nSP1: My peer worker sees me with Hope on Mondays. "
             "Hope is starting college soon, so that will change.\n",
        "B": "Interviewer: What keeps you going?\nSP2: Hope is what keeps me going, honestly.\n",
    }
    lists = StudyLists(people=[NameEntry("Hope Mensah", replacement="[Participant 3]")])
    found = {(f.document, f.text, texts[f.document][f.start:f.start + 8]) for f in detect_identifiers(texts, lists)
             if f.category == "PERSON"}
    assert ("A", "Hope", "Hope on ") in found and ("A", "Hope", "Hope is ") in found
    assert not any(document == "B" for document, _, _ in found)
