"""QCA from the Python API: project data (attributes, NAME=VALUE, techniques), run_qca, text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import write

from bctcoder.analysis.evidence import Scope
from bctcoder.errors import InputError
from bctcoder.qca.project_data import data_qca, qca_dataset, quotes_membership, run_qca
from bctcoder.qca.text_output import format_text, to_dict, to_json

DATA = Path(__file__).resolve().parents[3] / "shared" / "golden" / "data"
needs_data = pytest.mark.skipif(not (DATA / "LC.csv").is_file(), reason=f"reference data {DATA} is absent")
ADULT = "26\u201364"  # the demo's age band, with an en dash


def terms(result, kind, model=0):
    solution = next(s for s in result["solutions"] if s["type"] == kind)
    return solution["models"][model]["terms"]


@pytest.fixture
def small(project, tmp_path):
    """Three cases with typed attributes; A and B have transcripts, C has none."""
    write(tmp_path / "cases.csv", "case,role,age:integer,score:number,peer:boolean,group,level:integer\n"
          "A,PW,25,0.2,yes,x,0\nB,SP,40,0.9,no,y,2\nC,SP,60,0.6,yes,x,1\nD,PW,33,0.7,no,y,declined\n")
    project.import_cases(tmp_path / "cases.csv")
    for key, text in [("A", "A: I set a goal and I set another goal.\n"), ("B", "B: nothing much.\n"),
                      ("D", "D: we made a plan together.\n")]:
        write(tmp_path / f"{key}.txt", text)
    project.import_transcripts([tmp_path / f"{k}.txt" for k in "ABD"])
    project.add_coding("A", 3, 15, "1.1", coder="x")
    project.add_coding("A", 20, 38, "1.1", coder="x")
    project.add_coding("D", 3, 26, "1.1", coder="y")
    return project


def test_demo_end_to_end(demo):
    result = demo.qca("role=PW", ["17.1", "6.1", "sex=Woman"])
    data = result["data"]
    assert list(data.columns) == ["17.1", "6.1", "sex=Woman", "role=PW"]
    assert data.loc["Demo_PW4"].tolist() == [1, 0, 0, 1]
    assert data.loc["Demo_SP1"].tolist() == [1, 0, 1, 0]
    assert result["dropped"] == [] and result["cases"] == 8
    assert terms(result, "complex") == ["17.1*~6.1*~sex=Woman"]
    pars = next(s for s in result["solutions"] if s["type"] == "parsimonious")
    assert {m["expression"] for m in pars["models"]} == {"17.1*~sex=Woman", "~6.1*~sex=Woman"}
    assert pars["simplifying_assumptions"] == [1, 7]
    assert [s["type"] for s in result["solutions"]] == ["complex", "parsimonious"]
    fit = pars["models"][0]["fit"]
    assert list(fit.columns) == ["inclS", "PRI", "covS", "covU"] and fit.iloc[0]["covS"] == pytest.approx(0.25)
    assert set(result["necessity"].index) >= {"17.1", "~17.1", "sex=Woman"}


def test_demo_dropped_cases_and_intermediate(demo):
    result = demo.qca("role=PW", ["17.1", "6.1", f"age_band={ADULT}"], incl_cut=0.6, coders="coder_a",
                      dir_exp=f"17.1, age_band={ADULT}")
    assert result["dropped"] == [{"case": "Demo_PW3", "reason": "age_band declined"},
                                 {"case": "Demo_SP2", "reason": "age_band missing"}]
    assert result["cases"] == 6 and "Demo_PW3" not in result["data"].index
    assert [s["type"] for s in result["solutions"]] == ["complex", "parsimonious", "intermediate"]
    assert "easy_counterfactuals" in result["solutions"][2]
    text = format_text(result)
    assert "Dropped 2 case(s): Demo_PW3 (age_band declined); Demo_SP2 (age_band missing)" in text
    assert "Intermediate solution" in text and "M1: " in text


def test_demo_negated_outcome_and_coder_scope(demo):
    with demo.reading() as s:
        both = qca_dataset(s, "role=PW", ["17.4"])
        only_a = qca_dataset(s, "role=PW", ["17.4"], scope=Scope.of("coder_a"))
    assert both.loc["Demo_PW1", "17.4"] == 1 and only_a.loc["Demo_PW1", "17.4"] == 0   # coded by coder_b only
    assert demo.qca("~role=PW", ["17.1", "6.1"], incl_cut=0.6)["outcome"] == "~role=PW"
    assert demo.qca("role=PW", ["17.1", "6.1"], incl_cut=0.6, negate_outcome=True)["outcome"] == "~role=PW"


def test_fuzzy_technique_membership(demo):
    assert quotes_membership([0, 1, 2, 3, 7]).round(3).tolist() == [0, 0.667, 0.833, 1, 1]
    assert quotes_membership([0, 1], k=1).tolist() == [0, 1]
    with demo.reading() as s:
        fuzzy = qca_dataset(s, "role=PW", ["17.1", "8.7"], fuzzy=True)
        quick = qca_dataset(s, "role=PW", ["17.1"], fuzzy=True, calibration={"17.1": 1})
        direct = qca_dataset(s, "role=PW", ["17.1"], fuzzy=True, calibration={"17.1": (0, 0.5, 1)})
    # two coders marking the same passage count once: Demo_PW1 has one 17.1 quote per coder
    assert fuzzy.loc["Demo_PW1", "17.1"] == pytest.approx(2 / 3)
    assert fuzzy.loc["Demo_PW2", "17.1"] == 0
    assert quick.loc["Demo_PW1", "17.1"] == 1
    assert direct.loc["Demo_PW1", "17.1"] == pytest.approx(0.95)


def test_attribute_types_and_no_transcript(small):
    with small.reading() as s:
        attrs = qca_dataset(s, "role=PW", ["peer", "level", "group=x"])
        with_code = qca_dataset(s, "role=PW", ["1.1", "peer"])
        fuzzy = qca_dataset(s, "peer", ["score", "1.1"], fuzzy=True)
        calibrated = qca_dataset(s, "role=PW", ["age"], fuzzy=True, calibration={"age": (20, 35, 50)})
        crisp_age = qca_dataset(s, "role=PW", ["age"], calibration={"age": [30, 50]})
    assert attrs.loc[["A", "B", "C"], "peer"].tolist() == [1, 0, 1]
    assert attrs.loc[["A", "B", "C"], "level"].tolist() == [0, 2, 1]            # multi-value
    assert attrs.attrs["dropped"] == [{"case": "D", "reason": "level declined"}]
    assert with_code.attrs["dropped"] == [{"case": "C", "reason": "no transcript"}]
    assert with_code["1.1"].to_dict() == {"A": 1, "B": 0, "D": 1}
    assert fuzzy.loc["A", "1.1"] == pytest.approx(5 / 6) and fuzzy.loc["A", "score"] == 0.2
    assert calibrated.loc["B", "age"] == pytest.approx(0.7274, abs=1e-4)   # (40 - 35) / 15 * log(19)
    assert crisp_age["age"].to_dict() == {"A": 0, "B": 1, "C": 2, "D": 1}


@pytest.mark.parametrize("outcome, conditions, options, source, message", [
    ("role=PW", ["nope"], {}, "--conditions", "unknown name 'nope'"),
    ("role=PW", ["group"], {}, "--conditions", "'group' is a text attribute; name one value as group=VALUE"),
    ("role", ["peer"], {}, "--outcome", "name one role as role=VALUE"),
    ("role=XX", ["peer"], {}, "--outcome", "no case has role = 'XX' (values: PW, SP)"),
    ("role=PW", ["colour=red"], {}, "--conditions", "no attribute 'colour'"),
    ("role=PW", ["peer", "peer"], {}, "--conditions", "listed more than once"),
    ("role=PW", ["role=PW"], {}, "--conditions", "both a condition and the outcome"),
    ("role=PW", ["score"], {}, "--conditions", "holds fuzzy memberships; use fuzzy sets"),
    ("role=PW", ["age"], {}, "--conditions", "values above 9; give a calibration"),
    ("level", ["peer"], {}, "--outcome", "not a multi-value set"),
    ("role=PW", ["peer*x"], {}, "--conditions", "may not contain"),
    ("role=PW", ["age"], {"fuzzy": True, "calibration": {"age": [1, 2]}}, "--calibrate", "three thresholds"),
    ("role=PW", ["1.1"], {"fuzzy": True, "calibration": {"1.1": 0}}, "--calibrate", "at least 1"),
])
def test_project_errors_name_the_field(small, outcome, conditions, options, source, message):
    with small.reading() as s, pytest.raises(InputError) as info:
        qca_dataset(s, outcome, conditions, **options)
    assert info.value.source == source and message in str(info.value)
    assert "\n" not in str(info.value)


def test_too_few_cases(small):
    with small.reading() as s, pytest.raises(InputError, match="only 1 case") as info:
        qca_dataset(s, "role=PW", ["level", "1.1"], scope=Scope(documents=("B",)))
    assert "dropping 3" in str(info.value)


def test_no_positive_rows_gives_a_note(demo):
    result = demo.qca("role=PW", ["sex=Woman"])    # half of each sex are PW
    assert result["solutions"] == [] and "nothing to minimise" in result["note"]
    assert "Note: no truth table row" in format_text(result)
    assert json.loads(to_json(result))["solutions"] == []


def test_json_is_plain_data(demo):
    result = demo.qca("role=PW", ["17.1", "6.1", "sex=Woman"], dir_exp="17.1")
    data = json.loads(to_json(result))
    assert data["truth_table"][0].keys() >= {"row", "17.1", "OUT", "n", "incl", "PRI", "cases"}
    model = data["solutions"][0]["models"][0]
    assert model["terms"] == ["17.1*~6.1*~sex=Woman"] and model["fit"][0]["term"] == "17.1*~6.1*~sex=Woman"
    assert {"inclS", "PRI", "covS", "covU"} <= set(model["fit"][0])
    assert data["necessity"][0]["condition"] == "17.1"
    assert data["data"][0]["case"] == "Demo_PW1" and data["dropped"] == []
    assert to_dict(result)["solutions"][2]["type"] == "intermediate"


@needs_data
def test_run_qca_golden_dataframes():
    lc = pd.read_csv(DATA / "LC.csv", index_col=0)
    result = data_qca(lc, "SURV", dir_exp="DEV, URB, LIT, IND, STB")
    assert terms(result, "parsimonious") == ["DEV*STB"]
    assert set(terms(result, "complex")) == {"DEV*~URB*LIT*STB", "DEV*LIT*IND*STB"}
    assert terms(result, "intermediate") == ["DEV*LIT*STB"]
    assert result["solutions"][1]["simplifying_assumptions"] == [18, 20, 26, 28, 30]
    negated = run_qca(lc, "SURV", negate_outcome=True)
    assert set(terms(negated, "parsimonious")) == {"~DEV", "~STB"} and negated["outcome"] == "~SURV"
    lf = pd.read_csv(DATA / "LF.csv", index_col=0)
    fuzzy = data_qca(lf, "SURV", incl_cut=0.7)
    assert terms(fuzzy, "parsimonious") == ["DEV*STB"]
    assert fuzzy["solutions"][1]["models"][0]["covS"] == pytest.approx(0.824, abs=5e-4)


def test_data_qca_missing_cells_and_errors():
    frame = pd.DataFrame({"A": [1, 0, 1, None], "B": [0, 1, 1, 1], "Y": [1, 0, 1, 1]}, index=list("pqrs"))
    result = data_qca(frame, "Y")
    assert result["dropped"] == [{"case": "s", "reason": "A missing"}] and result["cases"] == 3
    with pytest.raises(InputError, match="no column 'Z'"):
        data_qca(frame, "Z")
    with pytest.raises(InputError, match="no column 'C'"):
        data_qca(frame, "Y", ["A", "C"])
    with pytest.raises(InputError, match="include may contain"):
        run_qca(frame.dropna(), "Y", include="x")
