"""Property tests: minimisation against brute force on random truth tables."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bctcoder.qca import calibrate, minimal_covers, minimize, prime_implicants, truth_table
from bctcoder.qca.data import DC, covers, is_subset, row_number, row_values
from bctcoder.qca.implicants import rows_of


@st.composite
def tables(draw, max_rows: int = 32):
    """Levels per condition plus a status ('1', '0' or '?') for every row; at least one '1'."""
    k = draw(st.integers(1, 5))
    levels = draw(st.lists(st.sampled_from([2, 2, 2, 3]), min_size=k, max_size=k))
    while math.prod(levels) > max_rows:
        levels.pop()
    total = math.prod(levels)
    status = draw(st.lists(st.sampled_from("10?"), min_size=total, max_size=total))
    status[draw(st.integers(0, total - 1))] = "1"
    return tuple(levels), status


def data_for(levels, status) -> pd.DataFrame:
    """One case per non-remainder row, with the row's values and outcome."""
    names = [f"C{j}" for j in range(len(levels))]
    records = []
    for number, s in enumerate(status, 1):
        if s != "?":
            records.append((*row_values(number, levels), int(s)))
    frame = pd.DataFrame(records, columns=[*names, "Y"])
    frame.index = [f"case{i}" for i in range(len(frame))]
    return frame, names


def brute_primes(allowed: set, levels) -> set:
    """Maximal terms whose rows all lie in ``allowed``."""
    options = [[DC, *range(n)] for n in levels]
    implicants = {t for t in itertools.product(*options)
                  if all(r in allowed for r in rows_of(t, levels))}
    return {t for t in implicants
            if not any(u != t and is_subset(t, u) for u in implicants)}


@settings(max_examples=150, deadline=None)
@given(tables())
def test_prime_implicants_match_brute_force(table):
    levels, status = table
    allowed = {row_values(i + 1, levels) for i, s in enumerate(status) if s != "0"}
    primes = prime_implicants(allowed, levels)
    assert set(primes) == brute_primes(allowed, levels)
    for p in primes:  # no prime implicant is subsumed by another
        assert not any(q != p and is_subset(p, q) for q in primes)


@settings(max_examples=150, deadline=None)
@given(tables(max_rows=16))
def test_minimal_covers_match_brute_force(table):
    levels, status = table
    positives = [row_values(i + 1, levels) for i, s in enumerate(status) if s == "1"]
    allowed = {row_values(i + 1, levels) for i, s in enumerate(status) if s != "0"}
    primes = [p for p in prime_implicants(allowed, levels) if any(covers(p, r) for r in positives)]
    found = {frozenset(c) for c in minimal_covers(positives, primes)}
    expected = set()
    for size in range(1, len(primes) + 1):
        for combo in itertools.combinations(primes, size):
            if all(any(covers(p, r) for p in combo) for r in positives):
                expected.add(frozenset(combo))
        if expected:
            break
    assert found == expected


@settings(max_examples=100, deadline=None)
@given(tables(), st.data())
def test_solutions_cover_positive_and_no_negative_rows(table, data):
    levels, status = table
    frame, names = data_for(levels, status)
    tt = truth_table(frame, "Y", names)
    # levels inferred from the observed values may be fewer than drawn: use the table's own rows
    rows = {n: tt.row(n) for n in tt.table.index}
    directions = [data.draw(st.sampled_from([1, 0, "-"])) for _ in names]
    for include, dir_exp in (("", None), ("?", None), ("?", directions)):
        sol = minimize(tt, include=include, dir_exp=dir_exp)
        if dir_exp is None:  # all models have the minimum number of implicants
            assert len({len(m.implicants) for m in sol.models}) == 1
        for model in sol.models:
            covered = {n for n, r in rows.items() if any(covers(t, r) for t in model.implicants)}
            assert set(tt.positive) <= covered
            assert not covered & set(tt.negative)
            assert covered - set(tt.positive) == set(model.remainders)
            if include == "":
                assert model.remainders == ()
            assert math.isclose(model.inclS, 1.0)  # one case per row: no inconsistency
            assert math.isclose(model.covS, 1.0)
    if all(tt.data.levels[j] == 2 for j in range(len(names))):
        pars = minimize(tt, include="?")
        inter = minimize(tt, include="?", dir_exp=directions)
        assert set(inter.simplifying_assumptions) <= set(pars.simplifying_assumptions)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1), min_size=4, max_size=4), min_size=1, max_size=15))
def test_fuzzy_rows_partition_cases(rows):
    frame = pd.DataFrame(rows, columns=["A", "B", "C", "Y"])
    frame.loc[len(frame)] = [0.3, 0.7, 0.71, 0.2]  # at least one non-integer value per column
    tt = truth_table(frame, "Y", ["A", "B", "C"], incl_cut=0.8)
    expected = int((frame[["A", "B", "C"]] != 0.5).all(axis=1).sum())
    assert tt.table["n"].sum() == expected
    for number, row in tt.observed.iterrows():
        assert 0 <= row["incl"] <= 1 + 1e-12
        assert row_number(tuple(row[["A", "B", "C"]]), tt.data.levels) == number


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e3, 1e3), st.floats(1, 100), st.floats(1, 100),
       st.lists(st.floats(-2e3, 2e3), min_size=2, max_size=20))
def test_calibrate_direct_properties(c, below, above, values):
    e, i = c - below, c + above
    anchors = calibrate([e, c, i], (e, c, i))
    assert np.allclose(anchors, [0.05, 0.5, 0.95])
    values = sorted(values)
    out = calibrate(values, (e, c, i))
    assert np.all((out >= 0) & (out <= 1))
    assert np.all(np.diff(out) >= -1e-12)
    assert np.allclose(calibrate(values, (i, c, e)), 1 - out)
