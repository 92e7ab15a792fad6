"""Agreement conventions made explicit (#12): missing ratings, one observed agreement, the declared scale,
and agreement for teams of three or more coders who did not all code the same transcripts."""

from __future__ import annotations

import json

import pytest
from tests.conftest import write
from typer.testing import CliRunner

from bctcoder.agreement import (
    all_statistics,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac1_multi,
    mean_pairwise_agreement,
    pabak,
    percent_agreement_multi,
)
from bctcoder.agreement.conventions import COEFFICIENTS
from bctcoder.agreement.weights import parse_scale, weight_matrix
from bctcoder.cli.main import app
from bctcoder.errors import InputError
from bctcoder.project import Project

runner = CliRunner()

# two coders, three units the second coder left unrated
A = [1, 1, 2, 2, 1, 3, 3, 1, 2, 1]
B = [1, 2, 2, None, 1, 3, None, 1, None, 1]


def test_missing_all_is_gwets_form_and_listwise_drops_units_for_two_coders():
    rows = [list(p) for p in zip(A, B)]
    default = all_statistics(rows)
    assert default["gwet_ac1"].value == pytest.approx(gwet_ac1_multi(rows, 3).value)
    listwise = all_statistics(rows, missing="listwise")
    complete = [r for r in rows if None not in r]
    assert listwise["gwet_ac1"].value == pytest.approx(gwet_ac1([r[0] for r in complete], [r[1] for r in complete],
                                                                3).value)
    assert default["gwet_ac1"].value != pytest.approx(listwise["gwet_ac1"].value)
    # the same rule for three coders: listwise keeps only units every coder rated
    three = [r + [r[0]] for r in rows]
    assert all_statistics(three, missing="listwise")["fleiss_kappa"].details["n_units"] == len(complete)
    assert all_statistics(three)["fleiss_kappa"].details["n_units"] == len(rows)


def test_percent_agreement_is_the_pa_of_the_coefficients():
    # three coders, one unit rated by two: the mean of pairwise agreements differs from Fleiss' pa
    rows = [[1, 1, 1], [1, 2, 2], [2, 2, None], [1, 1, 2], [2, 1, 1]]
    stats = all_statistics(rows)
    assert stats["percent_agreement"].value == pytest.approx(fleiss_kappa(rows).details["pa"])
    assert stats["percent_agreement"].value == pytest.approx(percent_agreement_multi(rows).value)
    assert stats["mean_pairwise_agreement"].value == pytest.approx(mean_pairwise_agreement(rows).value)
    assert stats["mean_pairwise_agreement"].value != pytest.approx(stats["percent_agreement"].value)
    assert stats["gwet_ac1"].details["pa"] == pytest.approx(stats["percent_agreement"].value)


def test_pabak_counts_categories_from_every_rating_or_the_declared_scale():
    # jointly rated units use only category 1; the ratings use 1, 2 and 3
    rows = [[1, 1], [1, 1], [2, None], [None, 3]]
    stats = all_statistics(rows)
    assert stats["pabak"].details["n_categories"] == 3
    assert stats["pabak"].value == pytest.approx((1 - 1 / 3) / (1 - 1 / 3))
    assert pabak([1, 1, 2, None], [1, 1, None, 3]).details["n_categories"] == 3
    assert gwet_ac1([1, 1, 2, None], [1, 1, None, 3]).details["n_categories"] == 3
    declared = all_statistics(rows, categories=[1, 2, 3, 4, 5])
    assert declared["pabak"].details["n_categories"] == 5
    assert declared["gwet_ac1"].details["n_categories"] == 5


def test_weights_use_the_declared_scale():
    assert weight_matrix([1, 2, 3], "linear").tolist() == [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]]
    assert weight_matrix([1, 2, 3], "quadratic")[0].tolist() == [1, 0.75, 0]
    assert weight_matrix([1, 2, 3], "ordinal")[0].tolist() == pytest.approx([1, 2 / 3, 0])
    assert weight_matrix(["low", "mid", "high"], "linear")[0].tolist() == [1, 0.5, 0]
    assert parse_scale("1-5") == [1, 2, 3, 4, 5]
    assert parse_scale("low, mid ,high") == ["low", "mid", "high"]
    assert parse_scale("0,0.5,1") == [0, 0.5, 1]
    for bad in ("", "5-1", "a,,b", "1,1", "x-y", "1-100000"):
        with pytest.raises(ValueError):
            parse_scale(bad)


def test_every_reported_coefficient_is_defined():
    names = set(all_statistics([[1, 2, 3], [2, 2, 3], [3, 3, 3]], level="ordinal"))
    names |= set(all_statistics([[1, 2], [2, 2], [3, 3]], level="ordinal"))
    assert names <= set(COEFFICIENTS)


def test_docs_table_lists_every_coefficient():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "agreement.md").read_text(encoding="utf-8")
    for name in COEFFICIENTS:
        assert f"`{name}`" in text, name


# --------------------------------------------------------------------------- CLI on a ratings file


@pytest.fixture
def ratings(tmp_path):
    path = tmp_path / "ratings.csv"
    write(path, "unit,ann,bob,cy\n" + "".join(
        f"{i},{a},{'' if b is None else b},{a if i % 3 else ''}\n" for i, (a, b) in enumerate(zip(A, B), 1)))
    return path


def test_cli_states_the_missing_rule_and_takes_a_scale(ratings):
    out = runner.invoke(app, ["agreement", "--data", str(ratings)])
    assert out.exit_code == 0, out.output
    assert "missing ratings: all rated units" in out.output and "(the default)" in out.output
    assert "mean_pairwise_agreement" in out.output
    listwise = runner.invoke(app, ["agreement", "--data", str(ratings), "--missing", "listwise"])
    assert "missing ratings: listwise" in listwise.output and "(the default)" not in listwise.output
    plain = json.loads(runner.invoke(app, ["agreement", "--data", str(ratings), "--level", "ordinal",
                                           "--format", "json"]).output)
    scaled = json.loads(runner.invoke(app, ["agreement", "--data", str(ratings), "--level", "ordinal",
                                            "--scale", "1-5", "--format", "json"]).output)
    assert plain["categories"] == [1.0, 2.0, 3.0] and scaled["categories"] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert scaled["gwet_ac2_quadratic"] != plain["gwet_ac2_quadratic"]
    assert scaled["brennan_prediger"] != plain["brennan_prediger"]
    assert "definitions" in scaled and "percent_agreement" in scaled["definitions"]
    bad = runner.invoke(app, ["agreement", "--data", str(ratings), "--missing", "some"])
    assert bad.exit_code != 0 and "--missing" in bad.output and "Traceback" not in bad.output
    bad = runner.invoke(app, ["agreement", "--data", str(ratings), "--level", "ordinal", "--scale", "1-2"])
    assert bad.exit_code != 0 and "not among" in bad.output


# --------------------------------------------------------------------------- projects with three coders


@pytest.fixture
def team(tmp_path):
    """Transcripts A, B, C: ann and bob coded A and B; cy coded B and C; nobody coded all three."""
    p = Project.create(tmp_path / "t.bctcoder", user="t")
    write(tmp_path / "cases.csv", "case,role\nA,PW\nB,SP\nC,SP\n")
    p.import_cases(tmp_path / "cases.csv")
    for key in "ABC":
        write(tmp_path / f"{key}.txt", f"Interviewer: Tell me?\n{key}: " + "y" * 100 + "\n")
        p.import_transcripts([tmp_path / f"{key}.txt"])
    for doc, coder, code in [("A", "ann", "3.1"), ("A", "bob", "3.1"), ("A", "ann", "1.1"),
                             ("B", "ann", "6.2"), ("B", "bob", "6.2"), ("B", "cy", "6.2"), ("B", "cy", "1.1"),
                             ("C", "cy", "3.1")]:
        y = p.document_text(doc).index("y")
        p.add_coding(doc, y, y + 30, code, coder=coder)
    yield p
    p.close()


def test_three_coders_pairwise_and_multi_coder_units(team):
    r = team.agreement(["ann", "bob", "cy"])
    pairs = r["pairs"].set_index(["first", "second"])
    assert pairs.loc[("ann", "bob"), "documents"] == 2
    assert pairs.loc[("ann", "cy"), "documents"] == 1 and pairs.loc[("bob", "cy"), "documents"] == 1
    assert r["documents"] == ["B"]                      # listwise: the transcript all three coded
    t = r["techniques"].set_index("id")
    assert t.loc["6.2", "percent_agreement"] == 1.0
    assert t.loc["1.1", "percent_agreement"] == pytest.approx(1 / 3, abs=1e-4)
    assert any("listwise" in c for c in r["conventions"])
    every = team.agreement(["ann", "bob", "cy"], missing="all")
    assert every["documents"] == ["A", "B"]             # C was coded by cy alone
    assert every["overall"]["n"] > r["overall"]["n"]


def test_three_coders_with_no_shared_transcript_still_report_pairs(team):
    y = team.document_text("C").index("y")
    team.add_coding("C", y, y + 30, "3.1", coder="dee")
    r = team.agreement(["ann", "bob", "dee"])
    assert r["overall"] is None and r["documents"] == []
    assert "multi-coder coefficients could not be computed" in " ".join(r["warnings"])
    report = team.report("agreement", coders=["ann", "bob", "dee"])
    assert [t.name for t in report.tables] == ["pairs"]
    with pytest.raises(InputError, match="no two of them coded the same transcript"):
        team.agreement(["ann", "dee"])


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
def test_report_all_never_fails_when_coders_share_nothing(tmp_path):
    p = Project.create(tmp_path / "n.bctcoder", user="t")
    write(tmp_path / "cases.csv", "case,role\nA,PW\nB,SP\n")
    p.import_cases(tmp_path / "cases.csv")
    for key, coder in (("A", "ann"), ("B", "bob")):
        write(tmp_path / f"{key}.txt", f"Interviewer: Tell me?\n{key}: " + "y" * 100 + "\n")
        p.import_transcripts([tmp_path / f"{key}.txt"])
        y = p.document_text(key).index("y")
        p.add_coding(key, y, y + 30, "3.1", coder=coder)
    p.close()
    out = runner.invoke(app, ["report", "all", str(tmp_path / "n.bctcoder"), "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Not computed: agreement needs transcripts coded by at least two of ann, bob" in html


def test_report_all_with_three_coders_has_the_pairwise_table(team, tmp_path):
    result = team.write_all_reports(tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Agreement for every pair of coders" in html and result
