"""Agreement between coders of a project, the way BCT coding studies report it.

Units:

- ``document`` (default): presence/absence of each technique in each transcript
  that every compared coder has coded (at least one coding of any code);
- ``segment``: character overlap (NVivo's coding comparison): every character
  of a document is a unit, coded or not by each coder, per technique;
- ``turn``: each speaker turn is a unit, coded when a coding overlaps it.

Two coders get Cohen's kappa, PABAK, Gwet's AC1, percent, positive and negative
agreement, prevalence and bias indices; more coders get Fleiss' kappa,
Krippendorff's alpha and mean pairwise agreement. Suggestions and rejected
suggestions never count.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.agreement import statistics as st
from bctcoder.analysis.coverage import merged_length
from bctcoder.analysis.evidence import Scope, document_lengths, load_evidence, techniques_frame
from bctcoder.errors import InputError
from bctcoder.store.models import Document, Turn

UNITS = ("document", "segment", "turn")
JOINT_ABSENCE_WARNING = 0.8


def _value(stat) -> float | None:
    v = stat.value
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 4)


def _two_coder_row(table: np.ndarray) -> dict[str, Any]:
    """Statistics of a 2×2 table [[both, A only], [B only, neither]] as plain numbers."""
    stats = st.from_2x2(table)
    n = float(table.sum())
    row: dict[str, Any] = {"n": int(n), "both": int(table[0, 0]), "first_only": int(table[0, 1]),
                           "second_only": int(table[1, 0]), "neither": int(table[1, 1])}
    row["prevalence"] = round(float((2 * table[0, 0] + table[0, 1] + table[1, 0]) / (2 * n)), 4) if n else None
    for key in ("percent_agreement", "cohen_kappa", "pabak", "gwet_ac1", "positive_agreement",
                "negative_agreement", "prevalence_index", "bias_index"):
        row[key] = _value(stats[key])
    reasons = [s.reason for s in (stats["cohen_kappa"],) if s.reason]
    row["note"] = reasons[0] if reasons else None
    return row


def _multi_coder_row(ratings: np.ndarray) -> dict[str, Any]:
    """Statistics of a units × coders 0/1 matrix."""
    row: dict[str, Any] = {"n": int(ratings.shape[0]), "any_coder": int((ratings.sum(axis=1) > 0).sum()),
                           "all_coders": int((ratings.sum(axis=1) == ratings.shape[1]).sum())}
    row["prevalence"] = round(float(ratings.mean()), 4) if ratings.size else None
    if not ratings.size:
        return row | {"percent_agreement": None, "fleiss_kappa": None, "krippendorff_alpha": None,
                      "note": "no units"}
    pa = st.percent_agreement_multi(ratings)
    fk = st.fleiss_kappa(ratings)
    ka = st.krippendorff_alpha(ratings, level="nominal")
    row |= {"percent_agreement": _value(pa), "fleiss_kappa": _value(fk), "krippendorff_alpha": _value(ka),
            "note": fk.reason}
    return row


def _document_units(evidence: pd.DataFrame, coders: list[str], code_ids: list[int]) -> tuple[dict, list[str]]:
    """Per code: units (documents) × coders presence matrices; and the documents used."""
    per_coder_docs = [set(evidence.loc[evidence["coder"] == c, "document"]) for c in coders]
    docs = sorted(set.intersection(*per_coder_docs)) if per_coder_docs else []
    present = set(zip(evidence["code_id"], evidence["document"], evidence["coder"]))
    out = {}
    for code_id in code_ids:
        out[code_id] = np.array([[int((code_id, d, c) in present) for c in coders] for d in docs], dtype=int)
    return out, docs


def _segment_tables(session: Session, evidence: pd.DataFrame, coders: list[str], docs: list[str],
                    code_ids: list[int], scope: Scope) -> dict[int, np.ndarray]:
    """Per code: a 2×2 table of characters (both, first only, second only, neither) summed over documents."""
    lengths = document_lengths(session, scope).set_index("document")["characters"]
    total = int(lengths.loc[docs].sum()) if docs else 0
    ev = evidence[evidence["document"].isin(docs)]
    a = merged_length(ev.loc[ev["coder"] == coders[0], ["code_id", "document", "start", "end"]],
                      ["code_id", "document"]).groupby("code_id")["covered"].sum()
    b = merged_length(ev.loc[ev["coder"] == coders[1], ["code_id", "document", "start", "end"]],
                      ["code_id", "document"]).groupby("code_id")["covered"].sum()
    # characters coded by both = |A| + |B| - |A ∪ B|
    union = merged_length(ev[["code_id", "document", "start", "end"]], ["code_id", "document"]).groupby(
        "code_id")["covered"].sum()
    out = {}
    for code_id in code_ids:
        na, nb, nu = int(a.get(code_id, 0)), int(b.get(code_id, 0)), int(union.get(code_id, 0))
        both = na + nb - nu
        out[code_id] = np.array([[both, na - both], [nb - both, total - nu]], dtype=np.int64)
    return out


def _turn_units(session: Session, evidence: pd.DataFrame, coders: list[str], docs: list[str],
                code_ids: list[int]) -> dict[int, np.ndarray]:
    """Per code: turns × coders matrices (a turn is coded when a coding overlaps it)."""
    turns = pd.DataFrame(session.execute(
        select(Document.name, Turn.id, Turn.start, Turn.end).join(Turn, Turn.document_id == Document.id)
        .where(Document.name.in_(docs))).all(), columns=["document", "turn_id", "t_start", "t_end"])
    ev = evidence[evidence["document"].isin(docs)]
    hits = ev.merge(turns, on="document")
    hits = hits[(hits["start"] < hits["t_end"]) & (hits["end"] > hits["t_start"])]
    present = set(zip(hits["code_id"], hits["turn_id"], hits["coder"]))
    ids = list(turns["turn_id"])
    return {code_id: np.array([[int((code_id, t, c) in present) for c in coders] for t in ids], dtype=int)
            for code_id in code_ids}


def agreement(session: Session, coders: list[str], *, unit: str = "document", scope: Scope = Scope(),
              include_inductive: bool = False) -> dict[str, Any]:
    """Agreement between ``coders`` per technique, per group and overall (pooled)."""
    coders = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
    if len(coders) < 2:
        raise InputError("name at least two coders (e.g. --coders A,B)", source="--coders")
    if unit not in UNITS:
        raise InputError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}", source="--unit")
    if unit == "segment" and len(coders) != 2:
        raise InputError("segment agreement compares exactly two coders", source="--unit")
    kinds = ("technique", "inductive") if include_inductive else ("technique",)
    evidence = load_evidence(session, Scope(coders=tuple(coders), case_set=scope.case_set), kinds=kinds)
    tech = techniques_frame(session, scope.taxonomy)
    code_ids = list(tech["code_id"])
    per_coder_docs = [set(evidence.loc[evidence["coder"] == c, "document"]) for c in coders]
    docs = sorted(set.intersection(*per_coder_docs))
    warnings = []
    if not docs:
        raise InputError(f"no transcript has codings by all of {', '.join(coders)}", source="--coders")
    skipped = sorted(set.union(*per_coder_docs) - set(docs))
    if skipped:
        warnings.append(f"{len(skipped)} transcript(s) coded by only some of the coders were left out: "
                        + ", ".join(skipped[:10]) + ("…" if len(skipped) > 10 else ""))
    if unit == "segment":
        tables = _segment_tables(session, evidence, coders, docs, code_ids, scope)
        units = None
    else:
        units = (_document_units(evidence, coders, code_ids)[0] if unit == "document"
                 else _turn_units(session, evidence, coders, docs, code_ids))
        tables = None

    def stats_for(ids: list[int]) -> dict[str, Any]:
        if tables is not None:
            return _two_coder_row(sum((tables[i] for i in ids), np.zeros((2, 2), dtype=np.int64)))
        assert units is not None  # set whenever tables is None
        matrix = np.vstack([units[i] for i in ids]) if ids else np.zeros((0, len(coders)), dtype=int)
        if len(coders) == 2:
            t = np.array([[int(((matrix[:, 0] == 1) & (matrix[:, 1] == 1)).sum()),
                           int(((matrix[:, 0] == 1) & (matrix[:, 1] == 0)).sum())],
                          [int(((matrix[:, 0] == 0) & (matrix[:, 1] == 1)).sum()),
                           int(((matrix[:, 0] == 0) & (matrix[:, 1] == 0)).sum())]])
            return _two_coder_row(t)
        return _multi_coder_row(matrix)

    rows = []
    for _, t in tech.iterrows():
        rows.append({"id": t["id"], "label": t["label"], "group_id": t["group_id"], "group_label": t["group_label"]}
                    | stats_for([t["code_id"]]))
    techniques = pd.DataFrame(rows)
    group_rows = []
    for (gid, glabel), part in tech.groupby(["group_id", "group_label"], sort=False):
        group_rows.append({"id": gid, "label": glabel} | stats_for(list(part["code_id"])))
    overall = stats_for(code_ids)
    if "both" in techniques:
        used_mask = (techniques["both"] + techniques["first_only"] + techniques["second_only"]) > 0
    else:
        used_mask = techniques["any_coder"] > 0
    used = techniques[used_mask]
    overall_used = stats_for(list(tech.loc[tech["id"].isin(used["id"]), "code_id"]))
    joint = (overall.get("neither", 0) / overall["n"]) if overall.get("n") and "neither" in overall else None
    if joint is not None and joint >= JOINT_ABSENCE_WARNING:
        warnings.append(f"{joint:.1%} of the pooled units are joint absences (neither coder used the technique): "
                        "percent agreement and PABAK are inflated; read kappa, positive agreement, and the figures "
                        "over techniques either coder used.")
    undefined = int(techniques["note"].notna().sum()) if "note" in techniques else 0
    if undefined:
        warnings.append(f"kappa is undefined (NaN) for {undefined} technique(s) with no variation, usually because "
                        "neither coder used them; PABAK is still reported.")
    return {"coders": coders, "unit": unit, "documents": docs, "n_documents": len(docs),
            "overall": overall, "overall_used_techniques": overall_used, "techniques": techniques,
            "groups": pd.DataFrame(group_rows), "warnings": warnings}
