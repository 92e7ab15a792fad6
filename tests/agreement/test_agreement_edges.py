"""Undefined cases, missing ratings and malformed input for the agreement statistics."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from bctcoder.agreement import (
    Statistic,
    all_statistics,
    bias_index,
    brennan_prediger,
    brennan_prediger_multi,
    cohen_kappa,
    cohen_kappa_from_table,
    conger_kappa,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    from_2x2,
    gwet_ac1,
    gwet_ac1_multi,
    gwet_ac2,
    krippendorff_alpha,
    light_kappa,
    negative_agreement,
    pabak,
    percent_agreement,
    percent_agreement_multi,
    positive_agreement,
    prevalence_index,
    scott_pi,
)

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def undefined(stat: Statistic, *words: str) -> bool:
    return math.isnan(stat.value) and bool(stat.reason) and all(w in stat.reason for w in words)


# --------------------------------------------------------------------------- a code nobody used


ZEROS = [0] * 12


def test_unused_code_two_coders():
    assert undefined(cohen_kappa(ZEROS, ZEROS), "no variation", "rated 0 by both coders")
    assert cohen_kappa(ZEROS, ZEROS).reason == (
        "no variation: every unit rated 0 by both coders (expected agreement is 1)"
    )
    for weights in ("linear", "quadratic"):
        assert undefined(cohen_kappa(ZEROS, ZEROS, weights), "no variation")
    assert undefined(scott_pi(ZEROS, ZEROS), "no variation")
    assert undefined(krippendorff_alpha(list(zip(ZEROS, ZEROS))), "no variation")
    assert pabak(ZEROS, ZEROS).value == 1.0
    assert brennan_prediger(ZEROS, ZEROS).value == 1.0
    assert pabak(ZEROS, ZEROS).details["n_categories"] == 2
    assert percent_agreement(ZEROS, ZEROS).value == 1.0
    assert gwet_ac1(ZEROS, ZEROS).value == 1.0
    assert undefined(positive_agreement(ZEROS, ZEROS), "positive")
    assert negative_agreement(ZEROS, ZEROS).value == 1.0
    assert prevalence_index(ZEROS, ZEROS).value == -1.0
    assert bias_index(ZEROS, ZEROS).value == 0.0


def test_unused_code_all_statistics_two_and_three_coders():
    two = all_statistics([[0, 0]] * 8, level="ordinal")
    assert set(two) == {
        "percent_agreement", "cohen_kappa", "cohen_kappa_linear", "cohen_kappa_quadratic",
        "pabak", "gwet_ac1", "scott_pi", "krippendorff_alpha",
        "gwet_ac2_linear", "gwet_ac2_quadratic", "gwet_ac2_ordinal",
    }
    for name in ("gwet_ac2_linear", "gwet_ac2_quadratic", "gwet_ac2_ordinal"):
        assert undefined(two[name], "no variation"), name
    assert two["pabak"].value == 1.0
    for name in ("cohen_kappa", "cohen_kappa_linear", "cohen_kappa_quadratic", "scott_pi", "krippendorff_alpha"):
        assert undefined(two[name], "no variation"), name
    three = all_statistics([[0, 0, 0]] * 8)
    assert undefined(three["fleiss_kappa"], "no variation")
    assert undefined(three["krippendorff_alpha"], "no variation")
    assert three["brennan_prediger"].value == 1.0
    assert three["gwet_ac1"].value == 1.0
    assert three["percent_agreement"].value == 1.0
    assert undefined(conger_kappa([[0, 0, 0]] * 8))


def test_from_2x2_unused_code():
    stats = from_2x2([[0, 0], [0, 10]])
    assert stats["pabak"].value == 1.0
    assert undefined(stats["cohen_kappa"], "no variation", "'no'")
    assert undefined(stats["krippendorff_alpha"], "no variation")
    assert undefined(stats["positive_agreement"])
    assert stats["negative_agreement"].value == 1.0


def test_single_category_with_categories_given_still_undefined():
    stat = cohen_kappa(ZEROS, ZEROS, categories=[0, 1])
    assert undefined(stat, "no variation")
    assert stat.details["categories"] == [0, 1]


# --------------------------------------------------------------------------- missing ratings


def test_missing_markers_are_dropped_pairwise():
    a = [1, 0, None, 1, float("nan"), 0, np.nan, 1]
    b = [1, 0, 1, pd.NA, 0, 1, 0, 1]
    stat = percent_agreement(a, b)
    assert stat.details["n_units"] == 4
    assert stat.details["n_dropped"] == 4
    assert stat.value == pytest.approx(3 / 4)


def test_no_unit_rated_by_both_coders():
    a, b = [1, None, 0], [None, 1, None]
    for fn in (percent_agreement, cohen_kappa, scott_pi, gwet_ac1, pabak, brennan_prediger):
        assert undefined(fn(a, b), "no unit was rated by both coders"), fn.__name__
    assert undefined(krippendorff_alpha(list(zip(a, b))), "two or more coders")
    assert undefined(fleiss_kappa(list(zip(a, b))), "two or more coders")
    assert undefined(gwet_ac1_multi(list(zip(a, b))), "two or more coders")
    stats = all_statistics(list(zip(a, b)))
    assert all(undefined(s) for s in stats.values())


def test_units_nobody_rated_are_ignored():
    rows = [[1, 1, 1], [2, 2, 1], [None, None, None], [1, 2, 2], [3, 3, None]]
    without = [r for r in rows if any(x is not None for x in r)]
    assert fleiss_kappa(rows).value == pytest.approx(fleiss_kappa(without).value)
    assert krippendorff_alpha(rows).value == pytest.approx(krippendorff_alpha(without).value)


def test_dataframe_input_with_nan_and_string_categories():
    df = pd.DataFrame(
        {"ann": ["yes", "no", "yes", None, "no"], "bob": ["yes", "no", "no", "yes", np.nan], "cy": ["yes", "no", "yes", "yes", "no"]}
    )
    stats = all_statistics(df)
    assert stats["mean_pairwise_agreement"].details["pairs"][0]["coders"] == ["ann", "bob"]
    assert all(isinstance(s, Statistic) for s in stats.values())
    assert 0.0 <= stats["percent_agreement"].value <= 1.0


def test_light_and_pairwise_skip_undefined_pairs():
    rows = [[0, 0, 1], [0, 0, 0], [0, 0, 1], [0, 0, 0]]
    stat = light_kappa(rows)
    assert stat.details["n_pairs_defined"] == 2  # coders 0 & 1 never vary together
    assert percent_agreement_multi(rows).value == pytest.approx((1 + 0.5 + 0.5) / 3)


def test_fleiss_per_category_nan_for_unused_category():
    stat = fleiss_kappa([[1, 1], [2, 2], [1, 2]], categories=[1, 2, 3])
    assert math.isnan(stat.details["per_category"][3])
    assert not math.isnan(stat.value)


def test_weighted_kappa_uses_given_scale():
    # a 1-5 scale where only 2-4 were used: weighted kappa does not depend on the scale's span,
    # AC2 does (its chance term counts the categories), so the declared scale changes AC2 only
    a, b = [2, 3, 4, 4], [2, 4, 4, 3]
    observed = cohen_kappa(a, b, "linear")
    full = cohen_kappa(a, b, "linear", categories=[1, 2, 3, 4, 5])
    assert observed.details["categories"] == [2, 3, 4]
    assert observed.value == pytest.approx(full.value)
    rows = [list(p) for p in zip(a, b)]
    assert gwet_ac2(rows, "linear").value != pytest.approx(gwet_ac2(rows, "linear", [1, 2, 3, 4, 5]).value)
    # numeric categories weigh by value, so an unused point inside the range changes nothing
    gap = cohen_kappa([1, 2, 5, 5], [1, 5, 5, 2], "linear")
    assert gap.value == pytest.approx(cohen_kappa([1, 2, 5, 5], [1, 5, 5, 2], "linear", [1, 2, 3, 4, 5]).value)


# --------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    "call",
    [
        lambda: percent_agreement([], []),
        lambda: cohen_kappa([], []),
        lambda: scott_pi([], []),
        lambda: gwet_ac1([], []),
        lambda: pabak([], []),
        lambda: positive_agreement([], []),
        lambda: fleiss_kappa([]),
        lambda: krippendorff_alpha([]),
        lambda: all_statistics([]),
        lambda: krippendorff_alpha([[]]),
        lambda: from_2x2([[0, 0], [0, 0]]),
        lambda: fleiss_kappa_from_counts([]),
    ],
)
def test_empty_input_raises(call):
    with pytest.raises(ValueError, match="empty"):
        call()


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="differ in length"):
        cohen_kappa([1, 2, 3], [1, 2])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fleiss_kappa([[1, 2], [1]]), "units × coders"),
        (lambda: krippendorff_alpha([1, 2, 3]), "units × coders"),
        (lambda: all_statistics([[1], [2]]), "at least two coders"),
        (lambda: krippendorff_alpha([[1, 2]], level="bogus"), "level"),
        (lambda: all_statistics([[1, 2]], level="bogus"), "level"),
        (lambda: cohen_kappa([1], [1], weights="cubic"), "weights"),
        (lambda: cohen_kappa([1, "a"], ["a", 1], weights="linear"), "categories"),
        (lambda: cohen_kappa([1, 2], [1, 3], categories=[1, 2]), "not among"),
        (lambda: krippendorff_alpha([["a", "b"]], level="interval"), "numeric"),
        (lambda: krippendorff_alpha([[-1, 2]], level="ratio"), "non-negative"),
        (lambda: pabak([1, 2, 3], [1, 2, 3], n_categories=2), "n_categories"),
        (lambda: pabak([1], [1], n_categories=1), "at least 2"),
        (lambda: positive_agreement([1, 2, 3], [1, 2, 3]), "binary"),
        (lambda: positive_agreement(["y", "n"], ["y", "n"]), "positive"),
        (lambda: from_2x2([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), "shape"),
        (lambda: from_2x2([[1, -2], [3, 4]]), "non-negative"),
        (lambda: cohen_kappa_from_table([[1, 2]]), "square"),
        (lambda: cohen_kappa([[1], [2]], [[1], [2]]), "hashable"),
    ],
)
def test_malformed_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_weighted_kappa_with_unsortable_labels_and_explicit_order():
    a, b = ["low", "high", "mid"], ["low", "mid", "mid"]
    stat = cohen_kappa(a, b, "quadratic", categories=["low", "mid", "high"])
    assert stat.details["categories"] == ["low", "mid", "high"]
    alpha = krippendorff_alpha(list(zip(a, b)), "ordinal", categories=["low", "mid", "high"])
    assert alpha.details["categories"] == ["low", "mid", "high"]


def test_statistic_is_frozen_plain_data():
    stat = cohen_kappa([1, 0, 1, 0], [1, 0, 0, 0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        stat.value = 0.0  # type: ignore[misc]
    assert isinstance(stat.value, float) and stat.reason is None
    assert isinstance(stat.details["po"], float) and isinstance(stat.details["n_units"], int)
    assert stat.defined


def test_brennan_prediger_multi_q_from_categories():
    rows = [[1, 1, 1], [1, 1, 2]]
    assert brennan_prediger_multi(rows, categories=[1, 2, 3, 4]).details["n_categories"] == 4
    assert brennan_prediger_multi(rows).details["n_categories"] == 2
