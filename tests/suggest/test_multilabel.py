"""Several techniques per passage and calibrated thresholds (#15): chosen out of fold, applied per technique,
"no technique" first, multi-label metrics, and the project path."""

from __future__ import annotations

import time

import numpy as np
import pytest
from tests.conftest import write

from bctcoder.errors import InputError
from bctcoder.suggest import calibrated, registry
from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.corpora import Example
from bctcoder.suggest.evaluate import evaluate, format_table
from bctcoder.suggest.multilabel import (
    decide,
    evaluate_items,
    multilabel_metrics,
    suggestion_ranking,
    with_secondary_labels,
)
from bctcoder.suggest.service import NONE_LABEL
from bctcoder.suggest.thresholds import THRESHOLD_GRID, choose_thresholds, thresholds_from_rows

LABELS = [LabelInfo("A", "walking goal", "set a goal to walk", ("walk more steps",)),
          LabelInfo("B", "healthy food", "eat better food", ("eat vegetables",)),
          LabelInfo("C", "social support", "friends help", ("ask a friend",))]
WORDS = {"A": ["walk", "steps", "goal", "daily"], "B": ["eat", "vegetables", "food", "fruit"],
         "C": ["friend", "support", "family", "help"]}


def corpus(n_groups: int = 12, seed: int = 0) -> list[Example]:
    """Sentences of one or two labels' words; a two-label sentence is two examples (as HBCP and projects give
    them)."""
    rng = np.random.default_rng(seed)
    out = []
    for g in range(n_groups):
        for i in range(9):
            first = "ABC"[(g + i) % 3]
            second = "ABC"[(g + i + 1) % 3] if i % 3 == 0 else None
            words = list(rng.choice(WORDS[first], 3)) + (list(rng.choice(WORDS[second], 3)) if second else [])
            text = " ".join(words) + f" s{g}-{i}"
            out.append(Example(text, first, f"doc{g}"))
            if second:
                out.append(Example(text, second, f"doc{g}"))
    return out


# ------------------------------------------------------------------------------------------------ metrics

def test_multilabel_metrics_hand_computed():
    gold = [frozenset("ab"), frozenset("c"), frozenset(), frozenset("a")]
    predicted = [["a"], ["b", "c"], [], []]
    m = multilabel_metrics(gold, predicted, ["a", "b", "c"], min_support=1)
    # per item P / R / F1: (1, .5, 2/3), (.5, 1, 2/3), both empty (1, 1, 1), nothing predicted (0, 0, 0)
    assert m["example_precision"] == 0.625 and m["example_recall"] == 0.625
    assert m["example_f1"] == round((2 / 3 + 2 / 3 + 1 + 0) / 4, 4) == 0.5833
    assert m["micro_f1"] == round(4 / 7, 4)                       # TP 2 (a, c), FP 1 (b), FN 2 (b, a)
    assert m["macro_f1"] == round((2 / 3 + 0 + 1) / 3, 4)         # a 2/3, b 0, c 1
    assert m["macro_labels"] == 3
    assert m["hamming_loss"] == 0.25                               # 3 wrong decisions of 4 items × 3 labels
    assert m["subset_accuracy"] == 0.25
    assert m["none_items"] == 1 and m["none_correct"] == 1.0
    assert m["labels_per_item"] == 0.75
    assert multilabel_metrics(gold, predicted, ["a", "b", "c"], min_support=2)["macro_labels"] == 1   # only a


def test_evaluate_items_groups_rows_and_uses_each_folds_thresholds():
    labels = ["a", "b", "None"]
    examples = [Example("x", "a", "d1"), Example("x", "b", "d1"),     # one item with two labels
                Example("y", "None", "d1"),                            # nothing here
                Example("z", "a", "d2")]
    P = np.array([[0.5, 0.4, 0.1], [0.5, 0.4, 0.1], [0.2, 0.1, 0.7], [0.45, 0.1, 0.45]])
    folds = [0, 0, 0, 1]
    out = evaluate_items(examples, labels, P, folds, [({"b": 0.3}, 0.5), ({}, 0.5)], top_k=3, min_support=1)
    assert (out["items"], out["several"], out["empty"]) == (3, 1, 1)
    assert out["top1"] == 1.0                   # a in {a, b}; None for the empty item; a (first of a tie) for z
    calibrated_, global_, top1 = (out["decisions"][k] for k in ("calibrated", "global", "top1"))
    assert calibrated_["subset_accuracy"] == round(2 / 3, 4)   # x gets a and b (b's own .3), z none (.45 < .5)
    assert global_["example_recall"] == round((0.5 + 1 + 0) / 3, 4)   # b needs .5 in "global"
    assert top1["labels_per_item"] == round(2 / 3, 4)
    assert out["decisions"]["topk"]["labels_per_item"] == 2.0      # as before: the techniques, always
    assert out["thresholds"][0] == {"default": 0.5, "per_label": {"b": 0.3}}
    none_only = evaluate_items(examples, labels, P, folds, [None, None])
    assert none_only["decisions"]["calibrated"] is None and none_only["decisions"]["top1"]["items"] == 3


def test_secondary_labels_become_examples_of_the_same_item():
    e = Example("Let's set a goal.", "Goal", "dlg", "ok", extra=("Motivation",))
    assert [x.label for x in with_secondary_labels([e])] == ["Goal", "Motivation"]
    assert {x.text for x in with_secondary_labels([e])} == {e.text}


# ---------------------------------------------------------------------------------------------- decisions

def test_two_techniques_above_threshold_both_and_none_dominated_nothing():
    labels = ["1.1", "3.1", "5.1", NONE_LABEL]
    P = np.array([[0.45, 0.40, 0.05, 0.10],      # two techniques above their thresholds
                  [0.30, 0.05, 0.05, 0.60],      # "no technique" most probable: nothing, although 1.1 ≥ .2
                  [0.12, 0.10, 0.08, 0.70],
                  [0.36, 0.34, 0.30, 0.00]])     # 5.1 below its own threshold
    got = decide(P, labels, {"3.1": 0.3, "5.1": 0.5}, 0.2, top_k=3)
    assert [[label for label, _ in row] for row in got] == [["1.1", "3.1"], [], [], ["1.1", "3.1"]]
    assert got[0][0] == ("1.1", 0.45)
    assert [[x for x, _ in row] for row in decide(P, labels, {}, 0.2, top_k=1)] == [["1.1"], [], [], ["1.1"]]


def test_choose_thresholds_per_technique_with_enough_positives_else_global():
    labels = ["a", "b", "None"]
    rows, gold = [], []
    for i in range(16):                          # a: 8 positives at .6, 8 negatives at .3
        rows.append([0.6, 0.2, 0.2] if i < 8 else [0.3, 0.25, 0.2])
        gold.append(frozenset("a") if i < 8 else frozenset())
    rows += [[0.1, 0.8, 0.1]] * 3                # b: 3 positives only
    gold += [frozenset("b")] * 3
    P = np.array(rows)
    chosen = choose_thresholds(P, labels, gold, min_positives=8)
    # a: F1 = 1 for every grid value in (.3, .6]: the middle of .31 ... .60
    assert chosen.per_label == {"a": float(THRESHOLD_GRID[(30 + 59) // 2])} == {"a": 0.45}
    assert "b" not in chosen.per_label and chosen.positives == {"a": 8, "b": 3}
    assert chosen.default is not None and 0.3 < chosen.default <= 0.6
    assert choose_thresholds(P, labels, gold, min_positives=8) == chosen          # deterministic
    assert choose_thresholds(P, labels, [frozenset()] * len(gold)).default is None   # no positives: none


def test_rows_of_one_passage_are_one_item():
    P = np.array([[0.5, 0.4, 0.1], [0.5, 0.4, 0.1]] * 8)
    texts = [f"t{i // 2}" for i in range(16)]
    chosen = thresholds_from_rows(P, ["a", "b", "None"], texts, ["a", "b"] * 8, ["d"] * 16, min_positives=8)
    assert chosen.positives == {"a": 8, "b": 8}    # 8 items, each with both labels
    assert chosen.per_label["b"] <= 0.4            # b is right on every item: suggest it with a


# ------------------------------------------------------------------------------------ out-of-fold choice

class Recorder:
    """A base suggester that remembers what each instance was fitted on and asked about."""

    needs_embeddings = False
    log: list[tuple[set[str], list[str]]] = []

    def __init__(self):
        self.name, self.seen = "recorder", set()

    def fit(self, texts, labels, labels_info, groups=None):
        self.seen, self.classes = set(texts), sorted({i.id for i in labels_info} | set(labels))
        return self

    def predict(self, texts):
        Recorder.log.append((self.seen, list(texts)))
        rng = np.random.default_rng(len(texts))
        P = rng.random((len(texts), len(self.classes)))
        return Prediction(self.classes, P / P.sum(axis=1, keepdims=True), self.name)


def test_calibrated_thresholds_are_chosen_on_out_of_fold_predictions_only(monkeypatch):
    captured = {}

    def spy(probabilities, labels, texts, row_labels, groups, **options):
        captured.update(texts=list(texts))
        return thresholds_from_rows(probabilities, labels, texts, row_labels, groups, **options)

    monkeypatch.setattr(calibrated, "thresholds_from_rows", spy)
    Recorder.log = []
    examples = corpus()
    model = calibrated.Calibrated("rec", Recorder).fit([e.text for e in examples], [e.label for e in examples],
                                                       LABELS, [e.group for e in examples])
    assert len(Recorder.log) == 3                                   # the three out-of-fold models
    for seen, asked in Recorder.log:
        assert not seen & set(asked)                                # never asked about its own training texts
    assert sorted(captured["texts"]) == sorted(e.text for e in examples)   # each training row once, out of fold
    assert model.default_threshold is not None


def test_evaluation_thresholds_never_see_the_test_fold():
    examples = corpus()
    first = evaluate(examples, LABELS, "lexical.v2", cv=3, seed=0, options={"min_positives": 8})
    held = {e.group for e, fold in zip(examples, _fold_of(first, examples)) if fold == 0}
    scrambled = [Example(e.text, "ABC"[(i * 7) % 3], e.group) if e.group in held else e
                 for i, e in enumerate(examples)]       # new gold labels on the first fold's test side only
    second = evaluate(scrambled, LABELS, "lexical.v2", cv=3, seed=0, options={"min_positives": 8})
    a, b = first["multilabel"]["thresholds"], second["multilabel"]["thresholds"]
    assert a[0] is not None and a[0]["per_label"]                    # chosen, with own thresholds
    assert a[0] == b[0]                                              # the test side changed nothing
    assert first["multilabel"]["decisions"]["calibrated"]["items"] == len({e.text for e in examples})
    assert "multi-label" in format_table(first) and "calibrated" in format_table(first)


def _fold_of(result, examples):
    from bctcoder.suggest.evaluate import grouped_folds

    fold = np.zeros(len(examples), dtype=int)
    for k, (_, test) in enumerate(grouped_folds([e.group for e in examples], result["cv"], result["seed"])):
        fold[test] = k
    return fold


def test_deciding_for_a_thousand_passages_is_fast():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.full(100, 0.1), size=1000)
    labels = [f"{i // 10}.{i % 10}" for i in range(99)] + [NONE_LABEL]
    started = time.perf_counter()
    decide(P, labels, {label: 0.2 for label in labels[:50]}, 0.3, top_k=3)
    assert time.perf_counter() - started < 1.0


# ---------------------------------------------------------------------------------------------- projects

class Thresholded:
    """Fixed probabilities with thresholds, as a fitted calibrated suggester has them."""

    needs_embeddings = False

    def __init__(self, name: str = "spy.thresholds"):
        self.name, self.classes = name, []
        self.thresholds, self.default_threshold = {"3.1": 0.3}, 0.35

    def fit(self, texts, labels, labels_info, groups=None):
        self.classes = sorted({i.id for i in labels_info} | set(labels) | {NONE_LABEL})
        return self

    def predict(self, texts):
        P = np.full((len(texts), len(self.classes)), 0.0)
        at = {c: j for j, c in enumerate(self.classes)}
        for i, text in enumerate(texts):
            if "weather" in text:
                P[i, at[NONE_LABEL]], P[i, at["1.1"]] = 0.6, 0.4
            else:
                P[i, at["1.1"]], P[i, at["3.1"]], P[i, at["1.2"]] = 0.36, 0.32, 0.32
        return Prediction(self.classes, P, self.name)


@pytest.fixture
def interview(project, tmp_path, monkeypatch):
    monkeypatch.setitem(registry._FACTORIES, "spy.thresholds", Thresholded)
    write(tmp_path / "cases.csv", "case,role\nP1,SP\n")
    project.import_cases(tmp_path / "cases.csv")
    write(tmp_path / "P1.txt", "Interviewer: How was it?\nP1: We set a goal and my friend helped me. "
                               "The weather was grey all week.\n")
    project.import_transcripts([tmp_path / "P1.txt"])
    return project


def test_the_project_stores_several_suggestions_for_one_passage(interview):
    result = interview.suggest(suggester="spy.thresholds", top_k=3)
    assert result["thresholds"] == "calibrated"
    pending = interview.suggestions()
    by_quote = pending.groupby("quote")["code"].apply(sorted).to_dict()
    # 1.1 (.36 ≥ .35) and 3.1 (.32 ≥ its own .3) but not 1.2 (.32 < .35); nothing for the "(none)" passage
    assert by_quote == {"We set a goal and my friend helped me.": ["1.1", "3.1"]}
    assert interview.suggest(suggester="spy.thresholds", thresholds="global")["suggestions"] == 1
    old = interview.suggest(suggester="spy.thresholds", top_k=3, thresholds="none", min_confidence=0.05)
    assert old["thresholds"] == "none" and old["suggestions"] == 3 + 1     # top-k as before: 3, and 1.1 at .4
    with pytest.raises(InputError):
        interview.suggest(suggester="spy.thresholds", thresholds="often")


def test_a_suggester_without_thresholds_ranks_as_before():
    class Plain:
        name = "plain"

    prediction = Prediction(["1.1", "3.1", NONE_LABEL], np.array([[0.2, 0.1, 0.7]]), "plain")
    ranked, used = suggestion_ranking(Plain(), prediction, 2, "calibrated")
    assert used == "none" and [label for label, _ in ranked[0]] == [NONE_LABEL, "1.1", "3.1"]


@pytest.mark.slow   # fits lexical.v2 in a project (~10 s on 2 cores)
def test_lexical_v2_in_a_project_chooses_thresholds_and_suggests_quickly(project, tmp_path):
    write(tmp_path / "cases.csv", "case,role\n" + "".join(f"P{i},SP\n" for i in range(6)))
    project.import_cases(tmp_path / "cases.csv")
    sentences = {"1.1": "We set a goal to walk every day", "3.1": "My friend helped me a lot",
                 "2.2": "The nurse told me how I was doing"}
    said = {i: [f"{s} (time {k} in {i})." for k in range(4) for s in sentences.values()] for i in range(6)}
    files = []
    for i in range(6):
        write(tmp_path / f"P{i}.txt", f"Interviewer: How was it?\nP{i}: {' '.join(said[i])}\n")
        files.append(tmp_path / f"P{i}.txt")
    project.import_transcripts(files)
    for i in range(5):               # 5 transcripts × 4 passages of each technique: 60 examples
        text = project.document_text(f"P{i}")
        for sentence in said[i]:
            code = next(c for c, s in sentences.items() if sentence.startswith(s))
            start = text.index(sentence)
            project.add_coding(f"P{i}", start, start + len(sentence), code, coder="ann")
    result = project.suggest(suggester="lexical.v2", top_k=3, documents=["P5"])
    assert result["thresholds"] == "calibrated" and result["suggestions"] > 0
    from bctcoder.suggest.service import FittedModels, fit_suggester, training_data

    with project.reading() as s:
        model = fit_suggester(training_data(s, "lexical.v2"), FittedModels())
    assert model.default_threshold is not None
    texts = [f"{s} again {k}" for k in range(334) for s in sentences.values()][:1000]
    started = time.perf_counter()
    suggestion_ranking(model, model.predict(texts), 3, "calibrated")
    assert time.perf_counter() - started < 5.0


@pytest.mark.slow   # ~5 s on 2 cores: fits ensemble.v1's inner CV twice
def test_ensemble_chooses_thresholds_on_its_inner_out_of_fold_scores():
    from tests.suggest.test_evaluate import fake_encode

    examples = corpus(n_groups=6)
    texts, labels, groups = [e.text for e in examples], [e.label for e in examples], [e.group for e in examples]
    ens = registry.create("ensemble.v1", encode=fake_encode, min_positives=8).fit(texts, labels, LABELS, groups)
    assert ens.default_threshold is not None and set(ens.thresholds) == {"A", "B", "C"}
    ranked, used = suggestion_ranking(ens, ens.predict(["walk steps goal and eat fruit food"]), 3, "calibrated")
    assert used == "calibrated" and all(p >= ens.thresholds.get(x, ens.default_threshold) for x, p in ranked[0])
    few = registry.create("ensemble.v1", encode=fake_encode).fit(texts[:20], labels[:20], LABELS, groups[:20])
    assert few.supervised and few.default_threshold is None          # under 30 coded passages: no thresholds
