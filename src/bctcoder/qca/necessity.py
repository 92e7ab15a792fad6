"""Analysis of necessary conditions (Ragin 2006; Dușa 2019, ch. 5).

:func:`necessity` reports each condition (and its negation) separately;
:func:`super_subset` searches conjunctions and disjunctions of conditions that
pass inclusion and coverage cut-offs.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
import pandas as pd

from bctcoder.errors import InputError
from bctcoder.qca.data import QcaData, literal_membership, prepare
from bctcoder.qca.fit import necessity_fit, sufficiency

TOLERANCE = 1e-9


def _literal_name(qd: QcaData, j: int, level: int) -> str:
    name = qd.conditions[j]
    if qd.multivalue:
        return f"{name}[{level}]"
    return name if level == 1 else f"~{name}"


def _literals(qd: QcaData, j: int, negated: bool) -> list[int]:
    if qd.levels[j] > 2:
        return list(range(qd.levels[j]))
    if qd.multivalue:
        return [0, 1] if negated else [1]
    return [1, 0] if negated else [1]


def necessity(
    data: pd.DataFrame,
    outcome: str,
    conditions: Sequence[str] | None = None,
    negated: bool = True,
    complement_outcome: bool = False,
) -> pd.DataFrame:
    """Necessity fit (``inclN``, ``RoN``, ``covN``) of every condition for the outcome.

    The result is indexed by literal (``DEV``, ``~DEV``; ``DEV[2]`` for multi-value
    conditions, every level); ``negated=False`` leaves out the negations of
    crisp and fuzzy conditions.
    """
    qd = prepare(data, outcome, conditions, complement_outcome)
    records, index = [], []
    for j in range(len(qd.conditions)):
        for level in _literals(qd, j, negated):
            records.append(necessity_fit(literal_membership(qd, j, level), qd.y))
            index.append(_literal_name(qd, j, level))
    return pd.DataFrame.from_records(records, index=index, columns=["inclN", "RoN", "covN"])


def _passes(value: float, cut: float) -> bool:
    return not np.isnan(value) and value >= cut - TOLERANCE


def super_subset(
    data: pd.DataFrame,
    outcome: str,
    conditions: Sequence[str] | None = None,
    relation: str = "necessity",
    incl_cut: float = 1.0,
    cov_cut: float = 0.0,
    depth: int | None = None,
    complement_outcome: bool = False,
) -> pd.DataFrame:
    """Expressions that are necessary (or sufficient) for the outcome.

    Every expression combines at most one literal per condition (``depth``
    literals at most). For ``relation="necessity"`` it reports every conjunction
    with ``inclN >= incl_cut`` and ``covN >= cov_cut``, and every disjunction
    that passes both cut-offs while none of its proper sub-disjunctions
    (single literals included) reaches ``incl_cut`` (which would make the
    larger disjunction redundant). For ``relation="sufficiency"`` it reports the
    conjunctions with ``inclS >= incl_cut`` and ``covS >= cov_cut`` that contain
    no smaller conjunction reaching ``incl_cut``. Columns are ``inclN, RoN,
    covN`` or ``inclS, PRI, covS``; rows come in order of complexity.
    """
    if relation not in ("necessity", "sufficiency"):
        raise InputError("relation must be 'necessity' or 'sufficiency'", source="relation")
    qd = prepare(data, outcome, conditions, complement_outcome)
    k = len(qd.conditions)
    depth = k if depth is None else int(depth)
    if depth < 1:
        raise InputError("depth must be at least 1", source="depth")
    necessary = relation == "necessity"
    fit = necessity_fit if necessary else sufficiency
    incl_key, cov_key = ("inclN", "covN") if necessary else ("inclS", "covS")

    conj_rows, disj_rows = [], []
    passed_conj: set[frozenset] = set()
    passed_disj: set[frozenset] = set()
    for size in range(1, min(depth, k) + 1):
        for combo in itertools.combinations(range(k), size):
            for levels in itertools.product(*(_literals(qd, j, True) for j in combo)):
                lits = frozenset(zip(combo, levels))
                members = [literal_membership(qd, j, v) for j, v in zip(combo, levels)]
                names = [_literal_name(qd, j, v) for j, v in zip(combo, levels)]
                conj = fit(np.minimum.reduce(members), qd.y)
                if _passes(conj[incl_key], incl_cut):
                    redundant = not necessary and any(
                        frozenset(sub) in passed_conj
                        for r in range(1, size) for sub in itertools.combinations(sorted(lits), r))
                    passed_conj.add(lits)
                    if not redundant and _passes(conj[cov_key], cov_cut):
                        conj_rows.append(("*".join(names), conj))
                if not necessary or size == 1:
                    continue
                disj = fit(np.maximum.reduce(members), qd.y)
                if not _passes(disj[incl_key], incl_cut):
                    continue
                redundant = any(
                    frozenset(sub) in (passed_disj if r > 1 else passed_conj)
                    for r in range(1, size) for sub in itertools.combinations(sorted(lits), r))
                passed_disj.add(lits)
                if not redundant and _passes(disj[cov_key], cov_cut):
                    disj_rows.append(("+".join(names), disj))
    rows = conj_rows + disj_rows
    columns = ["inclN", "RoN", "covN"] if necessary else ["inclS", "PRI", "covS"]
    return pd.DataFrame.from_records([r[1] for r in rows], index=[r[0] for r in rows], columns=columns)
