"""detect_identifiers with Presidio and spaCy (slow: loading them takes seconds; CI runs these with the
[pseudonymise] extra installed and fails, not skips, without it), and its errors without them (fast)."""

from __future__ import annotations

import socket

import pytest

from bctcoder.errors import InputError
from bctcoder.pseudonymise import (
    NameEntry,
    StudyLists,
    detect_identifiers,
    presidio_engine,
    propose_replacements,
    spacy_pipeline,
)


def spans(findings, document=None):
    return [(f.text, f.category) for f in findings if document is None or f.document == document]


def test_without_presidio_detection_says_what_to_install(monkeypatch):
    monkeypatch.setattr(presidio_engine, "PRESIDIO_AVAILABLE", False)
    presidio_engine.analysis_engine.cache_clear()
    try:
        with pytest.raises(InputError, match=r"pip install 'bctcoder\[pseudonymise\]'"):
            detect_identifiers({"a": "Sarah rang."}, nlp=False)
    finally:
        presidio_engine.analysis_engine.cache_clear()


@pytest.mark.slow
def test_a_pipeline_that_is_not_installed_is_an_error_not_a_download(extra, monkeypatch):
    with pytest.raises(InputError, match="not installed"):
        spacy_pipeline.pipeline_name("en_core_web_no_such_pipeline")
    monkeypatch.setenv(spacy_pipeline.ENVIRONMENT_VARIABLE, "en_core_web_no_such_pipeline")
    with pytest.raises(InputError, match="BCTCODER_SPACY_MODEL"):
        spacy_pipeline.pipeline_name(None)
    assert spacy_pipeline.pipeline_name(False) == spacy_pipeline.BLANK


def test_texts_must_be_text():
    with pytest.raises(InputError):
        detect_identifiers({"a": b"bytes"}, nlp=False)   # type: ignore[dict-item]


@pytest.mark.slow
def test_each_category(extra):
    text = ("Interviewer: Can you tell me about yourself?\n"
            "SP2: I'm Jonathan Price, I'm 29. I was at Leeds General Infirmary on 12/05/2021 and Dr Anand saw me. "
            "I moved from Bradford to Leeds in March 2019. Ring 07700 900461 or jon.price@example.org. I live at "
            "14 Cardigan Close, LS6 3QF. My NHS number is 943 476 5919. My sister Karen works at Asda.\n")
    found = spans(detect_identifiers({"a": text}))
    for expected in [("Jonathan Price", "PERSON"), ("29", "AGE"), ("Leeds General Infirmary", "ORGANISATION"),
                     ("12/05/2021", "DATE"), ("Anand", "PERSON"), ("Bradford", "PLACE"), ("Leeds", "PLACE"),
                     ("March 2019", "DATE"), ("07700 900461", "PHONE"), ("jon.price@example.org", "EMAIL"),
                     ("14 Cardigan Close", "ADDRESS"), ("LS6 3QF", "POSTCODE"), ("943 476 5919", "NHS_NUMBER"),
                     ("Karen", "PERSON")]:
        assert expected in found, expected
    assert not any(t in ("Interviewer", "SP2", "Leeds General") for t, _c in found)
    assert ("Leeds", "PLACE") in found and found.count(("Leeds", "PLACE")) == 1   # the one inside the hospital is not


@pytest.mark.slow
def test_common_word_names_both_ways(extra):
    text = ("SP1: I hope so. It may help, to be frank. I will try. My friend Will came with Grace and Frank. "
            "Then Hope rang me, and I said Hope was lovely. The rose garden was full of joy at dawn.\n")
    lists = StudyLists(people=[NameEntry("Hope Mensah")])
    found = spans(detect_identifiers({"a": text}, lists))
    names = [t for t, c in found if c == "PERSON"]
    assert names.count("Will") == 1 and "Grace" in names and "Frank" in names and names.count("Hope") == 2
    for word in ("hope", "may", "frank", "will", "rose", "joy", "dawn"):
        assert word not in [t for t, _c in found]


@pytest.mark.slow
def test_study_list_aliases_misspellings_and_names_known_elsewhere(extra):
    lists = StudyLists(people=[NameEntry("Elizabeth Harper", ["Liz", "Lizzie"], "[Peer worker 1]")],
                       organisations=[NameEntry("Mindful Steps")], ignore=["Peer Worker"])
    texts = {"a": "PW1: I'm the Peer Worker at Mindful Steps. Lizzie was there and Tomasz Nowak came.\n",
             "b": "SP5: Liz helped me. I told Tomasz about it, and Tomasz's daughter. Then Tomaz rang.\n"}
    found = detect_identifiers(texts, lists)
    assert ("Mindful Steps", "ORGANISATION") in spans(found, "a")
    assert not any("Peer Worker" in t for t, _c in spans(found))
    assert ("Lizzie", "PERSON") in spans(found, "a") and ("Liz", "PERSON") in spans(found, "b")
    assert spans(found, "b").count(("Tomasz", "PERSON")) == 2   # a first name of a full name found in "a"
    assert ("Tomaz", "PERSON") in spans(found, "b")              # one edit from a known name
    proposals = {p.text: p.replacement for p in propose_replacements(found, lists)}
    assert proposals["Lizzie"] == proposals["Liz"] == "[Peer worker 1]"
    assert proposals["Tomasz"] == proposals["Tomasz Nowak"] == proposals["Tomaz"]


@pytest.mark.slow
def test_consistent_replacements_across_documents(extra):
    texts = {"b": "SP1: My daughter Chloe Evans lives in Hull.\n",
             "a": "SP2: Chloe moved to Hull, then to Bradford in 2020.\n"}
    proposals = propose_replacements(detect_identifiers(texts))
    got = [(p.document, p.text, p.replacement) for p in proposals]
    assert ("b", "Chloe Evans", "[Person 1]") in got and ("a", "Chloe", "[Person 1]") in got
    assert ("b", "Hull", "[Town A]") in got and ("a", "Hull", "[Town A]") in got
    assert ("a", "Bradford", "[Town B]") in got


@pytest.mark.slow
def test_without_a_pipeline_patterns_and_lists_still_work(extra):
    found = spans(detect_identifiers({"a": "SP1: I met Dr Patel on 3 March 2019 at Harehills Health Centre.\n"},
                                     nlp=False))
    assert ("Patel", "PERSON") in found and ("3 March 2019", "DATE") in found
    assert ("Harehills Health Centre", "ORGANISATION") in found


@pytest.mark.slow
def test_no_socket_is_opened(extra, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    presidio_engine.analysis_engine.cache_clear()
    spacy_pipeline.load_pipeline.cache_clear()
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    text = "SP1: Email me at a.b@example.co.uk or see www.example.org; I'm Sarah from Leeds, ring 0113 496 0732.\n"
    found = spans(detect_identifiers({"a": text}, nlp=True))
    assert ("a.b@example.co.uk", "EMAIL") in found and ("0113 496 0732", "PHONE") in found
