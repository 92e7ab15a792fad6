"""Context and speaker (#15): suggesters see the previous turn, in training and suggesting alike."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.conftest import write

from bctcoder.suggest import registry
from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.corpora import read_esconv
from bctcoder.suggest.csv_corpus import CsvColumns
from bctcoder.suggest.evaluate_cli import run_evaluation
from bctcoder.suggest.lexical import CONTEXT_CHARS, ContextLexicalSuggester, tail
from bctcoder.suggest.passages import format_context
from bctcoder.suggest.service import training_examples_with_contexts, uncoded_passages

QUESTION = "Did your peer worker ever tell you about their own experience of being unwell?"
ANSWER = "I didn't believe him at first, but he kept on saying it."


class Spy:
    """Records what it is given; predicts uniform probabilities over the technique labels."""

    needs_embeddings = False
    turn_context = True            # built for a transcript's previous turn (as lexical.v3)
    fits: list[dict] = []
    predicts: list[dict] = []

    def __init__(self, name: str = "spy.context"):
        self.name = name
        self.classes: list[str] = []

    def fit(self, texts, labels, labels_info, groups=None, contexts=None):
        Spy.fits.append({"texts": list(texts), "labels": list(labels),
                         "contexts": None if contexts is None else list(contexts)})
        self.classes = sorted({i.id for i in labels_info} | set(labels))
        return self

    def predict(self, texts, contexts=None):
        Spy.predicts.append({"texts": list(texts), "contexts": None if contexts is None else list(contexts)})
        n = len(self.classes)
        return Prediction(self.classes, np.full((len(texts), n), 1.0 / n), self.name)


@pytest.fixture
def spy(monkeypatch):
    monkeypatch.setitem(registry._FACTORIES, "spy.context", Spy)
    Spy.fits, Spy.predicts = [], []
    return Spy


@pytest.fixture
def interview(project, tmp_path):
    write(tmp_path / "cases.csv", "case,role\nP04,SP\nP05,SP\n")
    project.import_cases(tmp_path / "cases.csv")
    write(tmp_path / "P04.txt", f"Interviewer: {QUESTION}\nP04: {ANSWER} Then I saw it was true for me.\n"
                                "Interviewer: And what did you do next?\nP04: We set a goal to walk every day.\n")
    write(tmp_path / "P05.txt", "Interviewer: How did the sessions start?\nP05: She listened to me for a long "
                                "time. Then we made a plan for the week.\n")
    assert project.import_transcripts([tmp_path / "P04.txt", tmp_path / "P05.txt"])
    return project


def test_a_passage_gets_the_interviewers_question_as_context(interview, spy):
    interview.suggest(suggester="spy.context", top_k=1)
    asked = dict(zip(spy.predicts[-1]["texts"], spy.predicts[-1]["contexts"]))
    assert asked[ANSWER] == f"Interviewer: {QUESTION}"
    assert asked["We set a goal to walk every day."] == "Interviewer: And what did you do next?"
    # the second sentence of an answer has the same previous turn
    assert asked["Then I saw it was true for me."] == f"Interviewer: {QUESTION}"


def test_a_suggester_not_built_for_turns_is_not_given_them(interview, spy, monkeypatch):
    """ensemble.v1 takes contexts (ESConv's help-seeker message) but was never measured with a transcript's
    previous turn: it gets none in a project."""
    monkeypatch.setattr(Spy, "turn_context", False)
    interview.suggest(suggester="spy.context", top_k=1)
    assert spy.fits[-1]["contexts"] is None and spy.predicts[-1]["contexts"] is None


def test_training_and_suggesting_build_the_same_context(interview, spy):
    with interview.reading() as s:
        before = {p.text: p.context for p in uncoded_passages(s)}
    text = interview.document_text("P04")
    start = text.index("We set a goal")
    interview.add_coding("P04", start, start + len("We set a goal to walk every day."), "1.1", coder="ann")
    with interview.reading() as s:
        texts, labels, groups, contexts = training_examples_with_contexts(s)
    assert contexts == [before["We set a goal to walk every day."]] == ["Interviewer: And what did you do next?"]
    interview.suggest(suggester="spy.context", top_k=1)
    assert spy.fits[-1]["contexts"] == contexts and spy.fits[-1]["texts"] == texts
    interview.mark_fully_coded("P04")            # its uncoded sentences become "no technique", with context
    with interview.reading() as s:
        texts, labels, groups, contexts = training_examples_with_contexts(s)
    assert dict(zip(texts, contexts))[ANSWER] == f"Interviewer: {QUESTION}" and len(contexts) == len(texts) == 3


def test_context_off_gives_the_suggester_none(interview, spy):
    interview.suggest(suggester="spy.context", top_k=1, use_context=False)
    assert spy.fits[-1]["contexts"] is None and spy.predicts[-1]["contexts"] is None
    interview.queue(suggester="spy.context", use_context=False)
    assert spy.predicts[-1]["contexts"] is None
    interview.queue(suggester="spy.context")
    assert f"Interviewer: {QUESTION}" in spy.predicts[-1]["contexts"]


@pytest.mark.slow   # fits two models on every technique's texts: ~10 s
def test_lexical_v3_without_context_suggests_what_lexical_v2_does(interview):
    interview.suggest(suggester="lexical.v2", top_k=2)
    v2 = interview.suggestions()[["start", "code", "confidence"]].sort_values(["start", "code"])
    interview.suggest(suggester="lexical.v3", top_k=2, use_context=False)
    v3 = interview.suggestions()
    assert set(v3["model"]) == {"lexical.v3"}
    assert v3[["start", "code", "confidence"]].sort_values(["start", "code"]).values.tolist() == v2.values.tolist()


def test_interviewer_turns_are_not_suggested_unless_asked(interview, spy):
    interview.suggest(suggester="spy.context", top_k=1)
    assert not any("Interviewer" in t or "?" in t for t in spy.predicts[-1]["texts"])
    pending = interview.suggestions()
    assert len(pending) and not pending["quote"].str.contains("?", regex=False).any()
    interview.suggest(suggester="spy.context", top_k=1, include_interviewer=True)
    assert QUESTION in spy.predicts[-1]["texts"]


def test_evaluate_project_passes_the_same_contexts(interview, spy):
    for doc, sentence in (("P04", ANSWER), ("P05", "She listened to me for a long time.")):
        start = interview.document_text(doc).index(sentence)
        interview.add_coding(doc, start, start + len(sentence), "3.1", coder="ann")
    result = interview.evaluate_suggester(cv=2, suggester="spy.context")
    assert result["n_test"] == 2
    seen = {c for call in spy.predicts for c in call["contexts"]}
    assert seen == {f"Interviewer: {QUESTION}", "Interviewer: How did the sessions start?"}
    interview.evaluate_suggester(cv=2, suggester="spy.context", use_context=False)
    assert spy.predicts[-1]["contexts"] is None


def test_evaluate_csv_with_context_column_passes_contexts(tmp_path, spy):
    rows = ["dialogue,question,utterance,code"]
    for d in range(4):
        rows += [f"D{d},What is your goal?,I want to walk {d},1.1", f"D{d},Who helps you?,My sister {d},3.1"]
    path = write(tmp_path / "t.csv", "\n".join(rows) + "\n")
    columns = CsvColumns("utterance", "code", "dialogue", "question")
    run_evaluation(corpus="csv", train=[path], test=[], cv=2, suggester="spy.context", csv_columns=columns)
    assert {c for call in spy.predicts for c in call["contexts"]} == {"What is your goal?", "Who helps you?"}
    assert all(call["contexts"] for call in spy.fits)
    run_evaluation(corpus="csv", train=[path], test=[], cv=2, suggester="spy.context", csv_columns=columns,
                   use_context=False)
    assert spy.predicts[-1]["contexts"] is None


def _context_only_data():
    """The label depends on the question alone: every answer is the same words."""
    texts, labels, contexts, groups = [], [], [], []
    for d in range(12):
        for label, question in (("goal", "what goal did you set"), ("support", "who supported you")):
            for i in range(3):
                texts.append(f"yes that was it really {i}")
                labels.append(label)
                contexts.append(f"Interviewer: {question} this week")
                groups.append(f"d{d}")
    return texts, labels, contexts, groups


def test_lexical_v3_learns_from_the_context_and_equals_lexical_v2_without_it():
    info = [LabelInfo("goal", "goal"), LabelInfo("support", "support")]
    texts, labels, contexts, groups = _context_only_data()
    v3 = registry.create("lexical.v3").fit(texts, labels, info, groups, contexts=contexts)
    got = v3.predict(["yes that was it really"], contexts=["Interviewer: who supported you this week"])
    assert got.model == "lexical.v3" and got.labels[int(got.probabilities.argmax())] == "support"
    got = v3.predict(["yes that was it really"], contexts=["Interviewer: what goal did you set this week"])
    assert got.labels[int(got.probabilities.argmax())] == "goal"
    v2 = registry.create("lexical.v2").fit(texts, labels, info, groups)
    plain = registry.create("lexical.v3").fit(texts, labels, info, groups)                # no contexts
    zero = registry.create("lexical.v3", context_weight=0).fit(texts, labels, info, groups, contexts=contexts)
    probe = ["yes that was it", "a goal"]
    for other in (plain, zero):
        assert np.allclose(other.predict(probe, contexts=["x", None]).probabilities, v2.predict(probe).probabilities)


def test_contexts_are_cut_to_their_last_characters_with_the_role_kept():
    long = "word " * 200 + "and what did you do next?"
    cut = format_context(long, interviewee=False)
    assert cut is not None and cut.startswith("Interviewer: ") and cut.endswith("what did you do next?")
    assert len(cut) <= len("Interviewer: ") + CONTEXT_CHARS and not cut.removeprefix("Interviewer: ").startswith(" ")
    assert format_context("  ", interviewee=True) is None
    assert format_context("I walked.", interviewee=True) == "Participant: I walked."
    assert tail("a  b\nc") == "a b c" and tail(None) is None
    model = ContextLexicalSuggester(context_chars=10)
    assert model._contexts(["one two three four five", None], 2) == ["four five", ""]


def test_esconv_context_kinds(tmp_path):
    dialogue = {"dialog": [{"speaker": "usr", "text": "I lost my job."},
                           {"speaker": "sys", "text": "That sounds hard.", "strategy": "Reflection of feelings"},
                           {"speaker": "sys", "text": "Have you talked to anyone?", "strategy": "Question"}]}
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(dialogue) + "\n", encoding="utf-8")
    assert [e.context for e in read_esconv(path)] == ["I lost my job.", "I lost my job."]
    assert [e.context for e in read_esconv(path, context="previous")] == ["I lost my job.", "That sounds hard."]
    assert [e.context for e in read_esconv(path, context="previous-role")] == [
        "Seeker: I lost my job.", "Supporter: That sounds hard."]
