"""QCA against the reference values in ``../shared/golden/GOLDEN.md`` (section QCA, R QCA 3.23).

The data sets (LC, LF, LM, Quine) live in ``../shared/golden/data``; tests that
need them skip when that folder is absent (a fresh clone). Numbers are compared
at the printed number of decimals; solutions are compared as sets of terms.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from bctcoder.qca import calibrate, minimize, necessity, super_subset, truth_table

SHARED = Path(__file__).resolve().parents[3] / "shared"
DATA = SHARED / "golden" / "data"
CONDS = ["DEV", "URB", "LIT", "IND", "STB"]
ALL_PRESENT = {c: 1 for c in CONDS}

needs_data = pytest.mark.skipif(
    not (DATA / "LC.csv").is_file(),
    reason=f"reference data not available: {DATA} is absent "
    "(../shared exists on developer machines and in CI, not in a fresh clone)",
)


def matches(value: float, published: str) -> bool:
    """``value`` rounds to ``published``: within half a unit of its last printed decimal."""
    decimals = len(published.split(".")[1]) if "." in published else 0
    return not math.isnan(value) and abs(value - float(published)) <= 0.5 * 10 ** -decimals + 1e-12


def check_fit(model, term: str, published: str) -> None:
    """Compare a term's ``inclS PRI covS covU`` with a published ``".904 .886 .454 .393"``."""
    row = model.fit.loc[term]
    for column, value in zip(["inclS", "PRI", "covS", "covU"], published.split()):
        assert matches(row[column], value), f"{term} {column} = {row[column]!r}, published {value}"


def check_solution_fit(model, published: str) -> None:
    """Compare a model's ``inclS PRI covS`` with a published ``".870 .843 .658"``."""
    for column, value in zip(["inclS", "PRI", "covS"], published.split()):
        actual = getattr(model, column)
        assert matches(actual, value), f"{model.name} {column} = {actual!r}, published {value}"


def only_model(solution):
    assert len(solution.models) == 1, solution.expressions
    return solution.models[0]


def load(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", index_col=0)


# --------------------------------------------------------------------------- calibration


def test_calibrate_direct_golden():
    raw = [300, 350, 450, 550, 700, 900, 1100]
    published = ".0246 .0500 .1866 .5000 .7794 .9500 .9903".split()
    result = calibrate(raw, thresholds=(350, 550, 900), method="direct")
    for value, expected in zip(result, published):
        assert matches(value, expected), (value, expected)


# --------------------------------------------------------------------------- LC (crisp)


@pytest.fixture
def lc():
    return load("LC")


@needs_data
def test_lc_truth_table(lc):
    tt = truth_table(lc, "SURV", CONDS)
    table = tt.table
    assert tt.positive == [22, 24, 32]
    assert tt.negative == [1, 2, 5, 6, 23, 31]
    assert len(tt.remainders) == 23
    assert tt.contradictions == []
    expected_cases = {22: ("FI", "IE"), 24: ("FR", "SE"), 32: ("BE", "CZ", "NL", "UK"),
                      1: ("GR", "PT", "ES"), 2: ("IT", "RO"), 5: ("HU", "PL"), 6: ("EE",),
                      23: ("AU",), 31: ("DE",)}
    for row, cases in expected_cases.items():
        assert table.loc[row, "cases"] == cases
        assert table.loc[row, "n"] == len(cases)
    assert list(table.loc[22, CONDS]) == [1, 0, 1, 0, 1]


@needs_data
def test_lc_complex_surv(lc):
    sol = minimize(truth_table(lc, "SURV", CONDS), include="")
    model = only_model(sol)
    assert set(model.terms) == {"DEV*~URB*LIT*STB", "DEV*LIT*IND*STB"}
    assert matches(model.fit.loc["DEV*~URB*LIT*STB", "covS"], ".500")
    assert matches(model.fit.loc["DEV*LIT*IND*STB", "covS"], ".750")
    assert matches(model.fit.loc["DEV*~URB*LIT*STB", "covU"], ".250")
    assert matches(model.fit.loc["DEV*LIT*IND*STB", "covU"], ".500")
    assert matches(model.covS, "1")
    assert model.remainders == ()


@needs_data
def test_lc_parsimonious_surv(lc):
    sol = minimize(truth_table(lc, "SURV", CONDS), include="?")
    model = only_model(sol)
    assert set(model.terms) == {"DEV*STB"}
    assert model.expression == "DEV*STB"
    assert model.remainders == (18, 20, 26, 28, 30)
    assert sol.simplifying_assumptions == (18, 20, 26, 28, 30)


@needs_data
def test_lc_intermediate_surv(lc):
    sol = minimize(truth_table(lc, "SURV", CONDS), include="?", dir_exp=ALL_PRESENT)
    assert set(only_model(sol).terms) == {"DEV*LIT*STB"}
    assert sol.kind == "intermediate"


@needs_data
def test_lc_negated_outcome(lc):
    tt = truth_table(lc, "SURV", CONDS, complement_outcome=True)
    assert tt.positive == [1, 2, 5, 6, 23, 31]
    complex_ = only_model(minimize(tt, include=""))
    assert set(complex_.terms) == {"~DEV*~URB*~IND", "DEV*LIT*IND*~STB"}
    pars = minimize(tt, include="?")
    assert pars.outcome == "~SURV"
    model = only_model(pars)
    assert set(model.terms) == {"~DEV", "~STB"}
    for term, cov_s, cov_u in [("~DEV", ".8", ".3"), ("~STB", ".7", ".2")]:
        assert matches(model.fit.loc[term, "covS"], cov_s)
        assert matches(model.fit.loc[term, "covU"], cov_u)
    # "~SURV" as the outcome name means the same analysis
    assert set(only_model(minimize(truth_table(lc, "~SURV", CONDS), "?")).terms) == {"~DEV", "~STB"}


# --------------------------------------------------------------------------- LF (fuzzy)


@pytest.fixture
def lf():
    return load("LF")


LF_ROWS = {1: (".216", "0"), 2: (".278", "0"), 5: (".521", ".113"), 6: (".529", ".228"),
           22: (".804", ".719"), 23: (".378", ".040"), 24: (".709", ".634"), 31: (".445", ".050"),
           32: (".904", ".886")}


@needs_data
def test_lf_truth_table(lf):
    tt = truth_table(lf, "SURV", CONDS, incl_cut=0.8)
    assert sorted(tt.observed.index) == sorted(LF_ROWS)
    for row, (incl, pri) in LF_ROWS.items():
        assert matches(tt.table.loc[row, "incl"], incl), row
        assert matches(tt.table.loc[row, "PRI"], pri), row
    assert tt.positive == [22, 32]
    assert tt.negative == [1, 2, 5, 6, 23, 24, 31]


@needs_data
def test_lf_complex(lf):
    model = only_model(minimize(truth_table(lf, "SURV", CONDS, incl_cut=0.8), include=""))
    assert set(model.terms) == {"DEV*URB*LIT*IND*STB", "DEV*~URB*LIT*~IND*STB"}
    check_fit(model, "DEV*URB*LIT*IND*STB", ".904 .886 .454 .393")
    check_fit(model, "DEV*~URB*LIT*~IND*STB", ".804 .719 .265 .204")
    check_solution_fit(model, ".870 .843 .658")


@needs_data
def test_lf_parsimonious(lf):
    model = only_model(minimize(truth_table(lf, "SURV", CONDS, incl_cut=0.8), include="?"))
    assert set(model.terms) == {"DEV*~IND", "URB*STB"}
    check_fit(model, "DEV*~IND", ".815 .721 .284 .194")
    check_fit(model, "URB*STB", ".874 .845 .520 .430")
    check_solution_fit(model, ".850 .819 .714")
    assert model.remainders == (10, 12, 14, 16, 17, 18, 21, 25, 26, 28, 29, 30)


@needs_data
def test_lf_intermediate(lf):
    tt = truth_table(lf, "SURV", CONDS, incl_cut=0.8)
    for dir_exp in (ALL_PRESENT, [1, 1, 1, 1, 1], "DEV, URB, LIT, IND, STB"):
        model = only_model(minimize(tt, include="?", dir_exp=dir_exp))
        assert set(model.terms) == {"DEV*URB*LIT*STB", "DEV*LIT*~IND*STB"}
        check_fit(model, "DEV*URB*LIT*STB", ".901 .879 .468 .378")
        check_fit(model, "DEV*LIT*~IND*STB", ".814 .721 .282 .191")
        check_solution_fit(model, ".866 .839 .660")
        assert model.remainders == (30,)


@needs_data
def test_lf_incl_cut_07(lf):
    tt = truth_table(lf, "SURV", CONDS, incl_cut=0.7)
    assert tt.positive == [22, 24, 32]
    model = only_model(minimize(tt, include="?"))
    assert set(model.terms) == {"DEV*STB"}
    check_solution_fit(model, ".869 .848 .824")


@needs_data
def test_lf_necessity(lf):
    table = necessity(lf, "SURV", CONDS)
    published = {"DEV": ".831 .811 .775", "URB": ".539 .899 .771", "LIT": ".991 .509 .643",
                 "IND": ".669 .786 .684", "STB": ".920 .680 .707"}
    for cond, values in published.items():
        for column, value in zip(["inclN", "RoN", "covN"], values.split()):
            assert matches(table.loc[cond, column], value), (cond, column)
    assert "~DEV" in table.index
    assert "~DEV" not in necessity(lf, "SURV", CONDS, negated=False).index


@needs_data
def test_lf_super_subset(lf):
    table = super_subset(lf, "SURV", CONDS, incl_cut=0.9, cov_cut=0.6)
    assert list(table.index) == ["LIT", "STB", "LIT*STB", "DEV+URB+IND"]
    for expr, values in {"LIT*STB": ".915 .800 .793", "DEV+URB+IND": ".903 .704 .716",
                         "LIT": ".991 .509 .643", "STB": ".920 .680 .707"}.items():
        for column, value in zip(["inclN", "RoN", "covN"], values.split()):
            assert matches(table.loc[expr, column], value), (expr, column)


# --------------------------------------------------------------------------- LM (multi-value)


@needs_data
def test_lm_mvqca():
    lm = load("LM")
    tt = truth_table(lm, "SURV", ["DEV", "URB", "LIT", "IND"])
    assert tt.data.levels == (3, 2, 2, 2)
    complex_ = only_model(minimize(tt, include=""))
    assert set(complex_.terms) == {"DEV[2]*LIT[1]*IND[1]", "DEV[1]*URB[0]*LIT[1]*IND[0]"}
    pars = only_model(minimize(tt, include="?"))
    assert set(pars.terms) == {"DEV[2]", "DEV[1]*IND[0]"}
    assert matches(pars.covS, ".875")
    assert matches(complex_.covS, ".875")


# --------------------------------------------------------------------------- Quine's cyclic chart

QUINE_MODELS = [{"~P*Q", "P*~R", "~Q*R"}, {"~P*R", "P*~Q", "Q*~R"}]


def _check_quine(data: pd.DataFrame) -> None:
    tt = truth_table(data, "OUT", ["P", "Q", "R"])
    assert tt.remainders == [1, 8]
    sol = minimize(tt, include="")
    assert len(sol.prime_implicants) == 6
    found = [set(m.terms) for m in sol.models]
    assert len(found) == 2
    assert all(expected in found for expected in QUINE_MODELS)
    assert [m.name for m in sol.models] == ["M1", "M2"]


def test_quine_cyclic_inline():
    rows = [(0, 1, 1), (0, 1, 0), (1, 0, 1), (1, 0, 0), (0, 0, 1), (1, 1, 0)]
    _check_quine(pd.DataFrame([(*r, 1) for r in rows], columns=["P", "Q", "R", "OUT"]))


@needs_data
def test_quine_cyclic_file():
    _check_quine(load("Quine"))
