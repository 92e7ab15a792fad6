"""``bctcoder qca``: golden data sets through --data, the demo project, and clean one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app
from tests.conftest import write

runner = CliRunner()
DATA = Path(__file__).resolve().parents[3] / "shared" / "golden" / "data"
needs_data = pytest.mark.skipif(not (DATA / "LC.csv").is_file(),
                                reason=f"reference data {DATA} is absent (only in the team's checkout)")
ADULT = "26\u201364"


def run(*args, ok: bool = True):
    result = runner.invoke(app, ["qca", *(str(a) for a in args)])
    if ok:
        assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def solution(data, kind):
    return next(s for s in data["solutions"] if s["type"] == kind)


def close(value, published: str) -> bool:
    decimals = len(published.split(".")[1])
    return abs(value - float(published)) <= 0.5 * 10 ** -decimals + 1e-12


def check_fit(model, published: dict[str, str]) -> None:
    fit = {row["term"]: row for row in model["fit"]}
    assert set(fit) == set(published)
    for term, values in published.items():
        for column, value in zip(["inclS", "PRI", "covS", "covU"], values.split()):
            assert close(fit[term][column], value), (term, column, fit[term][column], value)


@needs_data
def test_lc_crisp_json_and_text():
    data = json.loads(run("--data", DATA / "LC.csv", "--outcome", "SURV", "--format", "json").stdout)
    assert data["conditions"] == ["DEV", "URB", "LIT", "IND", "STB"] and data["cases"] == 18
    pars = solution(data, "parsimonious")
    assert [m["terms"] for m in pars["models"]] == [["DEV*STB"]]
    assert pars["simplifying_assumptions"] == [18, 20, 26, 28, 30]
    assert set(solution(data, "complex")["models"][0]["terms"]) == {"DEV*~URB*LIT*STB", "DEV*LIT*IND*STB"}
    rows = {r["row"]: r for r in data["truth_table"]}
    assert sorted(r for r, v in rows.items() if v["OUT"] == 1) == [22, 24, 32]
    assert rows[32]["cases"] == ["BE", "CZ", "NL", "UK"]
    text = run("--data", DATA / "LC.csv", "--outcome", "SURV", "--dir-exp", "DEV,URB,LIT,IND,STB").stdout
    assert "M1: DEV*STB -> SURV" in text and "M1: DEV*LIT*STB -> SURV" in text
    assert "incl" in text and "PRI" in text and "BE,CZ,NL,UK" in text
    negated = json.loads(run("--data", DATA / "LC.csv", "--outcome", "SURV", "--negate", "-f", "json").stdout)
    assert set(solution(negated, "parsimonious")["models"][0]["terms"]) == {"~DEV", "~STB"}


@needs_data
def test_lf_fuzzy_json_matches_golden():
    out = run("--data", DATA / "LF.csv", "--outcome", "SURV", "--conditions", "DEV,URB,LIT,IND,STB",
              "--incl-cut", "0.8", "--dir-exp", "DEV, URB, LIT, IND, STB", "--format", "json").stdout
    data = json.loads(out)
    complex_ = solution(data, "complex")["models"]
    assert len(complex_) == 1 and len(complex_[0]["terms"]) == 2
    check_fit(complex_[0], {"DEV*URB*LIT*IND*STB": ".904 .886 .454 .393",
                            "DEV*~URB*LIT*~IND*STB": ".804 .719 .265 .204"})
    assert all(close(complex_[0][k], v) for k, v in zip(["inclS", "PRI", "covS"], ".870 .843 .658".split()))
    pars = solution(data, "parsimonious")
    check_fit(pars["models"][0], {"DEV*~IND": ".815 .721 .284 .194", "URB*STB": ".874 .845 .520 .430"})
    assert pars["simplifying_assumptions"] == [10, 12, 14, 16, 17, 18, 21, 25, 26, 28, 29, 30]
    inter = solution(data, "intermediate")
    check_fit(inter["models"][0], {"DEV*URB*LIT*STB": ".901 .879 .468 .378",
                                   "DEV*LIT*~IND*STB": ".814 .721 .282 .191"})
    assert inter["easy_counterfactuals"] == [30]
    necessity = {r["condition"]: r for r in data["necessity"]}
    assert close(necessity["DEV"]["inclN"], ".831") and close(necessity["STB"]["RoN"], ".680")
    text = run("--data", DATA / "LF.csv", "--outcome", "SURV", "--incl-cut", "0.8").stdout
    assert "M1: DEV*URB*LIT*IND*STB + DEV*~URB*LIT*~IND*STB -> SURV" in text
    assert "0.904  0.886  0.454  0.393" in text


def test_demo_project_end_to_end(demo, tmp_path):
    path = demo.url
    data = json.loads(run(path, "--outcome", "role=PW", "--conditions", "17.1,6.1,sex=Woman", "-f", "json").stdout)
    assert data["outcome"] == "role=PW" and data["cases"] == 8 and data["dropped"] == []
    assert solution(data, "complex")["models"][0]["expression"] == "17.1*~6.1*~sex=Woman"
    text = run(path, "--outcome", "role=PW", "--conditions", f"17.1,6.1,age_band={ADULT}", "--incl-cut", "0.6",
               "--coder", "coder_a").stdout
    assert "Dropped 2 case(s): Demo_PW3 (age_band declined); Demo_SP2 (age_band missing)" in text
    assert "M1: " in text and "-> role=PW" in text
    fuzzy = json.loads(run(path, "--outcome", "role=PW", "--conditions", "17.1,8.7,6.1", "--fuzzy",
                           "--incl-cut", "0.7,0.5", "--calibrate", "6.1=1", "-f", "json").stdout)
    assert fuzzy["incl_cut"] == [0.7, 0.5]
    assert {r["case"]: r["6.1"] for r in fuzzy["data"]}["Demo_PW2"] == 1.0


def test_data_csv_errors_name_file_and_line(tmp_path):
    bad = write(tmp_path / "bad.csv", ",A,B,Y\nc1,1,0,1\nc2,1,x,0\n")
    result = run("--data", bad, "--outcome", "Y", ok=False)
    assert result.exit_code == 1
    assert "bad.csv, line 3: column 'B': 'x' is not a number" in result.output
    good = write(tmp_path / "good.csv", ",A,B,Y\nc1,1,0,1\nc2,1,1,0\nc3,0,1,0\nc4,,1,1\n")
    assert "good.csv: no column 'Z'" in run("--data", good, "--outcome", "Y", "--conditions", "A,Z", ok=False).output
    ragged = write(tmp_path / "ragged.csv", ",A,Y\nc1,1,0,1\n")
    assert "ragged.csv, line 2: 4 fields but the header has 3" in run("--data", ragged, "--outcome", "Y",
                                                                        ok=False).output
    data = json.loads(run("--data", good, "--outcome", "Y", "-f", "json", "--incl-cut", "0.5").stdout)
    assert data["dropped"] == [{"case": "c4", "reason": "A missing"}]


@pytest.mark.parametrize("args, message", [
    (("{proj}", "--outcome", "role=PW", "--conditions", "17.1,nope"), "--conditions: unknown name 'nope'"),
    (("{proj}", "--outcome", "role=PW", "--conditions", "sex"), "name one value as sex=VALUE"),
    (("{proj}", "--outcome", "role", "--conditions", "17.1"), "--outcome: 'role' is text"),
    (("{proj}", "--outcome", "role=PW", "--conditions", "17.1", "--incl-cut", "high"), "--incl-cut: 'high'"),
    (("{proj}", "--outcome", "role=PW", "--conditions", "17.1", "--dir-exp", "9.9"), "unknown conditions"),
    (("{proj}", "--outcome", "role=PW", "--conditions", "17.1", "--calibrate", "17.1"), "--calibrate"),
    (("{proj}", "--outcome", "role=PW"), "--conditions: name the conditions"),
    (("{proj}", "--data", "{tmp}/x.csv", "--outcome", "Y"), "exactly one"),
    (("--outcome", "Y"), "exactly one"),
    (("--data", "{tmp}/missing.csv", "--outcome", "Y"), "missing.csv: cannot read file"),
    (("{proj}", "--outcome", "role=PW", "--conditions", "17.1", "--coder", "nobody"), "no coder 'nobody'"),
])
def test_errors_are_one_clean_line(demo, tmp_path, args, message):
    proj = demo.url
    result = run(*(a.format(proj=proj, tmp=tmp_path) for a in args), ok=False)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output
