"""Truth tables for crisp-set, multi-value and fuzzy-set QCA (Ragin 2008; Dușa 2019, ch. 7).

Rows are numbered as R's QCA package numbers them: the condition values read as
a (mixed-radix) number, first condition most significant, plus one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from bctcoder.errors import BctcoderError, InputError
from bctcoder.qca.data import QcaData, Term, prepare, row_number, row_values, term_membership
from bctcoder.qca.fit import inclusion_pri

MAX_ROWS = 2 ** 16
"""Largest truth table (number of logically possible rows) that will be built."""

TOLERANCE = 1e-9


@dataclass(frozen=True)
class TruthTable:
    """A truth table: every logically possible row, observed or remainder.

    ``table`` is indexed by row number and has one column per condition, then
    ``OUT`` (1, 0, ``"C"`` for a contradiction, ``"?"`` for a remainder), ``n``
    (cases in the row), ``incl`` and ``PRI`` (NaN for rows without cases) and
    ``cases`` (a tuple of case names).
    """

    table: pd.DataFrame
    data: QcaData
    incl_cut: tuple[float, float]
    n_cut: int

    def rows_with(self, out) -> list[int]:
        """Row numbers whose OUT equals ``out`` (1, 0, "C" or "?")."""
        return [int(i) for i, v in self.table["OUT"].items() if v == out]

    @property
    def positive(self) -> list[int]:
        """Rows with OUT = 1."""
        return self.rows_with(1)

    @property
    def negative(self) -> list[int]:
        """Rows with OUT = 0."""
        return self.rows_with(0)

    @property
    def contradictions(self) -> list[int]:
        """Rows with OUT = "C"."""
        return self.rows_with("C")

    @property
    def remainders(self) -> list[int]:
        """Rows with OUT = "?" (too few cases)."""
        return self.rows_with("?")

    @property
    def observed(self) -> pd.DataFrame:
        """The rows that are not remainders (what R prints by default)."""
        return self.table[self.table["OUT"] != "?"]

    def row(self, number: int) -> Term:
        """Condition values of row ``number``."""
        return row_values(number, self.data.levels)


def _cut_offs(incl_cut) -> tuple[float, float]:
    if isinstance(incl_cut, (int, float)):
        cuts: tuple[float, ...] = (float(incl_cut), float(incl_cut))
    else:
        try:
            cuts = tuple(float(c) for c in incl_cut)
        except (TypeError, ValueError):
            raise InputError("incl_cut must be a number or a pair of numbers", source="incl_cut") from None
        if len(cuts) == 1:
            cuts = (cuts[0], cuts[0])
        if len(cuts) != 2:
            raise InputError("incl_cut takes one or two values", source="incl_cut")
    ic1, ic0 = cuts
    if not (0 <= ic0 <= ic1 <= 1):
        raise InputError("incl_cut values must satisfy 0 <= incl0 <= incl1 <= 1", source="incl_cut")
    return ic1, ic0


def case_rows(qd: QcaData) -> np.ndarray:
    """The row number each case belongs to (0 for a fuzzy case with some membership of exactly 0.5)."""
    rows = np.zeros(len(qd.cases), dtype=int)
    for i in range(len(qd.cases)):
        values: list[int] = []
        for j, fuzzy in enumerate(qd.fuzzy):
            x = qd.values[i, j]
            if fuzzy and x == 0.5:
                break  # no row: the case stays in row 0
            values.append(int(x > 0.5) if fuzzy else int(x))
        else:
            rows[i] = row_number(tuple(values), qd.levels)
    return rows


def truth_table(
    data: pd.DataFrame,
    outcome: str,
    conditions: Sequence[str] | None = None,
    incl_cut: float | Sequence[float] = 1.0,
    n_cut: int = 1,
    complement_outcome: bool = False,
) -> TruthTable:
    """Build the truth table of ``outcome`` (or ``~outcome``) on ``conditions``.

    A case belongs to the row matching its values (fuzzy sets: membership above
    0.5). ``incl``/``PRI`` of a row are sufficiency inclusion and PRI of the row's
    conjunction computed over all cases. OUT is ``"?"`` when ``n < n_cut``;
    otherwise 1 when ``incl >= incl1``, ``"C"`` when ``incl0 <= incl < incl1``
    and 0 below ``incl0`` (``incl_cut`` is ``incl1`` or ``(incl1, incl0)``).
    """
    qd = prepare(data, outcome, conditions, complement_outcome)
    ic1, ic0 = _cut_offs(incl_cut)
    if not isinstance(n_cut, int) or n_cut < 1:
        raise InputError("n_cut must be a positive integer", source="n_cut")
    total = math.prod(qd.levels)
    if total > MAX_ROWS:
        raise BctcoderError(
            f"a truth table of {total} rows is too large to build (at most {MAX_ROWS}); use fewer conditions")

    by_row: dict[int, list[str]] = {}
    for case, number in zip(qd.cases, case_rows(qd)):
        by_row.setdefault(int(number), []).append(case)
    records = []
    for number in range(1, total + 1):
        row = row_values(number, qd.levels)
        in_row = by_row.get(number, [])
        n = len(in_row)
        incl = pri = math.nan
        if n > 0:
            incl, pri = inclusion_pri(term_membership(qd, row), qd.y)
        out: int | str
        if n < n_cut:
            out = "?"
        elif incl >= ic1 - TOLERANCE:
            out = 1
        elif incl >= ic0 - TOLERANCE:
            out = "C"
        else:
            out = 0
        records.append((*row, out, n, incl, pri, tuple(in_row)))
    table = pd.DataFrame.from_records(
        records, columns=[*qd.conditions, "OUT", "n", "incl", "PRI", "cases"],
        index=pd.RangeIndex(1, total + 1))
    table["OUT"] = table["OUT"].astype(object)
    return TruthTable(table=table, data=qd, incl_cut=(ic1, ic0), n_cut=n_cut)
