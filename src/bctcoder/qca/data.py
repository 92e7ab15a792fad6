"""Input handling for QCA: validating a cases-by-sets DataFrame, set memberships, notation.

A *term* (an implicant, a conjunction of literals) is a tuple with one entry per
condition: the required level (0, 1, 2, ... ; for crisp and fuzzy sets 1 means
the condition, 0 its negation) or :data:`DC` ("don't care", the condition does
not appear in the term). Truth table rows are terms without any ``DC``.

Everything here is pure: functions take and return plain values and arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from bctcoder.errors import InputError

DC = -1
"""Marker for a condition that does not appear in a term."""

Term = tuple[int, ...]

RESERVED = frozenset({"OUT", "n", "incl", "PRI", "cases"})


@dataclass(frozen=True)
class QcaData:
    """Validated QCA data: condition memberships and outcome membership per case.

    ``levels[j]`` is the number of levels of condition ``j`` (2 for crisp and
    fuzzy sets); ``fuzzy[j]`` says whether its values are fuzzy memberships.
    ``y`` is the membership in the analysed outcome, already complemented when
    ``negated`` (the analysis of ``~outcome``).
    """

    conditions: tuple[str, ...]
    outcome: str
    negated: bool
    levels: tuple[int, ...]
    fuzzy: tuple[bool, ...]
    values: np.ndarray
    y: np.ndarray
    cases: tuple[str, ...]

    @property
    def multivalue(self) -> bool:
        """True when some condition has more than two levels (mvQCA notation)."""
        return any(n > 2 for n in self.levels)

    @property
    def outcome_label(self) -> str:
        """The analysed outcome as written in results: ``SURV`` or ``~SURV``."""
        return f"~{self.outcome}" if self.negated else self.outcome


def _numeric_column(data: pd.DataFrame, name: str) -> np.ndarray:
    try:
        col = pd.to_numeric(data[name], errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError) as exc:
        raise InputError(f"column {name!r} must be numeric ({exc})", source=name) from None
    if np.isnan(col).any():
        raise InputError(f"column {name!r} has missing values", source=name)
    return col


def prepare(
    data: pd.DataFrame,
    outcome: str,
    conditions: Sequence[str] | None = None,
    complement_outcome: bool = False,
) -> QcaData:
    """Validate ``data`` (rows = cases) and return a :class:`QcaData`.

    ``outcome`` may be written ``~NAME`` for the negated outcome (the same as
    ``complement_outcome=True``). ``conditions`` defaults to every other column.
    Condition columns hold either non-negative integers (crisp or multi-value
    sets; the number of levels is the largest value + 1, at least 2) or fuzzy
    memberships in [0, 1]. The outcome must lie in [0, 1].
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("QCA data must be a pandas DataFrame (rows = cases)", source="data")
    if not isinstance(outcome, str) or not outcome.strip():
        raise InputError("the outcome must be a column name", source="outcome")
    name = outcome.strip()
    negated = bool(complement_outcome)
    if name.startswith("~"):
        name, negated = name[1:].strip(), not negated
    if name not in data.columns:
        raise InputError(f"outcome column {name!r} not found", source="outcome")
    if conditions is None:
        conditions = [c for c in data.columns if c != name]
    elif isinstance(conditions, str):
        conditions = [c.strip() for c in conditions.split(",") if c.strip()]
    conditions = list(conditions)
    if not conditions:
        raise InputError("at least one condition is needed", source="conditions")
    if len(set(conditions)) != len(conditions):
        raise InputError("conditions are listed more than once", source="conditions")
    for c in conditions:
        if c not in data.columns:
            raise InputError(f"condition column {c!r} not found", source="conditions")
        if c == name:
            raise InputError(f"{c!r} cannot be both a condition and the outcome", source="conditions")
        if str(c) in RESERVED:
            raise InputError(f"condition name {c!r} is reserved for truth table columns", source="conditions")
    if len(data) == 0:
        raise InputError("the data have no cases", source="data")

    columns, levels, fuzzy = [], [], []
    for c in conditions:
        col = _numeric_column(data, c)
        if (col < 0).any():
            raise InputError(f"condition {c!r} has negative values", source=c)
        if np.all(col == np.round(col)):
            levels.append(max(2, int(col.max()) + 1))
            fuzzy.append(False)
        elif (col <= 1).all():
            levels.append(2)
            fuzzy.append(True)
        else:
            raise InputError(
                f"condition {c!r} mixes non-integer values with values above 1 "
                "(use fuzzy memberships in [0, 1] or integer levels)", source=c)
        columns.append(col)
    y = _numeric_column(data, name)
    if ((y < 0) | (y > 1)).any():
        raise InputError(f"outcome {name!r} must hold memberships in [0, 1]", source=name)
    if negated:
        y = 1.0 - y
    return QcaData(
        conditions=tuple(str(c) for c in conditions),
        outcome=str(name),
        negated=negated,
        levels=tuple(levels),
        fuzzy=tuple(fuzzy),
        values=np.column_stack(columns),
        y=y,
        cases=tuple(str(i) for i in data.index),
    )


def literal_membership(qd: QcaData, j: int, level: int) -> np.ndarray:
    """Membership of every case in ``condition j == level`` (``1 - x`` for a negated fuzzy set)."""
    x = qd.values[:, j]
    if qd.fuzzy[j]:
        return x if level == 1 else 1.0 - x
    return (x == level).astype(float)


def term_membership(qd: QcaData, term: Term) -> np.ndarray:
    """Membership of every case in a conjunction (minimum over its literals; 1 for the empty term)."""
    m = np.ones(len(qd.cases))
    for j, level in enumerate(term):
        if level != DC:
            m = np.minimum(m, literal_membership(qd, j, level))
    return m


def row_number(row: Term, levels: Sequence[int]) -> int:
    """R QCA's truth table row number: the mixed-radix value of the row plus 1."""
    number = 0
    for value, base in zip(row, levels):
        number = number * base + value
    return number + 1


def row_values(number: int, levels: Sequence[int]) -> Term:
    """The condition values of truth table row ``number`` (inverse of :func:`row_number`)."""
    rest, out = number - 1, []
    for base in reversed(levels):
        rest, value = divmod(rest, base)
        out.append(value)
    return tuple(reversed(out))


def covers(term: Term, row: Term) -> bool:
    """True when the truth table row lies inside the term."""
    return all(t == DC or t == r for t, r in zip(term, row))


def is_subset(inner: Term, outer: Term) -> bool:
    """True when every row of ``inner`` lies inside ``outer``."""
    return all(o == DC or o == i for i, o in zip(inner, outer))


def literal_count(term: Term) -> int:
    """Number of conditions that appear in the term."""
    return sum(1 for t in term if t != DC)


def format_term(term: Term, names: Sequence[str], multivalue: bool = False) -> str:
    """Write a term as ``DEV*~URB`` (crisp/fuzzy) or ``DEV[2]*URB[0]`` (multi-value); ``1`` if empty."""
    parts = []
    for level, name in zip(term, names):
        if level == DC:
            continue
        if multivalue:
            parts.append(f"{name}[{level}]")
        else:
            parts.append(name if level == 1 else f"~{name}")
    return "*".join(parts) if parts else "1"


def sort_terms(terms: Iterable[Term]) -> list[Term]:
    """Order terms as R QCA prints them: fewer literals first, then by condition values, descending."""
    return sorted(terms, key=lambda t: (literal_count(t), tuple(-(v + 1) for v in t)))
