"""Taxonomy fit (the study's critique): what the taxonomy never captured, and what it missed."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, load_evidence, presence_frame
from bctcoder.analysis.quotes import quotes
from bctcoder.analysis.tables import groups, passage_counts
from bctcoder.store.models import Code


def inductive_codes(session: Session, scope: Scope = Scope()) -> pd.DataFrame:
    """Inductive codes (outside the taxonomy) with their number of quotes (distinct passages, the rule of
    :func:`~bctcoder.analysis.tables.passage_counts`), cases and roles."""
    evidence = load_evidence(session, scope, kinds=("inductive",))
    codes = pd.DataFrame(session.execute(select(Code.id, Code.label, Code.description, Code.parent_id)
                                         .where(Code.kind == "inductive").order_by(Code.id)).all(),
                         columns=["code_id", "label", "description", "parent_id"])
    if codes.empty:
        return pd.DataFrame(columns=["code", "description", "quotes", "cases", "roles", "role_list"])
    stats = evidence.groupby("code_id").agg(cases=("case_id", "nunique"), roles=("role", "nunique"),
                                            role_list=("role", lambda r: sorted(set(r.dropna()))))
    stats["quotes"] = passage_counts(evidence)
    out = codes.merge(stats, left_on="code_id", right_index=True, how="left")
    out[["quotes", "cases", "roles"]] = out[["quotes", "cases", "roles"]].fillna(0).astype(int)
    out["role_list"] = out["role_list"].map(lambda v: v if isinstance(v, list) else [])
    out = out.rename(columns={"label": "code"}).sort_values(["cases", "quotes"], ascending=False)
    return out[["code", "description", "quotes", "cases", "roles", "role_list"]].reset_index(drop=True)


def fit(session: Session, by: str = "role", scope: Scope = Scope(), quotes_per_code: int = 3) -> dict[str, Any]:
    """How well the taxonomy fits the data.

    Returns never_evidenced (techniques with no evidence), groups (ranked by
    share supported), inductive (codes outside the taxonomy with quotes, cases,
    roles) and proposed_extension (the inductive codes with evidence, as
    candidate techniques with example quotes, ready for ``codes promote``).
    """
    frame, values = presence_frame(session, by, scope)
    supported = frame[values].any(axis=1) if values else pd.Series(False, index=frame.index)
    never = frame.loc[~supported, ["id", "label", "group_id", "group_label"]].reset_index(drop=True)
    ranked = groups(session, by, scope)
    inductive = inductive_codes(session, scope)
    candidates = []
    used = inductive[inductive["quotes"] > 0]
    if len(used):
        q = quotes(session, scope, codes=list(used["code"]), limit=quotes_per_code)
        for _, row in used.iterrows():
            mine = q[q["code"] == row["code"]]
            candidates.append({
                "code": row["code"], "description": row["description"], "quotes": int(row["quotes"]),
                "cases": int(row["cases"]), "roles": row["role_list"],
                "examples": [{"quote": r["quote"], "case": r["case"], "role": r["role"]} for _, r in mine.iterrows()],
            })
    return {"never_evidenced": never, "groups": ranked, "inductive": inductive, "proposed_extension": candidates,
            "values": values}
