"""Agreement between coders of a project, the way BCT coding studies report it.

Units:

- ``document`` (default): presence/absence of each technique in each transcript
  that every compared coder has coded (at least one coding of any code);
- ``segment``: character overlap (NVivo's coding comparison): every character
  of a document is a unit, coded or not by each coder, per technique;
- ``turn``: each speaker turn is a unit, coded when a coding overlaps it.

Two coders get Cohen's kappa, PABAK, Gwet's AC1, percent, positive and negative
agreement, prevalence and bias indices. Three or more coders get a pairwise
table (every pair, over the transcripts that pair shares) and the multi-coder
coefficients (observed agreement, Fleiss' kappa, AC1, Brennan-Prediger,
Krippendorff's alpha) over the transcripts all of them coded (``missing=
"listwise"``, the default) or every transcript two or more of them coded
(``missing="all"``, Gwet's form: a coder who did not code a transcript has not
rated its units). Suggestions and rejected suggestions never count.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.agreement import presence
from bctcoder.agreement import statistics as st
from bctcoder.analysis.coverage import merged_length
from bctcoder.analysis.evidence import Scope, document_lengths, load_evidence, techniques_frame
from bctcoder.errors import InputError
from bctcoder.store.models import Document, Turn

UNITS = ("document", "segment", "turn")
MISSING = ("listwise", "all")
DEFAULT_MISSING = "listwise"
JOINT_ABSENCE_WARNING = 0.8
_value = presence.value


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


def _coded_by(evidence: pd.DataFrame, coders: list[str]) -> dict[str, set[str]]:
    """The transcripts each coder coded (at least one coding of any code)."""
    return {c: set(evidence.loc[evidence["coder"] == c, "document"]) for c in coders}


def _document_units(evidence: pd.DataFrame, coders: list[str], code_ids: list[int], docs: list[str],
                    coded: dict[str, set[str]]) -> dict[int, np.ndarray]:
    """Per code: documents × coders presence (1/0; NaN where that coder did not code the document)."""
    present = set(zip(evidence["code_id"], evidence["document"], evidence["coder"]))
    out = {}
    for code_id in code_ids:
        out[code_id] = np.array([[(1.0 if (code_id, d, c) in present else 0.0) if d in coded[c] else np.nan
                                  for c in coders] for d in docs], dtype=float)
    return out


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
                code_ids: list[int], coded: dict[str, set[str]]) -> dict[int, np.ndarray]:
    """Per code: turns × coders presence (a turn is coded when a coding overlaps it; NaN where that coder did
    not code the turn's document)."""
    turns = pd.DataFrame(session.execute(
        select(Document.name, Turn.id, Turn.start, Turn.end).join(Turn, Turn.document_id == Document.id)
        .where(Document.name.in_(docs))).all(), columns=["document", "turn_id", "t_start", "t_end"])
    ev = evidence[evidence["document"].isin(docs)]
    hits = ev.merge(turns, on="document")
    hits = hits[(hits["start"] < hits["t_end"]) & (hits["end"] > hits["t_start"])]
    present = set(zip(hits["code_id"], hits["turn_id"], hits["coder"]))
    rows = list(zip(turns["turn_id"], turns["document"]))
    return {code_id: np.array([[(1.0 if (code_id, t, c) in present else 0.0) if d in coded[c] else np.nan
                                for c in coders] for t, d in rows], dtype=float)
            for code_id in code_ids}


def _table(matrix: np.ndarray) -> np.ndarray:
    """2×2 [[both, first only], [second only, neither]] over the rows both coders rated."""
    both = matrix[~np.isnan(matrix).any(axis=1)]
    a, b = both[:, 0] == 1, both[:, 1] == 1
    return np.array([[int((a & b).sum()), int((a & ~b).sum())], [int((~a & b).sum()), int((~a & ~b).sum())]])


def _pair_rows(evidence: pd.DataFrame, coders: list[str], code_ids: list[int], used_ids: list[int],
               coded: dict[str, set[str]]) -> list[dict[str, Any]]:
    """One row per pair of coders, pooled over every technique, on the transcripts that pair shares."""
    rows = []
    for a, b in combinations(coders, 2):
        shared = sorted(coded[a] & coded[b])
        row: dict[str, Any] = {"first": a, "second": b, "documents": len(shared)}
        if not shared:
            rows.append(row | {"note": "no transcript coded by both"})
            continue
        units = _document_units(evidence[evidence["coder"].isin([a, b])], [a, b], code_ids, shared, coded)
        pooled = _two_coder_row(_table(np.vstack([units[i] for i in code_ids])))
        used = [i for i in used_ids if i in units]
        row |= pooled
        if used:
            row["cohen_kappa_used_techniques"] = _two_coder_row(_table(np.vstack([units[i] for i in used])))[
                "cohen_kappa"]
        rows.append(row)
    return rows


def _check(coders: list[str], unit: str, missing: str) -> list[str]:
    coders = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
    if len(coders) < 2:
        raise InputError("name at least two coders (e.g. --coders A,B)", source="--coders")
    if unit not in UNITS:
        raise InputError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}", source="--unit")
    if missing not in MISSING:
        raise InputError(f"missing must be listwise or all, not {missing!r}", source="--missing")
    if unit == "segment" and len(coders) != 2:
        raise InputError("segment agreement compares exactly two coders", source="--unit")
    return coders


def agreement(session: Session, coders: list[str], *, unit: str = "document", scope: Scope = Scope(),
              include_inductive: bool = False, missing: str = DEFAULT_MISSING) -> dict[str, Any]:
    """Agreement between ``coders`` per technique, per group and overall (pooled), and for every pair."""
    coders = _check(coders, unit, missing)
    kinds = ("technique", "inductive") if include_inductive else ("technique",)
    evidence = load_evidence(session, Scope(coders=tuple(coders), case_set=scope.case_set), kinds=kinds)
    tech = techniques_frame(session, scope.taxonomy)
    code_ids = list(tech["code_id"])
    coded = _coded_by(evidence, coders)
    used_ids = sorted(set(evidence["code_id"]) & set(code_ids))
    pairs = _pair_rows(evidence, coders, code_ids, used_ids, coded)
    if not any(p["documents"] for p in pairs):
        nobody = [c for c in coders if not coded[c]]
        why = (f"{', '.join(nobody)} coded no transcript" if nobody
               else "no two of them coded the same transcript")
        raise InputError(f"agreement needs transcripts coded by at least two of {', '.join(coders)}: {why}",
                         source="--coders")
    n_coding = {d: sum(d in coded[c] for c in coders) for d in set.union(*coded.values())}
    need = len(coders) if missing == "listwise" or len(coders) == 2 else 2
    docs = sorted(d for d, n in n_coding.items() if n >= need)
    warnings: list[str] = []
    skipped = sorted(set(n_coding) - set(docs))
    if skipped:
        left = "coded by only some of the coders" if need == len(coders) else "coded by one coder only"
        warnings.append(f"{len(skipped)} transcript(s) {left} were left out of the "
                        f"{'pairwise' if len(coders) == 2 else 'multi-coder'} figures: "
                        + ", ".join(skipped[:10]) + ("…" if len(skipped) > 10 else ""))
    result: dict[str, Any] = {"coders": coders, "unit": unit, "missing": missing, "documents": docs,
                              "n_documents": len(docs), "pairs": pd.DataFrame(pairs), "warnings": warnings,
                              "conventions": _conventions(coders, unit, missing, len(docs))}
    if not docs:
        warnings.append(f"No transcript was coded by all of {', '.join(coders)}, so the multi-coder "
                        "coefficients could not be computed; the pairwise table shows every pair that shares "
                        "transcripts (--missing all uses every transcript coded by two or more of them).")
        empty = pd.DataFrame(columns=["id", "label", "group_id", "group_label"])
        return result | {"overall": None, "overall_used_techniques": None, "techniques": empty,
                         "groups": pd.DataFrame(columns=["id", "label"])}
    return result | _per_technique(session, evidence, coders, docs, coded, tech, unit, scope, warnings)


def _conventions(coders: list[str], unit: str, missing: str, n_docs: int) -> list[str]:
    what = {"document": "a (transcript, technique) pair: coded or not", "turn": "a (speaker turn, technique) "
            "pair: coded when a coding overlaps the turn", "segment": "a character of a transcript, per technique"}
    out = [f"Unit: {what[unit]}. A coder who coded nothing in a transcript has not rated it."]
    if len(coders) == 2:
        out.append(f"Two coders: the {n_docs} transcript(s) both coded.")
    else:
        rule = ("listwise (the default): the transcripts all of them coded" if missing == "listwise" else
                "all (Gwet 2014): every transcript two or more of them coded; coders who did not code a "
                "transcript are missing there")
        out.append(f"Multi-coder coefficients: missing ratings {rule} ({n_docs}). Pairwise table: each pair over "
                   "the transcripts it shares.")
    out.append("Scale: present/absent (q = 2). percent_agreement is the observed agreement pa the "
               "chance-corrected coefficients start from.")
    return out


def _per_technique(session: Session, evidence: pd.DataFrame, coders: list[str], docs: list[str],
                   coded: dict[str, set[str]], tech: pd.DataFrame, unit: str, scope: Scope,
                   warnings: list[str]) -> dict[str, Any]:
    code_ids = list(tech["code_id"])
    if unit == "segment":
        tables = _segment_tables(session, evidence, coders, docs, code_ids, scope)
        units = None
    else:
        units = (_document_units(evidence, coders, code_ids, docs, coded) if unit == "document"
                 else _turn_units(session, evidence, coders, docs, code_ids, coded))
        tables = None

    def stats_for(ids: list[int]) -> dict[str, Any]:
        if tables is not None:
            return _two_coder_row(sum((tables[i] for i in ids), np.zeros((2, 2), dtype=np.int64)))
        assert units is not None  # set whenever tables is None
        matrix = np.vstack([units[i] for i in ids]) if ids else np.zeros((0, len(coders)))
        if len(coders) == 2:
            return _two_coder_row(_table(matrix))
        return presence.multi_coder_row(matrix)

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
    if undefined and len(coders) == 2:
        warnings.append(f"kappa is undefined (NaN) for {undefined} technique(s) with no variation, usually because "
                        "neither coder used them; PABAK is still reported.")
    elif undefined:
        warnings.append(f"Fleiss' kappa and alpha are undefined (NaN) for {undefined} technique(s) with no "
                        "variation, usually because no coder used them; Brennan-Prediger is still reported.")
    return {"overall": overall, "overall_used_techniques": overall_used, "techniques": techniques,
            "groups": pd.DataFrame(group_rows)}
