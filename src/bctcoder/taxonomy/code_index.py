"""In-memory indexes of a project's codes and groups, for imports that resolve thousands of code names.

:func:`bctcoder.taxonomy.service.find_code` answers one reference with a query and a scan of every label, so
an import resolving N names against M codes that way costs N × M. :func:`code_index` builds a
:class:`CodeIndex` once per session (one query for the codes, one for the groups) and attaches it to that
session; from then on ``find_code``, ``add_inductive_code`` and the codebook matchers answer from dicts, with
exactly the answers the scans give. Codes made by ``add_inductive_code`` are added to the index;
``install_part`` and ``promote`` (which change codes in bulk) drop it; a code whose creation a savepoint
rolled back is forgotten when it is next met. Sessions live for one transaction, and so does the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

import numpy as np
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from bctcoder.store.models import Code, CodeGroup
from bctcoder.taxonomy.numbers import NUMBER_RE, is_technique_number
from bctcoder.taxonomy.service import CODE_INDEX_KEY, normalise_label

__all__ = ["FUZZY_CUTOFF", "FUZZY_MARGIN", "CodeIndex", "code_index"]

FUZZY_CUTOFF = 0.92   # above the closest pair of BCTTv1 labels (0.919: restructuring physical/social)
FUZZY_MARGIN = 0.04   # the best label must beat the runner-up by this much


def code_index(session: Session) -> CodeIndex:
    """The session's code index, built (and attached to the session) on first use."""
    index = session.info.get(CODE_INDEX_KEY)
    if index is None:
        index = session.info[CODE_INDEX_KEY] = CodeIndex(session)
    return index


def _live(obj: object) -> bool:
    """Whether a loaded or created row still exists in the session (not rolled back, expunged or deleted)."""
    state = inspect(obj)
    return not (state.transient or state.detached or state.deleted)


def _number_order(code: Code) -> tuple:
    """``ORDER BY taxonomy_id`` as SQLite does it (no taxonomy first), then by id."""
    return (code.taxonomy_id is not None, code.taxonomy_id or 0, code.id or 0)


class CodeIndex:
    """Codes by number and by normalised label, groups by number and label, technique labels for fuzzy
    matching: every lookup an import needs, answered without a query."""

    def __init__(self, session: Session):
        self._by_number: dict[str, list[Code]] = {}
        self._by_label: dict[str, list[Code]] = {}
        self._matchers: _TechniqueMatchers | None = None
        for code in session.scalars(select(Code).order_by(Code.id)):
            self.add(code)
        self._groups_by_number: dict[str, list[CodeGroup]] = {}
        self._groups_by_label: dict[str, CodeGroup] = {}
        for group in session.scalars(select(CodeGroup).order_by(CodeGroup.id)):
            self._groups_by_number.setdefault(group.number, []).append(group)
            self._groups_by_label.setdefault(normalise_label(group.label), group)

    def add(self, code: Code) -> None:
        """Index a code (created after the index was built; it must have been flushed, so it has an id)."""
        if code.number:
            same = self._by_number.setdefault(code.number, [])
            same.append(code)
            same.sort(key=_number_order)
        self._by_label.setdefault(normalise_label(code.label), []).append(code)
        if code.kind == "technique":
            self._matchers = None

    @staticmethod
    def _first(codes: list[Code], kinds: tuple[str, ...]) -> Code | None:
        """The first live code of one of ``kinds`` (dropping rows a rollback removed)."""
        if not all(_live(code) for code in codes):
            codes[:] = [code for code in codes if _live(code)]
        return next((code for code in codes if code.kind in kinds), None)

    def find(self, ref: str, kinds: Iterable[str] = ("technique", "inductive")) -> Code | None:
        """What :func:`bctcoder.taxonomy.service.find_code` would answer, from the index."""
        ref = (ref or "").strip()
        if not ref:
            return None
        kinds = tuple(kinds)
        head = ref.split(None, 1)[0]
        if is_technique_number(head):
            match = NUMBER_RE.match(head)
            assert match is not None  # is_technique_number(head) checked the same pattern
            number = ".".join(str(int(p)) for p in match.groups())
            found = self._first(self._by_number.get(number, []), kinds)
            if found is not None or is_technique_number(ref):
                return found
        exact = self._first(self._by_number.get(ref, []), kinds)
        if exact is not None:
            return exact
        return self._first(self._by_label.get(normalise_label(ref), []), kinds)

    def _technique_matchers(self) -> _TechniqueMatchers:
        if self._matchers is None:  # techniques change only with install_part and promote, which drop the index
            codes = sorted({id(c): c for same in self._by_label.values() for c in same
                            if c.kind == "technique" and _live(c)}.values(), key=lambda c: c.id)
            self._matchers = _TechniqueMatchers(codes)
        return self._matchers

    def fuzzy_technique(self, label: str) -> Code | None:
        """The technique whose normalised label is a close (ratio ≥ :data:`FUZZY_CUTOFF`), unambiguous (the
        runner-up at least :data:`FUZZY_MARGIN` behind) spelling match of ``label``; else None.

        Labels whose upper bounds already fall below ``FUZZY_CUTOFF - FUZZY_MARGIN`` can neither win nor
        make the winner ambiguous, so only the few close ones get the full (slow) comparison.
        """
        key = normalise_label(label)
        if len(key) < 8:
            return None
        matchers = self._technique_matchers()
        floor = FUZZY_CUTOFF - FUZZY_MARGIN - 1e-9
        scored = []
        for i in matchers.candidates(key, floor):
            code, matcher = matchers.codes[i], matchers.matchers[i]
            matcher.set_seq1(key)
            if matcher.quick_ratio() < floor:
                continue
            scored.append((matcher.ratio(), code.id, code))
        scored.sort(key=lambda item: (-item[0], item[1]))
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if not scored or scored[0][0] < FUZZY_CUTOFF or scored[0][0] - runner_up < FUZZY_MARGIN:
            return None
        return scored[0][2]

    def groups_numbered(self, number: str) -> list[CodeGroup]:
        """The taxonomy groups with this number, by id."""
        return list(self._groups_by_number.get(number, []))

    def group_labelled(self, label: str) -> CodeGroup | None:
        """The first group (by id) whose normalised label equals ``label``'s."""
        return self._groups_by_label.get(normalise_label(label))


_BUCKETS = 192   # characters counted for the upper bound: ASCII one each, the rest folded into 64 buckets


def _char_counts(text: str) -> np.ndarray:
    """How often each character (bucket) occurs in ``text``."""
    return np.bincount([o if o < 128 else 128 + o % 64 for o in map(ord, text)], minlength=_BUCKETS)


class _TechniqueMatchers:
    """Technique labels prepared for fuzzy matching: a SequenceMatcher per label (the label as its second
    sequence, as in ``SequenceMatcher(None, name, label)``, analysed once) and character counts for a
    vectorised upper bound of every ratio at once."""

    def __init__(self, codes: list[Code]):
        labels = [normalise_label(code.label) for code in codes]
        self.codes = codes
        self.matchers = [SequenceMatcher(None, "", label) for label in labels]
        self.lengths = np.array([len(label) for label in labels], dtype=float)
        self.counts = (np.stack([_char_counts(label) for label in labels]) if labels
                       else np.zeros((0, _BUCKETS), dtype=np.int64))

    def candidates(self, key: str, floor: float) -> list[int]:
        """Indexes of the labels whose ratio with ``key`` may reach ``floor``: 2·M/(|a|+|b|), M the characters
        the two share counted per bucket, bounds SequenceMatcher's ratio (and its quick_ratio) from above."""
        if not self.codes:
            return []
        shared = np.minimum(self.counts, _char_counts(key)).sum(axis=1)
        bound = 2.0 * shared / (len(key) + self.lengths)
        return [int(i) for i in np.flatnonzero(bound >= floor)]
