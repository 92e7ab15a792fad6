"""Minimisation of a truth table: complex, parsimonious and intermediate solutions.

* complex (conservative): only positive rows are minimised (``include=""``);
* parsimonious: remainders may be used (``include="?"``); the remainders a model
  covers are its simplifying assumptions;
* intermediate (Ragin & Sonnett 2004; Ragin 2008, ch. 9): given directional
  expectations, the easy counterfactuals are the remainders that lie inside a
  parsimonious prime implicant ``P`` which contains a complex-solution term
  ``T``, and that differ from ``T`` only on conditions where ``T`` holds a level
  against the expectation and the remainder a level in line with it. The
  positive rows plus these easy counterfactuals are minimised again.

Every solution lists all models with the minimum number of prime implicants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import pandas as pd

from bctcoder.errors import BctcoderError, InputError
from bctcoder.qca.data import DC, Term, covers, format_term, is_subset, sort_terms
from bctcoder.qca.fit import model_fit
from bctcoder.qca.implicants import minimal_covers, prime_implicants
from bctcoder.qca.truth_table import TruthTable


@dataclass(frozen=True)
class Model:
    """One minimal solution (R's M1, M2, ...).

    ``fit`` is indexed by term with columns ``inclS``, ``PRI``, ``covS``,
    ``covU``; ``inclS``/``PRI``/``covS`` are the whole solution's. ``remainders``
    are the remainder rows the model covers: simplifying assumptions for a
    parsimonious model, easy counterfactuals for an intermediate one. ``origin``
    names the complex and parsimonious models an intermediate model came from
    (``"C1P1"``).
    """

    name: str
    terms: tuple[str, ...]
    implicants: tuple[Term, ...]
    fit: pd.DataFrame
    inclS: float
    PRI: float
    covS: float
    remainders: tuple[int, ...] = ()
    origin: str = ""

    @property
    def expression(self) -> str:
        """The model written ``A*B + C``."""
        return " + ".join(self.terms)


@dataclass(frozen=True)
class Solution:
    """The result of :func:`minimize`: the kind of solution and all its models."""

    kind: str
    outcome: str
    prime_implicants: tuple[str, ...]
    models: tuple[Model, ...]

    @property
    def expressions(self) -> list[str]:
        """Each model as an ``A*B + C`` string."""
        return [m.expression for m in self.models]

    @property
    def terms(self) -> tuple[str, ...]:
        """The terms of the first model (the only one in the usual case)."""
        return self.models[0].terms

    @property
    def simplifying_assumptions(self) -> tuple[int, ...]:
        """Remainder rows used by any model (SA, or EC for an intermediate solution)."""
        return tuple(sorted({r for m in self.models for r in m.remainders}))


def _direction_levels(value, n_levels: int, name: str) -> frozenset[int] | None:
    if value is None or (isinstance(value, str) and value.strip() == "-"):
        return None
    items = [value] if isinstance(value, (int, str)) else list(value)
    levels = set()
    for item in items:
        try:
            level = int(item)
        except (TypeError, ValueError):
            raise InputError(f"direction {item!r} for {name!r} is not a level or '-'", source="dir_exp") from None
        if not 0 <= level < n_levels:
            raise InputError(f"direction {level} for {name!r} is not one of its levels", source="dir_exp")
        levels.add(level)
    return frozenset(levels)


def _parse_direction_string(text: str) -> dict[str, object]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "[") - (char == "]")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    mapping: dict[str, object] = {}
    for part in (p.strip() for p in parts if p.strip()):
        if part.startswith("~"):
            mapping[part[1:].strip()] = 0
        elif part.endswith("]") and "[" in part:
            name, _, inner = part[:-1].partition("[")
            mapping[name.strip()] = [v.strip() for v in inner.split(",") if v.strip()]
        else:
            mapping[part] = 1
    return mapping


def parse_directions(dir_exp, conditions: Sequence[str], levels: Sequence[int]) -> list[frozenset[int] | None]:
    """Directional expectations per condition: the expected levels, or None for ``"-"``.

    ``dir_exp`` is a mapping ``{condition: 1 | 0 | "-" | [levels]}`` (unnamed
    conditions get ``"-"``), a sequence aligned with the conditions, or an R-style
    string such as ``"DEV, URB, ~LIT, IND[1,2]"``.
    """
    if isinstance(dir_exp, str):
        dir_exp = _parse_direction_string(dir_exp)
    if isinstance(dir_exp, Mapping):
        unknown = set(dir_exp) - set(conditions)
        if unknown:
            raise InputError(f"directional expectations name unknown conditions: {sorted(unknown)}", source="dir_exp")
        values = [dir_exp.get(c, "-") for c in conditions]
    else:
        values = list(dir_exp)
        if len(values) != len(conditions):
            raise InputError(
                f"{len(values)} directional expectations for {len(conditions)} conditions", source="dir_exp")
    return [_direction_levels(v, n, c) for v, n, c in zip(values, levels, conditions)]


def _models(tt: TruthTable, allowed: set[int]) -> tuple[list[Term], list[tuple[Term, ...]]]:
    rows = {n: tt.row(n) for n in allowed}
    positives = [tt.row(n) for n in tt.positive]
    primes = [p for p in prime_implicants(rows.values(), tt.data.levels)
              if any(covers(p, r) for r in positives)]
    primes = sort_terms(primes)
    return primes, minimal_covers(positives, primes)


def _build(tt: TruthTable, kind: str, primes, covers_list, remainders: set[int], origins=None) -> Solution:
    qd = tt.data

    def names(terms) -> tuple[str, ...]:
        return tuple(format_term(t, qd.conditions, qd.multivalue) for t in terms)

    models = []
    for k, cover in enumerate(covers_list):
        terms = tuple(sort_terms(cover))
        fit, total = model_fit(qd, terms)
        used = tuple(sorted(r for r in remainders if any(covers(t, tt.row(r)) for t in terms)))
        models.append(Model(
            name=f"M{k + 1}", terms=names(terms), implicants=terms, fit=fit,
            inclS=total["inclS"], PRI=total["PRI"], covS=total["covS"], remainders=used,
            origin=origins[k] if origins else ""))
    return Solution(kind=kind, outcome=qd.outcome_label, prime_implicants=names(primes), models=tuple(models))


def _allowed(tt: TruthTable, include: str) -> set[int]:
    allowed = set(tt.positive)
    if "?" in include:
        allowed |= set(tt.remainders)
    if "C" in include:
        allowed |= set(tt.contradictions)
    return allowed


def easy_counterfactuals(tt: TruthTable, complex_terms: Sequence[Term], pars_terms: Sequence[Term],
                         directions: Sequence[frozenset[int] | None]) -> set[int]:
    """Remainder rows that are easy counterfactuals for a complex and a parsimonious model."""
    result = set()
    for r in tt.remainders:
        row = tt.row(r)
        for t in complex_terms:
            if any(is_subset(t, p) and covers(p, row) for p in pars_terms) and all(
                    tj == DC or rj == tj or (d is not None and tj not in d and rj in d)
                    for tj, rj, d in zip(t, row, directions)):
                result.add(r)
                break
    return result


def minimize(tt: TruthTable, include: str = "", dir_exp=None) -> Solution:
    """Minimise a truth table.

    ``include=""`` gives the complex solution, ``include="?"`` the parsimonious
    one (``"C"`` in ``include`` also lets contradictions be used). With
    ``dir_exp`` (see :func:`parse_directions`) the intermediate solution is
    returned, whatever ``include`` says about remainders; each of its models
    comes from one pair of complex and parsimonious models (``origin``).
    """
    if not isinstance(tt, TruthTable):
        raise InputError("minimize() needs a TruthTable (see truth_table())", source="tt")
    if not isinstance(include, str) or set(include.replace(",", "").replace(" ", "")) - {"?", "C"}:
        raise InputError("include may contain only '?' (remainders) and 'C' (contradictions)", source="include")
    if not tt.positive:
        raise BctcoderError(f"the truth table of {tt.data.outcome_label} has no positive rows to minimise")
    if dir_exp is None:
        kind = "parsimonious" if "?" in include else "complex"
        primes, covers = _models(tt, _allowed(tt, include))
        remainders = set(tt.remainders) if "?" in include else set()
        return _build(tt, kind, primes, covers, remainders)

    directions = parse_directions(dir_exp, tt.data.conditions, tt.data.levels)
    base = include.replace("?", "")
    _, complex_models = _models(tt, _allowed(tt, base))
    _, pars_models = _models(tt, _allowed(tt, base + "?"))
    all_primes: dict[Term, None] = {}
    found: dict[frozenset[Term], list[str]] = {}
    solved: dict[frozenset[int], tuple] = {}
    for ci, cm in enumerate(complex_models, 1):
        for pi, pm in enumerate(pars_models, 1):
            ec = frozenset(easy_counterfactuals(tt, cm, pm, directions))
            if ec not in solved:
                solved[ec] = _models(tt, _allowed(tt, base) | ec)
            primes, covers_list = solved[ec]
            all_primes.update(dict.fromkeys(primes))
            for cover in covers_list:
                found.setdefault(frozenset(cover), []).append(f"C{ci}P{pi}")
    covers_list = list(found)
    origins = [",".join(found[c]) for c in covers_list]
    return _build(tt, "intermediate", sort_terms(all_primes), [tuple(c) for c in covers_list],
                  set(tt.remainders), origins)
