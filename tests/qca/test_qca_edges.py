"""QCA edge cases and the errors a user can cause."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bctcoder.errors import BctcoderError, InputError
from bctcoder.qca import calibrate, minimize, necessity, parse_directions, super_subset, truth_table


def crisp():
    return pd.DataFrame(
        {"A": [1, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "Y": [1, 1, 0, 0, 0]},
        index=["c1", "c2", "c3", "c4", "c5"])


def test_contradictions_with_two_cut_offs():
    tt = truth_table(crisp(), "Y", ["A", "B"], incl_cut=(1, 0.5))
    assert tt.table.loc[4, "OUT"] == "C"   # A=1 B=1: c1 (Y=1) and c5 (Y=0)
    assert tt.contradictions == [4]
    assert truth_table(crisp(), "Y", ["A", "B"]).table.loc[4, "OUT"] == 0
    with_c = minimize(tt, include="C")
    assert set(with_c.terms) == {"A"}
    assert set(minimize(tt).terms) == {"A*~B"}


def test_n_cut_makes_rows_remainders():
    tt = truth_table(crisp(), "Y", ["A", "B"], n_cut=2)
    assert tt.remainders == [1, 2, 3]
    assert tt.table.loc[4, "n"] == 2
    assert not math.isnan(tt.table.loc[3, "incl"])  # observed but below n_cut: fit still computed


def test_remainder_rows_have_no_fit():
    tt = truth_table(crisp().iloc[:3], "Y", ["A", "B"])
    assert tt.remainders == [1]
    assert math.isnan(tt.table.loc[1, "incl"]) and tt.table.loc[1, "cases"] == ()


def test_fuzzy_half_membership_belongs_to_no_row():
    frame = pd.DataFrame({"A": [0.5, 0.9, 0.2], "Y": [0.4, 0.8, 0.1]})
    tt = truth_table(frame, "Y", ["A"], incl_cut=0.8)
    assert tt.table["n"].sum() == 2


def test_no_positive_rows():
    tt = truth_table(crisp().assign(Y=0), "Y", ["A", "B"])
    with pytest.raises(BctcoderError, match="no positive rows"):
        minimize(tt)


def test_everything_positive_gives_the_empty_term():
    frame = pd.DataFrame({"A": [0, 1], "Y": [1, 1]})
    assert minimize(truth_table(frame, "Y", ["A"])).terms == ("1",)


@pytest.mark.parametrize("kwargs, source", [
    ({"outcome": "Z"}, "outcome"),
    ({"outcome": "Y", "conditions": ["A", "Q"]}, "conditions"),
    ({"outcome": "Y", "conditions": ["A", "A"]}, "conditions"),
    ({"outcome": "Y", "conditions": ["Y"]}, "conditions"),
    ({"outcome": "Y", "incl_cut": (0.5, 0.9)}, "incl_cut"),
    ({"outcome": "Y", "incl_cut": "high"}, "incl_cut"),
    ({"outcome": "Y", "n_cut": 0}, "n_cut"),
])
def test_bad_truth_table_arguments(kwargs, source):
    with pytest.raises(InputError) as info:
        truth_table(crisp(), **kwargs)
    assert info.value.source == source


def test_bad_values():
    frame = crisp().assign(A=["x", 1, 0, 0, 1])
    with pytest.raises(InputError, match="numeric"):
        truth_table(frame, "Y", ["A", "B"])
    with pytest.raises(InputError, match="missing"):
        truth_table(crisp().assign(B=[1, np.nan, 0, 0, 1]), "Y", ["A", "B"])
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        truth_table(crisp().assign(Y=[2, 1, 0, 0, 1]), "Y", ["A", "B"])
    with pytest.raises(InputError, match="mixes"):
        truth_table(crisp().assign(A=[1.5, 1, 0, 0, 1]), "Y", ["A", "B"])
    with pytest.raises(InputError, match="negative"):
        truth_table(crisp().assign(A=[-1, 1, 0, 0, 1]), "Y", ["A", "B"])
    with pytest.raises(InputError, match="reserved"):
        truth_table(crisp().rename(columns={"A": "OUT"}), "Y", ["OUT", "B"])
    with pytest.raises(InputError, match="DataFrame"):
        truth_table([[1, 0]], "Y")


def test_bad_minimize_arguments():
    tt = truth_table(crisp(), "Y", ["A", "B"])
    with pytest.raises(InputError):
        minimize(tt, include="X")
    with pytest.raises(InputError):
        minimize("not a table")
    with pytest.raises(InputError, match="unknown conditions"):
        minimize(tt, "?", dir_exp={"Z": 1})
    with pytest.raises(InputError, match="2 conditions"):
        minimize(tt, "?", dir_exp=[1])
    with pytest.raises(InputError, match="levels"):
        minimize(tt, "?", dir_exp=[2, 1])


def test_parse_directions_forms():
    conds, levels = ["A", "B", "C"], [3, 2, 2]
    expected = [frozenset({1, 2}), frozenset({0}), None]
    assert parse_directions("A[1,2], ~B", conds, levels) == expected
    assert parse_directions({"A": [1, 2], "B": 0}, conds, levels) == expected
    assert parse_directions([(1, 2), "0", "-"], conds, levels) == expected


def test_multivalue_intermediate_runs():
    frame = pd.DataFrame({"A": [2, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "Y": [1, 0, 0, 0, 1]})
    tt = truth_table(frame, "Y", ["A", "B"])
    sol = minimize(tt, "?", dir_exp={"A": [1, 2], "B": 1})
    assert all("[" in term for term in sol.terms)


def test_calibrate_crisp_and_errors():
    assert list(calibrate([1, 2, 3, 4], [2, 3.5], method="crisp")) == [0, 1, 1, 2]
    series = calibrate(pd.Series([300, 1100], index=["a", "b"], name="GNP"), (350, 550, 900))
    assert list(series.index) == ["a", "b"] and series.name == "GNP"
    for args in [((1, 2), ), ((1, 1, 2), ), ((1, 2, 3), "linear"), ((3, 1), "crisp")]:
        with pytest.raises(InputError):
            calibrate([1, 2], *args)
    with pytest.raises(InputError, match="missing"):
        calibrate([1, np.nan], (0, 1, 2))
    with pytest.raises(InputError, match="idm"):
        calibrate([1], (0, 1, 2), idm=0.4)


def test_necessity_multivalue_and_super_subset_options():
    frame = pd.DataFrame({"A": [2, 1, 0, 2], "B": [1, 0, 1, 1], "Y": [1, 0, 0, 1]})
    table = necessity(frame, "Y", ["A", "B"])
    assert list(table.index) == ["A[0]", "A[1]", "A[2]", "B[0]", "B[1]"]
    assert table.loc["A[2]", "inclN"] == 1.0
    suff = super_subset(frame, "Y", ["A", "B"], relation="sufficiency", incl_cut=1)
    assert "A[2]" in suff.index and "A[2]*B[1]" not in suff.index
    with pytest.raises(InputError):
        super_subset(frame, "Y", relation="both")
    with pytest.raises(InputError):
        super_subset(frame, "Y", depth=0)
