"""Agreement on a project (document, segment, turn units), reconciliation and blind mode, API and CLI."""

from __future__ import annotations

import json
import math

import pytest
from tests.conftest import write
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.errors import BctcoderError, InputError
from bctcoder.project import Project

runner = CliRunner()


@pytest.fixture
def two(tmp_path):
    """Two transcripts (A, B) coded by ann and bob; hand-checkable agreement."""
    p = Project.create(tmp_path / "a.bctcoder", user="t")
    write(tmp_path / "cases.csv", "case,role\nA,PW\nB,SP\n")
    p.import_cases(tmp_path / "cases.csv")
    for key in "AB":
        write(tmp_path / f"{key}.txt", f"Interviewer: Tell me?\n{key}: " + "y" * 100 + "\nInterviewer: More?\n"
              + f"{key}: " + "z" * 50 + "\n")
        p.import_transcripts([tmp_path / f"{key}.txt"])
    y = p.document_text("A").index("y")
    # document A: both 3.1 (overlapping spans), only ann 1.1; document B: both 6.2 (same span), only bob 17.1
    p.add_coding("A", y, y + 40, "3.1", coder="ann")
    p.add_coding("A", y + 20, y + 60, "3.1", coder="bob")
    p.add_coding("A", y, y + 10, "1.1", coder="ann")
    yb = p.document_text("B").index("y")
    p.add_coding("B", yb, yb + 30, "6.2", coder="ann")
    p.add_coding("B", yb, yb + 30, "6.2", coder="bob")
    p.add_coding("B", yb + 50, yb + 90, "17.1", coder="bob")
    p.add_coding("B", yb, yb + 5, "3.3", coder="ann", origin="suggested")  # never counts
    yield p
    p.close()


def test_document_unit(two):
    r = two.agreement(["ann", "bob"])
    o = r["overall"]
    assert (o["n"], o["both"], o["first_only"], o["second_only"]) == (2 * 98, 2, 1, 1)
    assert o["neither"] == 2 * 98 - 4
    used = r["overall_used_techniques"]
    assert (used["n"], used["both"], used["first_only"], used["second_only"], used["neither"]) == (8, 2, 1, 1, 4)
    assert used["percent_agreement"] == 0.75
    assert used["positive_agreement"] == round(4 / 6, 4)
    t = r["techniques"].set_index("id")
    assert t.loc["3.1", "cohen_kappa"] == 1.0
    assert t.loc["1.1", "cohen_kappa"] == 0.0
    assert math.isnan(t.loc["2.1", "cohen_kappa"]) or t.loc["2.1", "cohen_kappa"] is None
    assert t.loc["2.1", "pabak"] == 1.0
    assert any("joint absences" in w for w in r["warnings"])
    assert any("undefined" in w for w in r["warnings"])


def test_segment_unit_counts_characters(two):
    r = two.agreement(["ann", "bob"], unit="segment")
    t = r["techniques"].set_index("id")
    chars = len(two.document_text("A")) + len(two.document_text("B"))
    row = t.loc["3.1"]
    assert (row["both"], row["first_only"], row["second_only"]) == (20, 20, 20)
    assert row["n"] == chars and row["neither"] == chars - 60
    assert t.loc["6.2", "both"] == 30 and t.loc["6.2", "cohen_kappa"] == 1.0


def test_turn_unit(two):
    r = two.agreement(["ann", "bob"], unit="turn")
    t = r["techniques"].set_index("id")
    assert t.loc["3.1", "n"] == 8  # 4 turns in each of 2 transcripts
    assert t.loc["3.1", "both"] == 1 and t.loc["1.1", "first_only"] == 1


def test_three_coders_use_fleiss_and_krippendorff(two):
    y = two.document_text("A").index("y")
    two.add_coding("A", y, y + 40, "3.1", coder="cat")
    two.add_coding("B", two.document_text("B").index("y"), two.document_text("B").index("y") + 30, "6.2",
                   coder="cat")
    r = two.agreement(["ann", "bob", "cat"])
    assert {"fleiss_kappa", "krippendorff_alpha", "percent_agreement"} <= set(r["overall"])
    t = r["techniques"].set_index("id")
    assert t.loc["3.1", "fleiss_kappa"] == 1.0 and t.loc["6.2", "krippendorff_alpha"] == 1.0


def test_agreement_errors(two):
    with pytest.raises(InputError, match="at least two coders"):
        two.agreement(["ann"])
    with pytest.raises(InputError, match="unit must be"):
        two.agreement(["ann", "bob"], unit="word")
    with pytest.raises(BctcoderError, match="no coder 'zed'"):
        two.agreement(["ann", "zed"])


def test_reconcile_workflow(two, tmp_path):
    items = two.disagreements("ann", "bob")
    assert [(d["document"], d["code"], d["kind"]) for d in items] == [
        ("A", "1.1", "presence"), ("A", "3.1", "span"), ("B", "17.1", "presence")]
    assert items[1]["ann"][0]["quote"] == "y" * 40
    two.decide("ann", "bob", "A", "3.1", "both")
    two.decide("ann", "bob", "A", "1.1", "none")
    assert [d["code"] for d in two.disagreements("ann", "bob")] == ["17.1"]
    consensus = two.codings(coders=["consensus"])
    assert list(consensus["origin"].unique()) == ["consensus"] and len(consensus) == 2
    # originals are untouched
    assert len(two.codings(coders=["ann"])) == 4 and len(two.codings(coders=["bob"])) == 3  # ann: + 1 suggestion
    write(tmp_path / "d.csv", "document,code,decision\nB,17.1,bob\n")
    result = two.apply_decisions("ann", "bob", tmp_path / "d.csv")
    assert result["applied"] == 1 and result["agreements_kept"] == 1   # B 6.2: identical spans join by default
    assert two.disagreements("ann", "bob") == []
    assert two.accept_agreements("ann", "bob") == {"added": 0}          # already there
    s = two.summary(coders=["consensus"])
    assert s["supported"] == 3  # 3.1 (A), 17.1 (B), 6.2 (B); 1.1 decided absent
    write(tmp_path / "bad.csv", "document,code,decision\nB,17.1,maybe\n")
    with pytest.raises(InputError, match=r"bad.csv, line 2: decision 'maybe'"):
        two.apply_decisions("ann", "bob", tmp_path / "bad.csv")


def test_blind_mode(two):
    two.set_blind(True)
    assert two.blind
    with pytest.raises(BctcoderError, match="blind coding is on"):
        two.codings()
    assert set(two.codings(as_coder="ann")["coder"]) == {"ann"}
    two.set_blind(False)
    assert len(two.codings()) == 7


def test_cli_agreement_reconcile_blind(two, tmp_path):
    path = two.url.removeprefix("sqlite:///")
    out = runner.invoke(app, ["agreement", path, "--coders", "ann,bob", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["overall_used_techniques"]["both"] == 2
    xlsx = tmp_path / "a.xlsx"
    assert runner.invoke(app, ["agreement", path, "--coders", "ann,bob", "--format", "xlsx", "--out",
                               str(xlsx)]).exit_code == 0
    assert xlsx.stat().st_size > 0
    listing = runner.invoke(app, ["reconcile", path, "--coders", "ann,bob", "--format", "csv"])
    lines = listing.output.splitlines()
    assert lines[0] == "document,code,label,kind,ann,bob,decision,resolved" and len(lines) == 4
    decisions = tmp_path / "dec.csv"
    decisions.write_text(listing.output.replace(",,False", ",both,False"), encoding="utf-8")
    applied = runner.invoke(app, ["reconcile", path, "--coders", "ann,bob", "--decisions", str(decisions)])
    assert applied.exit_code == 0, applied.output
    assert runner.invoke(app, ["reconcile", path, "--coders", "ann,bob", "--format", "json"]).output.count(
        '"document"') == 0
    assert runner.invoke(app, ["blind", path, "on"]).exit_code == 0
    hidden = runner.invoke(app, ["codings", "list", path])
    assert hidden.exit_code == 1 and "blind coding is on" in hidden.output
    assert runner.invoke(app, ["codings", "list", path, "--as", "ann"]).exit_code == 0
    no_args = runner.invoke(app, ["agreement", path])
    assert no_args.exit_code == 1 and "--coders" in no_args.output


def test_cli_ratings_file_against_golden(shared, tmp_path):
    data = shared / "golden" / "data" / "irr_diagnoses.csv"
    out = runner.invoke(app, ["agreement", "--data", str(data), "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["units"] == 30 and len(result["coders"]) == 6
    assert abs(result["fleiss_kappa"] - 0.4302) < 0.5e-4
    assert abs(result["krippendorff_alpha"] - 0.4334) < 0.5e-4
    pair = tmp_path / "pair.csv"
    rows = data.read_text(encoding="utf-8").splitlines()
    import csv
    import io

    table = list(csv.reader(io.StringIO("\n".join(rows))))
    pair.write_text("\n".join(",".join(f'"{c}"' for c in r[:3]) for r in table), encoding="utf-8")
    two = json.loads(runner.invoke(app, ["agreement", "--data", str(pair), "--format", "json"]).output)
    assert abs(two["cohen_kappa"] - 0.6512) < 0.5e-4
    assert abs(two["percent_agreement"] - 0.733) < 0.5e-3
    assert abs(two["gwet_ac1"] - 0.6721) < 0.5e-4


def test_ratings_file_errors(tmp_path):
    bad = write(tmp_path / "r.csv", "unit,a,b\n1,1,2\n2,x,3\n")
    result = runner.invoke(app, ["agreement", "--data", str(bad), "--level", "interval"])
    assert result.exit_code == 1 and "r.csv, line 3: field 'a': 'x' is not a number" in result.output
    dup = write(tmp_path / "d.csv", "unit,a,b\n1,1,2\n1,2,3\n")
    assert "duplicate unit '1'" in runner.invoke(app, ["agreement", "--data", str(dup)]).output
