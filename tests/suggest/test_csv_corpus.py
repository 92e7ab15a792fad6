"""Evaluate suggestions on any labelled table (#15): `bctcoder evaluate --corpus csv`."""

from __future__ import annotations

import json

import pytest
from tests.conftest import write
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.suggest.corpora import load_corpus
from bctcoder.suggest.csv_corpus import CsvColumns
from bctcoder.suggest.evaluate import grouped_folds

runner = CliRunner()
CODES = {"Reflection": "so you feel it sounds like you are saying",
         "Question": "what how why when could you tell me",
         "Emphasize autonomy": "your choice it is up to you you decide"}


def table(tmp_path, delimiter=","):
    rows = ["dialogue,client_before,utterance,code".replace(",", delimiter)]
    for d in range(10):
        for i, (code, words) in enumerate(CODES.items()):
            rows.append(delimiter.join([f"D{d}", "I have been tired", f"{words} walk {d} {i}", code]))
    rows.append(delimiter.join(["D0", "", "", "Question"]))          # no text: skipped, counted
    return write(tmp_path / "mi.csv", "\n".join(rows) + "\n")


def test_rows_become_examples_with_groups_and_context(tmp_path):
    corpus = load_corpus("csv", [table(tmp_path, ";")], csv_columns=CsvColumns(
        "utterance", "code", "dialogue", "client_before"))
    assert len(corpus.examples) == 30 and corpus.skipped == 1
    first = corpus.examples[0]
    assert first.group == "mi.csv:D0" and first.context == "I have been tired" and first.label == "Reflection"
    assert sorted(i.id for i in corpus.labels_info) == sorted(CODES)
    folds = grouped_folds([e.group for e in corpus.examples], 5)
    for train, test in folds:   # a dialogue is never on both sides of a fold
        assert not {corpus.examples[i].group for i in train} & {corpus.examples[i].group for i in test}


def test_technique_numbers_get_their_descriptions(tmp_path):
    path = write(tmp_path / "t.csv", "text,label\nWe set a goal to walk daily,1.1\nShe showed me how,4.1\n")
    corpus = load_corpus("csv", [path])
    described = {i.id: i for i in corpus.labels_info}
    assert described["1.1"].label.startswith("Goal setting") and described["1.1"].description
    assert "technique numbers" in corpus.label_mapping


def test_cli_evaluates_a_table_and_names_missing_columns(tmp_path):
    path = table(tmp_path)
    out = runner.invoke(app, ["evaluate", "--corpus", "csv", "--train", str(path), "--cv", "3", "--suggester",
                              "lexical.v1", "--text-column", "utterance", "--label-column", "code",
                              "--group-column", "dialogue", "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["n_test"] == 30 and result["top1"] > 0.9 and "macro_f1" in result
    bad = runner.invoke(app, ["evaluate", "--corpus", "csv", "--train", str(path), "--text-column", "nope"])
    assert bad.exit_code == 1 and "no column 'nope' for --text-column" in bad.output
    assert "'utterance'" in bad.output and "Traceback" not in bad.output


@pytest.mark.slow   # fits three models on the demo: ~10 s (CI runs slow tests)
def test_evaluate_on_a_projects_own_codings(demo):
    result = demo.evaluate_suggester(cv=3, suggester="lexical.v1")
    assert result["mode"] == "cv" and result["cv"] == 3 and result["n_groups"] == 8
    presence = result["presence_agreement"]
    assert presence["documents"] == 8
    pooled = presence["pooled"]
    assert sum(pooled[k] for k in ("both", "coders_only", "model_only", "neither")) == 8 * len(
        presence["techniques"])
    assert all(-1 <= row["pabak"] <= 1 for row in presence["techniques"])
    out = runner.invoke(app, ["evaluate", demo.url, "--cv", "3", "--suggester", "lexical.v1"])
    assert out.exit_code == 0, out.output
    assert "Document level (as Table 2 counts), over 8 transcripts" in out.output
    both = runner.invoke(app, ["evaluate", demo.url, "--corpus", "csv"])
    assert both.exit_code == 1 and "not both" in both.output
