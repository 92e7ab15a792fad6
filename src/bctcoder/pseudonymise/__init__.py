"""Pseudonymising transcripts (#16): find identifiers, propose consistent bracketed replacements, apply them
with every offset re-mapped, keep the key apart.

The library layer is plain data in, plain data out (no database):

* :func:`detect_identifiers` (Presidio's analyzer with our recognisers, spaCy's named entities when an
  English pipeline is installed, and the study's :class:`StudyLists`) → :class:`Finding` records;
* :func:`propose_replacements` → :class:`Proposal` records (replacement and entity key);
* :func:`apply_replacements` → the new text and its :class:`OffsetMap`; :func:`pseudonymise_document` and
  :func:`key_rows` → the key's :class:`KeyRow` records;
* :func:`write_review_csv` / :func:`read_review_csv` → a spreadsheet review and its :class:`Decision` records.

Presidio and spaCy come with the ``[pseudonymise]`` extra and are imported only when detection runs; the
pattern recognisers (:func:`find_patterns`), replacements, offsets, key and review need neither.
"""

from __future__ import annotations

from bctcoder.pseudonymise.categories import CATEGORIES
from bctcoder.pseudonymise.detection import detect_identifiers
from bctcoder.pseudonymise.findings import Finding, Proposal, resolve_overlaps
from bctcoder.pseudonymise.key_file import KeyRow, key_rows, pseudonymise_document, write_key_csv
from bctcoder.pseudonymise.offsets import OffsetMap, apply_replacements
from bctcoder.pseudonymise.pattern_catalogue import find_patterns
from bctcoder.pseudonymise.replacements import DATE_POLICIES, propose_replacements
from bctcoder.pseudonymise.review_csv import Decision, number_proposals, read_review_csv, write_review_csv
from bctcoder.pseudonymise.study_lists import NameEntry, StudyLists, merge_lists, read_study_lists

__all__ = ["CATEGORIES", "DATE_POLICIES", "Decision", "Finding", "KeyRow", "NameEntry", "OffsetMap", "Proposal",
           "StudyLists", "apply_replacements", "detect_identifiers", "find_patterns", "key_rows", "merge_lists",
           "number_proposals", "propose_replacements", "pseudonymise_document", "read_review_csv",
           "read_study_lists", "resolve_overlaps", "write_key_csv", "write_review_csv"]
