"""Agreement statistics against published reference values.

The reference values are those recorded in ``../shared/golden/GOLDEN.md``
(irr, irrCAC, krippendorff, statsmodels outputs, and the published examples).
Data that lives in ``../shared`` (the K2011 tables written in GOLDEN.md and the
Fleiss 1971 diagnoses CSV) is read from there and those tests skip when the
folder is absent; small textbook tables (Wikipedia, Gwet's handbook) are
written inline so those checks always run.

Every comparison is to the number of decimals the reference publishes.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

from bctcoder.agreement import (
    Statistic,
    all_statistics,
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
    positive_agreement,
    scott_pi,
)

pytestmark = pytest.mark.filterwarnings("error")

SHARED = Path(__file__).resolve().parents[3] / "shared"
GOLDEN = SHARED / "golden"
GOLDEN_MD = GOLDEN / "GOLDEN.md"
DIAGNOSES_CSV = GOLDEN / "data" / "irr_diagnoses.csv"

needs_golden = pytest.mark.skipif(
    not GOLDEN_MD.is_file(),
    reason=f"reference data not available: {GOLDEN_MD} is absent "
    "(../shared exists on developer machines and in CI, not in a fresh clone)",
)
needs_diagnoses = pytest.mark.skipif(
    not DIAGNOSES_CSV.is_file(), reason=f"reference data not available: {DIAGNOSES_CSV} is absent"
)


def matches(value: float, published: str) -> bool:
    """``value`` rounds to ``published`` (a decimal string): |diff| <= half a unit in its last place."""
    decimals = len(published.split(".")[1]) if "." in published else 0
    return not math.isnan(value) and abs(value - float(published)) <= 0.5 * 10**-decimals + 1e-12


def check(stat: Statistic, published: str) -> None:
    assert isinstance(stat, Statistic)
    assert stat.reason is None, stat.reason
    assert matches(stat.value, published), f"{stat.name} = {stat.value!r}, published {published}"


# --------------------------------------------------------------------------- data from ../shared


def _golden_text() -> str:
    return GOLDEN_MD.read_text(encoding="utf-8")


def _k2011_c() -> list[list]:
    """The K2011 C-data (coders × units in GOLDEN.md) as units × coders, None = missing."""
    text = _golden_text()
    block = text[text.index("K2011 C-data") :]
    rows = {}
    for coder in "ABCD":
        m = re.search(rf"^\s*{coder}:((?:\s+[\d.])+)\s*$", block, re.MULTILINE)
        assert m, f"coder {coder} row not found in GOLDEN.md"
        rows[coder] = [None if tok == "." else int(tok) for tok in m.group(1).split()]
    assert {len(r) for r in rows.values()} == {12}
    return [list(unit) for unit in zip(*(rows[c] for c in "ABCD"))]


def _k2011_a() -> tuple[list[int], list[int]]:
    m = re.search(r"K2011 A \(binary, 2 coders\): A ([\d ]+)/ B ([\d ]+)->", _golden_text())
    assert m, "K2011 A line not found in GOLDEN.md"
    a, b = ([int(t) for t in g.split()] for g in m.groups())
    assert len(a) == len(b) == 10
    return a, b


def _diagnoses() -> list[list[str]]:
    with DIAGNOSES_CSV.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        raters = [i for i, h in enumerate(header) if h.startswith("rater")]
        assert len(raters) == 6, header
        rows = [[row[i] for i in raters] for row in reader]
    assert len(rows) == 30
    return rows


@needs_golden
def test_reference_values_are_the_ones_in_golden_md():
    text = _golden_text()
    for published in (
        "0.7434211", "0.8153875", "0.8491071", "0.7974028", "0.7612", "0.7754", "0.7727",
        "0.7621", "alpha 0.095", "0.4302", "0.245,0.245,0.520,0.471,0.566", "0.4444", "0.4334",
        "0.459", "0.6512", "73.3", "0.6667", "0.6721", "0.6431", "0.210", "K-alpha .3177",
        "AC1 .808", "Cohen .796", "Cohen .432", "z=17.7",
    ):
        assert published in text, published


# --------------------------------------------------------------------------- Krippendorff 2011


@needs_golden
@pytest.mark.parametrize(
    "level, published",
    [("nominal", "0.7434211"), ("ordinal", "0.8153875"), ("interval", "0.8491071"), ("ratio", "0.7974028")],
)
def test_k2011_c_krippendorff_alpha(level, published):
    check(krippendorff_alpha(_k2011_c(), level), published)


@needs_golden
def test_k2011_c_alpha_details():
    stat = krippendorff_alpha(_k2011_c())
    assert stat.details["n_units_used"] == 11  # unit 12 has a single rating
    assert stat.details["n_pairable_values"] == 40
    check(stat, "0.743")  # irrCAC's rounding


@needs_golden
def test_k2011_c_fleiss_gwet_extension_for_missing():
    stat = fleiss_kappa(_k2011_c())
    check(stat, "0.7612")
    assert matches(stat.details["pa"], ".8182")
    assert matches(stat.details["pe"], ".2387")


@needs_golden
def test_k2011_c_multi_coder_ac1_bp_conger():
    data = _k2011_c()
    check(gwet_ac1_multi(data), "0.7754")
    check(brennan_prediger_multi(data), "0.7727")
    check(conger_kappa(data), "0.7621")


@needs_golden
def test_k2011_c_all_statistics():
    stats = all_statistics(_k2011_c(), level="interval")
    assert set(stats) == {"percent_agreement", "mean_pairwise_agreement", "fleiss_kappa", "conger_kappa",
                          "gwet_ac1", "brennan_prediger", "gwet_ac2_linear", "gwet_ac2_quadratic",
                          "gwet_ac2_ordinal", "krippendorff_alpha"}
    check(stats["percent_agreement"], ".8182")  # the pa of Fleiss' kappa and AC1 (irrCAC)
    check(stats["conger_kappa"], "0.7621")
    check(stats["fleiss_kappa"], "0.7612")
    check(stats["gwet_ac1"], "0.7754")
    check(stats["brennan_prediger"], "0.7727")
    check(stats["krippendorff_alpha"], "0.8491071")


@needs_golden
def test_k2011_a_binary_alpha():
    a, b = _k2011_a()
    check(krippendorff_alpha(list(zip(a, b))), "0.095")
    check(all_statistics(list(zip(a, b)))["krippendorff_alpha"], "0.095")


# --------------------------------------------------------------------------- Fleiss 1971 diagnoses


@needs_diagnoses
def test_diagnoses_fleiss_kappa_and_per_category():
    stat = fleiss_kappa(_diagnoses())
    check(stat, "0.4302")
    check(stat, "0.43")  # irr
    per = stat.details["per_category"]
    assert list(per) == ["1. Depression", "2. Personality Disorder", "3. Schizophrenia", "4. Neurosis", "5. Other"]
    for value, published in zip(per.values(), ["0.245", "0.245", "0.520", "0.471", "0.566"]):
        assert matches(value, published), (value, published)
    assert matches(stat.details["z"], "17.7")


@needs_diagnoses
def test_diagnoses_other_multi_coder_coefficients():
    data = _diagnoses()
    check(brennan_prediger_multi(data), "0.4444")  # Randolph's free-marginal kappa
    check(krippendorff_alpha(data), "0.4334")
    check(light_kappa(data), "0.459")


@needs_diagnoses
def test_diagnoses_raters_1_and_2():
    data = _diagnoses()
    a, b = [r[0] for r in data], [r[1] for r in data]
    check(cohen_kappa(a, b), "0.6512")
    check(cohen_kappa(a, b), "0.651")  # irr
    assert matches(percent_agreement(a, b).value * 100, "73.3")
    check(brennan_prediger(a, b, n_categories=5), "0.6667")
    check(pabak(a, b, n_categories=5), "0.6667")
    check(pabak(a, b), "0.6667")  # all five categories are observed
    check(gwet_ac1(a, b), "0.6721")
    check(scott_pi(a, b), "0.6431")


@needs_diagnoses
def test_diagnoses_all_statistics():
    data = _diagnoses()
    stats = all_statistics(data)
    check(stats["fleiss_kappa"], "0.4302")
    check(stats["brennan_prediger"], "0.4444")
    check(stats["krippendorff_alpha"], "0.4334")
    two = all_statistics([r[:2] for r in data])
    assert set(two) == {"percent_agreement", "cohen_kappa", "pabak", "gwet_ac1", "scott_pi", "krippendorff_alpha"}
    check(two["cohen_kappa"], "0.6512")
    check(two["pabak"], "0.6667")
    check(two["gwet_ac1"], "0.6721")
    check(two["scott_pi"], "0.6431")
    assert matches(two["percent_agreement"].value * 100, "73.3")


# --------------------------------------------------------------------------- inline textbook tables


WIKIPEDIA_FLEISS = [  # 10 subjects × 5 categories, 14 raters each (Wikipedia "Fleiss' kappa")
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_wikipedia_fleiss_table():
    check(fleiss_kappa_from_counts(WIKIPEDIA_FLEISS), "0.210")
    # the same data as units × raters
    ratings = [[k for k, n in enumerate(row) for _ in range(n)] for row in WIKIPEDIA_FLEISS]
    check(fleiss_kappa(ratings), "0.210")


TABLES_2X2 = [
    ([[20, 5], [10, 15]], {"percent_agreement": ".70", "cohen_kappa": ".40", "pabak": ".40"}),
    ([[45, 15], [25, 15]], {"percent_agreement": ".60", "cohen_kappa": ".1304", "pabak": ".20"}),
    ([[25, 35], [5, 35]], {"percent_agreement": ".60", "cohen_kappa": ".2593", "pabak": ".20"}),
    ([[40, 9], [6, 45]], {"percent_agreement": ".85", "cohen_kappa": ".6995", "pabak": ".70"}),
    (
        [[80, 10], [5, 5]],
        {"percent_agreement": ".85", "cohen_kappa": ".3182", "pabak": ".70", "gwet_ac1": ".808",
         "krippendorff_alpha": ".3177"},
    ),
]


@pytest.mark.parametrize("table, expected", TABLES_2X2)
def test_2x2_tables(table, expected):
    stats = from_2x2(table)
    for name, published in expected.items():
        check(stats[name], published)


def _expand(table):
    """A 2 × 2 table as two coders' 1/0 rating sequences."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            a += [1 - i] * n
            b += [1 - j] * n
    return a, b


@pytest.mark.parametrize("table, expected", TABLES_2X2)
def test_2x2_tables_from_sequences(table, expected):
    a, b = _expand(table)
    seq = {
        "percent_agreement": percent_agreement(a, b),
        "cohen_kappa": cohen_kappa(a, b),
        "pabak": pabak(a, b),
        "gwet_ac1": gwet_ac1(a, b),
        "krippendorff_alpha": krippendorff_alpha(list(zip(a, b))),
    }
    for name, published in expected.items():
        check(seq[name], published)
    (pp, pn), (np_, nn) = table
    assert positive_agreement(a, b).value == pytest.approx(2 * pp / (2 * pp + pn + np_))
    assert negative_agreement(a, b).value == pytest.approx(2 * nn / (2 * nn + pn + np_))


def test_gwet_handbook_tables():
    # irrCAC test suite: Gwet (2014) cont3x3abstractors and cont4x4diagnosis
    check(cohen_kappa_from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]]), ".796")
    check(cohen_kappa_from_table([[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]]), ".432")


# --------------------------------------------------------------------------- Gwet's AC2 (weighted AC1)
# Published by Gwet's irrCAC (R 1.0, whose examples the Python port afergadis/irrCAC checks in its test
# suite): cac.raw4raters is the K2011 C-data above; the two tables are Gwet (2014) cont3x3abstractors and
# cont4x4diagnosis. pa, pe and AC2 to three decimals.

@needs_golden
@pytest.mark.parametrize(
    "weights, pa, pe, ac2",
    [("linear", ".939", ".571", ".859"), ("quadratic", ".975", ".714", ".914"), ("ordinal", ".968", ".685", ".899")],
)
def test_k2011_c_gwet_ac2(weights, pa, pe, ac2):
    stat = gwet_ac2(_k2011_c(), weights)
    check(stat, ac2)
    assert matches(stat.details["pa"], pa) and matches(stat.details["pe"], pe), stat.details
    assert all_statistics(_k2011_c(), level="ordinal")[f"gwet_ac2_{weights}"].value == stat.value


def _rows_from_table(table: list[list[int]]) -> list[list[int]]:
    return [[i + 1, j + 1] for i, row in enumerate(table) for j, n in enumerate(row) for _ in range(n)]


@pytest.mark.parametrize(
    "table, weights, published",
    [
        ([[13, 0, 0], [0, 20, 7], [0, 4, 56]], "linear", ".900"),
        ([[13, 0, 0], [0, 20, 7], [0, 4, 56]], "quadratic", ".940"),
        ([[13, 0, 0], [0, 20, 7], [0, 4, 56]], "ordinal", ".925"),
        ([[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]], "linear", ".377"),
        ([[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]], "quadratic", ".299"),
        ([[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]], "ordinal", ".324"),
    ],
)
def test_gwet_handbook_tables_ac2(table, weights, published):
    check(gwet_ac2(_rows_from_table(table), weights), published)


def test_ac2_without_weights_is_ac1():
    rows = _rows_from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    assert gwet_ac2(rows, None).value == pytest.approx(gwet_ac1_multi(rows).value, abs=1e-15)
    check(gwet_ac2(rows, None), ".849")  # irrCAC: unweighted AC1 of cont3x3abstractors
