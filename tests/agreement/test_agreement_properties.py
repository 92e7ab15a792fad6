"""Property tests: identities and invariances the coefficients must satisfy on any data."""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bctcoder.agreement import (
    Statistic,
    all_statistics,
    cohen_kappa,
    fleiss_kappa,
    from_2x2,
    gwet_ac1,
    krippendorff_alpha,
    pabak,
    percent_agreement,
    scott_pi,
)

pytestmark = pytest.mark.filterwarnings("error")

CATEGORY = st.integers(min_value=0, max_value=4)
MAYBE = st.one_of(CATEGORY, st.none())


@st.composite
def two_coders(draw, missing=False, min_size=1):
    n = draw(st.integers(min_value=min_size, max_value=40))
    elem = MAYBE if missing else CATEGORY
    return draw(st.lists(elem, min_size=n, max_size=n)), draw(st.lists(elem, min_size=n, max_size=n))


@st.composite
def table(draw, n_coders=None, missing=True):
    m = draw(st.integers(min_value=2, max_value=5)) if n_coders is None else n_coders
    n = draw(st.integers(min_value=1, max_value=25))
    row = st.lists(MAYBE if missing else CATEGORY, min_size=m, max_size=m)
    return draw(st.lists(row, min_size=n, max_size=n))


def same(x: Statistic, y: Statistic) -> bool:
    if math.isnan(x.value) or math.isnan(y.value):
        return math.isnan(x.value) and math.isnan(y.value) and x.reason == y.reason
    return math.isclose(x.value, y.value, rel_tol=1e-9, abs_tol=1e-12)


@given(st.lists(CATEGORY, min_size=2, max_size=40))
def test_identical_ratings_with_variation_agree_perfectly(ratings):
    assume(len(set(ratings)) >= 2)
    for stat in (
        cohen_kappa(ratings, ratings),
        cohen_kappa(ratings, ratings, "linear"),
        cohen_kappa(ratings, ratings, "quadratic"),
        scott_pi(ratings, ratings),
        gwet_ac1(ratings, ratings),
        pabak(ratings, ratings),
        percent_agreement(ratings, ratings),
        krippendorff_alpha(list(zip(ratings, ratings))),
        krippendorff_alpha(list(zip(ratings, ratings)), "interval"),
        fleiss_kappa([[r, r, r] for r in ratings]),
    ):
        assert stat.value == pytest.approx(1.0), stat


@given(two_coders(missing=True))
def test_symmetric_in_coder_order(pair):
    a, b = pair
    assume(any(x is not None and y is not None for x, y in zip(a, b)))
    for fn in (percent_agreement, cohen_kappa, scott_pi, gwet_ac1, pabak):
        assert same(fn(a, b), fn(b, a)), fn.__name__
    for w in ("linear", "quadratic"):
        assert same(cohen_kappa(a, b, w), cohen_kappa(b, a, w))
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert same(krippendorff_alpha(list(zip(a, b)), level), krippendorff_alpha(list(zip(b, a)), level))


@given(table(), st.randoms(use_true_random=False))
def test_multi_coder_invariant_to_coder_and_unit_order(rows, rnd):
    cols = list(range(len(rows[0])))
    rnd.shuffle(cols)
    shuffled = [[row[c] for c in cols] for row in rows]
    rnd.shuffle(shuffled)
    for level in ("nominal", "ordinal", "interval"):
        assert same(krippendorff_alpha(rows, level), krippendorff_alpha(shuffled, level))
    assert same(fleiss_kappa(rows), fleiss_kappa(shuffled))


@given(two_coders(missing=True))
def test_bounds(pair):
    a, b = pair
    assume(any(x is not None and y is not None for x, y in zip(a, b)))
    po = percent_agreement(a, b).value
    assert 0.0 <= po <= 1.0
    for stat in (cohen_kappa(a, b), scott_pi(a, b), gwet_ac1(a, b), pabak(a, b), krippendorff_alpha(list(zip(a, b)))):
        assert math.isnan(stat.value) or stat.value <= 1.0 + 1e-12
        assert math.isnan(stat.value) == (stat.reason is not None)
    assert -1.0 - 1e-12 <= pabak(a, b).value


@given(two_coders(min_size=1))
def test_fleiss_with_two_complete_coders_is_scotts_pi(pair):
    a, b = pair
    assert same(fleiss_kappa(list(zip(a, b))), scott_pi(a, b)) or (
        math.isnan(fleiss_kappa(list(zip(a, b))).value) and math.isnan(scott_pi(a, b).value)
    )


@given(two_coders(min_size=1))
def test_nominal_alpha_is_small_sample_corrected_scotts_pi(pair):
    a, b = pair
    pi = scott_pi(a, b).value
    alpha = krippendorff_alpha(list(zip(a, b))).value
    n = len(a)
    if math.isnan(pi):
        assert math.isnan(alpha)
    else:
        assert alpha == pytest.approx(1 - (2 * n - 1) / (2 * n) * (1 - pi))


@given(table(missing=False))
def test_fleiss_is_spread_weighted_mean_of_per_category_kappas(rows):
    stat = fleiss_kappa(rows)
    assume(stat.defined)
    shares = stat.details["category_shares"]
    weights = {k: p * (1 - p) for k, p in shares.items()}
    per = stat.details["per_category"]
    total = sum(weights.values())
    mean = sum(weights[k] * per[k] for k in per if weights[k] > 0) / total
    assert stat.value == pytest.approx(mean)


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=4, max_size=4))
def test_from_2x2_matches_the_sequence_functions(cells):
    assume(sum(cells) > 0)
    t = [cells[:2], cells[2:]]
    a, b = [], []
    for i in range(2):
        for j in range(2):
            a += [1 - i] * t[i][j]
            b += [1 - j] * t[i][j]
    stats = from_2x2(t)
    assert same(stats["percent_agreement"], percent_agreement(a, b))
    assert same(stats["pabak"], pabak(a, b, 2))
    assert same(stats["gwet_ac1"], gwet_ac1(a, b, 2))
    assert stats["cohen_kappa"].value == pytest.approx(cohen_kappa(a, b).value, nan_ok=True)
    assert stats["scott_pi"].value == pytest.approx(scott_pi(a, b).value, nan_ok=True)
    assert stats["krippendorff_alpha"].value == pytest.approx(
        krippendorff_alpha(list(zip(a, b))).value, nan_ok=True
    )


@settings(max_examples=150)
@given(table(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_all_statistics_never_raises_or_warns(rows, level):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = all_statistics(rows, level=level)
    for name, stat in stats.items():
        assert stat.name == name or name == "percent_agreement"
        assert isinstance(stat.value, float)
        assert math.isnan(stat.value) == (stat.reason is not None), (name, stat)
