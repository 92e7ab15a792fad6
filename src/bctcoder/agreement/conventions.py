"""The conventions behind every agreement figure, written once and printed with the figures.

``COEFFICIENTS`` names each coefficient bctcoder reports, with its definition
and reference; docs/agreement.md carries the same table (a test keeps them
equal). :func:`describe` turns the choices of one computation into the
sentences printed under its table.
"""

from __future__ import annotations

from typing import Sequence

COEFFICIENTS: dict[str, tuple[str, str]] = {
    "percent_agreement": (
        "observed agreement pa: within each unit rated by two or more coders, the share of coder pairs that "
        "chose the same category, averaged over those units (two coders: the share of units both rated that "
        "got the same category); the pa every chance-corrected coefficient below starts from",
        "Fleiss 1971; Gwet 2014 ch. 2"),
    "mean_pairwise_agreement": (
        "three or more coders: the mean over coder pairs of each pair's percent agreement (not the pa of "
        "the coefficients; pairs weigh equally)", "Light 1971"),
    "cohen_kappa": (
        "two coders: (pa - pe) / (1 - pe), pe = sum_k p_Ak p_Bk from each coder's own category shares "
        "(with missing='all', each coder's shares over the units that coder rated)",
        "Cohen 1960; Gwet 2014 ch. 5"),
    "cohen_kappa_linear": ("weighted kappa with linear weights on the declared scale", "Cohen 1968"),
    "cohen_kappa_quadratic": ("weighted kappa with quadratic weights on the declared scale", "Cohen 1968"),
    "scott_pi": ("two coders: pe = sum_k pi_k^2 from the pooled category shares", "Scott 1955"),
    "fleiss_kappa": (
        "three or more coders: pe = sum_k pi_k^2, pi_k the mean share of category k per unit "
        "(two coders: Scott's pi)", "Fleiss 1971; Gwet 2014 (missing ratings)"),
    "conger_kappa": (
        "three or more coders: Cohen's kappa generalised, pe from each coder's own category shares",
        "Conger 1980; Gwet 2014"),
    "pabak": (
        "two coders: Brennan-Prediger, pe = 1/q with q the number of categories on the declared scale "
        "(presence/absence: q = 2, PABAK = 2 pa - 1)", "Byrt, Bishop & Carlin 1993"),
    "brennan_prediger": ("three or more coders: pe = 1/q, q from the declared scale",
                         "Brennan & Prediger 1981"),
    "gwet_ac1": ("pe = sum_k pi_k (1 - pi_k) / (q - 1), q from the declared scale", "Gwet 2008"),
    "gwet_ac2_linear": ("AC1 with linear agreement weights on the declared scale", "Gwet 2014 ch. 3"),
    "gwet_ac2_quadratic": ("AC1 with quadratic agreement weights on the declared scale", "Gwet 2014 ch. 3"),
    "gwet_ac2_ordinal": ("AC1 with ordinal weights (ranks only) on the declared scale", "Gwet 2014 ch. 3"),
    "krippendorff_alpha": (
        "1 - observed / expected disagreement over all pairable values (units rated by two or more "
        "coders), at the chosen level (nominal, ordinal, interval, ratio)", "Krippendorff 2011"),
    "positive_agreement": ("two coders, presence: 2a / (2a + b + c)", "Cicchetti & Feinstein 1990"),
    "negative_agreement": ("two coders, presence: 2d / (2d + b + c)", "Cicchetti & Feinstein 1990"),
    "prevalence_index": ("two coders, presence: (a - d) / n", "Byrt, Bishop & Carlin 1993"),
    "bias_index": ("two coders, presence: (b - c) / n", "Byrt, Bishop & Carlin 1993"),
}

MISSING_TEXT = {
    "all": "missing ratings: all rated units (Gwet 2014): observed agreement over the units rated by two or "
           "more coders, chance agreement from every rating; --missing listwise keeps only units every coder "
           "rated",
    "listwise": "missing ratings: listwise: only units rated by every coder count; --missing all uses every "
                "unit rated by two or more coders (Gwet 2014)",
}


def describe(missing: str, *, default_missing: str, categories: Sequence, declared: bool, level: str,
             n_units: int, n_units_used: int) -> list[str]:
    """The sentences that state how a table of coefficients was computed."""
    stated = MISSING_TEXT[missing] + (" (the default)" if missing == default_missing else "")
    scale = ", ".join(str(c) for c in categories)
    where = "declared" if declared else "observed in any rating; declare it with --categories/--scale"
    return [
        f"{stated}. Units: {n_units_used} of {n_units} used.",
        f"Scale ({level}): {scale} (q = {max(2, len(categories))}, {where}).",
        "percent_agreement is the observed agreement pa that the chance-corrected coefficients start from.",
    ]
