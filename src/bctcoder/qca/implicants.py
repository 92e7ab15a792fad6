"""Exact Boolean (and multi-value) minimisation: Quine–McCluskey and the prime implicant chart.

Prime implicants are found by the Quine–McCluskey procedure generalised to
multi-value conditions (Dușa 2019, ch. 8): at each step, implicants that agree
everywhere except on one condition, and together take every level of it, merge
into one implicant without that condition. An implicant that merges into none
is prime. The chart is then solved exhaustively for every cover with the
minimum number of prime implicants (Petrick-style branch and bound).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

from bctcoder.errors import BctcoderError
from bctcoder.qca.data import DC, Term, covers

MAX_CHART_NODES = 2_000_000
"""Search nodes allowed when solving one prime implicant chart."""


def prime_implicants(minterms: Iterable[Term], levels: Sequence[int]) -> list[Term]:
    """All prime implicants of the set of rows ``minterms`` (rows with every condition set).

    ``levels[j]`` is the number of levels of condition ``j``. The result is
    sorted; it includes primes covering only "don't care" rows, which callers
    filter as they need.
    """
    current = {tuple(int(v) for v in row) for row in minterms}
    for row in current:
        if len(row) != len(levels) or any(v == DC or not 0 <= v < n for v, n in zip(row, levels)):
            raise ValueError(f"row {row} does not match levels {tuple(levels)}")
    primes: set[Term] = set()
    while current:
        merged: set[Term] = set()
        used: set[Term] = set()
        for j, n_levels in enumerate(levels):
            groups: dict[Term, set[int]] = defaultdict(set)
            for term in current:
                if term[j] != DC:
                    groups[term[:j] + (DC,) + term[j + 1:]].add(term[j])
            for key, values in groups.items():
                if len(values) == n_levels:
                    merged.add(key)
                    used.update(key[:j] + (v,) + key[j + 1:] for v in values)
        primes |= current - used
        current = merged
    return sorted(primes)


def minimal_covers(targets: Sequence[Term], implicants: Sequence[Term]) -> list[tuple[Term, ...]]:
    """Every set of implicants of minimum size that covers all ``targets``.

    Each cover is returned as a tuple of implicants in the order of
    ``implicants``; covers are listed in lexicographic order of their indices.
    Raises :class:`BctcoderError` when some target is covered by no implicant
    or the chart is too large to solve exhaustively.
    """
    targets = list(dict.fromkeys(targets))
    if not targets:
        return [()]
    covered_by: list[list[int]] = [[] for _ in targets]
    reach: list[frozenset[int]] = []
    for p, term in enumerate(implicants):
        hits = frozenset(t for t, row in enumerate(targets) if covers(term, row))
        reach.append(hits)
        for t in hits:
            covered_by[t].append(p)
    for t, options in enumerate(covered_by):
        if not options:
            raise BctcoderError(f"row {targets[t]} is covered by no prime implicant")
    widest = max(len(r) for r in reach)

    best = [len(targets) + 1]
    found: set[frozenset[int]] = set()
    seen: set[frozenset[int]] = set()
    nodes = [0]

    def search(uncovered: frozenset[int], chosen: frozenset[int]) -> None:
        nodes[0] += 1
        if nodes[0] > MAX_CHART_NODES:
            raise BctcoderError("the prime implicant chart is too large to solve exhaustively")
        if not uncovered:
            if len(chosen) < best[0]:
                best[0] = len(chosen)
                found.clear()
            found.add(chosen)
            return
        bound = -(-len(uncovered) // widest)
        if len(chosen) + bound > best[0] or chosen in seen:
            return
        seen.add(chosen)
        pivot = min(uncovered, key=lambda t: len(covered_by[t]))
        for p in covered_by[pivot]:
            search(uncovered - reach[p], chosen | {p})

    search(frozenset(range(len(targets))), frozenset())
    covers_ = sorted(tuple(sorted(c)) for c in found)
    return [tuple(implicants[p] for p in c) for c in covers_]


def rows_of(term: Term, levels: Sequence[int]) -> list[Term]:
    """Every truth table row inside ``term``."""
    rows: list[tuple[int, ...]] = [()]
    for value, n in zip(term, levels):
        options = range(n) if value == DC else (value,)
        rows = [r + (v,) for r in rows for v in options]
    return rows
