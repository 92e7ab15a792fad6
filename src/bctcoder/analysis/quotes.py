"""Exemplar quotes per technique, like the study's supplementary material A."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, load_evidence, techniques_frame
from bctcoder.store.models import Code, Coding, Document


def quotes(session: Session, scope: Scope = Scope(), *, codes: list[str] | None = None, limit: int | None = 10,
           include_inductive: bool = True) -> pd.DataFrame:
    """Verbatim quotes per code: exemplars first, then by case; at most ``limit`` per code (None = all).

    Columns: code, label, group_id, group_label, quote, case, role, document, start, end, exemplar, coder, memo.
    Only the quoted characters are read from the database, never whole transcripts.
    """
    kinds = ("technique", "inductive") if include_inductive else ("technique",)
    evidence = load_evidence(session, scope, kinds=kinds)
    if codes:
        from bctcoder.taxonomy.service import require_code

        wanted = {require_code(session, c).id for c in codes}
        evidence = evidence[evidence["code_id"].isin(wanted)]
    if evidence.empty:
        return pd.DataFrame(columns=["code", "label", "group_id", "group_label", "quote", "case", "role", "document",
                                     "start", "end", "exemplar", "coder", "memo"])
    evidence = evidence.sort_values(["code_id", "exemplar", "role", "case", "start"],
                                    ascending=[True, False, True, True, True])
    # one quote per distinct span and code (two coders on the same words give one quote)
    evidence = evidence.drop_duplicates(subset=["code_id", "document_id", "start", "end"])
    if limit is not None:
        evidence = evidence.groupby("code_id", sort=False).head(limit)
    ids = [int(i) for i in evidence["coding_id"]]
    texts = {}
    for chunk in range(0, len(ids), 900):
        part = ids[chunk:chunk + 900]
        stmt = select(Coding.id, func.substr(Document.text, Coding.start + 1, Coding.end - Coding.start),
                      Coding.memo).join(Document, Coding.document_id == Document.id).where(Coding.id.in_(part))
        texts.update({cid: (q, m) for cid, q, m in session.execute(stmt)})
    evidence["quote"] = evidence["coding_id"].map(lambda c: texts[c][0])
    evidence["memo"] = evidence["coding_id"].map(lambda c: texts[c][1])
    labels = pd.DataFrame(session.execute(select(Code.id, Code.number, Code.label)).all(),
                          columns=["code_id", "number", "label"])
    labels["code"] = labels["number"].fillna(labels["label"])
    tech = techniques_frame(session)[["code_id", "group_id", "group_label"]]
    out = evidence.merge(labels[["code_id", "code", "label"]], on="code_id").merge(tech, on="code_id", how="left")
    order = {cid: i for i, cid in enumerate(techniques_frame(session)["code_id"])}
    out["_o"] = out["code_id"].map(lambda c: order.get(c, 10**6 + c))
    out = out.sort_values(["_o", "exemplar", "role", "case", "start"], ascending=[True, False, True, True, True])
    return out[["code", "label", "group_id", "group_label", "quote", "case", "role", "document", "start", "end",
                "exemplar", "coder", "memo"]].reset_index(drop=True)
