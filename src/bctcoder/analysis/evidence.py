"""The one core every analysis stands on: which codings count, and for whom.

``load_evidence`` returns one row per counting coding (manual, accepted or
consensus; never suggested or rejected) with its document, case, role and code;
``grouping_values`` maps cases to the values of any attribute; ``presence_frame``
combines codings and imported presence records into technique × value presence.
All are pure functions of the store: the same project gives the same frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bctcoder.errors import InputError, NotFoundError
from bctcoder.store.models import (
    CONSENSUS_CODER,
    COUNTING_ORIGINS,
    Attribute,
    Case,
    CaseSet,
    CaseSetDocument,
    CaseSetMember,
    CaseValue,
    Code,
    CodeGroup,
    Coder,
    Coding,
    Document,
    Presence,
    Taxonomy,
)
from bctcoder.taxonomy.numbers import number_key


@dataclass(frozen=True)
class Scope:
    """Which evidence an analysis uses: coders (None = all), a named case set, origins that count."""

    coders: tuple[str, ...] | None = None
    case_set: str | None = None
    origins: tuple[str, ...] = COUNTING_ORIGINS
    documents: tuple[str, ...] | None = None
    taxonomy: str | None = None
    own_only: bool = False   # blind mode: the reader's own codings; none yet is an empty table, not an error


    @classmethod
    def of(cls, coders: Iterable[str] | str | None = None, case_set: str | None = None,
           taxonomy: str | None = None) -> "Scope":
        """Build a scope from CLI-style arguments (a comma-separated string is split)."""
        if isinstance(coders, str):
            coders = [c.strip() for c in coders.split(",") if c.strip()]
        return cls(coders=tuple(coders) if coders else None, case_set=case_set, taxonomy=taxonomy)


def techniques_frame(session: Session, taxonomy: str | None = None) -> pd.DataFrame:
    """Every technique of the project's taxonomies (or of one: a name like ``bcttv1`` or
    ``bcttv1+relational``), in taxonomy order.

    Columns: code_id, id (number), label, group_id, group_label, group_order, extension, taxonomy.
    """
    rows = session.execute(
        select(Code.id, Code.number, Code.label, CodeGroup.number, CodeGroup.label, CodeGroup.position,
               Taxonomy.id, Taxonomy.name, Taxonomy.is_extension)
        .join(CodeGroup, Code.group_id == CodeGroup.id).join(Taxonomy, Code.taxonomy_id == Taxonomy.id)
        .where(Code.kind == "technique")
    ).all()
    frame = pd.DataFrame(rows, columns=["code_id", "id", "label", "group_id", "group_label", "group_pos",
                                        "taxonomy_id", "taxonomy", "extension"])
    if taxonomy:
        from bctcoder.taxonomy.builtin import BUILTIN_TAXONOMIES

        names = set(BUILTIN_TAXONOMIES.get(taxonomy, (taxonomy,)))
        if not names & set(frame["taxonomy"]):
            raise NotFoundError(f"taxonomy {taxonomy!r} is not installed in this project")
        frame = frame[frame["taxonomy"].isin(names)]
    if frame.empty:
        return frame
    frame["sort"] = frame["id"].map(number_key)
    frame = frame.sort_values(["sort"], kind="stable").drop(columns=["sort", "group_pos", "taxonomy_id"])
    return frame.reset_index(drop=True)


def _set_id(session: Session, name: str) -> int:
    cs = session.scalar(select(CaseSet).where(CaseSet.name == name))
    if cs is None:
        raise NotFoundError(f"no case set {name!r} (make one with 'bctcoder select')")
    return cs.id


def case_set_ids(session: Session, name: str | None) -> set[int] | None:
    """Case ids of a named set, including the cases of its member documents (None when no set is asked for)."""
    if not name:
        return None
    set_id = _set_id(session, name)
    ids = set(session.scalars(select(CaseSetMember.case_id).where(CaseSetMember.set_id == set_id)))
    ids |= set(session.scalars(select(Document.case_id).join(CaseSetDocument, CaseSetDocument.document_id
                                                            == Document.id)
                               .where(CaseSetDocument.set_id == set_id, Document.case_id.is_not(None))))
    return ids


def set_document_ids(session: Session, name: str | None) -> set[int] | None:
    """Document ids in a named set: its member documents and every document of its member cases."""
    if not name:
        return None
    set_id = _set_id(session, name)
    ids = set(session.scalars(select(CaseSetDocument.document_id).where(CaseSetDocument.set_id == set_id)))
    ids |= set(session.scalars(select(Document.id).join(CaseSetMember, CaseSetMember.case_id == Document.case_id)
                               .where(CaseSetMember.set_id == set_id)))
    return ids


def fetch_tuples(session: Session, stmt) -> list[tuple]:
    """Rows of a Core select as plain DBAPI tuples (much faster than ORM rows for large results).

    Values come back as the driver gives them (booleans as 0/1 on SQLite).
    """
    result = session.connection().execute(stmt)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


EVIDENCE_COLUMNS = ["coding_id", "document_id", "document", "case_id", "case", "role", "code_id", "coder",
                    "origin", "start", "end", "exemplar"]


def load_evidence(session: Session, scope: Scope = Scope(), *, kinds: tuple[str, ...] = ("technique",)) -> pd.DataFrame:
    """One row per counting coding: coding_id, document_id, document, case_id, case, role, code_id,
    coder, origin, start, end, exemplar.

    Cached for the life of the session (analyses run in a read-only session), so
    a report that needs the evidence several times reads it once.
    """
    cache = session.info.setdefault("bctcoder_evidence", {})
    key = (scope.coders, scope.case_set, scope.origins, scope.documents, kinds)
    if key in cache:
        return cache[key].copy()
    coders = dict(fetch_tuples(session, select(Coder.id, Coder.name)))
    if scope.coders:
        missing = [c for c in scope.coders if c not in set(coders.values())]
        if missing and not scope.own_only:
            raise NotFoundError(f"no coder {missing[0]!r} in the project")
    code_ids = {i for i, k in fetch_tuples(session, select(Code.id, Code.kind)) if k in kinds}
    stmt = select(Coding.id, Coding.document_id, Coding.code_id, Coding.coder_id, Coding.origin, Coding.start,
                  Coding.end, Coding.exemplar).where(Coding.origin.in_(scope.origins))
    if scope.coders:
        stmt = stmt.where(Coding.coder_id.in_([i for i, n in coders.items() if n in scope.coders]))
    frame = pd.DataFrame(fetch_tuples(session, stmt), columns=["coding_id", "document_id", "code_id", "coder_id",
                                                               "origin", "start", "end", "exemplar"])
    frame = frame[frame["code_id"].isin(code_ids)]
    docs = pd.DataFrame(fetch_tuples(session, select(Document.id, Document.name, Document.case_id)),
                        columns=["document_id", "document", "case_id"])
    if scope.documents:
        docs = docs[docs["document"].isin(scope.documents)]
    doc_ids = set_document_ids(session, scope.case_set)
    if doc_ids is not None:
        docs = docs[docs["document_id"].isin(doc_ids)]
    frame = frame[frame["document_id"].isin(docs["document_id"])]
    if not scope.coders:
        frame = _decisions_replace_coders(session, frame, coders)
    cases = pd.DataFrame(fetch_tuples(session, select(Case.id, Case.key, Case.role)), columns=["case_id", "case",
                                                                                                "role"])
    frame = frame.merge(docs, on="document_id", how="left").merge(cases, on="case_id", how="left")
    frame["coder"] = frame["coder_id"].map(coders)
    frame["exemplar"] = frame["exemplar"].astype(bool)
    frame = frame[EVIDENCE_COLUMNS].sort_values("coding_id").reset_index(drop=True)
    cache[key] = frame
    return frame.copy()


def _decisions_replace_coders(session: Session, frame: pd.DataFrame, coders: dict[int, str]) -> pd.DataFrame:
    """The rule of evidence after reconciliation (the default layer, when no coders are chosen): where the
    team recorded a consensus decision for a technique in a document, only that decision counts — the
    consensus coder's passages, or nothing when it decided "none"; everywhere else every coder's codings
    count. So a technique the team decided against never shows as evidence by default."""
    consensus_id = next((i for i, name in coders.items() if name == CONSENSUS_CODER), None)
    if consensus_id is None:
        return frame
    decided = set(fetch_tuples(session, select(Coding.document_id, Coding.code_id)
                               .where(Coding.coder_id == consensus_id)))
    decided |= set(fetch_tuples(session, select(Document.id, Presence.code_id)
                                .join(Document, Document.name == Presence.target)
                                .where(Presence.coder_id == consensus_id, Presence.scope == "document")))
    if not decided:
        return frame
    pairs = pd.Series(list(zip(frame["document_id"], frame["code_id"])), index=frame.index, dtype=object)
    overridden = pairs.isin(decided) & (frame["coder_id"] != consensus_id)
    return frame[~overridden]


def case_frame(session: Session, scope: Scope = Scope()) -> pd.DataFrame:
    """Cases in scope: case_id, case, role."""
    frame = pd.DataFrame(fetch_tuples(session, select(Case.id, Case.key, Case.role).order_by(Case.id)),
                         columns=["case_id", "case", "role"])
    ids = case_set_ids(session, scope.case_set)
    if ids is not None:
        frame = frame[frame["case_id"].isin(ids)]
    return frame.reset_index(drop=True)


def grouping_values(session: Session, by: str, scope: Scope = Scope()) -> tuple[pd.Series, list[str]]:
    """Map case_id → value of attribute ``by`` (``role`` is the case's role), and the ordered values.

    Cases whose value is declined or missing are left out (they cannot be
    placed in a column); values are ordered as first seen among cases.
    """
    cases = case_frame(session, scope)
    if by == "role":
        series = cases.set_index("case_id")["role"]
    else:
        attr = session.scalar(select(Attribute).where(Attribute.name == by))
        if attr is None:
            names = ["role"] + list(session.scalars(select(Attribute.name).order_by(Attribute.position)))
            raise InputError(f"no attribute {by!r} (attributes: {', '.join(names)})", source="--by")
        rows = session.execute(select(CaseValue.case_id, CaseValue.value).where(
            CaseValue.attribute_id == attr.id, CaseValue.status == "value")).all()
        series = pd.Series(dict(rows), dtype=object)
        series = series[series.index.isin(cases["case_id"])]
    order = list(dict.fromkeys(series.loc[[i for i in cases["case_id"] if i in series.index]]))
    if by == "role":
        roles = [r for r in ("PW", "SP") if r in order]
        order = roles + [r for r in order if r not in roles]
    return series, order


def presence_records(session: Session, by: str, scope: Scope = Scope()) -> pd.DataFrame:
    """Imported presence records (present only) resolved to (code_id, value) pairs for attribute ``by``."""
    values, _ = grouping_values(session, by, scope)
    stmt = select(Presence.code_id, Presence.scope, Presence.attribute, Presence.target, Coder.name).outerjoin(
        Coder, Presence.coder_id == Coder.id).where(Presence.present.is_(True))
    rows = []
    case_keys = dict(session.execute(select(Case.key, Case.id)).all())
    doc_cases = dict(session.execute(select(Document.name, Document.case_id)).all())
    for code_id, p_scope, attribute, target, coder in session.execute(stmt):
        if scope.coders and coder not in scope.coders:
            continue
        if p_scope == "attribute":
            if attribute == by:
                rows.append((code_id, target))
            continue
        case_id = case_keys.get(target) if p_scope == "case" else doc_cases.get(target)
        if case_id is not None and case_id in values.index:
            rows.append((code_id, values[case_id]))
    return pd.DataFrame(rows, columns=["code_id", "value"]).drop_duplicates()


def presence_frame(session: Session, by: str = "role", scope: Scope = Scope()) -> tuple[pd.DataFrame, list[str]]:
    """Technique × value presence from counting codings and presence records.

    Returns (frame, values): the techniques frame plus one boolean column per
    value of ``by``, and ``quotes``/``cases`` counts per technique.
    """
    techniques = techniques_frame(session, scope.taxonomy)
    values, order = grouping_values(session, by, scope)
    evidence = load_evidence(session, scope)
    evidence = evidence[evidence["case_id"].isin(values.index)].copy()
    evidence["value"] = evidence["case_id"].map(values)
    records = presence_records(session, by, scope)
    for extra in records["value"].unique():
        if extra not in order:
            order.append(extra)
    pairs = pd.concat([evidence[["code_id", "value"]], records], ignore_index=True).drop_duplicates()
    frame = techniques.copy()
    for value in order:
        present = set(pairs.loc[pairs["value"] == value, "code_id"])
        frame[value] = frame["code_id"].isin(present)
    quotes = evidence.groupby("code_id").size()
    cases = evidence.groupby("code_id")["case_id"].nunique()
    frame["quotes"] = frame["code_id"].map(quotes).fillna(0).astype(int)
    frame["cases"] = frame["code_id"].map(cases).fillna(0).astype(int)
    return frame, order


def category(row: pd.Series, values: list[str]) -> str:
    """Table 2's category: "<value> only", "Both" (or "All" for 3+), "Neither", or "A + B"."""
    present = [v for v in values if bool(row[v])]
    if not present:
        return "Neither"
    if len(present) == len(values):
        return "Both" if len(values) == 2 else ("All" if len(values) > 2 else f"{present[0]} only")
    if len(present) == 1:
        return f"{present[0]} only"
    return " + ".join(present)


def document_lengths(session: Session, scope: Scope = Scope()) -> pd.DataFrame:
    """document_id, document, case_id, characters (computed in the database, texts not loaded)."""
    stmt = select(Document.id, Document.name, Document.case_id, func.length(Document.text))
    ids = set_document_ids(session, scope.case_set)
    if ids is not None:
        stmt = stmt.where(Document.id.in_(ids))
    return pd.DataFrame(session.execute(stmt).all(), columns=["document_id", "document", "case_id", "characters"])
