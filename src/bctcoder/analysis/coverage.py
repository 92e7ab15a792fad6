"""Coverage as NVivo defines it: references and the share of a document's characters a code covers.

Overlapping codings of the same code (e.g. by two coders) are counted once:
spans are merged before their lengths are summed.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, document_lengths, load_evidence, techniques_frame
from bctcoder.errors import InputError
from bctcoder.store.models import Case, Code

KINDS = ("technique", "inductive")


def merged_length(spans: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Total length of the union of [start, end) spans within each group of ``keys`` (vectorised)."""
    if spans.empty:
        return pd.DataFrame(columns=keys + ["covered"])
    s = spans.sort_values(keys + ["start", "end"]).reset_index(drop=True)
    s["_reach"] = s.groupby(keys, sort=False)["end"].cummax()
    prev_end = s.groupby(keys, sort=False)["_reach"].shift(1)
    new_run = prev_end.isna() | (s["start"] > prev_end)
    s["run"] = new_run.cumsum()
    runs = s.groupby(keys + ["run"], sort=False).agg(start=("start", "min"), end=("end", "max")).reset_index()
    runs["covered"] = runs["end"] - runs["start"]
    return runs.groupby(keys, sort=False)["covered"].sum().reset_index()


def _code_labels(session: Session) -> pd.DataFrame:
    rows = session.execute(select(Code.id, Code.number, Code.label, Code.kind)).all()
    frame = pd.DataFrame(rows, columns=["code_id", "number", "label", "kind"])
    frame["code"] = frame["number"].fillna(frame["label"])
    return frame[["code_id", "code", "label", "kind"]]


def coverage(session: Session, scope: Scope = Scope(), level: str = "document") -> pd.DataFrame:
    """Coverage per ``level`` (document, case or role) and code.

    Columns: the level's key(s), code, label, references, characters coded,
    characters in total, coverage (percent).
    """
    evidence = load_evidence(session, scope, kinds=KINDS)
    docs = document_lengths(session, scope)
    case_info = pd.DataFrame(session.execute(select(Case.id, Case.key, Case.role)).all(),
                             columns=["case_id", "case", "role"])
    docs = docs.merge(case_info, on="case_id", how="left")
    if level == "document":
        keys, denom = ["document_id"], docs.groupby("document_id")["characters"].sum()
    elif level == "case":
        keys, denom = ["case_id"], docs.dropna(subset=["case_id"]).groupby("case_id")["characters"].sum()
    elif level == "role":
        keys, denom = ["role"], docs.dropna(subset=["role"]).groupby("role")["characters"].sum()
    else:
        raise InputError(f"level must be document, case or role, not {level!r}", source="--level")
    if evidence.empty:
        return pd.DataFrame(columns=_columns(level))
    spans = evidence.copy()
    if level != "document":
        # lay a case's (or role's) documents end to end so spans of different documents never merge
        base = _document_bases(docs, keys[0])
        spans["start"] = spans["start"] + spans["document_id"].map(base)
        spans["end"] = spans["end"] + spans["document_id"].map(base)
    refs = spans.groupby(keys + ["code_id"]).size().rename("references").reset_index()
    covered = merged_length(spans[keys + ["code_id", "start", "end"]], keys + ["code_id"])
    out = refs.merge(covered, on=keys + ["code_id"]).merge(_code_labels(session), on="code_id")
    out["characters"] = out[keys[0]].map(denom)
    out["coverage"] = (100 * out["covered"] / out["characters"]).round(2)
    if level == "document":
        out = out.merge(docs[["document_id", "document", "case", "role"]], on="document_id")
    elif level == "case":
        out = out.merge(case_info, on="case_id")
    out = _order(session, out)
    return out[_columns(level)].reset_index(drop=True)


def _document_bases(docs: pd.DataFrame, key: str) -> pd.Series:
    """Offset of each document when the documents of one case/role are laid end to end."""
    d = docs.dropna(subset=[key]).sort_values([key, "document_id"])
    d["base"] = d.groupby(key)["characters"].cumsum() - d["characters"]
    return d.set_index("document_id")["base"]


def _order(session: Session, out: pd.DataFrame) -> pd.DataFrame:
    order = {cid: i for i, cid in enumerate(techniques_frame(session)["code_id"])}
    out = out.copy()
    out["_o"] = out["code_id"].map(lambda c: order.get(c, 10**6 + c))
    first = [c for c in ("document", "case", "role") if c in out.columns][0]
    return out.sort_values([first, "_o"]).drop(columns=["_o"])


def _columns(level: str) -> list[str]:
    head = {"document": ["document", "case", "role"], "case": ["case", "role"], "role": ["role"]}[level]
    return head + ["code", "label", "kind", "references", "covered", "characters", "coverage"]


def document_coverage(session: Session, scope: Scope = Scope()) -> pd.DataFrame:
    """Per document: characters, characters coded by any code (union), coverage %, references."""
    evidence = load_evidence(session, scope, kinds=KINDS)
    docs = document_lengths(session, scope)
    covered = merged_length(evidence[["document_id", "start", "end"]], ["document_id"])
    refs = evidence.groupby("document_id").size().rename("references").reset_index()
    out = docs.merge(covered, on="document_id", how="left").merge(refs, on="document_id", how="left")
    out[["covered", "references"]] = out[["covered", "references"]].fillna(0).astype(int)
    out["coverage"] = (100 * out["covered"] / out["characters"].where(out["characters"] > 0)).round(2).fillna(0)
    return out[["document", "characters", "covered", "references", "coverage"]].sort_values("document")
