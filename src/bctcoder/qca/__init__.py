"""Qualitative Comparative Analysis: crisp-set, multi-value and fuzzy-set.

Pure functions over pandas DataFrames (rows = cases, columns = conditions and
outcome), following Ragin (2008) and Dușa (2019). Results are plain dataclasses
and DataFrames; numbers agree with R's QCA package.
"""

from bctcoder.qca.calibrate import calibrate
from bctcoder.qca.data import QcaData, prepare
from bctcoder.qca.fit import model_fit, necessity_fit, sufficiency
from bctcoder.qca.implicants import minimal_covers, prime_implicants
from bctcoder.qca.minimize import Model, Solution, easy_counterfactuals, minimize, parse_directions
from bctcoder.qca.necessity import necessity, super_subset
from bctcoder.qca.truth_table import TruthTable, truth_table

__all__ = [
    "Model", "QcaData", "Solution", "TruthTable", "calibrate", "easy_counterfactuals",
    "minimal_covers", "minimize", "model_fit", "necessity", "necessity_fit", "parse_directions",
    "prepare", "prime_implicants", "sufficiency", "super_subset", "truth_table",
]
